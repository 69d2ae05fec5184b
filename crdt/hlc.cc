#include "crdt/hlc.h"

#include <algorithm>

namespace fulei::crdt {

std::string Stamp::ToString() const { return std::to_string(ms) + "." + std::to_string(logical); }

Stamp HybridClock::Next(uint64_t wall_ms) {
  const uint64_t candidate_ms = wall_limit_ ? std::min(wall_ms, *wall_limit_) : wall_ms;
  if (candidate_ms > last_.ms) {
    last_ = Stamp{candidate_ms, 0};
  } else if (last_.logical == std::numeric_limits<uint32_t>::max()) {
    // The logical counter is exhausted within one millisecond: move the physical part on by
    // one rather than wrap, so the clock still never goes backwards.
    if (last_.ms != std::numeric_limits<uint64_t>::max()) last_ = Stamp{last_.ms + 1, 0};
  } else {
    ++last_.logical;
  }
  return last_;
}

Stamp HybridClock::Now(uint64_t wall_ms) { return Next(wall_ms); }

Result<Stamp> HybridClock::Update(Stamp remote, uint64_t wall_ms) {
  // Measured from the caller's wall clock only: never from last_, which adopted stamps raise.
  if (remote.ms > SaturatingAdd(wall_ms, max_future_ms_)) {
    return OutOfRange("remote stamp " + remote.ToString() + " is " +
                      std::to_string(remote.ms - wall_ms) + " ms ahead of local time " +
                      std::to_string(wall_ms) + " (limit " + std::to_string(max_future_ms_) +
                      " ms)");
  }
  if (remote > last_) last_ = remote;
  return Next(wall_ms);
}

void HybridClock::Restore(Stamp persisted) {
  if (persisted > last_) last_ = persisted;
}

}  // namespace fulei::crdt
