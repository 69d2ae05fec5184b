// HandshakeLimiter: admission control for incoming connections of a listener, so that a flood
// of bogus handshakes — from one address or from thousands — never shuts out a valid peer.
//   - Sources, not addresses: an IPv4 address is one source; an IPv6 address counts as its /64
//     (one subscriber's prefix: an attacker holds a whole /64 as easily as one address), and an
//     IPv4-mapped IPv6 address (::ffff:a.b.c.d) as the IPv4 address a.b.c.d (SourceOf).
//   - Per source, a token bucket (`burst` handshakes at once, refilled at `per_second`) and at
//     most `max_pending_per_address` handshakes in progress.
//   - Two pools of handshakes in progress: at most `max_pending` from unknown sources, and
//     separately at most `max_pending_known` from known ones. A source is known once a
//     handshake from it completed with a certificate (Learn: the listener calls it), so a
//     village that synced before keeps a slot however many unknown addresses flood the
//     listener. The known table holds at most `max_known` sources (the least recently learned
//     forgotten first); only a peer with a valid certificate can add to it.
// Each pending handshake is also bounded in time by the listener (LinkConfig::
// first_message_timeout for the first handshake message, handshake_timeout for the whole), so
// a slot always comes back. A refused connection is closed before any cryptography runs. The
// table of sources' buckets is bounded (`max_addresses`): when full, idle entries (full
// bucket, nothing pending) are dropped, and if none is idle a new unknown source is refused (a
// known source is admitted all the same: the table then holds at most max_known more).
// Time is passed in, never read. Thread-compatible: owned by the listener's event loop.
// docs/net.md#listener-admission.
#ifndef FULEI_NET_HANDSHAKE_LIMITER_H_
#define FULEI_NET_HANDSHAKE_LIMITER_H_

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace fulei::net {

struct HandshakeLimits {
  double per_second = 2.0;
  double burst = 8.0;
  size_t max_pending_per_address = 4;  // per source (an IPv4 address or an IPv6 /64)
  size_t max_pending = 64;             // from unknown sources together
  size_t max_pending_known = 16;       // from known sources together, on top of max_pending
  size_t max_addresses = 4096;         // sources with a bucket
  size_t max_known = 4096;             // sources remembered as known
};

class HandshakeLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  // One admitted handshake: give it back with Done() exactly once.
  struct Slot {
    std::string source;  // SourceOf(address)
    bool known = false;  // taken from the known sources' pool
  };

  explicit HandshakeLimiter(HandshakeLimits limits) : limits_(limits) {}

  // The source `address` counts as: "a.b.c.d" for IPv4 and IPv4-mapped IPv6, "x:x:x:x::/64"
  // (the first 64 bits, canonical) for other IPv6; a string that is not an IP address as is.
  static std::string SourceOf(std::string_view address);

  // A slot when a handshake from `address` may start now, nullopt when it is refused.
  std::optional<Slot> TryStart(std::string_view address, Clock::time_point now);
  // The handshake of `slot` finished (either way).
  void Done(const Slot& slot);
  // A handshake from `address` completed with a certificate: its source is known from now on
  // (its last-seen time refreshed when already known).
  void Learn(std::string_view address, Clock::time_point now);

  bool known(std::string_view address) const { return known_.count(SourceOf(address)) != 0; }
  // Handshakes in progress: all, and those from known sources.
  size_t pending() const { return pending_ + pending_known_; }
  size_t pending_known() const { return pending_known_; }
  size_t addresses() const { return table_.size(); }
  size_t known_sources() const { return known_.size(); }

 private:
  struct Entry {
    double tokens = 0;
    Clock::time_point refilled;
    size_t pending = 0;
  };
  void Refill(Entry& e, Clock::time_point now) const;
  bool MakeRoom(Clock::time_point now);

  HandshakeLimits limits_;
  std::map<std::string, Entry, std::less<>> table_;              // by source
  std::map<std::string, Clock::time_point, std::less<>> known_;  // source -> last learned
  size_t pending_ = 0;                                           // from unknown sources
  size_t pending_known_ = 0;                                     // from known sources
};

}  // namespace fulei::net

#endif  // FULEI_NET_HANDSHAKE_LIMITER_H_
