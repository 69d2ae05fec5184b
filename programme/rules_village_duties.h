// Duties the plan places on each village, counted per village and rolled up per town and city
// (rollup.h): weekend interest classes (周末兴趣班, 假期关爱工程), children's school sessions
// (儿童学校工程), trainings held (队伍培育工程 and the parents' job-skill training of
// 结对帮扶工程), liaison meetings held (联络员会议), and the follow-ups of grid patrols
// (网格化巡防) and referrals (转介).
//
// Reading (docs/programme.md, "Village duties"): the plan names these works without a number,
// except that liaison meetings are held "不定期" (as needed). The default of one a year per
// village is this project's reading; the caller may set another minimum (0 shows counts only, every
// village "met"). A record counts for the village whose scope holds it and for no other; records
// of a town's or the city's own scope are counted in the roll-up's `unit_records`. A year is
// counted by the record's start date (activity, training) or date (meeting).
//
// Follow-ups: a patrol whose `follow_up` (需跟进) is true is open; a person clears the flag when it
// is followed up (the record keeps no date or note of the follow-up itself). A referral is open
// until its `response` (反馈情况) is recorded. An item open more than kFollowUpDays days after its
// date is a shortfall of its village (this project's reading: the plan sets no time); a village
// with open items all younger is pending; a village with none has met it.
// Pure functions; thread-safe.
#ifndef FULEI_PROGRAMME_RULES_VILLAGE_DUTIES_H_
#define FULEI_PROGRAMME_RULES_VILLAGE_DUTIES_H_

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crdt/status.h"
#include "programme/date.h"
#include "programme/fields.h"
#include "programme/rollup.h"

namespace fulei::programme {

enum class HeldDuty { kWeekendClass, kChildrenSchool, kTraining, kLiaisonMeeting };

// A dated record a unit held: an activity, a training or a liaison meeting.
struct HeldRecord {
  std::string scope;
  std::string id;
  std::string type;  // "activity", "training" or "meeting"
  std::string kind;  // the activity's or training's kind; empty for a meeting
  Date date;         // start_date (activity, training) or date (meeting)
};

// Reads an activity, training or meeting record; kInvalidArgument naming the field when the date
// is missing or malformed, or for another type.
Result<HeldRecord> ReadHeldRecord(std::string_view type, std::string_view scope,
                                  std::string_view id, const Fields& f);

// True when `r` is a record of `duty`: an activity of kind weekend_class; an activity of kind
// children_school; any training; any meeting.
bool CountsFor(HeldDuty duty, const HeldRecord& r);

// Per village: the records of `duty` it held in `year` (VillageDuty::count); met with at least
// `min_per_year`, else a shortfall once the year is over and pending while it is not.
DutyRollUp CheckHeldPerVillage(std::span<const std::string> villages,
                               std::span<const HeldRecord> records, HeldDuty duty, int year,
                               const Date& today, int64_t min_per_year = 1);

inline constexpr int64_t kFollowUpDays = 30;

// A patrol that needs follow-up, or a referral.
struct FollowUpItem {
  std::string scope;
  std::string id;
  std::string type;  // "patrol" or "referral"
  std::string to;    // a referral's `to` (公安机关 …); empty for a patrol
  Date date;
  bool open = true;  // patrol: follow_up still true; referral: no response recorded
};

// Reads a patrol or referral; nullopt for a patrol that needs no follow-up.
Result<std::optional<FollowUpItem>> ReadFollowUp(std::string_view type, std::string_view scope,
                                                 std::string_view id, const Fields& f);

struct OpenFollowUp {
  FollowUpItem item;
  int64_t days_open = 0;  // today - date
  bool overdue = false;   // days_open > the limit
};

struct FollowUpCheck {
  std::vector<OpenFollowUp> open;       // open items of the villages, by village order then date
  std::vector<OpenFollowUp> unit_open;  // open items of listed towns' and the city's own scopes
  DutyRollUp rollup;                    // VillageDuty::count: open items
};

FollowUpCheck CheckFollowUps(std::span<const std::string> villages,
                             std::span<const FollowUpItem> items, const Date& today,
                             int64_t limit_days = kFollowUpDays);

}  // namespace fulei::programme

#endif  // FULEI_PROGRAMME_RULES_VILLAGE_DUTIES_H_
