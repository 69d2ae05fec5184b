#include "crdt/hlc.h"

#include <gtest/gtest.h>

#include <limits>
#include <random>

#include "tests/support/status_matchers.h"

namespace fulei::crdt {
namespace {

TEST(Hlc, FollowsWallClockWhenItMovesForward) {
  HybridClock clock;
  EXPECT_EQ(clock.Now(1000), (Stamp{1000, 0}));
  EXPECT_EQ(clock.Now(1000), (Stamp{1000, 1}));
  EXPECT_EQ(clock.Now(1005), (Stamp{1005, 0}));
}

TEST(Hlc, NeverGoesBackwardsWhenWallClockJumpsBackDays) {
  HybridClock clock;
  const uint64_t day = 86'400'000;
  Stamp a = clock.Now(1'732'000'000'000);
  Stamp b = clock.Now(1'732'000'000'000 - 3 * day);
  Stamp c = clock.Now(0);  // a Raspberry Pi without RTC booting in 1970
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  EXPECT_EQ(c.ms, a.ms);
}

TEST(Hlc, RestoredHighWaterSurvivesReboot) {
  HybridClock before;
  Stamp last = before.Now(1'732'000'000'000);
  HybridClock after;  // reboot: clock gone, wall clock says 1970
  after.Restore(last);
  after.Restore(Stamp{5, 0});  // never lowers
  EXPECT_GT(after.Now(0), last);
}

TEST(Hlc, UpdateAdoptsRemoteAndStaysAhead) {
  HybridClock clock(60'000);
  clock.Now(1000);
  ASSERT_OK_AND_ASSIGN(Stamp s, clock.Update(Stamp{5000, 7}, 1000));
  EXPECT_EQ(s, (Stamp{5000, 8}));
  EXPECT_GT(clock.Now(1000), s);
}

TEST(Hlc, RejectsRemoteStampsTooFarInTheFuture) {
  HybridClock clock(60'000);
  clock.Now(1'000'000);
  Stamp before = clock.high_water();
  auto r = clock.Update(Stamp{1'000'000 + 60'001, 0}, 1'000'000);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(clock.high_water(), before);  // not adopted
  EXPECT_OK(clock.Update(Stamp{1'000'000 + 60'000, 0}, 1'000'000));
}

TEST(Hlc, FutureBoundIsMeasuredFromHighWaterWhenWallClockIsBehind) {
  HybridClock clock(60'000);
  clock.Restore(Stamp{1'732'000'000'000, 0});
  // Wall clock says 1970, but the persisted high-water keeps remote stamps acceptable.
  EXPECT_OK(clock.Update(Stamp{1'732'000'000'500, 0}, 0));
}

TEST(Hlc, LogicalOverflowMovesPhysicalOn) {
  HybridClock clock;
  clock.Restore(Stamp{10, std::numeric_limits<uint32_t>::max()});
  Stamp s = clock.Now(10);
  EXPECT_EQ(s, (Stamp{11, 0}));
}

TEST(Hlc, MonotonicUnderRandomWallClockJumps) {
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    std::mt19937_64 rng(seed);
    HybridClock clock(3'600'000);
    uint64_t wall = 1'732'000'000'000;
    Stamp last{};
    for (int i = 0; i < 2000; ++i) {
      switch (rng() % 5) {
        case 0:
          wall -= std::min<uint64_t>(wall, rng() % (10 * 86'400'000ULL));
          break;
        case 1:
          wall += rng() % 100'000;
          break;
        case 2:
          wall = rng() % 2 ? 0 : wall;
          break;
        default:
          wall += rng() % 3;
          break;
      }
      Stamp s;
      if (rng() % 3 == 0) {
        Stamp remote{last.ms + rng() % 7'200'000, static_cast<uint32_t>(rng() % 100)};
        auto r = clock.Update(remote, wall);
        if (!r.ok()) {
          ASSERT_EQ(clock.high_water(), last);
          continue;
        }
        s = *r;
        ASSERT_GT(s, remote);
      } else {
        s = clock.Now(wall);
      }
      ASSERT_GT(s, last) << "seed " << seed << " step " << i;
      last = s;
    }
  }
}

}  // namespace
}  // namespace fulei::crdt
