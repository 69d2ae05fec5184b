// Scenarios: scripted events on top of the random workload and faults, and the checks that go
// with them (SimConfig):
//   a. urgent during backfill: reports filed while every link is busy with a village's preload
//      reach the city before that backfill completes there, and within a bound of two hops of
//      one frame time each (bulk_urgent_reports);
//   b. town down for hours: reports filed by its villages meanwhile reach the city by the
//      fallback during the outage and the town after its return (town_outage_ms); or the town
//      stays up but cut off from the city, and the reports still reach the city meanwhile
//      (town_outage_isolates);
//   c. a node revoked mid-run: the city publishes a list naming one village; every other node
//      installs it, and no session with the village is established once its parent installed
//      it (revoke_at_ms).
// Also the ready-made configurations of the issue-6 scenarios. Not thread-safe.
#ifndef FULEI_NODE_SIM_SCENARIOS_H_
#define FULEI_NODE_SIM_SCENARIOS_H_

#include <cstdint>
#include <functional>
#include <string>

#include "crdt/status.h"
#include "crypto/signing.h"
#include "node/sim/config.h"
#include "node/sim/event_loop.h"
#include "node/sim/faults.h"
#include "node/sim/ledger.h"
#include "node/sim/network.h"
#include "node/sim/nodes.h"
#include "node/sim/workload.h"

namespace fulei::node::sim {

class Scenarios {
 public:
  Scenarios(const SimConfig& config, EventLoop& loop, Dice& dice, Nodes& nodes, SimNetwork& network,
            Workload& workload, FaultSchedule& faults, const Ledger& ledger,
            const crypto::SigningKey& root)
      : config_(config),
        loop_(loop),
        dice_(dice),
        nodes_(nodes),
        network_(network),
        workload_(workload),
        faults_(faults),
        ledger_(ledger),
        root_(root) {}

  // Schedules the scripted events of every scenario the config turns on.
  void Start();
  // A connection between `child` and `parent` was established at both ends: scenario c
  // checks that it is not one with the revoked village at a parent that knows of the list.
  void OnEstablished(int child, int parent);
  // The scenario checks, after the run is quiet; fills the scenario figures of `result`.
  Status Check(SimResult& result);
  // The village revoked by scenario c, or -1.
  int revoked() const { return revoked_; }

 private:
  void Revoke();

  const SimConfig& config_;
  EventLoop& loop_;
  Dice& dice_;
  Nodes& nodes_;
  SimNetwork& network_;
  Workload& workload_;
  FaultSchedule& faults_;
  const Ledger& ledger_;
  const crypto::SigningKey& root_;
  int outage_town_ = -1;
  uint64_t outage_end_ = 0;
  int revoked_ = -1;
  uint64_t revocation_version_ = 0;
  std::string violation_;  // first breach of scenario c seen while running
};

// Urgent during backfill: 2 towns x 2 villages, no faults, no random edits; each village holds
// 400 children x 5 ops (about 80 KB of ops on the wire) and the links carry 8 bytes/ms
// (64 kbit/s, 40 ms delay, up to 30 ms jitter) in batches of at most 20 ops (extended to the
// preload's signed heads, so frames of a few KiB to about 12 KiB); each village writes 2 reports
// between 2 s and 6 s, while every link is busy with the backfill (which ends after about 17 s).
// 30% of the villages have the city as a second upstream.
SimConfig UrgentDuringBackfillScenario(uint64_t seed, const std::string& work_dir);
// Town down for hours: 2 towns x 3 villages, no random faults, an edit per node every 10
// minutes (10% urgent at villages) for 3 simulated hours; the first town is down from minute 10
// for 2 hours and each of its villages files 2 reports meanwhile; every village has the city as
// its second upstream.
SimConfig TownOutageScenario(uint64_t seed, const std::string& work_dir);
// Town cut off from the city for hours: as TownOutageScenario, but the first town stays up and
// only its link to the city is down; its villages' reports must reach the city meanwhile by
// their urgent-only sessions.
SimConfig TownIsolatedScenario(uint64_t seed, const std::string& work_dir);
// A village revoked mid-run, under the usual random faults: the city revokes one village at
// minute 8 of the 20-minute fault phase; half the villages have the city as second upstream.
SimConfig RevocationScenario(uint64_t seed, const std::string& work_dir);

}  // namespace fulei::node::sim

#endif  // FULEI_NODE_SIM_SCENARIOS_H_
