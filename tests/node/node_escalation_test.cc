// Escalation between whole nodes on loopback (issue 6): a report or help request that no person
// at the town acknowledged within its deadline (30 and 10 minutes by default) is flagged overdue
// by the city's own timer, on the case record itself, and the flag comes back down to the
// village; an acknowledged case is never flagged, and nothing is flagged twice.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crdt/op.h"
#include "node/node.h"
#include "programme/date.h"
#include "programme/urgent_actions.h"
#include "tests/node/network_test.h"
#include "tests/node/test_network.h"
#include "tests/node/write_helpers.h"
#include "tests/support/status_matchers.h"

namespace fulei::node {
namespace {

using crypto::Role;
using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::RunUntil;

constexpr char kCity[] = "jinjiang";
constexpr char kTown[] = "jinjiang/cizao";
constexpr char kVillage[] = "jinjiang/cizao/v012";

class IntegrationEscalationTest : public testing::NetworkTest {
 protected:
  IntegrationEscalationTest() {
    net_->Add(kCity, Role::kCity);
    net_->Add(kTown, Role::kTown);
    net_->Add(kVillage, Role::kVillage);
  }

  std::unique_ptr<Node> StartNode(NodeConfig config) {
    config.escalation_interval = milliseconds(20);
    return NetworkTest::StartNode(std::move(config));
  }

  // Files a case of `type` at the village, reported now (the shared fake clock).
  Result<crdt::Op> File(Node& village, const std::string& type, const std::string& id) {
    store::LocalChange c = testing::OneField(
        kVillage, type, id, "summary", "强制报告 " + id + ": child at risk", crdt::kOpFlagUrgent);
    c.writes.push_back(
        crdt::FieldWrite{"reported_at", crdt::WriteKind::kSet, programme::FormatTime(Now()), {}});
    auto ops = village.Write({c}, {kUpstreamOutbox});
    if (!ops.ok()) return ops.status();
    return ops->front();
  }

  int64_t Now() const { return static_cast<int64_t>(net_->wall() / 1000); }

  // The case's field at `node`, if the record and field are there.
  static std::optional<std::string> FieldAt(Node& node, const std::string& type,
                                            const std::string& id, const std::string& field) {
    auto r = node.store().Get({kVillage, type, id});
    if (!r.ok() || !r->has_value()) return std::nullopt;
    return (*r)->Get(field);
  }

  // True when the case at `node` holds an entry of log field `field`.
  static bool HasLogEntry(Node& node, const std::string& type, const std::string& id,
                          const std::string& field) {
    auto r = node.store().Get({kVillage, type, id});
    if (!r.ok() || !r->has_value()) return false;
    const crdt::FieldState* f = (*r)->Field(field);
    return f != nullptr && !f->LogEntries().empty();
  }
};

TEST_F(IntegrationEscalationTest, OverdueCasesAreFlaggedAtTheCityAndTheFlagReachesTheVillage) {
  auto city = StartNode(net_->Config(kCity, true, 0));
  ASSERT_TRUE(city);
  auto town = StartNode(net_->Config(kTown, true, city->listen_port()));
  ASSERT_TRUE(town);
  auto v = StartNode(net_->Config(kVillage, false, town->listen_port()));
  ASSERT_TRUE(v);
  ASSERT_TRUE(RunUntil(
      io_, [&] { return v->connected_peers() == 1 && town->connected_peers() == 2; }, seconds(20)));

  const int64_t filed = Now();
  ASSERT_OK(File(*v, "report", "r-open"));
  ASSERT_OK(File(*v, "help_request", "h-open"));
  auto acked = File(*v, "report", "r-acked");
  ASSERT_OK(acked);
  ASSERT_TRUE(RunUntil(
      io_,
      [&] {
        return FieldAt(*town, "report", "r-acked", "summary") &&
               FieldAt(*city, "report", "r-open", "summary") &&
               FieldAt(*city, "help_request", "h-open", "summary");
      },
      seconds(30)));

  // A person at the town acknowledges r-acked five minutes later.
  net_->Advance(5 * 60'000);
  {
    auto state = town->store().Get({kVillage, "report", "r-acked"});
    ASSERT_TRUE(state.ok() && state->has_value());
    auto ack = programme::AcknowledgeCase(
        {kVillage, "report", "r-acked"}, **state,
        programme::Viewer{programme::Role::kTownSupervisor, kTown}, "u-town-1", Now());
    ASSERT_OK(ack);
    ASSERT_OK(town->Write({*ack}, {kUpstreamOutbox}));
  }
  ASSERT_TRUE(RunUntil(
      io_, [&] { return HasLogEntry(*city, "report", "r-acked", "acks"); }, seconds(30)));

  // Eleven minutes: the help request (10 minutes) is overdue, the reports (30) are not.
  net_->Advance(6 * 60'000);
  ASSERT_TRUE(RunUntil(
      io_, [&] { return FieldAt(*v, "help_request", "h-open", "escalated_at").has_value(); },
      seconds(30)));
  EXPECT_EQ(*FieldAt(*v, "help_request", "h-open", "overdue_since"),
            programme::FormatTime(filed + 10 * 60));
  EXPECT_FALSE(FieldAt(*city, "report", "r-open", "escalated_at"));
  EXPECT_EQ(city->stats().escalations_written, 1u);

  // Thirty-one minutes: the open report is overdue; the acknowledged one never is.
  net_->Advance(20 * 60'000);
  ASSERT_TRUE(RunUntil(
      io_, [&] { return FieldAt(*v, "report", "r-open", "escalated_at").has_value(); },
      seconds(30)));
  EXPECT_EQ(*FieldAt(*v, "report", "r-open", "overdue_since"),
            programme::FormatTime(filed + 30 * 60));
  EXPECT_EQ(*FieldAt(*v, "report", "r-open", "escalated_to"), kCity);
  auto again = city->CheckEscalations();
  ASSERT_OK(again);
  EXPECT_EQ(*again, 0u);  // each case is flagged once
  EXPECT_EQ(city->stats().escalations_written, 2u);
  EXPECT_FALSE(FieldAt(*city, "report", "r-acked", "escalated_at"));
  EXPECT_FALSE(FieldAt(*v, "report", "r-acked", "escalated_at"));

  // Only the city escalates.
  EXPECT_EQ(town->CheckEscalations().status().code(), StatusCode::kFailedPrecondition);
  v.reset();
  town.reset();
  city.reset();
}

}  // namespace
}  // namespace fulei::node
