// Revocation lists: encoding rules, the root-signature and version rules of
// TrustStore::InstallRevocations, and RevokesCertificate (a revoked issuing town revokes the
// villages it enrolled). Handshakes refused for a revoked peer are in channel_test.cc.
#include "crypto/revocation.h"

#include <gtest/gtest.h>

#include <string>

#include "crypto/trust.h"
#include "tests/crypto/pki_fixture.h"
#include "tests/support/status_matchers.h"

namespace fulei::crypto {
namespace {

using testing::kNow;
using testing::TestPki;

TEST(RevocationList, RoundTripSortsAndDeduplicates) {
  TestPki pki;
  auto bytes = SignRevocationList({7, kNow, {9, 3, 9, 5}}, pki.root());
  ASSERT_OK(bytes);
  auto list = VerifyRevocationList(*bytes, pki.root().public_key());
  ASSERT_OK(list);
  EXPECT_EQ(list->version, 7u);
  EXPECT_EQ(list->issued_ms, kNow);
  EXPECT_EQ(list->revoked, (std::vector<NodeId>{3, 5, 9}));
  EXPECT_EQ(SignRevocationList({0, kNow, {1}}, pki.root()).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(RevocationList, EveryBitFlipAndTruncationIsRefused) {
  TestPki pki;
  auto bytes = SignRevocationList({2, kNow, {11, 12}}, pki.root());
  ASSERT_OK(bytes);
  for (size_t i = 0; i < bytes->size() * 8; ++i) {
    std::string flipped = *bytes;
    flipped[i / 8] = static_cast<char>(flipped[i / 8] ^ (1 << (i % 8)));
    EXPECT_FALSE(VerifyRevocationList(flipped, pki.root().public_key()).ok()) << "bit " << i;
  }
  for (size_t n = 0; n < bytes->size(); ++n) {
    EXPECT_FALSE(VerifyRevocationList(bytes->substr(0, n), pki.root().public_key()).ok()) << n;
  }
  EXPECT_FALSE(VerifyRevocationList(*bytes + "x", pki.root().public_key()).ok());
}

TEST(RevocationList, PeekReadsTheClaimedVersionOnly) {
  TestPki pki(1), other(2);
  auto bytes = SignRevocationList({42, kNow, {1}}, other.root());
  ASSERT_OK(bytes);
  auto peeked = PeekRevocationVersion(*bytes);
  ASSERT_OK(peeked);
  EXPECT_EQ(*peeked, 42u);  // claimed, not verified: another root signed it
  EXPECT_EQ(VerifyRevocationList(*bytes, pki.root().public_key()).status().code(),
            StatusCode::kUnauthenticated);
  EXPECT_EQ(PeekRevocationVersion(bytes->substr(0, 11)).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(PeekRevocationVersion("FLC1" + bytes->substr(4)).status().code(),
            StatusCode::kCorruption);
}

TEST(RevocationList, AnotherRootsListIsUnauthenticated) {
  TestPki pki(1), other(2);
  auto bytes = SignRevocationList({5, kNow, {1}}, other.root());
  ASSERT_OK(bytes);
  EXPECT_EQ(VerifyRevocationList(*bytes, pki.root().public_key()).status().code(),
            StatusCode::kUnauthenticated);
  TrustStore trust = pki.Trust();
  EXPECT_EQ(trust.InstallRevocations(*bytes).code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(trust.revocation_version(), 0u);
  EXPECT_FALSE(trust.IsRevoked(1));
}

TEST(RevocationList, RevokedTownRevokesTheVillagesItEnrolled) {
  TestPki pki;
  auto town = pki.MakeNode("jinjiang/cizao", Role::kTown, nullptr, /*can_issue=*/true);
  auto village = pki.MakeNode("jinjiang/cizao/v001", Role::kVillage, &town);
  auto other = pki.MakeNode("jinjiang/chidian/v001", Role::kVillage);
  TrustStore trust = pki.Trust();
  EXPECT_FALSE(trust.RevokesCertificate(village.chain.front()));
  EXPECT_OK(trust.VerifyChain(village.chain, kNow));

  auto list = SignRevocationList({1, kNow, {town.id()}}, pki.root());
  ASSERT_OK(list);
  ASSERT_OK(trust.InstallRevocations(*list));
  EXPECT_TRUE(trust.RevokesCertificate(town.chain.front()));
  EXPECT_TRUE(trust.RevokesCertificate(village.chain.front()));  // through its issuer
  EXPECT_FALSE(trust.RevokesCertificate(other.chain.front()));   // root-issued, not listed
  EXPECT_EQ(trust.VerifyChain(village.chain, kNow).status().code(), StatusCode::kPermissionDenied);

  // A newer list without the town un-revokes it (the root decided so); an older one cannot.
  auto v2 = SignRevocationList({2, kNow, {other.id()}}, pki.root());
  ASSERT_OK(v2);
  ASSERT_OK(trust.InstallRevocations(*v2));
  EXPECT_FALSE(trust.RevokesCertificate(village.chain.front()));
  EXPECT_TRUE(trust.RevokesCertificate(other.chain.front()));
  EXPECT_EQ(trust.InstallRevocations(*list).code(), StatusCode::kAlreadyExists);
  EXPECT_TRUE(trust.RevokesCertificate(other.chain.front()));
}

TEST(RevocationList, InstallRefusesRollbackForgeryAndDamage) {
  TestPki pki;
  TestPki other(5);
  TrustStore trust = pki.Trust();
  auto v2 = SignRevocationList({2, kNow, {5, 3, 3}}, pki.root());
  auto v1 = SignRevocationList({1, kNow, {4}}, pki.root());
  auto forged = SignRevocationList({3, kNow, {}}, other.root());
  ASSERT_OK(v2);
  ASSERT_OK(v1);
  ASSERT_OK(forged);
  ASSERT_OK(trust.InstallRevocations(*v2));
  EXPECT_TRUE(trust.IsRevoked(3));
  EXPECT_TRUE(trust.IsRevoked(5));
  EXPECT_EQ(trust.InstallRevocations(*v1).code(), StatusCode::kAlreadyExists);  // no rollback
  EXPECT_EQ(trust.InstallRevocations(*v2).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(trust.InstallRevocations(*forged).code(), StatusCode::kUnauthenticated);
  std::string bad = *v2;
  bad[bad.size() - 70] ^= 1;  // inside the id list
  EXPECT_FALSE(trust.InstallRevocations(bad).ok());
  EXPECT_FALSE(trust.InstallRevocations(v2->substr(0, v2->size() - 1)).ok());
  EXPECT_EQ(trust.revocation_version(), 2u);
}

}  // namespace
}  // namespace fulei::crypto
