// The writes people make on an urgent case (report, help_request) after it is filed: a person's
// acknowledgement at the town (the receipt that stops escalation, escalation.h) and the
// emergency-handling and guardianship-intervention steps as they happen.
//
// Each function checks who may do it (redact.h roles bound to units) and the entry against the
// schema, and returns one store::LocalChange for the node to write with Store::WriteLocal; it
// stores nothing itself. Every change appends to a log field (append-only, so two people
// acting at once on two nodes are both kept, never a conflict), is flagged crdt::kOpFlagUrgent
// (urgent class, outbox), and carries the user id as the op's author.
//
// Entry formats (docs/programme.md):
//   acks                 "YYYY-MM-DDTHH:MM:SSZ<TAB>user id<TAB>unit path"
//   emergency_steps,
//   guardianship_steps   "YYYY-MM-DDTHH:MM:SSZ<TAB>who<TAB>action code<TAB>note"
//
// Errors: kInvalidArgument (not a case record, bad user id, bad entry — bilingual message),
// kNotFound (the record is deleted or was never written), kPermissionDenied (role or unit),
// kAlreadyExists (this user already acknowledged it), kFailedPrecondition (the case is
// closed). `now_s` is a parameter: nothing here reads the clock. Pure; thread-safe.
#ifndef FULEI_PROGRAMME_URGENT_ACTIONS_H_
#define FULEI_PROGRAMME_URGENT_ACTIONS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "crdt/record.h"
#include "crdt/status.h"
#include "programme/redact.h"
#include "store/store.h"

namespace fulei::programme {

// A person's acknowledgement (接收确认) of a report or help request: appends
// "now<TAB>user_id<TAB>by.unit" to `acks`. Allowed to the town supervisor and the town office of
// the case's town (any unit above the case) and to the city bureau. Another person's earlier
// acknowledgement does not stop a second one (both are kept; the earliest counts).
Result<store::LocalChange> AcknowledgeCase(const crdt::RecordKey& key,
                                           const crdt::RecordState& state, const Viewer& by,
                                           std::string_view user_id, int64_t now_s);

struct CaseStep {
  std::string log;     // "emergency_steps" (应急处置) or "guardianship_steps" (监护干预)
  int64_t at = 0;      // when it was done (may be before it is recorded; not after now + 10 min)
  std::string who;     // who did it (name and unit, or user id): 1..64 bytes of text
  std::string action;  // a code of the log's action list (e.g. temporary_guardianship 临时监护)
  std::string note;    // free text, at most 2000 bytes, may be empty
};

// A handling step appended to the case's step log. Allowed to the case handlers of redact.h
// (the director of the case's unit, the supervisor and office of its town, the city bureau).
// Steps may still be recorded on a closed case (late records of what was done).
Result<store::LocalChange> AppendCaseStep(const crdt::RecordKey& key,
                                          const crdt::RecordState& state, const CaseStep& step,
                                          const Viewer& by, std::string_view user_id,
                                          int64_t now_s);

}  // namespace fulei::programme

#endif  // FULEI_PROGRAMME_URGENT_ACTIONS_H_
