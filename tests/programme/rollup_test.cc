// The per-village roll-up (programme/rollup.h): "N of M villages met it" per town and city.
#include "programme/rollup.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace fulei::programme {
namespace {

TEST(RollUpTest, TwoOfFiveIsNotMet) {
  std::vector<VillageDuty> v{
      {"jinjiang/cizao/v001", DutyStatus::kMet, 1},
      {"jinjiang/cizao/v002", DutyStatus::kShortfall, 0},
      {"jinjiang/cizao/v003", DutyStatus::kMet, 2},
      {"jinjiang/cizao/v004", DutyStatus::kShortfall, 0},
      {"jinjiang/cizao/v005", DutyStatus::kPending, 0},
      {"jinjiang/chidian/v001", DutyStatus::kMet, 1},
      {"jinjiang/cizao/v001", DutyStatus::kShortfall, 0},  // a duplicate: the first counts
  };
  DutyRollUp r = RollUpVillages(v);
  ASSERT_EQ(r.villages.size(), 6u);
  ASSERT_EQ(r.towns.size(), 2u);
  EXPECT_EQ(r.towns[0].unit, "jinjiang/chidian");  // path order
  const RollUp* cizao = r.Town("jinjiang/cizao");
  ASSERT_NE(cizao, nullptr);
  EXPECT_EQ(cizao->villages, 5);
  EXPECT_EQ(cizao->met, 2);
  EXPECT_EQ(cizao->shortfall, 2);
  EXPECT_EQ(cizao->pending, 1);
  EXPECT_EQ(cizao->count, 3);
  EXPECT_FALSE(cizao->AllMet());
  EXPECT_EQ(cizao->Summary(), "5 个村中 2 个达标 / 2 of 5 villages met it");
  EXPECT_EQ(cizao->shortfall_villages,
            (std::vector<std::string>{"jinjiang/cizao/v002", "jinjiang/cizao/v004"}));
  EXPECT_EQ(cizao->pending_villages, (std::vector<std::string>{"jinjiang/cizao/v005"}));
  EXPECT_TRUE(r.towns[0].AllMet());
  EXPECT_EQ(r.city.unit, "jinjiang");
  EXPECT_EQ(r.city.villages, 6);
  EXPECT_EQ(r.city.met, 3);
  EXPECT_EQ(r.city.Summary(), "6 个村中 3 个达标 / 3 of 6 villages met it");
  EXPECT_EQ(r.Town("jinjiang/xiyuan"), nullptr);
  EXPECT_FALSE(RollUp{}.AllMet());  // no villages: never "met"
}

TEST(RollUpTest, UnitRecordsCountForTheirTownAndCityOnly) {
  DutyRollUp r = RollUpVillages({{"jinjiang/cizao/v001", DutyStatus::kMet, 1}});
  EXPECT_TRUE(AddUnitRecord(r, "jinjiang/cizao"));
  EXPECT_TRUE(AddUnitRecord(r, "jinjiang/cizao/~office"));
  EXPECT_TRUE(AddUnitRecord(r, "jinjiang/~office"));
  EXPECT_FALSE(AddUnitRecord(r, "jinjiang/xiyuan"));  // no listed village there
  EXPECT_FALSE(AddUnitRecord(r, "quanzhou"));
  EXPECT_EQ(r.towns[0].unit_records, 2);
  EXPECT_EQ(r.city.unit_records, 3);
  EXPECT_EQ(r.towns[0].met, 1);  // unit records never make a village "met"
}

TEST(RollUpTest, VillageIndexFindsTheHoldingVillage) {
  std::vector<std::string> v{"jinjiang/cizao/v001", "jinjiang/cizao/v01", "jinjiang/cizao/v001"};
  VillageIndex index(v);
  EXPECT_EQ(index.Find("jinjiang/cizao/v001"), 0);
  EXPECT_EQ(index.Find("jinjiang/cizao/v01"), 1);
  EXPECT_EQ(index.Find("jinjiang/cizao/v001/x"), 0);
  EXPECT_EQ(index.Find("jinjiang/cizao/v0011"), -1);
  EXPECT_EQ(index.Find("jinjiang/cizao"), -1);
  EXPECT_EQ(index.Find(""), -1);
}

}  // namespace
}  // namespace fulei::programme
