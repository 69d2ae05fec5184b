// The deterministic city simulator: a whole fulei network — city, towns, villages — in one
// process, each node the very NodeCore the daemon runs (node/core/core.h) with its own LMDB
// store in a temporary directory, over a seeded in-memory network with a fake clock. Every
// connection runs the real Noise channel and the real sync protocol; only the sockets, the
// timers and the clock are simulated. The simulation composes its roles, each in its own file:
//   event_loop.h   simulated time, the event queue, the dice;
//   network.h      links, handshakes, frame faults, tampering relays;
//   workload.h     what people write (preload, random edits, reports);
//   faults.h       partitions and crashes (village Pis that reboot believing it is 1970);
//   scenarios.h    scripted events and their checks (backfill, town outage, revocation);
//   ledger.h       what was written, and when reports arrived;
//   invariants.h   what must hold once the network is quiet;
//   diagnosis.h    why connections closed, what differs.
// A run has a fault phase (SimConfig::fault_phase_ms of edits under faults), then a heal phase:
// faults stop, every node comes back, and the run continues until the network is quiet (only
// periodic timers left). Then the invariants and the scenario checks run. The same seed replays
// the same run exactly; a failure names its seed.
//
// Not thread-safe; one simulation per call. Uses the node core and the public APIs below it.
#ifndef FULEI_NODE_SIM_SIMULATION_H_
#define FULEI_NODE_SIM_SIMULATION_H_

#include "node/sim/config.h"
#include "node/sim/scenarios.h"

namespace fulei::node::sim {

SimResult RunSimulation(const SimConfig& config);

}  // namespace fulei::node::sim

#endif  // FULEI_NODE_SIM_SIMULATION_H_
