// FaultSchedule: the faults the simulated city suffers while the fault phase lasts — partitions
// of a child's link to one of its upstreams (healing after 10 s to 5 min), node crashes (a
// power cut: restart after 5 s to 3 min; a village Pi without a real-time clock may come back
// believing it is 1970), and hostile clocks (a town or village restarts with its wall clock a
// month to five years ahead, until it is restarted with its clock set right; config.h). Frame
// faults and tampering live on the links (network.h). Heal() ends the phase: every node comes
// back with a sane clock and every link heals. Not thread-safe.
#ifndef FULEI_NODE_SIM_FAULTS_H_
#define FULEI_NODE_SIM_FAULTS_H_

#include <cstdint>
#include <set>

#include "crdt/status.h"
#include "node/sim/config.h"
#include "node/sim/event_loop.h"
#include "node/sim/network.h"
#include "node/sim/nodes.h"

namespace fulei::node::sim {

class FaultSchedule {
 public:
  FaultSchedule(const SimConfig& config, EventLoop& loop, Dice& dice, Nodes& nodes,
                SimNetwork& network)
      : config_(config), loop_(loop), dice_(dice), nodes_(nodes), network_(network) {}

  // Starts the fault phase (nothing when config.faults is off).
  void Start();
  // Ends it: faults stop, every node down comes back, every partitioned link heals.
  Status Heal();
  // Restarts node i at `when` unless it is up again by then (also used by the scenarios).
  void RestartAt(int i, uint64_t when);
  // The clock skew node i comes back with after a crash.
  int64_t RestartSkew(int i);

  uint64_t crashes() const { return crashes_; }
  uint64_t partitions() const { return partitions_; }
  uint64_t hostile_clocks() const { return hostile_clocks_; }

 private:
  void SchedulePartition(int i);
  void ScheduleCrash(int i);
  void ScheduleHostileClock(int i);
  // Restarts node i (down) with a sane clock, unless it is up by then; no longer hostile.
  Status RestartSane(int i);

  const SimConfig& config_;
  EventLoop& loop_;
  Dice& dice_;
  Nodes& nodes_;
  SimNetwork& network_;
  bool on_ = false;
  uint64_t crashes_ = 0, partitions_ = 0, hostile_clocks_ = 0;
  std::set<int> hostile_;  // nodes up with a wall clock far ahead
};

}  // namespace fulei::node::sim

#endif  // FULEI_NODE_SIM_FAULTS_H_
