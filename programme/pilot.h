// Pilot and rollout (试点与推广): the plan's pilot units and its stages, and the split of any
// per-unit count into pilot / not pilot and by stage.
//
// Contract: the pilot units are the plan's three (PROGRAMME.md; data/jinjiang-units.json
// "pilot": true): 磁灶镇 jinjiang/cizao, 池店镇 jinjiang/chidian, 西园街道 jinjiang/xiyuan. A unit
// is a pilot when it is one of them or lies below one (its villages, its office scope). The stages
// are this project's reading of a plan that pilots first and then spreads city-wide: kPilot (试点),
// kRollout (全面推开), kConsolidation (巩固提升). A unit's stage comes from the caller's table
// (town path -> stage, e.g. from unit-stage settings); a town missing from it is kPilot when it
// is a pilot unit, kRollout otherwise. Counts of a unit that is not below any town (the city's
// own) go to `city_own`, neither pilot nor not. Pure functions; thread-safe.
#ifndef FULEI_PROGRAMME_PILOT_H_
#define FULEI_PROGRAMME_PILOT_H_

#include <array>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>

namespace fulei::programme {

inline constexpr std::array<std::string_view, 3> kPilotUnits = {
    "jinjiang/cizao", "jinjiang/chidian", "jinjiang/xiyuan"};

enum class Stage : uint8_t { kPilot = 0, kRollout = 1, kConsolidation = 2 };
inline constexpr int kStageCount = 3;

std::string_view StageZh(Stage s);    // 试点 / 全面推开 / 巩固提升
std::string_view StageCode(Stage s);  // pilot / rollout / consolidation

// True when `unit` is a pilot unit or below one.
bool IsPilotUnit(std::string_view unit);

// The town ("city/town") of a unit path; "" for the city itself.
std::string_view TownPath(std::string_view unit);

struct UnitCount {
  std::string unit;
  int64_t count = 0;
};

struct PilotSplit {
  int64_t pilot = 0;
  int64_t not_pilot = 0;
  int64_t city_own = 0;
  std::array<int64_t, kStageCount> by_stage{};
};

using StageTable = std::map<std::string, Stage, std::less<>>;

PilotSplit SplitByPilot(std::span<const UnitCount> counts, const StageTable& stages = {});

}  // namespace fulei::programme

#endif  // FULEI_PROGRAMME_PILOT_H_
