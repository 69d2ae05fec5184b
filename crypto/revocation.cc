#include "crypto/revocation.h"

#include <algorithm>

#include "crypto/internal/bytes.h"

namespace fulei::crypto {
namespace {
constexpr std::string_view kMagic = "FLR1";
constexpr std::string_view kContext = "fulei-revocations-v1";
}  // namespace

Result<std::string> SignRevocationList(RevocationList list, const SigningKey& root) {
  std::sort(list.revoked.begin(), list.revoked.end());
  list.revoked.erase(std::unique(list.revoked.begin(), list.revoked.end()), list.revoked.end());
  if (list.version == 0) return InvalidArgument("revocation list: version must be >= 1");
  if (list.revoked.size() > kMaxRevokedNodes) return InvalidArgument("revocation list too long");
  std::string body(kMagic);
  internal::PutU64(body, list.version);
  internal::PutU64(body, list.issued_ms);
  internal::PutU32(body, static_cast<uint32_t>(list.revoked.size()));
  for (NodeId id : list.revoked) internal::PutU64(body, id);
  internal::PutArray(body, root.public_key());
  Signature sig = root.Sign(std::string(kContext) + body);
  internal::PutArray(body, sig);
  return body;
}

Result<uint64_t> PeekRevocationVersion(std::string_view bytes) {
  internal::Reader in(bytes);
  std::string_view magic;
  uint64_t version = 0;
  if (!in.Bytes(4, &magic) || magic != kMagic || !in.U64(&version)) {
    return Corruption("revocation list: malformed header");
  }
  return version;
}

Result<RevocationList> VerifyRevocationList(std::string_view bytes, const SigningPublicKey& root) {
  internal::Reader in(bytes);
  std::string_view magic;
  RevocationList list;
  uint32_t count = 0;
  if (!in.Bytes(4, &magic) || magic != kMagic || !in.U64(&list.version) ||
      !in.U64(&list.issued_ms) || !in.U32(&count) || count > kMaxRevokedNodes ||
      in.remaining() != size_t{count} * 8 + 32 + 64) {
    return Corruption("revocation list: malformed header");
  }
  list.revoked.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    uint64_t id = 0;
    (void)in.U64(&id);
    if (!list.revoked.empty() && id <= list.revoked.back()) {
      return Corruption("revocation list: ids not strictly ascending");
    }
    list.revoked.push_back(id);
  }
  SigningPublicKey issuer;
  Signature sig;
  (void)in.Array(&issuer);
  std::string_view signed_part = bytes.substr(0, bytes.size() - sig.size());
  (void)in.Array(&sig);
  if (list.version == 0) return Corruption("revocation list: version 0");
  if (!internal::ConstantTimeEquals(issuer.data(), root.data(), root.size()) ||
      !VerifySignature(root, std::string(kContext) + std::string(signed_part), sig)) {
    return Unauthenticated("revocation list: not signed by the root key");
  }
  return list;
}

}  // namespace fulei::crypto
