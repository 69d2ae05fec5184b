#include "programme/rules_counselling.h"

#include <algorithm>
#include <tuple>
#include <utility>

namespace fulei::programme {
namespace {

Result<std::string_view> Need(const Fields& f, std::string_view name) {
  auto v = One(f, name);
  if (!v) return InvalidArgument("counselling." + std::string(name) + ": is required");
  return *v;
}

Result<Date> DateOf(std::string_view text, std::string_view name) {
  auto d = ParseDate(text);
  if (!d.ok())
    return InvalidArgument("counselling." + std::string(name) + ": " + d.status().message());
  return *d;
}

}  // namespace

Result<CounsellingSession> ReadCounselling(std::string_view scope, std::string_view id,
                                           const Fields& f) {
  CounsellingSession s;
  s.scope = scope;
  s.id = id;
  FULEI_ASSIGN_OR_RETURN(std::string_view child, Need(f, "child"));
  FULEI_ASSIGN_OR_RETURN(std::string_view counsellor, Need(f, "counsellor"));
  FULEI_ASSIGN_OR_RETURN(std::string_view date, Need(f, "date"));
  s.child = child;
  s.counsellor = counsellor;
  FULEI_ASSIGN_OR_RETURN(s.date, DateOf(date, "date"));
  if (auto on = One(f, "guardian_informed_on")) {
    FULEI_ASSIGN_OR_RETURN(Date d, DateOf(*on, "guardian_informed_on"));
    s.guardian_informed_on = d;
  }
  s.guardian_informed = OneOr(f, "guardian_informed");
  return s;
}

GuardianInformCheck GuardianNotInformed(std::span<const std::string> villages,
                                        std::span<const CounsellingSession> sessions,
                                        const Date& today, int64_t limit_days) {
  GuardianInformCheck out;
  std::vector<VillageDuty> duties(villages.size());
  for (size_t i = 0; i < villages.size(); ++i) {
    duties[i].village = villages[i];
    duties[i].status = DutyStatus::kMet;
  }
  const VillageIndex index(villages);
  std::vector<std::pair<int, UninformedSession>> listed;
  std::vector<UninformedSession> unit;
  listed.reserve(sessions.size());
  for (const CounsellingSession& s : sessions) {
    if (s.guardian_informed_on) continue;
    UninformedSession u{s, DaysBetween(s.date, today), false};
    u.overdue = u.days_since > limit_days;
    const int v = index.Find(s.scope);
    if (v < 0) {
      unit.push_back(std::move(u));
      continue;
    }
    VillageDuty& d = duties[static_cast<size_t>(v)];
    ++d.count;
    if (u.overdue) {
      d.status = DutyStatus::kShortfall;
    } else if (d.status == DutyStatus::kMet) {
      d.status = DutyStatus::kPending;
    }
    listed.emplace_back(v, std::move(u));
  }
  // Sort positions, not the sessions (no large temporary buffer of sessions).
  std::vector<size_t> order(listed.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t x, size_t y) {
    const auto& a = listed[x];
    const auto& b = listed[y];
    return std::tie(a.first, a.second.session.date, a.second.session.id, x) <
           std::tie(b.first, b.second.session.date, b.second.session.id, y);
  });
  out.sessions.reserve(listed.size());
  for (size_t i : order) out.sessions.push_back(std::move(listed[i].second));
  out.rollup = RollUpVillages(std::move(duties));
  for (UninformedSession& u : unit) {
    if (AddUnitRecord(out.rollup, u.session.scope)) out.unit_sessions.push_back(std::move(u));
  }
  return out;
}

}  // namespace fulei::programme
