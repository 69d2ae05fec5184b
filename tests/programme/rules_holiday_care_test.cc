// Holiday care (programme/rules_holiday_care.h): camps of at least 10 days, counted by year of
// start and over the unit's subtree.
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

TEST(HolidayCareTest, TenDaysInclusiveAndYearOfStart) {
  std::vector<Activity> a{
      Camp("jinjiang/cizao/v001", "a1", Date{2025, 7, 1}, Date{2025, 7, 10}),  // 10 days: ok
      Camp("jinjiang/cizao", "a2", Date{2025, 1, 20}, Date{2025, 1, 28}, "winter_camp"),  // 9
      Camp("jinjiang/chidian/v003", "a3", Date{2025, 12, 28}, Date{2026, 1, 8}, "winter_camp"),
      Camp("jinjiang/xiyuan", "a4", Date{2025, 7, 1}, Date{2025, 7, 20}, "weekend_class"),
  };
  std::vector<std::string> units{"jinjiang/cizao", "jinjiang/chidian", "jinjiang/xiyuan",
                                 "jinjiang/cizao/v001", "jinjiang/cizao/v002"};
  auto r = CheckHolidayCare(units, a, 2025, Date{2026, 2, 1});
  ASSERT_EQ(r.size(), 5u);
  EXPECT_EQ(r[0].status, CampYearStatus::kMet);
  EXPECT_EQ(r[0].camps, 2);
  EXPECT_EQ(r[0].qualifying, 1);
  ASSERT_EQ(r[0].short_camps.size(), 1u);
  EXPECT_EQ(r[0].short_camps[0].days, 9);
  EXPECT_EQ(r[1].status, CampYearStatus::kMet);  // Dec 28 – Jan 8 = 12 days, counts for 2025
  EXPECT_EQ(r[2].status, CampYearStatus::kShortfall);  // a weekend class is not a camp
  EXPECT_EQ(r[3].status, CampYearStatus::kMet);
  EXPECT_EQ(r[4].status, CampYearStatus::kShortfall);
  // The current year is pending, not a shortfall.
  EXPECT_EQ(CheckHolidayCare(units, a, 2026, Date{2026, 2, 1})[2].status, CampYearStatus::kPending);
}

}  // namespace
}  // namespace fulei::programme
