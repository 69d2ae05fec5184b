// Node certificates: a root (or a town the root allowed to issue) vouches that a node's keys
// belong to one org unit in one role for a validity window. Format: docs/crypto.md#certificates.
//
// The encoding is a fixed binary layout, canonical by construction (one field order, fixed-width
// big-endian integers, a length-bounded org unit, reserved bits zero), at most
// kMaxCertificateBytes long. DecodeCertificate reads untrusted bytes: it checks the layout and
// that node_id matches the signing key, but not the signature — TrustStore::VerifyChain does.
// Plain value types; thread-compatible.
#ifndef FULEI_CRYPTO_CERTIFICATE_H_
#define FULEI_CRYPTO_CERTIFICATE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crdt/status.h"
#include "crypto/noise.h"
#include "crypto/signing.h"

namespace fulei::crypto {

enum class Role : uint8_t { kVillage = 1, kTown = 2, kCity = 3 };
std::string_view RoleName(Role role);

struct Certificate {
  NodeId node_id = 0;
  Role role = Role::kVillage;
  bool can_issue = false;  // may sign certificates for org units strictly below its own
  SigningPublicKey signing_key{};
  noise::PublicKey dh_key{};  // the X25519 static key of the Noise channel
  std::string org_unit;       // "jinjiang/cizao/v012"
  uint64_t not_before_ms = 0;
  uint64_t not_after_ms = 0;  // inclusive
  SigningPublicKey issuer_key{};
  Signature signature{};

  friend bool operator==(const Certificate&, const Certificate&) = default;
};

inline constexpr size_t kMaxOrgUnitBytes = 255;
inline constexpr size_t kMaxCertificateBytes =
    4 + 2 + 8 + 32 + 32 + 8 + 8 + 32 + 1 + kMaxOrgUnitBytes + 64;
inline constexpr size_t kMaxChainLength = 3;  // leaf, town issuer, (city issuer)

// Org unit paths: 1..8 segments of [a-z0-9_-]{1,32} separated by '/', at most 255 bytes.
// Whether one lies at or below another: crdt::IsAtOrBelow (crdt/org_unit.h).
Status ValidateOrgUnit(std::string_view path);

// The bytes the issuer signs: "fulei-cert-v1" then the encoding without its signature.
std::string CertificateSignedBytes(const Certificate& cert);
std::string EncodeCertificate(const Certificate& cert);
Result<Certificate> DecodeCertificate(std::string_view bytes);

// Validates `tbs` (org unit, role, validity, node id) and signs it with `issuer`, setting
// issuer_key and signature. Does not check that `issuer` may issue for that org unit.
Result<Certificate> IssueCertificate(Certificate tbs, const SigningKey& issuer);

// A chain, leaf first, each certificate signed by the next and the last by the root.
using CertChain = std::vector<Certificate>;
std::string EncodeChain(const CertChain& chain);  // u8 count, then (u16 length, certificate)*
Result<CertChain> DecodeChain(std::string_view bytes);

}  // namespace fulei::crypto

#endif  // FULEI_CRYPTO_CERTIFICATE_H_
