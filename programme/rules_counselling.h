// Counselling (心理健康工程): the plan asks that the parents or guardian be told of a child's
// counselling in good time (及时向家长或监护人报告情况). This lists the sessions whose guardian has
// not been told, per village, rolled up per town and city (rollup.h).
//
// Reading (docs/programme.md, "Counselling: guardian informed"): a session's guardian is told
// when its `guardian_informed_on` (告知监护人日期) is recorded; a guardian named in
// `guardian_informed` without that date does not count. A session not told more than
// kGuardianInformDays days after its date makes its village a shortfall (this project's reading of
// 及时: the plan sets no number); a village whose untold sessions are all more recent is pending;
// one with none has met it. Sessions of a town's or the city's office scope are listed apart and
// counted in the roll-up's `unit_records`. Only ids, dates and the guardian fields are read: the
// session's notes and assessment (restricted) are never part of the list.
// Pure functions; thread-safe.
#ifndef FULEI_PROGRAMME_RULES_COUNSELLING_H_
#define FULEI_PROGRAMME_RULES_COUNSELLING_H_

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crdt/status.h"
#include "programme/date.h"
#include "programme/fields.h"
#include "programme/rollup.h"

namespace fulei::programme {

inline constexpr int64_t kGuardianInformDays = 7;

struct CounsellingSession {
  std::string scope;
  std::string id;
  std::string child;
  std::string counsellor;
  Date date;
  std::optional<Date> guardian_informed_on;
  std::string guardian_informed;  // the guardian's id, or empty
};

// kInvalidArgument naming the field when child, counsellor or date is missing, or a date is
// malformed.
Result<CounsellingSession> ReadCounselling(std::string_view scope, std::string_view id,
                                           const Fields& f);

struct UninformedSession {
  CounsellingSession session;
  int64_t days_since = 0;  // today - the session's date
  bool overdue = false;    // days_since > the limit
};

struct GuardianInformCheck {
  std::vector<UninformedSession> sessions;       // of the villages, by village order then date
  std::vector<UninformedSession> unit_sessions;  // of listed towns' and the city's office scopes
  DutyRollUp rollup;  // VillageDuty::count: sessions whose guardian has not been told
};

GuardianInformCheck GuardianNotInformed(std::span<const std::string> villages,
                                        std::span<const CounsellingSession> sessions,
                                        const Date& today,
                                        int64_t limit_days = kGuardianInformDays);

}  // namespace fulei::programme

#endif  // FULEI_PROGRAMME_RULES_COUNSELLING_H_
