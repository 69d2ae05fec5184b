// Receipts of urgent ops (sync/receipts.h): who writes one, and end to end at the protocol
// level that they travel back to the origin — exactly one per (op, receiving node), none for a
// node's own ops, none for receipts — on the urgent lane, and that a receipt survives a crash
// between holding the op and writing it.
#include "sync/receipts.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "crdt/codec.h"
#include "sync/session.h"
#include "tests/support/status_matchers.h"
#include "tests/sync/sync_fixture.h"

namespace fulei::sync {
namespace {

using testing::kCity;
using testing::kNow;
using testing::kTown;
using testing::kVillage;
using testing::SyncTest;

using ReceiptsTest = SyncTest;

TEST(Receipts, WhoWritesOne) {
  crdt::Op op;
  op.origin = 7;
  op.seq = 3;
  op.key = {kVillage, "report", "r1"};
  op.flags = crdt::kOpFlagUrgent;
  EXPECT_TRUE(WantsReceipt(op, 9, kTown));
  EXPECT_TRUE(WantsReceipt(op, 9, kCity));
  EXPECT_FALSE(WantsReceipt(op, 7, kTown));                  // its own op
  EXPECT_FALSE(WantsReceipt(op, 9, "jinjiang/cizao/v013"));  // may not write the scope
  op.key.type = kReceiptType;
  EXPECT_FALSE(WantsReceipt(op, 9, kTown));  // receipts get no receipts
  op.key.type = "report";
  op.flags = 0;
  EXPECT_FALSE(WantsReceipt(op, 9, kTown));  // ordinary ops get none
  EXPECT_EQ(ReceiptKey(op, 9).id, "0000000000000007.3@0000000000000009");
}

// Issue 14, defect 1: a receipt tells the reporter "the city has it"; an erased op carries no
// body, so it never gets one (tests/sync/session_erasure_test.cc: end to end).
TEST(Receipts, NoReceiptForAnErasedBody) {
  crdt::Op op;
  op.origin = 7;
  op.seq = 3;
  op.key = {kVillage, "report", "r1"};
  op.flags = crdt::kOpFlagUrgent;
  ASSERT_TRUE(WantsReceipt(op, 9, kCity));
  op.erased = true;
  EXPECT_FALSE(WantsReceipt(op, 9, kCity));
  op.erasure = "an authorisation: it does not bring the body back";
  EXPECT_FALSE(WantsReceipt(op, 9, kCity));
}

TEST_F(ReceiptsTest, TownReceiptTravelsBackToTheVillageOnTheUrgentLane) {
  auto& village = AddNode(kVillage, crypto::Role::kVillage);
  auto& town = AddNode(kTown, crypto::Role::kTown);
  for (int i = 0; i < 120; ++i) village.Set(kVillage, "child", "c" + std::to_string(i), "g", "4");
  village.Set(kVillage, "report", "r1", "category", "neglect", crdt::kOpFlagUrgent, {"up"});
  auto c = MakeLaneSession(village, town, {.upstream = true});
  auto p = MakeLaneSession(town, village, {});
  PipeStats stats;
  ASSERT_OK(Pipe(*c, *p, &stats));

  auto receipts = Receipts(village, "report", "r1");
  ASSERT_EQ(receipts.size(), 1u);
  EXPECT_EQ(receipts[0].unit, kTown);
  EXPECT_EQ(receipts[0].node, town.id());
  EXPECT_EQ(receipts[0].origin, village.id());
  EXPECT_EQ(receipts[0].received_ms, kNow);
  EXPECT_EQ(Receipts(town, "report", "r1"), receipts);
  EXPECT_EQ(p->stats().receipts_written, 1u);
  EXPECT_EQ(c->stats().receipts_written, 0u);  // no receipt for the receipt
  EXPECT_EQ(OutboxSize(village, "up"), 0u);
  EXPECT_EQ(OutboxSize(town, DownOutbox(kVillage)), 0u);

  // The town's first ops message is the urgent batch carrying the receipt, before any
  // ordinary batch of the town.
  bool seen_receipt = false;
  for (const auto& [side, o] : stats.log) {
    if (side != 1) continue;
    auto m = DecodeMessage(o.bytes);
    ASSERT_OK(m);
    if (!std::holds_alternative<OpsBatch>(*m)) continue;
    const OpsBatch& b = std::get<OpsBatch>(*m);
    ASSERT_TRUE(b.urgent) << "an ordinary batch went before the receipt";
    EXPECT_EQ(o.priority, Priority::kUrgent);
    auto op = crdt::DecodeOp(b.ops.back());
    ASSERT_OK(op);
    EXPECT_EQ(op->key.type, kReceiptType);
    seen_receipt = true;
    break;
  }
  EXPECT_TRUE(seen_receipt);

  // A new session resends nothing urgent and writes no second receipt.
  auto c2 = MakeLaneSession(village, town, {.upstream = true});
  auto p2 = MakeLaneSession(town, village, {});
  ASSERT_OK(Pipe(*c2, *p2));
  EXPECT_EQ(ReceiptRecords(town), 1u);
  EXPECT_EQ(ReceiptRecords(village), 1u);
}

TEST_F(ReceiptsTest, CityReceiptComesDownThroughTheTown) {
  auto& village = AddNode(kVillage, crypto::Role::kVillage);
  auto& town = AddNode(kTown, crypto::Role::kTown);
  auto& city = AddNode(kCity, crypto::Role::kCity);
  // The town and the city are connected first (idle), then the village files its report.
  auto tc = MakeLaneSession(town, city, {.upstream = true});
  auto ct = MakeLaneSession(city, town, {});
  ASSERT_OK(Pipe(*tc, *ct));
  village.Set(kVillage, "report", "r1", "category", "abuse", crdt::kOpFlagUrgent, {"up"});
  auto vt = MakeLaneSession(village, town, {.upstream = true});
  auto tv = MakeLaneSession(town, village, {.self_has_upstream = true});
  for (int round = 0; round < 10; ++round) {
    ASSERT_OK(Pipe(*vt, *tv));
    Relay(*tv, {tc.get()});
    ASSERT_OK(Pipe(*tc, *ct));
    Relay(*tc, {tv.get()});
  }
  auto receipts = Receipts(village, "report", "r1");
  ASSERT_EQ(receipts.size(), 2u);
  std::set<std::string> units{receipts[0].unit, receipts[1].unit};
  EXPECT_EQ(units, (std::set<std::string>{kTown, kCity}));
  EXPECT_EQ(ReceiptRecords(city), 2u);
  EXPECT_EQ(ReceiptRecords(town), 2u);
  for (auto* n : {&village, &town, &city}) {
    EXPECT_EQ(OutboxSize(*n, "up"), 0u) << n->unit;
    EXPECT_EQ(OutboxSize(*n, DownOutbox(kVillage)), 0u) << n->unit;
  }
  // The city's receipt reached the village on the urgent lane (the town's down outbox), not
  // only by ordinary sync: the town relayed it and the village acknowledged it.
  EXPECT_GE(tv->stats().urgent_acked, 2u);
}

TEST_F(ReceiptsTest, ReceiptWrittenWhenTheOpIsResentAfterACrashBeforeTheReceipt) {
  auto& village = AddNode(kVillage, crypto::Role::kVillage);
  auto& town = AddNode(kTown, crypto::Role::kTown);
  village.Set(kVillage, "report", "r1", "category", "neglect", crdt::kOpFlagUrgent, {"up"});
  {
    // The town holds the op but "crashes" before its receipt and its ack: no receipts written,
    // the UrgentAck never reaches the village.
    auto c = MakeLaneSession(village, town, {.upstream = true});
    auto p = MakeLaneSession(town, village, {.receipts = false});
    ASSERT_OK(Pipe(*c, *p, nullptr, [](int side, Outgoing& o) {
      if (side == 1 && o.priority == Priority::kUrgent) {
        auto m = DecodeMessage(o.bytes);
        if (m.ok() && std::holds_alternative<UrgentAck>(*m)) o.bytes.clear();
      }
    }));
  }
  EXPECT_EQ(OutboxSize(village, "up"), 1u);
  EXPECT_EQ(ReceiptRecords(town), 0u);
  auto c = MakeLaneSession(village, town, {.upstream = true});
  auto p = MakeLaneSession(town, village, {});
  ASSERT_OK(Pipe(*c, *p));
  EXPECT_EQ(OutboxSize(village, "up"), 0u);
  EXPECT_EQ(Receipts(village, "report", "r1").size(), 1u);
  EXPECT_EQ(ReceiptRecords(town), 1u);
}

TEST_F(ReceiptsTest, NoReceiptForOwnOpsAndNoneForReceipts) {
  auto& village = AddNode(kVillage, crypto::Role::kVillage);
  auto& town = AddNode(kTown, crypto::Role::kTown);
  // The town changes the report's status (urgent), routed down to the village.
  town.Set(kVillage, "report", "r1", "status", "police informed", crdt::kOpFlagUrgent,
           {DownOutbox(kVillage)});
  auto c = MakeLaneSession(village, town, {.upstream = true});
  auto p = MakeLaneSession(town, village, {});
  ASSERT_OK(Pipe(*c, *p));
  // The village holds the town's op and writes its receipt, which travels up; the town writes
  // no receipt for its own op coming back, nor for the village's receipt.
  auto receipts = Receipts(town, "report", "r1");
  ASSERT_EQ(receipts.size(), 1u);
  EXPECT_EQ(receipts[0].unit, kVillage);
  EXPECT_EQ(ReceiptRecords(town), 1u);
  EXPECT_EQ(ReceiptRecords(village), 1u);
  EXPECT_EQ(p->stats().receipts_written, 0u);
  EXPECT_EQ(OutboxSize(town, DownOutbox(kVillage)), 0u);
  EXPECT_EQ(OutboxSize(village, "up"), 0u);
}

}  // namespace
}  // namespace fulei::sync
