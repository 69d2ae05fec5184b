// Op authenticity: the hash chain of each (origin, scope) op log and the origin's signed head.
// Format: docs/crypto.md#op-chain.
//
//   body_hash = BLAKE2b-256("fulei-op-body-v1"   || crdt::EncodeOpBody(op))
//   head(op)  = BLAKE2b-256("fulei-op-header-v1" || crdt::EncodeOpHeader(op))
//   op[n].prev_hash = head(op[n-1]);  op[1].prev_hash = 32 zero bytes
// The header encoding covers origin, seq, stamp, author, record key, flags, prev_hash and
// body_hash, and not the erased flag, so an erased op (body dropped) keeps the same header hash
// and the chain still verifies. At each commit the origin signs
//   "fulei-chain-head-v1" || origin (u64) || scope length (u16) || scope || seq (u64) || head
// with its Ed25519 key. One signature verification then covers a whole contiguous batch, and a
// relay (a town) cannot forge, alter, reorder, drop from the middle of, or re-sign a village's
// chain. Verification needs only the origin's certificate.
//
// ChainBuilder: one per (origin, scope) log on the origin; thread-compatible, one owner.
// REQUIRES: the SigningKey outlives the builder. VerifyChain is stateless and thread-safe.
#ifndef FULEI_CRYPTO_OP_CHAIN_H_
#define FULEI_CRYPTO_OP_CHAIN_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "crdt/op.h"
#include "crdt/status.h"
#include "crypto/certificate.h"
#include "crypto/signing.h"

namespace fulei::crypto {

struct SignedHead {
  NodeId origin = 0;
  std::string scope;
  uint64_t seq = 0;  // seq of the op whose header hash is `head`
  crdt::Hash head{};
  Signature signature{};

  friend bool operator==(const SignedHead&, const SignedHead&) = default;
};

// "FLH1" || origin || u16 scope length || scope || seq || head || signature.
std::string EncodeSignedHead(const SignedHead& head);
Result<SignedHead> DecodeSignedHead(std::string_view bytes);

crdt::Hash OpBodyHash(const crdt::Op& op);
crdt::Hash OpHeaderHash(const crdt::Op& op);

class ChainBuilder {
 public:
  // Continues a log whose last op has `last_seq` (0 for a new log) and header hash `last_head`.
  ChainBuilder(const SigningKey& origin_key, std::string scope, uint64_t last_seq,
               const crdt::Hash& last_head);

  // Sets op->origin, op->seq (next), op->prev_hash and op->body_hash. kInvalidArgument when
  // op->key.scope is not this builder's scope, or op is erased.
  Status Append(crdt::Op* op);

  // The origin's signature over the current head (call at commit). REQUIRES: seq() >= 1.
  SignedHead SignHead() const;

  uint64_t seq() const { return seq_; }
  const crdt::Hash& head() const { return head_; }

 private:
  const SigningKey* key_;
  std::string scope_;
  uint64_t seq_;
  crdt::Hash head_;
};

// Verifies a contiguous batch of one (origin, scope) log: ops[0] follows the op with
// `prev_seq` / `prev_head` (0 / zero hash at the log's start), each op links to the one before,
// each unerased op's body matches its body_hash, the last op is `head`'s, and `head` is signed
// by `origin_cert` (whose node id must be the ops' origin).
// REQUIRES: origin_cert was verified with TrustStore::VerifyChain by the caller.
// kUnauthenticated for a bad signature or a chain break, kInvalidArgument for a malformed batch.
Status VerifyChain(const Certificate& origin_cert, uint64_t prev_seq, const crdt::Hash& prev_head,
                   std::span<const crdt::Op> ops, const SignedHead& head);

// Verifies a signed head alone (e.g. one advertised before its ops are fetched).
Status VerifySignedHead(const Certificate& origin_cert, const SignedHead& head);

}  // namespace fulei::crypto

#endif  // FULEI_CRYPTO_OP_CHAIN_H_
