// The SIGKILL crash test (issue 3): at least 200 kills at random moments — between batches and
// in the middle of commits — and after each, every acknowledged op is held and the store is
// sound. See crash_harness.h for what is checked.
#include <gtest/gtest.h>

#include "tests/store/crash_harness.h"
#include "tests/store/test_util.h"

namespace fulei::store {
namespace {

// `kills` rounds of 6 chains × `ops_per_chain` ops per batch; fails on any broken check, and when
// too few kills landed inside commits or too little was acknowledged to prove anything.
void RunAndCheck(int kills, uint64_t seed, int ops_per_chain) {
  ::fulei::testing::TempDir dir;
  testing::DataKeySealer sealer;
  testing::CrashRunOptions options;
  options.dir = dir.sub("store");
  options.kills = kills;
  options.seed = seed;
  options.sealer = &sealer;
  options.ops_per_chain = ops_per_chain;
  testing::CrashRunReport report = testing::RunCrashLoop(options);
  for (const auto& f : report.failures) ADD_FAILURE() << f;
  EXPECT_EQ(report.kills, options.kills);
  EXPECT_GT(report.self_kills, kills / 10) << "too few kills landed inside commits";
  EXPECT_GT(report.parent_kills, kills / 10);
  EXPECT_GT(report.acked_batches, static_cast<uint64_t>(kills / 4));
  std::printf(
      "crash test, %d-op batches: %d kills (%d mid-write, %d by the parent), %llu batches and "
      "%llu local ops acknowledged, %llu ops held, %.1f s\n",
      6 * ops_per_chain, report.kills, report.self_kills, report.parent_kills,
      static_cast<unsigned long long>(report.acked_batches),
      static_cast<unsigned long long>(report.acked_local),
      static_cast<unsigned long long>(report.ops_held), report.seconds);
}

TEST(StoreCrash, EveryAcknowledgedOpSurvivesSigkill) { RunAndCheck(200, 20261129, 4); }

// Batches of 72 ops: the store seals and merges on a helper thread beside the writer's
// (store/internal/batch.h), and a kill can land while both run.
TEST(StoreCrash, EveryAcknowledgedOpOfLargeBatchesSurvivesSigkill) {
  RunAndCheck(100, 20261130, 12);
}

}  // namespace
}  // namespace fulei::store
