#include "programme/rules_holiday_care.h"

#include "crdt/org_unit.h"

namespace fulei::programme {

std::vector<UnitCampReport> CheckHolidayCare(std::span<const std::string> units,
                                             std::span<const Activity> activities, int year,
                                             const Date& today) {
  std::vector<UnitCampReport> out;
  for (const std::string& unit : units) {
    UnitCampReport r;
    r.unit = unit;
    r.year = year;
    for (const Activity& a : activities) {
      if (!a.IsCamp() || a.start.year != year || !crdt::IsAtOrBelow(a.scope, unit)) continue;
      ++r.camps;
      r.camp_days += a.Days();
      if (a.Days() >= kMinCampDays) {
        ++r.qualifying;
      } else {
        r.short_camps.push_back(ShortCamp{a.scope, a.id, a.Days()});
      }
    }
    if (r.qualifying > 0) {
      r.status = CampYearStatus::kMet;
    } else {
      r.status = year < today.year ? CampYearStatus::kShortfall : CampYearStatus::kPending;
    }
    r.more_than_two = r.qualifying > 2;
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace fulei::programme
