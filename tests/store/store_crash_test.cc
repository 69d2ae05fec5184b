// The SIGKILL crash test (issue 3): at least 200 kills at random moments — between batches and
// in the middle of commits — and after each, every acknowledged op is held and the store is
// sound. See crash_harness.h for what is checked.
#include <gtest/gtest.h>

#include "tests/store/crash_harness.h"
#include "tests/store/test_util.h"

namespace fulei::store {
namespace {

TEST(StoreCrash, EveryAcknowledgedOpSurvivesSigkill) {
  testing::TempDir dir;
  testing::DataKeySealer sealer;
  testing::CrashRunOptions options;
  options.dir = dir.sub("store");
  options.kills = 200;
  options.seed = 20261129;
  options.sealer = &sealer;
  testing::CrashRunReport report = testing::RunCrashLoop(options);
  for (const auto& f : report.failures) ADD_FAILURE() << f;
  EXPECT_EQ(report.kills, options.kills);
  EXPECT_GT(report.self_kills, 20) << "too few kills landed inside commits";
  EXPECT_GT(report.parent_kills, 20);
  EXPECT_GT(report.acked_batches, 50u);
  std::printf(
      "crash test: %d kills (%d mid-write, %d by the parent), %llu batches and %llu "
      "local ops acknowledged, %llu ops held, %.1f s\n",
      report.kills, report.self_kills, report.parent_kills,
      static_cast<unsigned long long>(report.acked_batches),
      static_cast<unsigned long long>(report.acked_local),
      static_cast<unsigned long long>(report.ops_held), report.seconds);
}

}  // namespace
}  // namespace fulei::store
