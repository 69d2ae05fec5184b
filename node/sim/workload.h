// Workload: what the people of the simulated city write — the programme's own records
// (programme/schema.h): children, helpers, pairings, contacts, activities and urgent reports,
// each validated with programme::ValidateRecord at the writing node's date and time before it
// is written, and each written to the scope programme::RecordScope gives its type. Before the
// run, each village's existing children (the preload: each child written by several ops);
// during the fault phase, random edits at every node (a village registers and edits its
// children and helpers, pairs them, records contacts and activities, files urgent reports; a
// town or the city edits a village's child or keeps its own registries: helpers, activities);
// and the reports the scenarios file at set times. Every write goes through the node's core, as
// a person's write does, and into the ledger.
//
// A proposed record that fails validation is a bug of the workload: the run fails, naming the
// node, the record and the message. The exception is an edit of a record that already fails at
// the writing node's clock (a date written while some node's clock ran ahead, now in this
// node's future): a person could not save it either; it is skipped and counted.
// Dates a person types (birth, contact, consent) are the simulated true date, never later than
// the writing node's own; the same seed writes the same records. Not thread-safe.
#ifndef FULEI_NODE_SIM_WORKLOAD_H_
#define FULEI_NODE_SIM_WORKLOAD_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "crdt/status.h"
#include "node/sim/config.h"
#include "node/sim/event_loop.h"
#include "node/sim/ledger.h"
#include "node/sim/nodes.h"
#include "programme/date.h"
#include "programme/fields.h"

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
  // Record writes by type, and edits skipped (see the header comment).
  const std::map<std::string, uint64_t>& records_written() const { return records_written_; }
  uint64_t records_skipped() const { return records_skipped_; }

 private:
  // One register value or set element to write.
  struct Value {
    std::string field, value;
    bool add = false;  // a set element (kAdd), else a register (kSet)
  };
  // The writing node's clock as a person at it sees it: its date, and the date and time a
  // person types (the true ones, never after the node's).
  struct Clock {
    programme::Date today;  // the node's date (validation)
    int64_t now_s = 0;      // the node's time (validation)
    programme::Date date;   // the date a person enters
    int64_t time_s = 0;     // the time a person enters
  };
  Clock ClockOf(int i);

  void ScheduleEdit(int i);
  void Edit(int i);
  void EditAtVillage(int i, const Clock& clock);
  void EditAbove(int i, const Clock& clock);
  // A town's or the city's own registries: a helper, or an activity it held.
  void EditRegistries(int i, const Clock& clock, const std::string& author);
  // The record's values at node i (nullopt: absent or deleted); false when the store fails
  // (the run fails).
  bool Current(int i, const crdt::RecordKey& key, std::optional<programme::Fields>& out,
               crdt::RecordState* state = nullptr);
  // Validates the record `key` would have after `values` and writes them; false (the run
  // failed, or the edit was skipped) when nothing was written.
  bool Put(int i, const crdt::RecordKey& key, const std::vector<Value>& values, const Clock& clock,
           const std::string& author, bool report);
  // Writes through node i's core; false (and the run fails) on an error.
  bool Write(int i, const store::LocalChange& change, bool report);
  // A village at or below `unit`, drawn from the dice; "" when there is none.
  std::string RandomVillageBelow(const std::string& unit);
  // A new child's fields (every required one and a few others), drawn from the dice.
  std::vector<Value> NewChild(int number, const Clock& clock);
  std::vector<Value> NewReport(const std::string& child, const Clock& clock);

  const SimConfig& config_;
  EventLoop& loop_;
  Dice& dice_;
  Nodes& nodes_;
  Ledger& ledger_;
  bool writing_ = true;
  uint64_t report_counter_ = 0;
  uint64_t contact_counter_ = 0, activity_counter_ = 0;
  uint64_t ops_written_ = 0, urgent_written_ = 0, preloaded_ops_ = 0;
  std::map<std::string, uint64_t> records_written_;
  uint64_t records_skipped_ = 0;
};

}  // namespace fulei::node::sim

#endif  // FULEI_NODE_SIM_WORKLOAD_H_
