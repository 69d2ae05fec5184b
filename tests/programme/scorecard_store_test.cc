// Scorecards built from stored records (scorecard_store.h): a town where 2 of its 5 villages
// held a camp shows "2 of 5" and loses in proportion; a correction past its due date costs its
// village and town, wherever the correction is held; another town's villages and corrections,
// and records that do not decode, change nothing.
#include "programme/scorecard_store.h"

#include <gtest/gtest.h>

#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "crdt/hlc.h"
#include "store/store.h"
#include "tests/store/test_util.h"
#include "tests/support/status_matchers.h"

namespace fulei::programme {
namespace {

using ::fulei::testing::TempDir;
using store::testing::Set;

const std::string kCity = "jinjiang";
const std::string kTown = "jinjiang/cizao";
const std::vector<std::string> kVillages = {"jinjiang/cizao/v001", "jinjiang/cizao/v002",
                                            "jinjiang/cizao/v003", "jinjiang/cizao/v004",
                                            "jinjiang/cizao/v005", "jinjiang/anhai/v001"};
const Date kToday{2026, 1, 15};  // 2025 is over: a village without its camp fell short

class ScorecardStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::StoreOptions options;
    options.node_id = 1;  // the city node: it holds every scope
    options.reserve_bytes = 0;
    auto st = store::Store::Open(dir_.path(), options);
    ASSERT_OK(st);
    store_ = std::move(*st);
  }

  void Put(const std::string& scope, const std::string& type, const std::string& id,
           std::vector<crdt::FieldWrite> writes) {
    std::vector<store::LocalChange> changes = {{{scope, type, id}, std::move(writes), "u-1", 0}};
    auto ops = store_->WriteLocal(changes, clock_, wall_ms_ += 1000);
    ASSERT_OK(ops);
  }
  void Camp(const std::string& scope, const std::string& id, const char* start, const char* end) {
    Put(scope, "activity", id,
        {Set("kind", "summer_camp"), Set("title", "夏令营"), Set("start_date", start),
         Set("end_date", end)});
  }
  void Correction(const std::string& scope, const std::string& id, const std::string& unit,
                  const char* due) {
    Put(scope, "correction", id,
        {Set("inspection", "in-1"), Set("unit", unit), Set("item", "补齐台账"), Set("due", due)});
  }

  // Stored: camps at v001 (12 days) and v002 (10 days), a 5-day camp at v003, none at v004 and
  // v005, the town's own camp; corrections of v003 held by the city (overdue), of v001 held by
  // the town (not yet due), of v004 (completed) and of another town's village (overdue).
  void StoreTheTown() {
    Camp(kVillages[0], "a1", "2025-07-01", "2025-07-12");
    Camp(kVillages[1], "a2", "2025-08-01", "2025-08-10");
    Camp(kVillages[2], "a3", "2025-08-01", "2025-08-05");
    Camp(kTown, "a4", "2025-07-01", "2025-07-20");
    Camp(kVillages[5], "a5", "2025-07-01", "2025-07-20");
    Correction(kCity, "in-1-1", kVillages[2], "2025-12-01");
    Correction(kTown, "in-2-1", kVillages[0], "2026-02-01");
    Put(kTown, "correction", "in-2-2",
        {Set("inspection", "in-2"), Set("unit", kVillages[3]), Set("item", "开放时间"),
         Set("due", "2025-12-01"), Set("completed_on", "2025-11-20")});
    Correction(kCity, "in-3-1", kVillages[5], "2025-12-01");
    // Does not decode (no start date): skipped, counted.
    Put(kVillages[4], "activity", "bad", {Set("kind", "summer_camp"), Set("start_date", "7月")});
  }

  const Scorecard& Card(const std::vector<Scorecard>& cards, const std::string& unit) {
    for (const Scorecard& c : cards) {
      if (c.unit == unit) return c;
    }
    ADD_FAILURE() << "no card for " << unit;
    static const Scorecard kNone;
    return kNone;
  }
  const ScoreItem* Item(const Scorecard& card, std::string_view what) {
    for (const ScoreItem& i : card.items) {
      if (i.what == what) return &i;
    }
    return nullptr;
  }
  static int Lost(const Scorecard& card) {
    return std::accumulate(card.items.begin(), card.items.end(), 0,
                           [](int n, const ScoreItem& i) { return n + i.points_lost; });
  }

  TempDir dir_;
  std::unique_ptr<store::Store> store_;
  crdt::HybridClock clock_;
  uint64_t wall_ms_ = 1'768'435'200'000;  // 2026-01-15
};

TEST_F(ScorecardStoreTest, TwoOfFiveVillagesHeldACampAndOneCorrectionIsOverdue) {
  StoreTheTown();
  ASSERT_OK_AND_ASSIGN(SubtreeScorecards s,
                       ScorecardsFromStore(*store_, kTown, kVillages, 2025, kToday));
  EXPECT_EQ(s.unreadable, 1u);
  // The holiday-care roll-up of the town: 2 of 5, not "met".
  ASSERT_FALSE(s.duties.empty());
  EXPECT_EQ(s.duties[0].code, "holiday_care");
  const RollUp* town = s.duties[0].rollup.Town(kTown);
  ASSERT_NE(town, nullptr);
  EXPECT_EQ(town->villages, 5);
  EXPECT_EQ(town->met, 2);
  EXPECT_EQ(town->shortfall, 3);
  EXPECT_FALSE(town->AllMet());
  EXPECT_EQ(town->unit_records, 1);  // the town's own camp helps no village
  // Open corrections of the subtree only: v003's (overdue) and v001's (not yet due).
  ASSERT_EQ(s.corrections.size(), 2u);

  // A card per village of the town, in the list's order; another town's none.
  ASSERT_EQ(s.cards.villages.size(), 5u);
  for (size_t i = 0; i < 5; ++i) EXPECT_EQ(s.cards.villages[i].unit, kVillages[i]);
  ASSERT_EQ(s.cards.towns.size(), 1u);
  EXPECT_EQ(s.cards.towns[0].unit, kTown);

  const Scorecard& v1 = Card(s.cards.villages, kVillages[0]);
  const Scorecard& v3 = Card(s.cards.villages, kVillages[2]);
  ASSERT_NE(Item(v1, "holiday_care"), nullptr);
  EXPECT_EQ(Item(v1, "holiday_care")->points_lost, 0);
  EXPECT_EQ(Item(v3, "holiday_care")->points_lost, kDutyPoints);  // 5 days is no camp
  // v001's correction is not yet due (listed, free); v003's is overdue.
  ASSERT_NE(Item(v1, "correction"), nullptr);
  EXPECT_EQ(Item(v1, "correction")->points_lost, 0);
  ASSERT_NE(Item(v3, "correction"), nullptr);
  EXPECT_EQ(Item(v3, "correction")->points_lost, kOverduePoints);
  EXPECT_NE(Item(v3, "correction")->zh.find("整改逾期"), std::string::npos);
  // The other duties cost both the same (no records of them in 2025): v003 is behind v001 by
  // the camp and the overdue correction.
  EXPECT_EQ(v1.score - v3.score, kDutyPoints + kOverduePoints);
  EXPECT_EQ(v3.score, 100 - Lost(v3));
  // v004 completed its correction: nothing listed.
  EXPECT_EQ(Item(Card(s.cards.villages, kVillages[3]), "correction"), nullptr);

  // The town loses 10 x 3/5 for the camps, and 5 for v003's overdue correction.
  const Scorecard& t = s.cards.towns[0];
  const ScoreItem* camps = Item(t, "holiday_care");
  ASSERT_NE(camps, nullptr);
  EXPECT_EQ(camps->points_lost, kDutyPoints * 3 / 5);
  EXPECT_NE(camps->zh.find("5 个村中 2 个达标"), std::string::npos) << camps->zh;
  int overdue = 0;
  for (const ScoreItem& i : t.items) {
    if (i.what == "correction") overdue += i.points_lost;
  }
  EXPECT_EQ(overdue, kOverduePoints);
  EXPECT_EQ(t.score, 100 - Lost(t));
}

// The same store read for the city: every village of the list, both towns; completing the
// overdue correction gives v003 its 5 points back.
TEST_F(ScorecardStoreTest, CityCardsAndACompletedCorrection) {
  StoreTheTown();
  ASSERT_OK_AND_ASSIGN(SubtreeScorecards city,
                       ScorecardsFromStore(*store_, kCity, kVillages, 2025, kToday));
  EXPECT_EQ(city.cards.villages.size(), 6u);
  ASSERT_EQ(city.cards.towns.size(), 2u);
  EXPECT_EQ(city.cards.towns[0].unit, "jinjiang/anhai");
  EXPECT_EQ(city.corrections.size(), 3u);
  EXPECT_EQ(city.duties[0].rollup.city.met, 3);  // v001, v002 and anhai's v001
  EXPECT_EQ(city.duties[0].rollup.city.villages, 6);
  const int before = Card(city.cards.villages, kVillages[2]).score;

  Put(kCity, "correction", "in-1-1",
      {Set("inspection", "in-1"), Set("unit", kVillages[2]), Set("item", "补齐台账"),
       Set("due", "2025-12-01"), Set("completed_on", "2026-01-10")});
  ASSERT_OK_AND_ASSIGN(city, ScorecardsFromStore(*store_, kCity, kVillages, 2025, kToday));
  EXPECT_EQ(Card(city.cards.villages, kVillages[2]).score, before + kOverduePoints);
  EXPECT_EQ(city.corrections.size(), 2u);

  EXPECT_EQ(ScorecardsFromStore(*store_, "", kVillages, 2025, kToday).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace fulei::programme
