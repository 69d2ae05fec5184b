#include "programme/scorecard_store.h"

#include <functional>
#include <optional>
#include <utility>

#include "crdt/org_unit.h"
#include "programme/fields.h"
#include "programme/records.h"
#include "programme/rules_counselling.h"
#include "programme/rules_family_care.h"
#include "programme/rules_holiday_care.h"
#include "programme/rules_village_duties.h"
#include "programme/schema.h"

namespace fulei::programme {
namespace {

// Calls fn with the fields of every live record of `type` at or below `under` ("" for every
// scope held); fn returns false for a record that does not decode.
Status Each(store::Store& store, std::string_view type, std::string_view under, size_t& unreadable,
            const std::function<bool(const crdt::RecordKey&, const Fields&)>& fn) {
  return store.ForEach(type, under, [&](const crdt::RecordKey& key, const crdt::RecordState& s) {
    std::optional<Fields> f = ReadFields(s);
    if (f && !fn(key, *f)) ++unreadable;
    return true;
  });
}

// Adds the decoded record to `out`, or returns false.
template <typename T>
bool Keep(Result<T> r, std::vector<T>& out) {
  if (!r.ok()) return false;
  out.push_back(std::move(*r));
  return true;
}

}  // namespace

Result<SubtreeScorecards> ScorecardsFromStore(store::Store& store, std::string_view subtree,
                                              std::span<const std::string> villages, int year,
                                              const Date& today) {
  if (subtree.empty()) return InvalidArgument("scorecards: the subtree is empty");
  SubtreeScorecards out;
  std::vector<std::string> ours;
  for (const std::string& v : villages) {
    if (crdt::IsAtOrBelow(v, subtree)) ours.push_back(v);
  }

  std::vector<Activity> activities;
  std::vector<HeldRecord> held;
  FULEI_RETURN_IF_ERROR(
      Each(store, kActivity, subtree, out.unreadable, [&](const auto& key, const Fields& f) {
        return Keep(ReadActivity(key.scope, key.id, f), activities) &&
               Keep(ReadHeldRecord(key.type, key.scope, key.id, f), held);
      }));
  for (std::string_view type : {kTraining, kMeeting}) {
    FULEI_RETURN_IF_ERROR(
        Each(store, type, subtree, out.unreadable, [&](const auto& key, const Fields& f) {
          return Keep(ReadHeldRecord(key.type, key.scope, key.id, f), held);
        }));
  }
  std::vector<FollowUpItem> follow_ups;
  for (std::string_view type : {kPatrol, kReferral}) {
    FULEI_RETURN_IF_ERROR(
        Each(store, type, subtree, out.unreadable, [&](const auto& key, const Fields& f) {
          Result<std::optional<FollowUpItem>> item = ReadFollowUp(key.type, key.scope, key.id, f);
          if (!item.ok()) return false;
          if (*item) follow_ups.push_back(std::move(**item));
          return true;
        }));
  }
  std::vector<CounsellingSession> sessions;
  FULEI_RETURN_IF_ERROR(
      Each(store, kCounselling, subtree, out.unreadable, [&](const auto& key, const Fields& f) {
        return Keep(ReadCounselling(key.scope, key.id, f), sessions);
      }));
  std::vector<Pairing> pairings;
  FULEI_RETURN_IF_ERROR(
      Each(store, kPairing, subtree, out.unreadable, [&](const auto& key, const Fields& f) {
        return Keep(ReadPairing(key.scope, key.id, f), pairings);
      }));
  std::vector<Contact> contacts;
  FULEI_RETURN_IF_ERROR(
      Each(store, kContact, subtree, out.unreadable, [&](const auto& key, const Fields& f) {
        return Keep(ReadContact(key.scope, key.id, f), contacts);
      }));
  // Corrections wherever they are held, for the units of the subtree.
  FULEI_RETURN_IF_ERROR(
      Each(store, kCorrection, "", out.unreadable, [&](const auto&, const Fields& f) {
        if (!crdt::IsAtOrBelow(OneOr(f, "unit"), subtree)) return true;
        if (!OneOr(f, "completed_on").empty()) return true;
        std::optional<OpenCorrection> c = ReadOpenCorrection(f);
        if (!c) return false;  // open, but no unit, item or due date
        out.corrections.push_back(std::move(*c));
        return true;
      }));

  out.duties.push_back(
      {"holiday_care", "假期关爱", CheckHolidayCare(ours, activities, year, today).rollup});
  out.duties.push_back({"weekend_class", "周末兴趣班",
                        CheckHeldPerVillage(ours, held, HeldDuty::kWeekendClass, year, today)});
  out.duties.push_back({"children_school", "儿童学校",
                        CheckHeldPerVillage(ours, held, HeldDuty::kChildrenSchool, year, today)});
  out.duties.push_back(
      {"training", "举办培训", CheckHeldPerVillage(ours, held, HeldDuty::kTraining, year, today)});
  out.duties.push_back({"liaison_meeting", "联络员会议",
                        CheckHeldPerVillage(ours, held, HeldDuty::kLiaisonMeeting, year, today)});
  out.duties.push_back(
      {"follow_up", "巡防与转介跟进", CheckFollowUps(ours, follow_ups, today).rollup});
  out.duties.push_back({"guardian_informed", "心理辅导告知监护人",
                        GuardianNotInformed(ours, sessions, today).rollup});
  out.duties.push_back({"family_care", "亲情关爱",
                        FamilyCareRollUp(ours, FamilyCareOverdue(pairings, contacts, today))});

  std::vector<NamedDuty> named;  // views of out.duties, which no longer grows
  named.reserve(out.duties.size());
  for (const ScoredDuty& d : out.duties) named.push_back({d.code, d.zh, &d.rollup});
  out.cards = ComputeScorecards(named, out.corrections, today);
  return out;
}

}  // namespace fulei::programme
