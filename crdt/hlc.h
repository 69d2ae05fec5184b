// Hybrid logical clock (HLC): timestamps that order events causally and stay close to wall time.
//
// A Stamp is 64-bit physical milliseconds since the Unix epoch plus a 32-bit logical counter.
// HybridClock never reads a clock itself: the caller passes the wall-clock reading, so the
// simulator can drive it with a fake clock. Now() and Update() never go backwards, even when
// the wall clock jumps back by days (a Raspberry Pi with no RTC boots in 1970): the persisted
// high-water mark (Restore) carries the clock across reboots.
//
// Remote stamps more than max_future_ms ahead of the caller's wall clock are refused with
// kOutOfRange and not adopted. The bound is measured from the wall clock the caller passes,
// never from the high-water mark: adopted stamps raise the high-water, so a bound measured from
// it would let each batch of a peer move the clock another max_future_ms ahead (docs/protocol.md,
// "Clocks"). The caller passes its reference time — the node's wall clock, or its upstream's
// when it adopted it — not the HLC.
//
// A wall limit (set_wall_limit) caps what a wall reading may advance the clock to: a node whose
// wall clock is not yet confirmed by its upstream stamps no further ahead than it already was,
// so a clock that booted years ahead cannot sign ops its peers must refuse.
//
// All sums saturate (SaturatingAdd): no reading or stamp, however large, wraps around.
// Thread-compatible: one owner (the node's event loop).
#ifndef FULEI_CRDT_HLC_H_
#define FULEI_CRDT_HLC_H_

#include <compare>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "crdt/status.h"

namespace fulei::crdt {

// a + b, or UINT64_MAX when that overflows. For sums of times and durations.
constexpr uint64_t SaturatingAdd(uint64_t a, uint64_t b) {
  return a > std::numeric_limits<uint64_t>::max() - b ? std::numeric_limits<uint64_t>::max()
                                                      : a + b;
}
// a - b, or 0 when b > a.
constexpr uint64_t SaturatingSub(uint64_t a, uint64_t b) { return a > b ? a - b : 0; }

struct Stamp {
  uint64_t ms = 0;       // physical part: milliseconds since 1970-01-01T00:00:00Z
  uint32_t logical = 0;  // orders events within the same millisecond

  friend auto operator<=>(const Stamp&, const Stamp&) = default;
  friend bool operator==(const Stamp&, const Stamp&) = default;

  std::string ToString() const;  // "1732851723123.4"
};

class HybridClock {
 public:
  // max_future_ms: how far ahead of the caller's wall clock a remote stamp may be (default one
  // hour).
  explicit HybridClock(uint64_t max_future_ms = 3'600'000) : max_future_ms_(max_future_ms) {}

  // A new stamp for a local event, strictly greater than every stamp returned or adopted before
  // (while the physical part can still grow: at UINT64_MAX ms with the counter exhausted it
  // stays there, which no sane wall clock reaches).
  Stamp Now(uint64_t wall_ms);

  // Adopts a stamp received from a peer. Returns a stamp strictly greater than both `remote`
  // and every earlier stamp, or kOutOfRange (clock unchanged) when `remote` is more than
  // max_future_ms ahead of `wall_ms` (the caller's reference time; never the high-water mark).
  Result<Stamp> Update(Stamp remote, uint64_t wall_ms);

  // Highest stamp issued or adopted; persist it (store/ meta) and Restore() it after a reboot.
  Stamp high_water() const { return last_; }

  // Raises the high-water mark to `persisted` (never lowers it). An operator lowers a wrong
  // mark in the store while the node is stopped (Store::ResetHlcHighWater, docs/store.md).
  void Restore(Stamp persisted);

  // Wall readings above `limit` count as `limit` in Now() and Update() (remote stamps are still
  // adopted whole); nullopt: no limit (the default).
  void set_wall_limit(std::optional<uint64_t> limit) { wall_limit_ = limit; }
  std::optional<uint64_t> wall_limit() const { return wall_limit_; }

  uint64_t max_future_ms() const { return max_future_ms_; }

 private:
  Stamp Next(uint64_t wall_ms);

  uint64_t max_future_ms_;
  std::optional<uint64_t> wall_limit_;
  Stamp last_;
};

}  // namespace fulei::crdt

#endif  // FULEI_CRDT_HLC_H_
