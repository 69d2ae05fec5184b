#include "programme/transfer.h"

#include <algorithm>

#include "programme/schema.h"
#include "programme/validate.h"

namespace fulei::programme {
namespace {

bool Skip(std::string_view field, bool is_child) {
  if (!field.empty() && field[0] == '$') return true;
  return is_child && (field == "moved_to" || field == "moved_from" || field == "programme_status");
}

// Changes that recreate the live values of `state` in a fresh record at `key`. An op appends at
// most one entry per log field, so the i-th uncovered entry of every log goes into the i-th op:
// the copy keeps each log's order. `extra` joins the first op.
void AppendCopy(const crdt::RecordKey& key, const crdt::RecordState& state, bool is_child,
                std::vector<crdt::FieldWrite> extra, std::vector<PlannedChange>& out) {
  std::vector<std::vector<crdt::FieldWrite>> ops(1);
  for (const auto& [name, field] : state.fields()) {
    if (Skip(name, is_child)) continue;
    if (const crdt::Entry* w = field.Winner()) {
      ops[0].push_back(crdt::FieldWrite{name, crdt::WriteKind::kSet, w->value, {}});
    }
    for (std::string& e : field.Elements()) ops[0].push_back(crdt::AddWrite(name, std::move(e)));
    size_t i = 0;
    for (const crdt::Entry* e : field.LogEntries()) {
      if (field.Covered(*e)) continue;
      if (ops.size() <= i) ops.emplace_back();
      ops[i++].push_back(crdt::AppendWrite(name, e->value));
    }
  }
  for (crdt::FieldWrite& w : extra) ops[0].push_back(std::move(w));
  for (auto& writes : ops) out.push_back(PlannedChange{key, std::move(writes)});
}

Status CheckSettled(const RecordRef& r) {
  if (r.state == nullptr) return InvalidArgument("transfer: " + r.key.ToString() + " has no state");
  if (!r.state->Conflicts().empty()) {
    return FailedPrecondition("transfer: " + r.key.ToString() + " has a conflict in field " +
                              r.state->Conflicts().front() + "; resolve it first");
  }
  if (r.state->delete_conflict()) {
    return FailedPrecondition("transfer: " + r.key.ToString() +
                              " has a delete conflict; resolve it first");
  }
  if (r.state->deleted()) return InvalidArgument("transfer: " + r.key.ToString() + " is deleted");
  return Status::Ok();
}

}  // namespace

Result<std::vector<PlannedChange>> PlanTransfer(const TransferRequest& req) {
  const crdt::RecordKey& old_key = req.child.key;
  if (old_key.type != kChild) return InvalidArgument("transfer: record type is not child");
  const FieldSpec* unit_spec = FindRecordType(kTransfer)->Find("to_scope");
  Status s = ValidateValue(*unit_spec, req.to_scope, req.date);
  if (!s.ok()) return InvalidArgument("transfer.to_scope: " + s.message());
  if (req.to_scope == old_key.scope) return InvalidArgument("transfer.to_scope: is the same unit");
  s = ValidateValue(*FindRecordType(kTransfer)->Find("child"), req.transfer_id, req.date);
  if (!s.ok()) return InvalidArgument("transfer.id: " + s.message());
  FULEI_RETURN_IF_ERROR(CheckSettled(req.child));
  if (req.child.state->Get("moved_to")) {
    return InvalidArgument("transfer: " + old_key.ToString() + " was already transferred");
  }
  for (const RecordRef& h : req.history) {
    FULEI_RETURN_IF_ERROR(CheckSettled(h));
    if (h.key.scope != old_key.scope || h.key.type == kChild) {
      return InvalidArgument("transfer: history record " + h.key.ToString() +
                             " is not a record of the child's unit");
    }
  }

  std::vector<PlannedChange> out;
  // 1. The child in its new unit.
  std::vector<crdt::FieldWrite> moved_from;
  moved_from.push_back(crdt::FieldWrite{"moved_from", crdt::WriteKind::kSet, old_key.scope, {}});
  AppendCopy(crdt::RecordKey{req.to_scope, old_key.type, old_key.id}, *req.child.state, true,
             std::move(moved_from), out);
  // 2. Its history.
  for (const RecordRef& h : req.history) {
    AppendCopy(crdt::RecordKey{req.to_scope, h.key.type, h.key.id}, *h.state, false, {}, out);
  }
  // 3. The transfer record.
  PlannedChange t{crdt::RecordKey{req.to_scope, std::string(kTransfer), req.transfer_id}, {}};
  auto set = [](std::string f, std::string v) {
    return crdt::FieldWrite{std::move(f), crdt::WriteKind::kSet, std::move(v), {}};
  };
  t.writes.push_back(set("child", old_key.id));
  t.writes.push_back(set("from_scope", old_key.scope));
  t.writes.push_back(set("to_scope", req.to_scope));
  t.writes.push_back(set("date", req.date.ToString()));
  if (!req.reason.empty()) t.writes.push_back(set("reason", req.reason));
  out.push_back(std::move(t));
  // 4. The redirect left in the old unit.
  PlannedChange redirect{old_key, {}};
  for (crdt::FieldWrite& w : crdt::DeleteWrites(*req.child.state)) {
    if (w.field == crdt::kDeletedField || w.field == "moved_to" || w.field == "programme_status") {
      continue;
    }
    redirect.writes.push_back(std::move(w));
  }
  redirect.writes.push_back(crdt::SetWrite(*req.child.state, "moved_to", req.to_scope));
  redirect.writes.push_back(crdt::SetWrite(*req.child.state, "programme_status", "transferred"));
  out.push_back(std::move(redirect));
  // 5. The old history records are deleted.
  for (const RecordRef& h : req.history) {
    out.push_back(PlannedChange{h.key, crdt::DeleteWrites(*h.state)});
  }
  return out;
}

}  // namespace fulei::programme
