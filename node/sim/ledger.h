// Ledger: what the simulated city did, for the checks at the end — every op a node wrote (and so
// acknowledged to its user), and each urgent report a village filed, with when its town and the
// city first held it; and when each village's preloaded records were all held at the city.
// Filled by the workload and the scenarios as they write, and by Observe as ops arrive.
// Not thread-safe.
#ifndef FULEI_NODE_SIM_LEDGER_H_
#define FULEI_NODE_SIM_LEDGER_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "crdt/op.h"
#include "node/sim/config.h"
#include "node/sim/nodes.h"

namespace fulei::node::sim {

struct WrittenOp {
  int node = 0;
  std::string scope;
  crdt::NodeId origin = 0;
  uint64_t seq = 0;
};

// An urgent report a village wrote, followed to the city and back.
struct UrgentReport {
  int village = 0;
  std::string scope, id;
  crdt::NodeId origin = 0;
  uint64_t seq = 0;
  uint64_t written_at = 0;
  std::optional<uint64_t> at_city;  // simulated time the city first held it
  std::optional<uint64_t> at_town;  // ... and the village's town
};

class Ledger {
 public:
  // Node `node` wrote `ops` at `now`; `report`: they are urgent reports filed by a village.
  void Wrote(int node, const std::vector<crdt::Op>& ops, bool report, uint64_t now);
  // After node `n` (any node) took in ops: notes the reports its level (town, city) holds for
  // the first time, and (track_backfill) the preloads complete at the city.
  void Observe(Nodes& nodes, int n, uint64_t now, const SimConfig& config);

  const std::vector<WrittenOp>& ops() const { return ops_; }
  const std::vector<UrgentReport>& reports() const { return reports_; }
  // Village scope -> when the city held all of its preloaded ops.
  const std::map<std::string, uint64_t>& backfill_done() const { return backfill_done_; }

 private:
  std::vector<WrittenOp> ops_;
  std::vector<UrgentReport> reports_;
  std::vector<size_t> unseen_;  // reports not yet held by both their town and the city
  std::map<std::string, uint64_t> backfill_done_;
  // Node -> (epoch, data_version()) when last observed: nothing new since, nothing to read.
  std::map<int, std::pair<uint64_t, uint64_t>> observed_;
};

}  // namespace fulei::node::sim

#endif  // FULEI_NODE_SIM_LEDGER_H_
