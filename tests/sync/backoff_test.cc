// Backoff: full jitter under a doubling ceiling, capped, reset, reproducible from a seed.
#include "sync/backoff.h"

#include <gtest/gtest.h>

#include <set>

namespace fulei::sync {
namespace {

using std::chrono::milliseconds;

TEST(SyncBackoffTest, CeilingDoublesUpToMaxAndDelaysStayBelowIt) {
  Backoff b({milliseconds(100), milliseconds(1000)}, 42);
  const int64_t expected[] = {100, 200, 400, 800, 1000, 1000, 1000};
  for (int64_t ceiling : expected) {
    EXPECT_EQ(b.ceiling().count(), ceiling);
    const milliseconds d = b.Next();
    EXPECT_GE(d.count(), 0);
    EXPECT_LE(d.count(), ceiling);
  }
  b.Reset();
  EXPECT_EQ(b.ceiling().count(), 100);
}

TEST(SyncBackoffTest, JitteredAndReproducible) {
  Backoff a({milliseconds(1000), milliseconds(1000)}, 7),
      b({milliseconds(1000), milliseconds(1000)}, 7),
      c({milliseconds(1000), milliseconds(1000)}, 8);
  std::set<int64_t> distinct;
  bool differs = false;
  for (int i = 0; i < 50; ++i) {
    const auto x = a.Next(), y = b.Next(), z = c.Next();
    EXPECT_EQ(x, y);
    differs |= x != z;
    distinct.insert(x.count());
  }
  EXPECT_TRUE(differs);
  EXPECT_GT(distinct.size(), 30u);  // spread out, not one fixed delay
}

}  // namespace
}  // namespace fulei::sync
