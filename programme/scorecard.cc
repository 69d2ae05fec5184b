#include "programme/scorecard.h"

#include <algorithm>
#include <map>

namespace fulei::programme {
namespace {

// The town of a village path "city/town/village"; a shorter path is its own town.
std::string TownOf(std::string_view unit) {
  const size_t first = unit.find('/');
  if (first == std::string_view::npos) return std::string(unit);
  const size_t second = unit.find('/', first + 1);
  return std::string(unit.substr(0, second));
}

Scorecard& At(std::map<std::string, Scorecard>& m, std::vector<std::string>* order,
              const std::string& unit) {
  auto [it, inserted] = m.try_emplace(unit);
  if (inserted) {
    it->second.unit = unit;
    if (order != nullptr) order->push_back(unit);
  }
  return it->second;
}

void Lose(Scorecard& card, ScoreItem item) {
  card.score = std::max(0, card.score - item.points_lost);
  card.items.push_back(std::move(item));
}

std::string StatusZh(DutyStatus s) {
  switch (s) {
    case DutyStatus::kMet:
      return "达标";
    case DutyStatus::kShortfall:
      return "未达标";
    case DutyStatus::kPending:
      return "进行中";
  }
  return "";
}

}  // namespace

std::optional<OpenCorrection> ReadOpenCorrection(const Fields& correction) {
  if (!OneOr(correction, "completed_on").empty()) return std::nullopt;
  OpenCorrection c;
  c.unit = std::string(OneOr(correction, "unit"));
  c.item = std::string(OneOr(correction, "item"));
  Result<Date> due = ParseDate(OneOr(correction, "due"));
  if (c.unit.empty() || c.item.empty() || !due.ok()) return std::nullopt;
  c.due = *due;
  return c;
}

Scorecards ComputeScorecards(std::span<const NamedDuty> duties,
                             std::span<const OpenCorrection> corrections, const Date& today) {
  std::map<std::string, Scorecard> villages;
  std::map<std::string, Scorecard> towns;
  std::vector<std::string> village_order;
  for (const NamedDuty& duty : duties) {
    if (duty.rollup == nullptr) continue;
    for (const VillageDuty& v : duty.rollup->villages) {
      Scorecard& card = At(villages, &village_order, v.village);
      Lose(card, ScoreItem{duty.code, duty.zh + "：" + StatusZh(v.status),
                           v.status == DutyStatus::kShortfall ? kDutyPoints : 0});
    }
    for (const RollUp& t : duty.rollup->towns) {
      Scorecard& card = At(towns, nullptr, t.unit);
      const int lost = t.villages > 0 ? kDutyPoints * t.shortfall / t.villages : 0;
      Lose(card, ScoreItem{duty.code,
                           duty.zh + "：" + std::to_string(t.villages) + " 个村中 " +
                               std::to_string(t.met) + " 个达标，" + std::to_string(t.shortfall) +
                               " 个未达标",
                           lost});
    }
  }
  for (const OpenCorrection& c : corrections) {
    const bool overdue = c.due < today;
    ScoreItem item{
        "correction",
        (overdue ? "整改逾期：" : "整改未到期：") + c.item + "（期限 " + c.due.ToString() + "）",
        overdue ? kOverduePoints : 0};
    const std::string town = TownOf(c.unit);
    if (town != c.unit) Lose(At(villages, &village_order, c.unit), item);
    Lose(At(towns, nullptr, town), item);
  }
  Scorecards out;
  for (const std::string& v : village_order) out.villages.push_back(std::move(villages[v]));
  for (auto& [unit, card] : towns) out.towns.push_back(std::move(card));
  return out;
}

}  // namespace fulei::programme
