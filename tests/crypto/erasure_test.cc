// Erasure authorisations (crypto/erasure.h): the origin or a city node may erase an op; a body
// stripped on the way (issue 14, defect 1), an authorisation of another op, a town's, a revoked
// or expired city's, and every damaged byte are refused. The chain still verifies either way.
#include "crypto/erasure.h"

#include <gtest/gtest.h>

#include <vector>

#include "crypto/op_chain.h"
#include "crypto/revocation.h"
#include "tests/crypto/pki_fixture.h"
#include "tests/support/status_matchers.h"

namespace fulei::crypto {
namespace {

using testing::kDay;
using testing::kNow;
using testing::TestNode;
using testing::TestPki;

constexpr char kScope[] = "jinjiang/cizao/v012";

class ErasureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ChainBuilder b(village_.identity.signing_key(), kScope, 0, crdt::Hash{});
    for (int i = 1; i <= 3; ++i) {
      crdt::Op op;
      op.stamp = crdt::Stamp{kNow + static_cast<uint64_t>(i), 0};
      op.author = "u-17";
      op.flags = crdt::kOpFlagUrgent;
      op.key = crdt::RecordKey{kScope, "report", "r-" + std::to_string(i)};
      op.writes.push_back(crdt::FieldWrite{"category", crdt::WriteKind::kSet, "neglect", {}});
      ASSERT_OK(b.Append(&op));
      ops_.push_back(op);
    }
    head_ = b.SignHead();
  }

  const Certificate& VillageCert() const { return village_.chain.front(); }
  Status Verify(const crdt::Op& op) { return VerifyErasure(op, VillageCert(), trust_); }

  TestPki pki_{11};
  TrustStore trust_ = pki_.Trust();
  TestNode city_ = pki_.MakeNode("jinjiang", Role::kCity);
  TestNode town_ = pki_.MakeNode("jinjiang/cizao", Role::kTown, nullptr, true);
  TestNode village_ = pki_.MakeNode(kScope, Role::kVillage, &town_);
  std::vector<crdt::Op> ops_;
  SignedHead head_;
};

TEST_F(ErasureTest, OriginMayEraseItsOwnOpAndTheChainStillVerifies) {
  auto e = AuthoriseErasure(ops_[1], village_.identity.signing_key(), kNow + 100);
  std::vector<crdt::Op> ops = ops_;
  ops[1] = EraseOp(ops[1], e);
  EXPECT_TRUE(ops[1].erased);
  EXPECT_TRUE(ops[1].writes.empty());
  EXPECT_OK(Verify(ops[1]));
  EXPECT_OK(VerifyChain(VillageCert(), 0, crdt::Hash{}, ops, head_));
  ASSERT_OK_AND_ASSIGN(ErasureAuthorisation back, DecodeErasure(ops[1].erasure));
  EXPECT_EQ(back, e);
}

TEST_F(ErasureTest, CityMayEraseAnyOpOfItsNetwork) {
  auto e =
      AuthoriseErasure(ops_[0], city_.identity.signing_key(), kNow + 100, EncodeChain(city_.chain));
  EXPECT_OK(Verify(EraseOp(ops_[0], e)));
}

// Defect 1 of issue 14: a relay strips the body of a village's report as it forwards it.
TEST_F(ErasureTest, ErasedBodyForgedByARelayIsRefused) {
  crdt::Op stripped = ops_[2];
  stripped.erased = true;
  stripped.writes.clear();
  EXPECT_EQ(Verify(stripped).code(), StatusCode::kUnauthenticated);
  // The town signs an "authorisation" of its own: a town may not erase.
  auto by_town =
      AuthoriseErasure(ops_[2], town_.identity.signing_key(), kNow + 100, EncodeChain(town_.chain));
  EXPECT_EQ(Verify(EraseOp(ops_[2], by_town)).code(), StatusCode::kUnauthenticated);
  // Nor may it claim to be the origin (its key is not the origin's).
  auto claimed = AuthoriseErasure(ops_[2], town_.identity.signing_key(), kNow + 100);
  claimed.signer = village_.id();
  claimed.signature = town_.identity.signing_key().Sign("anything");
  EXPECT_EQ(Verify(EraseOp(ops_[2], claimed)).code(), StatusCode::kUnauthenticated);
}

TEST_F(ErasureTest, AuthorisationOfAnotherOpIsRefused) {
  auto e = AuthoriseErasure(ops_[0], village_.identity.signing_key(), kNow + 100);
  EXPECT_EQ(Verify(EraseOp(ops_[1], e)).code(), StatusCode::kUnauthenticated);
  // Same seq, other body: a header the origin did not sign with this body hash.
  crdt::Op other = ops_[0];
  other.body_hash[0] ^= 1;
  EXPECT_EQ(Verify(EraseOp(other, e)).code(), StatusCode::kUnauthenticated);
}

TEST_F(ErasureTest, RevokedOrExpiredCityCannotErase) {
  auto late = AuthoriseErasure(ops_[0], city_.identity.signing_key(), kNow + 400 * kDay,
                               EncodeChain(city_.chain));
  EXPECT_EQ(Verify(EraseOp(ops_[0], late)).code(), StatusCode::kUnauthenticated);
  auto e =
      AuthoriseErasure(ops_[0], city_.identity.signing_key(), kNow + 100, EncodeChain(city_.chain));
  auto list = SignRevocationList({1, kNow, {city_.id()}}, pki_.root());
  ASSERT_OK(list);
  ASSERT_OK(trust_.InstallRevocations(*list));
  EXPECT_EQ(Verify(EraseOp(ops_[0], e)).code(), StatusCode::kUnauthenticated);
}

TEST_F(ErasureTest, EveryBitFlipOfTheAuthorisationIsRefused) {
  for (const bool by_city : {false, true}) {
    const TestNode& signer = by_city ? city_ : village_;
    auto e = AuthoriseErasure(ops_[1], signer.identity.signing_key(), kNow + 100,
                              by_city ? EncodeChain(city_.chain) : std::string());
    const crdt::Op good = EraseOp(ops_[1], e);
    ASSERT_OK(Verify(good));
    for (size_t bit = 0; bit < good.erasure.size() * 8; ++bit) {
      crdt::Op bad = good;
      bad.erasure[bit / 8] = static_cast<char>(bad.erasure[bit / 8] ^ (1 << (bit % 8)));
      EXPECT_EQ(Verify(bad).code(), StatusCode::kUnauthenticated) << "bit " << bit;
    }
    for (size_t n = 0; n < good.erasure.size(); ++n) {
      crdt::Op cut = good;
      cut.erasure.resize(n);
      EXPECT_FALSE(Verify(cut).ok()) << "cut at " << n;
    }
  }
}

TEST_F(ErasureTest, UnerasedOpHasNothingToVerify) {
  EXPECT_EQ(Verify(ops_[0]).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(DecodeErasure("FLX1").status().code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace fulei::crypto
