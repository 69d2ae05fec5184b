// The inspection scorecard (scorecard.h): per village and per town, from duty roll-ups and open
// corrections, with the items behind each score.
#include "programme/scorecard.h"

#include <gtest/gtest.h>

namespace fulei::programme {
namespace {

DutyRollUp Camps() {
  // Town cizao: 2 of 5 villages met it, 3 fell short. Town anhai: its one village is pending.
  std::vector<VillageDuty> v = {
      {"jinjiang/cizao/v001", DutyStatus::kMet, 1},
      {"jinjiang/cizao/v002", DutyStatus::kMet, 2},
      {"jinjiang/cizao/v003", DutyStatus::kShortfall, 0},
      {"jinjiang/cizao/v004", DutyStatus::kShortfall, 0},
      {"jinjiang/cizao/v005", DutyStatus::kShortfall, 0},
      {"jinjiang/anhai/v001", DutyStatus::kPending, 0},
  };
  return RollUpVillages(std::move(v));
}

TEST(ScorecardTest, VillagesLoseForShortfallsTownsInProportion) {
  const DutyRollUp camps = Camps();
  const NamedDuty duties[] = {{"holiday_care", "假期关爱", &camps}};
  const Scorecards s = ComputeScorecards(duties, {}, Date{2026, 12, 1});
  ASSERT_EQ(s.villages.size(), 6u);
  EXPECT_EQ(s.villages[0].unit, "jinjiang/cizao/v001");
  EXPECT_EQ(s.villages[0].score, 100);
  EXPECT_EQ(s.villages[2].score, 100 - kDutyPoints);
  ASSERT_EQ(s.villages[2].items.size(), 1u);
  EXPECT_EQ(s.villages[2].items[0].what, "holiday_care");
  EXPECT_EQ(s.villages[2].items[0].points_lost, kDutyPoints);
  EXPECT_EQ(s.villages[5].score, 100);  // pending costs nothing
  EXPECT_EQ(s.villages[5].items[0].zh, "假期关爱：进行中");
  ASSERT_EQ(s.towns.size(), 2u);
  EXPECT_EQ(s.towns[0].unit, "jinjiang/anhai");
  EXPECT_EQ(s.towns[0].score, 100);
  EXPECT_EQ(s.towns[1].unit, "jinjiang/cizao");
  EXPECT_EQ(s.towns[1].score, 100 - kDutyPoints * 3 / 5);
  EXPECT_NE(s.towns[1].items[0].zh.find("5 个村中 2 个达标"), std::string::npos)
      << s.towns[1].items[0].zh;
}

TEST(ScorecardTest, OverdueCorrectionsCostTheVillageAndItsTown) {
  const DutyRollUp camps = Camps();
  const NamedDuty duties[] = {{"holiday_care", "假期关爱", &camps}};
  const OpenCorrection corrections[] = {
      {"jinjiang/cizao/v001", "儿童之家未按时开放", Date{2026, 11, 1}},
      {"jinjiang/cizao/v002", "台账不全", Date{2026, 12, 31}},
      {"jinjiang/anhai", "督导员未到岗", Date{2026, 10, 1}},
  };
  const Scorecards s = ComputeScorecards(duties, corrections, Date{2026, 12, 1});
  EXPECT_EQ(s.villages[0].score, 100 - kOverduePoints);
  ASSERT_EQ(s.villages[0].items.size(), 2u);
  EXPECT_EQ(s.villages[0].items[1].what, "correction");
  EXPECT_NE(s.villages[0].items[1].zh.find("整改逾期"), std::string::npos);
  EXPECT_EQ(s.villages[1].score, 100);  // not yet due
  EXPECT_EQ(s.villages[1].items.size(), 2u);
  EXPECT_EQ(s.towns[0].score, 100 - kOverduePoints);                        // anhai
  EXPECT_EQ(s.towns[1].score, 100 - kDutyPoints * 3 / 5 - kOverduePoints);  // cizao
  EXPECT_EQ(s.villages.size(), 6u);  // the town's own correction adds no village
}

TEST(ScorecardTest, ScoreNeverBelowZero) {
  std::vector<DutyRollUp> rollups;
  for (int i = 0; i < 12; ++i) {
    rollups.push_back(RollUpVillages({{"jinjiang/cizao/v001", DutyStatus::kShortfall, 0}}));
  }
  std::vector<NamedDuty> duties;
  for (int i = 0; i < 12; ++i) duties.push_back({"d" + std::to_string(i), "职责", &rollups[i]});
  const Scorecards s = ComputeScorecards(duties, {}, Date{2026, 12, 1});
  ASSERT_EQ(s.villages.size(), 1u);
  EXPECT_EQ(s.villages[0].score, 0);
  EXPECT_EQ(s.villages[0].items.size(), 12u);
  EXPECT_EQ(s.towns[0].score, 0);
}

TEST(ScorecardTest, ReadsOpenCorrectionsFromRecords) {
  const Fields open = {{"inspection", {"i-1"}},
                       {"unit", {"jinjiang/cizao/v001"}},
                       {"item", {"台账不全"}},
                       {"due", {"2026-12-31"}}};
  const std::optional<OpenCorrection> c = ReadOpenCorrection(open);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->unit, "jinjiang/cizao/v001");
  EXPECT_EQ(c->due, (Date{2026, 12, 31}));
  Fields done = open;
  done["completed_on"] = {"2026-11-20"};
  EXPECT_FALSE(ReadOpenCorrection(done).has_value());
  Fields bad = open;
  bad["due"] = {"someday"};
  EXPECT_FALSE(ReadOpenCorrection(bad).has_value());
}

}  // namespace
}  // namespace fulei::programme
