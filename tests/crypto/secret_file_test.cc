// Secret files (crypto/secret_file.cc): reading refuses loose permissions, damaged bytes and a
// file of another purpose; a tampered argon2id cost is bounded, not obeyed; the Pi defaults.
#include "crypto/secret_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "crypto/identity.h"
#include "crypto/random.h"
#include "tests/crypto/test_util.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace fulei::crypto {
namespace {

namespace fs = std::filesystem;
using testing::kFastArgon2;

class SecretFileTest : public ::testing::Test {
 protected:
  fulei::testing::TempDir tmp_;
  const fs::path dir_{tmp_.path()};
  DeterministicRandom random_{42};
};

TEST_F(SecretFileTest, LoosePermissionsRefused) {
  NodeIdentity id = NodeIdentity::Generate(random_);
  ASSERT_OK(id.Save(dir_, KeyProtection::None(), random_));
  fs::permissions(dir_ / kIdentityFileName, fs::perms::group_read, fs::perm_options::add);
  EXPECT_EQ(NodeIdentity::Load(dir_, KeyProtection::None()).status().code(),
            StatusCode::kPermissionDenied);
}

TEST_F(SecretFileTest, MissingAndDamagedFiles) {
  EXPECT_EQ(NodeIdentity::Load(dir_, KeyProtection::None()).status().code(), StatusCode::kNotFound);
  for (bool passphrase : {false, true}) {
    KeyProtection p =
        passphrase ? KeyProtection::Passphrase("pw", kFastArgon2) : KeyProtection::None();
    auto content = SealSecret("node-identity", std::string(64, 'k'), p, random_);
    ASSERT_OK(content);
    for (size_t i = 0; i < content->size(); ++i) {
      std::string t(content->view());
      t[i] ^= 0x01;
      auto r = OpenSecret("node-identity", t, p);
      EXPECT_FALSE(r.ok()) << "byte " << i << " passphrase=" << passphrase;
    }
    auto r = OpenSecret("node-identity", content->view().substr(0, content->size() - 1), p);
    EXPECT_FALSE(r.ok());
    // A file of another purpose is not accepted as an identity.
    EXPECT_EQ(OpenSecret("data-keys", content->view(), p).status().code(),
              StatusCode::kFailedPrecondition);
  }
}

TEST_F(SecretFileTest, TamperedArgonCostIsBoundedNotObeyed) {
  auto content =
      SealSecret("node-identity", "secret", KeyProtection::Passphrase("pw", kFastArgon2), random_);
  ASSERT_OK(content);
  // Header: "FLS1" kind plen purpose(13) ops(4) mem_kib(4): set mem to 4 GiB.
  std::string t(content->view());
  size_t mem_at = 4 + 1 + 1 + 13 + 4;
  t[mem_at] = '\x00';
  t[mem_at + 1] = '\x40';
  t[mem_at + 2] = '\x00';
  t[mem_at + 3] = '\x00';
  EXPECT_EQ(OpenSecret("node-identity", t, KeyProtection::Passphrase("pw")).status().code(),
            StatusCode::kCorruption);
}

TEST_F(SecretFileTest, PiParametersWork) {
  // The documented default: argon2id, 64 MiB, 3 passes.
  Argon2Params pi;
  EXPECT_EQ(pi.memlimit_bytes, 64u << 20);
  EXPECT_EQ(pi.opslimit, 3u);
  auto content = SealSecret("node-identity", "s", KeyProtection::Passphrase("pw"), random_);
  ASSERT_OK(content);
  auto back = OpenSecret("node-identity", content->view(), KeyProtection::Passphrase("pw"));
  ASSERT_OK(back);
  EXPECT_EQ(back->view(), "s");
}

}  // namespace
}  // namespace fulei::crypto
