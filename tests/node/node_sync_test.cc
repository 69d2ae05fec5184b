// Whole nodes (node::Node: store, identity, sync over net/) on loopback TCP with the encrypted
// channel, all in one process and one io_context: a city, towns and villages converge; a town
// killed mid-sync restarts from its data dir and nothing acknowledged is lost; a village offline
// for a (simulated) week catches up; an urgent report climbs to the city and its outbox empties.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "crdt/op.h"
#include "node/node.h"
#include "tests/node/network_test.h"
#include "tests/node/test_network.h"
#include "tests/support/status_matchers.h"

namespace fulei::node {
namespace {

using crypto::Role;
using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::Divergence;
using testing::RunUntil;

const std::vector<std::string> kTypes = {"child", "report", "org"};

// One change: a one-field write to record (scope, type, id).
store::LocalChange Change(const std::string& scope, const std::string& type, const std::string& id,
                          const std::string& field, const std::string& value, uint32_t flags = 0) {
  store::LocalChange c;
  c.key = {scope, type, id};
  c.author = "tester";
  c.flags = flags;
  c.writes.push_back(crdt::FieldWrite{field, crdt::WriteKind::kSet, value, {}});
  return c;
}

// `count` one-field ops on children c<first>..., `per_commit` ops per store transaction.
void WriteChildren(Node& node, int first, int count, const std::string& field,
                   int per_commit = 100) {
  for (int done = 0; done < count;) {
    std::vector<store::LocalChange> changes;
    for (int i = 0; i < per_commit && done < count; ++i, ++done) {
      changes.push_back(Change(node.unit(), "child", "c" + std::to_string(first + done), field,
                               field + " of child " + std::to_string(first + done)));
    }
    auto ops = node.Write(changes);
    ASSERT_OK(ops);
  }
}

size_t RecordCount(Node& node, const std::string& scope) {
  auto records = testing::ScopeRecords(node.store(), scope, kTypes);
  EXPECT_OK(records);
  return records.ok() ? records->size() : 0;
}

uint64_t SeqAt(Node& node, const std::string& scope, crdt::NodeId origin) {
  auto vv = node.store().GetVersionVector(scope);
  if (!vv.ok()) return 0;
  auto it = vv->find(origin);
  return it == vv->end() ? 0 : it->second;
}

class IntegrationSyncTest : public testing::NetworkTest {
 protected:
  // Drives the loop until every node agrees, or fails with what still differs.
  void ExpectConverged(const std::vector<Node*>& nodes, std::chrono::milliseconds limit) {
    ASSERT_TRUE(Converges(nodes, kTypes, limit, {}, milliseconds(20)));
  }
};

TEST_F(IntegrationSyncTest, CityTwoTownsFourVillagesConverge) {
  const std::vector<std::string> towns = {"jinjiang/cizao", "jinjiang/chidian"};
  const std::vector<std::string> villages = {"jinjiang/cizao/v001", "jinjiang/cizao/v002",
                                             "jinjiang/chidian/v001", "jinjiang/chidian/v002"};
  net_->Add("jinjiang", Role::kCity);
  for (const auto& t : towns) net_->Add(t, Role::kTown);
  for (const auto& v : villages) net_->Add(v, Role::kVillage);

  auto city = StartNode(net_->Config("jinjiang", true, 0));
  ASSERT_TRUE(city);
  std::vector<std::unique_ptr<Node>> nodes;
  std::map<std::string, Node*> by_unit{{"jinjiang", city.get()}};
  for (const auto& t : towns) {
    nodes.push_back(StartNode(net_->Config(t, true, city->listen_port())));
    ASSERT_TRUE(nodes.back());
    by_unit[t] = nodes.back().get();
  }
  for (const auto& v : villages) {
    Node* town = by_unit[v.substr(0, v.rfind('/'))];
    nodes.push_back(StartNode(net_->Config(v, false, town->listen_port())));
    ASSERT_TRUE(nodes.back());
    by_unit[v] = nodes.back().get();
  }
  // Half the records before the links are up, half while they are.
  for (const auto& v : villages) WriteChildren(*by_unit[v], 0, 100, "name", 50);
  ASSERT_TRUE(RunUntil(
      io_,
      [&] {
        for (const auto& v : villages) {
          if (by_unit[v]->connected_peers() != 1) return false;
        }
        return city->connected_peers() == 2;
      },
      seconds(20)))
      << "links did not come up";
  for (const auto& v : villages) WriteChildren(*by_unit[v], 100, 100, "name", 25);
  // A town edits a village record; the city writes a city-wide record.
  auto edit = by_unit["jinjiang/cizao"]->Write(
      {Change("jinjiang/cizao/v001", "child", "c7", "case_worker", "town social worker")});
  ASSERT_OK(edit);
  auto org = city->Write({Change("jinjiang", "org", "o1", "name", "city volunteers")});
  ASSERT_OK(org);

  std::vector<Node*> all;
  for (auto& [unit, n] : by_unit) all.push_back(n);
  ExpectConverged(all, seconds(40));
  for (const auto& v : villages) {
    EXPECT_EQ(RecordCount(*city, v), 200u) << v;
    EXPECT_EQ(RecordCount(*by_unit[v], "jinjiang"), 1u) << v << " lacks the city's record";
  }
  // The town's edit reached the village that owns the record.
  auto c7 = by_unit["jinjiang/cizao/v001"]->store().Get({"jinjiang/cizao/v001", "child", "c7"});
  ASSERT_TRUE(c7.ok() && c7->has_value());
  EXPECT_TRUE((*c7)->fields().contains("case_worker"));
  // Sibling villages hold nothing of each other.
  EXPECT_EQ(RecordCount(*by_unit["jinjiang/cizao/v002"], "jinjiang/cizao/v001"), 0u);
  EXPECT_EQ(RecordCount(*by_unit["jinjiang/chidian/v001"], "jinjiang/cizao/v001"), 0u);
  EXPECT_EQ(city->stats().sync_errors, 0u);

  nodes.clear();
  city.reset();
}

TEST_F(IntegrationSyncTest, TownKilledMidSyncRestartsAndLosesNothing) {
  const std::string town_unit = "jinjiang/cizao";
  const std::vector<std::string> villages = {"jinjiang/cizao/v001", "jinjiang/cizao/v002"};
  net_->Add("jinjiang", Role::kCity);
  net_->Add(town_unit, Role::kTown);
  for (const auto& v : villages) net_->Add(v, Role::kVillage);

  auto city = StartNode(net_->Config("jinjiang", true, 0));
  ASSERT_TRUE(city);
  NodeConfig town_config = net_->Config(town_unit, true, city->listen_port());
  town_config.sync_max_batch_ops = 100;  // many small batches: the kill lands mid-stream
  auto town = StartNode(town_config);
  ASSERT_TRUE(town);
  const uint16_t town_port = town->listen_port();
  std::vector<std::unique_ptr<Node>> vs;
  for (const auto& v : villages) {
    vs.push_back(StartNode(net_->Config(v, false, town_port)));
    ASSERT_TRUE(vs.back());
  }
  // The backlog: 2 x 2,500 one-field ops, written before the links come up.
  constexpr uint64_t kOpsPerVillage = 2500;
  for (auto& v : vs) WriteChildren(*v, 0, static_cast<int>(kOpsPerVillage), "name", 100);

  auto city_total = [&] {
    uint64_t total = 0;
    for (size_t i = 0; i < villages.size(); ++i)
      total += SeqAt(*city, villages[i], vs[i]->node_id());
    return total;
  };
  ASSERT_TRUE(RunUntil(
      io_, [&] { return city->stats().ops_applied > 0; }, seconds(30), milliseconds(1)))
      << "the city never received anything";
  const uint64_t before_kill = city_total();
  EXPECT_GT(before_kill, 0u);
  EXPECT_LT(before_kill, 2 * kOpsPerVillage) << "the town finished before it was killed";

  // Kill the town (its store closes; in-flight batches are lost with the connection).
  ASSERT_OK(town->Stop());
  town.reset();
  // The villages notice and redial a closed port for a while.
  RunUntil(
      io_, [] { return false; }, milliseconds(300), milliseconds(20));
  for (auto& v : vs) EXPECT_EQ(v->connected_peers(), 0u);

  // Restart from the same data dir, identity and port.
  town = StartNode(net_->Config(town_unit, true, city->listen_port(), town_port));
  ASSERT_TRUE(town);
  std::vector<Node*> all = {city.get(), town.get(), vs[0].get(), vs[1].get()};
  ExpectConverged(all, seconds(60));
  // Every op the villages wrote is at the city.
  for (size_t i = 0; i < villages.size(); ++i) {
    EXPECT_EQ(SeqAt(*city, villages[i], vs[i]->node_id()), kOpsPerVillage) << villages[i];
    EXPECT_EQ(RecordCount(*city, villages[i]), kOpsPerVillage) << villages[i];
  }
  vs.clear();
  town.reset();
  city.reset();
}

TEST_F(IntegrationSyncTest, VillageOfflineForAWeekCatchesUp) {
  const std::string town_unit = "jinjiang/cizao";
  const std::string village = "jinjiang/cizao/v003";
  net_->Add("jinjiang", Role::kCity);
  net_->Add(town_unit, Role::kTown);
  net_->Add(village, Role::kVillage);
  auto city = StartNode(net_->Config("jinjiang", true, 0));
  ASSERT_TRUE(city);
  auto town = StartNode(net_->Config(town_unit, true, city->listen_port()));
  ASSERT_TRUE(town);
  auto v = StartNode(net_->Config(village, false, town->listen_port()));
  ASSERT_TRUE(v);
  WriteChildren(*v, 0, 50, "name", 50);
  ExpectConverged({city.get(), town.get(), v.get()}, seconds(20));

  // The village loses its link: it runs without dialing for a week of wall time.
  v.reset();
  v = StartNode(net_->Config(village, false, 0));
  ASSERT_TRUE(v);
  const uint64_t week_start = net_->wall();
  for (int hour = 0; hour < 7 * 24; ++hour) {
    net_->Advance(3'600'000);
    // Every hour the home edits a few records; new children arrive now and then.
    std::vector<store::LocalChange> changes;
    for (int k = 0; k < 3; ++k) {
      changes.push_back(Change(village, "child", "c" + std::to_string((hour * 3 + k) % 60), "grade",
                               "hour " + std::to_string(hour)));
    }
    auto ops = v->Write(changes);
    ASSERT_OK(ops);
    if (hour == 30) {  // meanwhile the town and the city edit the village's records
      ASSERT_OK(town->Write({Change(village, "child", "c1", "case_note", "town visit")}));
    }
    if (hour == 100) {
      ASSERT_OK(city->Write({Change(village, "child", "c2", "review", "city review")}));
    }
    io_.poll();  // the town and city keep running (their links stay idle)
  }
  EXPECT_EQ(net_->wall() - week_start, 7 * testing::kDayMs);
  EXPECT_NE(Divergence({city.get(), town.get(), v.get()}, kTypes), "");

  // The link comes back.
  v.reset();
  v = StartNode(net_->Config(village, false, town->listen_port()));
  ASSERT_TRUE(v);
  ExpectConverged({city.get(), town.get(), v.get()}, seconds(30));
  auto c1 = v->store().Get({village, "child", "c1"});
  ASSERT_TRUE(c1.ok() && c1->has_value());
  EXPECT_TRUE((*c1)->fields().contains("case_note"));
  auto c2 = v->store().Get({village, "child", "c2"});
  ASSERT_TRUE(c2.ok() && c2->has_value());
  EXPECT_TRUE((*c2)->fields().contains("review"));
  EXPECT_EQ(SeqAt(*city, village, v->node_id()), 50u + 3 * 7 * 24);
  v.reset();
  town.reset();
  city.reset();
}

TEST_F(IntegrationSyncTest, UrgentReportReachesTheCityAndTheOutboxEmpties) {
  const std::string town_unit = "jinjiang/chidian";
  const std::string village = "jinjiang/chidian/v001";
  net_->Add("jinjiang", Role::kCity);
  net_->Add(town_unit, Role::kTown);
  net_->Add(village, Role::kVillage);
  auto city = StartNode(net_->Config("jinjiang", true, 0));
  ASSERT_TRUE(city);
  auto town = StartNode(net_->Config(town_unit, true, city->listen_port()));
  ASSERT_TRUE(town);
  auto v = StartNode(net_->Config(village, false, town->listen_port()));
  ASSERT_TRUE(v);
  // A backlog of ordinary records, then the report while it is moving.
  WriteChildren(*v, 0, 1000, "name", 100);
  auto report =
      v->Write({Change(village, "report", "r1", "summary", "child at risk", crdt::kOpFlagUrgent)},
               {kUpstreamOutbox});
  ASSERT_OK(report);
  ASSERT_EQ(report->size(), 1u);
  const crdt::Op& op = report->front();
  auto queued = v->store().Outbox(kUpstreamOutbox);
  ASSERT_OK(queued);
  EXPECT_EQ(queued->size(), 1u);

  std::string why;
  ASSERT_TRUE(RunUntil(
      io_,
      [&] {
        auto at_city = city->store().GetOp(village, op.origin, op.seq);
        auto left = v->store().Outbox(kUpstreamOutbox);
        auto town_left = town->store().Outbox(kUpstreamOutbox);
        why = !at_city.ok() || !at_city->has_value()   ? "not at the city"
              : !left.ok() || !left->empty()           ? "village outbox not empty"
              : !town_left.ok() || !town_left->empty() ? "town outbox not empty"
                                                       : "";
        return why.empty();
      },
      seconds(20)))
      << why;
  EXPECT_GE(v->stats().urgent_acked, 1u);
  // The report overtook the backlog: the city holds it (pending behind the gap until the
  // backlog arrives), then everything converges and the report is merged.
  ExpectConverged({city.get(), town.get(), v.get()}, seconds(30));
  auto r1 = city->store().Get({village, "report", "r1"});
  ASSERT_TRUE(r1.ok() && r1->has_value());
  v.reset();
  town.reset();
  city.reset();
}

// A village pointed at another town's address gets no session: the channel's expectations
// (the upstream must be its own town; the listener accepts only its subtree) refuse it. Proven
// by what happened, not by a quiet interval: the village dialled that town again and again, each
// time reached it (it saw the town's certificate in the handshake) and refused it for its unit.
TEST_F(IntegrationSyncTest, VillageDialingAnotherTownIsRefused) {
  net_->Add("jinjiang/chidian", Role::kTown);
  net_->Add("jinjiang/cizao/v001", Role::kVillage);
  auto town = StartNode(net_->Config("jinjiang/chidian", true, 0));
  ASSERT_TRUE(town);
  auto v = StartNode(net_->Config("jinjiang/cizao/v001", false, town->listen_port()));
  ASSERT_TRUE(v);
  WriteChildren(*v, 0, 10, "name", 10);
  auto refusals = [&] {
    return std::count_if(net_->log().begin(), net_->log().end(), [](const std::string& line) {
      return line.find("jinjiang/cizao/v001: handshake with upstream 0 failed") !=
                 std::string::npos &&
             line.find("peer org unit jinjiang/chidian is not under jinjiang/cizao") !=
                 std::string::npos;
    });
  };
  ASSERT_TRUE(RunUntil(
      io_, [&] { return v->stats().dials_failed >= 3 && refusals() >= 3; }, seconds(30)))
      << "dials " << v->stats().dials << ", failed " << v->stats().dials_failed << ", refusals "
      << refusals();
  EXPECT_EQ(v->connected_peers(), 0u);
  EXPECT_EQ(v->stats().sessions_established, 0u);
  EXPECT_EQ(town->stats().sessions_established, 0u);
  EXPECT_EQ(RecordCount(*town, "jinjiang/cizao/v001"), 0u);
  v.reset();
  town.reset();
}

}  // namespace
}  // namespace fulei::node
