// The simulator's clock, event queue and dice: simulated time in ms from the start of a run,
// events run in (time, order of scheduling) order, and every random draw from one seeded
// generator, so a run replays exactly from its seed. The first error any role reports (Fail)
// stops the run. Not thread-safe; one simulation per EventLoop.
#ifndef FULEI_NODE_SIM_EVENT_LOOP_H_
#define FULEI_NODE_SIM_EVENT_LOOP_H_

#include <cstdint>
#include <functional>
#include <queue>
#include <random>
#include <vector>

#include "crdt/status.h"

namespace fulei::node::sim {

class EventLoop {
 public:
  uint64_t now() const { return now_; }
  // When the last event that was not background ran.
  uint64_t last_active() const { return last_active_; }
  // Runs `fn` at `when` (never before now). A background event (a node's periodic timer, the
  // retries of a node cut off for good) does not keep the network from being quiet.
  void At(uint64_t when, std::function<void()> fn, bool background = false);
  // Runs every event due at or before `limit`; now is `limit` afterwards. Stops at the first
  // Fail and returns it.
  Status RunUntil(uint64_t limit);
  // Runs events until only background ones are left (true), or until the next one is after
  // `limit` (false). Stops at the first Fail and returns it.
  Result<bool> RunUntilQuiet(uint64_t limit);
  // Records the first error; the run stops after the current event.
  void Fail(Status st);
  const Status& error() const { return error_; }

 private:
  struct Event {
    uint64_t when;
    uint64_t order;
    bool background;
    std::function<void()> fn;
    bool operator<(const Event& o) const {
      return when != o.when ? when > o.when : order > o.order;
    }
  };
  bool RunOne();

  std::priority_queue<Event> events_;
  uint64_t now_ = 0, next_order_ = 0, last_active_ = 0;
  uint64_t active_ = 0;  // events queued that are not background
  Status error_;
};

// Random draws of the simulation (workload, faults, link jitter), all from one seed.
class Dice {
 public:
  explicit Dice(uint64_t seed) : rng_(seed) {}
  // Exponentially distributed with mean `mean`, at least 1.
  uint64_t Exp(uint64_t mean);
  uint64_t Uniform(uint64_t lo, uint64_t hi);
  bool Chance(double p);

 private:
  std::mt19937_64 rng_;
};

}  // namespace fulei::node::sim

#endif  // FULEI_NODE_SIM_EVENT_LOOP_H_
