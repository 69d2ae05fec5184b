// Workload: what the people of the simulated city write — the programme's own records
// (programme/schema.h), each written for a person through NodeCore::WriteAs, as the admin web
// and the CLI write: the record validated with the programme's rules at the writing node's date
// and time, the writer's role and unit checked (programme/write_policy.h), and the record put in
// the scope programme::RecordScope gives its type.
//
// Who writes what:
//   - a village's director (儿童主任): its children, helpers, pairings, contacts (a 亲情视频 call
//     sometimes with the child's absent parent as counterpart), activities, urgent reports,
//     assistance given under a pairing (the closed list of kinds, an amount or none, the contact
//     card's number and plan), referrals of its reports (police, procuratorate, court, youth
//     league...) followed up and closed, legal consultations followed up and closed;
//   - the caring parent (爱心家长) of a pairing in force: contacts of their own pairing;
//   - a town's supervisor (儿童督导员): its helpers and activities, the facilities (its villages'
//     儿童之家 in the village's scope, its own 关爱服务室), the posts of its villages' directors
//     and its own supervisor with the trainings they took, workforce trainings;
//   - a town's office: edits of a village's child, inspections of its villages with their
//     corrections (one call), corrections completed, ring-fenced funds for its villages (office
//     scope), legal consultations of its office;
//   - the city bureau: the same at the city (the regional welfare home, inspections of towns and
//     villages, allocations to towns).
// Before the run, each village's existing children (the preload: each child written by several
// ops, by the director); during the fault phase, random edits at every node; and the reports the
// scenarios file at set times. Every write goes into the ledger.
//
// A write the core refuses is a bug of the workload (or of the write policy): the run fails,
// naming the node, the writer, the record and the refusal. The one write not attempted is an
// edit of a record that already fails validation at the writing node's clock (a date written
// while some node's clock ran ahead, now in this node's future): a person could not save it
// either; it is skipped and counted. Dates a person types (birth, contact, consent) are the
// simulated true date, never later than the writing node's own; the same seed writes the same
// records. Not thread-safe.
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
#include "programme/redact.h"

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
  // Record writes by the writer's role code (programme/redact.h RoleCode).
  const std::map<std::string, uint64_t>& records_by_role() const { return records_by_role_; }

 private:
  // One register value, set element or log entry to write.
  struct Value {
    std::string field, value;
    bool add = false;     // a set element (kAdd)
    bool append = false;  // a log entry (kAppend); else a register (kSet)
  };
  struct Change {
    crdt::RecordKey key;
    std::vector<Value> values;
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
  // A person at node i: the village's director; at a town `town_role` (supervisor or office);
  // at the city the bureau. One of three user ids, drawn from the dice.
  programme::Viewer Person(int i, programme::Role town_role);

  void ScheduleEdit(int i);
  void Edit(int i);
  void EditAtVillage(int i, const Clock& clock);
  void EditAbove(int i, const Clock& clock);
  // A town's or the city's own registries: a helper, or an activity it held.
  void EditRegistries(int i, const Clock& clock);
  // A referral of one of the village's reports, or a follow-up of an open one.
  void EditReferral(int i, const Clock& clock, const std::string& child);
  // A legal consultation of the unit (a village's scope, a town's or the city's office), or a
  // follow-up of an open one.
  void EditConsultation(int i, const Clock& clock, const std::string& child);
  void EditFacility(int i, const Clock& clock);
  void EditPost(int i, const Clock& clock);
  void EditInspection(int i, const Clock& clock);
  void EditFund(int i, const Clock& clock);
  // The record's values at node i (nullopt: absent or deleted); false when the store fails
  // (the run fails).
  bool Current(int i, const crdt::RecordKey& key, std::optional<programme::Fields>& out,
               crdt::RecordState* state = nullptr);
  // Writes `values` to `key` for `writer` through node i's core (WriteAs); false when nothing
  // was written (the run failed, or the edit was skipped: see the header comment).
  bool Put(int i, const crdt::RecordKey& key, const std::vector<Value>& values, const Clock& clock,
           const programme::Viewer& writer, bool report);
  // Several records in one call (one transaction): all written, or none.
  bool PutAll(int i, const std::vector<Change>& changes, const Clock& clock,
              const programme::Viewer& writer, bool report);
  // Writes through node i's core for `writer`; false (and the run fails) on a refusal or error.
  bool Write(int i, const std::vector<store::LocalChange>& changes, const programme::Viewer& writer,
             bool report);
  // A village at or below `unit`, drawn from the dice; "" when there is none.
  std::string RandomVillageBelow(const std::string& unit);
  // A town below the city, drawn from the dice; "" when there is none.
  std::string RandomTown();
  // A new child's fields (every required one and a few others), drawn from the dice.
  std::vector<Value> NewChild(int number, const Clock& clock);
  std::vector<Value> NewReport(const std::string& child, const Clock& clock);
  // A random element of `keys` (nullptr when empty).
  const crdt::RecordKey* PickKey(const std::vector<crdt::RecordKey>& keys);

  const SimConfig& config_;
  EventLoop& loop_;
  Dice& dice_;
  Nodes& nodes_;
  Ledger& ledger_;
  bool writing_ = true;
  uint64_t report_counter_ = 0;
  uint64_t contact_counter_ = 0, activity_counter_ = 0;
  uint64_t referral_counter_ = 0, consultation_counter_ = 0, inspection_counter_ = 0;
  uint64_t fund_counter_ = 0, training_counter_ = 0;
  // Per node: the reports it filed, the trainings it held, and its referrals, consultations and
  // corrections still open (to follow up and close).
  std::map<int, std::vector<std::string>> reports_;
  std::map<int, std::vector<std::string>> trainings_;
  std::map<int, std::vector<crdt::RecordKey>> open_referrals_, open_consultations_,
      open_corrections_;
  uint64_t ops_written_ = 0, urgent_written_ = 0, preloaded_ops_ = 0;
  std::map<std::string, uint64_t> records_written_;
  std::map<std::string, uint64_t> records_by_role_;
  uint64_t records_skipped_ = 0;
};

}  // namespace fulei::node::sim

#endif  // FULEI_NODE_SIM_WORKLOAD_H_
