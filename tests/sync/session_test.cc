// Protocol unit tests: digests, vector diffs, batches and resume, relaying, urgent first, the
// urgent lane (down outboxes, urgent-only sessions, revoked origins), and every rejection path
// (nothing applied, session closes).
#include "sync/session.h"

#include <gtest/gtest.h>

#include <limits>
#include <optional>
#include <set>
#include <string>
#include <variant>

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
  // The village's first ops message is the urgent one, sent as soon as the town's Hello fixed
  // the version: before its vectors and before any ordinary batch.
  int first_ops = -1, vectors = -1;
  for (size_t i = 0; i < stats.log.size(); ++i) {
    if (stats.log[i].first != 0) continue;
    auto m = DecodeMessage(stats.log[i].second.bytes);
    ASSERT_OK(m);
    if (std::holds_alternative<Vectors>(*m) && vectors < 0) vectors = static_cast<int>(i);
    if (std::holds_alternative<OpsBatch>(*m) && first_ops < 0) {
      first_ops = static_cast<int>(i);
      EXPECT_TRUE(std::get<OpsBatch>(*m).urgent);
      EXPECT_EQ(stats.log[i].second.priority, Priority::kUrgent);
    }
  }
  ASSERT_GE(first_ops, 0);
  ASSERT_GE(vectors, 0);
  EXPECT_LT(first_ops, vectors);
  auto report = town.store->Get({kVillage, "report", "r1"});
  ASSERT_OK(report);
  ASSERT_TRUE(report->has_value());
  EXPECT_EQ((*report)->Get("category"), "neglect");
  outbox = village.store->Outbox("up");
  ASSERT_OK(outbox);
  EXPECT_TRUE(outbox->empty());
  EXPECT_EQ(c->stats().urgent_acked, 1u);
}

// Upgrades roll out over weeks: a town on this release keeps syncing with a village whose
// release speaks protocol v1 only (ops as a list of canonical bytes). Everything moves both
// ways, the urgent report is acknowledged, and every batch on the wire is really v1.
TEST_F(SyncTest, NewerTownKeepsSyncingWithAVillageThatSpeaksOnlyV1) {
  auto& village = AddNode(kVillage, crypto::Role::kVillage);
  auto& town = AddNode(kTown, crypto::Role::kTown);
  for (int i = 0; i < 120; ++i)
    village.Set(kVillage, "child", "c" + std::to_string(i), "school", "一中");
  village.Set(kVillage, "report", "r1", "category", "neglect", crdt::kOpFlagUrgent, {"up"});
  town.Set(kVillage, "child", "c3", "note", "town's edit of a village record");

  auto [c, p] = Connect(village, town, {.min = 1, .max = 1});
  SyncTest::PipeStats stats;
  ASSERT_OK(Pipe(*c, *p, &stats));
  EXPECT_EQ(c->protocol_version(), 1u);
  EXPECT_EQ(p->protocol_version(), 1u);
  EXPECT_EQ(Vv(village, kVillage), Vv(town, kVillage));
  EXPECT_EQ(StateOf(village, {kVillage, "child", "c3"}), StateOf(town, {kVillage, "child", "c3"}));
  EXPECT_EQ(StateOf(village, {kVillage, "report", "r1"}),
            StateOf(town, {kVillage, "report", "r1"}));
  EXPECT_EQ(c->stats().urgent_acked, 1u);
  size_t batches = 0;
  for (const auto& [side, out] : stats.log) {
    auto as_v1 = DecodeMessage(out.bytes, 1);
    ASSERT_OK(as_v1);
    if (!std::holds_alternative<OpsBatch>(*as_v1)) continue;
    ++batches;
    // A v1 node reads the list; a v2 reading of the same bytes finds it and refuses.
    EXPECT_EQ(DecodeMessage(out.bytes, 2).status().code(), StatusCode::kCorruption);
  }
  EXPECT_GE(batches, 4u);  // 121 village ops at 50 a batch, the urgent one, the town's edit
}

// Two nodes of this release speak its newest version: the packed ops of v2.
TEST_F(SyncTest, NodesOfThisReleaseSpeakTheNewestVersion) {
  auto& village = AddNode(kVillage, crypto::Role::kVillage);
  auto& town = AddNode(kTown, crypto::Role::kTown);
  for (int i = 0; i < 10; ++i)
    village.Set(kVillage, "child", "c" + std::to_string(i), "grade", "3");
  auto [c, p] = Connect(village, town);
  SyncTest::PipeStats stats;
  ASSERT_OK(Pipe(*c, *p, &stats));
  EXPECT_EQ(c->protocol_version(), kProtocolVersion);
  EXPECT_EQ(p->protocol_version(), kProtocolVersion);
  EXPECT_EQ(Vv(village, kVillage), Vv(town, kVillage));
  bool saw_batch = false;
  for (const auto& [side, out] : stats.log) {
    auto m = DecodeMessage(out.bytes);
    ASSERT_OK(m);
    if (!std::holds_alternative<OpsBatch>(*m)) continue;
    saw_batch = true;
    EXPECT_EQ(DecodeMessage(out.bytes, 1).status().code(), StatusCode::kCorruption);
  }
  EXPECT_TRUE(saw_batch);
}

// A node too old (or too new) for its peer is refused at Hello, with both ranges named, and
// nothing is applied; the operator upgrades the older node (docs/operations.md).
TEST_F(SyncTest, PeersWithNoVersionInCommonAreRefusedAtHello) {
  auto& village = AddNode(kVillage, crypto::Role::kVillage);
  auto& town = AddNode(kTown, crypto::Role::kTown);
  village.Set(kVillage, "child", "c1", "grade", "3");
  auto [c, p] = Connect(village, town, {.min = 1, .max = 1}, {.min = 2, .max = 3});
  Status s = Pipe(*c, *p);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("peer speaks protocol version 1, this node 2..3"), std::string::npos)
      << s.message();
  EXPECT_EQ(c->protocol_version(), 0u);
  EXPECT_TRUE(Vv(town, kVillage).empty());
}

// The session reports its peer's clock and never adopts it: the node decides (NodeCore, only an
// upstream's, within limits; docs/protocol.md, "Clocks"). A village booted in 1970 whose node
// adopted its town's clock passes that time as `now`, and takes the town's ops.
TEST_F(SyncTest, VillageBootedIn1970TakesItsTownsOpsAtTheTimeItsNodeAdopted) {
  auto& village = AddNode(kVillage, crypto::Role::kVillage);
  auto& town = AddNode(kTown, crypto::Role::kTown);
  town.Set(kVillage, "child", "c1", "note", "written at the town");
  SessionConfig vc;
  vc.self_node = village.id();
  vc.self_unit = village.unit;
  vc.outbox_peer = "up";
  vc.clock = &village.clock;
  Session v(*village.store, trust_, *village.certs, vc, PeerIdentity{town.id(), town.unit});
  auto t = MakeSession(town, village, false);
  ASSERT_OK(v.Start(0));  // no clock to announce
  ASSERT_OK(t->Start(kNow));
  for (int round = 0; round < 20; ++round) {
    auto a = v.TakeOutgoing();
    auto b = t->TakeOutgoing();
    if (a.empty() && b.empty()) break;
    for (auto& o : a) ASSERT_OK(t->OnMessage(o.bytes, kNow));
    for (auto& o : b) ASSERT_OK(v.OnMessage(o.bytes, kNow));  // the time its node adopted
  }
  EXPECT_EQ(v.peer_clock_ms(), std::optional<uint64_t>(kNow));
  EXPECT_EQ(t->peer_clock_ms(), std::nullopt);  // the village announced none
  EXPECT_EQ(Vv(village, kVillage)[town.id()], 1u);
  // Its next local op is stamped after what it saw.
  auto ops = village.Set(kVillage, "child", "c1", "note", "village reply");
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_GT(ops[0].stamp.ms, kNow - 1);
}

// Issue 14: a Hello's clock raised the receiver's HLC (persisted, never lowered), and the HLC
// was the receiver's "now" for certificates and for the bound on stamps: one upstream could push
// a node years ahead for good. (The node's side: NodeCoreClock.HelloFromTheFutureDoesNotPoison…)
TEST_F(SyncTest, SessionReportsAFutureHelloButNeverAdoptsIt) {
  auto& village = AddNode(kVillage, crypto::Role::kVillage);
  auto& town = AddNode(kTown, crypto::Role::kTown);
  auto v = MakeLaneSession(village, town, {.upstream = true});
  const uint64_t years = 5ull * 365 * 86'400'000;
  ASSERT_OK(
      v->OnMessage(EncodeMessage(Hello{kProtocolVersion, town.id(), kTown, kNow + years}), kNow));
  EXPECT_EQ(v->peer_clock_ms(), std::optional<uint64_t>(kNow + years));
  EXPECT_LT(village.clock.high_water().ms, kNow + 3'600'000);
  auto ops = village.Set(kVillage, "child", "c1", "name", "x");
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_LT(ops[0].stamp.ms, kNow + 3'600'000);
}

// Issue 14: the bound was measured from max(now, HLC), and each batch's stamps raise the HLC.
// A high-water already ahead (pushed by earlier batches, or persisted) widens nothing.
TEST_F(SyncTest, StampsAreBoundedByWallTimeNotTheHlc) {
  auto& village = AddNode(kVillage, crypto::Role::kVillage);
  auto& town = AddNode(kTown, crypto::Role::kTown);
  auto t = MakeLaneSession(town, village, {});
  auto v = MakeLaneSession(village, town, {.upstream = true});
  town.clock.Restore(crdt::Stamp{kNow + 10 * 3'600'000, 0});  // the town's HLC, ahead
  // The village's clock runs two hours ahead: its ops are stamped so.
  village.clock.Restore(crdt::Stamp{kNow + 2 * 3'600'000, 0});
  village.Set(kVillage, "child", "c1", "name", "x");
  ASSERT_OK(v->OnLocalChange(kVillage));
  Status refused = Pipe(*v, *t);  // the town's "now" is kNow
  EXPECT_EQ(refused.code(), StatusCode::kInvalidArgument) << refused.ToString();
  EXPECT_NE(refused.message().find("future"), std::string::npos) << refused.ToString();
  EXPECT_EQ(Vv(town, kVillage)[village.id()], 0u);
}

TEST_F(SyncTest, FutureBoundDoesNotOverflow) {
  auto& village = AddNode(kVillage, crypto::Role::kVillage);
  auto& town = AddNode(kTown, crypto::Role::kTown);
  village.Set(kVillage, "child", "c1", "name", "x");
  auto [c, p] = Connect(village, town);
  // A "now" so late that now + max_future wraps around: nothing is too far in the future then.
  const uint64_t late = std::numeric_limits<uint64_t>::max() - 10;
  for (int round = 0; round < 20; ++round) {
    auto a = c->TakeOutgoing();
    auto b = p->TakeOutgoing();
    if (a.empty() && b.empty()) break;
    for (auto& o : a) ASSERT_OK(p->OnMessage(o.bytes, late));
    for (auto& o : b) ASSERT_OK(c->OnMessage(o.bytes, kNow));
  }
  EXPECT_EQ(Vv(town, kVillage)[village.id()], 1u);
}

TEST_F(SyncTest, WithoutAnUpstreamClockFutureOpsAreRefused) {
  auto& village = AddNode(kVillage, crypto::Role::kVillage);
  auto& town = AddNode(kTown, crypto::Role::kTown);
  town.Set(kVillage, "child", "c1", "note", "written at the town");
  auto v = MakeSession(village, town, true);  // its node adopted no clock: now is 1970
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

// The scopes a message names (Hello names the sender's unit, not a scope it holds).
std::set<std::string> ScopesNamed(const Message& m) {
  std::set<std::string> out;
  if (const auto* d = std::get_if<Digest>(&m)) {
    for (const auto& s : d->scopes) out.insert(s.scope);
  } else if (const auto* v = std::get_if<Vectors>(&m)) {
    for (const auto& s : v->scopes) out.insert(s.scope);
  } else if (const auto* b = std::get_if<OpsBatch>(&m)) {
    out.insert(b->scope);
  } else if (const auto* a = std::get_if<Ack>(&m)) {
    out.insert(a->scope);
  } else if (const auto* u = std::get_if<UrgentAck>(&m)) {
    out.insert(u->scope);
  }
  return out;
}

constexpr char kSibling[] = "jinjiang/cizao/v013";

// A town holds every village of its subtree; a village syncing with it must never be offered a
// sibling's data: not in the digest or vectors, not in the first exchange, not pushed live
// (Session::Shared on the sending side).
TEST_F(SyncTest, SiblingVillageScopeIsNeverOffered) {
  auto& village = AddNode(kVillage, crypto::Role::kVillage);
  auto& sibling = AddNode(kSibling, crypto::Role::kVillage);
  auto& town = AddNode(kTown, crypto::Role::kTown);
  sibling.Set(kSibling, "child", "s1", "name", "a child of the sibling village");
  auto [sc, sp] = Connect(sibling, town);
  ASSERT_OK(Pipe(*sc, *sp));
  ASSERT_EQ(Vv(town, kSibling)[sibling.id()], 1u);  // the town holds it
  village.Set(kVillage, "child", "c1", "name", "x");
  auto [c, p] = Connect(village, town);
  PipeStats stats;
  ASSERT_OK(Pipe(*c, *p, &stats));
  EXPECT_EQ(Vv(town, kVillage)[village.id()], 1u);  // the session did sync
  // Live: the sibling writes again, the town takes it in and tells its session with the village.
  sibling.Set(kSibling, "child", "s2", "name", "another child of the sibling village");
  ASSERT_OK(sc->OnLocalChange(kSibling));
  ASSERT_OK(Pipe(*sc, *sp));
  ASSERT_EQ(Vv(town, kSibling)[sibling.id()], 2u);
  ASSERT_OK(p->OnLocalChange(kSibling));
  ASSERT_OK(Pipe(*c, *p, &stats));
  size_t from_town = 0;
  for (const auto& [side, o] : stats.log) {
    if (side != 1) continue;
    ++from_town;
    auto m = DecodeMessage(o.bytes);
    ASSERT_OK(m);
    EXPECT_EQ(ScopesNamed(*m).count(kSibling), 0u)
        << "the town sent a " << MessageName(*m) << " naming its other village's scope";
  }
  EXPECT_GT(from_town, 2u);
  EXPECT_TRUE(Vv(village, kSibling).empty());
  EXPECT_EQ(StateOf(village, {kSibling, "child", "s1"}), "");
  EXPECT_EQ(StateOf(village, {kSibling, "child", "s2"}), "");
}

// ... and a village refuses a sibling's ops even from its own town (buggy or compromised),
// though they are the sibling's own, genuinely signed (Session::Shared on the receiving side:
// the origin may write the scope, so nothing else would stop them).
TEST_F(SyncTest, SiblingVillageScopeIsNotAccepted) {
  auto& village = AddNode(kVillage, crypto::Role::kVillage);
  auto& sibling = AddNode(kSibling, crypto::Role::kVillage);
  auto& town = AddNode(kTown, crypto::Role::kTown);
  sibling.Set(kSibling, "child", "s1", "name", "a child of the sibling village");
  std::string sibling_batch;  // the batch the sibling sent its town, as the town received it
  {
    auto [sc, sp] = Connect(sibling, town);
    PipeStats stats;
    ASSERT_OK(Pipe(*sc, *sp, &stats));
    for (const auto& [side, o] : stats.log) {
      auto m = DecodeMessage(o.bytes);
      if (side == 0 && m.ok() && std::holds_alternative<OpsBatch>(*m)) sibling_batch = o.bytes;
    }
  }
  ASSERT_FALSE(sibling_batch.empty());
  auto [c, p] = Connect(village, town);
  ASSERT_OK(Pipe(*c, *p));
  // The town relays it to the village as if it were the village's to hold.
  Status st = c->OnMessage(sibling_batch, kNow);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << st.ToString();
  EXPECT_NE(st.message().find(kSibling), std::string::npos) << st.ToString();
  EXPECT_TRUE(Vv(village, kSibling).empty());
  EXPECT_EQ(StateOf(village, {kSibling, "child", "s1"}), "");
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
  // Bytes by class: every byte counted once, each side's urgent bytes seen by the other.
  for (const Session* s : {tc.get(), ct.get()}) {
    uint64_t sent = 0, received = 0;
    for (uint64_t b : s->stats().bytes_sent_by_class) sent += b;
    for (uint64_t b : s->stats().bytes_received_by_class) received += b;
    EXPECT_EQ(sent, s->stats().bytes_sent);
    EXPECT_EQ(received, s->stats().bytes_received);
  }
  const auto urgent = static_cast<size_t>(Priority::kUrgent);
  EXPECT_GT(ct->stats().bytes_sent_by_class[urgent], 0u);
  EXPECT_EQ(ct->stats().bytes_sent_by_class[urgent], tc->stats().bytes_received_by_class[urgent]);
  EXPECT_EQ(tc->stats().bytes_sent_by_class[urgent], ct->stats().bytes_received_by_class[urgent]);
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

// ---- certificate chains carried by batches (issue 14) -----------------------------------

// A chain a batch carries was written to the directory (and the store) before the batch was
// checked: a refused batch left it behind.
TEST_F(SyncTest, ChainIsPersistedOnlyWithAnAcceptedBatch) {
  auto& village = AddNode(kVillage, crypto::Role::kVillage);
  auto& town = AddNode(kTown, crypto::Role::kTown);
  for (int i = 0; i < 3; ++i) village.Set(kVillage, "child", "c" + std::to_string(i), "name", "x");
  auto [c, p] = Connect(village, town);
  bool altered = false;
  Status refused = Pipe(*c, *p, nullptr, [&](int side, Outgoing& o) {
    auto m = DecodeMessage(o.bytes);
    if (side != 0 || altered || !m.ok() || !std::holds_alternative<OpsBatch>(*m)) return;
    OpsBatch& b = std::get<OpsBatch>(*m);
    ASSERT_EQ(b.certs.size(), 1u);
    auto op = crdt::DecodeOp(b.ops[1]);
    op->writes[0].value = "altered";
    b.ops[1] = crdt::EncodeOp(*op);
    o.bytes = EncodeMessage(*m);
    altered = true;
  });
  ASSERT_TRUE(altered);
  EXPECT_EQ(refused.code(), StatusCode::kInvalidArgument);
  auto held = town.certs->Get(village.id());
  ASSERT_OK(held);
  EXPECT_FALSE(held->has_value()) << "a refused batch left its chain in the directory";
  CertDirectory reopened(*town.store);
  auto stored = reopened.Get(village.id());
  ASSERT_OK(stored);
  EXPECT_FALSE(stored->has_value()) << "a refused batch left its chain in the store";

  // The same batch, unaltered, is accepted, and its chain kept with it.
  auto [c2, p2] = Connect(village, town);
  ASSERT_OK(Pipe(*c2, *p2));
  EXPECT_EQ(Vv(town, kVillage)[village.id()], 3u);
  CertDirectory after(*town.store);
  auto kept = after.Get(village.id());
  ASSERT_OK(kept);
  EXPECT_EQ(kept->value_or(""), crypto::EncodeChain({village.cert}));
}

// Each run was checked against its chain at its last stamp only: ops stamped before the
// chain's not_before (or after its not_after) earlier in the run went through.
TEST_F(SyncTest, OpsOutsideTheirChainsValidityAreRefused) {
  auto& village = AddNode(kVillage, crypto::Role::kVillage);
  auto& town = AddNode(kTown, crypto::Role::kTown);
  // The village's certificate is valid from kNow + 1 s only (and expires later than the one it
  // was created with, so its directory keeps it and its sessions send it).
  ASSERT_OK_AND_ASSIGN(village.cert,
                       crypto::CertifyNode(*village.identity, crypto::Role::kVillage, kVillage,
                                           kNow + 1000, kNow + 2 * 86'400'000ull * 365, root_));
  ASSERT_OK(village.certs->Add(crypto::EncodeChain({village.cert}), trust_, kNow + 1000));
  auto write = [&](const std::string& id, uint64_t wall) {
    store::LocalChange change;
    change.key = {kVillage, "child", id};
    change.author = "tester";
    change.writes.push_back(crdt::FieldWrite{"name", crdt::WriteKind::kSet, "x", {}});
    ASSERT_OK(village.writer->Write(std::span<const store::LocalChange>(&change, 1), wall, {}));
  };
  write("c1", kNow);         // before the certificate's not_before
  write("c2", kNow + 5000);  // inside: one run of two ops, ending at a head signed then
  auto [c, p] = Connect(village, town);
  Status refused = Pipe(*c, *p);
  EXPECT_EQ(refused.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.message().find("validity"), std::string::npos) << refused.ToString();
  EXPECT_EQ(Vv(town, kVillage)[village.id()], 0u);
}

}  // namespace
}  // namespace fulei::sync
