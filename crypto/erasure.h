// Erasure authorisation: who may strip an op's body, and the proof that they did.
// Format: docs/crypto.md#erasure-authorisation.
//
// An erased op keeps its header, so its chain still verifies (crypto/op_chain.h), but the chain
// says nothing about whether the body was removed lawfully or by a relay that dropped it on the
// way. So an erased op carries, in crdt::Op::erasure, an authorisation signed by the op's origin
// or by a city node (the city bureau erases for the whole network):
//
//   "FLX1" | origin u64 | scope_len u16 | scope | seq u64 | body_hash[32]   (which op)
//          | signer u64 | erased_ms u64                                    (by whom, when)
//          | chain_len u16 | signer_chain                                   (empty: the origin)
//          | signature[64]
//   signature = Ed25519(signer, "fulei-erasure-v1" || everything from origin to erased_ms)
//
// `signer_chain` is the signer's certificate chain (crypto::EncodeChain) when the signer is not
// the origin, so every hop can check it on its own; the origin's own certificate is the one its
// chain is verified with. The authorisation names the op by (scope, origin, seq, body_hash):
// it erases that op and no other, and since the header (which holds body_hash) is covered by the
// origin's signed head, it cannot be moved to another op of the same seq.
//
// Pure functions; thread-safe. REQUIRES for VerifyErasure: origin_cert was verified by the
// caller (TrustStore::VerifyChain) and is the certificate of op.origin.
#ifndef FULEI_CRYPTO_ERASURE_H_
#define FULEI_CRYPTO_ERASURE_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "crdt/op.h"
#include "crdt/status.h"
#include "crypto/certificate.h"
#include "crypto/signing.h"
#include "crypto/trust.h"

namespace fulei::crypto {

struct ErasureAuthorisation {
  // Which op.
  std::string scope;
  NodeId origin = 0;
  uint64_t seq = 0;
  crdt::Hash body_hash{};
  // By whom and when: the signer's node id and its clock (ms since 1970) when it signed.
  NodeId signer = 0;
  uint64_t erased_ms = 0;
  // The signer's certificate chain (EncodeChain) when the signer is a city node; empty when
  // the signer is the op's origin.
  std::string signer_chain;
  Signature signature{};

  friend bool operator==(const ErasureAuthorisation&, const ErasureAuthorisation&) = default;
};

std::string EncodeErasure(const ErasureAuthorisation& erasure);
// kCorruption for anything but the format above (bounded: at most crdt::kMaxErasureBytes).
Result<ErasureAuthorisation> DecodeErasure(std::string_view bytes);

// An authorisation to erase `op`, signed by `signer`: the op's origin (signer_chain empty) or a
// city node (signer_chain = its encoded certificate chain).
ErasureAuthorisation AuthoriseErasure(const crdt::Op& op, const SigningKey& signer,
                                      uint64_t erased_ms, std::string signer_chain = {});

// `op` with its body dropped and `erasure` attached: what a node stores and relays.
// REQUIRES: `erasure` was made for `op` (AuthoriseErasure).
crdt::Op EraseOp(crdt::Op op, const ErasureAuthorisation& erasure);

// Checks the erasure an erased op carries: it decodes, names exactly this op (scope, origin,
// seq, body_hash), and is signed either by the origin (under origin_cert) or by a city node
// whose chain verifies at erased_ms against `trust`, is not revoked, and whose unit holds the
// op's scope. kUnauthenticated when the op is erased without a valid authorisation (a body
// stripped on the way); kInvalidArgument when `op` is not erased.
Status VerifyErasure(const crdt::Op& op, const Certificate& origin_cert, const TrustStore& trust);

}  // namespace fulei::crypto

#endif  // FULEI_CRYPTO_ERASURE_H_
