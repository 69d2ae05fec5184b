// Skipping a test, and when a skip is a failure.
//
// A test that cannot run on this machine (not root, no `ip netns`, no tmpfs mount) skips with
// the reason, and ctest reports the binary as skipped: every fulei_test binary uses
// tests/support/test_main.cc, which exits with kSkipExitCode when a test skipped and none
// failed, and cmake/FuleiBuild.cmake declares that code as ctest's SKIP_RETURN_CODE.
//
// In CI (environment CI=true, as root, with `ip netns`) nothing may skip: a skip there means a
// test that was meant to run did not. FULEI_SKIP_UNLESS_AVAILABLE(why) fails the test at once
// with the reason when InCi(); and test_main.cc fails a binary whose tests skipped any other
// way (a plain GTEST_SKIP), naming them.
//
//   TEST(NetnsTest, ...) {
//     FULEI_SKIP_UNLESS_AVAILABLE(net::testing::NetnsUnavailableReason());
//     ...
//   }
//
// Header-only; thread-safe (reads the environment).
#ifndef FULEI_TESTS_SUPPORT_SKIP_H_
#define FULEI_TESTS_SUPPORT_SKIP_H_

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <string_view>

namespace fulei::testing {

// The exit code of a test binary that skipped a test and failed none (ctest: "Skipped").
inline constexpr int kSkipExitCode = 77;

// True under CI: the environment variable CI is "true" or "1" (GitHub Actions, GitLab CI and
// most others set CI=true).
inline bool InCi() {
  const char* ci = std::getenv("CI");
  if (ci == nullptr) return false;
  const std::string_view v(ci);
  return v == "true" || v == "TRUE" || v == "True" || v == "1";
}

}  // namespace fulei::testing

// Skips the current test when `why` (a std::string: what this machine lacks) is not empty; in
// CI, fails it instead. Use it in the test body (it returns from the enclosing function).
#define FULEI_SKIP_UNLESS_AVAILABLE(why)                                            \
  do {                                                                              \
    if (const std::string fulei_skip_why_ = (why); !fulei_skip_why_.empty()) {      \
      if (::fulei::testing::InCi()) {                                               \
        GTEST_FAIL() << "CI=true, where every test must run, but this one cannot: " \
                     << fulei_skip_why_;                                            \
      }                                                                             \
      GTEST_SKIP() << fulei_skip_why_;                                              \
    }                                                                               \
  } while (0)

#endif  // FULEI_TESTS_SUPPORT_SKIP_H_
