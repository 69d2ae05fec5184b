#include "programme/escalation.h"

#include <algorithm>
#include <functional>
#include <string>
#include <tuple>

#include "programme/fields.h"
#include "programme/schema.h"

namespace fulei::programme {
namespace {

bool Open(const UrgentCase& c) { return !c.acknowledged_at && !c.closed && !c.escalated_at; }

crdt::FieldWrite Set(std::string field, std::string value) {
  return crdt::FieldWrite{std::move(field), crdt::WriteKind::kSet, std::move(value), {}};
}

}  // namespace

std::vector<store::LocalChange> EscalationChanges(std::span<const UrgentCase> cases,
                                                  std::string_view escalated_to, int64_t now) {
  std::vector<store::LocalChange> out;
  for (const UrgentCase& c : cases) {
    if (!Open(c) || now < c.deadline()) continue;
    out.push_back(store::LocalChange{
        crdt::RecordKey{c.scope, c.type, c.id},
        {Set("escalated_at", FormatTime(now)), Set("overdue_since", FormatTime(c.deadline())),
         Set("escalated_to", std::string(escalated_to))},
        std::string(kEscalationAuthor),
        crdt::kOpFlagUrgent});
  }
  return out;
}

Result<EscalationScan> ScanEscalations(store::Store& store, std::string_view subtree, int64_t now_s,
                                       const UrgentDeadlines& deadlines) {
  if (subtree.empty()) {
    return InvalidArgument("escalation: name the subtree that flags cases (e.g. the city)");
  }
  EscalationScan scan;
  std::vector<UrgentCase> cases;
  for (std::string_view type : {kReport, kHelpRequest}) {
    FULEI_RETURN_IF_ERROR(store.ForEach(
        type, subtree, [&](const crdt::RecordKey& key, const crdt::RecordState& state) {
          std::optional<Fields> f = ReadFields(state);
          if (!f) return true;  // deleted
          ++scan.cases;
          auto c = ReadUrgentCase(key.scope, key.type, key.id, *f, deadlines);
          if (!c.ok()) {
            ++scan.unreadable;
            return true;
          }
          if (Open(*c) && now_s < c->deadline() &&
              (!scan.next_due || c->deadline() < *scan.next_due)) {
            scan.next_due = c->deadline();
          }
          cases.push_back(std::move(*c));
          return true;
        }));
  }
  // Most overdue first.
  std::sort(cases.begin(), cases.end(), [](const UrgentCase& a, const UrgentCase& b) {
    return std::make_tuple(a.deadline(), std::cref(a.scope), std::cref(a.type), std::cref(a.id)) <
           std::make_tuple(b.deadline(), std::cref(b.scope), std::cref(b.type), std::cref(b.id));
  });
  scan.changes = EscalationChanges(cases, subtree, now_s);
  return scan;
}

Result<std::vector<store::LocalChange>> EscalationsDue(store::Store& store,
                                                       std::string_view subtree, int64_t now_s,
                                                       const UrgentDeadlines& deadlines) {
  FULEI_ASSIGN_OR_RETURN(EscalationScan scan, ScanEscalations(store, subtree, now_s, deadlines));
  return std::move(scan.changes);
}

}  // namespace fulei::programme
