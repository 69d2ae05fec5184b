// CertDirectory: the certificate chains of every origin whose ops this node holds, so that any
// op can be verified — and relayed with its certificate — long after its origin was last seen.
// Chains are kept in the store's `peers` database under "cert:<node id hex>" (the store seals
// them), cached in memory.
//
// One chain per node: the one with the latest expiry (the earliest not_after of its
// certificates) that verified. Add never replaces a held chain by one that expires no later, so
// a peer cannot push an older chain of another node in place of its newer one (which would cut
// that node's later ops off once the older chain expired). A renewed certificate of the same key
// must therefore keep the not_before of the one it renews (or earlier), or the node's older ops
// could no longer be vouched for: ops are checked against the chain held (LeafFor).
// A session checks the chains a batch carries with Check, verifies the batch against them
// (LeafFor's `carried`), and Adds them only once the batch is accepted (docs/protocol.md,
// "Certificates in batches").
//
// Verification cache: a chain that passed TrustStore::VerifyChain is remembered by its exact
// encoded bytes (a chain differing in any byte is verified afresh), with its leaf and the window
// in which all its certificates are valid, so the next Check, Add or Leaf of those bytes at a
// time inside that window skips the signature checks. The cache holds at most
// kMaxVerifiedChains chains and is dropped whenever the trust store's root or
// revocation_version() differs from the one it was filled under: a chain is refused as soon as a
// list revoking it is installed.
// REQUIRES: trust stores with the same root and revocation version hold the same list (true of
// root-signed lists, whose versions only grow; normally a node has one TrustStore).
//
// Thread-compatible: one owner. REQUIRES: the store outlives the directory.
#ifndef FULEI_SYNC_CERT_DIRECTORY_H_
#define FULEI_SYNC_CERT_DIRECTORY_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "crdt/op.h"
#include "crdt/status.h"
#include "crypto/certificate.h"
#include "crypto/trust.h"
#include "store/store.h"

namespace fulei::sync {

class CertDirectory {
 public:
  explicit CertDirectory(store::Store& store) : store_(store) {}

  // Verifies an encoded chain (crypto::EncodeChain) at `at_ms` without keeping it; returns its
  // leaf. kCorruption for bytes that are no chain; kUnauthenticated / kPermissionDenied /
  // kOutOfRange from the trust store.
  Result<crypto::Certificate> Check(std::string_view encoded_chain, const crypto::TrustStore& trust,
                                    uint64_t at_ms);
  // Verifies an encoded chain at `at_ms` and keeps it as its node's chain (durably, before
  // returning) unless the directory holds one for that node that expires no earlier; returns
  // the leaf's node id either way. Errors as Check, and the store's.
  Result<crdt::NodeId> Add(std::string_view encoded_chain, const crypto::TrustStore& trust,
                           uint64_t at_ms);
  // The encoded chain of `node`, if known.
  Result<std::optional<std::string>> Get(crdt::NodeId node);
  // The verified leaf certificate of `node` at `at_ms`: kNotFound when unknown; trust errors
  // (revoked, expired at that time, bad chain) as from TrustStore::VerifyChain.
  Result<crypto::Certificate> Leaf(crdt::NodeId node, const crypto::TrustStore& trust,
                                   uint64_t at_ms);
  // The verified leaf that vouches for ops of `node` stamped from `first_ms` through `last_ms`:
  // of the chain held and `carried` (a chain not kept yet, such as one the batch being checked
  // carries; empty for none), the one that expires later, verified at both times. kNotFound
  // when neither exists; kOutOfRange when a stamp lies outside that chain's validity; other
  // trust errors as from TrustStore::VerifyChain.
  Result<crypto::Certificate> LeafFor(crdt::NodeId node, const crypto::TrustStore& trust,
                                      uint64_t first_ms, uint64_t last_ms,
                                      std::string_view carried = {});

  // The expiry of an encoded chain: the earliest not_after_ms of its certificates. kCorruption
  // for bytes that are no chain (nothing is verified).
  static Result<uint64_t> Expiry(std::string_view encoded_chain);

  // TrustStore::VerifyChain calls made so far; a Check, Add or Leaf answered from the
  // verification cache makes none.
  uint64_t chains_verified() const { return chains_verified_; }

  static constexpr size_t kMaxVerifiedChains = 4096;

 private:
  struct Verified {
    crypto::Certificate leaf;
    uint64_t not_before_ms = 0;  // the latest not_before of the chain
    uint64_t not_after_ms = 0;   // the earliest not_after of the chain
  };
  // trust.VerifyChain of the decoded `encoded_chain` at `at_ms`, answered from verified_ when
  // these exact bytes verified under the same root and revocation list and `at_ms` lies in
  // their window.
  Result<crypto::Certificate> Verify(std::string_view encoded_chain,
                                     const crypto::TrustStore& trust, uint64_t at_ms);

  store::Store& store_;
  std::map<crdt::NodeId, std::string> cache_;
  std::map<std::string, Verified, std::less<>> verified_;  // by exact encoded chain
  crypto::SigningPublicKey verified_root_{};
  uint64_t verified_revocation_version_ = 0;
  uint64_t chains_verified_ = 0;
};

}  // namespace fulei::sync

#endif  // FULEI_SYNC_CERT_DIRECTORY_H_
