#include "net/handshake_limiter.h"

#include <algorithm>

namespace fulei::net {

void HandshakeLimiter::Refill(Entry& e, Clock::time_point now) const {
  const double seconds = std::chrono::duration<double>(now - e.refilled).count();
  if (seconds > 0) {
    e.tokens = std::min(limits_.burst, e.tokens + seconds * limits_.per_second);
    e.refilled = now;
  }
}

bool HandshakeLimiter::MakeRoom(Clock::time_point now) {
  for (auto it = table_.begin(); it != table_.end();) {
    Refill(it->second, now);
    if (it->second.pending == 0 && it->second.tokens >= limits_.burst) {
      it = table_.erase(it);
    } else {
      ++it;
    }
  }
  return table_.size() < limits_.max_addresses;
}

bool HandshakeLimiter::TryStart(const std::string& address, Clock::time_point now) {
  if (pending_ >= limits_.max_pending) return false;
  auto it = table_.find(address);
  if (it == table_.end()) {
    if (table_.size() >= limits_.max_addresses && !MakeRoom(now)) return false;
    it = table_.emplace(address, Entry{limits_.burst, now, 0}).first;
  }
  Entry& e = it->second;
  Refill(e, now);
  if (e.pending >= limits_.max_pending_per_address || e.tokens < 1.0) return false;
  e.tokens -= 1.0;
  ++e.pending;
  ++pending_;
  return true;
}

void HandshakeLimiter::Done(const std::string& address) {
  auto it = table_.find(address);
  if (it == table_.end() || it->second.pending == 0) return;
  --it->second.pending;
  --pending_;
}

}  // namespace fulei::net
