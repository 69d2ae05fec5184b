#include "programme/rollup.h"

#include <map>
#include <set>

#include "crdt/org_unit.h"
#include "programme/scope.h"

namespace fulei::programme {
namespace {

void Add(RollUp& r, const VillageDuty& v) {
  ++r.villages;
  r.count += v.count;
  switch (v.status) {
    case DutyStatus::kMet:
      ++r.met;
      break;
    case DutyStatus::kShortfall:
      ++r.shortfall;
      r.shortfall_villages.push_back(v.village);
      break;
    case DutyStatus::kPending:
      ++r.pending;
      r.pending_villages.push_back(v.village);
      break;
  }
}

}  // namespace

std::string RollUp::Summary() const {
  const std::string n = std::to_string(met), m = std::to_string(villages);
  return m + " 个村中 " + n + " 个达标 / " + n + " of " + m + " villages met it";
}

const RollUp* DutyRollUp::Town(std::string_view town) const {
  for (const RollUp& t : towns) {
    if (t.unit == town) return &t;
  }
  return nullptr;
}

DutyRollUp RollUpVillages(std::vector<VillageDuty> villages) {
  DutyRollUp out;
  std::set<std::string> seen;
  std::map<std::string, RollUp> towns;
  for (VillageDuty& v : villages) {
    if (!seen.insert(v.village).second) continue;
    const std::string town(crdt::ParentUnit(v.village));
    if (out.city.unit.empty()) out.city.unit = std::string(crdt::ParentUnit(town));
    RollUp& t = towns[town];
    t.unit = town;
    Add(t, v);
    Add(out.city, v);
    out.villages.push_back(std::move(v));
  }
  for (auto& [unit, t] : towns) out.towns.push_back(std::move(t));
  return out;
}

bool AddUnitRecord(DutyRollUp& rollup, std::string_view scope) {
  const std::string_view owner = OwnerUnit(scope);
  bool town = false;
  for (RollUp& t : rollup.towns) {
    if (t.unit == owner) {
      ++t.unit_records;
      town = true;
    }
  }
  // The city counts its own records and those of its listed towns.
  if (town || (!rollup.city.unit.empty() && owner == rollup.city.unit)) {
    ++rollup.city.unit_records;
    return true;
  }
  return false;
}

VillageIndex::VillageIndex(std::span<const std::string> villages) {
  for (size_t i = 0; i < villages.size(); ++i) {
    index_.emplace(villages[i], static_cast<int>(i));  // the first of duplicates wins
  }
}

int VillageIndex::Find(std::string_view scope) const {
  for (std::string_view s = scope; !s.empty(); s = crdt::ParentUnit(s)) {
    auto it = index_.find(s);
    if (it != index_.end()) return it->second;
  }
  return -1;
}

}  // namespace fulei::programme
