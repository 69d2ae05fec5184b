// Urgent reports between whole nodes on loopback (issue 6): the receipts of the town and of the
// city come back to the village with their units and times; a village with the city as a second
// upstream gets its report to the city while its town is stopped, and to the town when it comes
// back, with exactly one copy and one receipt per receiving node everywhere.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "crdt/op.h"
#include "node/node.h"
#include "sync/receipts.h"
#include "sync/session.h"
#include "tests/node/network_test.h"
#include "tests/node/test_network.h"
#include "tests/node/write_helpers.h"
#include "tests/support/status_matchers.h"

namespace fulei::node {
namespace {

using crypto::Role;
using std::chrono::seconds;
using testing::RunUntil;

constexpr char kCity[] = "jinjiang";
constexpr char kTown[] = "jinjiang/cizao";
constexpr char kVillage[] = "jinjiang/cizao/v012";

class IntegrationUrgentTest : public testing::NetworkTest {
 protected:
  IntegrationUrgentTest() {
    net_->Add(kCity, Role::kCity);
    net_->Add(kTown, Role::kTown);
    net_->Add(kVillage, Role::kVillage);
  }

  std::vector<sync::Receipt> Receipts(Node& n, const std::string& id) {
    auto r = sync::ReceiptsFor(n.store(), kVillage, "report", id);
    EXPECT_OK(r);
    return r.ok() ? *r : std::vector<sync::Receipt>{};
  }

  // The receipt of `op` by `node` held at `at`, if any.
  std::optional<sync::Receipt> ReceiptBy(Node& at, const crdt::Op& op, const Node& by) {
    for (const sync::Receipt& r : Receipts(at, op.key.id)) {
      if (r.origin == op.origin && r.seq == op.seq && r.node == by.node_id()) return r;
    }
    return std::nullopt;
  }
};

TEST_F(IntegrationUrgentTest, ReceiptsOfTownAndCityReachTheVillage) {
  auto city = StartNode(net_->Config(kCity, true, 0));
  ASSERT_TRUE(city);
  auto town = StartNode(net_->Config(kTown, true, city->listen_port()));
  ASSERT_TRUE(town);
  auto v = StartNode(net_->Config(kVillage, false, town->listen_port()));
  ASSERT_TRUE(v);
  ASSERT_TRUE(RunUntil(
      io_, [&] { return v->connected_peers() == 1 && town->connected_peers() == 2; }, seconds(20)));
  // A backlog in flight, then the report at 10:02:03 (fake clock); the town's clock reads
  // the same fake wall clock.
  ASSERT_OK(testing::WriteBacklog(*v, 0, 600, 100));
  const uint64_t filed_at = net_->wall();
  auto report = testing::WriteReport(*v, "r1");
  ASSERT_OK(report);

  std::string why;
  ASSERT_TRUE(RunUntil(
      io_,
      [&] {
        why = !ReceiptBy(*v, *report, *town)   ? "no receipt of the town at the village"
              : !ReceiptBy(*v, *report, *city) ? "no receipt of the city at the village"
                                               : "";
        return why.empty();
      },
      seconds(30)))
      << why;
  auto from_town = ReceiptBy(*v, *report, *town);
  auto from_city = ReceiptBy(*v, *report, *city);
  EXPECT_EQ(from_town->unit, kTown);
  EXPECT_EQ(from_city->unit, kCity);
  EXPECT_GE(from_town->received_ms, filed_at);
  EXPECT_GE(from_city->received_ms, filed_at);
  EXPECT_EQ(Receipts(*v, "r1").size(), 2u);
  EXPECT_EQ(town->stats().receipts_written, 1u);
  EXPECT_EQ(city->stats().receipts_written, 1u);
  EXPECT_EQ(v->stats().receipts_written, 0u);

  // Everything converges (receipts included), every outbox, up and down, empties.
  ASSERT_TRUE(Converges({city.get(), town.get(), v.get()}, {"child", "report", sync::kReceiptType},
                        seconds(60), [&]() -> std::string {
                          if (OutboxSize(*town, sync::DownOutbox(kVillage)) != 0) {
                            return "town's down outbox not empty";
                          }
                          if (OutboxSize(*city, sync::DownOutbox(kVillage)) != 0) {
                            return "city's down outbox not empty";
                          }
                          return "";
                        }));
  EXPECT_EQ(Receipts(*city, "r1").size(), 2u);
  v.reset();
  town.reset();
  city.reset();
}

TEST_F(IntegrationUrgentTest, TownStoppedReportGoesToTheCityThenToTheTownOnItsReturn) {
  auto city = StartNode(net_->Config(kCity, true, 0));
  ASSERT_TRUE(city);
  auto town = StartNode(net_->Config(kTown, true, city->listen_port()));
  ASSERT_TRUE(town);
  const uint16_t town_port = town->listen_port();
  NodeConfig vc = net_->Config(kVillage, false, 0);
  vc.upstreams = {Upstream{{Endpoint{"127.0.0.1", town_port}}, kTown},
                  Upstream{{Endpoint{"127.0.0.1", city->listen_port()}}, kCity}};
  auto v = StartNode(std::move(vc));
  ASSERT_TRUE(v);
  ASSERT_OK(testing::WriteBacklog(*v, 0, 200, 100));
  // Full sync with the town, urgent-only with the city.
  ASSERT_TRUE(RunUntil(
      io_,
      [&] {
        return v->upstream_full_sync(0) && v->upstream_connected(1) && !v->upstream_full_sync(1) &&
               v->sync_idle() && town->sync_idle();
      },
      seconds(30)));
  // A report with both upstreams up: queued for both, each acknowledges it.
  auto before = testing::WriteReport(*v, "r0");
  ASSERT_OK(before);
  // Written once, queued for every upstream.
  EXPECT_EQ(OutboxSize(*v, UpstreamOutbox(0)), 1u);
  EXPECT_EQ(OutboxSize(*v, UpstreamOutbox(1)), 1u);
  ASSERT_TRUE(RunUntil(
      io_,
      [&] {
        return OutboxSize(*v, UpstreamOutbox(0)) == 0 && OutboxSize(*v, UpstreamOutbox(1)) == 0 &&
               testing::Holds(*city, *before) && ReceiptBy(*v, *before, *city) &&
               ReceiptBy(*v, *before, *town);
      },
      seconds(30)));

  // The town goes down; the village's city session switches to full sync.
  ASSERT_OK(town->Stop());
  town.reset();
  ASSERT_TRUE(RunUntil(
      io_, [&] { return !v->upstream_connected(0) && v->upstream_full_sync(1); }, seconds(30)));
  ASSERT_OK(testing::WriteBacklog(*v, 200, 100, 50));
  net_->Advance(60'000);
  auto report = testing::WriteReport(*v, "r1");
  ASSERT_OK(report);
  std::string why;
  ASSERT_TRUE(RunUntil(
      io_,
      [&] {
        why = !testing::Holds(*city, *report)          ? "city lacks the report"
              : !ReceiptBy(*v, *report, *city)         ? "no city receipt at the village"
              : OutboxSize(*v, UpstreamOutbox(1)) != 0 ? "city outbox not empty"
                                                       : "";
        return why.empty();
      },
      seconds(30)))
      << why;
  // The city merged it (full sync filled any gap) and the town's outbox still holds it.
  EXPECT_EQ(OutboxSize(*v, UpstreamOutbox(0)), 1u);
  ASSERT_TRUE(RunUntil(
      io_,
      [&] {
        auto r = city->store().Get({kVillage, "report", "r1"});
        return r.ok() && r->has_value();
      },
      seconds(30)));

  // The town comes back on its port: it receives the report, the village its receipt, and the
  // city session drops back to urgent-only.
  net_->Advance(2 * 3600'000);
  town = StartNode(net_->Config(kTown, true, city->listen_port(), town_port));
  ASSERT_TRUE(town);
  ASSERT_TRUE(RunUntil(
      io_,
      [&] {
        why = !testing::Holds(*town, *report)          ? "town lacks the report"
              : !ReceiptBy(*v, *report, *town)         ? "no town receipt at the village"
              : OutboxSize(*v, UpstreamOutbox(0)) != 0 ? "town outbox not empty"
              : !v->upstream_full_sync(0)              ? "town session not full"
              : !v->upstream_connected(1)              ? "city session not back"
              : v->upstream_full_sync(1)               ? "city session still full"
                                                       : "";
        return why.empty();
      },
      seconds(30)))
      << why;
  const auto town_receipt = ReceiptBy(*v, *report, *town);
  EXPECT_EQ(town_receipt->unit, kTown);
  EXPECT_GE(town_receipt->received_ms, net_->wall());  // received after its return

  // Converged, with exactly one copy and one receipt per (report, receiving node).
  ASSERT_TRUE(Converges({city.get(), town.get(), v.get()}, {"child", "report", sync::kReceiptType},
                        seconds(60)));
  for (Node* n : {city.get(), town.get(), v.get()}) {
    for (const char* id : {"r0", "r1"}) {
      auto receipts = Receipts(*n, id);
      ASSERT_EQ(receipts.size(), 2u) << n->unit() << " " << id;
      EXPECT_NE(receipts[0].node, receipts[1].node);
      auto r = n->store().Get({kVillage, "report", id});
      ASSERT_TRUE(r.ok() && r->has_value());
      EXPECT_FALSE((*r)->Field("summary")->conflict());
      EXPECT_EQ((*r)->Field("summary")->values().size(), 1u);
    }
  }
  for (const std::string& outbox : {UpstreamOutbox(0), UpstreamOutbox(1)}) {
    EXPECT_EQ(OutboxSize(*v, outbox), 0u) << outbox;
  }
  EXPECT_EQ(OutboxSize(*town, sync::DownOutbox(kVillage)), 0u);
  EXPECT_EQ(OutboxSize(*city, sync::DownOutbox(kVillage)), 0u);
  EXPECT_GE(v->stats().mode_switches, 1u);
  v.reset();
  town.reset();
  city.reset();
}

}  // namespace
}  // namespace fulei::node
