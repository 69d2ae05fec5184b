#include "node/sim/workload.h"

#include <algorithm>
#include <cstdio>
#include <span>
#include <utility>

#include "crdt/org_unit.h"
#include "crdt/record.h"
#include "programme/id_number.h"
#include "programme/schema.h"
#include "programme/scope.h"
#include "programme/validate.h"

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

template <size_t N>
const char* Pick(Dice& dice, const char* const (&values)[N]) {
  return values[dice.Uniform(0, N - 1)];
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

programme::Date DateOfMs(uint64_t ms) {
  return programme::CivilFromDays(static_cast<int64_t>(ms / kDayMs));
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

void Apply(programme::Fields& fields, const std::string& field, const std::string& value,
           bool add) {
  std::vector<std::string>& values = fields[field];
  if (!add) {
    values = {value};
  } else if (std::find(values.begin(), values.end(), value) == values.end()) {
    values.push_back(value);
  }
}

}  // namespace

Workload::Clock Workload::ClockOf(int i) {
  const uint64_t node_ms = nodes_.core(i)->Now(nodes_.Wall(i));
  const uint64_t true_ms = std::min(node_ms, kEpochMs + loop_.now());
  Clock c;
  c.today = DateOfMs(node_ms);
  c.now_s = static_cast<int64_t>(node_ms / 1000);
  c.date = DateOfMs(true_ms);
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

Status Workload::Preload(int i) {
  static const char* kEdited[] = {"school", "grade", "phone", "study_aid_wish", "address"};
  const NodeInfo& n = nodes_.info()[static_cast<size_t>(i)];
  NodeCore& core = *nodes_.core(i);
  const Clock clock = ClockOf(i);
  const std::string scope = programme::RecordScope(programme::kChild, n.unit, LevelOf(n.role));
  std::vector<programme::Fields> children(static_cast<size_t>(config_.preload_children));
  std::map<std::pair<int, std::string>, crdt::OpId> last;  // (child, field) -> op that wrote it
  for (int round = 0; round < config_.preload_ops_per_child; ++round) {
    std::vector<store::LocalChange> changes;
    std::vector<std::vector<std::string>> written;  // per child: the fields this round wrote
    for (int c = 0; c < config_.preload_children; ++c) {
      store::LocalChange change;
      change.key = {scope, std::string(programme::kChild), "c" + std::to_string(c)};
      change.author = "director";
      std::vector<Value> values;
      if (round == 0) {
        values = NewChild(c, clock);
      } else {
        const std::string field = kEdited[(round - 1) % 5];
        std::string value = "value " + std::to_string(round);
        if (field == "phone") value = Phone(dice_);
        if (field == "study_aid_wish") value = round % 2 == 0 ? "yes" : "no";
        values.push_back({field, value, false});
      }
      programme::Fields& fields = children[static_cast<size_t>(c)];
      written.emplace_back();
      for (const Value& v : values) {
        written.back().push_back(v.field);
        crdt::FieldWrite w{v.field, crdt::WriteKind::kSet, v.value, {}};
        auto it = last.find({c, v.field});
        if (it != last.end()) w.supersedes.push_back(it->second);
        change.writes.push_back(std::move(w));
        Apply(fields, v.field, v.value, false);
      }
      programme::ValidateOptions vo;
      vo.now_s = clock.now_s;
      Status valid = programme::ValidateRecord(programme::kChild, fields, clock.today, vo);
      if (!valid.ok()) {
        return Internal("workload: preloaded " + change.key.ToString() + " at " + n.unit +
                        " is not valid: " + valid.message());
      }
      changes.push_back(std::move(change));
    }
    FULEI_ASSIGN_OR_RETURN(std::vector<crdt::Op> ops, core.Write(changes, {}, nodes_.Wall(i)));
    for (size_t c = 0; c < ops.size(); ++c) {
      for (const std::string& field : written[c]) last[{static_cast<int>(c), field}] = ops[c].id();
    }
    records_written_[std::string(programme::kChild)] += ops.size();
    ledger_.Wrote(i, ops, /*report=*/false, loop_.now());
    preloaded_ops_ += ops.size();
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
  const std::string author = "u" + std::to_string(dice_.Uniform(1, 3));
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
    Put(i, rk, NewReport(child, clock), clock, author, /*report=*/true);
    return;
  }
  // What to write: a child 4 in 10, a helper 1, a pairing 2, a contact 2, an activity 1. A
  // record that needs others first (a contact its pairing, a pairing its child and helper)
  // writes the first one missing instead, so that every edit writes a record; a pairing held
  // already is ended now and then, else it gets a contact.
  enum class Step { kChild, kHelper, kPairing, kContact, kActivity };
  const uint64_t what = dice_.Uniform(0, 9);
  Step step = what <= 3   ? Step::kChild
              : what == 4 ? Step::kHelper
              : what <= 6 ? Step::kPairing
              : what <= 8 ? Step::kContact
                          : Step::kActivity;
  const crdt::RecordKey pk = key(programme::kPairing, "p" + std::to_string(k));
  std::optional<programme::Fields> current, pairing;
  if (step == Step::kPairing || step == Step::kContact) {
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
          values.push_back({"school", "第" + std::to_string(dice_.Uniform(1, 9)) + "小学", false});
          break;
        case 1:
          values.push_back({"phone", Phone(dice_), false});
          break;
        case 2:
          values.push_back({"study_aid_wish", dice_.Chance(0.5) ? "yes" : "no", false});
          break;
        default:
          values.push_back({"living_support",
                            dice_.Chance(0.5) ? "basic_living_allowance" : "education_aid", true});
          break;
      }
    }
    Put(i, ck, values, clock, author, false);
  } else if (step == Step::kHelper) {  // a helper of the village (registry)
    const crdt::RecordKey hk = key(programme::kHelper, helper);
    if (!Current(i, hk, current)) return;
    std::vector<Value> values;
    if (!current) {
      values = {{"name", "帮扶人" + helper, false},
                {"kind", Pick(dice_, kHelperKinds), false},
                {"loving_parent", dice_.Chance(0.5) ? "true" : "false", false},
                {"joined_on", clock.date.ToString(), false},
                {"active", "true", false}};
    } else {
      values = {{"active", dice_.Chance(0.8) ? "true" : "false", false}};
    }
    Put(i, hk, values, clock, author, false);
  } else if (step == Step::kPairing) {  // pair child k with helper k % 4, or end the pairing
    std::vector<Value> values;
    if (!pairing) {
      values = {{"helper", helper, false},
                {"child", child, false},
                {"kind", dice_.Chance(0.8) ? "family_care" : "assistance", false},
                {"start_date", clock.date.ToString(), false}};
    } else {
      std::string end = clock.date.ToString();
      end = std::max(end, std::string(programme::OneOr(*pairing, "start_date")));
      values = {{"end_date", end, false}};
    }
    Put(i, pk, values, clock, author, false);
  } else if (step == Step::kContact) {  // a contact of the paired helper with the child
    const programme::Fields& current_pairing = *pairing;
    const crdt::RecordKey xk = key(programme::kContact, "k" + std::to_string(++contact_counter_));
    Put(i, xk,
        {{"kind", Pick(dice_, kContactKinds), false},
         {"child", std::string(programme::OneOr(current_pairing, "child")), false},
         {"helper", std::string(programme::OneOr(current_pairing, "helper")), false},
         {"date", clock.date.ToString(), false},
         {"minutes", std::to_string(dice_.Uniform(5, 90)), false}},
        clock, author, false);
  } else {  // an activity the village's children's home held
    const programme::Date start =
        programme::AddDays(clock.date, -static_cast<int64_t>(dice_.Uniform(0, 30)));
    const programme::Date end =
        programme::AddDays(start, static_cast<int64_t>(dice_.Uniform(0, 12)));
    const crdt::RecordKey ak = key(programme::kActivity, "a" + std::to_string(++activity_counter_));
    Put(i, ak,
        {{"kind", Pick(dice_, kVillageActivities), false},
         {"title", "儿童之家活动", false},
         {"start_date", start.ToString(), false},
         {"end_date", end.ToString(), false},
         {"attendance", std::to_string(dice_.Uniform(3, 40)), false}},
        clock, author, false);
  }
}

void Workload::EditAbove(int i, const Clock& clock) {
  const NodeInfo& n = nodes_.info()[static_cast<size_t>(i)];
  const std::string author = "u" + std::to_string(dice_.Uniform(1, 3));
  std::optional<programme::Fields> current;
  if (dice_.Chance(0.5)) {
    // A village's child, as the town or city office edits it: in the child's own scope.
    std::string village = RandomVillageBelow(n.unit);
    if (village.empty()) return;
    const crdt::RecordKey ck{
        std::move(village), std::string(programme::kChild),
        "c" + std::to_string(
                  dice_.Uniform(0, static_cast<uint64_t>(config_.children_per_village - 1)))};
    if (!Current(i, ck, current)) return;
    if (!current) return EditRegistries(i, clock, author);  // not held here (yet)
    Put(i, ck,
        {{"category_review_on",
          programme::AddDays(clock.date, static_cast<int64_t>(dice_.Uniform(30, 365))).ToString(),
          false}},
        clock, author, false);
    return;
  }
  EditRegistries(i, clock, author);
}

void Workload::EditRegistries(int i, const Clock& clock, const std::string& author) {
  const NodeInfo& n = nodes_.info()[static_cast<size_t>(i)];
  const programme::UnitLevel level = LevelOf(n.role);
  std::optional<programme::Fields> current;
  if (dice_.Chance(0.5)) {
    // The unit's own helpers (a registry: the unit's own scope).
    const std::string id = "h" + std::to_string(dice_.Uniform(0, 5));
    const crdt::RecordKey hk{programme::RecordScope(programme::kHelper, n.unit, level),
                             std::string(programme::kHelper), id};
    if (!Current(i, hk, current)) return;
    std::vector<Value> values;
    if (!current) {
      values = {{"name", "帮扶人" + id, false},
                {"kind", Pick(dice_, kHelperKinds), false},
                {"active", "true", false}};
    } else {
      values = {{"phone", Phone(dice_), false}};
    }
    Put(i, hk, values, clock, author, false);
  } else {
    // An activity the unit held (a registry: the unit's own scope).
    const programme::Date start =
        programme::AddDays(clock.date, -static_cast<int64_t>(dice_.Uniform(0, 30)));
    const crdt::RecordKey ak{programme::RecordScope(programme::kActivity, n.unit, level),
                             std::string(programme::kActivity),
                             "a" + std::to_string(++activity_counter_)};
    Put(i, ak,
        {{"kind", Pick(dice_, kOfficeActivities), false},
         {"title", "培训", false},
         {"start_date", start.ToString(), false},
         {"end_date", programme::AddDays(start, 1).ToString(), false},
         {"attendance", std::to_string(dice_.Uniform(10, 200)), false}},
        clock, author, false);
  }
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
                   const Clock& clock, const std::string& author, bool report) {
  const NodeInfo& n = nodes_.info()[static_cast<size_t>(i)];
  std::optional<programme::Fields> before;
  crdt::RecordState state;
  if (!Current(i, key, before, &state)) return false;
  if (!before) state = crdt::RecordState();  // absent, or deleted: written anew
  programme::Fields proposed = before.value_or(programme::Fields());
  store::LocalChange change;
  change.key = key;
  change.author = author;
  if (report) change.flags = crdt::kOpFlagUrgent;
  for (const Value& v : values) {
    change.writes.push_back(v.add ? crdt::AddWrite(v.field, v.value)
                                  : crdt::SetWrite(state, v.field, v.value));
    Apply(proposed, v.field, v.value, v.add);
  }
  programme::ValidateOptions vo;
  vo.now_s = clock.now_s;
  Status valid = programme::ValidateRecord(key.type, proposed, clock.today, vo);
  if (!valid.ok()) {
    if (before && !programme::ValidateRecord(key.type, *before, clock.today, vo).ok()) {
      records_skipped_++;  // already invalid at this node's clock: a person could not save it
      return false;
    }
    loop_.Fail(Internal("workload: " + n.unit + " proposed an invalid " + key.ToString() + ": " +
                        valid.message()));
    return false;
  }
  if (!Write(i, change, report)) return false;
  records_written_[key.type]++;
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
  Put(i, key, values, clock, "director", /*report=*/true);
}

bool Workload::Write(int i, const store::LocalChange& change, bool report) {
  NodeCore& core = *nodes_.core(i);
  std::vector<std::string> outboxes;
  if (report) outboxes.push_back(kUpstreamOutbox);
  auto ops = core.Write({change}, outboxes, nodes_.Wall(i));
  if (!ops.ok()) {
    const NodeInfo& n = nodes_.info()[static_cast<size_t>(i)];
    loop_.Fail(Status(ops.status().code(), n.unit + " (wall " + std::to_string(nodes_.Wall(i)) +
                                               "): " + ops.status().message()));
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

}  // namespace fulei::node::sim
