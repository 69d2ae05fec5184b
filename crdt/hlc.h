// Hybrid logical clock (HLC): timestamps that order events causally and stay close to wall time.
//
// A Stamp is 64-bit physical milliseconds since the Unix epoch plus a 32-bit logical counter.
// HybridClock never reads a clock itself: the caller passes the wall-clock reading, so the
// simulator can drive it with a fake clock. Now() and Update() never go backwards, even when
// the wall clock jumps back by days (a Raspberry Pi with no RTC boots in 1970): the persisted
// high-water mark (Restore) carries the clock across reboots.
//
// Remote stamps more than max_future_ms ahead of max(wall, high-water) are refused with
// kOutOfRange and not adopted, so one peer with a broken clock cannot drag a node into the
// future. Thread-compatible: one owner (the node's event loop).
#ifndef FULEI_CRDT_HLC_H_
#define FULEI_CRDT_HLC_H_

#include <compare>
#include <cstdint>
#include <string>

#include "crdt/status.h"

namespace fulei::crdt {

struct Stamp {
  uint64_t ms = 0;       // physical part: milliseconds since 1970-01-01T00:00:00Z
  uint32_t logical = 0;  // orders events within the same millisecond

  friend auto operator<=>(const Stamp&, const Stamp&) = default;
  friend bool operator==(const Stamp&, const Stamp&) = default;

  std::string ToString() const;  // "1732851723123.4"
};

class HybridClock {
 public:
  // max_future_ms: how far ahead of local time a remote stamp may be (default one hour).
  explicit HybridClock(uint64_t max_future_ms = 3'600'000) : max_future_ms_(max_future_ms) {}

  // A new stamp for a local event, strictly greater than every stamp returned or adopted before.
  Stamp Now(uint64_t wall_ms);

  // Adopts a stamp received from a peer. Returns a stamp strictly greater than both `remote`
  // and every earlier stamp, or kOutOfRange (clock unchanged) when `remote` is more than
  // max_future_ms ahead of max(wall_ms, high_water().ms).
  Result<Stamp> Update(Stamp remote, uint64_t wall_ms);

  // Highest stamp issued or adopted; persist it (store/ meta) and Restore() it after a reboot.
  Stamp high_water() const { return last_; }

  // Raises the high-water mark to `persisted` (never lowers it).
  void Restore(Stamp persisted);

  uint64_t max_future_ms() const { return max_future_ms_; }

 private:
  Stamp Next(uint64_t candidate_ms);

  uint64_t max_future_ms_;
  Stamp last_;
};

}  // namespace fulei::crdt

#endif  // FULEI_CRDT_HLC_H_
