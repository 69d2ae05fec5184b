#include "programme/rules_holiday_care.h"

namespace fulei::programme {

HolidayCareCheck CheckHolidayCare(std::span<const std::string> villages,
                                  std::span<const Activity> activities, int year,
                                  const Date& today) {
  HolidayCareCheck out;
  out.villages.resize(villages.size());
  for (size_t i = 0; i < villages.size(); ++i) {
    out.villages[i].unit = villages[i];
    out.villages[i].year = year;
  }
  const VillageIndex index(villages);
  std::vector<const Activity*> unit_camps;
  for (const Activity& a : activities) {
    if (!a.IsCamp() || a.start.year != year) continue;
    const int v = index.Find(a.scope);
    if (v < 0) {
      unit_camps.push_back(&a);
      continue;
    }
    UnitCampReport& r = out.villages[static_cast<size_t>(v)];
    ++r.camps;
    r.camp_days += a.Days();
    if (a.Days() >= kMinCampDays) {
      ++r.qualifying;
    } else {
      r.short_camps.push_back(ShortCamp{a.scope, a.id, a.Days()});
    }
  }
  std::vector<VillageDuty> duties;
  for (UnitCampReport& r : out.villages) {
    if (r.qualifying > 0) {
      r.status = CampYearStatus::kMet;
    } else {
      r.status = year < today.year ? CampYearStatus::kShortfall : CampYearStatus::kPending;
    }
    r.more_than_two = r.qualifying > 2;
    duties.push_back(VillageDuty{r.unit, r.status, r.qualifying});
  }
  out.rollup = RollUpVillages(std::move(duties));
  for (const Activity* a : unit_camps) {
    // Listed only when it is a listed town's or the city's own camp.
    if (AddUnitRecord(out.rollup, a->scope)) {
      out.unit_camps.push_back(ShortCamp{a->scope, a->id, a->Days()});
    }
  }
  return out;
}

}  // namespace fulei::programme
