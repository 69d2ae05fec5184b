// Signature suite: hash-chained op logs with a signed head per commit. A forged op, a changed
// field, a dropped or reordered op, a head re-signed by a town for a village's scope: rejected.
// An erased op (body dropped) keeps its header and the chain still verifies.
#include "crypto/op_chain.h"

#include <gtest/gtest.h>

#include <vector>

#include "crdt/codec.h"
#include "tests/crypto/pki_fixture.h"
#include "tests/support/status_matchers.h"

namespace fulei::crypto {
namespace {

using testing::TestNode;
using testing::TestPki;

constexpr char kScope[] = "jinjiang/cizao/v012";

crdt::Op MakeOp(int i) {
  crdt::Op op;
  op.stamp = crdt::Stamp{1'764'000'000'000u + static_cast<uint64_t>(i), 0};
  op.author = "u-17";
  op.key = crdt::RecordKey{kScope, "contact", "c-" + std::to_string(i)};
  op.writes.push_back(
      crdt::FieldWrite{"note", crdt::WriteKind::kSet, "visit " + std::to_string(i), {}});
  op.writes.push_back(crdt::FieldWrite{"minutes", crdt::WriteKind::kSet, "45", {}});
  return op;
}

class OpChainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ChainBuilder b(village_.identity.signing_key(), kScope, 0, crdt::Hash{});
    for (int i = 1; i <= 5; ++i) {
      crdt::Op op = MakeOp(i);
      ASSERT_OK(b.Append(&op));
      ops_.push_back(op);
    }
    head_ = b.SignHead();
  }

  Status Verify(const std::vector<crdt::Op>& ops, const SignedHead& head) {
    return VerifyChain(village_.chain.front(), 0, crdt::Hash{}, ops, head);
  }

  TestPki pki_{5};
  TestNode town_ = pki_.MakeNode("jinjiang/cizao", Role::kTown, nullptr, true);
  TestNode village_ = pki_.MakeNode(kScope, Role::kVillage, &town_);
  std::vector<crdt::Op> ops_;
  SignedHead head_;
};

TEST_F(OpChainTest, BuiltChainVerifies) {
  EXPECT_OK(Verify(ops_, head_));
  EXPECT_EQ(ops_[0].seq, 1u);
  EXPECT_EQ(ops_[4].seq, 5u);
  EXPECT_EQ(ops_[0].origin, village_.id());
  EXPECT_EQ(ops_[1].prev_hash, OpHeaderHash(ops_[0]));
  EXPECT_EQ(head_.head, OpHeaderHash(ops_[4]));
}

TEST_F(OpChainTest, ContinuedBatchVerifiesAgainstPreviousHead) {
  ChainBuilder b(village_.identity.signing_key(), kScope, 5, head_.head);
  std::vector<crdt::Op> more;
  for (int i = 6; i <= 8; ++i) {
    crdt::Op op = MakeOp(i);
    ASSERT_OK(b.Append(&op));
    more.push_back(op);
  }
  SignedHead h2 = b.SignHead();
  EXPECT_OK(VerifyChain(village_.chain.front(), 5, head_.head, more, h2));
  // Wrong anchor: the batch does not follow from the start of the log.
  EXPECT_EQ(VerifyChain(village_.chain.front(), 0, crdt::Hash{}, more, h2).code(),
            StatusCode::kUnauthenticated);
  crdt::Hash wrong = head_.head;
  wrong[0] ^= 1;
  EXPECT_EQ(VerifyChain(village_.chain.front(), 5, wrong, more, h2).code(),
            StatusCode::kUnauthenticated);
}

TEST_F(OpChainTest, ErasedOpKeepsTheChainVerifiable) {
  std::vector<crdt::Op> ops = ops_;
  ops[2].erased = true;
  ops[2].writes.clear();
  EXPECT_OK(Verify(ops, head_));
  // A relayed encoding round trip keeps it verifiable too.
  auto decoded = crdt::DecodeOp(crdt::EncodeOp(ops[2]));
  ASSERT_OK(decoded);
  ops[2] = *decoded;
  EXPECT_OK(Verify(ops, head_));
  // But an "erased" op that still carries a body is malformed.
  ops[2].writes = ops_[2].writes;
  EXPECT_EQ(Verify(ops, head_).code(), StatusCode::kInvalidArgument);
}

TEST_F(OpChainTest, ChangedFieldRejected) {
  for (int field = 0; field < 9; ++field) {
    std::vector<crdt::Op> ops = ops_;
    crdt::Op& op = ops[2];
    switch (field) {
      case 0:
        op.writes[0].value = "visit 3 (edited)";
        break;
      case 1:
        op.author = "u-18";
        break;
      case 2:
        op.stamp.ms += 1;
        break;
      case 3:
        op.key.id = "c-99";
        break;
      case 4:
        op.flags = crdt::kOpFlagUrgent;
        break;
      case 5:
        op.writes.pop_back();
        break;
      case 6:
        op.key.type = "child";
        break;
      case 7:
        op.body_hash[3] ^= 1;
        break;
      case 8:
        op.writes[1].kind = crdt::WriteKind::kAppend;
        break;
    }
    EXPECT_EQ(Verify(ops, head_).code(), StatusCode::kUnauthenticated) << "field " << field;
  }
}

TEST_F(OpChainTest, ForgedOpRejected) {
  // A town inserts an op of its own making into the village's chain.
  std::vector<crdt::Op> ops = ops_;
  crdt::Op forged = MakeOp(9);
  forged.origin = village_.id();
  forged.seq = 6;
  forged.prev_hash = OpHeaderHash(ops.back());
  forged.body_hash = OpBodyHash(forged);
  ops.push_back(forged);
  EXPECT_EQ(Verify(ops, head_).code(), StatusCode::kUnauthenticated);  // the head does not cover it
  // ...even with a head that the town signs itself.
  SignedHead town_head{village_.id(), kScope, 6, OpHeaderHash(forged), {}};
  ChainBuilder town_builder(town_.identity.signing_key(), kScope, 5, head_.head);
  town_head.signature = town_builder.SignHead().signature;  // signature by the wrong key
  EXPECT_EQ(Verify(ops, town_head).code(), StatusCode::kUnauthenticated);
}

TEST_F(OpChainTest, DroppedAndReorderedOpsRejected) {
  for (size_t i = 0; i < ops_.size(); ++i) {
    std::vector<crdt::Op> dropped = ops_;
    dropped.erase(dropped.begin() + static_cast<long>(i));
    EXPECT_EQ(Verify(dropped, head_).code(), StatusCode::kUnauthenticated) << "drop " << i;
  }
  for (size_t i = 0; i + 1 < ops_.size(); ++i) {
    std::vector<crdt::Op> swapped = ops_;
    std::swap(swapped[i], swapped[i + 1]);
    EXPECT_EQ(Verify(swapped, head_).code(), StatusCode::kUnauthenticated) << "swap " << i;
    // Renumbering the swapped ops does not help: the hashes still break.
    swapped[i].seq = i + 1;
    swapped[i + 1].seq = i + 2;
    EXPECT_EQ(Verify(swapped, head_).code(), StatusCode::kUnauthenticated)
        << "renumbered swap " << i;
  }
}

TEST_F(OpChainTest, HeadResignedByTownRejected) {
  // The town rebuilds the whole chain with altered content and signs it with its own key,
  // claiming the village as origin.
  std::vector<crdt::Op> ops;
  crdt::Hash link{};
  for (int i = 1; i <= 5; ++i) {
    crdt::Op op = MakeOp(i);
    if (i == 3) op.writes[0].value = "nothing happened";
    op.origin = village_.id();
    op.seq = static_cast<uint64_t>(i);
    op.prev_hash = link;
    op.body_hash = OpBodyHash(op);
    link = OpHeaderHash(op);
    ops.push_back(op);
  }
  ChainBuilder town_builder(town_.identity.signing_key(), kScope, 5, link);
  SignedHead h = town_builder.SignHead();
  EXPECT_EQ(h.origin, town_.id());
  EXPECT_EQ(Verify(ops, h).code(), StatusCode::kUnauthenticated);  // names the town as origin
  h.origin = village_.id();
  EXPECT_EQ(Verify(ops, h).code(), StatusCode::kUnauthenticated);  // town's signature
  // And presenting the town's own certificate as the origin's does not help either.
  EXPECT_EQ(VerifyChain(town_.chain.front(), 0, crdt::Hash{}, ops, h).code(),
            StatusCode::kUnauthenticated);
}

TEST_F(OpChainTest, SignedHeadEncodingRoundTripsAndRejectsDamage) {
  std::string enc = EncodeSignedHead(head_);
  auto dec = DecodeSignedHead(enc);
  ASSERT_OK(dec);
  EXPECT_EQ(*dec, head_);
  EXPECT_OK(Verify(ops_, *dec));
  for (size_t i = 0; i < enc.size(); ++i) {
    std::string t = enc;
    t[i] ^= 0x10;
    auto d = DecodeSignedHead(t);
    if (d.ok()) {
      EXPECT_EQ(Verify(ops_, *d).code(), StatusCode::kUnauthenticated) << "byte " << i;
    }
  }
  EXPECT_EQ(DecodeSignedHead(enc.substr(0, enc.size() - 1)).status().code(),
            StatusCode::kCorruption);
  EXPECT_EQ(DecodeSignedHead(enc + "x").status().code(), StatusCode::kCorruption);
}

TEST_F(OpChainTest, BuilderRefusesOtherScope) {
  ChainBuilder b(village_.identity.signing_key(), kScope, 0, crdt::Hash{});
  crdt::Op op = MakeOp(1);
  op.key.scope = "jinjiang/cizao/v013";
  EXPECT_EQ(b.Append(&op).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(b.seq(), 0u);
}

}  // namespace
}  // namespace fulei::crypto
