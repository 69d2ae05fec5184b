// TrustStore::VerifyChain's issuing rules (crypto/trust.h): who may certify whom. The hostile
// channel tests (channel_test.cc) cover the same rules through a handshake; these check the
// chain rule itself, one property each.
#include "crypto/trust.h"

#include <gtest/gtest.h>

#include "tests/crypto/pki_fixture.h"
#include "tests/support/status_matchers.h"

namespace fulei::crypto {
namespace {

using testing::kNow;
using testing::TestNode;
using testing::TestPki;

class TrustTest : public ::testing::Test {
 protected:
  TestPki pki_{21};
  TrustStore trust_ = pki_.Trust();
  TestNode town_ = pki_.MakeNode("jinjiang/cizao", Role::kTown, nullptr, /*can_issue=*/true);
};

TEST_F(TrustTest, TownEnrolsAVillageOfItsSubtree) {
  TestNode village = pki_.MakeNode("jinjiang/cizao/v012", Role::kVillage, &town_);
  ASSERT_OK_AND_ASSIGN(Certificate leaf, trust_.VerifyChain(village.chain, kNow));
  EXPECT_EQ(leaf.node_id, village.id());
}

// Defect 8 of issue 14: a town allowed to issue could certify a node of its own subtree as a
// town (or the city): the chain rule checked the org unit and can_issue, never the role. Such a
// node would then pass every peer's expectation of an upstream ("a town in jinjiang/cizao").
TEST_F(TrustTest, TownCannotMintATownCertificate) {
  TestNode minted = pki_.MakeNode("jinjiang/cizao/v003", Role::kTown, &town_);
  auto verified = trust_.VerifyChain(minted.chain, kNow);
  EXPECT_EQ(verified.status().code(), StatusCode::kUnauthenticated) << verified.status().ToString();
}

TEST_F(TrustTest, TownCannotMintACityCertificate) {
  TestNode minted = pki_.MakeNode("jinjiang/cizao/v003", Role::kCity, &town_);
  EXPECT_EQ(trust_.VerifyChain(minted.chain, kNow).status().code(), StatusCode::kUnauthenticated);
}

// The rule is by role, not by who the issuer is: a city certificate allowed to issue (the root
// may grant it) certifies towns and villages below it, never another city.
TEST_F(TrustTest, IssuerCertifiesOnlyRolesBelowItsOwn) {
  TestNode city = pki_.MakeNode("jinjiang", Role::kCity, nullptr, /*can_issue=*/true);
  EXPECT_OK(trust_.VerifyChain(pki_.MakeNode("jinjiang/anhai", Role::kTown, &city).chain, kNow));
  EXPECT_OK(
      trust_.VerifyChain(pki_.MakeNode("jinjiang/anhai/v1", Role::kVillage, &city).chain, kNow));
  EXPECT_EQ(trust_.VerifyChain(pki_.MakeNode("jinjiang/anhai", Role::kCity, &city).chain, kNow)
                .status()
                .code(),
            StatusCode::kUnauthenticated);
}

TEST_F(TrustTest, RootCertifiesEveryRole) {
  for (Role role : {Role::kVillage, Role::kTown, Role::kCity}) {
    auto verified = trust_.VerifyChain(pki_.MakeNode("jinjiang/x", role).chain, kNow);
    EXPECT_TRUE(verified.ok()) << RoleName(role) << ": " << verified.status().ToString();
  }
}

TEST(RoleIsBelow, OrdersVillageTownCity) {
  EXPECT_TRUE(RoleIsBelow(Role::kVillage, Role::kTown));
  EXPECT_TRUE(RoleIsBelow(Role::kTown, Role::kCity));
  EXPECT_TRUE(RoleIsBelow(Role::kVillage, Role::kCity));
  EXPECT_FALSE(RoleIsBelow(Role::kTown, Role::kTown));
  EXPECT_FALSE(RoleIsBelow(Role::kCity, Role::kTown));
  EXPECT_FALSE(RoleIsBelow(Role::kVillage, Role::kVillage));
}

}  // namespace
}  // namespace fulei::crypto
