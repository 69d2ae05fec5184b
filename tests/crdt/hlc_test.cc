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

// Issue 14: the bound was measured from max(wall, high-water), and every stamp adopted raises
// the high-water, so each batch of one peer could move the clock another max_future ahead.
TEST(Hlc, StampsAreBoundedByWallTimeNotTheHlc) {
  const uint64_t wall = 1'764'000'000'000;
  HybridClock clock(60'000);
  clock.Now(wall);
  // A peer sends stamp after stamp, each just inside the bound of the clock it has pushed.
  Stamp remote{wall + 60'000, 0};
  ASSERT_OK(clock.Update(remote, wall));
  for (int batch = 0; batch < 10; ++batch) {
    remote.ms = clock.high_water().ms + 60'000;
    EXPECT_EQ(clock.Update(remote, wall).status().code(), StatusCode::kOutOfRange)
        << "batch " << batch << " moved the clock to " << clock.high_water().ToString();
  }
  EXPECT_LE(clock.high_water().ms, wall + 60'000);
  // A persisted high-water ahead of the wall clock widens nothing either.
  HybridClock rebooted(60'000);
  rebooted.Restore(Stamp{wall + 10 * 60'000, 0});
  EXPECT_EQ(rebooted.Update(Stamp{wall + 10 * 60'000 + 1, 0}, wall).status().code(),
            StatusCode::kOutOfRange);
}

TEST(Hlc, FutureBoundDoesNotOverflow) {
  const uint64_t max = std::numeric_limits<uint64_t>::max();
  HybridClock clock(3'600'000);
  // now + max_future wraps around to a small number: it must saturate instead, or every stamp
  // would be refused (and a wrapped bound in a caller would accept any).
  ASSERT_OK_AND_ASSIGN(Stamp s, clock.Update(Stamp{max - 1, 0}, max - 10));
  EXPECT_GT(s, (Stamp{max - 1, 0}));
  HybridClock huge(max);  // a bound of "anything": still no wrap
  EXPECT_OK(huge.Update(Stamp{max, 0}, 5));
  HybridClock zero(60'000);
  EXPECT_EQ(zero.Update(Stamp{60'001, 0}, 0).status().code(), StatusCode::kOutOfRange);
  // At the end of time the clock stays put rather than wrap to 1970.
  HybridClock end;
  end.Restore(Stamp{max, std::numeric_limits<uint32_t>::max()});
  EXPECT_EQ(end.Now(0).ms, max);
}

TEST(Hlc, WallLimitCapsWhatTheWallClockMayAdvanceTheClockTo) {
  HybridClock clock;
  clock.Restore(Stamp{1000, 0});
  clock.set_wall_limit(2000);
  EXPECT_EQ(clock.Now(5'000'000), (Stamp{2000, 0}));  // a clock booted far ahead: capped
  EXPECT_EQ(clock.Now(5'000'000), (Stamp{2000, 1}));
  // Remote stamps are adopted whole (they were bounded by the caller).
  ASSERT_OK_AND_ASSIGN(Stamp s, clock.Update(Stamp{2500, 3}, 5'000'000));
  EXPECT_EQ(s, (Stamp{2500, 4}));
  clock.set_wall_limit(std::nullopt);
  EXPECT_EQ(clock.Now(5'000'000), (Stamp{5'000'000, 0}));
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
