#include "crypto/op_chain.h"

#include <sodium.h>

#include "crdt/codec.h"
#include "crypto/internal/bytes.h"

namespace fulei::crypto {
namespace {

constexpr std::string_view kMagic = "FLH1";

crdt::Hash HashWithContext(std::string_view context, std::string_view data) {
  crdt::Hash out;
  crypto_generichash_state st;
  FULEI_CHECK(crypto_generichash_init(&st, nullptr, 0, out.size()) == 0);
  FULEI_CHECK(crypto_generichash_update(&st, internal::U8Ptr(context), context.size()) == 0);
  FULEI_CHECK(crypto_generichash_update(&st, internal::U8Ptr(data), data.size()) == 0);
  FULEI_CHECK(crypto_generichash_final(&st, out.data(), out.size()) == 0);
  return out;
}

std::string HeadMessage(const SignedHead& h) {
  std::string m = "fulei-chain-head-v1";
  internal::PutU64(m, h.origin);
  internal::PutU16(m, static_cast<uint16_t>(h.scope.size()));
  m.append(h.scope);
  internal::PutU64(m, h.seq);
  internal::PutArray(m, h.head);
  return m;
}

}  // namespace

crdt::Hash OpBodyHash(const crdt::Op& op) {
  return HashWithContext("fulei-op-body-v1", crdt::EncodeOpBody(op));
}

crdt::Hash OpHeaderHash(const crdt::Op& op) {
  return HashWithContext("fulei-op-header-v1", crdt::EncodeOpHeader(op));
}

std::string EncodeSignedHead(const SignedHead& h) {
  std::string out(kMagic);
  internal::PutU64(out, h.origin);
  internal::PutU16(out, static_cast<uint16_t>(h.scope.size()));
  out.append(h.scope);
  internal::PutU64(out, h.seq);
  internal::PutArray(out, h.head);
  internal::PutArray(out, h.signature);
  return out;
}

Result<SignedHead> DecodeSignedHead(std::string_view bytes) {
  internal::Reader in(bytes);
  std::string_view magic, scope;
  uint16_t len = 0;
  SignedHead h;
  if (!in.Bytes(4, &magic) || magic != kMagic || !in.U64(&h.origin) || !in.U16(&len) ||
      len > crdt::kMaxKeyPartBytes || !in.Bytes(len, &scope) || !in.U64(&h.seq) ||
      !in.Array(&h.head) || !in.Array(&h.signature) || !in.done()) {
    return Corruption("signed head: malformed");
  }
  h.scope = std::string(scope);
  return h;
}

ChainBuilder::ChainBuilder(const SigningKey& origin_key, std::string scope, uint64_t last_seq,
                           const crdt::Hash& last_head)
    : key_(&origin_key), scope_(std::move(scope)), seq_(last_seq), head_(last_head) {}

Status ChainBuilder::Append(crdt::Op* op) {
  if (op->key.scope != scope_) return InvalidArgument("op scope is not this chain's scope");
  if (op->erased) return InvalidArgument("a new op cannot be erased");
  op->origin = key_->node_id();
  op->seq = seq_ + 1;
  op->prev_hash = head_;
  op->body_hash = OpBodyHash(*op);
  head_ = OpHeaderHash(*op);
  ++seq_;
  return Status::Ok();
}

SignedHead ChainBuilder::SignHead() const {
  FULEI_CHECK(seq_ >= 1);
  SignedHead h{key_->node_id(), scope_, seq_, head_, {}};
  h.signature = key_->Sign(HeadMessage(h));
  return h;
}

Status VerifySignedHead(const Certificate& origin_cert, const SignedHead& head) {
  if (head.origin != origin_cert.node_id) {
    return Unauthenticated("signed head names another origin than the certificate");
  }
  if (!VerifySignature(origin_cert.signing_key, HeadMessage(head), head.signature)) {
    return Unauthenticated("chain head signature is not the origin's");
  }
  return Status::Ok();
}

Status VerifyChain(const Certificate& origin_cert, uint64_t prev_seq, const crdt::Hash& prev_head,
                   std::span<const crdt::Op> ops, const SignedHead& head) {
  if (ops.empty()) return InvalidArgument("empty batch");
  FULEI_RETURN_IF_ERROR(VerifySignedHead(origin_cert, head));
  crdt::Hash link = prev_head;
  uint64_t seq = prev_seq;
  for (const crdt::Op& op : ops) {
    if (op.origin != origin_cert.node_id) return Unauthenticated("op from another origin");
    if (op.key.scope != head.scope) return Unauthenticated("op from another scope");
    if (op.seq != seq + 1) return Unauthenticated("op sequence has a gap or is out of order");
    if (!internal::ConstantTimeEquals(op.prev_hash.data(), link.data(), link.size())) {
      return Unauthenticated("op " + std::to_string(op.seq) + " does not link to its predecessor");
    }
    if (op.erased) {
      if (!op.writes.empty()) return InvalidArgument("erased op still carries writes");
    } else {
      crdt::Hash body = OpBodyHash(op);
      if (!internal::ConstantTimeEquals(body.data(), op.body_hash.data(), body.size())) {
        return Unauthenticated("op " + std::to_string(op.seq) + " body does not match its hash");
      }
    }
    link = OpHeaderHash(op);
    seq = op.seq;
  }
  if (seq != head.seq ||
      !internal::ConstantTimeEquals(link.data(), head.head.data(), link.size())) {
    return Unauthenticated("batch does not end at the signed head");
  }
  return Status::Ok();
}

}  // namespace fulei::crypto
