// Transfer: a child moves to another village or town. The child's record and its history
// (pairings, contacts, counselling, ... — the records of the old unit that belong to the child)
// are re-homed into the new unit's scope under the same ids, and the old unit keeps a redirect.
//
// PlanTransfer returns the changes to write, in order, one op each (the node writes them in one
// batch with Store::WriteLocal, so they commit together). An op appends at most one entry to a
// log field, so a record whose log holds n entries is copied in n ops, in the log's order:
//   1. (to_scope, child, id): every live value of the old child record copied (register winners,
//      set elements, uncovered log entries in order), plus moved_from = the old scope; moved_to
//      and programme_status "transferred" are not copied.
//   2. (to_scope, type, id) for each history record: its live values copied.
//   3. (to_scope, transfer, transfer_id): child, from_scope, to_scope, date, reason.
//   4. The old child record becomes the redirect: every value removed except moved_to =
//      to_scope and programme_status = "transferred". The old unit keeps no personal data.
//   5. Each old history record is deleted (its signed op headers stay in the log).
// The copies are new writes by the person making the transfer: the old ops (with their authors)
// remain in the old scope's log for audit. Refused (kFailedPrecondition) while the child record
// or a history record has an unresolved conflict or a delete conflict: a person settles it first,
// because a copy would silently pick one value. kInvalidArgument for a bad target scope, a
// non-child record, a history record outside the old scope, or a record already transferred.
// Pure function; thread-safe. The states must outlive the call only.
#ifndef FULEI_PROGRAMME_TRANSFER_H_
#define FULEI_PROGRAMME_TRANSFER_H_

#include <span>
#include <string>
#include <vector>

#include "crdt/op.h"
#include "crdt/record.h"
#include "crdt/status.h"
#include "programme/date.h"

namespace fulei::programme {

struct PlannedChange {
  crdt::RecordKey key;
  std::vector<crdt::FieldWrite> writes;
};

struct RecordRef {
  crdt::RecordKey key;
  const crdt::RecordState* state = nullptr;  // not owned
};

struct TransferRequest {
  RecordRef child;
  std::vector<RecordRef> history;
  std::string to_scope;
  std::string transfer_id;  // id of the transfer record (a ref: 1..64 of [A-Za-z0-9._:-])
  Date date;
  std::string reason;  // may be empty
};

Result<std::vector<PlannedChange>> PlanTransfer(const TransferRequest& request);

}  // namespace fulei::programme

#endif  // FULEI_PROGRAMME_TRANSFER_H_
