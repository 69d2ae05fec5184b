#include "crypto/identity.h"

#include <cstring>

namespace fulei::crypto {
namespace {
constexpr std::string_view kPurpose = "node-identity";
}

NodeIdentity NodeIdentity::Generate(Random& random) {
  return NodeIdentity(SigningKey::Generate(random), noise::KeyPair::Generate(random));
}

Status NodeIdentity::Save(const std::filesystem::path& data_dir, const KeyProtection& protection,
                          Random& random) const {
  std::filesystem::path path = data_dir / kIdentityFileName;
  Secret<64> secret;
  std::memcpy(secret.data(), signing_.seed().data(), 32);
  std::memcpy(secret.data() + 32, dh_.private_key.data(), 32);
  return WriteSecretFile(
      path, kPurpose, std::string_view(reinterpret_cast<const char*>(secret.data()), secret.size()),
      protection, random, WriteMode::kCreateNew);
}

Result<NodeIdentity> NodeIdentity::Load(const std::filesystem::path& data_dir,
                                        const KeyProtection& protection) {
  FULEI_ASSIGN_OR_RETURN(SecretString secret,
                         ReadSecretFile(data_dir / kIdentityFileName, kPurpose, protection));
  if (secret.size() != 64) return Corruption("node.key: wrong length");
  const auto* p = reinterpret_cast<const uint8_t*>(secret.view().data());
  FULEI_ASSIGN_OR_RETURN(SigningKey signing, SigningKey::FromSeed(Secret<32>::FromBytes(p)));
  return NodeIdentity(std::move(signing), noise::KeyPair::FromPrivate(p + 32));
}

Result<Certificate> CertifyNode(const NodeIdentity& node, Role role, std::string_view org_unit,
                                uint64_t not_before_ms, uint64_t not_after_ms,
                                const SigningKey& issuer, bool can_issue) {
  Certificate tbs;
  tbs.node_id = node.node_id();
  tbs.role = role;
  tbs.can_issue = can_issue;
  tbs.signing_key = node.signing_key().public_key();
  tbs.dh_key = node.dh_key().public_key;
  tbs.org_unit = std::string(org_unit);
  tbs.not_before_ms = not_before_ms;
  tbs.not_after_ms = not_after_ms;
  return IssueCertificate(std::move(tbs), issuer);
}

Status SaveRootKey(const std::filesystem::path& path, const SigningKey& root,
                   const KeyProtection& protection, Random& random) {
  return WriteSecretFile(
      path, "root-key",
      std::string_view(reinterpret_cast<const char*>(root.seed().data()), root.seed().size()),
      protection, random, WriteMode::kCreateNew);
}

Result<SigningKey> LoadRootKey(const std::filesystem::path& path, const KeyProtection& protection) {
  FULEI_ASSIGN_OR_RETURN(SecretString seed, ReadSecretFile(path, "root-key", protection));
  if (seed.size() != 32) return Corruption("root key file: wrong length");
  return SigningKey::FromSeed(
      Secret<32>::FromBytes(reinterpret_cast<const uint8_t*>(seed.view().data())));
}

}  // namespace fulei::crypto
