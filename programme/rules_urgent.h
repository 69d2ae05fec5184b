// Urgent cases (强制报告 mandatory reports and 求助 help requests): which are past their
// acknowledgement deadline and must escalate, and the median time to acknowledgement.
//
// A case is overdue at `now` (UTC seconds) when it is neither acknowledged nor closed and its
// deadline, reported_at + deadline_minutes (UrgentDeadlines, records.h: 30 minutes for a report,
// 10 for a help request), is at or before `now` — when the deadline comes, the time to
// acknowledge is up; minutes_overdue counts from the deadline. Acknowledged and closed cases are
// never overdue. This is the list behind the dashboard's overdue count (aggregate.h) and the
// city's escalation flags (escalation.h), for a town supervisor or the city to act on.
// Pure functions; thread-safe.
#ifndef FULEI_PROGRAMME_RULES_URGENT_H_
#define FULEI_PROGRAMME_RULES_URGENT_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "programme/records.h"

namespace fulei::programme {

struct UrgentOverdue {
  std::string scope;
  std::string type;  // "report" or "help_request"
  std::string id;
  int64_t deadline = 0;  // unix seconds
  int64_t minutes_overdue = 0;
};

// Overdue cases, most overdue first (then scope, type, id).
std::vector<UrgentOverdue> OverdueUrgentCases(std::span<const UrgentCase> cases, int64_t now);

// Median minutes from report to acknowledgement over acknowledged cases (lower median, whole
// minutes, as the dashboard counts them); nullopt when none was acknowledged.
std::optional<int64_t> MedianAckMinutes(std::span<const UrgentCase> cases);

}  // namespace fulei::programme

#endif  // FULEI_PROGRAMME_RULES_URGENT_H_
