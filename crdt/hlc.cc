#include "crdt/hlc.h"

#include <algorithm>
#include <limits>

namespace fulei::crdt {

std::string Stamp::ToString() const { return std::to_string(ms) + "." + std::to_string(logical); }

Stamp HybridClock::Next(uint64_t candidate_ms) {
  if (candidate_ms > last_.ms) {
    last_ = Stamp{candidate_ms, 0};
  } else if (last_.logical == std::numeric_limits<uint32_t>::max()) {
    // The logical counter is exhausted within one millisecond: move the physical part on by
    // one rather than wrap, so the clock still never goes backwards.
    last_ = Stamp{last_.ms + 1, 0};
  } else {
    ++last_.logical;
  }
  return last_;
}

Stamp HybridClock::Now(uint64_t wall_ms) { return Next(wall_ms); }

Result<Stamp> HybridClock::Update(Stamp remote, uint64_t wall_ms) {
  const uint64_t reference = std::max(wall_ms, last_.ms);
  if (remote.ms > reference && remote.ms - reference > max_future_ms_) {
    return OutOfRange("remote stamp " + remote.ToString() + " is " +
                      std::to_string(remote.ms - reference) + " ms ahead of local time " +
                      std::to_string(reference) + " (limit " + std::to_string(max_future_ms_) +
                      " ms)");
  }
  if (remote > last_) last_ = remote;
  return Next(wall_ms);
}

void HybridClock::Restore(Stamp persisted) {
  if (persisted > last_) last_ = persisted;
}

}  // namespace fulei::crdt
