// The inspection scorecard (督查评分) per village and per town, computed from what the rules
// found (the per-village duty roll-ups of rollup.h) and the open corrections of inspections.
//
// Contract (this project's reading; the plan asks the city to inspect but gives no scale):
// every unit starts at 100 points.
//   - A village loses kDutyPoints for each duty in shortfall there; a pending duty costs nothing
//     but is listed.
//   - A town loses kDutyPoints × (villages in shortfall / its villages), rounded down, per duty
//     (a town where 2 of 5 villages fell short of a duty loses 4 of 10).
//   - Each correction not completed by its due date costs kOverduePoints to the unit it names
//     (a village's also to its town); corrections not yet due are listed at no cost.
// The score never falls below 0. Items are listed in the order of the duties given, then the
// corrections in the caller's order. Villages and towns are those of the roll-ups.
// Pure functions; thread-safe.
#ifndef FULEI_PROGRAMME_SCORECARD_H_
#define FULEI_PROGRAMME_SCORECARD_H_

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "programme/date.h"
#include "programme/fields.h"
#include "programme/rollup.h"

namespace fulei::programme {

inline constexpr int kDutyPoints = 10;
inline constexpr int kOverduePoints = 5;

// One duty's roll-up with its name (e.g. "holiday_care", "假期关爱").
struct NamedDuty {
  std::string code;
  std::string zh;
  const DutyRollUp* rollup = nullptr;
};

// A correction required by an inspection (correction records without completed_on).
struct OpenCorrection {
  std::string unit;  // the unit to correct: a village or a town
  std::string item;
  Date due;
};

// The open correction of a `correction` record: nullopt when it is completed (completed_on set)
// or does not decode (no unit, item or due date).
std::optional<OpenCorrection> ReadOpenCorrection(const Fields& correction);

struct ScoreItem {
  std::string what;  // the duty's code, or "correction"
  std::string zh;    // "假期关爱：5 个村中 2 个达标" / "整改逾期：…"
  int points_lost = 0;
};

struct Scorecard {
  std::string unit;
  int score = 100;
  std::vector<ScoreItem> items;  // everything behind the score, costless items included
};

struct Scorecards {
  std::vector<Scorecard> villages;  // in the order of the first duty's villages
  std::vector<Scorecard> towns;     // sorted by unit path
};

Scorecards ComputeScorecards(std::span<const NamedDuty> duties,
                             std::span<const OpenCorrection> corrections, const Date& today);

}  // namespace fulei::programme

#endif  // FULEI_PROGRAMME_SCORECARD_H_
