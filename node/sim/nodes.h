// What the roles of the simulation (network, workload, faults, scenarios, invariants) see of
// the simulated city's nodes: who each node is, its core while it is up, and the two things a
// role may do to a node besides calling its core — carry out what the core queued, and take it
// down or bring it back. The simulation (simulation.cc) implements it over its SimNodes.
#ifndef FULEI_NODE_SIM_NODES_H_
#define FULEI_NODE_SIM_NODES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "crdt/op.h"
#include "crypto/certificate.h"
#include "node/core/core.h"

namespace fulei::node::sim {

// Simulated time 0 as the nodes' wall clocks see it (late 2025).
inline constexpr uint64_t kEpochMs = 1'764'000'000'000;

struct NodeInfo {
  int index = 0;
  std::string unit;
  crypto::Role role = crypto::Role::kVillage;
  int parent = -1;
  // Upstreams in order of preference: the parent, then (a village with a fallback) the city.
  std::vector<int> ups;
  crdt::NodeId id = 0;
};

class Nodes {
 public:
  virtual ~Nodes() = default;
  virtual const std::vector<NodeInfo>& info() const = 0;
  // Node i's core, or null while it is down.
  virtual NodeCore* core(int i) = 0;
  // Bumps each time node i goes down or comes back: an event scheduled for an earlier epoch
  // of the node is stale.
  virtual uint64_t epoch(int i) const = 0;
  // Node i's wall clock now (ms since the Unix epoch; skewed, perhaps back in 1970).
  virtual uint64_t Wall(int i) const = 0;
  // Carries out what node i's core queued (sends, closes, dials, timers), after any event fed
  // to it.
  virtual void Drive(int i) = 0;
  // Node i stops as in a power cut: its connections close, everything in memory is dropped;
  // what it committed stays on disk.
  virtual void TakeDown(int i, const char* why) = 0;
  // Node i starts again from its data directory with its wall clock `skew_ms` off.
  virtual Status Restart(int i, int64_t skew_ms) = 0;
  // True once node i has been revoked (its retries no longer keep the network busy).
  virtual bool revoked(int i) const = 0;
};

}  // namespace fulei::node::sim

#endif  // FULEI_NODE_SIM_NODES_H_
