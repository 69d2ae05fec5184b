// CertDirectory: the certificate chains of every origin whose ops this node holds, so that any
// op can be verified — and relayed with its certificate — long after its origin was last seen.
// Chains are kept in the store's `peers` database under "cert:<node id hex>" (the store seals
// them), cached in memory.
//
// Thread-compatible: one owner. REQUIRES: the store outlives the directory.
#ifndef FULEI_SYNC_CERT_DIRECTORY_H_
#define FULEI_SYNC_CERT_DIRECTORY_H_

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

  // Adds an encoded chain (crypto::EncodeChain) after verifying it at `at_ms`; returns the
  // leaf's node id. kUnauthenticated / kPermissionDenied / kOutOfRange from the trust store.
  Result<crdt::NodeId> Add(std::string_view encoded_chain, const crypto::TrustStore& trust,
                           uint64_t at_ms);
  // The encoded chain of `node`, if known.
  Result<std::optional<std::string>> Get(crdt::NodeId node);
  // The verified leaf certificate of `node` at `at_ms`: kNotFound when unknown; trust errors
  // (revoked, expired at that time, bad chain) as from TrustStore::VerifyChain.
  Result<crypto::Certificate> Leaf(crdt::NodeId node, const crypto::TrustStore& trust,
                                   uint64_t at_ms);

 private:
  store::Store& store_;
  std::map<crdt::NodeId, std::string> cache_;
};

}  // namespace fulei::sync

#endif  // FULEI_SYNC_CERT_DIRECTORY_H_
