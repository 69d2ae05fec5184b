// main() of every fulei_test binary (cmake/FuleiBuild.cmake), in place of gtest_main: runs the
// tests, then makes skips visible (tests/support/skip.h):
//   - a test failed: 1, as gtest_main;
//   - none failed and some skipped: kSkipExitCode (77), which ctest reports as "Skipped" — or,
//     under CI (InCi()), 1 with the skipped tests listed: in CI nothing may skip;
//   - otherwise 0.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "tests/support/skip.h"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  const int rc = RUN_ALL_TESTS();
  const ::testing::UnitTest& unit = *::testing::UnitTest::GetInstance();
  if (rc != 0 || unit.skipped_test_count() == 0) return rc;
  std::vector<std::string> skipped;
  for (int i = 0; i < unit.total_test_suite_count(); ++i) {
    const ::testing::TestSuite& suite = *unit.GetTestSuite(i);
    for (int j = 0; j < suite.total_test_count(); ++j) {
      const ::testing::TestInfo& test = *suite.GetTestInfo(j);
      if (!test.should_run() || !test.result()->Skipped()) continue;
      std::string line = std::string(suite.name()) + "." + test.name();
      const ::testing::TestResult& result = *test.result();
      for (int k = 0; k < result.total_part_count(); ++k) {
        const auto& part = result.GetTestPartResult(k);
        if (part.skipped() && part.message() != nullptr && *part.message() != '\0') {
          line += std::string(": ") + part.message();
        }
      }
      skipped.push_back(std::move(line));
    }
  }
  const bool ci = ::fulei::testing::InCi();
  std::fprintf(stderr, "%s: %zu test%s skipped%s\n", ci ? "FAILED" : "SKIPPED", skipped.size(),
               skipped.size() == 1 ? "" : "s",
               ci ? " under CI=true, where every test must run" : "");
  for (const std::string& line : skipped) std::fprintf(stderr, "  %s\n", line.c_str());
  return ci ? 1 : ::fulei::testing::kSkipExitCode;
}
