#include "programme/pilot.h"

namespace fulei::programme {

std::string_view StageZh(Stage s) {
  switch (s) {
    case Stage::kPilot:
      return "试点";
    case Stage::kRollout:
      return "全面推开";
    case Stage::kConsolidation:
      return "巩固提升";
  }
  return "";
}

std::string_view StageCode(Stage s) {
  switch (s) {
    case Stage::kPilot:
      return "pilot";
    case Stage::kRollout:
      return "rollout";
    case Stage::kConsolidation:
      return "consolidation";
  }
  return "";
}

std::string_view TownPath(std::string_view unit) {
  const size_t first = unit.find('/');
  if (first == std::string_view::npos || first + 1 >= unit.size()) return "";
  const size_t second = unit.find('/', first + 1);
  return unit.substr(0, second);
}

bool IsPilotUnit(std::string_view unit) {
  const std::string_view town = TownPath(unit);
  for (std::string_view p : kPilotUnits) {
    if (town == p) return true;
  }
  return false;
}

PilotSplit SplitByPilot(std::span<const UnitCount> counts, const StageTable& stages) {
  PilotSplit out;
  for (const UnitCount& c : counts) {
    const std::string_view town = TownPath(c.unit);
    if (town.empty()) {
      out.city_own += c.count;
      continue;
    }
    const bool pilot = IsPilotUnit(town);
    (pilot ? out.pilot : out.not_pilot) += c.count;
    const auto it = stages.find(town);
    const Stage stage = it != stages.end() ? it->second : (pilot ? Stage::kPilot : Stage::kRollout);
    out.by_stage[static_cast<size_t>(stage)] += c.count;
  }
  return out;
}

}  // namespace fulei::programme
