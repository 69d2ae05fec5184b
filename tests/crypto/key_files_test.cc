// Node identity and secret files on disk: 0600 permissions, passphrase (argon2id) and key-file
// protection, clean failures for a wrong passphrase, loose permissions or damaged files.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "crypto/identity.h"
#include "crypto/secret_file.h"
#include "tests/crypto/test_util.h"

namespace fulei::crypto {
namespace {

namespace fs = std::filesystem;
using testing::SeededRandom;

// Cheap argon2id for tests; the Pi defaults are exercised once in PiParametersWork.
constexpr Argon2Params kFast{1, 64 << 10};

class KeyFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("fulei-keys-" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static mode_t Mode(const fs::path& p) {
    struct stat st;
    EXPECT_EQ(::stat(p.c_str(), &st), 0);
    return st.st_mode & 0777;
  }

  fs::path dir_;
  SeededRandom random_{42};
};

TEST_F(KeyFilesTest, IdentityRoundTripsUnprotectedWith0600) {
  NodeIdentity id = NodeIdentity::Generate(random_);
  ::umask(022);
  ASSERT_TRUE(id.Save(dir_, KeyProtection::None(), random_).ok());
  EXPECT_EQ(Mode(dir_ / kIdentityFileName), 0600u);
  auto loaded = NodeIdentity::Load(dir_, KeyProtection::None());
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->node_id(), id.node_id());
  EXPECT_NE(loaded->node_id(), 0u);
  EXPECT_EQ(loaded->signing_key().public_key(), id.signing_key().public_key());
  EXPECT_EQ(loaded->dh_key().public_key, id.dh_key().public_key);
  EXPECT_EQ(loaded->signing_key().Sign("m"), id.signing_key().Sign("m"));
  // Never overwritten by accident.
  NodeIdentity other = NodeIdentity::Generate(random_);
  EXPECT_EQ(other.Save(dir_, KeyProtection::None(), random_).code(), StatusCode::kAlreadyExists);
}

TEST_F(KeyFilesTest, PassphraseProtectedIdentity) {
  NodeIdentity id = NodeIdentity::Generate(random_);
  ASSERT_TRUE(id.Save(dir_, KeyProtection::Passphrase("correct horse", kFast), random_).ok());
  EXPECT_EQ(Mode(dir_ / kIdentityFileName), 0600u);
  auto ok = NodeIdentity::Load(dir_, KeyProtection::Passphrase("correct horse"));
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
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

TEST_F(KeyFilesTest, KeyFileProtectedIdentity) {
  ASSERT_TRUE(CreateKeyFile(dir_ / "kek", random_).ok());
  EXPECT_EQ(Mode(dir_ / "kek"), 0600u);
  auto kek = ReadKeyFile(dir_ / "kek");
  ASSERT_TRUE(kek.ok());
  NodeIdentity id = NodeIdentity::Generate(random_);
  ASSERT_TRUE(id.Save(dir_, KeyProtection::KeyFile(kek->Clone()), random_).ok());
  auto loaded = NodeIdentity::Load(dir_, KeyProtection::KeyFile(kek->Clone()));
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->node_id(), id.node_id());
  Secret<32> other;
  other.data()[0] = 1;
  EXPECT_EQ(NodeIdentity::Load(dir_, KeyProtection::KeyFile(std::move(other))).status().code(),
            StatusCode::kUnauthenticated);
}

TEST_F(KeyFilesTest, RootKeyRoundTripsAndIsNotAnIdentity) {
  SigningKey root = SigningKey::Generate(random_);
  fs::path path = dir_ / "root.key";
  ASSERT_TRUE(SaveRootKey(path, root, KeyProtection::Passphrase("city", kFast), random_).ok());
  EXPECT_EQ(Mode(path), 0600u);
  auto loaded = LoadRootKey(path, KeyProtection::Passphrase("city"));
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->public_key(), root.public_key());
  EXPECT_EQ(LoadRootKey(path, KeyProtection::Passphrase("town")).status().code(),
            StatusCode::kUnauthenticated);
  EXPECT_EQ(SaveRootKey(path, root, KeyProtection::None(), random_).code(),
            StatusCode::kAlreadyExists);
  // A node identity file is not accepted as a root key, and vice versa.
  NodeIdentity id = NodeIdentity::Generate(random_);
  ASSERT_TRUE(id.Save(dir_, KeyProtection::Passphrase("city", kFast), random_).ok());
  EXPECT_EQ(
      LoadRootKey(dir_ / kIdentityFileName, KeyProtection::Passphrase("city")).status().code(),
      StatusCode::kFailedPrecondition);
}

TEST_F(KeyFilesTest, LoosePermissionsRefused) {
  NodeIdentity id = NodeIdentity::Generate(random_);
  ASSERT_TRUE(id.Save(dir_, KeyProtection::None(), random_).ok());
  fs::permissions(dir_ / kIdentityFileName, fs::perms::group_read, fs::perm_options::add);
  EXPECT_EQ(NodeIdentity::Load(dir_, KeyProtection::None()).status().code(),
            StatusCode::kPermissionDenied);
}

TEST_F(KeyFilesTest, MissingAndDamagedFiles) {
  EXPECT_EQ(NodeIdentity::Load(dir_, KeyProtection::None()).status().code(), StatusCode::kNotFound);
  for (bool passphrase : {false, true}) {
    KeyProtection p = passphrase ? KeyProtection::Passphrase("pw", kFast) : KeyProtection::None();
    auto content = SealSecret("node-identity", std::string(64, 'k'), p, random_);
    ASSERT_TRUE(content.ok());
    for (size_t i = 0; i < content->size(); ++i) {
      std::string t = *content;
      t[i] ^= 0x01;
      auto r = OpenSecret("node-identity", t, p);
      EXPECT_FALSE(r.ok()) << "byte " << i << " passphrase=" << passphrase;
    }
    auto r = OpenSecret("node-identity", content->substr(0, content->size() - 1), p);
    EXPECT_FALSE(r.ok());
    // A file of another purpose is not accepted as an identity.
    EXPECT_EQ(OpenSecret("data-keys", *content, p).status().code(),
              StatusCode::kFailedPrecondition);
  }
}

TEST_F(KeyFilesTest, TamperedArgonCostIsBoundedNotObeyed) {
  auto content =
      SealSecret("node-identity", "secret", KeyProtection::Passphrase("pw", kFast), random_);
  ASSERT_TRUE(content.ok());
  // Header: "FLS1" kind plen purpose(13) ops(4) mem_kib(4): set mem to 4 GiB.
  std::string t = *content;
  size_t mem_at = 4 + 1 + 1 + 13 + 4;
  t[mem_at] = '\x00';
  t[mem_at + 1] = '\x40';
  t[mem_at + 2] = '\x00';
  t[mem_at + 3] = '\x00';
  EXPECT_EQ(OpenSecret("node-identity", t, KeyProtection::Passphrase("pw")).status().code(),
            StatusCode::kCorruption);
}

TEST_F(KeyFilesTest, PiParametersWork) {
  // The documented default: argon2id, 64 MiB, 3 passes.
  Argon2Params pi;
  EXPECT_EQ(pi.memlimit_bytes, 64u << 20);
  EXPECT_EQ(pi.opslimit, 3u);
  auto content = SealSecret("node-identity", "s", KeyProtection::Passphrase("pw"), random_);
  ASSERT_TRUE(content.ok());
  auto back = OpenSecret("node-identity", *content, KeyProtection::Passphrase("pw"));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->view(), "s");
}

}  // namespace
}  // namespace fulei::crypto
