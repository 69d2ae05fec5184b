// Aggregation: the incremental counters equal a brute-force recount of the final records after
// random creates, edits and deletes; and the dashboard read from them is right.
#include "programme/aggregate.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

#include "programme/assistance.h"
#include "programme/funds.h"
#include "programme/memory_index.h"
#include "programme/referrals.h"
#include "tests/support/status_matchers.h"

namespace fulei::programme {
namespace {

using Counts = std::map<std::string, int64_t>;

std::vector<std::string> Ancestors(const std::string& scope) {
  std::vector<std::string> out;
  for (size_t i = 0; i <= scope.size(); ++i) {
    if (i == scope.size() || scope[i] == '/') out.push_back(scope.substr(0, i));
  }
  return out;
}

void Unit(Counts& c, const std::string& scope, const std::string& counter, int64_t n = 1) {
  for (const std::string& u : Ancestors(scope)) c["u|" + u + "|" + counter] += n;
}

std::string Pad(int64_t v, int w) {
  std::string s = std::to_string(v);
  return std::string(static_cast<size_t>(w) - s.size(), '0') + s;
}

// Independent recount from the final records (written from the spec in aggregate.h /
// docs/programme.md, not from aggregate.cc).
Counts BruteForce(const std::map<crdt::RecordKey, Fields>& world) {
  Counts c;
  // (scope, child) -> helpers with an active family-care pairing
  std::map<std::pair<std::string, std::string>, std::set<std::string>> fc;
  // (scope, child, helper) -> periods
  std::map<std::tuple<std::string, std::string, std::string>, std::set<std::string>> periods;
  for (const auto& [k, f] : world) {
    auto get = [&](const char* n) { return std::string(OneOr(f, n)); };
    if (k.type == "child") {
      // A malformed record (an unknown gender or category) contributes nothing.
      static const std::set<std::string> kCategories = {
          "orphan", "abandoned", "de_facto_unsupported", "left_behind", "in_difficulty"};
      if (!get("moved_to").empty() || (get("gender") != "male" && get("gender") != "female") ||
          !kCategories.count(get("category"))) {
        continue;
      }
      Unit(c, k.scope, "child.n");
      Unit(c, k.scope, "child.cat." + get("category"));
      Unit(c, k.scope, "child.gender." + get("gender"));
      Unit(c, k.scope, "child.birth." + get("birth_date"));
      const std::string cat = get("category"), lvl = get("school_level"),
                        done = get("schooling_completed");
      auto secondary = [](const std::string& l) {
        return l == "junior_high" || l == "senior_high" || l == "vocational";
      };
      // Schooling completed counts whatever the child does now; else the level attended, unless
      // college was completed (rules_study_aid.h).
      const bool schooling = secondary(done) || (done != "college" && secondary(lvl));
      if ((cat == "orphan" || cat == "in_difficulty" || cat == "de_facto_unsupported" ||
           cat == "abandoned") &&
          schooling) {
        Unit(c, k.scope, "sa.birth." + get("birth_date"));
        if (get("study_aid_wish") == "yes")
          Unit(c, k.scope, "sa.willing.birth." + get("birth_date"));
      }
    } else if (k.type == "helper") {
      if (get("active") == "false") continue;
      Unit(c, k.scope, "helper.n");
      Unit(c, k.scope, "helper.kind." + get("kind"));
      if (get("loving_parent") == "true") Unit(c, k.scope, "helper.loving_parent");
    } else if (k.type == "activity") {
      const Date s = *ParseDate(get("start_date")), e = *ParseDate(get("end_date"));
      const std::string suffix = get("kind") + "." + std::to_string(s.year);
      Unit(c, k.scope, "act.n." + suffix);
      Unit(c, k.scope, "act.days." + suffix, DaysBetween(s, e) + 1);
      Unit(c, k.scope, "act.att." + suffix, std::stoll(get("attendance")));
    } else if (k.type == "report") {
      const int64_t at = *ParseTime(get("reported_at"));
      Unit(c, k.scope, "urgent.report.n");
      const bool closed = get("status") == "closed";
      if (closed) Unit(c, k.scope, "urgent.report.closed");
      if (!get("escalated_at").empty()) Unit(c, k.scope, "urgent.report.escalated");
      if (!get("acknowledged_at").empty()) {
        Unit(c, k.scope, "urgent.report.acked");
        Unit(c, k.scope,
             "urgent.report.ackmin." + Pad((*ParseTime(get("acknowledged_at")) - at) / 60, 10));
      } else if (!closed) {
        Unit(c, k.scope, "urgent.report.open");
        Unit(c, k.scope, "urgent.report.due." + Pad(at + 30 * 60, 12));
      }
    } else if (k.type == "contact") {
      if (get("kind") != "talk" && get("kind") != "home_visit" && get("kind") != "video_call") {
        continue;
      }
      const Date d = *ParseDate(get("date"));
      Unit(c, k.scope, "contact." + get("kind") + "." + MonthLabel(MonthIndex(d)));
      if (get("kind") == "talk") {
        periods[{k.scope, get("child"), get("helper")}].insert("talk." + MonthLabel(MonthIndex(d)));
      } else if (get("kind") == "home_visit") {
        periods[{k.scope, get("child"), get("helper")}].insert("visit." +
                                                               QuarterLabel(QuarterIndex(d)));
      }
    } else if (k.type == "pairing") {
      if (!get("end_date").empty()) continue;
      Unit(c, k.scope, "pairing." + get("kind"));
      if (get("kind") == "family_care") fc[{k.scope, get("child")}].insert(get("helper"));
    }
  }
  for (const auto& [sc, helpers] : fc) {
    const auto& [scope, child] = sc;
    Unit(c, scope, "fc.children");
    std::set<std::string> any;
    for (const std::string& h : helpers) {
      const std::string hp = "hv|" + scope + "|" + h + "|";
      c[hp + "fc.children"] += 1;
      for (const std::string& p : periods[{scope, child, h}]) {
        any.insert(p);
        c[hp + "fc." + p] += 1;
      }
    }
    for (const std::string& p : any) Unit(c, scope, "fc." + p);
  }
  return c;
}

class RandomWorld {
 public:
  explicit RandomWorld(uint32_t seed) : rng_(seed) {}

  int R(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[static_cast<size_t>(R(static_cast<int>(v.size())))];
  }
  std::string RandDate(int y0, int y1) {
    Date d{y0 + R(y1 - y0 + 1), 1 + R(12), 1};
    d.day = 1 + R(DaysInMonth(d.year, d.month));
    return d.ToString();
  }

  std::string Scope() {
    static const std::vector<std::string> kScopes = {"jinjiang/cizao/v001", "jinjiang/cizao/v002",
                                                     "jinjiang/chidian/v001",
                                                     "jinjiang/xiyuan/c003", "jinjiang/cizao"};
    return Pick(kScopes);
  }

  std::pair<crdt::RecordKey, Fields> Make() {
    static const std::vector<std::string> kTypes = {"child",   "child",   "helper",  "activity",
                                                    "report",  "contact", "contact", "contact",
                                                    "pairing", "pairing"};
    crdt::RecordKey k{Scope(), Pick(kTypes), ""};
    Fields f;
    if (k.type == "child") {
      k.id = "c" + std::to_string(R(12));
      f["name"] = {"儿童"};
      f["gender"] = {R(2) ? "male" : "female"};
      f["birth_date"] = {RandDate(2005, 2024)};
      f["category"] = {Pick(std::vector<std::string>{"orphan", "abandoned", "de_facto_unsupported",
                                                     "left_behind", "in_difficulty"})};
      f["school_level"] = {Pick(std::vector<std::string>{"primary", "junior_high", "senior_high",
                                                         "vocational", "not_in_school"})};
      if (R(2)) f["study_aid_wish"] = {R(2) ? "yes" : "no"};
      if (R(3) == 0) {
        f["schooling_completed"] = {
            Pick(std::vector<std::string>{"primary", "junior_high", "senior_high", "college"})};
      }
      if (R(10) == 0) f["moved_to"] = {"jinjiang/anhai/v001"};
      if (R(20) == 0) f["gender"] = {"unknown"};  // malformed: contributes nothing
      if (R(25) == 0) f["category"] = {"poor"};   // unknown code: contributes nothing
    } else if (k.type == "helper") {
      k.id = "h" + std::to_string(R(6));
      f["kind"] = {R(2) ? "teacher" : "volunteer"};
      if (R(2)) f["loving_parent"] = {"true"};
      if (R(5) == 0) f["active"] = {"false"};
    } else if (k.type == "activity") {
      k.id = "a" + std::to_string(R(8));
      std::string s = RandDate(2025, 2026);
      Date e = AddDays(*ParseDate(s), R(14));
      f["kind"] = {R(2) ? "summer_camp" : "weekend_class"};
      f["start_date"] = {s};
      f["end_date"] = {e.ToString()};
      f["attendance"] = {std::to_string(R(50))};
    } else if (k.type == "report") {
      k.id = "r" + std::to_string(R(8));
      const int64_t at = *ParseTime("2026-11-28T00:00:00Z") + R(48) * 1800;
      f["reported_at"] = {FormatTime(at)};
      if (R(2)) f["acknowledged_at"] = {FormatTime(at + R(300) * 60 + R(60))};
      if (R(4) == 0) f["status"] = {"closed"};
      if (R(3) == 0) f["escalated_at"] = {FormatTime(at + 1800)};
    } else if (k.type == "contact") {
      k.id = "k" + std::to_string(R(60));
      f["kind"] = {Pick(std::vector<std::string>{"talk", "talk", "home_visit", "video_call"})};
      f["child"] = {"c" + std::to_string(R(12))};
      f["helper"] = {"h" + std::to_string(R(6))};
      f["date"] = {RandDate(2026, 2026)};
      if (R(30) == 0) f["kind"] = {"phone"};  // unknown code: contributes nothing
    } else {
      k.id = "p" + std::to_string(R(20));
      f["kind"] = {R(4) ? "family_care" : "assistance"};
      f["child"] = {"c" + std::to_string(R(12))};
      f["helper"] = {"h" + std::to_string(R(6))};
      f["start_date"] = {RandDate(2025, 2026)};
      if (R(5) == 0) f["end_date"] = {"2026-12-31"};
    }
    return {k, f};
  }

  std::mt19937 rng_;
};

Counts IndexCounters(const MemoryIndex& idx) {
  Counts c;
  for (const auto& [k, v] : idx.entries()) {
    if (k.rfind("s|", 0) == 0) continue;
    c[k] = std::stoll(v);
  }
  return c;
}

Counts NonZero(Counts c) {
  std::erase_if(c, [](const auto& kv) { return kv.second == 0; });
  return c;
}

TEST(AggregateTest, IncrementalEqualsBruteForceOverRandomHistories) {
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    RandomWorld gen(seed);
    MemoryIndex idx;
    std::map<crdt::RecordKey, Fields> world;
    for (int step = 0; step < 1500; ++step) {
      auto [key, fields] = gen.Make();
      auto it = world.find(key);
      const Fields* before = it == world.end() ? nullptr : &it->second;
      if (before != nullptr && gen.R(4) == 0) {  // delete
        ASSERT_OK(ApplyAggregateChange(key, before, nullptr, idx));
        world.erase(it);
        continue;
      }
      ASSERT_OK(ApplyAggregateChange(key, before, &fields, idx));
      world[key] = fields;
    }
    const Counts expected = NonZero(BruteForce(world));
    const Counts got = IndexCounters(idx);
    for (const auto& [k, v] : got)
      EXPECT_TRUE(expected.count(k)) << "seed " << seed << " extra " << k;
    ASSERT_EQ(got.size(), expected.size()) << "seed " << seed;
    for (const auto& [k, v] : expected) {
      auto it = got.find(k);
      ASSERT_NE(it, got.end()) << "seed " << seed << " missing " << k;
      EXPECT_EQ(it->second, v) << "seed " << seed << " " << k;
    }
    // Deleting everything leaves an empty index (summaries included).
    for (const auto& [k, f] : world) ASSERT_OK(ApplyAggregateChange(k, &f, nullptr, idx));
    EXPECT_TRUE(idx.entries().empty())
        << "seed " << seed << " left " << idx.entries().begin()->first;
  }
}

TEST(AggregateTest, DashboardOnHandBuiltData) {
  MemoryIndex idx;
  const Date today{2026, 11, 29};
  const int64_t now = *ParseTime("2026-11-29T12:00:00Z");
  auto put = [&](std::string scope, std::string type, std::string id, Fields f) {
    ASSERT_OK(ApplyAggregateChange(crdt::RecordKey{scope, type, id}, nullptr, &f, idx));
  };
  const std::string v1 = "jinjiang/cizao/v001", v2 = "jinjiang/cizao/v002";
  const std::string v3 = "jinjiang/chidian/v001";
  put(v1, "child", "c1",
      {{"gender", {"male"}},
       {"birth_date", {"2012-11-29"}},
       {"category", {"orphan"}},
       {"school_level", {"junior_high"}},
       {"study_aid_wish", {"yes"}}});  // 14 today
  put(v1, "child", "c2",
      {{"gender", {"female"}},
       {"birth_date", {"2012-11-30"}},
       {"category", {"orphan"}},
       {"school_level", {"junior_high"}}});  // 13 today
  put(v2, "child", "c3",
      {{"gender", {"female"}}, {"birth_date", {"2020-01-01"}}, {"category", {"left_behind"}}});
  put(v3, "child", "c4",
      {{"gender", {"female"}}, {"birth_date", {"2008-11-29"}}, {"category", {"in_difficulty"}}});
  // Family care: c3 paired with h1 and h2; h1 talked this month, h2 visited last quarter.
  put(v2, "pairing", "p1",
      {{"helper", {"h1"}},
       {"child", {"c3"}},
       {"kind", {"family_care"}},
       {"start_date", {"2026-01-01"}}});
  put(v2, "pairing", "p2",
      {{"helper", {"h2"}},
       {"child", {"c3"}},
       {"kind", {"family_care"}},
       {"start_date", {"2026-01-01"}}});
  put(v1, "pairing", "p3",
      {{"helper", {"h1"}},
       {"child", {"c1"}},
       {"kind", {"family_care"}},
       {"start_date", {"2026-01-01"}}});
  put(v2, "contact", "k1",
      {{"kind", {"talk"}}, {"helper", {"h1"}}, {"child", {"c3"}}, {"date", {"2026-11-01"}}});
  put(v2, "contact", "k2",
      {{"kind", {"talk"}}, {"helper", {"h1"}}, {"child", {"c3"}}, {"date", {"2026-11-02"}}});
  put(v2, "contact", "k3",
      {{"kind", {"home_visit"}}, {"helper", {"h2"}}, {"child", {"c3"}}, {"date", {"2026-09-30"}}});
  put(v1, "contact", "k4",
      {{"kind", {"home_visit"}}, {"helper", {"h1"}}, {"child", {"c1"}}, {"date", {"2026-10-01"}}});
  // Reports: acknowledged after 10, 30 and 50 minutes; one open and overdue; one open, not yet.
  const char* acks[] = {"2026-11-29T08:10:00Z", "2026-11-29T08:30:59Z", "2026-11-29T08:50:00Z"};
  for (int i = 0; i < 3; ++i) {
    put(v1, "report", "r" + std::to_string(i),
        {{"reported_at", {"2026-11-29T08:00:00Z"}}, {"acknowledged_at", {acks[i]}}});
  }
  put(v3, "report", "r3",
      {{"reported_at", {"2026-11-29T09:00:00Z"}},
       {"escalated_at", {"2026-11-29T09:30:00Z"}}});  // due 09:30: overdue, flagged
  // Its own 240 minutes cannot lengthen the report's 30: due 12:15, not overdue at 12:00.
  put(v3, "report", "r4",
      {{"reported_at", {"2026-11-29T11:45:00Z"}}, {"ack_deadline_minutes", {"240"}}});
  put(v1, "activity", "a1",
      {{"kind", {"summer_camp"}},
       {"start_date", {"2026-07-01"}},
       {"end_date", {"2026-07-10"}},
       {"attendance", {"40"}}});
  put("jinjiang", "organisation", "o1", {{"kind", {"social_work_agency"}}});
  put("jinjiang/cizao", "helper", "h1", {{"kind", {"teacher"}}, {"loving_parent", {"true"}}});

  auto city = ReadDashboard(idx, "jinjiang", today, now);
  ASSERT_OK(city);
  EXPECT_EQ(city->children, 4);
  EXPECT_EQ(city->by_category.at("orphan"), 2);
  EXPECT_EQ(city->by_gender.at("female"), 3);
  EXPECT_EQ(city->by_age_band.at("14-15"), 1);
  EXPECT_EQ(city->by_age_band.at("12-13"), 1);
  EXPECT_EQ(city->by_age_band.at("6-11"), 1);
  EXPECT_EQ(city->by_age_band.at("18+"), 1);
  EXPECT_EQ(city->study_aid_candidates, 1);
  EXPECT_EQ(city->study_aid_willing, 1);
  EXPECT_EQ(city->family_care_children, 2);
  EXPECT_EQ(city->talked_this_month, 1);
  EXPECT_EQ(city->visited_this_quarter, 1);  // c1 in Q4; c3's visit was in Q3
  EXPECT_DOUBLE_EQ(city->talk_rate, 0.5);
  EXPECT_EQ(city->contacts_this_month.at("talk"), 2);
  EXPECT_EQ(city->reports.total, 5);
  EXPECT_EQ(city->reports.acknowledged, 3);
  EXPECT_EQ(city->reports.open, 2);
  EXPECT_EQ(city->reports.overdue, 1);
  EXPECT_EQ(city->reports.escalated, 1);
  EXPECT_EQ(city->reports.median_ack_minutes, 30);
  EXPECT_EQ(city->activities_this_year.at("summer_camp").days, 10);
  EXPECT_EQ(city->activities_this_year.at("summer_camp").attendance, 40);
  EXPECT_EQ(city->organisations, 1);
  EXPECT_EQ(city->helpers, 1);
  EXPECT_EQ(city->loving_parents, 1);
  EXPECT_EQ(city->pairings.at("family_care"), 3);

  auto town = ReadDashboard(idx, "jinjiang/cizao", today, now);
  ASSERT_OK(town);
  EXPECT_EQ(town->children, 3);
  EXPECT_EQ(town->reports.overdue, 0);
  EXPECT_EQ(town->organisations, 0);
  auto village = ReadDashboard(idx, "jinjiang/cizao/v002", today, now);
  ASSERT_OK(village);
  EXPECT_EQ(village->children, 1);
  EXPECT_EQ(village->talked_this_month, 1);
  EXPECT_EQ(village->visited_this_quarter, 0);
  // "jinjiang/ci" is not a unit prefix of "jinjiang/cizao".
  EXPECT_EQ(ReadDashboard(idx, "jinjiang/ci", today, now)->children, 0);

  auto helpers = ReadHelperCompliance(idx, "jinjiang/cizao", today);
  ASSERT_OK(helpers);
  ASSERT_EQ(helpers->size(), 2u);
  EXPECT_EQ((*helpers)[0].helper, "h1");
  EXPECT_EQ((*helpers)[0].children, 2);
  EXPECT_EQ((*helpers)[0].talked_this_month, 1);
  EXPECT_EQ((*helpers)[0].visited_this_quarter, 1);
  EXPECT_EQ((*helpers)[1].helper, "h2");
  EXPECT_EQ((*helpers)[1].visited_this_quarter, 0);

  // Ending p1 (h1-c3) removes c3's talk from the town's family-care count; c3 stays in family
  // care through h2.
  Fields p1{{"helper", {"h1"}},
            {"child", {"c3"}},
            {"kind", {"family_care"}},
            {"start_date", {"2026-01-01"}}};
  Fields p1_ended = p1;
  p1_ended["end_date"] = {"2026-11-29"};
  ASSERT_OK(ApplyAggregateChange(crdt::RecordKey{v2, "pairing", "p1"}, &p1, &p1_ended, idx));
  village = ReadDashboard(idx, "jinjiang/cizao/v002", today, now);
  EXPECT_EQ(village->family_care_children, 1);
  EXPECT_EQ(village->talked_this_month, 0);
}

// The records of issue 15 on the dashboard: facilities per kind, posts filled, inspections and
// open corrections, funds allocated and spent, referrals per target and legal consultations with
// their follow-up, contacts with an absent parent, assistance given — per village, town and
// city, resolved against today, and gone again when the records are.
TEST(AggregateTest, NewRecordTypesOnTheDashboard) {
  MemoryIndex idx;
  const Date today{2026, 11, 29};
  const int64_t now = *ParseTime("2026-11-29T12:00:00Z");
  std::map<crdt::RecordKey, Fields> world;
  auto put = [&](std::string scope, std::string type, std::string id, Fields f) {
    const crdt::RecordKey key{std::move(scope), std::move(type), std::move(id)};
    auto it = world.find(key);
    ASSERT_OK(ApplyAggregateChange(key, it == world.end() ? nullptr : &it->second, &f, idx));
    world[key] = std::move(f);
  };
  const std::string city = "jinjiang", town = "jinjiang/cizao", v1 = "jinjiang/cizao/v001",
                    v2 = "jinjiang/cizao/v002", other = "jinjiang/chidian/v001";
  put(v1, "facility", "f1", {{"kind", {"children_home"}}, {"name", {"儿童之家"}}});
  put(v2, "facility", "f1",
      {{"kind", {"children_home"}}, {"name", {"儿童之家"}}, {"active", {"false"}}});
  put(town, "facility", "f2", {{"kind", {"care_room"}}, {"name", {"关爱服务室"}}});
  put(city, "facility", "f3", {{"kind", {"welfare_home"}}, {"name", {"福利院"}}});
  // Posts: v1's director (certified, trained), v2's who left yesterday, the town's supervisor
  // kept at the town for the town, one leaving at the end of the year, and a post whose unit
  // lies elsewhere (counted where it is held).
  put(town, "staff_post", "s1",
      {{"role", {"director"}},
       {"unit", {v1}},
       {"since", {"2025-01-01"}},
       {"certified", {"true"}},
       {"trainings", {"t1", "t2"}}});
  put(town, "staff_post", "s2",
      {{"role", {"director"}},
       {"unit", {v2}},
       {"since", {"2025-01-01"}},
       {"until", {"2026-11-28"}}});
  put(town, "staff_post", "s3",
      {{"role", {"supervisor"}},
       {"unit", {town}},
       {"since", {"2025-01-01"}},
       {"until", {"2026-12-31"}}});
  put(town, "staff_post", "s4",
      {{"role", {"director"}}, {"unit", {other}}, {"since", {"2025-01-01"}}});
  // Inspections: the city inspects v1 this year and the town last year; corrections of v1, one
  // overdue, one not yet due, one done; one of the town.
  put(city, "inspection", "i1", {{"unit", {v1}}, {"date", {"2026-10-01"}}});
  put(city, "inspection", "i2", {{"unit", {town}}, {"date", {"2025-10-01"}}});
  put(city, "correction", "i1-1", {{"unit", {v1}}, {"item", {"台账"}}, {"due", {"2026-11-01"}}});
  put(city, "correction", "i1-2", {{"unit", {v1}}, {"item", {"开放"}}, {"due", {"2026-12-31"}}});
  put(city, "correction", "i1-3",
      {{"unit", {v1}},
       {"item", {"制度"}},
       {"due", {"2026-11-01"}},
       {"completed_on", {"2026-10-20"}}});
  put(city, "correction", "i2-1", {{"unit", {town}}, {"item", {"督导"}}, {"due", {"2026-01-01"}}});
  // Funds, kept in office scopes, counted for the unit they are for.
  put(city + "/~office", "fund", "m1",
      {{"kind", {"allocation"}},
       {"work", {"holiday_care"}},
       {"unit", {town}},
       {"amount", {"10000"}},
       {"date", {"2026-03-01"}}});
  put(town + "/~office", "fund", "m2",
      {{"kind", {"spending"}},
       {"work", {"holiday_care"}},
       {"unit", {v1}},
       {"amount", {"2500.50"}},
       {"date", {"2026-07-01"}}});
  put(town + "/~office", "fund", "m3",
      {{"kind", {"allocation"}},
       {"work", {"legal_aid"}},
       {"unit", {town}},
       {"amount", {"300"}},
       {"date", {"2025-12-01"}}});
  // Referrals and consultations.
  put(v1, "referral", "rf1",
      {{"case", {"r1"}},
       {"to", {"police"}},
       {"date", {"2026-11-01"}},
       {"follow_up_due", {"2026-11-15"}}});
  put(v1, "referral", "rf2",
      {{"case", {"r1"}}, {"to", {"court"}}, {"date", {"2026-11-01"}}, {"status", {"closed"}}});
  put(v2, "referral", "rf3",
      {{"case", {"r2"}}, {"to", {"youth_league"}}, {"date", {"2026-11-01"}}});
  put(v2, "referral", "rf4",
      {{"case", {"r2"}},
       {"to", {"police"}},
       {"date", {"2026-11-01"}},
       {"follow_up_due", {"2026-12-15"}}});
  put(town + "/~office", "legal_consultation", "l1",
      {{"date", {"2026-11-01"}}, {"topic", {"guardianship"}}, {"follow_up_due", {"2026-11-20"}}});
  put(v1, "legal_consultation", "l2",
      {{"date", {"2026-11-01"}}, {"topic", {"schooling"}}, {"closed_on", {"2026-11-10"}}});
  // Contacts: a 亲情视频 call with an absent parent this month, one last month, one with the
  // helper (not counted by counterpart).
  put(v1, "contact", "k1",
      {{"kind", {"video_call"}},
       {"child", {"c1"}},
       {"helper", {"h1"}},
       {"date", {"2026-11-02"}},
       {"counterpart", {"parent"}},
       {"parent_relation", {"mother"}}});
  put(v1, "contact", "k2",
      {{"kind", {"video_call"}},
       {"child", {"c1"}},
       {"helper", {"h1"}},
       {"date", {"2026-10-02"}},
       {"counterpart", {"parent"}}});
  put(v1, "contact", "k3",
      {{"kind", {"talk"}},
       {"child", {"c1"}},
       {"helper", {"h1"}},
       {"date", {"2026-11-03"}},
       {"counterpart", {"helper"}}});
  // Assistance on an ended pairing still counts; an old unknown kind as "other"; last year's
  // and an unreadable entry not this year's.
  put(v1, "pairing", "p1",
      {{"kind", {"assistance"}},
       {"child", {"c1"}},
       {"helper", {"h1"}},
       {"start_date", {"2025-01-01"}},
       {"end_date", {"2026-10-31"}},
       {"assistance",
        {"2026-02-01\tmoney\t200\t", "2026-03-01\t物资\t\t书包", "2026-04-01\t书包\t20\t",
         "2025-04-01\tmoney\t999\t", "garbage"}}});

  ASSERT_OK_AND_ASSIGN(Dashboard c, ReadDashboard(idx, city, today, now));
  EXPECT_EQ(c.facilities, (std::map<std::string, int64_t>{
                              {"care_room", 1}, {"children_home", 1}, {"welfare_home", 1}}));
  EXPECT_EQ(c.posts_filled, (std::map<std::string, int64_t>{{"director", 2}, {"supervisor", 1}}));
  EXPECT_EQ(c.posts_certified, 1);
  EXPECT_EQ(c.posts_trained, 1);
  EXPECT_EQ(c.inspections, 2);
  EXPECT_EQ(c.inspections_this_year, 1);
  EXPECT_EQ(c.corrections_open, 3);
  EXPECT_EQ(c.corrections_overdue, 2);
  EXPECT_EQ(c.corrections_completed, 1);
  EXPECT_EQ(c.funds, (FundStats{1030000, 250050}));
  EXPECT_EQ(c.funds_this_year, (FundStats{1000000, 250050}));
  EXPECT_EQ(c.funds_by_work.at("holiday_care"), (FundStats{1000000, 250050}));
  EXPECT_EQ(c.funds_by_work.at("legal_aid"), (FundStats{30000, 0}));
  EXPECT_EQ(c.referrals.total, 4);
  EXPECT_EQ(c.referrals.closed, 1);
  EXPECT_EQ(c.referrals.open, 3);
  EXPECT_EQ(c.referrals.overdue, 1);
  EXPECT_EQ(c.referrals.no_follow_up_date, 1);
  EXPECT_EQ(c.referrals_by_target.at("police").total, 2);
  EXPECT_EQ(c.referrals_by_target.at("police").overdue, 1);
  EXPECT_EQ(c.referrals_by_target.at("court").closed, 1);
  EXPECT_EQ(c.referrals_by_target.at("youth_league").no_follow_up_date, 1);
  EXPECT_EQ(c.legal_consultations.total, 2);
  EXPECT_EQ(c.legal_consultations.open, 1);
  EXPECT_EQ(c.legal_consultations.overdue, 1);
  EXPECT_EQ(c.legal_by_topic,
            (std::map<std::string, int64_t>{{"guardianship", 1}, {"schooling", 1}}));
  EXPECT_EQ(c.contacts_by_counterpart_this_month, (std::map<std::string, int64_t>{{"parent", 1}}));
  EXPECT_EQ(c.assistance_this_year.at("money"), (AssistanceStats{1, 20000}));
  EXPECT_EQ(c.assistance_this_year.at("goods"), (AssistanceStats{1, 0}));
  EXPECT_EQ(c.assistance_this_year.at("other"), (AssistanceStats{1, 2000}));
  EXPECT_EQ(c.assistance_this_year.size(), 3u);

  // The same figures as the programme's own sums over the records (funds.h, referrals.h,
  // assistance.h), computed another way.
  {
    std::vector<FundEntry> funds;
    std::vector<Fields> referrals, consultations;
    std::vector<PairingAssistance> pairings;
    for (const auto& [k, f] : world) {
      if (k.type == "fund") funds.push_back(*ReadFund(f));
      if (k.type == "referral") referrals.push_back(f);
      if (k.type == "legal_consultation") consultations.push_back(f);
      if (k.type == "pairing") pairings.push_back({k.scope, All(f, "assistance")});
    }
    const FundSums sums = SumFunds(funds);
    EXPECT_EQ(c.funds, (FundStats{sums.total.allocated_fen, sums.total.spent_fen}));
    const ReferralCounts counted = CountReferrals(referrals, consultations, today);
    EXPECT_EQ(c.referrals.total, counted.all_referrals.total);
    EXPECT_EQ(c.referrals.overdue, counted.all_referrals.overdue);
    EXPECT_EQ(c.legal_consultations, counted.legal_consultations);
    const AssistanceSums assist = SumAssistance(pairings, Date{2026, 1, 1}, Date{2026, 12, 31});
    EXPECT_EQ(c.assistance_this_year.at("money").fen, assist.city.fen_by_kind.at("money"));
  }

  ASSERT_OK_AND_ASSIGN(Dashboard t, ReadDashboard(idx, town, today, now));
  EXPECT_EQ(t.facilities, (std::map<std::string, int64_t>{{"care_room", 1}, {"children_home", 1}}));
  // s4 names a unit outside the town that holds it: counted at the town, as held.
  EXPECT_EQ(t.posts_filled, (std::map<std::string, int64_t>{{"director", 2}, {"supervisor", 1}}));
  EXPECT_EQ(t.corrections_open, 3);
  EXPECT_EQ(t.funds, (FundStats{1030000, 250050}));
  EXPECT_EQ(t.legal_consultations.total, 2);  // its office's and v1's
  ASSERT_OK_AND_ASSIGN(Dashboard a, ReadDashboard(idx, v1, today, now));
  EXPECT_EQ(a.facilities, (std::map<std::string, int64_t>{{"children_home", 1}}));
  EXPECT_EQ(a.posts_filled, (std::map<std::string, int64_t>{{"director", 1}}));
  EXPECT_EQ(a.inspections_this_year, 1);
  EXPECT_EQ(a.corrections_open, 2);
  EXPECT_EQ(a.corrections_overdue, 1);
  EXPECT_EQ(a.funds, (FundStats{0, 250050}));
  EXPECT_EQ(a.referrals.total, 2);
  ASSERT_OK_AND_ASSIGN(Dashboard b, ReadDashboard(idx, v2, today, now));
  EXPECT_TRUE(b.facilities.empty());    // inactive
  EXPECT_TRUE(b.posts_filled.empty());  // left yesterday
  ASSERT_OK_AND_ASSIGN(Dashboard elsewhere, ReadDashboard(idx, other, today, now));
  EXPECT_TRUE(elsewhere.posts_filled.empty());

  // Resolved against today: on New Year's Day the supervisor's post has ended, the year's
  // funds and inspections are last year's, and i1-2 is overdue.
  ASSERT_OK_AND_ASSIGN(Dashboard next, ReadDashboard(idx, city, Date{2027, 1, 1}, now));
  EXPECT_EQ(next.posts_filled, (std::map<std::string, int64_t>{{"director", 2}}));
  EXPECT_EQ(next.funds_this_year, (FundStats{}));
  EXPECT_EQ(next.inspections_this_year, 0);
  EXPECT_EQ(next.corrections_overdue, 3);

  // A correction completed moves from open to completed.
  put(city, "correction", "i1-1",
      {{"unit", {v1}},
       {"item", {"台账"}},
       {"due", {"2026-11-01"}},
       {"completed_on", {"2026-11-29"}}});
  ASSERT_OK_AND_ASSIGN(a, ReadDashboard(idx, v1, today, now));
  EXPECT_EQ(a.corrections_open, 1);
  EXPECT_EQ(a.corrections_overdue, 0);
  EXPECT_EQ(a.corrections_completed, 2);

  // Every record gone: every counter gone.
  for (const auto& [k, f] : world) ASSERT_OK(ApplyAggregateChange(k, &f, nullptr, idx));
  EXPECT_TRUE(idx.entries().empty()) << idx.entries().begin()->first;
}

TEST(AggregateTest, CorruptCounterIsReported) {
  MemoryIndex idx;
  ASSERT_OK(idx.Put("u|jinjiang|child.n", "x1"));
  auto d = ReadDashboard(idx, "jinjiang", Date{2026, 1, 1}, 0);
  EXPECT_EQ(d.status().code(), StatusCode::kCorruption);
  Fields child{{"gender", {"male"}}, {"birth_date", {"2012-01-01"}}, {"category", {"orphan"}}};
  EXPECT_EQ(
      ApplyAggregateChange(crdt::RecordKey{"jinjiang", "child", "c1"}, nullptr, &child, idx).code(),
      StatusCode::kCorruption);
}

}  // namespace
}  // namespace fulei::programme
