// HandshakeLimiter: a flooding source runs out of tokens and pending slots; other sources are
// unaffected; tokens refill with time; the address table stays bounded; an IPv6 /64 is one
// source; a known source keeps a slot whatever unknown sources hold.
#include "net/handshake_limiter.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

namespace fulei::net {
namespace {

using Clock = HandshakeLimiter::Clock;
using Slot = HandshakeLimiter::Slot;
using std::chrono::milliseconds;

const Clock::time_point kT0 = Clock::time_point() + std::chrono::hours(1);

TEST(NetHandshakeLimiterTest, FloodingAddressIsLimitedOthersAreNot) {
  HandshakeLimiter l({.per_second = 1, .burst = 3, .max_pending_per_address = 10});
  int admitted = 0;
  for (int i = 0; i < 100; ++i) {
    if (auto slot = l.TryStart("198.51.100.7", kT0)) {
      ++admitted;
      l.Done(*slot);
    }
  }
  EXPECT_EQ(admitted, 3);
  EXPECT_TRUE(l.TryStart("203.0.113.5", kT0));
  EXPECT_FALSE(l.TryStart("198.51.100.7", kT0 + milliseconds(500)));
  EXPECT_TRUE(l.TryStart("198.51.100.7", kT0 + milliseconds(1000)));
}

TEST(NetHandshakeLimiterTest, PendingPerAddressAndOverall) {
  HandshakeLimiter l(
      {.per_second = 100, .burst = 100, .max_pending_per_address = 2, .max_pending = 3});
  auto a1 = l.TryStart("a", kT0);
  ASSERT_TRUE(a1);
  EXPECT_TRUE(l.TryStart("a", kT0));
  EXPECT_FALSE(l.TryStart("a", kT0));
  EXPECT_TRUE(l.TryStart("b", kT0));
  EXPECT_FALSE(l.TryStart("c", kT0));  // overall bound
  l.Done(*a1);
  EXPECT_EQ(l.pending(), 2u);
  EXPECT_TRUE(l.TryStart("c", kT0));
  l.Done(Slot{"unknown", false});  // ignored
  EXPECT_EQ(l.pending(), 3u);
}

TEST(NetHandshakeLimiterTest, AddressTableIsBounded) {
  HandshakeLimiter l({.per_second = 1, .burst = 2, .max_addresses = 4});
  std::vector<Slot> slots;
  for (int i = 0; i < 4; ++i) {
    auto slot = l.TryStart("a" + std::to_string(i), kT0);
    ASSERT_TRUE(slot);
    slots.push_back(*slot);
  }
  EXPECT_FALSE(l.TryStart("new", kT0));  // all four busy
  for (const Slot& s : slots) l.Done(s);
  // Idle again once their buckets refill; then they make room.
  EXPECT_TRUE(l.TryStart("new", kT0 + std::chrono::seconds(5)));
  EXPECT_LE(l.addresses(), 4u);
}

TEST(NetHandshakeLimiterTest, SourcesGroupIpv6BySlash64AndMappedIpv4AsIpv4) {
  EXPECT_EQ(HandshakeLimiter::SourceOf("198.51.100.7"), "198.51.100.7");
  EXPECT_EQ(HandshakeLimiter::SourceOf("::ffff:198.51.100.7"), "198.51.100.7");
  EXPECT_EQ(HandshakeLimiter::SourceOf("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), "2001:db8:1:2::/64");
  EXPECT_EQ(HandshakeLimiter::SourceOf("2001:db8:1:2::1"), "2001:db8:1:2::/64");
  EXPECT_EQ(HandshakeLimiter::SourceOf("2001:db8:1:3::1"), "2001:db8:1:3::/64");
  EXPECT_EQ(HandshakeLimiter::SourceOf("not an address"), "not an address");
}

// Issue 14, defect 4: an attacker holding one IPv6 /64 (2^64 addresses) had a bucket and four
// pending slots per address, so one prefix filled every slot of the listener.
TEST(NetHandshakeLimiterTest, Ipv6SlotsAreGroupedBySlash64) {
  HandshakeLimiter l({.per_second = 1, .burst = 8, .max_pending_per_address = 4});
  int admitted = 0;
  for (int i = 1; i <= 1000; ++i) {
    char address[64];
    std::snprintf(address, sizeof address, "2001:db8:bad:1:%x:%x::1", i, i * 7);
    admitted += l.TryStart(address, kT0) ? 1 : 0;
  }
  EXPECT_EQ(admitted, 4);  // the whole /64 is one source: four pending at most
  EXPECT_EQ(l.pending(), 4u);
  EXPECT_LE(l.addresses(), 1u);
  // Another /64, an IPv4 peer and its IPv4-mapped form are sources of their own...
  EXPECT_TRUE(l.TryStart("2001:db8:bad:2::1", kT0));
  EXPECT_TRUE(l.TryStart("198.51.100.7", kT0));
  // ...and the mapped form of an address shares its bucket and pending slots.
  HandshakeLimiter m({.per_second = 1, .burst = 8, .max_pending_per_address = 2});
  EXPECT_TRUE(m.TryStart("198.51.100.7", kT0));
  EXPECT_TRUE(m.TryStart("::ffff:198.51.100.7", kT0));
  EXPECT_FALSE(m.TryStart("::ffff:198.51.100.7", kT0));
  EXPECT_FALSE(m.TryStart("198.51.100.7", kT0));
}

// Issue 14, defect 4: every pending slot was shared, so a few dozen flooding addresses shut
// out a village that had synced a thousand times. A source learned from a certified handshake
// has a pool of its own.
TEST(NetHandshakeLimiterTest, KnownPeerKeepsASlot) {
  HandshakeLimiter l({.per_second = 1,
                      .burst = 8,
                      .max_pending_per_address = 4,
                      .max_pending = 64,
                      .max_pending_known = 2,
                      .max_known = 3});
  l.Learn("203.0.113.5", kT0);
  l.Learn("2001:db8:5:5::7", kT0);  // learned as its /64
  // A flood from thousands of unknown addresses fills the unknown pool.
  int admitted = 0;
  for (int i = 0; i < 3000; ++i) {
    const std::string address =
        "10." + std::to_string(i / 250) + "." + std::to_string(i % 250) + ".1";
    admitted += l.TryStart(address, kT0) ? 1 : 0;
  }
  EXPECT_EQ(admitted, 64);
  EXPECT_FALSE(l.TryStart("198.51.100.9", kT0));  // a new, unknown peer waits for a slot
  // The known village still gets in, from its own address and from another one in its /64.
  auto village = l.TryStart("203.0.113.5", kT0);
  ASSERT_TRUE(village);
  EXPECT_TRUE(village->known);
  auto other = l.TryStart("2001:db8:5:5::99", kT0);
  ASSERT_TRUE(other);
  EXPECT_TRUE(other->known);
  EXPECT_EQ(l.pending_known(), 2u);
  EXPECT_FALSE(l.TryStart("203.0.113.5", kT0));  // the known pool is bounded too
  l.Done(*village);
  EXPECT_EQ(l.pending_known(), 1u);
  EXPECT_EQ(l.pending(), 65u);
  EXPECT_TRUE(l.TryStart("203.0.113.5", kT0 + std::chrono::seconds(1)));

  // The known table is bounded: the least recently learned source is forgotten first.
  l.Learn("203.0.113.6", kT0 + std::chrono::seconds(2));
  l.Learn("203.0.113.5", kT0 + std::chrono::seconds(3));  // refreshed
  l.Learn("203.0.113.7", kT0 + std::chrono::seconds(4));
  EXPECT_EQ(l.known_sources(), 3u);
  EXPECT_FALSE(l.known("2001:db8:5:5::7"));
  EXPECT_TRUE(l.known("203.0.113.5"));
  EXPECT_TRUE(l.known("203.0.113.6"));
  EXPECT_TRUE(l.known("203.0.113.7"));
}

}  // namespace
}  // namespace fulei::net
