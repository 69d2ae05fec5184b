#include "node/sim/workload.h"

#include <algorithm>
#include <cstdio>
#include <span>
#include <utility>

#include "crdt/org_unit.h"
#include "crdt/record.h"
#include "programme/assistance.h"
#include "programme/id_number.h"
#include "programme/schema.h"
#include "programme/scope.h"
#include "programme/validate.h"
#include "programme/write_policy.h"

namespace fulei::node::sim {
namespace {

constexpr uint64_t kDayMs = 86'400'000;
constexpr int kHelpersPerUnit = 4;

const char* const kCategories[] = {"orphan", "abandoned", "de_facto_unsupported", "left_behind",
                                   "in_difficulty"};
const char* const kHarms[] = {"abuse", "neglect", "bullying", "violence", "abandonment"};
const char* const kHelperKinds[] = {"cadre", "teacher", "volunteer", "social_worker"};
const char* const kContactKinds[] = {"talk", "home_visit", "video_call"};
const char* const kVillageActivities[] = {"summer_camp", "winter_camp", "weekend_class",
                                          "children_school"};
const char* const kOfficeActivities[] = {"family_education", "training", "weekend_class"};
const char* const kReferralTargets[] = {"police",       "procuratorate", "court",
                                        "youth_league", "legal_aid",     "women_federation"};
const char* const kConsultTopics[] = {"guardianship", "support", "schooling", "harm", "household"};

template <size_t N>
const char* Pick(Dice& dice, const char* const (&values)[N]) {
  return values[dice.Uniform(0, N - 1)];
}

std::string PickCode(Dice& dice, std::span<const programme::EnumValue> values) {
  return std::string(values[dice.Uniform(0, values.size() - 1)].code);
}

// An amount in yuan as a person types it: whole, or with fen.
std::string Yuan(Dice& dice, uint64_t lo, uint64_t hi) {
  std::string s = std::to_string(dice.Uniform(lo, hi));
  if (dice.Chance(0.3)) s += "." + std::to_string(dice.Uniform(10, 99));
  return s;
}

programme::UnitLevel LevelOf(crypto::Role role) {
  switch (role) {
    case crypto::Role::kCity:
      return programme::UnitLevel::kCity;
    case crypto::Role::kTown:
      return programme::UnitLevel::kTown;
    default:
      return programme::UnitLevel::kVillage;
  }
}

std::string Digits(Dice& dice, int n) {
  std::string s;
  for (int k = 0; k < n; ++k) s += static_cast<char>('0' + dice.Uniform(0, 9));
  return s;
}

std::string Phone(Dice& dice) { return "13" + Digits(dice, 9); }

// A 居民身份证号 of Jinjiang (350582) agreeing with the birth date and gender.
std::string IdNumber(Dice& dice, const programme::Date& birth, bool male) {
  char first17[18];
  const uint64_t serial = 2 * dice.Uniform(0, 498) + (male ? 1 : 2);
  std::snprintf(first17, sizeof first17, "350582%04d%02d%02d%03u", birth.year, birth.month,
                birth.day, static_cast<unsigned>(serial));
  std::string id(first17);
  id += programme::IdNumberCheckChar(id);
  return id;
}

std::string SchoolLevel(int age) {
  if (age < 3) return "preschool";
  if (age < 6) return "kindergarten";
  if (age < 12) return "primary";
  if (age < 15) return "junior_high";
  return "senior_high";
}

}  // namespace

Workload::Clock Workload::ClockOf(int i) {
  const uint64_t node_ms = nodes_.core(i)->Now(nodes_.Wall(i));
  const uint64_t true_ms = std::min(node_ms, kEpochMs + loop_.now());
  Clock c;
  c.today = programme::DateAtMs(node_ms);
  c.now_s = static_cast<int64_t>(node_ms / 1000);
  c.date = programme::DateAtMs(true_ms);
  c.time_s = static_cast<int64_t>(true_ms / 1000);
  return c;
}

std::vector<Workload::Value> Workload::NewChild(int number, const Clock& clock) {
  const int64_t age_days = static_cast<int64_t>(dice_.Uniform(365, 17 * 365));
  const programme::Date birth = programme::AddDays(clock.date, -age_days);
  const bool male = dice_.Chance(0.5);
  const int age = programme::AgeOn(birth, clock.date);
  return {
      {"name", "儿童" + std::to_string(number), false},
      {"gender", male ? "male" : "female", false},
      {"birth_date", birth.ToString(), false},
      {"id_number", IdNumber(dice_, birth, male), false},
      {"category", Pick(dice_, kCategories), false},
      {"school_level", SchoolLevel(age), false},
      {"study_aid_wish", dice_.Chance(0.5) ? "yes" : "no", false},
      {"consent_on", clock.date.ToString(), false},
  };
}

std::vector<Workload::Value> Workload::NewReport(const std::string& child, const Clock& clock) {
  return {
      {"harm", Pick(dice_, kHarms), false},
      {"child", child, false},
      {"reporter_role", "teacher", false},
      {"reporter_name", "报告人", false},
      {"reporter_phone", Phone(dice_), false},
      {"reported_at", programme::FormatTime(clock.time_s), false},
      {"description", "模拟报告 / simulated report", false},
      {"police_informed", "no", false},
  };
}

programme::Viewer Workload::Person(int i, programme::Role town_role) {
  const NodeInfo& n = nodes_.info()[static_cast<size_t>(i)];
  programme::Role role = town_role;
  if (n.role == crypto::Role::kVillage) role = programme::Role::kVillageDirector;
  if (n.role == crypto::Role::kCity) role = programme::Role::kCityBureau;
  return programme::Viewer(role, n.unit, "u" + std::to_string(dice_.Uniform(1, 3)));
}

Status Workload::Preload(int i) {
  static const char* kEdited[] = {"school", "grade", "phone", "study_aid_wish", "address"};
  const NodeInfo& n = nodes_.info()[static_cast<size_t>(i)];
  NodeCore& core = *nodes_.core(i);
  const Clock clock = ClockOf(i);
  const std::string scope = programme::RecordScope(programme::kChild, n.unit, LevelOf(n.role));
  // The village's director enters its existing children (as an import would, for a person).
  const programme::Viewer director(programme::Role::kVillageDirector, n.unit, "director");
  std::map<std::pair<int, std::string>, crdt::OpId> last;  // (child, field) -> op that wrote it
  for (int round = 0; round < config_.preload_ops_per_child; ++round) {
    std::vector<store::LocalChange> changes;
    std::vector<std::vector<std::string>> written;  // per child: the fields this round wrote
    for (int c = 0; c < config_.preload_children; ++c) {
      store::LocalChange change;
      change.key = {scope, std::string(programme::kChild), "c" + std::to_string(c)};
      std::vector<Value> values;
      if (round == 0) {
        values = NewChild(c, clock);
      } else {
        const std::string field = kEdited[(round - 1) % 5];
        std::string value = "value " + std::to_string(round);
        if (field == "phone") value = Phone(dice_);
        if (field == "study_aid_wish") value = round % 2 == 0 ? "yes" : "no";
        values.push_back({field, value});
      }
      written.emplace_back();
      for (const Value& v : values) {
        written.back().push_back(v.field);
        crdt::FieldWrite w{v.field, crdt::WriteKind::kSet, v.value, {}};
        auto it = last.find({c, v.field});
        if (it != last.end()) w.supersedes.push_back(it->second);
        change.writes.push_back(std::move(w));
      }
      changes.push_back(std::move(change));
    }
    auto ops = core.WriteAs(director, changes, {}, nodes_.Wall(i));
    if (!ops.ok()) {
      return Internal("workload: the preload of " + n.unit +
                      " was refused: " + ops.status().message());
    }
    for (size_t c = 0; c < ops->size(); ++c) {
      for (const std::string& field : written[c]) {
        last[{static_cast<int>(c), field}] = (*ops)[c].id();
      }
    }
    records_written_[std::string(programme::kChild)] += ops->size();
    records_by_role_[std::string(programme::RoleCode(director.role))] += ops->size();
    ledger_.Wrote(i, *ops, /*report=*/false, loop_.now());
    preloaded_ops_ += ops->size();
  }
  nodes_.Drive(i);
  return Status::Ok();
}

void Workload::Start() {
  if (!config_.workload) return;
  for (const NodeInfo& n : nodes_.info()) ScheduleEdit(n.index);
}

void Workload::ScheduleEdit(int i) {
  loop_.At(
      loop_.now() + dice_.Exp(config_.mean_write_interval_ms),
      [this, i] {
        if (!writing_) return;
        if (nodes_.core(i) != nullptr) Edit(i);
        ScheduleEdit(i);
      },
      /*background=*/true);  // a recurring process: it never makes the network busy by itself
}

void Workload::Edit(int i) {
  const NodeInfo& n = nodes_.info()[static_cast<size_t>(i)];
  const Clock clock = ClockOf(i);
  if (n.role == crypto::Role::kVillage) return EditAtVillage(i, clock);
  EditAbove(i, clock);
}

void Workload::EditAtVillage(int i, const Clock& clock) {
  const NodeInfo& n = nodes_.info()[static_cast<size_t>(i)];
  const programme::UnitLevel level = LevelOf(n.role);
  const programme::Viewer director = Person(i, programme::Role::kVillageDirector);
  const int k =
      static_cast<int>(dice_.Uniform(0, static_cast<uint64_t>(config_.children_per_village - 1)));
  const std::string child = "c" + std::to_string(k);
  const std::string helper = "h" + std::to_string(k % kHelpersPerUnit);
  auto key = [&](std::string_view type, std::string id) {
    return crdt::RecordKey{programme::RecordScope(type, n.unit, level), std::string(type),
                           std::move(id)};
  };
  if (dice_.Chance(config_.urgent_fraction)) {
    const crdt::RecordKey rk = key(programme::kReport, "r" + std::to_string(++report_counter_));
    Put(i, rk, NewReport(child, clock), clock, director, /*report=*/true);
    return;
  }
  // What to write, of 20: a child 7, a helper 2, a pairing 3, a contact 4, an activity, an
  // assistance entry, a referral and a legal consultation 1 each. A record that needs others
  // first (a contact or assistance its pairing, a pairing its child and helper) writes the
  // first one missing instead, so that every edit writes a record; a pairing held already is
  // ended now and then, else it gets a contact.
  enum class Step {
    kChild,
    kHelper,
    kPairing,
    kContact,
    kActivity,
    kAssistance,
    kReferral,
    kConsultation
  };
  const uint64_t what = dice_.Uniform(0, 19);
  Step step = what <= 6    ? Step::kChild
              : what <= 8  ? Step::kHelper
              : what <= 11 ? Step::kPairing
              : what <= 15 ? Step::kContact
              : what == 16 ? Step::kActivity
              : what == 17 ? Step::kAssistance
              : what == 18 ? Step::kReferral
                           : Step::kConsultation;
  if (step == Step::kReferral) return EditReferral(i, clock, child);
  if (step == Step::kConsultation) return EditConsultation(i, clock, child);
  const crdt::RecordKey pk = key(programme::kPairing, "p" + std::to_string(k));
  std::optional<programme::Fields> current, pairing;
  if (step == Step::kPairing || step == Step::kContact || step == Step::kAssistance) {
    std::optional<programme::Fields> c, h;
    if (!Current(i, key(programme::kChild, child), c)) return;
    if (!Current(i, key(programme::kHelper, helper), h)) return;
    if (!Current(i, pk, pairing)) return;
    if (!c) {
      step = Step::kChild;
    } else if (!h) {
      step = Step::kHelper;
    } else if (!pairing) {
      step = Step::kPairing;
    } else if (step == Step::kPairing &&
               (programme::One(*pairing, "end_date") || !dice_.Chance(0.2))) {
      step = Step::kContact;
    }
  }
  if (step == Step::kChild) {  // register a child, or edit one
    const crdt::RecordKey ck = key(programme::kChild, child);
    if (!Current(i, ck, current)) return;
    std::vector<Value> values;
    if (!current) {
      values = NewChild(k, clock);
    } else {
      switch (dice_.Uniform(0, 3)) {
        case 0:
          values.push_back({"school", "第" + std::to_string(dice_.Uniform(1, 9)) + "小学"});
          break;
        case 1:
          values.push_back({"phone", Phone(dice_)});
          break;
        case 2:
          values.push_back({"study_aid_wish", dice_.Chance(0.5) ? "yes" : "no"});
          break;
        default:
          values.push_back({"living_support",
                            dice_.Chance(0.5) ? "basic_living_allowance" : "education_aid", true});
          break;
      }
    }
    Put(i, ck, values, clock, director, false);
  } else if (step == Step::kHelper) {  // a helper of the village (registry)
    const crdt::RecordKey hk = key(programme::kHelper, helper);
    if (!Current(i, hk, current)) return;
    std::vector<Value> values;
    if (!current) {
      values = {{"name", "帮扶人" + helper},
                {"kind", Pick(dice_, kHelperKinds)},
                {"loving_parent", dice_.Chance(0.5) ? "true" : "false"},
                {"joined_on", clock.date.ToString()},
                {"active", "true"}};
    } else {
      values = {{"active", dice_.Chance(0.8) ? "true" : "false"}};
    }
    Put(i, hk, values, clock, director, false);
  } else if (step == Step::kPairing) {  // pair child k with helper k % 4, or end the pairing
    std::vector<Value> values;
    if (!pairing) {
      values = {{"helper", helper},
                {"child", child},
                {"kind", dice_.Chance(0.8) ? "family_care" : "assistance"},
                {"start_date", clock.date.ToString()}};
    } else {
      std::string end = clock.date.ToString();
      end = std::max(end, std::string(programme::OneOr(*pairing, "start_date")));
      values = {{"end_date", end}};
    }
    Put(i, pk, values, clock, director, false);
  } else if (step == Step::kContact) {  // a contact of the paired helper with the child
    const programme::Fields& p = *pairing;
    const std::string paired_helper(programme::OneOr(p, "helper"));
    // The caring parent (爱心家长) writes their own contact while the pairing is in force.
    const auto start = programme::ParseDate(programme::OneOr(p, "start_date"));
    const bool in_force = !programme::One(p, "end_date") && start.ok() && !(clock.today < *start);
    const programme::Viewer writer =
        in_force && dice_.Chance(0.3)
            ? programme::Viewer(programme::Role::kCaringParent, n.unit, paired_helper)
            : director;
    const std::string kind = Pick(dice_, kContactKinds);
    std::vector<Value> values = {{"kind", kind},
                                 {"child", std::string(programme::OneOr(p, "child"))},
                                 {"helper", paired_helper},
                                 {"date", clock.date.ToString()},
                                 {"minutes", std::to_string(dice_.Uniform(5, 90))}};
    if (kind == "video_call" && dice_.Chance(0.5)) {  // 亲情视频 with the absent parent
      values.push_back({"counterpart", "parent"});
      values.push_back({"parent_relation", dice_.Chance(0.5) ? "father" : "mother"});
    }
    Put(i, key(programme::kContact, "k" + std::to_string(++contact_counter_)), values, clock,
        writer, false);
  } else if (step == Step::kAssistance) {  // assistance given under the pairing
    const std::span<const programme::EnumValue> kinds = programme::AssistanceKindValues();
    const programme::EnumValue& kind = kinds[dice_.Uniform(0, kinds.size() - 1)];
    // By code or by its Chinese label, with an amount or without (goods, a service).
    std::string entry = clock.date.ToString() + "\t" +
                        std::string(dice_.Chance(0.5) ? kind.code : kind.zh) + "\t" +
                        (dice_.Chance(0.7) ? Yuan(dice_, 50, 2000) : "") + "\t模拟帮扶";
    std::vector<Value> values = {{"assistance", std::move(entry), false, true}};
    if (!programme::One(*pairing, "card_no")) {
      values.push_back({"card_no", "KP-" + std::to_string(k)});
      values.push_back({"card_plan", "每月走访一次，按需提供学习用品"});
    }
    Put(i, pk, values, clock, director, false);
  } else {  // an activity the village's children's home held
    const programme::Date start =
        programme::AddDays(clock.date, -static_cast<int64_t>(dice_.Uniform(0, 30)));
    const programme::Date end =
        programme::AddDays(start, static_cast<int64_t>(dice_.Uniform(0, 12)));
    const crdt::RecordKey ak = key(programme::kActivity, "a" + std::to_string(++activity_counter_));
    Put(i, ak,
        {{"kind", Pick(dice_, kVillageActivities)},
         {"title", "儿童之家活动"},
         {"start_date", start.ToString()},
         {"end_date", end.ToString()},
         {"attendance", std::to_string(dice_.Uniform(3, 40))}},
        clock, director, false);
  }
}

void Workload::EditReferral(int i, const Clock& clock, const std::string& child) {
  const NodeInfo& n = nodes_.info()[static_cast<size_t>(i)];
  const programme::Viewer director = Person(i, programme::Role::kVillageDirector);
  std::vector<crdt::RecordKey>& open = open_referrals_[i];
  if (const crdt::RecordKey* rk = PickKey(open); rk != nullptr && dice_.Chance(0.5)) {
    const crdt::RecordKey key = *rk;
    std::vector<Value> values;
    const bool close = dice_.Chance(0.4);
    if (close) {
      values = {{"status", "closed"},
                {"closed_on", clock.date.ToString()},
                {"response", "已反馈处理结果"}};
    } else {
      values = {
          {"status", "following"},
          {"follow_ups", clock.date.ToString() + "：电话跟进，等待反馈", false, true},
          {"follow_up_due",
           programme::AddDays(clock.date, static_cast<int64_t>(dice_.Uniform(7, 21))).ToString()}};
    }
    if (Put(i, key, values, clock, director, false) && close) std::erase(open, key);
    return;
  }
  const std::vector<std::string>& reports = reports_[i];
  if (reports.empty()) {  // nothing to refer yet: a report first (an urgent write)
    const crdt::RecordKey rk{programme::RecordScope(programme::kReport, n.unit, LevelOf(n.role)),
                             std::string(programme::kReport),
                             "r" + std::to_string(++report_counter_)};
    Put(i, rk, NewReport(child, clock), clock, director, /*report=*/true);
    return;
  }
  const crdt::RecordKey key{programme::RecordScope(programme::kReferral, n.unit, LevelOf(n.role)),
                            std::string(programme::kReferral),
                            "rf" + std::to_string(++referral_counter_)};
  std::vector<Value> values = {{"case", reports[dice_.Uniform(0, reports.size() - 1)]},
                               {"to", Pick(dice_, kReferralTargets)},
                               {"date", clock.date.ToString()},
                               {"notes", "转介说明"},
                               {"status", "open"}};
  if (dice_.Chance(0.8)) {
    values.push_back(
        {"follow_up_due",
         programme::AddDays(clock.date, static_cast<int64_t>(dice_.Uniform(0, 30))).ToString()});
  }
  if (Put(i, key, values, clock, director, false)) open.push_back(key);
}

void Workload::EditConsultation(int i, const Clock& clock, const std::string& child) {
  const NodeInfo& n = nodes_.info()[static_cast<size_t>(i)];
  const programme::Viewer writer = Person(i, programme::Role::kTownOffice);
  std::vector<crdt::RecordKey>& open = open_consultations_[i];
  if (const crdt::RecordKey* ck = PickKey(open); ck != nullptr && dice_.Chance(0.5)) {
    const crdt::RecordKey key = *ck;
    const bool close = dice_.Chance(0.4);
    std::vector<Value> values;
    if (close) {
      values = {{"closed_on", clock.date.ToString()}, {"answer", "已解答并办结"}};
    } else {
      values = {
          {"follow_ups", clock.date.ToString() + "：律师回访", false, true},
          {"follow_up_due",
           programme::AddDays(clock.date, static_cast<int64_t>(dice_.Uniform(7, 30))).ToString()}};
    }
    if (Put(i, key, values, clock, writer, false) && close) std::erase(open, key);
    return;
  }
  // A village's consultation lives in its scope, a town's or the city's in its office scope.
  const crdt::RecordKey key{
      programme::RecordScope(programme::kLegalConsultation, n.unit, LevelOf(n.role)),
      std::string(programme::kLegalConsultation), "lc" + std::to_string(++consultation_counter_)};
  std::vector<Value> values = {{"date", clock.date.ToString()},
                               {"topic", Pick(dice_, kConsultTopics)},
                               {"consultant", "公益律师"},
                               {"question", "咨询内容"}};
  if (n.role == crypto::Role::kVillage) values.push_back({"child", child});
  if (dice_.Chance(0.7)) {
    values.push_back(
        {"follow_up_due",
         programme::AddDays(clock.date, static_cast<int64_t>(dice_.Uniform(0, 30))).ToString()});
  }
  if (Put(i, key, values, clock, writer, false)) open.push_back(key);
}

void Workload::EditAbove(int i, const Clock& clock) {
  const NodeInfo& n = nodes_.info()[static_cast<size_t>(i)];
  std::optional<programme::Fields> current;
  // Of 10: a village's child 3, the unit's registries 2, a facility, a post, an inspection, a
  // fund and a legal consultation 1 each.
  const uint64_t what = dice_.Uniform(0, 9);
  if (what <= 2) {
    // A village's child, as the town or city office edits it: in the child's own scope.
    std::string village = RandomVillageBelow(n.unit);
    if (village.empty()) return;
    const crdt::RecordKey ck{
        std::move(village), std::string(programme::kChild),
        "c" + std::to_string(
                  dice_.Uniform(0, static_cast<uint64_t>(config_.children_per_village - 1)))};
    if (!Current(i, ck, current)) return;
    if (!current) return EditRegistries(i, clock);  // not held here (yet)
    Put(i, ck,
        {{"category_review_on",
          programme::AddDays(clock.date, static_cast<int64_t>(dice_.Uniform(30, 365))).ToString()}},
        clock, Person(i, programme::Role::kTownOffice), false);
  } else if (what <= 4) {
    EditRegistries(i, clock);
  } else if (what == 5) {
    EditFacility(i, clock);
  } else if (what == 6) {
    EditPost(i, clock);
  } else if (what == 7) {
    EditInspection(i, clock);
  } else if (what == 8) {
    EditFund(i, clock);
  } else {
    EditConsultation(i, clock, "");
  }
}

void Workload::EditRegistries(int i, const Clock& clock) {
  const NodeInfo& n = nodes_.info()[static_cast<size_t>(i)];
  const programme::UnitLevel level = LevelOf(n.role);
  const programme::Viewer writer = Person(i, programme::Role::kTownSupervisor);
  std::optional<programme::Fields> current;
  if (dice_.Chance(0.5)) {
    // The unit's own helpers (a registry: the unit's own scope).
    const std::string id = "h" + std::to_string(dice_.Uniform(0, 5));
    const crdt::RecordKey hk{programme::RecordScope(programme::kHelper, n.unit, level),
                             std::string(programme::kHelper), id};
    if (!Current(i, hk, current)) return;
    std::vector<Value> values;
    if (!current) {
      values = {{"name", "帮扶人" + id}, {"kind", Pick(dice_, kHelperKinds)}, {"active", "true"}};
    } else {
      values = {{"phone", Phone(dice_)}};
    }
    Put(i, hk, values, clock, writer, false);
  } else {
    // An activity the unit held (a registry: the unit's own scope).
    const programme::Date start =
        programme::AddDays(clock.date, -static_cast<int64_t>(dice_.Uniform(0, 30)));
    const crdt::RecordKey ak{programme::RecordScope(programme::kActivity, n.unit, level),
                             std::string(programme::kActivity),
                             "a" + std::to_string(++activity_counter_)};
    Put(i, ak,
        {{"kind", Pick(dice_, kOfficeActivities)},
         {"title", "培训"},
         {"start_date", start.ToString()},
         {"end_date", programme::AddDays(start, 1).ToString()},
         {"attendance", std::to_string(dice_.Uniform(10, 200))}},
        clock, writer, false);
  }
}

void Workload::EditFacility(int i, const Clock& clock) {
  const NodeInfo& n = nodes_.info()[static_cast<size_t>(i)];
  const programme::Viewer writer = Person(i, programme::Role::kTownSupervisor);
  // The city's regional welfare home; a town's own care room, or one of its villages' homes
  // (kept in the village's scope: a registry of the unit it is in).
  std::string unit = n.unit;
  std::string kind = n.role == crypto::Role::kCity ? "welfare_home" : "care_room";
  if (n.role == crypto::Role::kTown && dice_.Chance(0.6)) {
    if (std::string v = RandomVillageBelow(n.unit); !v.empty()) {
      unit = std::move(v);
      kind = "children_home";
    }
  }
  const crdt::RecordKey key{
      programme::RecordScope(programme::kFacility, unit, programme::LevelByDepth(unit)),
      std::string(programme::kFacility), "f-" + kind};
  std::optional<programme::Fields> current;
  if (!Current(i, key, current)) return;
  std::vector<Value> values;
  if (!current) {
    values = {{"kind", kind},
              {"name", kind == "children_home" ? "儿童之家" : "关爱服务室"},
              {"opened_on", clock.date.ToString()},
              {"area_m2", std::to_string(dice_.Uniform(40, 400))},
              {"active", "true"}};
  } else if (dice_.Chance(0.5)) {
    values = {{"open_hours", "周一至周六 " + std::to_string(dice_.Uniform(8, 9)) + ":00-17:00"}};
  } else {
    values = {{"active", dice_.Chance(0.85) ? "true" : "false"}};
  }
  Put(i, key, values, clock, writer, false);
}

void Workload::EditPost(int i, const Clock& clock) {
  const NodeInfo& n = nodes_.info()[static_cast<size_t>(i)];
  const programme::UnitLevel level = LevelOf(n.role);
  const programme::Viewer writer = Person(i, programme::Role::kTownSupervisor);
  std::vector<std::string>& trainings = trainings_[i];
  // A workforce training the unit held first (the city holds trainings only); then the posts
  // it staffs: a village's director, the town's own supervisor.
  if (trainings.empty() || n.role == crypto::Role::kCity || dice_.Chance(0.1)) {
    const std::string id = "tr" + std::to_string(++training_counter_);
    const programme::Date start =
        programme::AddDays(clock.date, -static_cast<int64_t>(dice_.Uniform(0, 20)));
    const crdt::RecordKey key{programme::RecordScope(programme::kTraining, n.unit, level),
                              std::string(programme::kTraining), id};
    if (Put(i, key,
            {{"kind", "workforce"},
             {"title", "儿童主任业务培训"},
             {"audience", "director", true},
             {"audience", "supervisor", true},
             {"start_date", start.ToString()},
             {"end_date", programme::AddDays(start, 1).ToString()},
             {"hours", "8"},
             {"attendance", std::to_string(dice_.Uniform(10, 60))}},
            clock, writer, false)) {
      trainings.push_back(id);
    }
    return;
  }
  std::string unit = n.unit;
  std::string role = "supervisor";
  if (dice_.Chance(0.7)) {
    if (std::string v = RandomVillageBelow(n.unit); !v.empty()) {
      unit = std::move(v);
      role = "director";
    }
  }
  const crdt::RecordKey key{
      programme::RecordScope(programme::kStaffPost, unit, programme::LevelByDepth(unit)),
      std::string(programme::kStaffPost), "post-" + role};
  std::optional<programme::Fields> current;
  if (!Current(i, key, current)) return;
  const std::string training = trainings[dice_.Uniform(0, trainings.size() - 1)];
  std::vector<Value> values;
  if (!current) {
    values = {{"role", role},
              {"person", "h0"},
              {"name", role == "director" ? "儿童主任" : "儿童督导员"},
              {"unit", unit},
              {"since", clock.date.ToString()},
              {"certified", dice_.Chance(0.5) ? "true" : "false"},
              {"trainings", training, true}};
  } else if (!programme::One(*current, "until") && dice_.Chance(0.1)) {
    std::string until = clock.date.ToString();
    values = {{"until", std::max(until, std::string(programme::OneOr(*current, "since")))}};
  } else if (dice_.Chance(0.5)) {
    values = {{"trainings", training, true}};
  } else {
    values = {{"certified", "true"}};
  }
  Put(i, key, values, clock, writer, false);
}

void Workload::EditInspection(int i, const Clock& clock) {
  const NodeInfo& n = nodes_.info()[static_cast<size_t>(i)];
  const programme::UnitLevel level = LevelOf(n.role);
  const programme::Viewer office = Person(i, programme::Role::kTownOffice);
  std::vector<crdt::RecordKey>& open = open_corrections_[i];
  if (const crdt::RecordKey* ck = PickKey(open); ck != nullptr && dice_.Chance(0.4)) {
    const crdt::RecordKey key = *ck;
    if (Put(i, key, {{"completed_on", clock.date.ToString()}, {"notes", "已按期整改"}}, clock,
            office, false)) {
      std::erase(open, key);
    }
    return;
  }
  // The unit inspected: a town's village; the city's town or village.
  std::string target = n.role == crypto::Role::kCity && dice_.Chance(0.5)
                           ? RandomTown()
                           : RandomVillageBelow(n.unit);
  if (target.empty()) target = n.unit;
  const std::string id = "in" + std::to_string(++inspection_counter_);
  const std::string scope = programme::RecordScope(programme::kInspection, n.unit, level);
  std::vector<Change> changes = {{{scope, std::string(programme::kInspection), id},
                                  {{"unit", target},
                                   {"date", clock.date.ToString()},
                                   {"inspectors", "督查组"},
                                   {"findings", "台账基本齐全，部分活动记录缺失"},
                                   {"score", std::to_string(dice_.Uniform(60, 100))}}}};
  const uint64_t corrections = dice_.Uniform(0, 2);
  for (uint64_t j = 1; j <= corrections; ++j) {
    // Due from ten days ago (overdue already: a late entry) to two months ahead.
    const int64_t due = static_cast<int64_t>(dice_.Uniform(0, 70)) - 10;
    changes.push_back({{scope, std::string(programme::kCorrection), id + "-" + std::to_string(j)},
                       {{"inspection", id},
                        {"unit", target},
                        {"item", j == 1 ? "补齐活动台账" : "落实儿童之家开放时间"},
                        {"due", programme::AddDays(clock.date, due).ToString()}}});
  }
  if (PutAll(i, changes, clock, office, false)) {
    for (size_t j = 1; j < changes.size(); ++j) open.push_back(changes[j].key);
  }
}

void Workload::EditFund(int i, const Clock& clock) {
  const NodeInfo& n = nodes_.info()[static_cast<size_t>(i)];
  const programme::UnitLevel level = LevelOf(n.role);
  // The city allocates to its towns; a town allocates to and spends at its villages, or
  // spends itself.
  std::string unit = n.role == crypto::Role::kCity ? RandomTown() : RandomVillageBelow(n.unit);
  if (unit.empty()) unit = n.unit;
  const bool spending = n.role != crypto::Role::kCity && dice_.Chance(0.5);
  const crdt::RecordKey key{programme::RecordScope(programme::kFund, n.unit, level),
                            std::string(programme::kFund), "fd" + std::to_string(++fund_counter_)};
  Put(i, key,
      {{"kind", spending ? "spending" : "allocation"},
       {"work", PickCode(dice_, programme::WorkValues())},
       {"unit", unit},
       {"amount", spending ? Yuan(dice_, 100, 5000) : Yuan(dice_, 5000, 200000)},
       {"date", clock.date.ToString()},
       {"voucher_no", "PZ" + Digits(dice_, 6)}},
      clock, Person(i, programme::Role::kTownOffice), false);
}

bool Workload::Current(int i, const crdt::RecordKey& key, std::optional<programme::Fields>& out,
                       crdt::RecordState* state) {
  auto got = nodes_.core(i)->store().Get(key);
  if (!got.ok()) {
    loop_.Fail(got.status());
    return false;
  }
  out.reset();
  if (got->has_value()) {
    out = programme::ReadFields(**got);
    if (state != nullptr) *state = std::move(**got);
  }
  return true;
}

bool Workload::Put(int i, const crdt::RecordKey& key, const std::vector<Value>& values,
                   const Clock& clock, const programme::Viewer& writer, bool report) {
  return PutAll(i, {Change{key, values}}, clock, writer, report);
}

bool Workload::PutAll(int i, const std::vector<Change>& changes, const Clock& clock,
                      const programme::Viewer& writer, bool report) {
  std::vector<store::LocalChange> local;
  for (const Change& c : changes) {
    std::optional<programme::Fields> before;
    crdt::RecordState state;
    if (!Current(i, c.key, before, &state)) return false;
    if (!before) {
      state = crdt::RecordState();  // absent, or deleted: written anew
    } else {
      // Already invalid at this node's clock: a person could not save it either.
      programme::ValidateOptions vo;
      vo.now_s = clock.now_s;
      vo.stored = &*before;
      if (!programme::ValidateRecord(c.key.type, *before, clock.today, vo).ok()) {
        records_skipped_++;
        return false;
      }
    }
    store::LocalChange change;
    change.key = c.key;
    if (report) change.flags = crdt::kOpFlagUrgent;
    for (const Value& v : c.values) {
      change.writes.push_back(v.append ? crdt::AppendWrite(v.field, v.value)
                              : v.add  ? crdt::AddWrite(v.field, v.value)
                                       : crdt::SetWrite(state, v.field, v.value));
    }
    local.push_back(std::move(change));
  }
  if (!Write(i, local, writer, report)) return false;
  for (const Change& c : changes) {
    records_written_[c.key.type]++;
    records_by_role_[std::string(programme::RoleCode(writer.role))]++;
    if (report) reports_[i].push_back(c.key.id);
  }
  return true;
}

void Workload::FileReport(int i) {
  if (nodes_.core(i) == nullptr) return;
  const NodeInfo& n = nodes_.info()[static_cast<size_t>(i)];
  const Clock clock = ClockOf(i);
  const crdt::RecordKey key{programme::RecordScope(programme::kReport, n.unit, LevelOf(n.role)),
                            std::string(programme::kReport),
                            "r" + std::to_string(++report_counter_)};
  std::vector<Value> values = NewReport("c0", clock);
  values[0].value = "abuse";
  Put(i, key, values, clock,
      programme::Viewer(programme::Role::kVillageDirector, n.unit, "director"), /*report=*/true);
}

bool Workload::Write(int i, const std::vector<store::LocalChange>& changes,
                     const programme::Viewer& writer, bool report) {
  NodeCore& core = *nodes_.core(i);
  std::vector<std::string> outboxes;
  if (report) outboxes.push_back(kUpstreamOutbox);
  auto ops = core.WriteAs(writer, changes, outboxes, nodes_.Wall(i));
  if (!ops.ok()) {
    // A write the workload meant to be valid was refused: the run fails.
    const NodeInfo& n = nodes_.info()[static_cast<size_t>(i)];
    std::string what;
    for (const store::LocalChange& c : changes) what += " " + c.key.ToString();
    loop_.Fail(Status(ops.status().code(),
                      "workload: " + n.unit + " (wall " + std::to_string(nodes_.Wall(i)) +
                          "): " + std::string(programme::RoleCode(writer.role)) + " " +
                          writer.user + " of " + writer.unit + " was refused" + what + ": " +
                          ops.status().message()));
    return false;
  }
  ledger_.Wrote(i, *ops, report, loop_.now());
  ops_written_ += ops->size();
  if (report) urgent_written_ += ops->size();
  nodes_.Drive(i);
  return true;
}

std::string Workload::RandomVillageBelow(const std::string& unit) {
  std::vector<const NodeInfo*> villages;
  for (const NodeInfo& n : nodes_.info()) {
    if (n.role == crypto::Role::kVillage && crdt::IsAtOrBelow(n.unit, unit)) {
      villages.push_back(&n);
    }
  }
  if (villages.empty()) return "";  // a town without villages
  return villages[dice_.Uniform(0, villages.size() - 1)]->unit;
}

std::string Workload::RandomTown() {
  std::vector<const NodeInfo*> towns;
  for (const NodeInfo& n : nodes_.info()) {
    if (n.role == crypto::Role::kTown) towns.push_back(&n);
  }
  if (towns.empty()) return "";
  return towns[dice_.Uniform(0, towns.size() - 1)]->unit;
}

const crdt::RecordKey* Workload::PickKey(const std::vector<crdt::RecordKey>& keys) {
  if (keys.empty()) return nullptr;
  return &keys[dice_.Uniform(0, keys.size() - 1)];
}

}  // namespace fulei::node::sim
