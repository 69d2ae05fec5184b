// The simulator with the programme's records: after a faulty run every town's and the city's
// dashboard counters (kept by the node core's store as records arrive) equal a recount of the
// records the node holds, and their figures of the newer records equal a second recount made
// with other code (Invariants::CheckAggregates, run by RunSimulation); every record the
// workload wrote was written for a person through NodeCore::WriteAs, validated and allowed
// (a refusal fails the run); and the city's dashboard shows every report filed and the newer
// records the workload wrote.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <string>

#include "node/sim/simulation.h"
#include "programme/schema.h"

namespace fulei::node::sim {
namespace {

SimConfig Config(uint64_t seed) {
  SimConfig c;
  c.seed = seed;
  c.work_dir = (std::filesystem::is_directory("/dev/shm")
                    ? std::string("/dev/shm/fulei-sim-agg")
                    : (std::filesystem::temp_directory_path() / "fulei-sim-agg").string()) +
               "-" + std::to_string(::getpid());
  return c;
}

uint64_t Written(const SimResult& r, const std::string& type) {
  auto it = r.records_written.find(type);
  return it == r.records_written.end() ? 0 : it->second;
}

TEST(SimAggregates, TownAndCityCountersEqualARecountAfterAFaultyRun) {
  uint64_t crashes = 0, rejected = 0, skipped = 0, total = 0;
  std::map<std::string, uint64_t> written, by_role;
  std::map<std::string, int64_t> city;
  for (uint64_t seed = 501; seed < 509; ++seed) {
    SimConfig c = Config(seed);
    c.urgent_fraction = 0.1;
    ASSERT_TRUE(c.check_aggregates);
    ASSERT_TRUE(c.faults);
    SimResult r = RunSimulation(c);
    ASSERT_TRUE(r.ok) << r.failure << "\nreplay: FULEI_SIM_SEED=" << seed;
    // 3 towns and the city, each equal to its recount.
    EXPECT_EQ(r.aggregates_checked, 4u) << "seed " << seed;
    // Every report reached the city, and its dashboard counts each once.
    EXPECT_EQ(static_cast<uint64_t>(r.city_reports), Written(r, "report")) << "seed " << seed;
    EXPECT_GT(r.city_children, 0) << "seed " << seed;
    EXPECT_LE(r.city_children, 3 * 3 * c.children_per_village) << "seed " << seed;
    crashes += r.crashes;
    rejected += r.rejected_batches;
    skipped += r.records_skipped;
    for (const auto& [type, n] : r.records_written) {
      written[type] += n;
      total += n;
    }
    for (const auto& [role, n] : r.records_by_role) by_role[role] += n;
    for (const auto& [figure, n] : r.city_figures) city[figure] += n;
  }
  for (const auto& [type, n] : written) {
    std::printf("%s %llu\n", type.c_str(), static_cast<unsigned long long>(n));
  }
  for (const auto& [role, n] : by_role) {
    std::printf("by %s %llu\n", role.c_str(), static_cast<unsigned long long>(n));
  }
  for (const auto& [figure, n] : city) {
    std::printf("city %s %lld\n", figure.c_str(), static_cast<long long>(n));
  }
  std::printf("skipped %llu of %llu\n", static_cast<unsigned long long>(skipped),
              static_cast<unsigned long long>(total));
  // The run was faulty, and wrote every kind of record the workload knows, the newer ones too.
  EXPECT_GT(crashes, 0u);
  EXPECT_GT(rejected, 0u);
  for (const char* type :
       {"child", "helper", "pairing", "contact", "activity", "report", "facility", "staff_post",
        "training", "inspection", "correction", "fund", "legal_consultation", "referral"}) {
    EXPECT_GT(written[type], 0u) << type;
  }
  // Only the programme's types: nothing ad hoc ("org", ...).
  for (const auto& [type, n] : written) {
    EXPECT_NE(programme::FindRecordType(type), nullptr) << type;
  }
  // Written by the people whose work it is, each through WriteAs: the director, the town's
  // supervisor and office, the city bureau, and caring parents their own contacts.
  for (const char* role :
       {"director", "supervisor", "town_office", "city_bureau", "caring_parent"}) {
    EXPECT_GT(by_role[role], 0u) << role;
  }
  uint64_t by_any_role = 0;
  for (const auto& [role, n] : by_role) by_any_role += n;
  EXPECT_EQ(by_any_role, total);
  // An edit is skipped only when the record held already fails at the writing node's clock
  // (hostile clocks): a few, never the run.
  EXPECT_LT(skipped, total / 20) << skipped << " of " << total;
  // The city's dashboard shows them (each figure also equalled a recount in every run).
  for (const char* figure :
       {"facilities", "posts_filled", "inspections", "corrections_open", "corrections_completed",
        "funds_allocated_fen", "funds_spent_fen", "referrals", "legal_consultations",
        "parent_contacts_this_month", "assistance_this_year"}) {
    EXPECT_GT(city[figure], 0) << figure;
  }
}

// Villages per town as a units file gives them (villages_by_town), a town without any
// included; the counters still equal a recount.
TEST(SimAggregates, VillagesAsTheUnitsFileHasThem) {
  SimConfig c = Config(77);
  c.fault_phase_ms = 8 * 60'000;
  c.villages_by_town = {1, 4, 0};
  SimResult r = RunSimulation(c);
  ASSERT_TRUE(r.ok) << r.failure;
  EXPECT_EQ(r.nodes, 1u + 3u + 5u);
  EXPECT_EQ(r.aggregates_checked, 4u);

  c.villages_by_town = {1, 2};  // two counts for three towns
  r = RunSimulation(c);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.failure.find("villages_by_town"), std::string::npos) << r.failure;
}

// Preloaded children (several ops each, as the backfill scenario writes them) are valid
// programme records too, and counted at the town and the city.
TEST(SimAggregates, PreloadedChildrenAreCounted) {
  SimConfig c = Config(88);
  c.preload_children = 5;
  c.preload_ops_per_child = 4;
  c.workload = false;
  c.faults = false;
  c.fault_phase_ms = 60'000;
  SimResult r = RunSimulation(c);
  ASSERT_TRUE(r.ok) << r.failure;
  EXPECT_EQ(r.city_children, 9 * 5);
  EXPECT_EQ(Written(r, "child"), 9u * 5u * 4u);
  EXPECT_EQ(r.aggregates_checked, 4u);
}

}  // namespace
}  // namespace fulei::node::sim
