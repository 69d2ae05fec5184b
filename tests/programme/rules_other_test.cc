#include <gtest/gtest.h>

#include "programme/rules_age_out.h"
#include "programme/rules_holiday_care.h"
#include "programme/rules_study_aid.h"
#include "programme/rules_urgent.h"

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
  EXPECT_FALSE(InSubtree("jinjiang/cizao2", "jinjiang/cizao"));
}

Child MakeChild(std::string id, std::string category, Date birth, std::string level,
                std::string wish = "") {
  Child c;
  c.scope = "jinjiang/cizao/v001";
  c.id = std::move(id);
  c.category = std::move(category);
  c.birth = birth;
  c.school_level = std::move(level);
  c.study_aid_wish = std::move(wish);
  return c;
}

TEST(StudyAidTest, AgeCategoryAndSchooling) {
  const Date today{2026, 11, 29};
  std::vector<Child> kids{
      MakeChild("a", "in_difficulty", Date{2012, 11, 29}, "junior_high", "yes"),  // 14 today
      MakeChild("b", "in_difficulty", Date{2012, 11, 30}, "junior_high", "yes"),  // 13
      MakeChild("c", "orphan", Date{2010, 1, 1}, "senior_high", "undecided"),
      MakeChild("d", "left_behind", Date{2010, 1, 1}, "senior_high", "yes"),
      MakeChild("e", "orphan", Date{2010, 1, 1}, "primary", "yes"),
      MakeChild("f", "orphan", Date{2008, 11, 29}, "senior_high", "yes"),  // 18
  };
  auto all = StudyAidSurvey(kids, today, false);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].child.id, "a");
  EXPECT_EQ(all[0].age, 14);
  EXPECT_EQ(all[1].child.id, "c");
  auto submit = StudyAidSurvey(kids, today, true);
  ASSERT_EQ(submit.size(), 1u);
  EXPECT_EQ(submit[0].child.id, "a");
}

TEST(AgeOutTest, FlagsAt18WithInSchoolExceptionNeverDeletes) {
  const Date today{2026, 3, 1};
  std::vector<Child> kids{
      MakeChild("a", "left_behind", Date{2008, 3, 1}, "senior_high"),           // 18 today
      MakeChild("b", "de_facto_unsupported", Date{2008, 2, 29}, "vocational"),  // 18 on Mar 1
      MakeChild("c", "de_facto_unsupported", Date{2008, 3, 2}, "vocational"),   // 17
      MakeChild("d", "de_facto_unsupported", Date{2007, 1, 1}, "not_in_school"),
  };
  kids[3].programme_status = "aged_out";
  auto flags = AgeOutFlags(kids, today);
  ASSERT_EQ(flags.size(), 3u);
  EXPECT_EQ(flags[0].child, "a");
  EXPECT_EQ(flags[0].status, "aged_out");
  EXPECT_TRUE(flags[0].needs_update);
  EXPECT_EQ(flags[1].child, "b");
  EXPECT_EQ(flags[1].status, "in_school_extension");
  EXPECT_EQ(flags[1].turned_18, (Date{2026, 3, 1}));
  EXPECT_EQ(flags[2].status, "aged_out");
  EXPECT_FALSE(flags[2].needs_update);
  EXPECT_TRUE(AgeOutFlags(kids, Date{2026, 2, 28}).size() == 1u);
}

}  // namespace
}  // namespace fulei::programme

namespace fulei::programme {
namespace {

UrgentCase Case(std::string id, const char* reported, std::optional<const char*> acked = {},
                int64_t deadline_minutes = 120, bool closed = false) {
  UrgentCase c;
  c.scope = "jinjiang/cizao/v001";
  c.type = "report";
  c.id = std::move(id);
  c.reported_at = *ParseTime(reported);
  c.deadline_minutes = deadline_minutes;
  if (acked) c.acknowledged_at = *ParseTime(*acked);
  c.closed = closed;
  return c;
}

TEST(UrgentTest, OverdueAtTheDeadlineEdgeAndMedian) {
  std::vector<UrgentCase> cases{
      Case("r1", "2026-11-29T08:00:00Z"),                          // due 10:00
      Case("r2", "2026-11-29T09:00:00Z", {}, 30),                  // due 09:30
      Case("r3", "2026-11-29T07:00:00Z", "2026-11-29T07:20:59Z"),  // acknowledged: 20 min
      Case("r4", "2026-11-29T06:00:00Z", {}, 120, true),           // closed
      Case("r5", "2026-11-29T07:00:00Z", "2026-11-29T07:45:00Z"),  // 45 min
  };
  // A second before 10:00 r1 is not yet overdue; r2 is 29 minutes over.
  auto before10 = OverdueUrgentCases(cases, *ParseTime("2026-11-29T09:59:59Z"));
  ASSERT_EQ(before10.size(), 1u);
  EXPECT_EQ(before10[0].id, "r2");
  EXPECT_EQ(before10[0].minutes_overdue, 29);
  // At exactly 10:00 r1's time is up (overdue by 0 minutes), as escalation.h flags it.
  auto later = OverdueUrgentCases(cases, *ParseTime("2026-11-29T10:00:00Z"));
  ASSERT_EQ(later.size(), 2u);
  EXPECT_EQ(later[0].id, "r2");  // earliest deadline first
  EXPECT_EQ(later[1].id, "r1");
  EXPECT_EQ(later[1].minutes_overdue, 0);
  EXPECT_EQ(MedianAckMinutes(cases), 20);  // lower median of {20, 45}
  EXPECT_FALSE(MedianAckMinutes(std::span<const UrgentCase>()).has_value());
}

}  // namespace
}  // namespace fulei::programme
