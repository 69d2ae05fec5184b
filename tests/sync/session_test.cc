// Protocol unit tests: digests, vector diffs, batches and resume, relaying, urgent first, and
// every rejection path (nothing applied, session closes).
#include "sync/session.h"

#include <gtest/gtest.h>

#include "crdt/codec.h"
#include "crypto/op_chain.h"
#include "crypto/revocation.h"
#include "sync/scopes.h"
#include "tests/sync/sync_fixture.h"

namespace fulei::sync {
namespace {

using testing::kCity;
using testing::kNow;
using testing::kTown;
using testing::kVillage;
using testing::SyncTest;

TEST(Scopes, HoldsAndMayWrite) {
  EXPECT_TRUE(Holds(kVillage, kVillage));
  EXPECT_TRUE(Holds(kVillage, kTown));  // an ancestor's own registry
  EXPECT_TRUE(Holds(kVillage, kCity));
  EXPECT_FALSE(Holds(kVillage, "jinjiang/cizao/v013"));  // a sibling
  EXPECT_FALSE(Holds(kVillage, "jinjiang/chidian"));
  EXPECT_TRUE(Holds(kTown, kVillage));
  EXPECT_FALSE(Holds("jinjiang/ciza", kVillage));  // prefix of a name is not a parent
  EXPECT_TRUE(MayWrite(kTown, kVillage));
  EXPECT_TRUE(MayWrite(kVillage, kVillage));
  EXPECT_FALSE(MayWrite(kVillage, kTown));
  EXPECT_FALSE(MayWrite(kVillage, "jinjiang/cizao/v013"));
  EXPECT_FALSE(MayWrite("jinjiang/chidian", kVillage));
}

TEST(Digest, HashIgnoresZeroEntriesAndSeesEveryChange) {
  store::VersionVector a{{1, 5}, {2, 7}};
  store::VersionVector b{{1, 5}, {2, 7}, {3, 0}};
  EXPECT_EQ(HashVector(a), HashVector(b));
  store::VersionVector c{{1, 5}, {2, 8}};
  EXPECT_NE(HashVector(a), HashVector(c));
  EXPECT_NE(HashVector({}), HashVector(a));
}

TEST_F(SyncTest, FirstSyncMovesEverythingBothWays) {
  auto& village = AddNode(kVillage, crypto::Role::kVillage);
  auto& town = AddNode(kTown, crypto::Role::kTown);
  for (int i = 0; i < 120; ++i)
    village.Set(kVillage, "child", "c" + std::to_string(i), "school", "一中");
  town.Set(kTown, "helper", "h1", "name", "爱心妈妈");
  town.Set(kVillage, "child", "c3", "note", "town's edit of a village record");

  auto [c, p] = Connect(village, town);
  ASSERT_TRUE(Pipe(*c, *p).ok());
  EXPECT_TRUE(c->idle());
  EXPECT_TRUE(p->idle());
  EXPECT_EQ(Vv(village, kVillage), Vv(town, kVillage));
  EXPECT_EQ(Vv(village, kTown), Vv(town, kTown));
  for (int i = 0; i < 120; ++i) {
    crdt::RecordKey key{kVillage, "child", "c" + std::to_string(i)};
    EXPECT_EQ(StateOf(village, key), StateOf(town, key));
  }
  auto c3 = village.store->Get({kVillage, "child", "c3"});
  ASSERT_TRUE(c3.ok() && c3->has_value());
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
    ASSERT_TRUE(Pipe(*c, *p).ok());
  }
  auto [c, p] = Connect(village, town);
  SyncTest::PipeStats stats;
  ASSERT_TRUE(Pipe(*c, *p, &stats).ok());
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
      ASSERT_TRUE(m.ok());
      if (side == 0 && std::holds_alternative<OpsBatch>(*m)) {
        if (++delivered_batches > 2) o.bytes.clear();
      }
    });
    ASSERT_TRUE(st.ok());
  }
  const uint64_t held = Vv(town, kVillage)[village.id()];
  EXPECT_EQ(held, 100u);  // two batches of 50, durable
  auto [c, p] = Connect(village, town);
  ASSERT_TRUE(Pipe(*c, *p).ok());
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
    ASSERT_TRUE(Pipe(*c, *p).ok());
  }
  auto [t, ci] = Connect(town, city);
  ASSERT_TRUE(Pipe(*t, *ci).ok());
  EXPECT_EQ(Vv(city, kVillage)[village.id()], 60u);
  EXPECT_EQ(StateOf(city, {kVillage, "child", "c7"}), StateOf(village, {kVillage, "child", "c7"}));
}

TEST_F(SyncTest, LiveChangesArePushedAfterTheFirstExchange) {
  auto& village = AddNode(kVillage, crypto::Role::kVillage);
  auto& town = AddNode(kTown, crypto::Role::kTown);
  auto [c, p] = Connect(village, town);
  ASSERT_TRUE(Pipe(*c, *p).ok());
  village.Set(kVillage, "child", "c1", "school", "二中");
  ASSERT_TRUE(c->OnLocalChange(kVillage).ok());
  ASSERT_TRUE(Pipe(*c, *p).ok());
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
  ASSERT_TRUE(outbox.ok());
  ASSERT_EQ(outbox->size(), 1u);

  auto [c, p] = Connect(village, town);
  SyncTest::PipeStats stats;
  ASSERT_TRUE(Pipe(*c, *p, &stats).ok());
  // The village's first ops message is the urgent one, sent before its digest.
  int first_ops = -1, digest = -1;
  for (size_t i = 0; i < stats.log.size(); ++i) {
    if (stats.log[i].first != 0) continue;
    auto m = DecodeMessage(stats.log[i].second.bytes);
    ASSERT_TRUE(m.ok());
    if (std::holds_alternative<Digest>(*m) && digest < 0) digest = static_cast<int>(i);
    if (std::holds_alternative<OpsBatch>(*m) && first_ops < 0) {
      first_ops = static_cast<int>(i);
      EXPECT_TRUE(std::get<OpsBatch>(*m).urgent);
      EXPECT_EQ(stats.log[i].second.priority, Priority::kUrgent);
    }
  }
  EXPECT_LT(first_ops, digest);
  auto report = town.store->Get({kVillage, "report", "r1"});
  ASSERT_TRUE(report.ok() && report->has_value());
  EXPECT_EQ((*report)->Get("category"), "neglect");
  outbox = village.store->Outbox("up");
  ASSERT_TRUE(outbox.ok());
  EXPECT_TRUE(outbox->empty());
  EXPECT_EQ(c->stats().urgent_acked, 1u);
}

TEST_F(SyncTest, LocalWritesPersistTheClockHighWater) {
  auto& village = AddNode(kVillage, crypto::Role::kVillage);
  auto ops = village.Set(kVillage, "child", "c1", "name", "x");
  ASSERT_EQ(ops.size(), 1u);
  auto hw = village.store->HlcHighWater();
  ASSERT_TRUE(hw.ok());
  EXPECT_GE(*hw, ops[0].stamp);
  Reopen(village);
  hw = village.store->HlcHighWater();
  ASSERT_TRUE(hw.ok());
  EXPECT_GE(*hw, ops[0].stamp);
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
  ASSERT_TRUE(v.Start(0).ok());
  ASSERT_TRUE(t->Start(kNow).ok());
  // Deliver by hand with the village's "now" at 1970.
  for (int round = 0; round < 20; ++round) {
    auto a = v.TakeOutgoing();
    auto b = t->TakeOutgoing();
    if (a.empty() && b.empty()) break;
    for (auto& o : a) ASSERT_TRUE(t->OnMessage(o.bytes, kNow).ok());
    for (auto& o : b) ASSERT_TRUE(v.OnMessage(o.bytes, 0).ok()) << "village refused its town";
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
  ASSERT_TRUE(v->Start(0).ok());
  ASSERT_TRUE(t->Start(kNow).ok());
  Status refused;
  for (int round = 0; round < 20 && refused.ok(); ++round) {
    auto a = v->TakeOutgoing();
    auto b = t->TakeOutgoing();
    if (a.empty() && b.empty()) break;
    for (auto& o : a) ASSERT_TRUE(t->OnMessage(o.bytes, kNow).ok());
    for (auto& o : b) {
      refused = v->OnMessage(o.bytes, 0);
      if (!refused.ok()) break;
    }
  }
  EXPECT_FALSE(refused.ok());
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
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("chain"), std::string::npos) << st.ToString();
  EXPECT_EQ(TownHolds(), 0u);
}

TEST_F(Rejection, DroppedOpFromTheMiddle) {
  Status st = SyncWith([](OpsBatch& b) { b.ops.erase(b.ops.begin() + 2); });
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(TownHolds(), 0u);
}

TEST_F(Rejection, ReorderedOps) {
  Status st = SyncWith([](OpsBatch& b) { std::swap(b.ops[1], b.ops[2]); });
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(TownHolds(), 0u);
}

TEST_F(Rejection, MissingSignedHead) {
  Status st = SyncWith([](OpsBatch& b) { b.heads.clear(); });
  EXPECT_FALSE(st.ok());
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
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(TownHolds(), 0u);
}

TEST_F(Rejection, ForgedOpFromAnUnknownOrigin) {
  Status st = SyncWith([](OpsBatch& b) {
    auto op = crdt::DecodeOp(b.ops[0]);
    op->origin ^= 1;
    b.ops = {crdt::EncodeOp(*op)};
  });
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(TownHolds(), 0u);
}

TEST_F(Rejection, GarbageAndOutOfProtocolMessages) {
  auto& village = *nodes_[0];
  auto& town = *nodes_[1];
  auto p = MakeSession(town, village, false);
  ASSERT_TRUE(p->Start(kNow).ok());
  EXPECT_FALSE(p->OnMessage("not capnp", kNow).ok());
  auto p2 = MakeSession(town, village, false);
  // Anything before Hello is out of protocol.
  EXPECT_FALSE(p2->OnMessage(EncodeMessage(Digest{}), kNow).ok());
  auto p3 = MakeSession(town, village, false);
  // A Hello that does not match the certificate.
  EXPECT_FALSE(
      p3->OnMessage(EncodeMessage(Hello{kProtocolVersion, 42, kVillage, kNow}), kNow).ok());
  auto p4 = MakeSession(town, village, false);
  EXPECT_FALSE(p4->OnMessage(EncodeMessage(Hello{99, village.id(), kVillage, kNow}), kNow).ok());
}

TEST_F(SyncTest, VillageMayNotWriteItsTownsScope) {
  auto& village = AddNode(kVillage, crypto::Role::kVillage);
  auto& town = AddNode(kTown, crypto::Role::kTown);
  // A buggy or hostile village writes into the town's registry.
  village.Set(kTown, "helper", "h1", "name", "intruder");
  auto [c, p] = Connect(village, town);
  Status st = Pipe(*c, *p);
  ASSERT_FALSE(st.ok());
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
  EXPECT_FALSE(st.ok());
}

TEST_F(SyncTest, RevokedOriginIsRejected) {
  auto& village = AddNode(kVillage, crypto::Role::kVillage);
  auto& town = AddNode(kTown, crypto::Role::kTown);
  village.Set(kVillage, "child", "c1", "name", "x");
  crypto::RevocationList list;
  list.version = 1;
  list.revoked.push_back(village.id());
  auto signed_list = crypto::SignRevocationList(list, root_);
  ASSERT_TRUE(signed_list.ok());
  ASSERT_TRUE(trust_.InstallRevocations(*signed_list).ok());
  auto [c, p] = Connect(village, town);
  EXPECT_FALSE(Pipe(*c, *p).ok());
  EXPECT_EQ(Vv(town, kVillage)[village.id()], 0u);
}

}  // namespace
}  // namespace fulei::sync
