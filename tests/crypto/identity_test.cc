// Node identities and the root key on disk (crypto/identity.cc): round trips under each
// protection with 0600 permissions, clean failures for a wrong passphrase or key, never an
// overwrite; node ids derived from the signing key; CertifyNode. The secret file format under
// them is tested in secret_file_test.cc.
#include "crypto/identity.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "crypto/certificate.h"
#include "crypto/random.h"
#include "crypto/secret_file.h"
#include "crypto/trust.h"
#include "tests/crypto/test_util.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace fulei::crypto {
namespace {

namespace fs = std::filesystem;
using testing::kFastArgon2;

class IdentityTest : public ::testing::Test {
 protected:
  static mode_t Mode(const fs::path& p) {
    struct stat st;
    EXPECT_EQ(::stat(p.c_str(), &st), 0);
    return st.st_mode & 0777;
  }

  fulei::testing::TempDir tmp_;
  const fs::path dir_{tmp_.path()};
  DeterministicRandom random_{42};
};

TEST_F(IdentityTest, IdentityRoundTripsUnprotectedWith0600) {
  NodeIdentity id = NodeIdentity::Generate(random_);
  ::umask(022);
  ASSERT_OK(id.Save(dir_, KeyProtection::None(), random_));
  EXPECT_EQ(Mode(dir_ / kIdentityFileName), 0600u);
  auto loaded = NodeIdentity::Load(dir_, KeyProtection::None());
  ASSERT_OK(loaded);
  EXPECT_EQ(loaded->node_id(), id.node_id());
  EXPECT_NE(loaded->node_id(), 0u);
  EXPECT_EQ(loaded->signing_key().public_key(), id.signing_key().public_key());
  EXPECT_EQ(loaded->dh_key().public_key, id.dh_key().public_key);
  EXPECT_EQ(loaded->signing_key().Sign("m"), id.signing_key().Sign("m"));
  // Never overwritten by accident.
  NodeIdentity other = NodeIdentity::Generate(random_);
  EXPECT_EQ(other.Save(dir_, KeyProtection::None(), random_).code(), StatusCode::kAlreadyExists);
}

TEST_F(IdentityTest, PassphraseProtectedIdentity) {
  NodeIdentity id = NodeIdentity::Generate(random_);
  ASSERT_OK(id.Save(dir_, KeyProtection::Passphrase("correct horse", kFastArgon2), random_));
  EXPECT_EQ(Mode(dir_ / kIdentityFileName), 0600u);
  auto ok = NodeIdentity::Load(dir_, KeyProtection::Passphrase("correct horse"));
  ASSERT_OK(ok);
  EXPECT_EQ(ok->node_id(), id.node_id());
  auto wrong = NodeIdentity::Load(dir_, KeyProtection::Passphrase("correct hose"));
  EXPECT_EQ(wrong.status().code(), StatusCode::kUnauthenticated);
  auto none = NodeIdentity::Load(dir_, KeyProtection::None());
  EXPECT_EQ(none.status().code(), StatusCode::kFailedPrecondition);
  // The file holds no plaintext key material.
  std::ifstream in(dir_ / kIdentityFileName, std::ios::binary);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string seed(reinterpret_cast<const char*>(id.signing_key().seed().data()), 32);
  EXPECT_EQ(content.find(seed), std::string::npos);
}

TEST_F(IdentityTest, KeyFileProtectedIdentity) {
  ASSERT_OK(CreateKeyFile(dir_ / "kek", random_));
  EXPECT_EQ(Mode(dir_ / "kek"), 0600u);
  auto kek = ReadKeyFile(dir_ / "kek");
  ASSERT_OK(kek);
  NodeIdentity id = NodeIdentity::Generate(random_);
  ASSERT_OK(id.Save(dir_, KeyProtection::KeyFile(kek->Clone()), random_));
  auto loaded = NodeIdentity::Load(dir_, KeyProtection::KeyFile(kek->Clone()));
  ASSERT_OK(loaded);
  EXPECT_EQ(loaded->node_id(), id.node_id());
  Secret<32> other;
  other.data()[0] = 1;
  EXPECT_EQ(NodeIdentity::Load(dir_, KeyProtection::KeyFile(std::move(other))).status().code(),
            StatusCode::kUnauthenticated);
}

TEST_F(IdentityTest, RootKeyRoundTripsAndIsNotAnIdentity) {
  SigningKey root = SigningKey::Generate(random_);
  fs::path path = dir_ / "root.key";
  ASSERT_OK(SaveRootKey(path, root, KeyProtection::Passphrase("city", kFastArgon2), random_));
  EXPECT_EQ(Mode(path), 0600u);
  auto loaded = LoadRootKey(path, KeyProtection::Passphrase("city"));
  ASSERT_OK(loaded);
  EXPECT_EQ(loaded->public_key(), root.public_key());
  EXPECT_EQ(LoadRootKey(path, KeyProtection::Passphrase("town")).status().code(),
            StatusCode::kUnauthenticated);
  EXPECT_EQ(SaveRootKey(path, root, KeyProtection::None(), random_).code(),
            StatusCode::kAlreadyExists);
  // A node identity file is not accepted as a root key, and vice versa.
  NodeIdentity id = NodeIdentity::Generate(random_);
  ASSERT_OK(id.Save(dir_, KeyProtection::Passphrase("city", kFastArgon2), random_));
  EXPECT_EQ(
      LoadRootKey(dir_ / kIdentityFileName, KeyProtection::Passphrase("city")).status().code(),
      StatusCode::kFailedPrecondition);
}

TEST_F(IdentityTest, NodeIdIsDerivedFromTheSigningKeyAndNeverZero) {
  NodeIdentity a = NodeIdentity::Generate(random_);
  NodeIdentity b = NodeIdentity::Generate(random_);
  EXPECT_NE(a.node_id(), 0u);
  EXPECT_NE(a.node_id(), b.node_id());
  EXPECT_EQ(a.node_id(), NodeIdFromKey(a.signing_key().public_key()));
}

TEST_F(IdentityTest, CertifyNodeBindsBothKeysToTheUnitAndRole) {
  SigningKey root = SigningKey::Generate(random_);
  NodeIdentity town = NodeIdentity::Generate(random_);
  ASSERT_OK_AND_ASSIGN(Certificate cert, CertifyNode(town, Role::kTown, "jinjiang/cizao", 10, 20,
                                                     root, /*can_issue=*/true));
  EXPECT_EQ(cert.node_id, town.node_id());
  EXPECT_EQ(cert.signing_key, town.signing_key().public_key());
  EXPECT_EQ(cert.dh_key, town.dh_key().public_key);
  EXPECT_EQ(cert.org_unit, "jinjiang/cizao");
  EXPECT_EQ(cert.role, Role::kTown);
  EXPECT_TRUE(cert.can_issue);
  EXPECT_EQ(cert.not_before_ms, 10u);
  EXPECT_EQ(cert.not_after_ms, 20u);
  EXPECT_EQ(cert.issuer_key, root.public_key());
  TrustStore trust(root.public_key());
  EXPECT_OK(trust.VerifyChain({cert}, 15));
  // Issuing is off unless asked for; the refusals are IssueCertificate's.
  NodeIdentity village = NodeIdentity::Generate(random_);
  ASSERT_OK_AND_ASSIGN(Certificate plain,
                       CertifyNode(village, Role::kVillage, "jinjiang/cizao/v012", 10, 20, root));
  EXPECT_FALSE(plain.can_issue);
  EXPECT_EQ(CertifyNode(village, Role::kVillage, "jinjiang/cizao/v012", 10, 20, root, true)
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(
      CertifyNode(village, Role::kVillage, "jinjiang/cizao/v012", 21, 20, root).status().code(),
      StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace fulei::crypto
