#include "node/sim/workload.h"

#include <map>
#include <span>
#include <utility>
#include <vector>

#include "crdt/org_unit.h"
#include "crdt/record.h"

namespace fulei::node::sim {

Status Workload::Preload(int i) {
  static const char* kFields[] = {"name", "school", "grade", "guardian", "address"};
  const NodeInfo& n = nodes_.info()[static_cast<size_t>(i)];
  NodeCore& core = *nodes_.core(i);
  std::map<std::pair<int, int>, crdt::OpId> last;  // (child, field) -> op that wrote it
  for (int round = 0; round < config_.preload_ops_per_child; ++round) {
    const int field = round % 5;
    std::vector<store::LocalChange> changes;
    for (int c = 0; c < config_.preload_children; ++c) {
      store::LocalChange change;
      change.key = {n.unit, "child", "c" + std::to_string(c)};
      change.author = "director";
      crdt::FieldWrite w{kFields[field],
                         crdt::WriteKind::kSet,
                         "value " + std::to_string(round) + " of child " + std::to_string(c),
                         {}};
      auto it = last.find({c, field});
      if (it != last.end()) w.supersedes.push_back(it->second);
      change.writes.push_back(std::move(w));
      changes.push_back(std::move(change));
    }
    FULEI_ASSIGN_OR_RETURN(std::vector<crdt::Op> ops, core.Write(changes, {}, nodes_.Wall(i)));
    for (size_t c = 0; c < ops.size(); ++c) last[{static_cast<int>(c), field}] = ops[c].id();
    ledger_.Wrote(i, ops, /*report=*/false, loop_.now());
    preloaded_ops_ += ops.size();
  }
  nodes_.Drive(i);
  return Status::Ok();
}

void Workload::Start() {
  if (!config_.workload) return;
  for (const NodeInfo& n : nodes_.info()) ScheduleEdit(n.index);
}

void Workload::ScheduleEdit(int i) {
  loop_.At(
      loop_.now() + dice_.Exp(config_.mean_write_interval_ms),
      [this, i] {
        if (!writing_) return;
        if (nodes_.core(i) != nullptr) Edit(i);
        ScheduleEdit(i);
      },
      /*background=*/true);  // a recurring process: it never makes the network busy by itself
}

void Workload::Edit(int i) {
  const NodeInfo& n = nodes_.info()[static_cast<size_t>(i)];
  NodeCore& core = *nodes_.core(i);
  store::LocalChange change;
  change.author = "u" + std::to_string(dice_.Uniform(1, 3));
  const std::string value = "v" + std::to_string(dice_.Uniform(0, 1'000'000));
  bool report = false;
  if (n.role == crypto::Role::kVillage && dice_.Chance(config_.urgent_fraction)) {
    report = true;
    change.key = {n.unit, "report", "r" + std::to_string(++report_counter_)};
    change.flags = crdt::kOpFlagUrgent;
    change.writes.push_back(crdt::FieldWrite{"category", crdt::WriteKind::kSet, "neglect", {}});
    change.writes.push_back(crdt::FieldWrite{"filed_by", crdt::WriteKind::kSet, value, {}});
  } else if (n.role == crypto::Role::kVillage || dice_.Chance(0.5)) {
    // A child record in this node's subtree (a town or the city edits a village's record).
    std::string scope = n.unit;
    if (n.role != crypto::Role::kVillage) scope = RandomVillageBelow(n.unit);
    change.key = {scope, "child",
                  "c" + std::to_string(dice_.Uniform(
                            0, static_cast<uint64_t>(config_.children_per_village - 1)))};
    auto current = core.store().Get(change.key);
    if (!current.ok()) return loop_.Fail(current.status());
    const crdt::RecordState state = current->value_or(crdt::RecordState());
    switch (dice_.Uniform(0, 3)) {
      case 0:
        change.writes.push_back(crdt::AppendWrite("contacts", "talk " + value));
        break;
      case 1:
        change.writes.push_back(crdt::AddWrite("tags", "t" + std::to_string(dice_.Uniform(0, 3))));
        break;
      default:
        change.writes.push_back(
            crdt::SetWrite(state, n.role == crypto::Role::kVillage ? "school" : "note", value));
        break;
    }
  } else {
    const char* type = n.role == crypto::Role::kCity ? "org" : "helper";
    change.key = {n.unit, type, "h" + std::to_string(dice_.Uniform(0, 5))};
    auto current = core.store().Get(change.key);
    if (!current.ok()) return loop_.Fail(current.status());
    change.writes.push_back(crdt::SetWrite(current->value_or(crdt::RecordState()), "name", value));
  }
  Write(i, change, report);
}

void Workload::FileReport(int i) {
  if (nodes_.core(i) == nullptr) return;
  const NodeInfo& n = nodes_.info()[static_cast<size_t>(i)];
  store::LocalChange change;
  change.author = "director";
  change.key = {n.unit, "report", "r" + std::to_string(++report_counter_)};
  change.flags = crdt::kOpFlagUrgent;
  change.writes.push_back(crdt::FieldWrite{"category", crdt::WriteKind::kSet, "abuse", {}});
  Write(i, change, /*report=*/true);
}

bool Workload::Write(int i, const store::LocalChange& change, bool report) {
  NodeCore& core = *nodes_.core(i);
  std::vector<std::string> outboxes;
  if (report) outboxes.push_back(kUpstreamOutbox);
  auto ops = core.Write({change}, outboxes, nodes_.Wall(i));
  if (!ops.ok()) {
    const NodeInfo& n = nodes_.info()[static_cast<size_t>(i)];
    loop_.Fail(Status(ops.status().code(), n.unit + " (wall " + std::to_string(nodes_.Wall(i)) +
                                               "): " + ops.status().message()));
    return false;
  }
  ledger_.Wrote(i, *ops, report, loop_.now());
  ops_written_ += ops->size();
  if (report) urgent_written_ += ops->size();
  nodes_.Drive(i);
  return true;
}

std::string Workload::RandomVillageBelow(const std::string& unit) {
  std::vector<const NodeInfo*> villages;
  for (const NodeInfo& n : nodes_.info()) {
    if (n.role == crypto::Role::kVillage && crdt::IsAtOrBelow(n.unit, unit)) {
      villages.push_back(&n);
    }
  }
  return villages[dice_.Uniform(0, villages.size() - 1)]->unit;
}

}  // namespace fulei::node::sim
