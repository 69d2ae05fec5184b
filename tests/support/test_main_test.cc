// The skip policy of tests/support/test_main.cc and skip.h, run on a probe binary
// (skip_probe.cc) with and without CI=true, and ctest's side of it: every fulei_test declares
// the skip exit code as its SKIP_RETURN_CODE.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <boost/json.hpp>
#include <cstdio>
#include <string>

#include "tests/support/skip.h"

namespace fulei::testing {
namespace {

struct Outcome {
  int code = -1;
  std::string output;
};

// Runs shell `command` (stderr joined to stdout); its exit code and output.
Outcome Shell(const std::string& command) {
  Outcome run;
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return run;
  std::array<char, 4096> buf;
  size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) run.output.append(buf.data(), n);
  const int status = ::pclose(p);
  run.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

// The probe with only the tests matching `filter`, CI set to "true" or unset.
Outcome Probe(const std::string& filter, bool ci) {
  return Shell(std::string(ci ? "env CI=true " : "env -u CI ") + FULEI_SKIP_PROBE +
               " --gtest_filter='" + filter + "'");
}

TEST(SkipPolicy, SkipIsReportedAsSkipOutsideCi) {
  EXPECT_EQ(Probe("Probe.Passes", false).code, 0);
  Outcome facility = Probe("Probe.SkipsForAMissingFacility", false);
  EXPECT_EQ(facility.code, kSkipExitCode) << facility.output;
  EXPECT_NE(facility.output.find("probe: needs a facility this machine lacks"), std::string::npos)
      << facility.output;
  EXPECT_EQ(Probe("Probe.SkipsPlainly", false).code, kSkipExitCode);
  // One skip among passes makes the binary a skip; a failure wins over any skip.
  EXPECT_EQ(Probe("Probe.Passes:Probe.SkipsPlainly", false).code, kSkipExitCode);
  EXPECT_EQ(Probe("Probe.Fails", false).code, 1);
  EXPECT_EQ(Probe("Probe.Fails:Probe.SkipsPlainly", false).code, 1);
}

TEST(SkipPolicy, SkipIsAFailureInCi) {
  EXPECT_EQ(Probe("Probe.Passes", true).code, 0);
  // A test that cannot run here fails at once, with its reason.
  Outcome facility = Probe("Probe.SkipsForAMissingFacility", true);
  EXPECT_EQ(facility.code, 1) << facility.output;
  EXPECT_NE(facility.output.find("CI=true"), std::string::npos) << facility.output;
  EXPECT_NE(facility.output.find("probe: needs a facility this machine lacks"), std::string::npos)
      << facility.output;
  EXPECT_EQ(facility.output.find("ran past the skip"), std::string::npos) << facility.output;
  // A plain GTEST_SKIP fails the binary, which names the test and its reason.
  Outcome plain = Probe("Probe.Passes:Probe.SkipsPlainly", true);
  EXPECT_EQ(plain.code, 1) << plain.output;
  EXPECT_NE(plain.output.find("Probe.SkipsPlainly: probe: skipped plainly"), std::string::npos)
      << plain.output;
}

TEST(SkipPolicy, EveryCtestOfAGtestBinaryTreatsTheSkipCodeAsSkip) {
  Outcome listing = Shell(std::string(FULEI_CTEST_COMMAND) + " --test-dir " + FULEI_BINARY_DIR +
                          " --show-only=json-v1");
  ASSERT_EQ(listing.code, 0) << listing.output;
  const std::size_t start = listing.output.find('{');
  ASSERT_NE(start, std::string::npos) << listing.output;
  boost::json::value doc = boost::json::parse(listing.output.substr(start));
  int gtest_binaries = 0;
  for (const boost::json::value& test : doc.at("tests").as_array()) {
    const std::string name(test.at("name").as_string());
    if (name.ends_with("_corpus")) continue;  // fuzz corpus replays: not GoogleTest binaries
    ++gtest_binaries;
    bool declared = false;
    if (const auto* props = test.as_object().if_contains("properties")) {
      for (const boost::json::value& p : props->as_array()) {
        if (p.at("name").as_string() == "SKIP_RETURN_CODE") {
          declared = p.at("value").to_number<int>() == kSkipExitCode;
        }
      }
    }
    EXPECT_TRUE(declared) << name << " does not declare SKIP_RETURN_CODE " << kSkipExitCode;
  }
  EXPECT_GT(gtest_binaries, 1);
}

}  // namespace
}  // namespace fulei::testing
