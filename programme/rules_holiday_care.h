// Holiday care (假期关爱工程): each unit holds 1–2 summer or winter camps a year, each of at least
// 10 days.
//
// Reading (docs/programme.md): a camp is an activity of kind summer_camp or winter_camp; its length
// is end_date - start_date + 1 days; it belongs to the year it starts in (a winter camp from
// Dec 28 to Jan 8 counts for the earlier year); a camp held by a unit or anywhere in its subtree
// (crdt::IsAtOrBelow: an empty unit holds no camp) counts for the unit. A year with no camp of
// 10 days or more is a shortfall once the year is over, and pending while it is not; a camp
// shorter than 10 days is flagged whatever the year; more than two qualifying camps is reported
// (the plan asks for 1–2), not flagged as a fault.
// Pure functions; thread-safe.
#ifndef FULEI_PROGRAMME_RULES_HOLIDAY_CARE_H_
#define FULEI_PROGRAMME_RULES_HOLIDAY_CARE_H_

#include <span>
#include <string>
#include <vector>

#include "programme/date.h"
#include "programme/records.h"

namespace fulei::programme {

inline constexpr int64_t kMinCampDays = 10;

enum class CampYearStatus { kMet, kShortfall, kPending };

struct ShortCamp {
  std::string scope;
  std::string activity;
  int64_t days = 0;
};

struct UnitCampReport {
  std::string unit;
  int year = 0;
  int camps = 0;          // camps started in the year in the unit's subtree
  int qualifying = 0;     // of which at least kMinCampDays long
  int64_t camp_days = 0;  // total days of all camps
  CampYearStatus status = CampYearStatus::kPending;
  bool more_than_two = false;
  std::vector<ShortCamp> short_camps;
};

// One report per unit, in the order given.
std::vector<UnitCampReport> CheckHolidayCare(std::span<const std::string> units,
                                             std::span<const Activity> activities, int year,
                                             const Date& today);

}  // namespace fulei::programme

#endif  // FULEI_PROGRAMME_RULES_HOLIDAY_CARE_H_
