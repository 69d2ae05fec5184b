#include "crypto/erasure.h"

#include "crdt/org_unit.h"
#include "crypto/internal/bytes.h"

namespace fulei::crypto {
namespace {

constexpr std::string_view kMagic = "FLX1";
constexpr std::string_view kContext = "fulei-erasure-v1";

// Origin through erased_ms: what the signature covers after its context string.
void PutSigned(std::string& out, const ErasureAuthorisation& e) {
  internal::PutU64(out, e.origin);
  internal::PutU16(out, static_cast<uint16_t>(e.scope.size()));
  out.append(e.scope);
  internal::PutU64(out, e.seq);
  internal::PutArray(out, e.body_hash);
  internal::PutU64(out, e.signer);
  internal::PutU64(out, e.erased_ms);
}

std::string SignedMessage(const ErasureAuthorisation& e) {
  std::string m(kContext);
  PutSigned(m, e);
  return m;
}

}  // namespace

std::string EncodeErasure(const ErasureAuthorisation& e) {
  std::string out(kMagic);
  PutSigned(out, e);
  internal::PutU16(out, static_cast<uint16_t>(e.signer_chain.size()));
  out.append(e.signer_chain);
  internal::PutArray(out, e.signature);
  return out;
}

Result<ErasureAuthorisation> DecodeErasure(std::string_view bytes) {
  if (bytes.size() > crdt::kMaxErasureBytes) return Corruption("erasure authorisation: too long");
  internal::Reader in(bytes);
  std::string_view magic, scope, chain;
  uint16_t scope_len = 0, chain_len = 0;
  ErasureAuthorisation e;
  if (!in.Bytes(4, &magic) || magic != kMagic || !in.U64(&e.origin) || !in.U16(&scope_len) ||
      scope_len == 0 || scope_len > crdt::kMaxKeyPartBytes || !in.Bytes(scope_len, &scope) ||
      !in.U64(&e.seq) || !in.Array(&e.body_hash) || !in.U64(&e.signer) || !in.U64(&e.erased_ms) ||
      !in.U16(&chain_len) || !in.Bytes(chain_len, &chain) || !in.Array(&e.signature) ||
      !in.done()) {
    return Corruption("erasure authorisation: malformed");
  }
  e.scope = std::string(scope);
  e.signer_chain = std::string(chain);
  return e;
}

ErasureAuthorisation AuthoriseErasure(const crdt::Op& op, const SigningKey& signer,
                                      uint64_t erased_ms, std::string signer_chain) {
  ErasureAuthorisation e;
  e.scope = op.key.scope;
  e.origin = op.origin;
  e.seq = op.seq;
  e.body_hash = op.body_hash;
  e.signer = signer.node_id();
  e.erased_ms = erased_ms;
  e.signer_chain = std::move(signer_chain);
  e.signature = signer.Sign(SignedMessage(e));
  return e;
}

crdt::Op EraseOp(crdt::Op op, const ErasureAuthorisation& erasure) {
  op.erased = true;
  op.writes.clear();
  op.erasure = EncodeErasure(erasure);
  return op;
}

Status VerifyErasure(const crdt::Op& op, const Certificate& origin_cert, const TrustStore& trust) {
  if (!op.erased) return InvalidArgument("erasure: the op is not erased");
  const std::string what =
      "erased op " + std::to_string(op.seq) + " of origin " + std::to_string(op.origin) + ": ";
  if (op.erasure.empty()) {
    return Unauthenticated(what + "its body was removed without an erasure authorisation");
  }
  auto decoded = DecodeErasure(op.erasure);
  if (!decoded.ok()) return Unauthenticated(what + decoded.status().message());
  const ErasureAuthorisation& e = *decoded;
  if (e.scope != op.key.scope || e.origin != op.origin || e.seq != op.seq ||
      e.body_hash != op.body_hash) {
    return Unauthenticated(what + "the erasure authorisation names another op");
  }
  if (origin_cert.node_id != op.origin) {
    return InvalidArgument(what + "the certificate given is not the origin's");
  }
  const SigningPublicKey* key = nullptr;
  Certificate signer;
  if (e.signer == op.origin) {
    if (!e.signer_chain.empty()) {
      return Unauthenticated(what + "an origin's erasure carries a certificate chain");
    }
    key = &origin_cert.signing_key;
  } else {
    auto chain = DecodeChain(e.signer_chain);
    if (!chain.ok()) return Unauthenticated(what + "signer chain: " + chain.status().message());
    auto leaf = trust.VerifyChain(*chain, e.erased_ms);
    if (!leaf.ok()) return Unauthenticated(what + "signer chain: " + leaf.status().ToString());
    signer = *leaf;
    if (signer.node_id != e.signer) {
      return Unauthenticated(what + "the signer chain is another node's");
    }
    if (signer.role != Role::kCity || !crdt::IsAtOrBelow(op.key.scope, signer.org_unit)) {
      return Unauthenticated(what + "erased by '" + signer.org_unit + "' (" +
                             std::string(RoleName(signer.role)) +
                             "), neither the origin nor the city");
    }
    key = &signer.signing_key;
  }
  if (!VerifySignature(*key, SignedMessage(e), e.signature)) {
    return Unauthenticated(what + "the erasure authorisation's signature does not verify");
  }
  return Status::Ok();
}

}  // namespace fulei::crypto
