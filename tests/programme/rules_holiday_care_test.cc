// Holiday care (programme/rules_holiday_care.h): camps of at least 10 days, owed by each village,
// counted by year of start and rolled up "N of M villages" per town and city.
#include "programme/rules_holiday_care.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace fulei::programme {
namespace {

Activity Camp(std::string scope, std::string id, Date start, Date end,
              std::string kind = "summer_camp") {
  return Activity{std::move(scope), std::move(id), std::move(kind), start, end, 30};
}

std::vector<std::string> Villages(const std::string& town, int n) {
  std::vector<std::string> out;
  for (int i = 1; i <= n; ++i) out.push_back(town + "/v00" + std::to_string(i));
  return out;
}

TEST(HolidayCareTest, TwoOfFiveVillagesIsTwoOfFiveNotMet) {
  std::vector<std::string> villages = Villages("jinjiang/cizao", 5);
  std::vector<Activity> a{
      Camp("jinjiang/cizao/v001", "a1", Date{2025, 7, 1}, Date{2025, 7, 10}),
      Camp("jinjiang/cizao/v003", "a2", Date{2025, 1, 20}, Date{2025, 1, 31}, "winter_camp"),
      // The town's own camp is held for no village in particular: it meets no village's duty.
      Camp("jinjiang/cizao", "a3", Date{2025, 8, 1}, Date{2025, 8, 20}),
  };
  HolidayCareCheck r = CheckHolidayCare(villages, a, 2025, Date{2026, 2, 1});
  ASSERT_EQ(r.villages.size(), 5u);
  EXPECT_EQ(r.villages[0].status, CampYearStatus::kMet);
  EXPECT_EQ(r.villages[1].status, CampYearStatus::kShortfall);
  EXPECT_EQ(r.villages[2].status, CampYearStatus::kMet);
  EXPECT_EQ(r.villages[3].status, CampYearStatus::kShortfall);
  EXPECT_EQ(r.villages[4].status, CampYearStatus::kShortfall);
  const RollUp* town = r.rollup.Town("jinjiang/cizao");
  ASSERT_NE(town, nullptr);
  EXPECT_EQ(town->villages, 5);
  EXPECT_EQ(town->met, 2);
  EXPECT_EQ(town->shortfall, 3);
  EXPECT_FALSE(town->AllMet());
  EXPECT_EQ(town->Summary(), "5 个村中 2 个达标 / 2 of 5 villages met it");
  EXPECT_EQ(town->unit_records, 1);
  ASSERT_EQ(r.unit_camps.size(), 1u);
  EXPECT_EQ(r.unit_camps[0].activity, "a3");
  EXPECT_EQ(r.rollup.city.unit, "jinjiang");
  EXPECT_EQ(r.rollup.city.met, 2);
  EXPECT_EQ(r.rollup.city.villages, 5);
}

TEST(HolidayCareTest, TenDaysInclusiveAndYearOfStart) {
  std::vector<Activity> a{
      Camp("jinjiang/cizao/v001", "a1", Date{2025, 7, 1}, Date{2025, 7, 10}),  // 10 days: ok
      Camp("jinjiang/cizao/v002", "a2", Date{2025, 1, 20}, Date{2025, 1, 28}, "winter_camp"),  // 9
      Camp("jinjiang/chidian/v003", "a3", Date{2025, 12, 28}, Date{2026, 1, 8}, "winter_camp"),
      Camp("jinjiang/xiyuan/v001", "a4", Date{2025, 7, 1}, Date{2025, 7, 20}, "weekend_class"),
      Camp("jinjiang/cizao/v009", "a5", Date{2025, 7, 1}, Date{2025, 7, 20}),  // not listed
  };
  std::vector<std::string> villages{"jinjiang/cizao/v001", "jinjiang/cizao/v002",
                                    "jinjiang/chidian/v003", "jinjiang/xiyuan/v001"};
  HolidayCareCheck r = CheckHolidayCare(villages, a, 2025, Date{2026, 2, 1});
  ASSERT_EQ(r.villages.size(), 4u);
  EXPECT_EQ(r.villages[0].status, CampYearStatus::kMet);
  EXPECT_EQ(r.villages[0].camp_days, 10);
  EXPECT_EQ(r.villages[1].status, CampYearStatus::kShortfall);  // 9 days is short
  EXPECT_EQ(r.villages[1].camps, 1);
  EXPECT_EQ(r.villages[1].qualifying, 0);
  ASSERT_EQ(r.villages[1].short_camps.size(), 1u);
  EXPECT_EQ(r.villages[1].short_camps[0].days, 9);
  EXPECT_EQ(r.villages[2].status, CampYearStatus::kMet);        // Dec 28 – Jan 8 = 12 days, 2025
  EXPECT_EQ(r.villages[3].status, CampYearStatus::kShortfall);  // a weekend class is no camp
  EXPECT_TRUE(r.unit_camps.empty());  // an unlisted village's camp is ignored
  EXPECT_EQ(r.rollup.city.met, 2);
  EXPECT_EQ(r.rollup.city.count, 2);
  // The current year is pending, not a shortfall, and the winter camp is not 2026's.
  HolidayCareCheck now = CheckHolidayCare(villages, a, 2026, Date{2026, 2, 1});
  EXPECT_EQ(now.villages[2].status, CampYearStatus::kPending);
  EXPECT_EQ(now.rollup.city.pending, 4);
  EXPECT_EQ(now.rollup.city.met, 0);
}

TEST(HolidayCareTest, MoreThanTwoIsReportedNotAFault) {
  std::vector<std::string> villages{"jinjiang/cizao/v001"};
  std::vector<Activity> a;
  for (int i = 0; i < 3; ++i) {
    a.push_back(Camp(villages[0], "c" + std::to_string(i), Date{2025, 7, 1}, Date{2025, 7, 15}));
  }
  HolidayCareCheck r = CheckHolidayCare(villages, a, 2025, Date{2026, 1, 1});
  EXPECT_EQ(r.villages[0].status, CampYearStatus::kMet);
  EXPECT_TRUE(r.villages[0].more_than_two);
  EXPECT_TRUE(r.rollup.city.AllMet());
}

}  // namespace
}  // namespace fulei::programme
