// HandshakeLimiter: admission control for incoming connections of a listener, so that a flood
// of bogus handshakes from one source never starves a valid peer from another.
//   - per source address, a token bucket: `burst` handshakes at once, refilled at `per_second`;
//   - per source address, at most `max_pending_per_address` handshakes in progress;
//   - overall, at most `max_pending` handshakes in progress (each also has a timeout in the
//     link, so a slow or silent peer gives its slot back).
// A refused connection is closed before any cryptography runs. The table of addresses is
// bounded (`max_addresses`); when full, idle entries (full bucket, nothing pending) are dropped,
// and if none is idle the new address is refused.
// Time is passed in, never read. Thread-compatible: owned by the listener's event loop.
#ifndef FULEI_NET_HANDSHAKE_LIMITER_H_
#define FULEI_NET_HANDSHAKE_LIMITER_H_

#include <chrono>
#include <cstddef>
#include <map>
#include <string>

namespace fulei::net {

struct HandshakeLimits {
  double per_second = 2.0;
  double burst = 8.0;
  size_t max_pending_per_address = 4;
  size_t max_pending = 64;
  size_t max_addresses = 4096;
};

class HandshakeLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  explicit HandshakeLimiter(HandshakeLimits limits) : limits_(limits) {}

  // True when a handshake from `address` may start now; it then counts as pending until
  // Done(address) is called once.
  bool TryStart(const std::string& address, Clock::time_point now);
  // The handshake from `address` finished (either way).
  void Done(const std::string& address);

  size_t pending() const { return pending_; }
  size_t addresses() const { return table_.size(); }

 private:
  struct Entry {
    double tokens = 0;
    Clock::time_point refilled;
    size_t pending = 0;
  };
  void Refill(Entry& e, Clock::time_point now) const;
  bool MakeRoom(Clock::time_point now);

  HandshakeLimits limits_;
  std::map<std::string, Entry> table_;
  size_t pending_ = 0;
};

}  // namespace fulei::net

#endif  // FULEI_NET_HANDSHAKE_LIMITER_H_
