#include "programme/rules_family_care.h"

#include <algorithm>
#include <set>
#include <tuple>

namespace fulei::programme {
namespace {

struct PairKey {
  std::string_view scope, helper, child;
  friend auto operator<=>(const PairKey&, const PairKey&) = default;
};

void CheckDuty(const Pairing& p, CareDuty duty, const std::set<int>& done, std::optional<Date> last,
               const Date& today, std::vector<OverdueItem>& out) {
  const bool monthly = duty == CareDuty::kMonthlyTalk;
  auto index = [&](const Date& d) { return monthly ? MonthIndex(d) : QuarterIndex(d); };
  auto end_of = [&](int i) { return monthly ? MonthEnd(i) : QuarterEnd(i); };
  const int first_required = index(p.start) + 1;  // the starting period is a grace period
  const int last_complete = index(today) - 1;
  int run_start = -1;
  for (int i = last_complete; i >= first_required; --i) {
    if (done.count(i)) break;
    run_start = i;
  }
  if (run_start < 0) return;
  OverdueItem item;
  item.scope = p.scope;
  item.child = p.child;
  item.helper = p.helper;
  item.pairing = p.id;
  item.duty = duty;
  item.first_missed = monthly ? MonthLabel(run_start) : QuarterLabel(run_start);
  item.missed_periods = last_complete - run_start + 1;
  item.last_contact = last;
  item.days_overdue = DaysBetween(end_of(run_start), today);
  out.push_back(std::move(item));
}

}  // namespace

std::string UnitPrefix(std::string_view scope, int depth) {
  size_t pos = 0;
  for (int i = 0; i < depth; ++i) {
    pos = scope.find('/', pos);
    if (pos == std::string_view::npos) return std::string(scope);
    if (i + 1 < depth) ++pos;
  }
  return std::string(scope.substr(0, pos));
}

std::vector<OverdueItem> FamilyCareOverdue(std::span<const Pairing> pairings,
                                           std::span<const Contact> contacts, const Date& today) {
  // Periods with a contact, per (scope, helper, child) and kind; and the last contact date.
  struct Done {
    std::set<int> talk_months, visit_quarters;
    std::optional<Date> last_talk, last_visit;
  };
  std::map<PairKey, Done> done;
  for (const Contact& c : contacts) {
    if (c.date > today) continue;  // validation refuses these; ignore defensively
    Done& d = done[PairKey{c.scope, c.helper, c.child}];
    if (c.kind == "talk") {
      d.talk_months.insert(MonthIndex(c.date));
      if (!d.last_talk || *d.last_talk < c.date) d.last_talk = c.date;
    } else if (c.kind == "home_visit") {
      d.visit_quarters.insert(QuarterIndex(c.date));
      if (!d.last_visit || *d.last_visit < c.date) d.last_visit = c.date;
    }
  }
  static const Done kNone;
  std::vector<OverdueItem> out;
  for (const Pairing& p : pairings) {
    if (p.kind != "family_care" || !p.ActiveOn(today)) continue;
    auto it = done.find(PairKey{p.scope, p.helper, p.child});
    const Done& d = it == done.end() ? kNone : it->second;
    CheckDuty(p, CareDuty::kMonthlyTalk, d.talk_months, d.last_talk, today, out);
    CheckDuty(p, CareDuty::kQuarterlyVisit, d.visit_quarters, d.last_visit, today, out);
  }
  std::sort(out.begin(), out.end(), [](const OverdueItem& a, const OverdueItem& b) {
    return std::tie(b.days_overdue, a.scope, a.child, a.duty, a.helper) <
           std::tie(a.days_overdue, b.scope, b.child, b.duty, b.helper);
  });
  return out;
}

std::map<std::string, std::vector<OverdueItem>> OverdueByHelper(
    std::span<const OverdueItem> items) {
  std::map<std::string, std::vector<OverdueItem>> out;
  for (const OverdueItem& i : items) out[i.helper].push_back(i);
  return out;
}

std::map<std::string, std::vector<OverdueItem>> OverdueByUnit(std::span<const OverdueItem> items,
                                                              int depth) {
  std::map<std::string, std::vector<OverdueItem>> out;
  for (const OverdueItem& i : items) out[UnitPrefix(i.scope, depth)].push_back(i);
  return out;
}

DutyRollUp FamilyCareRollUp(std::span<const std::string> villages,
                            std::span<const OverdueItem> items) {
  std::vector<VillageDuty> duties(villages.size());
  for (size_t i = 0; i < villages.size(); ++i) {
    duties[i].village = villages[i];
    duties[i].status = DutyStatus::kMet;
  }
  const VillageIndex index(villages);
  std::vector<std::string_view> unit_scopes;
  for (const OverdueItem& i : items) {
    const int v = index.Find(i.scope);
    if (v < 0) {
      unit_scopes.push_back(i.scope);
      continue;
    }
    VillageDuty& d = duties[static_cast<size_t>(v)];
    ++d.count;
    d.status = DutyStatus::kShortfall;
  }
  DutyRollUp out = RollUpVillages(std::move(duties));
  for (std::string_view s : unit_scopes) AddUnitRecord(out, s);
  return out;
}

}  // namespace fulei::programme
