// A test binary for test_main_test.cc (never a ctest of its own): one test per outcome, picked
// with --gtest_filter, linked with tests/support/test_main.cc like every fulei_test.
#include <gtest/gtest.h>

#include "tests/support/skip.h"

namespace {

TEST(Probe, Passes) { SUCCEED(); }

TEST(Probe, SkipsForAMissingFacility) {
  FULEI_SKIP_UNLESS_AVAILABLE(std::string("probe: needs a facility this machine lacks"));
  ADD_FAILURE() << "ran past the skip";
}

TEST(Probe, SkipsPlainly) { GTEST_SKIP() << "probe: skipped plainly"; }

TEST(Probe, Fails) { ADD_FAILURE() << "probe: fails on purpose"; }

}  // namespace
