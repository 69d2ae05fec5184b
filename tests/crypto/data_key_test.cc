// Sealing at rest: Seal/Open, bad tags, associated data, rotation of data keys and of the
// key-encryption key without re-encrypting stored values.
#include "crypto/data_key.h"

#include <gtest/gtest.h>
#include <sodium.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <random>
#include <set>
#include <string>

#include "crypto/random.h"
#include "tests/crypto/test_util.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace fulei::crypto {
namespace {

using testing::kFastArgon2;

TEST(DataKeyTest, SealOpenRoundTrip) {
  DeterministicRandom random(1);
  DataKey k = DataKey::Generate(1, random);
  std::string sealed = k.Seal("王小明", "child/c-0001/name");
  EXPECT_EQ(sealed.size(), std::string("王小明").size() + kSealOverhead);
  EXPECT_EQ(sealed.find("王小明"), std::string::npos);
  auto open = k.Open(sealed, "child/c-0001/name");
  ASSERT_OK(open);
  EXPECT_EQ(*open, "王小明");
  EXPECT_NE(k.Seal("王小明", "ad"), k.Seal("王小明", "ad"));  // fresh nonce each time
  auto empty = k.Open(k.Seal("", ""), "");
  ASSERT_OK(empty);
  EXPECT_EQ(*empty, "");
}

// DataKey assembles ChaCha20-Poly1305 from libsodium's ChaCha20 and Poly1305 (one keystream
// pass, data_key.cc): the result must be libsodium's XChaCha20-Poly1305 byte for byte, both
// ways, at every plaintext length to 1,100 (each tail of a 64-, 256- and 512-byte run) and a few
// large ones, and with associated data of every length modulo 16.
TEST(DataKeyTest, IsLibsodiumXChaCha20Poly1305AtEveryLength) {
  Secret<32> key;
  for (size_t i = 0; i < key.size(); ++i) key.data()[i] = static_cast<uint8_t>(7 * i + 1);
  DataKey k = DataKey::FromBytes(9, key);
  std::mt19937 rng(5);
  auto random_bytes = [&](size_t n) {
    std::string s(n, '\0');
    for (auto& c : s) c = static_cast<char>(rng());
    return s;
  };
  auto u8 = [](const std::string& s) { return reinterpret_cast<const unsigned char*>(s.data()); };
  constexpr size_t kHead = 5, kNonceBytes = 24, kTagBytes = 16;
  std::vector<size_t> lengths;
  for (size_t len = 0; len <= 1100; ++len) lengths.push_back(len);
  for (size_t len : {size_t{65471}, size_t{65473}, size_t{300000}}) lengths.push_back(len);
  for (size_t len : lengths) {  // the last ones beyond the per-thread scratch
    SCOPED_TRACE("length " + std::to_string(len));
    const std::string plain = random_bytes(len);
    const std::string ad = random_bytes(len % 37);
    const std::string sealed = k.Seal(plain, ad);
    ASSERT_EQ(sealed.size(), len + kSealOverhead);
    const std::string full_ad = sealed.substr(0, kHead) + ad;  // version || key id || caller's
    const unsigned char* nonce = u8(sealed) + kHead;
    const unsigned char* ct = nonce + kNonceBytes;
    // libsodium opens what DataKey sealed.
    std::string opened(len, '\0');
    ASSERT_EQ(crypto_aead_xchacha20poly1305_ietf_decrypt_detached(
                  reinterpret_cast<unsigned char*>(opened.data()), nullptr, ct, len, ct + len,
                  u8(full_ad), full_ad.size(), nonce, key.data()),
              0)
        << "length " << len;
    EXPECT_EQ(opened, plain) << "length " << len;
    // libsodium, sealing with the same nonce, makes the same bytes.
    std::string theirs = sealed;
    auto* out = reinterpret_cast<unsigned char*>(theirs.data()) + kHead + kNonceBytes;
    crypto_aead_xchacha20poly1305_ietf_encrypt_detached(out, out + len, nullptr, u8(plain), len,
                                                        u8(full_ad), full_ad.size(), nullptr, nonce,
                                                        key.data());
    ASSERT_EQ(theirs, sealed) << "length " << len;
    // DataKey opens it, and refuses it with its tag or its last ciphertext byte flipped.
    ASSERT_OK_AND_ASSIGN(std::string back, k.Open(sealed, ad));
    EXPECT_EQ(back, plain);
    std::string bad_tag = sealed;
    bad_tag[sealed.size() - 1 - len % kTagBytes] ^= 0x10;
    EXPECT_EQ(k.Open(bad_tag, ad).status().code(), StatusCode::kCorruption) << len;
    if (len > 0) {
      std::string bad_ct = sealed;
      bad_ct[kHead + kNonceBytes + len - 1] ^= 0x01;
      EXPECT_EQ(k.Open(bad_ct, ad).status().code(), StatusCode::kCorruption) << len;
    }
  }
}

TEST(DataKeyTest, EveryBitFlipWrongAdAndTruncationRejected) {
  DeterministicRandom random(2);
  DataKey k = DataKey::Generate(7, random);
  std::string sealed = k.Seal("case note", "ad");
  for (size_t bit = 0; bit < sealed.size() * 8; ++bit) {
    std::string t = sealed;
    t[bit / 8] = static_cast<char>(t[bit / 8] ^ (1 << (bit % 8)));
    EXPECT_FALSE(k.Open(t, "ad").ok()) << "bit " << bit;
  }
  // Flips in the body give kCorruption (the tag), not some other code.
  std::string t = sealed;
  t[sealed.size() - 1] ^= 1;
  EXPECT_EQ(k.Open(t, "ad").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(k.Open(sealed, "ae").status().code(), StatusCode::kCorruption);
  for (size_t len = 0; len < sealed.size(); ++len) {
    EXPECT_FALSE(k.Open(sealed.substr(0, len), "ad").ok()) << "len " << len;
  }
  DataKey other = DataKey::Generate(7, random);
  EXPECT_EQ(other.Open(sealed, "ad").status().code(), StatusCode::kCorruption);
}

TEST(KeyRingTest, RotationKeepsOldValuesReadable) {
  DeterministicRandom random(3);
  KeyRing ring = KeyRing::Create(random);
  EXPECT_EQ(ring.current_id(), 1u);
  std::string old_value = ring.Seal("old", "f");
  EXPECT_EQ(*SealedKeyId(old_value), 1u);
  EXPECT_EQ(ring.Rotate(random), 2u);
  std::string new_value = ring.Seal("new", "f");
  EXPECT_EQ(*SealedKeyId(new_value), 2u);
  EXPECT_EQ(*ring.Open(old_value, "f"), "old");
  EXPECT_EQ(*ring.Open(new_value, "f"), "new");
  std::string unknown = new_value;
  unknown[4] = 9;  // key id 9
  EXPECT_EQ(ring.Open(unknown, "f").status().code(), StatusCode::kNotFound);
}

TEST(KeyRingTest, RewrapUnderNewPassphraseWithoutReencrypting) {
  fulei::testing::TempDir tmp;
  const std::filesystem::path dir = tmp.path();
  DeterministicRandom random(4);
  KeyRing ring = KeyRing::Create(random);
  ring.Rotate(random);
  std::string v1 = ring.Seal("value", "ad");
  ASSERT_OK(ring.Save(dir, KeyProtection::Passphrase("first", kFastArgon2), random));
  auto loaded = KeyRing::Load(dir, KeyProtection::Passphrase("first"));
  ASSERT_OK(loaded);
  EXPECT_EQ(*loaded->Open(v1, "ad"), "value");
  // Rotate the key-encryption key: only data.keys is rewritten.
  ASSERT_OK(loaded->Save(dir, KeyProtection::Passphrase("second", kFastArgon2), random));
  EXPECT_EQ(KeyRing::Load(dir, KeyProtection::Passphrase("first")).status().code(),
            StatusCode::kUnauthenticated);
  auto again = KeyRing::Load(dir, KeyProtection::Passphrase("second"));
  ASSERT_OK(again);
  EXPECT_EQ(*again->Open(v1, "ad"), "value");
  EXPECT_EQ(again->size(), 2u);
  EXPECT_EQ(again->current_id(), 2u);
  // A key-file key works the same way.
  Secret<32> kek;
  random.Fill(kek.data(), kek.size());
  auto wrapped = again->Wrap(KeyProtection::KeyFile(kek.Clone()), random);
  ASSERT_OK(wrapped);
  auto unwrapped = KeyRing::Unwrap(wrapped->view(), KeyProtection::KeyFile(kek.Clone()));
  ASSERT_OK(unwrapped);
  EXPECT_EQ(*unwrapped->Open(v1, "ad"), "value");
}

// Nonces are prefix (16 random bytes per DataKey) || counter: never repeated within one key
// instance, nor between two instances of one key, nor across fork() (crash tests fork writers).
std::string NonceOf(const std::string& sealed) { return sealed.substr(5, 24); }

TEST(DataKeyTest, NoncesNeverRepeat) {
  DeterministicRandom random(11);
  DataKey k = DataKey::Generate(1, random);
  DataKey twin = DataKey::FromBytes(1, k.key());  // the same key, as after a restart
  std::set<std::string> nonces;
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(nonces.insert(NonceOf(k.Seal("v", "ad"))).second);
    ASSERT_TRUE(nonces.insert(NonceOf(twin.Seal("v", "ad"))).second);
  }
  std::string a = k.Seal("v", "ad"), b = k.Seal("v", "ad");
  EXPECT_EQ(NonceOf(a).substr(0, 16), NonceOf(b).substr(0, 16));  // one prefix per instance
  EXPECT_NE(NonceOf(a).substr(0, 16), NonceOf(twin.Seal("v", "ad")).substr(0, 16));
  // Values sealed by either instance open under the other (plain XChaCha20-Poly1305).
  auto opened = twin.Open(a, "ad");
  ASSERT_OK(opened);
  EXPECT_EQ(*opened, "v");
  // A moved DataKey keeps counting from where it was.
  DataKey moved = std::move(k);
  EXPECT_TRUE(nonces.insert(NonceOf(moved.Seal("v", "ad"))).second);
}

TEST(DataKeyTest, ForkedChildDrawsItsOwnNoncePrefix) {
  DeterministicRandom random(12);
  DataKey k = DataKey::Generate(1, random);
  std::string before = NonceOf(k.Seal("v", "ad"));
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    std::string child = NonceOf(k.Seal("v", "ad"));
    ssize_t n = ::write(fds[1], child.data(), child.size());
    ::_exit(n == static_cast<ssize_t>(child.size()) ? 0 : 1);
  }
  ::close(fds[1]);
  std::string parent = NonceOf(k.Seal("v", "ad"));
  std::string child(24, '\0');
  ASSERT_EQ(::read(fds[0], child.data(), child.size()), 24);
  ::close(fds[0]);
  int wstatus = 0;
  ASSERT_EQ(::waitpid(pid, &wstatus, 0), pid);
  ASSERT_TRUE(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0);
  EXPECT_NE(child, parent);  // same counter value, different prefix
  EXPECT_NE(child.substr(0, 16), before.substr(0, 16));
  EXPECT_EQ(parent.substr(0, 16), before.substr(0, 16));
}

}  // namespace
}  // namespace fulei::crypto
