// The deterministic simulator in the normal test run: 300 seeds of a city with 3 towns and 9
// villages under random faults (sharded so ctest can run shards in parallel). A failing seed is
// printed; replay it alone with FULEI_SIM_SEED=<seed>.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "sync/sim/simulator.h"

namespace fulei::sync::sim {
namespace {

constexpr int kShards = 10;
constexpr int kSeedsPerShard = 30;

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
  uint64_t written = 0, rejected = 0, tampered = 0, crashes = 0;
  for (int k = 0; k < kSeedsPerShard; ++k) {
    const uint64_t seed = static_cast<uint64_t>(GetParam() * kSeedsPerShard + k + 1);
    SimResult r = RunSimulation(Config(seed));
    ASSERT_TRUE(r.ok) << r.failure << "\nreplay: FULEI_SIM_SEED=" << seed << " ctest -R SimReplay";
    EXPECT_GT(r.ops_written, 0u);
    EXPECT_GT(r.scopes_checked, 0u);
    written += r.ops_written;
    rejected += r.rejected_batches;
    tampered += r.tampered_batches;
    crashes += r.crashes;
  }
  // The faults must really happen for the run to mean anything.
  // (A tampered batch can die with its connection before delivery; one delivered and accepted
  // would leave a forged value behind, which RunSimulation's checks refuse.)
  EXPECT_GT(tampered, 0u);
  EXPECT_GT(rejected, 0u);
  EXPECT_GT(crashes, 0u);
  std::printf("shard %d: %llu ops, %llu tampered batches, %llu rejected batches\n", GetParam(),
              static_cast<unsigned long long>(written), static_cast<unsigned long long>(tampered),
              static_cast<unsigned long long>(rejected));
}

INSTANTIATE_TEST_SUITE_P(Shards, SimSeeds, ::testing::Range(0, kShards));

TEST(SimReplay, SeedFromEnvironment) {
  const char* seed = std::getenv("FULEI_SIM_SEED");
  if (seed == nullptr) GTEST_SKIP() << "set FULEI_SIM_SEED to replay one seed";
  SimConfig c = Config(std::strtoull(seed, nullptr, 10));
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
}  // namespace fulei::sync::sim
