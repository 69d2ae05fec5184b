// The inspection scorecards of a town or the city built from the records a store holds: reads
// the records every per-village rule needs, runs the rules, collects the open corrections and
// scores them (scorecard.h ComputeScorecards). What the admin web and the command show as the
// 督查评分 of each town and village.
//
// Contract: `subtree` is a town or the city ("jinjiang/cizao", "jinjiang"); `villages` the
// caller's village list (the unit list, as rollup.h takes it) — those at or below `subtree`
// are scored, the others ignored. The duties, in the order of the cards' items:
//   holiday_care        假期关爱            rules_holiday_care.h, camps of `year`
//   weekend_class       周末兴趣班          rules_village_duties.h, classes held in `year`
//   children_school     儿童学校            rules_village_duties.h, sessions held in `year`
//   training            举办培训            rules_village_duties.h, trainings held in `year`
//   liaison_meeting     联络员会议          rules_village_duties.h, meetings held in `year`
//   follow_up           巡防与转介跟进      rules_village_duties.h, open items on `today`
//   guardian_informed   心理辅导告知监护人  rules_counselling.h, on `today`
//   family_care         亲情关爱            rules_family_care.h, on `today`
// The records are those of the subtree (its scopes, office scopes included: Store::ForEach);
// corrections are read wherever they are held (the city keeps those of its inspections of a
// town's villages) and taken when their `unit` lies at or below `subtree`. A record that does
// not decode (a malformed value replicated from elsewhere) is skipped and counted in
// `unreadable`; it never stops the scorecard.
//
// Cost: one read transaction per record type; every contact of the subtree is read (family
// care), so a city's card reads its whole contact history — a page a person asks for, not a
// counter kept on every write. Same threading as the Store (the node's event loop thread).
#ifndef FULEI_PROGRAMME_SCORECARD_STORE_H_
#define FULEI_PROGRAMME_SCORECARD_STORE_H_

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crdt/status.h"
#include "programme/date.h"
#include "programme/rollup.h"
#include "programme/scorecard.h"
#include "store/store.h"

namespace fulei::programme {

// One duty's roll-up over the subtree's villages, with its code and Chinese label.
struct ScoredDuty {
  std::string code;
  std::string zh;
  DutyRollUp rollup;
};

struct SubtreeScorecards {
  std::vector<ScoredDuty> duties;           // the roll-ups behind the cards, in the order above
  std::vector<OpenCorrection> corrections;  // open corrections of units in the subtree
  Scorecards cards;                         // per village (the list's order) and per town
  size_t unreadable = 0;                    // records skipped: they did not decode
};

// Errors: kInvalidArgument for an empty subtree; those of Store::ForEach (kCorruption,
// kIoError).
Result<SubtreeScorecards> ScorecardsFromStore(store::Store& store, std::string_view subtree,
                                              std::span<const std::string> villages, int year,
                                              const Date& today);

}  // namespace fulei::programme

#endif  // FULEI_PROGRAMME_SCORECARD_STORE_H_
