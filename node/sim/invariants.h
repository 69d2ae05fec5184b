// Invariants: what must hold of the simulated city once the heal phase is quiet.
//   - nothing is left pending, or waiting in an urgent outbox (up or down);
//   - every urgent report holds, at its origin, exactly one receipt from its town and one from
//     the city, and no node wrote a receipt for a receipt or for its own op;
//   - every node's shared scopes are identical (a hash of every record state per scope);
//   - no acknowledged op is lost: every op a node wrote is held by every node holding its scope;
//   - no op was accepted that should have been refused: no forged value in any store.
// A revoked node is cut off by design: its own scope, its ops and its reports are left out,
// and so is what waits to go down to it; nothing of it may wait in another node's outbox.
// CheckAggregates, besides: every town's and the city's dashboard counters (the store's index
// "programme.agg", kept incrementally through every write, batch, crash and redelivery) equal
// a recount of the records the node holds (programme::ApplyAggregateChange over each record
// from nothing, into a programme::MemoryIndex), entry by entry; the dashboard read from them
// equals the recount's whole; and its figures of the newer records (facilities, posts filled,
// inspections and corrections, funds, referrals and legal consultations, contacts with an
// absent parent, assistance given) equal a second recount that does not use the counters'
// code at all (programme/funds.h, referrals.h, assistance.h, scorecard.h and plain loops over
// the records held), so a record counted wrongly fails the run, not only one counted twice.
#ifndef FULEI_NODE_SIM_INVARIANTS_H_
#define FULEI_NODE_SIM_INVARIANTS_H_

#include <cstdint>
#include <map>
#include <string>

#include "crdt/status.h"
#include "node/sim/diagnosis.h"
#include "node/sim/ledger.h"
#include "node/sim/nodes.h"

namespace fulei::node::sim {

class Invariants {
 public:
  Invariants(Nodes& nodes, const Ledger& ledger, const Diagnosis& diagnosis)
      : nodes_(nodes), ledger_(ledger), diagnosis_(diagnosis) {}

  // The first invariant that does not hold (kInternal, naming the node and what differs).
  // REQUIRES: every node is up.
  Status Check();
  // The dashboard counters of every town and the city against a recount (above); `now_ms`
  // (true time) dates the city's dashboard read for city_children / city_reports.
  // REQUIRES: every node is up.
  Status CheckAggregates(uint64_t now_ms);

  uint64_t scopes_checked() const { return scopes_checked_; }
  uint64_t receipts_checked() const { return receipts_checked_; }
  uint64_t aggregates_checked() const { return aggregates_checked_; }
  int64_t city_children() const { return city_children_; }
  int64_t city_reports() const { return city_reports_; }
  // Figures of the newer records on the city's dashboard (SimResult::city_figures).
  const std::map<std::string, int64_t>& city_figures() const { return city_figures_; }

 private:
  Status CheckOutboxes(const std::vector<std::string>& scopes);
  Status CheckReceipts();
  Status CheckScopes(const std::vector<std::string>& scopes);
  Status CheckNothingLost();
  Status CheckNoForgery();
  bool CutOff(const std::string& scope) const;
  bool RevokedOrigin(crdt::NodeId origin) const;

  Nodes& nodes_;
  const Ledger& ledger_;
  const Diagnosis& diagnosis_;
  uint64_t scopes_checked_ = 0, receipts_checked_ = 0, aggregates_checked_ = 0;
  int64_t city_children_ = 0, city_reports_ = 0;
  std::map<std::string, int64_t> city_figures_;
};

}  // namespace fulei::node::sim

#endif  // FULEI_NODE_SIM_INVARIANTS_H_
