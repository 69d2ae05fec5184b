// Erased ops in store/batch.cc (docs/store.md, "Erased ops"): a copy of a held op with the same
// header is no equivocation, whichever copy came first. The real body arriving after an erased
// copy never brings the body back (issue 14, defect 1); an erased copy carrying its erasure
// authorisation replaces a held body and the record's state is rebuilt from its op log, so the
// node ends where one that only ever saw the erased copy is. The store does not check the
// authorisation's signature (sync does, crypto/erasure.h); it only requires one.
#include <gtest/gtest.h>

#include <vector>

#include "crdt/codec.h"
#include "store/store.h"
#include "tests/store/test_util.h"

namespace fulei::store {
namespace {

using crdt::Op;
using ::fulei::testing::TempDir;
using testing::MakeOp;
using testing::OpenOrDie;
using testing::Set;
using testing::TestOptions;

constexpr crdt::NodeId kVillage = 0xa1;
constexpr crdt::NodeId kTown = 0xb2;
constexpr char kScope[] = "c/t/v";

// `op` erased, with an (opaque, here unsigned) erasure authorisation.
Op Erased(Op op) {
  op.erased = true;
  op.writes.clear();
  op.erasure = "authorisation of " + std::to_string(op.seq);
  return op;
}

std::string HeldBytes(Store& s, const Op& op) {
  auto held = s.GetOp(op.key.scope, op.origin, op.seq);
  EXPECT_OK(held);
  return held.ok() && held->has_value() ? **held : std::string();
}

std::string StateBytes(Store& s, const crdt::RecordKey& key) {
  auto state = s.Get(key);
  EXPECT_OK(state);
  return state.ok() && state->has_value() ? (*state)->Encode() : std::string();
}

void ExpectIntegrity(Store& s) {
  auto report = s.CheckIntegrity();
  ASSERT_OK(report);
  for (const auto& p : report->problems) ADD_FAILURE() << p;
}

class BatchErasureTest : public ::testing::Test {
 protected:
  // A village's urgent report (seq 1) and its follow-up (seq 2, superseding it), and a town's
  // note on the same record.
  void SetUp() override {
    report_ = MakeOp(kVillage, kScope, 1, "report", "r1", {Set("detail", "the child's name")},
                     crdt::kOpFlagUrgent);
    follow_ = MakeOp(kVillage, kScope, 2, "report", "r1",
                     {Set("detail", "corrected", {report_.id()})}, crdt::kOpFlagUrgent);
    note_ = MakeOp(kTown, kScope, 1, "report", "r1", {Set("status", "seen")});
  }

  Op report_, follow_, note_;
  TempDir a_, b_;
};

TEST_F(BatchErasureTest, RealOpAfterItsErasedCopyIsNoEquivocationAndStaysErased) {
  auto s = OpenOrDie(a_.path(), TestOptions());
  ASSERT_OK(s->ApplyBatch(std::vector<Op>{Erased(report_)}));
  // The real op comes later by a second path: held already, the erasure stands.
  ASSERT_OK_AND_ASSIGN(ApplyResult r, s->ApplyBatch(std::vector<Op>{report_}));
  EXPECT_EQ(r.outcomes[0], Outcome::kDuplicate);
  EXPECT_EQ(HeldBytes(*s, report_), crdt::EncodeOp(Erased(report_)));
  auto state = s->Get(report_.key);
  ASSERT_OK(state);
  ASSERT_TRUE(state->has_value());
  EXPECT_EQ((*state)->Get("detail"), std::nullopt) << "the erased body came back";
  ExpectIntegrity(*s);
}

TEST_F(BatchErasureTest, AuthorisedErasureReplacesAHeldBodyAndRebuildsTheRecord) {
  auto s = OpenOrDie(a_.path(), TestOptions());
  ASSERT_OK(s->ApplyBatch(std::vector<Op>{report_, follow_, note_}));
  ASSERT_OK_AND_ASSIGN(ApplyResult r, s->ApplyBatch(std::vector<Op>{Erased(follow_)}));
  EXPECT_EQ(r.outcomes[0], Outcome::kApplied);
  EXPECT_EQ(r.changed, std::vector<crdt::RecordKey>{report_.key});
  EXPECT_EQ(HeldBytes(*s, follow_), crdt::EncodeOp(Erased(follow_)));
  auto state = s->Get(report_.key);
  ASSERT_OK(state);
  EXPECT_NE((*state)->Get("detail"), "corrected");
  ExpectIntegrity(*s);

  // A node that only ever saw the erased copy holds the same record, byte for byte.
  auto other = OpenOrDie(b_.path(), TestOptions());
  ASSERT_OK(other->ApplyBatch(std::vector<Op>{note_, Erased(follow_), report_}));
  EXPECT_EQ(StateBytes(*s, report_.key), StateBytes(*other, report_.key));
  // And the body arriving afterwards changes neither.
  ASSERT_OK(s->ApplyBatch(std::vector<Op>{follow_}));
  ASSERT_OK(other->ApplyBatch(std::vector<Op>{follow_}));
  EXPECT_EQ(StateBytes(*s, report_.key), StateBytes(*other, report_.key));
  ExpectIntegrity(*other);
}

TEST_F(BatchErasureTest, ErasedCopyWithoutAuthorisationCannotReplaceABody) {
  auto s = OpenOrDie(a_.path(), TestOptions());
  ASSERT_OK(s->ApplyBatch(std::vector<Op>{report_}));
  Op stripped = Erased(report_);
  stripped.erasure.clear();
  auto r = s->ApplyBatch(std::vector<Op>{stripped});
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
  EXPECT_EQ(HeldBytes(*s, report_), crdt::EncodeOp(report_));
  // Another header at the same seq stays an equivocation, erased or not.
  Op forged = Erased(report_);
  forged.author = "someone else";
  EXPECT_EQ(s->ApplyBatch(std::vector<Op>{forged}).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(BatchErasureTest, ErasureOfAnUrgentOpHeldPendingRebuildsTheRecordToo) {
  auto s = OpenOrDie(a_.path(), TestOptions());
  // seq 2 overtakes seq 1: held pending, and merged at once (it is urgent).
  ASSERT_OK(s->ApplyBatch(std::vector<Op>{follow_}));
  EXPECT_EQ(s->Get(report_.key)->value().Get("detail"), "corrected");
  ASSERT_OK_AND_ASSIGN(ApplyResult r, s->ApplyBatch(std::vector<Op>{Erased(follow_)}));
  EXPECT_EQ(r.outcomes[0], Outcome::kPending);
  EXPECT_NE(s->Get(report_.key)->value().Get("detail"), "corrected");
  ExpectIntegrity(*s);
  // The gap fills: the erased copy goes into the op log.
  ASSERT_OK(s->ApplyBatch(std::vector<Op>{report_}));
  EXPECT_EQ(s->GetVersionVector(kScope)->at(kVillage), 2u);
  EXPECT_EQ(HeldBytes(*s, follow_), crdt::EncodeOp(Erased(follow_)));
  ExpectIntegrity(*s);
}

TEST_F(BatchErasureTest, BodyArrivingWhereItsErasedCopyWaitsPendingStaysOut) {
  auto s = OpenOrDie(a_.path(), TestOptions());
  ASSERT_OK(s->ApplyBatch(std::vector<Op>{Erased(follow_)}));  // pending, behind seq 1
  ASSERT_OK_AND_ASSIGN(ApplyResult r, s->ApplyBatch(std::vector<Op>{report_, follow_}));
  EXPECT_EQ(r.outcomes[0], Outcome::kApplied);
  EXPECT_EQ(r.outcomes[1], Outcome::kDuplicate);
  EXPECT_EQ(s->GetVersionVector(kScope)->at(kVillage), 2u);
  EXPECT_EQ(HeldBytes(*s, follow_), crdt::EncodeOp(Erased(follow_)));
  EXPECT_EQ(s->Get(report_.key)->value().Get("detail"), "the child's name");
  ExpectIntegrity(*s);
}

TEST_F(BatchErasureTest, BothCopiesInOneBatchKeepTheFirstAndFailNothing) {
  auto s = OpenOrDie(a_.path(), TestOptions());
  ASSERT_OK_AND_ASSIGN(ApplyResult r, s->ApplyBatch(std::vector<Op>{report_, Erased(report_)}));
  EXPECT_EQ(r.outcomes[0], Outcome::kApplied);
  EXPECT_EQ(r.outcomes[1], Outcome::kDuplicate);
  ExpectIntegrity(*s);
}

}  // namespace
}  // namespace fulei::store
