// Holiday care (假期关爱工程): each village children's home (儿童之家) holds 1–2 summer or winter
// camps a year, each of at least 10 days.
//
// Reading (docs/programme.md): a camp is an activity of kind summer_camp or winter_camp; its length
// is end_date - start_date + 1 days; it belongs to the year it starts in (a winter camp from
// Dec 28 to Jan 8 counts for the earlier year). The duty is each village's: a camp counts for the
// village whose scope holds it, and for no other; a camp held at a town's or the city's own scope
// counts for no village (it is listed in `unit_camps` and counted in the roll-up's
// `unit_records`). A village year with no camp of 10 days or more is a shortfall once the year is
// over, and pending while it is not; a camp shorter than 10 days is listed whatever the year; more
// than two qualifying camps is reported (the plan asks for 1–2), not flagged as a fault. Towns and
// the city show "N of M villages met it" (rollup.h); camps of villages not in the list are ignored.
// Pure functions; thread-safe.
#ifndef FULEI_PROGRAMME_RULES_HOLIDAY_CARE_H_
#define FULEI_PROGRAMME_RULES_HOLIDAY_CARE_H_

#include <span>
#include <string>
#include <vector>

#include "programme/date.h"
#include "programme/records.h"
#include "programme/rollup.h"

namespace fulei::programme {

inline constexpr int64_t kMinCampDays = 10;

using CampYearStatus = DutyStatus;

struct ShortCamp {
  std::string scope;
  std::string activity;
  int64_t days = 0;
};

struct UnitCampReport {
  std::string unit;  // the village
  int year = 0;
  int camps = 0;          // camps the village started in the year
  int qualifying = 0;     // of which at least kMinCampDays long
  int64_t camp_days = 0;  // total days of all camps
  CampYearStatus status = CampYearStatus::kPending;
  bool more_than_two = false;
  std::vector<ShortCamp> short_camps;
};

struct HolidayCareCheck {
  std::vector<UnitCampReport> villages;  // one per village, in the order given
  DutyRollUp rollup;                     // VillageDuty::count: qualifying camps
  std::vector<ShortCamp> unit_camps;     // camps of the year held at a town's or city's scope
};

HolidayCareCheck CheckHolidayCare(std::span<const std::string> villages,
                                  std::span<const Activity> activities, int year,
                                  const Date& today);

}  // namespace fulei::programme

#endif  // FULEI_PROGRAMME_RULES_HOLIDAY_CARE_H_
