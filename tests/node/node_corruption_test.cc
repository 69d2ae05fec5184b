// Issue 14, defect 3 ("one bad value stops a village"), between whole nodes on loopback: values
// flipped on a node's disk (bit rot on an SD card, done to the closed store between runs while
// its peer keeps running) no longer close every session. Urgent reports still flow around the
// village's own unreadable ones (and after its last op rotted), a record state that does not
// read is rebuilt when the next batch touches it, and another origin's unreadable op is
// fetched again from the upstream (docs/store.md, "Faults and quarantine").
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crdt/op.h"
#include "node/node.h"
#include "store/internal/keys.h"
#include "store/store.h"
#include "sync/receipts.h"
#include "tests/node/network_test.h"
#include "tests/node/test_network.h"
#include "tests/node/write_helpers.h"
#include "tests/store/raw_lmdb.h"
#include "tests/support/status_matchers.h"

namespace fulei::node {
namespace {

using crypto::Role;
using std::chrono::seconds;
using testing::RunUntil;

constexpr char kTown[] = "jinjiang/cizao";
constexpr char kVillage[] = "jinjiang/cizao/v012";

std::string OpKeyOf(const crdt::Op& op) {
  return store::internal::OpKey(op.key.scope, op.origin, op.seq);
}

std::string Described(const crdt::Op& op) {
  return op.key.scope + "/" + std::to_string(op.origin) + "/" + std::to_string(op.seq);
}

class NodeCorruptionTest : public testing::NetworkTest {
 protected:
  NodeCorruptionTest() {
    net_->Add(kTown, Role::kTown);
    net_->Add(kVillage, Role::kVillage);
  }

  std::unique_ptr<Node> StartTown(uint16_t port = 0) {
    return StartNode(net_->Config(kTown, true, 0, port));
  }
  std::unique_ptr<Node> StartVillage(uint16_t town_port) {
    return StartNode(net_->Config(kVillage, false, town_port));
  }

  // Stops `node` and flips a bit of each (db, key) in its store while it is down.
  void Rot(std::unique_ptr<Node>& node, const std::string& unit,
           const std::vector<std::pair<const char*, std::string>>& values) {
    ASSERT_OK(node->Stop());
    node.reset();
    for (const auto& [db, key] : values) store::testing::RawFlip(net_->site(unit).dir, db, key);
  }

  // The node's quarantine entry for (db, key), if any.
  static std::optional<store::QuarantineEntry> Quarantined(Node& n, const std::string& db,
                                                           const std::string& key) {
    auto q = n.store().Quarantined();
    EXPECT_OK(q);
    if (!q.ok()) return std::nullopt;
    for (const store::QuarantineEntry& e : q->entries) {
      if (e.db == db && e.key == key) return e;
    }
    return std::nullopt;
  }

  // True when `at` holds a receipt of `op` written by `by`.
  static bool HasReceipt(Node& at, const crdt::Op& op, const Node& by) {
    auto receipts = sync::ReceiptsFor(at.store(), op.key.scope, op.key.type, op.key.id);
    if (!receipts.ok()) return false;
    for (const sync::Receipt& r : *receipts) {
      if (r.origin == op.origin && r.seq == op.seq && r.node == by.node_id()) return true;
    }
    return false;
  }
};

TEST_F(NodeCorruptionTest, OneUnreadableOutboxEntryDoesNotStopUrgentReports) {
  auto town = StartTown();
  ASSERT_TRUE(town);
  const uint16_t port = town->listen_port();
  auto v = StartVillage(port);
  ASSERT_TRUE(v);
  ASSERT_OK(testing::WriteBacklog(*v, 0, 40, 20));
  ASSERT_TRUE(Converges({town.get(), v.get()}, {"child", "report"}, seconds(30)));

  // The town goes down; two reports wait in the village's outbox.
  ASSERT_OK(town->Stop());
  town.reset();
  ASSERT_TRUE(RunUntil(
      io_, [&] { return v->connected_peers() == 0; }, seconds(10)));
  auto r1 = testing::WriteReport(*v, "r1");
  ASSERT_OK(r1);
  auto r2 = testing::WriteReport(*v, "r2");
  ASSERT_OK(r2);
  ASSERT_EQ(OutboxSize(*v, kUpstreamOutbox), 2u);
  // Bit rot on the village's card hits r1 before it was ever sent.
  Rot(v, kVillage, {{"ops", OpKeyOf(*r1)}});

  v = StartVillage(port);
  ASSERT_TRUE(v);
  town = StartTown(port);
  ASSERT_TRUE(town);
  ASSERT_OK(testing::WriteBacklog(*town, 100, 20, 20));
  // Before: every session closed on the unreadable outbox at once, on every reconnect: r2 never
  // left, nor anything else. Now r2, a report written after, and the town's records flow.
  auto r3 = testing::WriteReport(*v, "r3");
  ASSERT_OK(r3);
  std::string why;
  ASSERT_TRUE(RunUntil(
      io_,
      [&] {
        why = !testing::Holds(*town, *r2)                       ? "the town lacks r2"
              : !testing::Holds(*town, *r3)                     ? "the town lacks r3"
              : !HasReceipt(*v, *r2, *town)                     ? "no receipt of r2 at the village"
              : !HasReceipt(*v, *r3, *town)                     ? "no receipt of r3 at the village"
              : OutboxSize(*v, kUpstreamOutbox) != 0            ? "r2, r3 not acknowledged"
              : testing::SeqAt(*v, kTown, town->node_id()) < 20 ? "the town's records not down"
                                                                : "";
        return why.empty();
      },
      seconds(30)))
      << why;
  // Merged at the town at once, ahead of the hole the village's chain has there.
  for (const char* id : {"r2", "r3"}) {
    auto held = town->store().Get({kVillage, "report", id});
    ASSERT_OK(held);
    EXPECT_TRUE(held->has_value()) << id;
  }
  // r1 is never sent as anything else: quarantined at the village and reported as urgent, kept
  // in place (its seq is never issued again), its outbox entry still queued.
  auto e = Quarantined(*v, "ops", Described(*r1));
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->action, store::QuarantineAction::kKept);
  EXPECT_TRUE(e->urgent);
  EXPECT_FALSE(testing::Holds(*town, *r1));
  auto integrity = v->store().CheckIntegrity();
  ASSERT_OK(integrity);
  EXPECT_EQ(integrity->outbox, 1u);
  v.reset();
  town.reset();
}

TEST_F(NodeCorruptionTest, UnreadableLastOwnOpDoesNotStopNewReports) {
  auto town = StartTown();
  ASSERT_TRUE(town);
  const uint16_t port = town->listen_port();
  auto v = StartVillage(port);
  ASSERT_TRUE(v);
  ASSERT_OK(testing::WriteBacklog(*v, 0, 20, 20));
  ASSERT_TRUE(Converges({town.get(), v.get()}, {"child", "report"}, seconds(30)));
  ASSERT_OK(town->Stop());
  town.reset();
  ASSERT_TRUE(RunUntil(
      io_, [&] { return v->connected_peers() == 0; }, seconds(10)));
  auto r1 = testing::WriteReport(*v, "r1");
  ASSERT_OK(r1);
  // The last op of the village's chain rots: the next op links to it through the head the
  // village signed for it (before: every later write of its scope failed, reports included).
  Rot(v, kVillage, {{"ops", OpKeyOf(*r1)}});
  v = StartVillage(port);
  ASSERT_TRUE(v);
  auto r2 = testing::WriteReport(*v, "r2");
  ASSERT_OK(r2);
  EXPECT_EQ(r2->seq, r1->seq + 1);
  town = StartTown(port);
  ASSERT_TRUE(town);
  std::string why;
  ASSERT_TRUE(RunUntil(
      io_,
      [&] {
        why = !testing::Holds(*town, *r2)            ? "the town lacks r2"
              : !HasReceipt(*v, *r2, *town)          ? "no receipt of r2 at the village"
              : OutboxSize(*v, kUpstreamOutbox) != 0 ? "r2 not acknowledged"
                                                     : "";
        return why.empty();
      },
      seconds(30)))
      << why;
  auto e = Quarantined(*v, "ops", Described(*r1));
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->action, store::QuarantineAction::kKept);
  EXPECT_TRUE(e->urgent);
  v.reset();
  town.reset();
}

TEST_F(NodeCorruptionTest, CorruptStateIsRebuiltFromTheOpLog) {
  auto town = StartTown();
  ASSERT_TRUE(town);
  const uint16_t port = town->listen_port();
  auto v = StartVillage(port);
  ASSERT_TRUE(v);
  ASSERT_OK(testing::WriteBacklog(*v, 0, 30, 10));
  ASSERT_TRUE(Converges({town.get(), v.get()}, {"child"}, seconds(30)));

  // The town's copy of child c5's state rots; the village keeps running and edits c5.
  const crdt::RecordKey c5{kVillage, "child", "c5"};
  Rot(town, kTown, {{"state", store::internal::StateKey(c5)}});
  auto written = v->Write({testing::OneField(kVillage, "child", "c5", "school", "Cizao No. 2")});
  ASSERT_OK(written);
  town = StartTown(port);
  ASSERT_TRUE(town);
  // Before: every batch touching c5 failed at the town, and so did the session, for good.
  // (Only the vector is read meanwhile: a read of c5 would replay it before the batch does.)
  ASSERT_TRUE(RunUntil(
      io_, [&] { return testing::SeqAt(*town, kVillage, v->node_id()) == 31; }, seconds(30)));
  auto got = town->store().Get(c5);
  ASSERT_OK(got);
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->Get("school"), "Cizao No. 2");
  EXPECT_TRUE((*got)->Get("note").has_value());  // what it held before is back too
  auto e = Quarantined(*town, "state", c5.ToString());
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->action, store::QuarantineAction::kRebuilt);
  ASSERT_TRUE(Converges({town.get(), v.get()}, {"child"}, seconds(30)));
  auto integrity = town->store().CheckIntegrity();
  ASSERT_OK(integrity);
  EXPECT_TRUE(integrity->ok()) << integrity->problems.front();
  v.reset();
  town.reset();
}

TEST_F(NodeCorruptionTest, UnreadableOpIsFetchedAgainFromUpstream) {
  auto town = StartTown();
  ASSERT_TRUE(town);
  const uint16_t port = town->listen_port();
  auto v = StartVillage(port);
  ASSERT_TRUE(v);
  // The town's own records (its scope is held by every village below it) reach the village.
  ASSERT_OK(testing::WriteBacklog(*town, 0, 30, 10));
  ASSERT_OK(testing::WriteBacklog(*v, 0, 10, 10));
  ASSERT_TRUE(Converges({town.get(), v.get()}, {"child"}, seconds(30)));

  // The village's copy of the town's last op rots. The town goes on writing: the village reads
  // that op to check the link of the next run (before: kCorruption, and the session closed on
  // every reconnect, for good). Now the read goes around it, and the village drops it and
  // lowers its vector, holding the run pending behind the gap.
  const crdt::NodeId town_id = town->node_id();
  auto held = v->store().GetOp(kTown, town_id, 30);
  ASSERT_OK(held);
  ASSERT_TRUE(held->has_value());
  Rot(v, kVillage, {{"ops", store::internal::OpKey(kTown, town_id, 30)}});
  v = StartVillage(port);
  ASSERT_TRUE(v);
  ASSERT_OK(testing::WriteBacklog(*town, 30, 10, 10));
  std::optional<store::QuarantineEntry> e;
  ASSERT_TRUE(RunUntil(
      io_,
      [&] {
        e = Quarantined(*v, "ops", kTown + std::string("/") + std::to_string(town_id) + "/30");
        return e.has_value() && *v->store().PendingCount() == 10;
      },
      seconds(30)));
  EXPECT_EQ(e->action, store::QuarantineAction::kRefetch);
  EXPECT_EQ(testing::SeqAt(*v, kTown, town_id), 29u);
  // The next session's digest carries the lowered vector: the town sends the op again.
  ASSERT_OK(v->Stop());
  v = StartVillage(port);
  ASSERT_TRUE(v);
  ASSERT_TRUE(Converges({town.get(), v.get()}, {"child"}, seconds(30)));
  EXPECT_EQ(testing::SeqAt(*v, kTown, town_id), 40u);
  EXPECT_EQ(*v->store().GetOp(kTown, town_id, 30), *held);
  auto integrity = v->store().CheckIntegrity();
  ASSERT_OK(integrity);
  EXPECT_TRUE(integrity->ok()) << integrity->problems.front();
  v.reset();
  town.reset();
}

}  // namespace
}  // namespace fulei::node
