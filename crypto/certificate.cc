#include "crypto/certificate.h"

#include "crypto/internal/bytes.h"

namespace fulei::crypto {
namespace {

constexpr std::string_view kMagic = "FLC1";
constexpr std::string_view kContext = "fulei-cert-v1";
constexpr uint8_t kFlagCanIssue = 1;

Status ValidateTbs(const Certificate& c) {
  FULEI_RETURN_IF_ERROR(ValidateOrgUnit(c.org_unit));
  if (c.role != Role::kVillage && c.role != Role::kTown && c.role != Role::kCity) {
    return InvalidArgument("certificate: unknown role");
  }
  if (c.can_issue && c.role == Role::kVillage) {
    return InvalidArgument("certificate: a village cannot issue certificates");
  }
  if (c.not_before_ms > c.not_after_ms) return InvalidArgument("certificate: empty validity");
  if (c.node_id == 0 || c.node_id != NodeIdFromKey(c.signing_key)) {
    return InvalidArgument("certificate: node id does not match the signing key");
  }
  return Status::Ok();
}

void EncodeTbs(const Certificate& c, std::string& out) {
  out.append(kMagic);
  internal::PutU8(out, static_cast<uint8_t>(c.role));
  internal::PutU8(out, c.can_issue ? kFlagCanIssue : 0);
  internal::PutU64(out, c.node_id);
  internal::PutArray(out, c.signing_key);
  internal::PutArray(out, c.dh_key);
  internal::PutU64(out, c.not_before_ms);
  internal::PutU64(out, c.not_after_ms);
  internal::PutArray(out, c.issuer_key);
  internal::PutU8(out, static_cast<uint8_t>(c.org_unit.size()));
  out.append(c.org_unit);
}

}  // namespace

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kVillage:
      return "village";
    case Role::kTown:
      return "town";
    case Role::kCity:
      return "city";
  }
  return "unknown";
}

Status ValidateOrgUnit(std::string_view path) {
  if (path.empty() || path.size() > kMaxOrgUnitBytes) {
    return InvalidArgument("org unit: empty or longer than 255 bytes");
  }
  size_t segments = 0, seg_len = 0;
  for (size_t i = 0; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '/') {
      if (seg_len == 0 || seg_len > 32) return InvalidArgument("org unit: bad segment length");
      ++segments;
      seg_len = 0;
      continue;
    }
    char c = path[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return InvalidArgument("org unit: characters must be [a-z0-9_-]");
    ++seg_len;
  }
  if (segments > 8) return InvalidArgument("org unit: more than 8 segments");
  return Status::Ok();
}

std::string CertificateSignedBytes(const Certificate& cert) {
  std::string out(kContext);
  EncodeTbs(cert, out);
  return out;
}

std::string EncodeCertificate(const Certificate& cert) {
  std::string out;
  EncodeTbs(cert, out);
  internal::PutArray(out, cert.signature);
  return out;
}

Result<Certificate> DecodeCertificate(std::string_view bytes) {
  if (bytes.size() > kMaxCertificateBytes) return Corruption("certificate: too long");
  internal::Reader in(bytes);
  std::string_view magic;
  Certificate c;
  uint8_t role = 0, flags = 0, ou_len = 0;
  std::string_view ou;
  if (!in.Bytes(4, &magic) || magic != kMagic) return Corruption("certificate: bad magic");
  if (!in.U8(&role) || !in.U8(&flags) || !in.U64(&c.node_id) || !in.Array(&c.signing_key) ||
      !in.Array(&c.dh_key) || !in.U64(&c.not_before_ms) || !in.U64(&c.not_after_ms) ||
      !in.Array(&c.issuer_key) || !in.U8(&ou_len) || !in.Bytes(ou_len, &ou) ||
      !in.Array(&c.signature) || !in.done()) {
    return Corruption("certificate: truncated or trailing bytes");
  }
  if ((flags & ~kFlagCanIssue) != 0) return Corruption("certificate: reserved flag set");
  c.role = static_cast<Role>(role);
  c.can_issue = (flags & kFlagCanIssue) != 0;
  c.org_unit = std::string(ou);
  Status s = ValidateTbs(c);
  if (!s.ok()) return Corruption(s.message());
  return c;
}

Result<Certificate> IssueCertificate(Certificate tbs, const SigningKey& issuer) {
  FULEI_RETURN_IF_ERROR(ValidateTbs(tbs));
  tbs.issuer_key = issuer.public_key();
  tbs.signature = issuer.Sign(CertificateSignedBytes(tbs));
  return tbs;
}

std::string EncodeChain(const CertChain& chain) {
  std::string out;
  internal::PutU8(out, static_cast<uint8_t>(chain.size()));
  for (const Certificate& c : chain) {
    std::string enc = EncodeCertificate(c);
    internal::PutU16(out, static_cast<uint16_t>(enc.size()));
    out.append(enc);
  }
  return out;
}

Result<CertChain> DecodeChain(std::string_view bytes) {
  internal::Reader in(bytes);
  uint8_t n = 0;
  if (!in.U8(&n) || n == 0 || n > kMaxChainLength) return Corruption("chain: bad length");
  CertChain chain;
  for (uint8_t i = 0; i < n; ++i) {
    uint16_t len = 0;
    std::string_view enc;
    if (!in.U16(&len) || len > kMaxCertificateBytes || !in.Bytes(len, &enc)) {
      return Corruption("chain: truncated");
    }
    FULEI_ASSIGN_OR_RETURN(Certificate c, DecodeCertificate(enc));
    chain.push_back(std::move(c));
  }
  if (!in.done()) return Corruption("chain: trailing bytes");
  return chain;
}

}  // namespace fulei::crypto
