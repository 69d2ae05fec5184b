// The deterministic simulator in the normal test run: 300 seeds of a city with 3 towns and 9
// villages under random faults (sharded so ctest can run shards in parallel). A failing seed is
// printed; replay it alone with
//   FULEI_SIM_SEED=<seed> [FULEI_SIM_SCENARIO=<name>] node_sim_test --gtest_filter='SimReplay.*'
#include "node/sim/simulation.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace fulei::node::sim {
namespace {

constexpr int kShards = 10;
#if defined(__SANITIZE_ADDRESS__)
// The ASan+UBSan build runs the same code 3-4x slower: it checks memory safety over a sixth of
// the seeds (and a third of the scenario seeds); the default build runs all 300.
constexpr int kSeedsPerShard = 5;
constexpr uint64_t kScenarioSeeds = 3;
constexpr uint64_t kFallbackSeeds = 6;
#else
constexpr int kSeedsPerShard = 30;
constexpr uint64_t kScenarioSeeds = 8;
constexpr uint64_t kFallbackSeeds = 16;
#endif

std::string WorkDir() {
  // Stores live on tmpfs when there is one: the simulator checks protocol logic; the store's
  // own tests check durability on a real disk.
  if (std::filesystem::is_directory("/dev/shm")) return "/dev/shm/fulei-sim";
  return (std::filesystem::temp_directory_path() / "fulei-sim").string();
}

SimConfig Config(uint64_t seed) {
  SimConfig c;
  c.seed = seed;
  c.work_dir = WorkDir() + "-" + std::to_string(::getpid());
  return c;
}

class SimSeeds : public ::testing::TestWithParam<int> {};

TEST_P(SimSeeds, ConvergesLosesNothingAcceptsNoForgery) {
  uint64_t written = 0, rejected = 0, tampered = 0, crashes = 0, hostile_clocks = 0;
  for (int k = 0; k < kSeedsPerShard; ++k) {
    const uint64_t seed = static_cast<uint64_t>(GetParam() * kSeedsPerShard + k + 1);
    SimResult r = RunSimulation(Config(seed));
    ASSERT_TRUE(r.ok) << r.failure << "\nreplay: FULEI_SIM_SEED=" << seed
                      << " node_sim_test --gtest_filter='SimReplay.*'";
    EXPECT_GT(r.ops_written, 0u);
    EXPECT_GT(r.scopes_checked, 0u);
    written += r.ops_written;
    rejected += r.rejected_batches;
    tampered += r.tampered_batches;
    crashes += r.crashes;
    hostile_clocks += r.hostile_clocks;
  }
  // The faults must really happen for the run to mean anything.
  // (A tampered batch can die with its connection before delivery; one delivered and accepted
  // would leave a forged value behind, which RunSimulation's checks refuse.)
  EXPECT_GT(tampered, 0u);
  EXPECT_GT(rejected, 0u);
  EXPECT_GT(crashes, 0u);
  // Towns and villages restarted with clocks months or years ahead (issue 14), and still
  // nobody was cut off for good.
  EXPECT_GT(hostile_clocks, 0u);
  std::printf("shard %d: %llu ops, %llu tampered batches, %llu rejected batches\n", GetParam(),
              static_cast<unsigned long long>(written), static_cast<unsigned long long>(tampered),
              static_cast<unsigned long long>(rejected));
}

INSTANTIATE_TEST_SUITE_P(Shards, SimSeeds, ::testing::Range(0, kShards));

// Villages with the city as a second upstream, under the same random faults: urgent reports
// go to both, ordinary sync to the first reachable, and every run's checks (including the
// receipts from the town and the city at each report's origin) hold.
TEST(SimFallback, SeveralUpstreamsUnderFaults) {
  uint64_t urgent = 0, receipts = 0, switches = 0;
  for (uint64_t seed = 9001; seed < 9001 + kFallbackSeeds; ++seed) {
    SimConfig c = Config(seed);
    c.city_fallback_fraction = 0.5;
    c.urgent_fraction = 0.15;
    SimResult r = RunSimulation(c);
    ASSERT_TRUE(r.ok) << r.failure
                      << "\nreplay: FULEI_SIM_SCENARIO=fallback FULEI_SIM_SEED=" << seed;
    urgent += r.urgent_written;
    receipts += r.receipts_checked;
    switches += r.mode_switches;
  }
  EXPECT_GT(urgent, 0u);
  EXPECT_EQ(receipts, 2 * urgent);  // one from the town and one from the city, per report
  EXPECT_GT(switches, 0u);          // sessions did change between full and urgent-only
}

// Scenario (a) (UrgentDuringBackfillScenario): every link saturated by the backfill of a large
// preload over a slow link, and urgent reports written during the backfill. Each must be held by
// the city before its village's backfill completes there, and within urgent_bound_ms: per hop at
// most one frame already on the wire, its own frame, the delay and the jitter (2 hops).
TEST(SimScenario, UrgentReportsOvertakeASaturatingBackfill) {
  uint64_t worst = 0, bound = 0, backfill = 0;
  for (uint64_t seed = 100; seed < 100 + kScenarioSeeds; ++seed) {
    SimResult r = RunSimulation(UrgentDuringBackfillScenario(seed, Config(seed).work_dir));
    ASSERT_TRUE(r.ok) << r.failure << "\nframes " << r.frames << ", bytes " << r.bytes
                      << ", largest frame " << r.max_frame_bytes << ", preloaded "
                      << r.preloaded_ops
                      << "\nreplay: FULEI_SIM_SCENARIO=backfill FULEI_SIM_SEED=" << seed;
    EXPECT_EQ(r.urgent_written, 8u);
    EXPECT_EQ(r.receipts_checked, 16u);
    EXPECT_GT(r.urgent_bound_ms, 0u);
    worst = std::max(worst, r.max_urgent_latency_ms);
    bound = std::max(bound, r.urgent_bound_ms);
    backfill = std::max(backfill, r.backfill_ms);
  }
  std::printf("urgent during backfill: worst %llu ms (bound %llu ms); backfill ends by %llu ms\n",
              static_cast<unsigned long long>(worst), static_cast<unsigned long long>(bound),
              static_cast<unsigned long long>(backfill));
}

// Scenario (b) (TownOutageScenario): the first town is down for two hours; its villages, with the
// city as their fallback, file reports meanwhile: the city holds each during the outage, the town
// gets each after its return, exactly one receipt each from the town and the city reaches the
// village.
TEST(SimScenario, TownDownForHoursCityFallbackThenTownOnReturn) {
  for (uint64_t seed = 200; seed < 200 + kScenarioSeeds; ++seed) {
    SimResult r = RunSimulation(TownOutageScenario(seed, Config(seed).work_dir));
    ASSERT_TRUE(r.ok) << r.failure << "\nreplay: FULEI_SIM_SCENARIO=outage FULEI_SIM_SEED=" << seed;
    EXPECT_GE(r.outage_reports, 6u);
    EXPECT_EQ(r.receipts_checked, 2 * r.urgent_written);
  }
}

// Scenario (c) (RevocationScenario): under the usual random faults the city revokes one
// village at minute 8. Every other node installs the list; no node that knows of it lets the
// village in again; the village's reports still queued elsewhere leave those outboxes unsent
// (RunSimulation's invariants find no outbox holding them), and everything else converges.
TEST(SimScenario, RevokedVillageIsCutOffEverywhere) {
  for (uint64_t seed = 300; seed < 300 + kScenarioSeeds; ++seed) {
    SimResult r = RunSimulation(RevocationScenario(seed, Config(seed).work_dir));
    ASSERT_TRUE(r.ok) << r.failure << "\nreplay: FULEI_SIM_SCENARIO=revoke FULEI_SIM_SEED=" << seed;
    EXPECT_FALSE(r.revoked_unit.empty());
    EXPECT_GT(r.scopes_checked, 0u);
  }
}

// Scenario (b') (TownIsolatedScenario): the first town stays up but loses its link to the city
// for two hours. Its villages' full sync still runs with the town, so only their urgent-only
// sessions with the city can bring their reports to the city meanwhile: each must arrive there
// before the link returns.
TEST(SimScenario, TownCutOffFromTheCityReportsStillReachTheCity) {
  for (uint64_t seed = 250; seed < 250 + kScenarioSeeds; ++seed) {
    SimResult r = RunSimulation(TownIsolatedScenario(seed, Config(seed).work_dir));
    ASSERT_TRUE(r.ok) << r.failure
                      << "\nreplay: FULEI_SIM_SCENARIO=isolated FULEI_SIM_SEED=" << seed;
    EXPECT_GE(r.outage_reports, 6u);
    EXPECT_EQ(r.receipts_checked, 2 * r.urgent_written);
  }
}

// Replays FULEI_SIM_SEED; without it, seed 1 of the default run, so the replay path is run (and
// the test never skips: tests/support/skip.h).
TEST(SimReplay, SeedFromEnvironment) {
  const char* seed = std::getenv("FULEI_SIM_SEED");
  const uint64_t n = seed != nullptr ? std::strtoull(seed, nullptr, 10) : 1;
  // FULEI_SIM_SCENARIO=backfill|outage|isolated|fallback|revoke replays a seed of that scenario.
  const std::string scenario =
      std::getenv("FULEI_SIM_SCENARIO") ? std::getenv("FULEI_SIM_SCENARIO") : "";
  SimConfig c = Config(n);
  if (scenario == "backfill") c = UrgentDuringBackfillScenario(n, c.work_dir);
  if (scenario == "outage") c = TownOutageScenario(n, c.work_dir);
  if (scenario == "revoke") c = RevocationScenario(n, c.work_dir);
  if (scenario == "isolated") c = TownIsolatedScenario(n, c.work_dir);
  if (scenario == "fallback") {
    c.city_fallback_fraction = 0.5;
    c.urgent_fraction = 0.15;
  }
  SimResult r = RunSimulation(c);
  EXPECT_TRUE(r.ok) << r.failure;
}

TEST(Sim, SameSeedReplaysExactly) {
  SimResult a = RunSimulation(Config(4242));
  SimResult b = RunSimulation(Config(4242));
  ASSERT_TRUE(a.ok) << a.failure;
  EXPECT_EQ(a.frames, b.frames);
  EXPECT_EQ(a.bytes, b.bytes);
  EXPECT_EQ(a.connections, b.connections);
  EXPECT_EQ(a.heal_ms, b.heal_ms);
  EXPECT_EQ(a.ops_written, b.ops_written);
}

}  // namespace
}  // namespace fulei::node::sim
