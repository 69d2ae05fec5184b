// The study-aid survey (programme/rules_study_aid.h).
#include "programme/rules_study_aid.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace fulei::programme {
namespace {

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

}  // namespace
}  // namespace fulei::programme
