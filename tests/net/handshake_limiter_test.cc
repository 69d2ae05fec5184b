// HandshakeLimiter: a flooding address runs out of tokens and pending slots; other addresses
// are unaffected; tokens refill with time; the address table stays bounded.
#include "net/handshake_limiter.h"

#include <gtest/gtest.h>

namespace fulei::net {
namespace {

using Clock = HandshakeLimiter::Clock;
using std::chrono::milliseconds;

TEST(NetHandshakeLimiterTest, FloodingAddressIsLimitedOthersAreNot) {
  HandshakeLimiter l({.per_second = 1, .burst = 3, .max_pending_per_address = 10});
  const auto t0 = Clock::time_point() + std::chrono::hours(1);
  int admitted = 0;
  for (int i = 0; i < 100; ++i) {
    if (l.TryStart("198.51.100.7", t0)) {
      ++admitted;
      l.Done("198.51.100.7");
    }
  }
  EXPECT_EQ(admitted, 3);
  EXPECT_TRUE(l.TryStart("203.0.113.5", t0));
  EXPECT_FALSE(l.TryStart("198.51.100.7", t0 + milliseconds(500)));
  EXPECT_TRUE(l.TryStart("198.51.100.7", t0 + milliseconds(1000)));
}

TEST(NetHandshakeLimiterTest, PendingPerAddressAndOverall) {
  HandshakeLimiter l(
      {.per_second = 100, .burst = 100, .max_pending_per_address = 2, .max_pending = 3});
  const auto t = Clock::time_point() + std::chrono::hours(1);
  EXPECT_TRUE(l.TryStart("a", t));
  EXPECT_TRUE(l.TryStart("a", t));
  EXPECT_FALSE(l.TryStart("a", t));
  EXPECT_TRUE(l.TryStart("b", t));
  EXPECT_FALSE(l.TryStart("c", t));  // overall bound
  l.Done("a");
  EXPECT_EQ(l.pending(), 2u);
  EXPECT_TRUE(l.TryStart("c", t));
  l.Done("unknown");  // ignored
  EXPECT_EQ(l.pending(), 3u);
}

TEST(NetHandshakeLimiterTest, AddressTableIsBounded) {
  HandshakeLimiter l({.per_second = 1, .burst = 2, .max_addresses = 4});
  const auto t = Clock::time_point() + std::chrono::hours(1);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(l.TryStart("a" + std::to_string(i), t));
  EXPECT_FALSE(l.TryStart("new", t));  // all four busy
  for (int i = 0; i < 4; ++i) l.Done("a" + std::to_string(i));
  // Idle again once their buckets refill; then they make room.
  EXPECT_TRUE(l.TryStart("new", t + std::chrono::seconds(5)));
  EXPECT_LE(l.addresses(), 4u);
}

}  // namespace
}  // namespace fulei::net
