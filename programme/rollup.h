// Per-village duties and their roll-up: "N of M villages met it" per town and for the city.
//
// The plan places most of its recurring duties on each village children's home (儿童之家): a
// town has met a duty only when every one of its villages has, and a town where 2 of 5 villages
// held a camp shows "2 of 5", never "met". Every per-village rule (rules_holiday_care.h,
// rules_village_duties.h, rules_counselling.h, rules_family_care.h) gives one VillageDuty per
// village of the caller's list and rolls them up here.
//
// Contract: the villages are the caller's (the unit list, e.g. the 385 villages of
// data/jinjiang-units.json), written as unit paths "city/town/village"; a village's town is its
// parent unit (crdt::ParentUnit) and the city the town's parent. A village given twice counts
// once (the first result is kept). Towns are listed in path order; the city roll-up counts every
// village given and names the first village's city. Records held at a town's or the city's own
// scope (or its office scope) satisfy no village's duty; rules count them in `unit_records`.
// Pure functions; thread-safe.
#ifndef FULEI_PROGRAMME_ROLLUP_H_
#define FULEI_PROGRAMME_ROLLUP_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace fulei::programme {

// A village's state for one duty and period: met; a shortfall once the period is over (or an item
// is past its time); pending while it still can be met.
enum class DutyStatus { kMet, kShortfall, kPending };

struct VillageDuty {
  std::string village;
  DutyStatus status = DutyStatus::kPending;
  int64_t count = 0;  // what the rule counted there (camps, sessions held, open items)
};

struct RollUp {
  std::string unit;  // the town or the city
  int villages = 0;  // M: the unit's villages in the caller's list
  int met = 0;       // N
  int shortfall = 0;
  int pending = 0;
  int64_t count = 0;         // sum of the villages' counts
  int64_t unit_records = 0;  // records held at the unit's own (or office) scope, see above
  std::vector<std::string> shortfall_villages;  // in the caller's order
  std::vector<std::string> pending_villages;

  // True when the unit has villages and every one of them met the duty.
  bool AllMet() const { return villages > 0 && met == villages; }
  // "5 个村中 2 个达标 / 2 of 5 villages met it".
  std::string Summary() const;
};

struct DutyRollUp {
  std::vector<VillageDuty> villages;  // one per village, in the caller's order
  std::vector<RollUp> towns;          // sorted by unit path
  RollUp city;

  // The town's roll-up, or nullptr when no village of the list lies in it.
  const RollUp* Town(std::string_view town) const;
};

// Groups per-village results by town and city (see the header comment).
DutyRollUp RollUpVillages(std::vector<VillageDuty> villages);

// Adds one record held at `scope` that no village's duty counts to the roll-up of the unit that
// owns it (a town or the city; its office scope counts for it). Scopes of no listed town or city
// are ignored. Returns true when the record was counted.
bool AddUnitRecord(DutyRollUp& rollup, std::string_view scope);

// The caller's villages, for finding the village that holds a record's scope. Keeps views of the
// strings it was built from: they must outlive it.
class VillageIndex {
 public:
  explicit VillageIndex(std::span<const std::string> villages);
  // The position in the list of the village that holds `scope` (the village itself or a scope
  // below it), or -1.
  int Find(std::string_view scope) const;

 private:
  std::unordered_map<std::string_view, int> index_;
};

}  // namespace fulei::programme

#endif  // FULEI_PROGRAMME_ROLLUP_H_
