#include "programme/rules_village_duties.h"

#include <algorithm>
#include <tuple>

namespace fulei::programme {
namespace {

Result<Date> NeedDate(std::string_view type, const Fields& f, std::string_view name) {
  auto v = One(f, name);
  if (!v) return InvalidArgument(std::string(type) + "." + std::string(name) + ": is required");
  auto d = ParseDate(*v);
  if (!d.ok()) {
    return InvalidArgument(std::string(type) + "." + std::string(name) + ": " +
                           d.status().message());
  }
  return *d;
}

}  // namespace

Result<HeldRecord> ReadHeldRecord(std::string_view type, std::string_view scope,
                                  std::string_view id, const Fields& f) {
  HeldRecord r;
  r.scope = scope;
  r.id = id;
  r.type = type;
  if (type == "activity" || type == "training") {
    r.kind = OneOr(f, "kind");
    FULEI_ASSIGN_OR_RETURN(r.date, NeedDate(type, f, "start_date"));
  } else if (type == "meeting") {
    FULEI_ASSIGN_OR_RETURN(r.date, NeedDate(type, f, "date"));
  } else {
    return InvalidArgument("not a held record type: " + std::string(type.substr(0, 40)));
  }
  return r;
}

bool CountsFor(HeldDuty duty, const HeldRecord& r) {
  switch (duty) {
    case HeldDuty::kWeekendClass:
      return r.type == "activity" && r.kind == "weekend_class";
    case HeldDuty::kChildrenSchool:
      return r.type == "activity" && r.kind == "children_school";
    case HeldDuty::kTraining:
      return r.type == "training";
    case HeldDuty::kLiaisonMeeting:
      return r.type == "meeting";
  }
  return false;
}

DutyRollUp CheckHeldPerVillage(std::span<const std::string> villages,
                               std::span<const HeldRecord> records, HeldDuty duty, int year,
                               const Date& today, int64_t min_per_year) {
  std::vector<VillageDuty> duties(villages.size());
  for (size_t i = 0; i < villages.size(); ++i) duties[i].village = villages[i];
  const VillageIndex index(villages);
  std::vector<std::string_view> unit_scopes;
  for (const HeldRecord& r : records) {
    if (!CountsFor(duty, r) || r.date.year != year) continue;
    const int v = index.Find(r.scope);
    if (v < 0) {
      unit_scopes.push_back(r.scope);
    } else {
      ++duties[static_cast<size_t>(v)].count;
    }
  }
  for (VillageDuty& d : duties) {
    if (d.count >= min_per_year) {
      d.status = DutyStatus::kMet;
    } else {
      d.status = year < today.year ? DutyStatus::kShortfall : DutyStatus::kPending;
    }
  }
  DutyRollUp out = RollUpVillages(std::move(duties));
  for (std::string_view s : unit_scopes) AddUnitRecord(out, s);
  return out;
}

Result<std::optional<FollowUpItem>> ReadFollowUp(std::string_view type, std::string_view scope,
                                                 std::string_view id, const Fields& f) {
  FollowUpItem item;
  item.scope = scope;
  item.id = id;
  item.type = type;
  if (type == "patrol") {
    if (OneOr(f, "follow_up") != "true") return std::optional<FollowUpItem>();
    item.open = true;
  } else if (type == "referral") {
    item.to = OneOr(f, "to");
    item.open = !One(f, "response").has_value();
  } else {
    return InvalidArgument("not a follow-up record type: " + std::string(type.substr(0, 40)));
  }
  FULEI_ASSIGN_OR_RETURN(item.date, NeedDate(type, f, "date"));
  return std::optional<FollowUpItem>(std::move(item));
}

FollowUpCheck CheckFollowUps(std::span<const std::string> villages,
                             std::span<const FollowUpItem> items, const Date& today,
                             int64_t limit_days) {
  FollowUpCheck out;
  std::vector<VillageDuty> duties(villages.size());
  for (size_t i = 0; i < villages.size(); ++i) {
    duties[i].village = villages[i];
    duties[i].status = DutyStatus::kMet;
  }
  const VillageIndex index(villages);
  std::vector<std::pair<int, OpenFollowUp>> open;
  std::vector<OpenFollowUp> unit_open;
  open.reserve(items.size());
  for (const FollowUpItem& item : items) {
    if (!item.open) continue;
    OpenFollowUp o{item, DaysBetween(item.date, today), false};
    o.overdue = o.days_open > limit_days;
    const int v = index.Find(item.scope);
    if (v < 0) {
      unit_open.push_back(std::move(o));
      continue;
    }
    VillageDuty& d = duties[static_cast<size_t>(v)];
    ++d.count;
    if (o.overdue) {
      d.status = DutyStatus::kShortfall;
    } else if (d.status == DutyStatus::kMet) {
      d.status = DutyStatus::kPending;
    }
    open.emplace_back(v, std::move(o));
  }
  std::vector<size_t> order(open.size());  // sort positions, not the items
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t x, size_t y) {
    const auto& a = open[x];
    const auto& b = open[y];
    return std::tie(a.first, a.second.item.date, a.second.item.id, x) <
           std::tie(b.first, b.second.item.date, b.second.item.id, y);
  });
  out.open.reserve(open.size());
  for (size_t i : order) out.open.push_back(std::move(open[i].second));
  out.rollup = RollUpVillages(std::move(duties));
  for (OpenFollowUp& o : unit_open) {
    if (AddUnitRecord(out.rollup, o.item.scope)) out.unit_open.push_back(std::move(o));
  }
  return out;
}

}  // namespace fulei::programme
