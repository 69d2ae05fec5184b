// sync/equivocation.h: where a verified run can disagree with what a node holds of its chain
// (the op before it, its ops held already, the op after it), the evidence record that keeps
// both signed sides, and its verification against the origin's certificate alone.
#include "sync/equivocation.h"

#include <gtest/gtest.h>

#include "tests/support/status_matchers.h"
#include "tests/sync/fork_fixture.h"

namespace fulei::sync {
namespace {

using testing::Hold;
using testing::kNow;
using testing::kTown;
using testing::kVillage;
using testing::MakeChain;
using testing::SignedChain;
using testing::SyncTest;
using testing::TestNode;

class EquivocationTest : public SyncTest {
 protected:
  void SetUp() override {
    village_ = &AddNode(kVillage, crypto::Role::kVillage);
    town_ = &AddNode(kTown, crypto::Role::kTown);
    a_ = MakeChain(*village_, 5, "a");
    b_ = MakeChain(*village_, 5, "b", &a_, 2);  // forks after seq 2
  }

  std::optional<Equivocation> Find(const SignedChain& c, int from, int to) {
    std::span<const crdt::Op> run(&c.ops[static_cast<size_t>(from - 1)],
                                  static_cast<size_t>(to - from + 1));
    auto found = FindEquivocation(*town_->store, run, c.heads[static_cast<size_t>(to - 1)]);
    EXPECT_OK(found);
    return found.ok() ? *found : std::nullopt;
  }

  TestNode* village_ = nullptr;
  TestNode* town_ = nullptr;
  SignedChain a_, b_;
};

TEST_F(EquivocationTest, RunsOfOneChainNeverConflict) {
  Hold(*town_, a_, 1, 3);
  EXPECT_FALSE(Find(a_, 4, 5));  // new ops
  EXPECT_FALSE(Find(a_, 2, 3));  // held already
  EXPECT_FALSE(Find(a_, 1, 5));  // both
  EXPECT_FALSE(Find(b_, 1, 2));  // the shared prefix
}

TEST_F(EquivocationTest, ForkAtTheOpBeforeTheRun) {
  Hold(*town_, a_, 1, 3);
  auto e = Find(b_, 4, 5);  // 4 names b's 3, the town holds a's
  ASSERT_TRUE(e);
  EXPECT_EQ(e->seq, 3u);
  EXPECT_EQ(e->received.from, 4u);
  EXPECT_EQ(e->held.from, 3u);
  EXPECT_OK(VerifyEquivocation(*e, village_->cert));
}

TEST_F(EquivocationTest, ForkInsideTheOpsHeld) {
  Hold(*town_, a_, 1, 4);
  auto e = Find(b_, 3, 5);  // links to the shared 2; 3 and 4 differ from the held ones
  ASSERT_TRUE(e);
  EXPECT_EQ(e->seq, 3u);
  EXPECT_EQ(e->received.from, 3u);
  EXPECT_EQ(e->held.from, 3u);
  EXPECT_OK(VerifyEquivocation(*e, village_->cert));
}

TEST_F(EquivocationTest, ForkWhoseLaterHalfIsHeldAfterTheRun) {
  Hold(*town_, a_, 1, 2);
  Hold(*town_, b_, 4, 4);  // pending, ahead of the gap at 3
  auto e = Find(a_, 3, 3);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->seq, 3u);
  EXPECT_EQ(e->received.from, 3u);
  EXPECT_EQ(e->held.from, 4u);
  EXPECT_OK(VerifyEquivocation(*e, village_->cert));
}

TEST_F(EquivocationTest, EvidenceIsKeptOnceListedAndProvesTheForkAlone) {
  Hold(*town_, a_, 1, 3);
  auto e = Find(b_, 4, 5);
  ASSERT_TRUE(e);
  e->node = town_->id();
  e->unit = town_->unit;
  e->peer = 42;
  e->detected_ms = kNow;
  ASSERT_OK_AND_ASSIGN(bool written, KeepEvidence(*town_->store, *town_->writer, *e, kNow));
  EXPECT_TRUE(written);
  ASSERT_OK_AND_ASSIGN(written, KeepEvidence(*town_->store, *town_->writer, *e, kNow + 1));
  EXPECT_FALSE(written) << "one record per (origin, scope, seq, detecting node)";
  EXPECT_EQ(EvidenceKey(*e).scope, kTown);
  ASSERT_OK_AND_ASSIGN(std::vector<Equivocation> listed, ListEquivocations(*town_->store, ""));
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0], *e);
  // No field value of the ops is copied into the evidence.
  for (const std::string& op : listed[0].held.ops) {
    EXPECT_EQ(op.find("a3"), std::string::npos);
  }
  EXPECT_OK(VerifyEquivocation(listed[0], village_->cert));

  // What does not prove a fork is refused: one side twice, a side cut short, another origin.
  Equivocation same = *e;
  same.held = same.received;
  EXPECT_EQ(VerifyEquivocation(same, village_->cert).code(), StatusCode::kInvalidArgument);
  Equivocation cut = *e;
  cut.received.ops.pop_back();
  EXPECT_EQ(VerifyEquivocation(cut, village_->cert).code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(VerifyEquivocation(*e, town_->cert).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace fulei::sync
