// Behaviour of store::Store: round trips, idempotence, gaps, reopen, reads, sealing, backup,
// indexes and the integrity check. The internal encodings have their own tests in
// tests/store/internal/.
#include "store/store.h"

#include <gtest/gtest.h>
#include <lmdb.h>

#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <thread>

#include "crdt/codec.h"
#include "crdt/hlc.h"
#include "store/internal/keys.h"
#include "store/internal/value_codec.h"
#include "tests/store/raw_lmdb.h"
#include "tests/store/test_util.h"

namespace fulei::store {
namespace {

using crdt::Op;
using ::fulei::testing::TempDir;
using testing::MakeOp;
using testing::OpenOrDie;
using testing::Set;
using testing::TestOptions;

constexpr crdt::NodeId kSelf = 0x51;
constexpr crdt::NodeId kA = 0xa1;
constexpr crdt::NodeId kB = 0xb2;

std::map<crdt::RecordKey, crdt::RecordState> Replay(const std::vector<Op>& ops) {
  std::map<crdt::RecordKey, crdt::RecordState> out;
  for (const auto& op : ops) out[op.key].Apply(op);
  return out;
}

void ExpectStatesEqual(Store& store, const std::vector<Op>& ops) {
  for (const auto& [key, expected] : Replay(ops)) {
    auto got = store.Get(key);
    ASSERT_OK(got);
    ASSERT_TRUE(got->has_value()) << key.ToString();
    EXPECT_EQ((*got)->Encode(), expected.Encode()) << key.ToString();
  }
}

void ExpectIntegrity(Store& store) {
  auto report = store.CheckIntegrity();
  ASSERT_OK(report);
  EXPECT_TRUE(report->ok()) << (report->problems.empty() ? "" : report->problems.front());
}

TEST(Store, AppliesBatchAndReadsBackMergedState) {
  TempDir dir;
  auto store = OpenOrDie(dir.path(), TestOptions());
  std::vector<Op> ops = {
      MakeOp(kA, "t/v1", 1, "child", "c1", {Set("status", "active")}),
      MakeOp(kA, "t/v1", 2, "child", "c2", {Set("status", "new")}),
      MakeOp(kB, "t/v1", 1, "child", "c1", {Set("school", "s-3")}),
  };
  ops.push_back(MakeOp(kA, "t/v1", 3, "child", "c1", {Set("status", "closed", {ops[0].id()})}));
  auto result = store->ApplyBatch(ops);
  ASSERT_OK(result);
  EXPECT_EQ(result->applied, 4u);
  EXPECT_EQ(result->pending + result->duplicate + result->refused, 0u);
  EXPECT_EQ(result->changed.size(), 2u);
  ExpectStatesEqual(*store, ops);
  auto c1 = store->Get({"t/v1", "child", "c1"});
  ASSERT_OK(c1);
  EXPECT_EQ((*c1)->Get("status"), "closed");
  auto vv = store->GetVersionVector("t/v1");
  ASSERT_OK(vv);
  EXPECT_EQ(*vv, (VersionVector{{kA, 3}, {kB, 1}}));
  auto missing = store->Get({"t/v1", "child", "nope"});
  ASSERT_OK(missing);
  EXPECT_FALSE(missing->has_value());
  ExpectIntegrity(*store);
}

TEST(Store, ApplyIsIdempotent) {
  TempDir dir;
  auto store = OpenOrDie(dir.path(), TestOptions());
  std::vector<Op> ops;
  for (uint64_t s = 1; s <= 20; ++s) {
    ops.push_back(MakeOp(kA, "v", s, "child", "c" + std::to_string(s % 3), {Set("n", "x")}));
  }
  ASSERT_OK(store->ApplyBatch(ops));
  auto before = store->Get({"v", "child", "c1"});
  ASSERT_OK(before);
  auto again = store->ApplyBatch(ops);
  ASSERT_OK(again);
  EXPECT_EQ(again->duplicate, ops.size());
  EXPECT_EQ(again->applied, 0u);
  EXPECT_TRUE(again->changed.empty());
  auto after = store->Get({"v", "child", "c1"});
  ASSERT_OK(after);
  EXPECT_EQ((*after)->Encode(), (*before)->Encode());
  // A duplicate inside one batch is a duplicate too.
  std::vector<Op> twice = {MakeOp(kB, "v", 1, "child", "c9", {Set("n", "y")})};
  twice.push_back(twice[0]);
  auto r = store->ApplyBatch(twice);
  ASSERT_OK(r);
  EXPECT_EQ(r->outcomes, (std::vector<Outcome>{Outcome::kApplied, Outcome::kDuplicate}));
  ExpectIntegrity(*store);
}

TEST(Store, GapsArePendingUntilFilled) {
  TempDir dir;
  auto store = OpenOrDie(dir.path(), TestOptions());
  std::vector<Op> chain;
  for (uint64_t s = 1; s <= 5; ++s)
    chain.push_back(MakeOp(kA, "v", s, "child", "c", {Set("n", std::to_string(s))}));

  auto r1 = store->ApplyBatch(std::vector<Op>{chain[0], chain[2], chain[4]});
  ASSERT_OK(r1);
  EXPECT_EQ(r1->outcomes,
            (std::vector<Outcome>{Outcome::kApplied, Outcome::kPending, Outcome::kPending}));
  EXPECT_EQ(store->GetVersionVector("v")->at(kA), 1u);
  EXPECT_EQ(*store->PendingCount(), 2u);
  // A pending op sent again is a duplicate, not a second pending copy.
  auto again = store->ApplyBatch(std::vector<Op>{chain[2]});
  ASSERT_OK(again);
  EXPECT_EQ(again->outcomes, (std::vector<Outcome>{Outcome::kDuplicate}));
  // Pending ops are durable and sync does not see them.
  auto since = store->OpsSince("v", {});
  ASSERT_OK(since);
  EXPECT_EQ(since->ops.size(), 1u);
  ExpectIntegrity(*store);

  store.reset();
  store = OpenOrDie(dir.path(), TestOptions());
  EXPECT_EQ(*store->PendingCount(), 2u);
  auto r2 = store->ApplyBatch(std::vector<Op>{chain[1]});
  ASSERT_OK(r2);
  EXPECT_EQ(r2->applied, 1u);
  EXPECT_EQ(r2->released, 1u);  // seq 3; seq 5 still waits for 4
  EXPECT_EQ(store->GetVersionVector("v")->at(kA), 3u);
  auto r3 = store->ApplyBatch(std::vector<Op>{chain[3]});
  ASSERT_OK(r3);
  EXPECT_EQ(r3->released, 1u);
  EXPECT_EQ(store->GetVersionVector("v")->at(kA), 5u);
  EXPECT_EQ(*store->PendingCount(), 0u);
  ExpectStatesEqual(*store, chain);
  ExpectIntegrity(*store);
}

// A peer cannot make the node hold an unbounded number of ops it cannot apply: an op too far
// beyond its chain's gap, or a batch that would exceed the total, is refused whole (nothing
// written, kResourceExhausted); batches within the bounds, and ones that fill gaps, still work.
TEST(Store, PendingOpsAreBounded) {
  TempDir dir;
  StoreOptions o = TestOptions();
  o.max_pending_per_chain = 4;  // seq <= contiguous + 4
  o.max_pending_ops = 5;
  auto store = OpenOrDie(dir.path(), o);
  auto op = [](crdt::NodeId origin, const std::string& scope, uint64_t seq) {
    return MakeOp(origin, scope, seq, "child", "c-" + scope, {Set("n", std::to_string(seq))});
  };
  ASSERT_OK(store->ApplyBatch(std::vector<Op>{op(kA, "v1", 1)}));

  // Per chain: seq 7 is 5 ahead of contiguous 2 (seq 2 applies first). The whole batch is
  // refused, including the in-order op and the acceptable pending op that came with it.
  auto refused =
      store->ApplyBatch(std::vector<Op>{op(kA, "v1", 2), op(kA, "v1", 4), op(kA, "v1", 7)});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(refused.status().message().find("max_pending_per_chain"), std::string::npos);
  EXPECT_EQ(*store->PendingCount(), 0u);
  EXPECT_EQ(store->GetVersionVector("v1")->at(kA), 1u);
  auto missing = store->GetOp("v1", kA, 2);
  ASSERT_OK(missing);
  EXPECT_FALSE(missing->has_value());

  // Within the window: held pending (seq 5 is 4 ahead of contiguous 1).
  auto held = store->ApplyBatch(std::vector<Op>{op(kA, "v1", 3), op(kA, "v1", 5)});
  ASSERT_OK(held);
  EXPECT_EQ(held->pending, 2u);
  // The window moves with the contiguous seq: after seq 2 (releasing 3), seq 7 is 4 ahead.
  auto moved = store->ApplyBatch(std::vector<Op>{op(kA, "v1", 2), op(kA, "v1", 7)});
  ASSERT_OK(moved);
  EXPECT_EQ(moved->applied, 1u);
  EXPECT_EQ(moved->released, 1u);
  EXPECT_EQ(moved->pending, 1u);
  EXPECT_EQ(*store->PendingCount(), 2u);  // 5 and 7

  // Total: 2 held; 3 more in other chains reach the bound of 5, a 4th in the same batch exceeds
  // it and the batch is refused whole.
  auto too_many = store->ApplyBatch(
      std::vector<Op>{op(kB, "v2", 2), op(kB, "v2", 3), op(kB, "v3", 2), op(kB, "v3", 3)});
  ASSERT_FALSE(too_many.ok());
  EXPECT_EQ(too_many.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(too_many.status().message().find("max_pending_ops"), std::string::npos);
  EXPECT_EQ(*store->PendingCount(), 2u);
  auto vv2 = store->GetVersionVector("v2");
  ASSERT_OK(vv2);
  EXPECT_TRUE(vv2->empty());
  auto fits = store->ApplyBatch(std::vector<Op>{op(kB, "v2", 2), op(kB, "v2", 3), op(kB, "v3", 2)});
  ASSERT_OK(fits);
  EXPECT_EQ(fits->pending, 3u);
  EXPECT_EQ(*store->PendingCount(), 5u);
  // At the bound: one more pending op is refused, but ops that apply (and release) are not.
  EXPECT_EQ(store->ApplyBatch(std::vector<Op>{op(kB, "v3", 3)}).status().code(),
            StatusCode::kResourceExhausted);
  auto fill = store->ApplyBatch(std::vector<Op>{op(kB, "v2", 1), op(kA, "v1", 4)});
  ASSERT_OK(fill);
  EXPECT_EQ(fill->released, 3u);          // v2: 2, 3; v1: 5
  EXPECT_EQ(*store->PendingCount(), 2u);  // v1: 7; v3: 2
  EXPECT_EQ(store->GetVersionVector("v1")->at(kA), 5u);
  ExpectIntegrity(*store);

  // The bounds are options of the opening process, not stored: reopened unbounded, it takes
  // what was refused.
  store.reset();
  StoreOptions unbounded = TestOptions();
  unbounded.max_pending_per_chain = 0;
  unbounded.max_pending_ops = 0;
  store = OpenOrDie(dir.path(), unbounded);
  auto far = store->ApplyBatch(std::vector<Op>{op(kA, "v1", 1000), op(kB, "v3", 3)});
  ASSERT_OK(far);
  EXPECT_EQ(far->pending, 2u);
  ExpectIntegrity(*store);
}

// An urgent op (a report filed by a village far behind its upstream) travels ahead of the
// backlog: the per-chain bound does not refuse it, so the report is held instead of the session
// being closed on every reconnect. The total bound still applies.
TEST(Store, UrgentOpsAreExemptFromThePerChainPendingBound) {
  TempDir dir;
  StoreOptions o = TestOptions();
  o.max_pending_per_chain = 4;
  o.max_pending_ops = 2;
  auto store = OpenOrDie(dir.path(), o);
  auto op = [](uint64_t seq, bool urgent) {
    Op x = MakeOp(kA, "v1", seq, "report", "r-" + std::to_string(seq), {Set("n", "x")});
    if (urgent) x.flags |= crdt::kOpFlagUrgent;
    return x;
  };
  EXPECT_EQ(store->ApplyBatch(std::vector<Op>{op(100, false)}).status().code(),
            StatusCode::kResourceExhausted);
  auto held = store->ApplyBatch(std::vector<Op>{op(100, true), op(200, true)});
  ASSERT_OK(held);
  EXPECT_EQ(held->pending, 2u);
  EXPECT_EQ(store->ApplyBatch(std::vector<Op>{op(300, true)}).status().code(),
            StatusCode::kResourceExhausted);
  EXPECT_EQ(*store->PendingCount(), 2u);
  ExpectIntegrity(*store);
}

// An urgent op held ahead of a gap (a report overtaking its village's backlog) is merged into
// state at once, so the town sees the report; the vector still waits for the gap, and when the
// backlog arrives the state is exactly the replay of the whole chain.
TEST(Store, UrgentPendingOpIsVisibleAtOnce) {
  TempDir dir;
  auto store = OpenOrDie(dir.path(), TestOptions());
  std::vector<Op> chain = {
      MakeOp(kA, "v", 1, "child", "c1", {Set("name", "x")}),
      MakeOp(kA, "v", 2, "child", "c2", {Set("name", "y")}),
      MakeOp(kA, "v", 3, "report", "r1", {Set("summary", "child at risk")}),
      MakeOp(kA, "v", 4, "child", "c3", {Set("name", "z")}),
  };
  chain[2].flags |= crdt::kOpFlagUrgent;
  auto held = store->ApplyBatch(std::vector<Op>{chain[2], chain[3]});
  ASSERT_OK(held);
  EXPECT_EQ(held->pending, 2u);
  auto report = store->Get({"v", "report", "r1"});
  ASSERT_OK(report);
  ASSERT_TRUE(report->has_value());
  EXPECT_EQ((*report)->Get("summary"), "child at risk");
  auto ordinary = store->Get({"v", "child", "c3"});  // an ordinary pending op still waits
  ASSERT_OK(ordinary);
  EXPECT_FALSE(ordinary->has_value());
  EXPECT_TRUE(store->GetVersionVector("v")->empty());
  ExpectIntegrity(*store);

  store.reset();
  store = OpenOrDie(dir.path(), TestOptions());
  ExpectIntegrity(*store);
  auto filled = store->ApplyBatch(std::vector<Op>{chain[0], chain[1]});
  ASSERT_OK(filled);
  EXPECT_EQ(filled->released, 2u);
  EXPECT_EQ(store->GetVersionVector("v")->at(kA), 4u);
  ExpectStatesEqual(*store, chain);
  ExpectIntegrity(*store);
}

TEST(Store, OutOfOrderBatchIsSortedByChain) {
  TempDir dir;
  auto store = OpenOrDie(dir.path(), TestOptions());
  std::vector<Op> ops;
  for (uint64_t s = 6; s >= 1; --s)
    ops.push_back(MakeOp(kA, "v", s, "child", "c", {Set("n", std::to_string(s))}));
  auto r = store->ApplyBatch(ops);
  ASSERT_OK(r);
  EXPECT_EQ(r->applied, 6u);
  EXPECT_EQ(*store->PendingCount(), 0u);
  ExpectStatesEqual(*store, ops);
}

TEST(Store, EquivocationAndInvalidOpsRejectTheBatch) {
  TempDir dir;
  auto store = OpenOrDie(dir.path(), TestOptions());
  ASSERT_OK(store->ApplyBatch(std::vector<Op>{MakeOp(kA, "v", 1, "child", "c", {Set("n", "1")})}));
  Op forged = MakeOp(kA, "v", 1, "child", "c", {Set("n", "forged")});
  Op fine = MakeOp(kB, "v", 1, "child", "d", {Set("n", "ok")});
  auto r = store->ApplyBatch(std::vector<Op>{fine, forged});
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  auto d = store->Get({"v", "child", "d"});
  ASSERT_OK(d);
  EXPECT_FALSE(d->has_value()) << "a rejected batch must write nothing";

  Op bad = MakeOp(kB, "v", 0, "child", "d", {Set("n", "x")});  // seq 0
  EXPECT_EQ(store->ApplyBatch(std::vector<Op>{fine, bad}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(store->GetVersionVector("v")->count(kB) == 0);
  ExpectIntegrity(*store);
}

TEST(Store, EquivocationInsideOneBatchRejectsIt) {
  // The first op is staged (not yet in LMDB) when its equivocating twin arrives.
  TempDir dir;
  auto store = OpenOrDie(dir.path(), TestOptions());
  Op one = MakeOp(kA, "v", 1, "child", "c", {Set("n", "1")});
  Op two = MakeOp(kA, "v", 2, "child", "c", {Set("n", "2")});
  Op forged = MakeOp(kA, "v", 1, "child", "c", {Set("n", "forged")});
  auto r = store->ApplyBatch(std::vector<Op>{one, two, forged});
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
  EXPECT_NE(r.status().message().find("equivocation"), std::string::npos);
  auto c = store->Get({"v", "child", "c"});
  ASSERT_OK(c);
  EXPECT_FALSE(c->has_value()) << "a rejected batch must write nothing";
  EXPECT_TRUE(store->GetVersionVector("v")->count(kA) == 0);
  ExpectIntegrity(*store);
}

TEST(Store, ReopenKeepsOpsStateVectorsAndClock) {
  TempDir dir;
  std::vector<Op> ops;
  crdt::Stamp high;
  {
    auto store = OpenOrDie(dir.path(), TestOptions());
    for (uint64_t s = 1; s <= 50; ++s)
      ops.push_back(MakeOp(kA, "v", s, "contact", "k" + std::to_string(s), {Set("d", "x")}));
    ASSERT_OK(store->ApplyBatch(ops));
    crdt::HybridClock clock;
    auto local =
        store->WriteLocal(std::vector<LocalChange>{{{"v", "child", "c"}, {Set("n", "1")}, "u1", 0}},
                          clock, 2'000'000'000'000ull);
    ASSERT_OK(local);
    ops.push_back(local->front());
    high = clock.high_water();
  }
  auto store = OpenOrDie(dir.path(), TestOptions());
  auto hw = store->HlcHighWater();
  ASSERT_OK(hw);
  EXPECT_EQ(*hw, high);
  EXPECT_EQ(*store->GetVersionVector("v"), (VersionVector{{kA, 50}, {kSelf, 1}}));
  ExpectStatesEqual(*store, ops);
  // A restarted clock continues above the persisted mark, even with the wall clock in 1970.
  crdt::HybridClock clock;
  clock.Restore(*hw);
  auto next = store->WriteLocal(
      std::vector<LocalChange>{{{"v", "child", "c"}, {Set("m", "2")}, "u1", 0}}, clock, 0);
  ASSERT_OK(next);
  EXPECT_GT(next->front().stamp, high);
  EXPECT_EQ(next->front().seq, 2u);
  ExpectIntegrity(*store);
}

// Issue 14: the persisted HLC mark is only ever raised, so a node whose clock a peer (or its own
// wrong wall clock) pushed into the future kept stamping there for good. An operator resets it
// with the node stopped (docs/store.md, "Clock recovery"); later batches raise it again.
TEST(Store, PoisonedHighWaterCanBeReset) {
  TempDir dir;
  const crdt::Stamp poisoned{4'000'000'000'000ull, 7};  // the year 2096
  {
    auto store = OpenOrDie(dir.path(), TestOptions());
    crdt::HybridClock clock;
    clock.Restore(poisoned);
    ASSERT_OK(
        store->WriteLocal(std::vector<LocalChange>{{{"v", "child", "c"}, {Set("n", "1")}, "u1", 0}},
                          clock, 1'764'000'000'000ull));
    ASSERT_OK_AND_ASSIGN(crdt::Stamp hw, store->HlcHighWater());
    EXPECT_GT(hw, poisoned);
    ASSERT_OK_AND_ASSIGN(crdt::Stamp replaced, store->ResetHlcHighWater({1'764'000'000'000ull, 0}));
    EXPECT_EQ(replaced, hw);
  }
  auto store = OpenOrDie(dir.path(), TestOptions());
  ASSERT_OK_AND_ASSIGN(crdt::Stamp hw, store->HlcHighWater());
  EXPECT_EQ(hw, (crdt::Stamp{1'764'000'000'000ull, 0}));
  // The node restores the lowered mark and stamps from its wall clock again.
  crdt::HybridClock clock;
  clock.Restore(hw);
  ASSERT_OK_AND_ASSIGN(
      std::vector<Op> next,
      store->WriteLocal(std::vector<LocalChange>{{{"v", "child", "d"}, {Set("n", "2")}, "u1", 0}},
                        clock, 1'764'000'001'000ull));
  EXPECT_EQ(next.front().stamp, (crdt::Stamp{1'764'000'001'000ull, 0}));
  ASSERT_OK_AND_ASSIGN(hw, store->HlcHighWater());
  EXPECT_EQ(hw, next.front().stamp);  // raised again by what the node writes
  ExpectIntegrity(*store);
}

TEST(Store, OpenRefusesAnotherNodesStore) {
  TempDir dir;
  { auto store = OpenOrDie(dir.path(), TestOptions()); }
  StoreOptions other = TestOptions();
  other.node_id = kSelf + 1;
  EXPECT_EQ(Store::Open(dir.path(), other).status().code(), StatusCode::kFailedPrecondition);
}

TEST(Store, WriteLocalNumbersChainsAndLinksThem) {
  TempDir dir;
  auto store = OpenOrDie(dir.path(), TestOptions());
  crdt::HybridClock clock;
  std::vector<std::pair<uint64_t, uint64_t>> links;  // (previous seq or 0, seq)
  LocalOptions lo;
  lo.link = [&](const Op* previous, Op& op) {
    links.emplace_back(previous ? previous->seq : 0, op.seq);
    op.prev_hash[0] = static_cast<uint8_t>(op.seq);  // what crypto/ would fill
    return Status::Ok();
  };
  std::vector<LocalChange> changes = {{{"v1", "child", "a"}, {Set("n", "1")}, "u", 0},
                                      {{"v2", "child", "b"}, {Set("n", "1")}, "u", 0},
                                      {{"v1", "child", "c"}, {Set("n", "1")}, "u", 0}};
  auto ops = store->WriteLocal(changes, clock, 5000, lo);
  ASSERT_OK(ops);
  ASSERT_EQ(ops->size(), 3u);
  EXPECT_EQ((*ops)[0].seq, 1u);
  EXPECT_EQ((*ops)[1].seq, 1u);
  EXPECT_EQ((*ops)[2].seq, 2u);
  EXPECT_LT((*ops)[0].stamp, (*ops)[2].stamp);
  auto more = store->WriteLocal(std::vector<LocalChange>{changes[0]}, clock, 5000, lo);
  ASSERT_OK(more);
  EXPECT_EQ(more->front().seq, 3u);
  EXPECT_EQ(links, (std::vector<std::pair<uint64_t, uint64_t>>{{0, 1}, {0, 1}, {1, 2}, {2, 3}}));
  auto held = store->GetOp("v1", kSelf, 3);
  ASSERT_OK(held);
  ASSERT_TRUE(held->has_value());
  auto decoded = crdt::DecodeOp(**held);
  ASSERT_OK(decoded);
  EXPECT_EQ(*decoded, more->front());
  // Signed chain heads are kept in the same transaction, one per chain the call extended.
  lo.sign_head = [](const Op& last) -> Result<std::string> {
    return "signed-head-" + std::to_string(last.seq);
  };
  ASSERT_OK(store->WriteLocal(changes, clock, 5000, lo));
  auto head = store->GetHead("v1", kSelf);
  ASSERT_OK(head);
  ASSERT_TRUE(head->has_value());
  EXPECT_EQ((*head)->seq, 5u);
  EXPECT_EQ((*head)->head, "signed-head-5");
  EXPECT_EQ((*store->GetHead("v2", kSelf))->seq, 2u);
  lo.sign_head = [](const Op&) -> Result<std::string> { return Unauthenticated("no key"); };
  EXPECT_EQ(store->WriteLocal(changes, clock, 5000, lo).status().code(),
            StatusCode::kUnauthenticated);
  EXPECT_EQ(store->GetVersionVector("v1")->at(kSelf), 5u);
  lo.sign_head = nullptr;
  // A link failure aborts the whole call.
  lo.link = [](const Op*, Op&) { return Unauthenticated("no key"); };
  EXPECT_EQ(store->WriteLocal(changes, clock, 5000, lo).status().code(),
            StatusCode::kUnauthenticated);
  EXPECT_EQ(store->GetVersionVector("v1")->at(kSelf), 5u);
  ExpectIntegrity(*store);
}

TEST(Store, ForEachCoversATypeWithinAScopeSubtree) {
  TempDir dir;
  auto store = OpenOrDie(dir.path(), TestOptions());
  std::vector<Op> ops;
  uint64_t seq = 0;
  for (std::string scope :
       {"city", "city/t1", "city/t1/v1", "city/t1/v10", "city/t10", "city/t2"}) {
    for (std::string type : {"child", "contact"}) {
      ops.push_back(
          MakeOp(kA, scope, 1 + (type == "contact" ? 1 : 0), type, "r-" + type, {Set("n", "x")}));
    }
  }
  (void)seq;
  ASSERT_OK(store->ApplyBatch(ops));
  auto scopes_of = [&](std::string_view type, std::string_view prefix) {
    std::vector<std::string> seen;
    EXPECT_OK(
        store->ForEach(type, prefix, [&](const crdt::RecordKey& k, const crdt::RecordState& s) {
          EXPECT_EQ(k.type, type);
          EXPECT_EQ(s.Get("n"), "x");
          seen.push_back(k.scope);
          return true;
        }));
    return seen;
  };
  EXPECT_EQ(scopes_of("child", "city/t1"),
            (std::vector<std::string>{"city/t1", "city/t1/v1", "city/t1/v10"}));
  EXPECT_EQ(scopes_of("contact", "city/t1/v1"), (std::vector<std::string>{"city/t1/v1"}));
  EXPECT_EQ(scopes_of("child", "").size(), 6u);
  EXPECT_TRUE(scopes_of("report", "city").empty());
  int calls = 0;
  ASSERT_OK(store->ForEach("child", "city", [&](const crdt::RecordKey&, const crdt::RecordState&) {
    return ++calls < 2;
  }));
  EXPECT_EQ(calls, 2);
  auto scopes = store->Scopes();
  ASSERT_OK(scopes);
  EXPECT_EQ(scopes->size(), 6u);
}

TEST(Store, OpsSinceStreamsWhatThePeerLacksInChunks) {
  TempDir dir;
  auto store = OpenOrDie(dir.path(), TestOptions());
  std::vector<Op> ops;
  for (uint64_t s = 1; s <= 30; ++s)
    ops.push_back(MakeOp(kA, "v", s, "child", "c", {Set("n", std::to_string(s))}));
  for (uint64_t s = 1; s <= 12; ++s)
    ops.push_back(MakeOp(kB, "v", s, "child", "d", {Set("n", std::to_string(s))}));
  ops.push_back(MakeOp(kB, "other", 1, "child", "d", {Set("n", "o")}));
  ASSERT_OK(store->ApplyBatch(ops));
  VersionVector theirs{{kA, 10}};
  std::vector<OpBytes> got;
  for (int round = 0; round < 100; ++round) {
    auto chunk = store->OpsSince("v", theirs, 7);
    ASSERT_OK(chunk);
    EXPECT_LE(chunk->ops.size(), 7u);
    for (auto& o : chunk->ops) {
      EXPECT_EQ(o.seq, theirs[o.origin] + 1);
      theirs[o.origin] = o.seq;
      auto decoded = crdt::DecodeOp(o.bytes);
      ASSERT_OK(decoded);
      EXPECT_EQ(decoded->origin, o.origin);
      got.push_back(std::move(o));
    }
    if (!chunk->more) break;
  }
  EXPECT_EQ(got.size(), 20u + 12u);
  EXPECT_EQ(theirs, (VersionVector{{kA, 30}, {kB, 12}}));
  auto none = store->OpsSince("v", theirs);
  ASSERT_OK(none);
  EXPECT_TRUE(none->ops.empty());
  EXPECT_FALSE(none->more);
}

TEST(Store, UrgentOpsEnterTheOutboxUntilAcknowledged) {
  TempDir dir;
  auto store = OpenOrDie(dir.path(), TestOptions());
  Op urgent = MakeOp(kA, "v", 1, "report", "r1", {Set("kind", "harm")}, crdt::kOpFlagUrgent);
  Op normal = MakeOp(kA, "v", 2, "child", "c1", {Set("n", "x")});
  Op urgent_gap = MakeOp(kA, "v", 4, "report", "r2", {Set("kind", "help")}, crdt::kOpFlagUrgent);
  ApplyOptions ao;
  ao.outbox_peers = {"upstream", "city"};
  auto r = store->ApplyBatch(std::vector<Op>{urgent, normal, urgent_gap}, ao);
  ASSERT_OK(r);
  EXPECT_EQ(r->pending, 1u);
  auto up = store->Outbox("upstream");
  ASSERT_OK(up);
  ASSERT_EQ(up->size(), 2u);  // the pending urgent op is queued too: it is durably held
  EXPECT_EQ((*up)[0].id, urgent.id());
  EXPECT_EQ((*up)[0].bytes, crdt::EncodeOp(urgent));
  EXPECT_EQ((*up)[1].id, urgent_gap.id());
  ASSERT_OK(store->AckOutbox("upstream", urgent.id()));
  EXPECT_EQ(store->Outbox("upstream")->size(), 1u);
  EXPECT_EQ(store->Outbox("city")->size(), 2u);
  // Receiving it again does not queue it again.
  ASSERT_OK(store->ApplyBatch(std::vector<Op>{urgent}, ao));
  EXPECT_EQ(store->Outbox("upstream")->size(), 1u);
  ExpectIntegrity(*store);
}

TEST(Store, KeepsTheHighestChainHeadAndSmallTables) {
  TempDir dir;
  auto store = OpenOrDie(dir.path(), TestOptions());
  ApplyOptions ao;
  ao.heads = {{"v", kA, 5, "head-5"}};
  ASSERT_OK(store->ApplyBatch({}, ao));
  ao.heads = {{"v", kA, 3, "head-3"}};
  ASSERT_OK(store->ApplyBatch({}, ao));
  auto head = store->GetHead("v", kA);
  ASSERT_OK(head);
  ASSERT_TRUE(head->has_value());
  EXPECT_EQ((*head)->seq, 5u);
  EXPECT_EQ((*head)->head, "head-5");
  // Heads are kept per seq; lookups stay within their own chain.
  ao.heads = {{"v", kA, 3, "other-3"}, {"w", kB, 9, "w-9"}, {"v", kB, 1, "vb-1"}};
  ASSERT_OK(store->ApplyBatch({}, ao));
  EXPECT_EQ((*store->HeadAtOrBelow("v", kA, 4))->head, "head-3");  // the first one stays
  EXPECT_EQ((*store->HeadAtOrBelow("v", kA, 5))->head, "head-5");
  EXPECT_EQ((*store->HeadAtOrAbove("v", kA, 4))->head, "head-5");
  EXPECT_FALSE(store->HeadAtOrAbove("v", kA, 6)->has_value());
  EXPECT_FALSE(store->HeadAtOrBelow("v", kA, 2)->has_value());
  EXPECT_EQ((*store->GetHead("v", kA))->seq, 5u);  // not v/kB's head, which sorts after it
  EXPECT_EQ((*store->GetHead("w", kB))->head, "w-9");
  EXPECT_FALSE(store->GetHead("w", kA)->has_value());

  ASSERT_OK(store->SetIdentity("identity-blob"));
  EXPECT_EQ(*store->Identity(), std::optional<std::string>("identity-blob"));
  ASSERT_OK(store->PutPeer("town-3", "peer-blob"));
  EXPECT_EQ(*store->GetPeer("town-3"), std::optional<std::string>("peer-blob"));
  ASSERT_OK(store->DeletePeer("town-3"));
  EXPECT_FALSE(store->GetPeer("town-3")->has_value());
  auto first = store->AppendAudit(std::vector<std::string>{"read c1", "read c2"});
  ASSERT_OK(first);
  EXPECT_EQ(*first, 1u);
  EXPECT_EQ(*store->AppendAudit(std::vector<std::string>{"read c3"}), 3u);
  auto audit = store->ReadAudit(2, 10);
  ASSERT_OK(audit);
  ASSERT_EQ(audit->size(), 2u);
  EXPECT_EQ((*audit)[1], (std::pair<uint64_t, std::string>{3, "read c3"}));
  ExpectIntegrity(*store);
}

// Counts records per (type, scope) — the shape programme/ aggregation will take.
class CountIndexer : public Indexer {
 public:
  std::string_view name() const override { return "count"; }
  Status OnChange(const crdt::RecordKey& key, const crdt::RecordState* before,
                  const crdt::RecordState& after, IndexWriter& writer) override {
    if (fail) return Internal("indexer refused");
    bool was = before != nullptr && before->Get("status") == "active";
    bool is = after.Get("status") == "active";
    if (was == is) return Status::Ok();
    std::string k = key.type + "|" + key.scope;
    FULEI_ASSIGN_OR_RETURN(auto cur, writer.Get(k));
    int n = cur ? std::stoi(*cur) : 0;
    n += is ? 1 : -1;
    if (n == 0) return writer.Delete(k);
    return writer.Put(k, std::to_string(n));
  }
  bool fail = false;
};

std::map<std::string, std::string> IndexEntries(Store& store) {
  std::map<std::string, std::string> out;
  EXPECT_OK(store.ScanIndex("count", "", [&](std::string_view k, std::string_view v) {
    out[std::string(k)] = std::string(v);
    return true;
  }));
  return out;
}

TEST(Store, IndexesChangeInTheSameTransaction) {
  TempDir dir;
  CountIndexer counter;
  std::vector<Op> ops = {MakeOp(kA, "v", 1, "child", "c1", {Set("status", "active")}),
                         MakeOp(kA, "v", 2, "child", "c2", {Set("status", "active")})};
  {
    // Records written before the index existed are indexed when it is registered.
    auto store = OpenOrDie(dir.path(), TestOptions());
    ASSERT_OK(store->ApplyBatch(ops));
  }
  StoreOptions o = TestOptions();
  o.indexers = {&counter};
  auto store = OpenOrDie(dir.path(), o);
  EXPECT_EQ(IndexEntries(*store), (std::map<std::string, std::string>{{"child|v", "2"}}));
  ops.push_back(MakeOp(kA, "v", 3, "child", "c1", {Set("status", "closed", {ops[0].id()})}));
  ASSERT_OK(store->ApplyBatch(std::vector<Op>{ops.back()}));
  EXPECT_EQ(IndexEntries(*store), (std::map<std::string, std::string>{{"child|v", "1"}}));
  ExpectIntegrity(*store);

  counter.fail = true;  // an indexer error aborts the batch: no op, no state, no vv
  Op next = MakeOp(kA, "v", 4, "child", "c3", {Set("status", "active")});
  EXPECT_EQ(store->ApplyBatch(std::vector<Op>{next}).status().code(), StatusCode::kInternal);
  EXPECT_EQ(store->GetVersionVector("v")->at(kA), 3u);
  EXPECT_FALSE(store->Get(next.key)->has_value());
  counter.fail = false;
  ExpectIntegrity(*store);
}

// Overwrites the first value of `db` in place with raw LMDB (the store must be closed).
void Tamper(const std::string& dir, const char* db, const std::function<void(std::string&)>& edit,
            const std::function<void(std::string_view key, std::string& value)>& move = nullptr) {
  testing::RawEdit(dir, db, [&](testing::RawRows& rows) {
    ASSERT_FALSE(rows.empty());
    auto& [key, value] = rows.front();
    if (move) {
      move(key, value);
    } else {
      edit(value);
    }
    rows.resize(1);
  });
}

class SealedAndChecked : public ::testing::TestWithParam<bool> {
 protected:
  const Sealer* sealer() { return GetParam() ? &sealer_ : nullptr; }
  testing::DataKeySealer sealer_;
};

// Bad bytes are never returned: a state that does not read is replayed from the op log (and
// quarantined, tests/store/store_quarantine_test.cc), so a read sees the record's true state.
TEST_P(SealedAndChecked, FlippedOrMovedBytesAreNeverData) {
  TempDir dir;
  std::vector<Op> ops = {MakeOp(kA, "v", 1, "child", "c1", {Set("n", "x")}),
                         MakeOp(kA, "v", 2, "child", "c2", {Set("n", "y")})};
  crdt::RecordState c1;
  c1.Apply(ops[0]);
  {
    auto store = OpenOrDie(dir.path(), TestOptions(sealer()));
    ASSERT_OK(store->ApplyBatch(ops));
  }
  Tamper(dir.path(), "state", [](std::string& v) { v[v.size() / 2] ^= 0x20; });
  {
    auto store = OpenOrDie(dir.path(), TestOptions(sealer()));
    auto report = store->CheckIntegrity();
    ASSERT_OK(report);
    EXPECT_FALSE(report->ok());
    auto got = store->Get(ops[0].key);
    ASSERT_OK(got);
    ASSERT_TRUE(got->has_value());
    EXPECT_EQ((*got)->Encode(), c1.Encode());
    EXPECT_OK(store->Get(ops[1].key));
  }
  // c2's (good) state value copied under c1's key: the value is intact but misplaced.
  TempDir dir2;
  {
    auto store = OpenOrDie(dir2.path(), TestOptions(sealer()));
    ASSERT_OK(store->ApplyBatch(ops));
  }
  std::string c2_value;
  {
    auto held = testing::RawGet(dir2.path(), "state", internal::StateKey(ops[1].key));
    ASSERT_TRUE(held.has_value());
    c2_value = *held;
  }
  Tamper(dir2.path(), "state", nullptr,
         [&](std::string_view, std::string& value) { value = c2_value; });
  auto store = OpenOrDie(dir2.path(), TestOptions(sealer()));
  auto got = store->Get(ops[0].key);  // c1's own state, not c2's moved under its key
  ASSERT_OK(got);
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->Encode(), c1.Encode());
}

TEST_P(SealedAndChecked, TornOpLogValueIsReported) {
  TempDir dir;
  std::vector<Op> ops = {MakeOp(kA, "v", 1, "child", "c1", {Set("n", "x")})};
  {
    auto store = OpenOrDie(dir.path(), TestOptions(sealer()));
    ASSERT_OK(store->ApplyBatch(ops));
  }
  Tamper(dir.path(), "ops", [](std::string& v) { v.resize(v.size() - 3); });
  auto store = OpenOrDie(dir.path(), TestOptions(sealer()));
  auto report = store->CheckIntegrity();
  ASSERT_OK(report);
  EXPECT_FALSE(report->ok());
  // Never returned; quarantined (another origin's op: dropped, to be fetched again).
  auto got = store->GetOp("v", kA, 1);
  ASSERT_OK(got);
  EXPECT_FALSE(got->has_value());
  auto since = store->OpsSince("v", {});
  ASSERT_OK(since);
  EXPECT_TRUE(since->ops.empty());
  auto quarantined = store->Quarantined();
  ASSERT_OK(quarantined);
  ASSERT_EQ(quarantined->count, 1u);
  EXPECT_EQ(quarantined->entries[0].key, "v/" + std::to_string(kA) + "/1");
}

INSTANTIATE_TEST_SUITE_P(Store, SealedAndChecked, ::testing::Bool(),
                         [](const auto& p) { return p.param ? "Sealed" : "Checked"; });

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(Store, SealedStoreHoldsNoNameInItsFile) {
  TempDir dir;
  testing::DataKeySealer sealer;
  const std::string name = "王小蕾-Wang-Xiaolei";
  // A long run of one letter survives value packing as contiguous bytes (see the control).
  const std::string marker = std::string(64, 'Z');
  const std::string run = std::string(16, 'Z');
  {
    auto store = OpenOrDie(dir.path(), TestOptions(&sealer));
    std::vector<Op> ops;
    for (uint64_t s = 1; s <= 20; ++s) {
      ops.push_back(MakeOp(kA, "v", s, "child", "c" + std::to_string(s),
                           {Set("name", name), Set("note", marker)}));
    }
    ASSERT_OK(store->ApplyBatch(ops));
    crdt::HybridClock clock;
    ASSERT_OK(store->WriteLocal(
        std::vector<LocalChange>{{{"v", "child", "c1"}, {Set("guardian", name)}, "u", 0}}, clock,
        1000));
    ASSERT_OK(store->SetIdentity("identity of " + name));
    ASSERT_OK(store->PutPeer("p", name));
    ASSERT_OK(store->AppendAudit(std::vector<std::string>{"viewed " + name}));
    auto got = store->Get({"v", "child", "c3"});
    ASSERT_OK(got);
    EXPECT_EQ((*got)->Get("name"), name);  // readable through the store
    ASSERT_OK(store->Backup(dir.sub("backup")));
  }
  for (const auto& file : {dir.path() + "/data.mdb", dir.sub("backup") + "/data.mdb"}) {
    std::string bytes = ReadFile(file);
    ASSERT_GT(bytes.size(), 0u) << file;
    EXPECT_EQ(bytes.find(name), std::string::npos) << file;
    EXPECT_EQ(bytes.find("Xiaolei"), std::string::npos) << file;
    EXPECT_EQ(bytes.find(run), std::string::npos) << file;
  }
  // The same store without sealing, as a control: the name is there in clear.
  TempDir plain;
  {
    auto store = OpenOrDie(plain.path(), TestOptions());
    ASSERT_OK(store->ApplyBatch(std::vector<Op>{
        MakeOp(kA, "v", 1, "child", "c", {Set("name", name), Set("note", marker)})}));
  }
  EXPECT_NE(ReadFile(plain.path() + "/data.mdb").find(run), std::string::npos);
}

TEST(Store, SealedStoreRefusesTheWrongKeyAndNoKey) {
  TempDir dir;
  testing::DataKeySealer sealer, other;
  { auto store = OpenOrDie(dir.path(), TestOptions(&sealer)); }
  EXPECT_EQ(Store::Open(dir.path(), TestOptions(&other)).status().code(),
            StatusCode::kUnauthenticated);
  EXPECT_EQ(Store::Open(dir.path(), TestOptions()).status().code(),
            StatusCode::kFailedPrecondition);
  TempDir plain;
  { auto store = OpenOrDie(plain.path(), TestOptions()); }
  EXPECT_EQ(Store::Open(plain.path(), TestOptions(&sealer)).status().code(),
            StatusCode::kFailedPrecondition);
}

TEST(Store, HotBackupIsACompactConsistentCopy) {
  TempDir dir;
  testing::DataKeySealer sealer;
  auto store = OpenOrDie(dir.path(), TestOptions(&sealer));
  std::vector<Op> ops;
  for (uint64_t s = 1; s <= 300; ++s)
    ops.push_back(MakeOp(kA, "v", s, "child", "c" + std::to_string(s % 40),
                         {Set("n", std::string(100, 'x'))}));
  ASSERT_OK(store->ApplyBatch(ops));
  ASSERT_OK(store->Backup(dir.sub("b1")));
  EXPECT_EQ(store->Backup(dir.sub("b1")).code(), StatusCode::kAlreadyExists);
  // Writes go on after the backup; the backup keeps its moment.
  ASSERT_OK(
      store->ApplyBatch(std::vector<Op>{MakeOp(kB, "v", 1, "child", "new", {Set("n", "y")})}));
  StoreOptions o = TestOptions(&sealer);
  auto backup = OpenOrDie(dir.sub("b1"), o);
  EXPECT_EQ(*backup->GetVersionVector("v"), (VersionVector{{kA, 300}}));
  ExpectStatesEqual(*backup, ops);
  ExpectIntegrity(*backup);
}

// The daemon copies on another thread while its event loop goes on writing (Store::Backup is
// the store's one thread-safe call): the copy is the store as of one committed batch, whole.
TEST(Store, BackupOnAnotherThreadWhileWritesGoOnIsOneCommittedMoment) {
  TempDir dir;
  testing::DataKeySealer sealer;
  auto store = OpenOrDie(dir.path(), TestOptions(&sealer));
  constexpr uint64_t kBatch = 50, kBatches = 40;
  std::vector<Op> ops;
  for (uint64_t s = 1; s <= kBatch * kBatches; ++s)
    ops.push_back(MakeOp(kA, "v", s, "child", "c" + std::to_string(s % 60),
                         {Set("n", std::to_string(s) + std::string(200, 'x'))}));
  ASSERT_OK(store->ApplyBatch(std::vector<Op>(ops.begin(), ops.begin() + kBatch)));
  Status copied;
  std::thread copier([&] { copied = store->Backup(dir.sub("b")); });
  for (uint64_t b = 1; b < kBatches; ++b) {
    ASSERT_OK(
        store->ApplyBatch(std::vector<Op>(ops.begin() + static_cast<long>(b * kBatch),
                                          ops.begin() + static_cast<long>((b + 1) * kBatch))));
  }
  copier.join();
  ASSERT_OK(copied);
  auto backup = OpenOrDie(dir.sub("b"), TestOptions(&sealer));
  const uint64_t held = backup->GetVersionVector("v")->at(kA);
  EXPECT_GE(held, kBatch);
  EXPECT_EQ(held % kBatch, 0u) << "a batch is in the copy whole or not at all";
  ExpectStatesEqual(*backup, std::vector<Op>(ops.begin(), ops.begin() + static_cast<long>(held)));
  ExpectIntegrity(*backup);
  // The store itself went on: it holds every batch.
  EXPECT_EQ(store->GetVersionVector("v")->at(kA), kBatch * kBatches);
}

// A restore (fulei restore): the backup of node kSelf's store becomes the store of a newly
// enrolled node, which holds no ops of its own in it; the old node's ops stay as any origin's.
TEST(Store, AdoptedBackupOpensOnlyForItsNewNode) {
  TempDir dir;
  testing::DataKeySealer sealer;
  crdt::HybridClock clock;
  {
    auto store = OpenOrDie(dir.path(), TestOptions(&sealer));
    ASSERT_OK(
        store->WriteLocal(std::vector<LocalChange>{{{"v", "child", "c"}, {Set("n", "1")}, "u1", 0}},
                          clock, 2'000'000'000'000ull));
    ASSERT_OK(store->Backup(dir.sub("b")));
  }
  constexpr crdt::NodeId kNew = 0x77;
  StoreOptions tool = TestOptions(&sealer);
  tool.node_id = 0;
  {
    auto restored = OpenOrDie(dir.sub("b"), tool);
    EXPECT_EQ(restored->Adopt(kSelf).code(), StatusCode::kFailedPrecondition);  // holds its ops
    ASSERT_OK(restored->Adopt(kNew));
  }
  EXPECT_EQ(Store::Open(dir.sub("b"), TestOptions(&sealer)).status().code(),
            StatusCode::kFailedPrecondition);  // no longer kSelf's
  StoreOptions mine = TestOptions(&sealer);
  mine.node_id = kNew;
  auto store = OpenOrDie(dir.sub("b"), mine);
  EXPECT_EQ(store->Adopt(0x78).code(), StatusCode::kFailedPrecondition);  // opened for a node
  auto next =
      store->WriteLocal(std::vector<LocalChange>{{{"v", "child", "c"}, {Set("m", "2")}, "u1", 0}},
                        clock, 2'000'000'000'100ull);
  ASSERT_OK(next);
  EXPECT_EQ(next->front().origin, kNew);
  EXPECT_EQ(next->front().seq, 1u);
  EXPECT_EQ(*store->GetVersionVector("v"), (VersionVector{{kSelf, 1}, {kNew, 1}}));
  ExpectIntegrity(*store);
}

TEST(Store, IntegrityCheckFindsAStateThatDiffersFromItsOps) {
  TempDir dir;
  std::vector<Op> ops = {MakeOp(kA, "v", 1, "child", "c1", {Set("n", "x")}),
                         MakeOp(kA, "v", 2, "child", "c2", {Set("n", "y")})};
  {
    auto store = OpenOrDie(dir.path(), TestOptions());
    ASSERT_OK(store->ApplyBatch(ops));
  }
  // Replace c1's state with a well-formed, correctly checksummed, but wrong state.
  crdt::RecordState wrong;
  wrong.Apply(MakeOp(kA, "v", 1, "child", "c1", {Set("n", "tampered")}));
  std::string key = internal::StateKey(ops[0].key);
  std::string framed = internal::Checked("state", key, wrong.EncodeCompact());
  Tamper(dir.path(), "state", nullptr, [&](std::string_view k, std::string& v) {
    ASSERT_EQ(k, key);
    v = framed;
  });
  auto store = OpenOrDie(dir.path(), TestOptions());
  auto report = store->CheckIntegrity();
  ASSERT_OK(report);
  ASSERT_FALSE(report->ok());
  EXPECT_NE(report->problems.front().find("replay"), std::string::npos) << report->problems.front();
}

}  // namespace
}  // namespace fulei::store
