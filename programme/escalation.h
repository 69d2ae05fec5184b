// Escalation of urgent cases (强制报告 reports, 求助 help requests) that no person at the town
// acknowledged within their deadline: the writes the city node makes to flag them.
//
// A case is flagged when, at `now`, it is neither acknowledged (urgent_actions.h
// AcknowledgeCase, or the acknowledged_at register) nor closed, not yet flagged, and its deadline
// (records.h UrgentDeadlines: 30 minutes for a report, 10 for a help request, a case's own
// ack_deadline_minutes may shorten it) is at or before `now`. The flag is three register writes
// on the case record itself, in the case's own scope, so it syncs down to the village like any
// edit of a town or city person:
//   escalated_at   (逾期上报时间)  `now`
//   overdue_since  (逾期起始时间)  the deadline
//   escalated_to   (上报单位)      the subtree that flagged it (the city, "jinjiang")
// One op per case, author kEscalationAuthor, flagged crdt::kOpFlagUrgent so it travels in the
// urgent class and is persisted in the outbox. Written once: a flagged case (escalated_at
// present) yields nothing again, and neither does one acknowledged or closed later; the flag
// stays as history when an acknowledgement arrives after it.
//
// Reading: the node calls EscalationsDue from a timer and writes the result with
// Store::WriteLocal (LocalOptions::outbox_peers as for other urgent writes); ScanEscalations
// also says when the next case comes due, for the timer. Both read through Store::ForEach (one
// read transaction per record type) and never write. A case record that does not decode
// (malformed reported_at, e.g. from a faulty peer) cannot be timed: it is counted in
// `unreadable` and skipped. Protocol core: `now` is a parameter, the wall clock is never read.
// Same threading as the Store (the node's event loop thread).
#ifndef FULEI_PROGRAMME_ESCALATION_H_
#define FULEI_PROGRAMME_ESCALATION_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "crdt/status.h"
#include "programme/records.h"
#include "store/store.h"

namespace fulei::programme {

// The author of escalation writes (a system actor, not a person).
inline constexpr std::string_view kEscalationAuthor = "system:escalation";

// Pure: the flag writes for the cases due at `now` (see above), in the order of `cases`.
std::vector<store::LocalChange> EscalationChanges(std::span<const UrgentCase> cases,
                                                  std::string_view escalated_to, int64_t now);

struct EscalationScan {
  std::vector<store::LocalChange> changes;  // to write now; earliest deadline first
  std::optional<int64_t> next_due;          // earliest later deadline of an open, unflagged case
  size_t cases = 0;                         // reports and help requests read
  size_t unreadable = 0;                    // skipped: could not be decoded
};

// Reads every report and help request of `subtree` (its scope and below) and plans the writes.
// Errors: kInvalidArgument for an empty subtree; those of Store::ForEach (kCorruption,
// kIoError).
Result<EscalationScan> ScanEscalations(store::Store& store, std::string_view subtree, int64_t now_s,
                                       const UrgentDeadlines& deadlines);

// ScanEscalations(...).changes.
Result<std::vector<store::LocalChange>> EscalationsDue(store::Store& store,
                                                       std::string_view subtree, int64_t now_s,
                                                       const UrgentDeadlines& deadlines);

}  // namespace fulei::programme

#endif  // FULEI_PROGRAMME_ESCALATION_H_
