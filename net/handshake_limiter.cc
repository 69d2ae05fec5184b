#include "net/handshake_limiter.h"

#include <algorithm>
#include <boost/asio/ip/address.hpp>

namespace fulei::net {
namespace ip = boost::asio::ip;

std::string HandshakeLimiter::SourceOf(std::string_view address) {
  boost::system::error_code ec;
  const ip::address a = ip::make_address(std::string(address), ec);
  if (ec) return std::string(address);
  if (a.is_v4()) return a.to_v4().to_string();
  const ip::address_v6 v6 = a.to_v6();
  if (v6.is_v4_mapped()) return ip::make_address_v4(ip::v4_mapped, v6).to_string();
  ip::address_v6::bytes_type prefix = v6.to_bytes();
  std::fill(prefix.begin() + 8, prefix.end(), 0);
  return ip::address_v6(prefix).to_string() + "/64";
}

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

std::optional<HandshakeLimiter::Slot> HandshakeLimiter::TryStart(std::string_view address,
                                                                 Clock::time_point now) {
  Slot slot{SourceOf(address), false};
  slot.known = known_.count(slot.source) != 0;
  if (slot.known ? pending_known_ >= limits_.max_pending_known : pending_ >= limits_.max_pending) {
    return std::nullopt;
  }
  auto it = table_.find(slot.source);
  if (it == table_.end()) {
    if (!slot.known && table_.size() >= limits_.max_addresses && !MakeRoom(now)) {
      return std::nullopt;
    }
    it = table_.emplace(slot.source, Entry{limits_.burst, now, 0}).first;
  }
  Entry& e = it->second;
  Refill(e, now);
  if (e.pending >= limits_.max_pending_per_address || e.tokens < 1.0) return std::nullopt;
  e.tokens -= 1.0;
  ++e.pending;
  ++(slot.known ? pending_known_ : pending_);
  return slot;
}

void HandshakeLimiter::Done(const Slot& slot) {
  auto it = table_.find(slot.source);
  if (it == table_.end() || it->second.pending == 0) return;
  size_t& pool = slot.known ? pending_known_ : pending_;
  if (pool == 0) return;
  --it->second.pending;
  --pool;
}

void HandshakeLimiter::Learn(std::string_view address, Clock::time_point now) {
  if (limits_.max_known == 0) return;
  std::string source = SourceOf(address);
  auto it = known_.find(source);
  if (it != known_.end()) {
    it->second = now;
    return;
  }
  if (known_.size() >= limits_.max_known) {
    auto oldest = std::min_element(known_.begin(), known_.end(), [](const auto& a, const auto& b) {
      return a.second < b.second;
    });
    known_.erase(oldest);
  }
  known_.emplace(std::move(source), now);
}

}  // namespace fulei::net
