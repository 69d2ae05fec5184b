// Workload: what the people of the simulated city write. Before the run, each village's
// existing records (the preload: children written by several ops each); during the fault phase,
// random edits at every node (a village edits its children, files urgent reports; a town or the
// city edits a village's records or its own registries); and the reports the scenarios file at
// set times. Every write goes through the node's core, as a person's write does, and into the
// ledger. Not thread-safe.
#ifndef FULEI_NODE_SIM_WORKLOAD_H_
#define FULEI_NODE_SIM_WORKLOAD_H_

#include <cstdint>
#include <string>

#include "crdt/status.h"
#include "node/sim/config.h"
#include "node/sim/event_loop.h"
#include "node/sim/ledger.h"
#include "node/sim/nodes.h"

namespace fulei::node::sim {

class Workload {
 public:
  Workload(const SimConfig& config, EventLoop& loop, Dice& dice, Nodes& nodes, Ledger& ledger)
      : config_(config), loop_(loop), dice_(dice), nodes_(nodes), ledger_(ledger) {}

  // Village i's existing records (config.preload_children x preload_ops_per_child ops).
  Status Preload(int i);
  // Schedules random edits at every node until Stop.
  void Start();
  void Stop() { writing_ = false; }
  // One urgent report at village i, queued for every upstream (skipped while i is down).
  void FileReport(int i);

  uint64_t ops_written() const { return ops_written_; }
  uint64_t urgent_written() const { return urgent_written_; }
  uint64_t preloaded_ops() const { return preloaded_ops_; }

 private:
  void ScheduleEdit(int i);
  void Edit(int i);
  // Writes through node i's core; false (and the run fails) on an error.
  bool Write(int i, const store::LocalChange& change, bool report);
  std::string RandomVillageBelow(const std::string& unit);

  const SimConfig& config_;
  EventLoop& loop_;
  Dice& dice_;
  Nodes& nodes_;
  Ledger& ledger_;
  bool writing_ = true;
  uint64_t report_counter_ = 0;
  uint64_t ops_written_ = 0, urgent_written_ = 0, preloaded_ops_ = 0;
};

}  // namespace fulei::node::sim

#endif  // FULEI_NODE_SIM_WORKLOAD_H_
