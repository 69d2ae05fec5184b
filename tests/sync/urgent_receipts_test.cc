// Urgent ops end to end at the protocol level: receipts travel back to the origin (exactly one
// per (op, receiving node), none for a node's own ops, none for receipts), downstream outboxes
// carry urgent ops towards a scope's node, a receipt survives a crash between holding the op
// and writing it, and an urgent-only session (a village's second upstream) moves urgent ops
// and nothing else.
#include <gtest/gtest.h>

#include "crdt/codec.h"
#include "crypto/revocation.h"
#include "sync/receipts.h"
#include "sync/scopes.h"
#include "sync/session.h"
#include "tests/sync/sync_fixture.h"

namespace fulei::sync {
namespace {

using testing::kCity;
using testing::kNow;
using testing::kTown;
using testing::kVillage;
using testing::SyncTest;
using testing::TestNode;

class UrgentTest : public SyncTest {
 protected:
  struct Options {
    bool upstream = false;           // the peer is self's upstream
    bool self_has_upstream = false;  // self relays urgent ops from below to "up"
    bool urgent_only = false;
    bool receipts = true;
  };

  std::unique_ptr<Session> Make(TestNode& self, TestNode& peer, Options o) {
    SessionConfig c;
    c.self_node = self.id();
    c.self_unit = self.unit;
    c.max_batch_ops = 50;
    c.clock = &self.clock;
    c.urgent_only = o.urgent_only;
    if (o.receipts) c.receipts = self.writer.get();
    if (o.upstream) {
      c.outbox_peer = "up";
      c.relay_down = true;
      c.receipt_outboxes = {"up"};
    } else {
      c.drain_down = true;
      if (o.self_has_upstream) c.relay_outboxes = {"up"};
    }
    auto s = std::make_unique<Session>(*self.store, trust_, *self.certs, c,
                                       PeerIdentity{peer.id(), peer.unit});
    EXPECT_TRUE(s->Start(kNow).ok());
    return s;
  }

  std::vector<Receipt> Receipts(TestNode& n, const std::string& type, const std::string& id) {
    auto r = ReceiptsFor(*n.store, kVillage, type, id);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::vector<Receipt>{};
  }

  size_t ReceiptRecords(TestNode& n) {
    size_t count = 0;
    EXPECT_TRUE(n.store
                    ->ForEach(kReceiptType, "",
                              [&](const crdt::RecordKey&, const crdt::RecordState&) {
                                ++count;
                                return true;
                              })
                    .ok());
    return count;
  }

  size_t OutboxSize(TestNode& n, const std::string& outbox) {
    auto o = n.store->Outbox(outbox);
    EXPECT_TRUE(o.ok());
    return o.ok() ? o->size() : 0;
  }

  // What a node does after a session brought something in: its other sessions pass it on.
  static void Relay(Session& from, std::initializer_list<Session*> others) {
    auto changed = from.TakeChangedScopes();
    const bool urgent = from.TakeUrgentArrived();
    for (Session* s : others) {
      for (const auto& scope : changed) ASSERT_TRUE(s->OnLocalChange(scope).ok());
      if (urgent) {
        ASSERT_TRUE(s->OnUrgent().ok());
      }
    }
  }
};

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
  EXPECT_EQ(DownOutbox(kVillage), std::string("down:") + kVillage);
  EXPECT_EQ(DownOutbox(std::string(300, 'a')), "");
}

TEST_F(UrgentTest, TownReceiptTravelsBackToTheVillageOnTheUrgentLane) {
  auto& village = AddNode(kVillage, crypto::Role::kVillage);
  auto& town = AddNode(kTown, crypto::Role::kTown);
  for (int i = 0; i < 120; ++i) village.Set(kVillage, "child", "c" + std::to_string(i), "g", "4");
  village.Set(kVillage, "report", "r1", "category", "neglect", crdt::kOpFlagUrgent, {"up"});
  auto c = Make(village, town, {.upstream = true});
  auto p = Make(town, village, {});
  PipeStats stats;
  ASSERT_TRUE(Pipe(*c, *p, &stats).ok());

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
    ASSERT_TRUE(m.ok());
    if (!std::holds_alternative<OpsBatch>(*m)) continue;
    const OpsBatch& b = std::get<OpsBatch>(*m);
    ASSERT_TRUE(b.urgent) << "an ordinary batch went before the receipt";
    EXPECT_EQ(o.priority, Priority::kUrgent);
    auto op = crdt::DecodeOp(b.ops.back());
    ASSERT_TRUE(op.ok());
    EXPECT_EQ(op->key.type, kReceiptType);
    seen_receipt = true;
    break;
  }
  EXPECT_TRUE(seen_receipt);

  // A new session resends nothing urgent and writes no second receipt.
  auto c2 = Make(village, town, {.upstream = true});
  auto p2 = Make(town, village, {});
  ASSERT_TRUE(Pipe(*c2, *p2).ok());
  EXPECT_EQ(ReceiptRecords(town), 1u);
  EXPECT_EQ(ReceiptRecords(village), 1u);
}

TEST_F(UrgentTest, CityReceiptComesDownThroughTheTown) {
  auto& village = AddNode(kVillage, crypto::Role::kVillage);
  auto& town = AddNode(kTown, crypto::Role::kTown);
  auto& city = AddNode(kCity, crypto::Role::kCity);
  // The town and the city are connected first (idle), then the village files its report.
  auto tc = Make(town, city, {.upstream = true});
  auto ct = Make(city, town, {});
  ASSERT_TRUE(Pipe(*tc, *ct).ok());
  village.Set(kVillage, "report", "r1", "category", "abuse", crdt::kOpFlagUrgent, {"up"});
  auto vt = Make(village, town, {.upstream = true});
  auto tv = Make(town, village, {.self_has_upstream = true});
  for (int round = 0; round < 10; ++round) {
    ASSERT_TRUE(Pipe(*vt, *tv).ok());
    Relay(*tv, {tc.get()});
    ASSERT_TRUE(Pipe(*tc, *ct).ok());
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

// A drain_down session lists the scopes whose down outboxes it drains once, and again only when
// it learns of a scope its list lacks: an urgent op in a scope the node did not hold when the
// session started goes down at once (here the city flags a village's case while its session
// with the town is idle).
TEST_F(UrgentTest, DownOutboxOfAScopeNewSinceTheSessionStartedIsDrained) {
  auto& town = AddNode(kTown, crypto::Role::kTown);
  auto& city = AddNode(kCity, crypto::Role::kCity);
  auto tc = Make(town, city, {.upstream = true});
  auto ct = Make(city, town, {});
  ASSERT_TRUE(Pipe(*tc, *ct).ok());
  ASSERT_TRUE(ct->OnUrgent().ok());  // nothing to drain yet
  EXPECT_TRUE(ct->TakeOutgoing().empty());

  city.Set(kVillage, "case", "k1", "overdue", "1", crdt::kOpFlagUrgent, {DownOutbox(kVillage)});
  ASSERT_TRUE(ct->OnLocalChange(kVillage).ok());
  ASSERT_TRUE(ct->OnUrgent().ok());
  ASSERT_TRUE(Pipe(*tc, *ct).ok());
  EXPECT_EQ(ct->stats().urgent_sent, 1u);
  EXPECT_EQ(ct->stats().urgent_acked, 1u);
  EXPECT_EQ(OutboxSize(city, DownOutbox(kVillage)), 0u);
  EXPECT_GE(OutboxSize(town, DownOutbox(kVillage)), 1u);  // on its way down to the village
}

TEST_F(UrgentTest, ReceiptWrittenWhenTheOpIsResentAfterACrashBeforeTheReceipt) {
  auto& village = AddNode(kVillage, crypto::Role::kVillage);
  auto& town = AddNode(kTown, crypto::Role::kTown);
  village.Set(kVillage, "report", "r1", "category", "neglect", crdt::kOpFlagUrgent, {"up"});
  {
    // The town holds the op but "crashes" before its receipt and its ack: no receipts written,
    // the UrgentAck never reaches the village.
    auto c = Make(village, town, {.upstream = true});
    auto p = Make(town, village, {.receipts = false});
    ASSERT_TRUE(Pipe(*c, *p, nullptr, [](int side, Outgoing& o) {
                  if (side == 1 && o.priority == Priority::kUrgent) {
                    auto m = DecodeMessage(o.bytes);
                    if (m.ok() && std::holds_alternative<UrgentAck>(*m)) o.bytes.clear();
                  }
                }).ok());
  }
  EXPECT_EQ(OutboxSize(village, "up"), 1u);
  EXPECT_EQ(ReceiptRecords(town), 0u);
  auto c = Make(village, town, {.upstream = true});
  auto p = Make(town, village, {});
  ASSERT_TRUE(Pipe(*c, *p).ok());
  EXPECT_EQ(OutboxSize(village, "up"), 0u);
  EXPECT_EQ(Receipts(village, "report", "r1").size(), 1u);
  EXPECT_EQ(ReceiptRecords(town), 1u);
}

TEST_F(UrgentTest, NoReceiptForOwnOpsAndNoneForReceipts) {
  auto& village = AddNode(kVillage, crypto::Role::kVillage);
  auto& town = AddNode(kTown, crypto::Role::kTown);
  // The town changes the report's status (urgent), routed down to the village.
  town.Set(kVillage, "report", "r1", "status", "police informed", crdt::kOpFlagUrgent,
           {DownOutbox(kVillage)});
  auto c = Make(village, town, {.upstream = true});
  auto p = Make(town, village, {});
  ASSERT_TRUE(Pipe(*c, *p).ok());
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

TEST_F(UrgentTest, UrgentOnlySessionMovesUrgentOpsAndNothingElse) {
  auto& village = AddNode(kVillage, crypto::Role::kVillage);
  auto& city = AddNode(kCity, crypto::Role::kCity);
  for (int i = 0; i < 30; ++i) village.Set(kVillage, "child", "c" + std::to_string(i), "g", "4");
  city.Set(kCity, "org", "o1", "name", "city registry entry");
  village.Set(kVillage, "report", "r1", "category", "neglect", crdt::kOpFlagUrgent, {"up"});
  auto c = Make(village, city, {.upstream = true, .urgent_only = true});
  auto p = Make(city, village, {});
  PipeStats stats;
  ASSERT_TRUE(Pipe(*c, *p, &stats).ok());
  EXPECT_TRUE(c->idle());
  EXPECT_TRUE(p->idle());
  EXPECT_TRUE(p->urgent_only());
  for (const auto& [side, o] : stats.log) {
    auto m = DecodeMessage(o.bytes);
    ASSERT_TRUE(m.ok());
    EXPECT_FALSE(std::holds_alternative<Vectors>(*m));
    if (std::holds_alternative<OpsBatch>(*m)) {
      EXPECT_TRUE(std::get<OpsBatch>(*m).urgent);
    }
  }
  // The report is held at the city (pending behind the 30 ordinary ops it lacks), and the
  // city's receipt came straight back.
  auto held = city.store->GetOp(kVillage, village.id(), 31);
  ASSERT_TRUE(held.ok());
  EXPECT_TRUE(held->has_value());
  EXPECT_EQ(Vv(city, kVillage)[village.id()], 0u);
  auto receipts = Receipts(village, "report", "r1");
  ASSERT_EQ(receipts.size(), 1u);
  EXPECT_EQ(receipts[0].unit, kCity);
  EXPECT_EQ(OutboxSize(village, "up"), 0u);
  // Later local changes are not pushed on an urgent-only session.
  village.Set(kVillage, "child", "c99", "g", "5");
  ASSERT_TRUE(c->OnLocalChange(kVillage).ok());
  EXPECT_TRUE(c->TakeOutgoing().empty());
  // A full session afterwards fills the gap and merges the report.
  auto c2 = Make(village, city, {.upstream = true});
  auto p2 = Make(city, village, {});
  ASSERT_TRUE(Pipe(*c2, *p2).ok());
  EXPECT_EQ(Vv(city, kVillage), Vv(village, kVillage));
  auto pending = city.store->PendingCount();
  ASSERT_TRUE(pending.ok());
  EXPECT_EQ(*pending, 0u);
  EXPECT_EQ(ReceiptRecords(city), 1u);
}

TEST_F(UrgentTest, RevokedOriginsQueuedReportLeavesTheOutboxUnsent) {
  auto& city = AddNode(kCity, crypto::Role::kCity);
  auto& town = AddNode(kTown, crypto::Role::kTown);
  auto& village = AddNode(kVillage, crypto::Role::kVillage);
  village.Set(kVillage, "report", "r1", "category", "neglect", crdt::kOpFlagUrgent, {"up"});
  {
    auto c = Make(village, town, {.upstream = true});
    auto p = Make(town, village, {.self_has_upstream = true});
    ASSERT_TRUE(Pipe(*c, *p).ok());
  }
  ASSERT_EQ(OutboxSize(town, "up"), 1u);  // held for the city, which is unreachable
  // The village is revoked before the town reaches the city (here: one shared trust store).
  auto list = crypto::SignRevocationList({1, kNow, {village.id()}}, root_);
  ASSERT_TRUE(list.ok());
  ASSERT_TRUE(trust_.InstallRevocations(*list).ok());
  town.Set(kTown, "org", "o1", "name", "town volunteers");
  auto c = Make(town, city, {.upstream = true});
  auto p = Make(city, town, {});
  Status st = Pipe(*c, *p);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(OutboxSize(town, "up"), 0u) << "an entry that can never leave is dropped";
  EXPECT_EQ(c->stats().urgent_dropped_revoked, 1u);
  EXPECT_EQ(c->stats().urgent_sent, 0u);
  EXPECT_EQ(Vv(city, kVillage)[village.id()], 0u);  // nothing of the revoked origin went up
  EXPECT_EQ(Vv(city, kTown)[town.id()], 1u);        // and the session went on
  auto held = town.store->Get({kVillage, "report", "r1"});
  ASSERT_TRUE(held.ok());
  EXPECT_TRUE(held->has_value()) << "the report itself stays held at the town";
}

}  // namespace
}  // namespace fulei::sync
