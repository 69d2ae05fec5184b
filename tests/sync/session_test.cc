// Protocol unit tests: digests, vector diffs, batches and resume, relaying, urgent first, the
// urgent lane (down outboxes, urgent-only sessions, revoked origins), and every rejection path
// (nothing applied, session closes).
#include "sync/session.h"

#include <gtest/gtest.h>

#include "crdt/codec.h"
#include "crypto/op_chain.h"
#include "crypto/revocation.h"
#include "tests/support/status_matchers.h"
#include "tests/sync/sync_fixture.h"

namespace fulei::sync {
namespace {

using testing::kCity;
using testing::kNow;
using testing::kTown;
using testing::kVillage;
using testing::SyncTest;

TEST(Digest, HashIgnoresZeroEntriesAndSeesEveryChange) {
  store::VersionVector a{{1, 5}, {2, 7}};
  store::VersionVector b{{1, 5}, {2, 7}, {3, 0}};
  EXPECT_EQ(HashVector(a), HashVector(b));
  store::VersionVector c{{1, 5}, {2, 8}};
  EXPECT_NE(HashVector(a), HashVector(c));
  EXPECT_NE(HashVector({}), HashVector(a));
}

TEST(DownOutbox, NamesTheScopeAndRefusesOverlongOnes) {
  EXPECT_EQ(DownOutbox(kVillage), std::string("down:") + kVillage);
  EXPECT_EQ(DownOutbox(std::string(300, 'a')), "");
}

TEST_F(SyncTest, FirstSyncMovesEverythingBothWays) {
  auto& village = AddNode(kVillage, crypto::Role::kVillage);
  auto& town = AddNode(kTown, crypto::Role::kTown);
  for (int i = 0; i < 120; ++i)
    village.Set(kVillage, "child", "c" + std::to_string(i), "school", "一中");
  town.Set(kTown, "helper", "h1", "name", "爱心妈妈");
  town.Set(kVillage, "child", "c3", "note", "town's edit of a village record");

  auto [c, p] = Connect(village, town);
  ASSERT_OK(Pipe(*c, *p));
  EXPECT_TRUE(c->idle());
  EXPECT_TRUE(p->idle());
  EXPECT_EQ(Vv(village, kVillage), Vv(town, kVillage));
  EXPECT_EQ(Vv(village, kTown), Vv(town, kTown));
  for (int i = 0; i < 120; ++i) {
    crdt::RecordKey key{kVillage, "child", "c" + std::to_string(i)};
    EXPECT_EQ(StateOf(village, key), StateOf(town, key));
  }
  auto c3 = village.store->Get({kVillage, "child", "c3"});
  ASSERT_OK(c3);
  ASSERT_TRUE(c3->has_value());
  EXPECT_EQ((*c3)->Get("note"), "town's edit of a village record");
  // 120 ops at 50 per batch: batched, not one message per op.
  EXPECT_GE(c->stats().batches_sent, 3u);
  EXPECT_LE(c->stats().batches_sent, 4u);
}

TEST_F(SyncTest, IdleResyncIsOneRoundTripOfAFewHundredBytes) {
  auto& village = AddNode(kVillage, crypto::Role::kVillage);
  auto& town = AddNode(kTown, crypto::Role::kTown);
  for (int i = 0; i < 500; ++i)
    village.Set(kVillage, "child", "c" + std::to_string(i), "grade", "3");
  {
    auto [c, p] = Connect(village, town);
    ASSERT_OK(Pipe(*c, *p));
  }
  auto [c, p] = Connect(village, town);
  SyncTest::PipeStats stats;
  ASSERT_OK(Pipe(*c, *p, &stats));
  EXPECT_EQ(stats.exchanges, 1);  // Hello + Digest each way, nothing more
  EXPECT_EQ(stats.messages, 4u);
  EXPECT_LT(stats.bytes, 1024u);
  EXPECT_EQ(c->stats().ops_sent + p->stats().ops_sent, 0u);
}

TEST_F(SyncTest, BrokenSessionResumesWithoutResendingWhatWasAcknowledged) {
  auto& village = AddNode(kVillage, crypto::Role::kVillage);
  auto& town = AddNode(kTown, crypto::Role::kTown);
  for (int i = 0; i < 300; ++i)
    village.Set(kVillage, "child", "c" + std::to_string(i), "grade", "1");
  size_t delivered_batches = 0;
  {
    auto [c, p] = Connect(village, town);
    // The link dies after two batches reach the town.
    Status st = Pipe(*c, *p, nullptr, [&](int side, Outgoing& o) {
      auto m = DecodeMessage(o.bytes);
      ASSERT_OK(m);
      if (side == 0 && std::holds_alternative<OpsBatch>(*m)) {
        if (++delivered_batches > 2) o.bytes.clear();
      }
    });
    ASSERT_OK(st);
  }
  const uint64_t held = Vv(town, kVillage)[village.id()];
  EXPECT_EQ(held, 100u);  // two batches of 50, durable
  auto [c, p] = Connect(village, town);
  ASSERT_OK(Pipe(*c, *p));
  EXPECT_EQ(Vv(town, kVillage)[village.id()], 300u);
  EXPECT_EQ(c->stats().ops_sent, 200u);  // only what the town lacked
}

TEST_F(SyncTest, TownRelaysVillageOpsAndCityVerifiesTheOriginSignature) {
  auto& village = AddNode(kVillage, crypto::Role::kVillage);
  auto& town = AddNode(kTown, crypto::Role::kTown);
  auto& city = AddNode(kCity, crypto::Role::kCity);
  for (int i = 0; i < 60; ++i)
    village.Set(kVillage, "child", "c" + std::to_string(i), "grade", "2");
  {
    auto [c, p] = Connect(village, town);
    ASSERT_OK(Pipe(*c, *p));
  }
  auto [t, ci] = Connect(town, city);
  ASSERT_OK(Pipe(*t, *ci));
  EXPECT_EQ(Vv(city, kVillage)[village.id()], 60u);
  EXPECT_EQ(StateOf(city, {kVillage, "child", "c7"}), StateOf(village, {kVillage, "child", "c7"}));
}

TEST_F(SyncTest, LiveChangesArePushedAfterTheFirstExchange) {
  auto& village = AddNode(kVillage, crypto::Role::kVillage);
  auto& town = AddNode(kTown, crypto::Role::kTown);
  auto [c, p] = Connect(village, town);
  ASSERT_OK(Pipe(*c, *p));
  village.Set(kVillage, "child", "c1", "school", "二中");
  ASSERT_OK(c->OnLocalChange(kVillage));
  ASSERT_OK(Pipe(*c, *p));
  EXPECT_EQ(Vv(town, kVillage)[village.id()], 1u);
  EXPECT_EQ(p->TakeChangedScopes(), std::vector<std::string>{kVillage});
}

TEST_F(SyncTest, UrgentOutboxGoesFirstAndIsAcknowledged) {
  auto& village = AddNode(kVillage, crypto::Role::kVillage);
  auto& town = AddNode(kTown, crypto::Role::kTown);
  for (int i = 0; i < 200; ++i)
    village.Set(kVillage, "child", "c" + std::to_string(i), "grade", "4");
  village.Set(kVillage, "report", "r1", "category", "neglect", crdt::kOpFlagUrgent, {"up"});
  auto outbox = village.store->Outbox("up");
  ASSERT_OK(outbox);
  ASSERT_EQ(outbox->size(), 1u);

  auto [c, p] = Connect(village, town);
  SyncTest::PipeStats stats;
  ASSERT_OK(Pipe(*c, *p, &stats));
  // The village's first ops message is the urgent one, sent before its digest.
  int first_ops = -1, digest = -1;
  for (size_t i = 0; i < stats.log.size(); ++i) {
    if (stats.log[i].first != 0) continue;
    auto m = DecodeMessage(stats.log[i].second.bytes);
    ASSERT_OK(m);
    if (std::holds_alternative<Digest>(*m) && digest < 0) digest = static_cast<int>(i);
    if (std::holds_alternative<OpsBatch>(*m) && first_ops < 0) {
      first_ops = static_cast<int>(i);
      EXPECT_TRUE(std::get<OpsBatch>(*m).urgent);
      EXPECT_EQ(stats.log[i].second.priority, Priority::kUrgent);
    }
  }
  EXPECT_LT(first_ops, digest);
  auto report = town.store->Get({kVillage, "report", "r1"});
  ASSERT_OK(report);
  ASSERT_TRUE(report->has_value());
  EXPECT_EQ((*report)->Get("category"), "neglect");
  outbox = village.store->Outbox("up");
  ASSERT_OK(outbox);
  EXPECT_TRUE(outbox->empty());
  EXPECT_EQ(c->stats().urgent_acked, 1u);
}

TEST_F(SyncTest, VillageBootedIn1970AdoptsItsTownsClock) {
  auto& village = AddNode(kVillage, crypto::Role::kVillage);
  auto& town = AddNode(kTown, crypto::Role::kTown);
  town.Set(kVillage, "child", "c1", "note", "written at the town");
  // The village's wall clock says 1970 and its HLC knows nothing better.
  SessionConfig vc;
  vc.self_node = village.id();
  vc.self_unit = village.unit;
  vc.outbox_peer = "up";
  vc.clock = &village.clock;
  vc.adopt_peer_clock = true;
  Session v(*village.store, trust_, *village.certs, vc, PeerIdentity{town.id(), town.unit});
  auto t = MakeSession(town, village, false);
  ASSERT_OK(v.Start(0));
  ASSERT_OK(t->Start(kNow));
  // Deliver by hand with the village's "now" at 1970.
  for (int round = 0; round < 20; ++round) {
    auto a = v.TakeOutgoing();
    auto b = t->TakeOutgoing();
    if (a.empty() && b.empty()) break;
    for (auto& o : a) ASSERT_OK(t->OnMessage(o.bytes, kNow));
    for (auto& o : b) ASSERT_OK(v.OnMessage(o.bytes, 0));  // the village accepts its town
  }
  EXPECT_GE(village.clock.high_water().ms, kNow);
  EXPECT_EQ(Vv(village, kVillage)[town.id()], 1u);
  // Its next local op is stamped after what it saw.
  auto ops = village.Set(kVillage, "child", "c1", "note", "village reply");
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_GT(ops[0].stamp.ms, kNow - 1);
}

TEST_F(SyncTest, WithoutAnUpstreamClockFutureOpsAreRefused) {
  auto& village = AddNode(kVillage, crypto::Role::kVillage);
  auto& town = AddNode(kTown, crypto::Role::kTown);
  town.Set(kVillage, "child", "c1", "note", "written at the town");
  auto v = MakeSession(village, town, true);  // adopt_peer_clock off
  auto t = MakeSession(town, village, false);
  ASSERT_OK(v->Start(0));
  ASSERT_OK(t->Start(kNow));
  Status refused;
  for (int round = 0; round < 20 && refused.ok(); ++round) {
    auto a = v->TakeOutgoing();
    auto b = t->TakeOutgoing();
    if (a.empty() && b.empty()) break;
    for (auto& o : a) ASSERT_OK(t->OnMessage(o.bytes, kNow));
    for (auto& o : b) {
      refused = v->OnMessage(o.bytes, 0);
      if (!refused.ok()) break;
    }
  }
  EXPECT_EQ(refused.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.message().find("future"), std::string::npos) << refused.ToString();
  EXPECT_EQ(Vv(village, kVillage)[town.id()], 0u);
}

// ---- rejection paths: the receiver refuses, nothing is applied --------------------------

class Rejection : public SyncTest {
 protected:
  // Runs a session village -> town where `mutate` alters the village's first ops batch.
  Status SyncWith(const std::function<void(OpsBatch&)>& mutate) {
    auto& village = *nodes_[0];
    auto& town = *nodes_[1];
    auto [c, p] = Connect(village, town);
    bool done = false;
    return Pipe(*c, *p, nullptr, [&](int side, Outgoing& o) {
      if (side != 0 || done) return;
      auto m = DecodeMessage(o.bytes);
      if (!m.ok() || !std::holds_alternative<OpsBatch>(*m)) return;
      mutate(std::get<OpsBatch>(*m));
      o.bytes = EncodeMessage(*m);
      done = true;
    });
  }
  void SetUp() override {
    auto& village = AddNode(kVillage, crypto::Role::kVillage);
    AddNode(kTown, crypto::Role::kTown);
    for (int i = 0; i < 5; ++i)
      village.Set(kVillage, "child", "c" + std::to_string(i), "name", "x");
  }
  uint64_t TownHolds() { return Vv(*nodes_[1], kVillage)[nodes_[0]->id()]; }
};

TEST_F(Rejection, AlteredFieldValue) {
  Status st = SyncWith([](OpsBatch& b) {
    auto op = crdt::DecodeOp(b.ops[2]);
    op->writes[0].value = "altered";
    b.ops[2] = crdt::EncodeOp(*op);
  });
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("chain"), std::string::npos) << st.ToString();
  EXPECT_EQ(TownHolds(), 0u);
}

TEST_F(Rejection, DroppedOpFromTheMiddle) {
  Status st = SyncWith([](OpsBatch& b) { b.ops.erase(b.ops.begin() + 2); });
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(TownHolds(), 0u);
}

TEST_F(Rejection, ReorderedOps) {
  Status st = SyncWith([](OpsBatch& b) { std::swap(b.ops[1], b.ops[2]); });
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(TownHolds(), 0u);
}

TEST_F(Rejection, MissingSignedHead) {
  Status st = SyncWith([](OpsBatch& b) { b.heads.clear(); });
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(TownHolds(), 0u);
}

TEST_F(Rejection, HeadResignedByAnotherKey) {
  auto& town = *nodes_[1];
  Status st = SyncWith([&](OpsBatch& b) {
    auto head = crypto::DecodeSignedHead(b.heads[0]);
    // A relay re-signs the village's chain head with its own key.
    crypto::ChainBuilder forged(town.identity->signing_key(), head->scope, head->seq, head->head);
    crypto::SignedHead h = forged.SignHead();
    h.origin = head->origin;
    b.heads[0] = crypto::EncodeSignedHead(h);
  });
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(TownHolds(), 0u);
}

TEST_F(Rejection, ForgedOpFromAnUnknownOrigin) {
  Status st = SyncWith([](OpsBatch& b) {
    auto op = crdt::DecodeOp(b.ops[0]);
    op->origin ^= 1;
    b.ops = {crdt::EncodeOp(*op)};
  });
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(TownHolds(), 0u);
}

TEST_F(Rejection, GarbageAndOutOfProtocolMessages) {
  auto& village = *nodes_[0];
  auto& town = *nodes_[1];
  auto p = MakeSession(town, village, false);
  ASSERT_OK(p->Start(kNow));
  EXPECT_EQ(p->OnMessage("not capnp", kNow).code(), StatusCode::kCorruption);
  auto p2 = MakeSession(town, village, false);
  // Anything before Hello is out of protocol.
  EXPECT_EQ(p2->OnMessage(EncodeMessage(Digest{}), kNow).code(), StatusCode::kInvalidArgument);
  auto p3 = MakeSession(town, village, false);
  // A Hello that does not match the certificate.
  EXPECT_EQ(p3->OnMessage(EncodeMessage(Hello{kProtocolVersion, 42, kVillage, kNow}), kNow).code(),
            StatusCode::kInvalidArgument);
  auto p4 = MakeSession(town, village, false);
  EXPECT_EQ(p4->OnMessage(EncodeMessage(Hello{99, village.id(), kVillage, kNow}), kNow).code(),
            StatusCode::kInvalidArgument);
}

TEST_F(SyncTest, VillageMayNotWriteItsTownsScope) {
  auto& village = AddNode(kVillage, crypto::Role::kVillage);
  auto& town = AddNode(kTown, crypto::Role::kTown);
  // A buggy or hostile village writes into the town's registry.
  village.Set(kTown, "helper", "h1", "name", "intruder");
  auto [c, p] = Connect(village, town);
  Status st = Pipe(*c, *p);
  ASSERT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("may not write"), std::string::npos) << st.ToString();
  EXPECT_EQ(Vv(town, kTown)[village.id()], 0u);
}

TEST_F(SyncTest, SiblingVillageScopeIsNotAccepted) {
  auto& village = AddNode(kVillage, crypto::Role::kVillage);
  auto& town = AddNode(kTown, crypto::Role::kTown);
  village.Set(kVillage, "child", "c1", "name", "x");
  auto [c, p] = Connect(village, town);
  Status st = Pipe(*c, *p, nullptr, [](int side, Outgoing& o) {
    auto m = DecodeMessage(o.bytes);
    if (side == 0 && m.ok() && std::holds_alternative<OpsBatch>(*m)) {
      std::get<OpsBatch>(*m).scope = "jinjiang/cizao/v013";
      o.bytes = EncodeMessage(*m);
    }
  });
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
}

TEST_F(SyncTest, RevokedOriginIsRejected) {
  auto& village = AddNode(kVillage, crypto::Role::kVillage);
  auto& town = AddNode(kTown, crypto::Role::kTown);
  village.Set(kVillage, "child", "c1", "name", "x");
  crypto::RevocationList list;
  list.version = 1;
  list.revoked.push_back(village.id());
  auto signed_list = crypto::SignRevocationList(list, root_);
  ASSERT_OK(signed_list);
  ASSERT_OK(trust_.InstallRevocations(*signed_list));
  auto [c, p] = Connect(village, town);
  EXPECT_EQ(Pipe(*c, *p).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Vv(town, kVillage)[village.id()], 0u);
}

// ---- the urgent lane: sessions configured as a node configures them (LaneOptions) ---------

using UrgentLaneTest = SyncTest;

// A drain_down session lists the scopes whose down outboxes it drains once, and again only when
// it learns of a scope its list lacks: an urgent op in a scope the node did not hold when the
// session started goes down at once (here the city flags a village's case while its session
// with the town is idle).
TEST_F(UrgentLaneTest, DownOutboxOfAScopeNewSinceTheSessionStartedIsDrained) {
  auto& town = AddNode(kTown, crypto::Role::kTown);
  auto& city = AddNode(kCity, crypto::Role::kCity);
  auto tc = MakeLaneSession(town, city, {.upstream = true});
  auto ct = MakeLaneSession(city, town, {});
  ASSERT_OK(Pipe(*tc, *ct));
  ASSERT_OK(ct->OnUrgent());  // nothing to drain yet
  EXPECT_TRUE(ct->TakeOutgoing().empty());

  city.Set(kVillage, "case", "k1", "overdue", "1", crdt::kOpFlagUrgent, {DownOutbox(kVillage)});
  ASSERT_OK(ct->OnLocalChange(kVillage));
  ASSERT_OK(ct->OnUrgent());
  ASSERT_OK(Pipe(*tc, *ct));
  EXPECT_EQ(ct->stats().urgent_sent, 1u);
  EXPECT_EQ(ct->stats().urgent_acked, 1u);
  EXPECT_EQ(OutboxSize(city, DownOutbox(kVillage)), 0u);
  EXPECT_GE(OutboxSize(town, DownOutbox(kVillage)), 1u);  // on its way down to the village
}

TEST_F(UrgentLaneTest, UrgentOnlySessionMovesUrgentOpsAndNothingElse) {
  auto& village = AddNode(kVillage, crypto::Role::kVillage);
  auto& city = AddNode(kCity, crypto::Role::kCity);
  for (int i = 0; i < 30; ++i) village.Set(kVillage, "child", "c" + std::to_string(i), "g", "4");
  city.Set(kCity, "org", "o1", "name", "city registry entry");
  village.Set(kVillage, "report", "r1", "category", "neglect", crdt::kOpFlagUrgent, {"up"});
  auto c = MakeLaneSession(village, city, {.upstream = true, .urgent_only = true});
  auto p = MakeLaneSession(city, village, {});
  PipeStats stats;
  ASSERT_OK(Pipe(*c, *p, &stats));
  EXPECT_TRUE(c->idle());
  EXPECT_TRUE(p->idle());
  EXPECT_TRUE(p->urgent_only());
  for (const auto& [side, o] : stats.log) {
    auto m = DecodeMessage(o.bytes);
    ASSERT_OK(m);
    EXPECT_FALSE(std::holds_alternative<Vectors>(*m));
    if (std::holds_alternative<OpsBatch>(*m)) {
      EXPECT_TRUE(std::get<OpsBatch>(*m).urgent);
    }
  }
  // The report is held at the city (pending behind the 30 ordinary ops it lacks), and the
  // city's receipt came straight back.
  auto held = city.store->GetOp(kVillage, village.id(), 31);
  ASSERT_OK(held);
  EXPECT_TRUE(held->has_value());
  EXPECT_EQ(Vv(city, kVillage)[village.id()], 0u);
  auto receipts = Receipts(village, "report", "r1");
  ASSERT_EQ(receipts.size(), 1u);
  EXPECT_EQ(receipts[0].unit, kCity);
  EXPECT_EQ(OutboxSize(village, "up"), 0u);
  // Later local changes are not pushed on an urgent-only session.
  village.Set(kVillage, "child", "c99", "g", "5");
  ASSERT_OK(c->OnLocalChange(kVillage));
  EXPECT_TRUE(c->TakeOutgoing().empty());
  // A full session afterwards fills the gap and merges the report.
  auto c2 = MakeLaneSession(village, city, {.upstream = true});
  auto p2 = MakeLaneSession(city, village, {});
  ASSERT_OK(Pipe(*c2, *p2));
  EXPECT_EQ(Vv(city, kVillage), Vv(village, kVillage));
  auto pending = city.store->PendingCount();
  ASSERT_OK(pending);
  EXPECT_EQ(*pending, 0u);
  EXPECT_EQ(ReceiptRecords(city), 1u);
}

TEST_F(UrgentLaneTest, RevokedOriginsQueuedReportLeavesTheOutboxUnsent) {
  auto& city = AddNode(kCity, crypto::Role::kCity);
  auto& town = AddNode(kTown, crypto::Role::kTown);
  auto& village = AddNode(kVillage, crypto::Role::kVillage);
  village.Set(kVillage, "report", "r1", "category", "neglect", crdt::kOpFlagUrgent, {"up"});
  {
    auto c = MakeLaneSession(village, town, {.upstream = true});
    auto p = MakeLaneSession(town, village, {.self_has_upstream = true});
    ASSERT_OK(Pipe(*c, *p));
  }
  ASSERT_EQ(OutboxSize(town, "up"), 1u);  // held for the city, which is unreachable
  // The village is revoked before the town reaches the city (here: one shared trust store).
  auto list = crypto::SignRevocationList({1, kNow, {village.id()}}, root_);
  ASSERT_OK(list);
  ASSERT_OK(trust_.InstallRevocations(*list));
  town.Set(kTown, "org", "o1", "name", "town volunteers");
  auto c = MakeLaneSession(town, city, {.upstream = true});
  auto p = MakeLaneSession(city, town, {});
  Status st = Pipe(*c, *p);
  ASSERT_OK(st);
  EXPECT_EQ(OutboxSize(town, "up"), 0u) << "an entry that can never leave is dropped";
  EXPECT_EQ(c->stats().urgent_dropped_revoked, 1u);
  EXPECT_EQ(c->stats().urgent_sent, 0u);
  EXPECT_EQ(Vv(city, kVillage)[village.id()], 0u);  // nothing of the revoked origin went up
  EXPECT_EQ(Vv(city, kTown)[town.id()], 1u);        // and the session went on
  auto held = town.store->Get({kVillage, "report", "r1"});
  ASSERT_OK(held);
  EXPECT_TRUE(held->has_value()) << "the report itself stays held at the town";
}

// The relay does not know yet: a town holds a village's queued report, and the village is
// revoked at the city only. The city skips the report (never applies it) without closing the
// session and answers it as refused for good, so it leaves the town's outbox; the town's own
// ops still go up. (Closing instead would fail every session with the city, and the town would
// never receive the list that would let it drop the report itself.)
TEST_F(UrgentLaneTest, ReceiverThatKnowsOfARevocationSkipsRelayedOpsWithoutClosing) {
  auto& city = AddNode(kCity, crypto::Role::kCity);
  auto& town = AddNode(kTown, crypto::Role::kTown);
  auto& village = AddNode(kVillage, crypto::Role::kVillage);
  village.Set(kVillage, "child", "c1", "name", "x");
  village.Set(kVillage, "report", "r1", "category", "neglect", crdt::kOpFlagUrgent, {"up"});
  {
    auto c = MakeLaneSession(village, town, {.upstream = true});
    auto p = MakeLaneSession(town, village, {.self_has_upstream = true});
    ASSERT_OK(Pipe(*c, *p));
  }
  ASSERT_EQ(OutboxSize(town, "up"), 1u);
  town.Set(kTown, "org", "o1", "name", "town volunteers");

  // Only the city's trust store holds the list.
  crypto::TrustStore city_trust(root_.public_key());
  auto list = crypto::SignRevocationList({1, kNow, {village.id()}}, root_);
  ASSERT_OK(list);
  ASSERT_OK(city_trust.InstallRevocations(*list));
  CertDirectory city_certs(*city.store);
  SessionConfig pc;
  pc.self_node = city.id();
  pc.self_unit = city.unit;
  pc.clock = &city.clock;
  pc.drain_down = true;
  Session p(*city.store, city_trust, city_certs, pc, PeerIdentity{town.id(), town.unit});
  ASSERT_OK(p.Start(kNow));
  auto c = MakeLaneSession(town, city, {.upstream = true});
  ASSERT_OK(Pipe(*c, p));  // the session is not closed
  EXPECT_EQ(OutboxSize(town, "up"), 0u) << "the city refused the report for good";
  EXPECT_EQ(c->stats().urgent_dropped_revoked, 1u);
  EXPECT_EQ(c->stats().urgent_acked, 0u);
  EXPECT_GE(p.stats().ops_skipped_revoked, 1u);
  EXPECT_EQ(Vv(city, kVillage)[village.id()], 0u);  // nothing of the revoked origin applied
  EXPECT_EQ(Vv(city, kTown)[town.id()], 1u);        // the town's own op went up
}

}  // namespace
}  // namespace fulei::sync
