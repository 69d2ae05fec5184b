// Family care (亲情关爱工程): every family-care pairing of a volunteer parent (爱心爸爸/妈妈) with
// a left-behind child needs at least one talk (谈心交流) in every calendar month and at least one
// home visit (入户看望) in every calendar quarter (Jan–Mar, Apr–Jun, Jul–Sep, Oct–Dec).
//
// Reading of the rule (docs/programme.md):
//   - The duty is the pairing's: only contacts by the paired helper with the paired child, logged
//     in the pairing's unit, count. A talk does not count as a visit nor a visit as a talk.
//   - The period in which the pairing starts is a grace period (it may have started on its last
//     day); every later period is required. Only pairings in force on `today` are listed.
//   - A period is overdue once it has ended without its contact: the month of October is overdue
//     from November 1 (1 day overdue), Q3 from October 1. The current period is never overdue.
//   - An overdue item describes the current run of missed periods: the first missed period of the
//     run, how many consecutive periods were missed up to the last complete one, and the days
//     since the first missed period ended (today - end of that period).
// Pure functions; thread-safe. Returned items are values.
#ifndef FULEI_PROGRAMME_RULES_FAMILY_CARE_H_
#define FULEI_PROGRAMME_RULES_FAMILY_CARE_H_

#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "programme/date.h"
#include "programme/records.h"
#include "programme/rollup.h"

namespace fulei::programme {

enum class CareDuty { kMonthlyTalk, kQuarterlyVisit };

struct OverdueItem {
  std::string scope;  // the pairing's (and child's) unit
  std::string child;
  std::string helper;
  std::string pairing;
  CareDuty duty = CareDuty::kMonthlyTalk;
  std::string first_missed;  // "2026-10" or "2026-Q3"
  int missed_periods = 0;
  std::optional<Date> last_contact;  // last contact of this duty's kind, if any
  int64_t days_overdue = 0;
};

// All overdue items, sorted by days overdue (most first), then scope, child, duty.
// Pairings that are not family care, or not in force on `today`, are ignored.
std::vector<OverdueItem> FamilyCareOverdue(std::span<const Pairing> pairings,
                                           std::span<const Contact> contacts, const Date& today);

// Groups items by helper id.
std::map<std::string, std::vector<OverdueItem>> OverdueByHelper(std::span<const OverdueItem> items);
// Groups items by the unit `depth` path components deep: depth 2 gives towns
// ("jinjiang/cizao"), depth 3 villages ("jinjiang/cizao/v012").
std::map<std::string, std::vector<OverdueItem>> OverdueByUnit(std::span<const OverdueItem> items,
                                                              int depth);

// Per village: met when none of its pairings has an overdue item, else a shortfall (an item is
// overdue only once its period has ended); VillageDuty::count is its overdue items. Items of
// pairings held at a town's or the city's own scope count in the roll-up's `unit_records`.
DutyRollUp FamilyCareRollUp(std::span<const std::string> villages,
                            std::span<const OverdueItem> items);

// The first `depth` components of a unit path ("jinjiang/cizao/v012", 2 -> "jinjiang/cizao").
std::string UnitPrefix(std::string_view scope, int depth);

}  // namespace fulei::programme

#endif  // FULEI_PROGRAMME_RULES_FAMILY_CARE_H_
