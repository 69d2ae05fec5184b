// The study-aid survey (programme/rules_study_aid.h): age from the plan (14) and this project's
// reading (under 18), schooling completed or attended, categories.
#include "programme/rules_study_aid.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace fulei::programme {
namespace {

Child MakeChild(std::string id, std::string category, Date birth, std::string level,
                std::string wish = "", std::string completed = "") {
  Child c;
  c.scope = "jinjiang/cizao/v001";
  c.id = std::move(id);
  c.category = std::move(category);
  c.birth = birth;
  c.school_level = std::move(level);
  c.study_aid_wish = std::move(wish);
  c.schooling_completed = std::move(completed);
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
  EXPECT_EQ(all[0].basis, StudyAidBasis::kAttending);
  EXPECT_EQ(all[1].child.id, "c");
  auto submit = StudyAidSurvey(kids, today, true);
  ASSERT_EQ(submit.size(), 1u);
  EXPECT_EQ(submit[0].child.id, "a");
}

// The case the survey is for: 15, finished 初中, left school.
TEST(StudyAidTest, FinishedJuniorHighAndLeftSchoolIsEligible) {
  const Date today{2026, 11, 29};
  Child left =
      MakeChild("g", "in_difficulty", Date{2011, 6, 1}, "not_in_school", "yes", "junior_high");
  EXPECT_TRUE(StudyAidEligible(left, today));
  EXPECT_TRUE(StudyAidEligibleExceptAge(left));  // what the dashboard counts
  EXPECT_EQ(StudyAidSchooling(left), StudyAidBasis::kCompleted);
  Child dropped = MakeChild("h", "orphan", Date{2011, 6, 1}, "dropped_out", "", "junior_high");
  EXPECT_TRUE(StudyAidEligible(dropped, today));
  // Without the completed schooling recorded, "not in school" says nothing of 初中.
  EXPECT_FALSE(
      StudyAidEligible(MakeChild("i", "orphan", Date{2011, 6, 1}, "not_in_school"), today));
  // Finished only primary school and left: not eligible.
  EXPECT_FALSE(StudyAidEligible(
      MakeChild("j", "orphan", Date{2011, 6, 1}, "not_in_school", "", "primary"), today));
  // Finished senior high or 中职: eligible (basis completed).
  Child senior = MakeChild("k", "orphan", Date{2009, 1, 1}, "not_in_school", "", "senior_high");
  EXPECT_EQ(StudyAidSchooling(senior), StudyAidBasis::kCompleted);
  EXPECT_TRUE(StudyAidEligible(senior, today));
  // In 高中 having finished 初中: completed takes precedence.
  EXPECT_EQ(StudyAidSchooling(
                MakeChild("l", "orphan", Date{2010, 1, 1}, "senior_high", "", "junior_high")),
            StudyAidBasis::kCompleted);
  // Already through college, or attending it: not a candidate.
  EXPECT_FALSE(StudyAidEligible(
      MakeChild("m", "orphan", Date{2009, 1, 1}, "not_in_school", "", "college"), today));
  EXPECT_FALSE(StudyAidEligible(MakeChild("n", "orphan", Date{2009, 1, 1}, "college"), today));
  // Category: a left-behind child who finished 初中 is not in the plan's groups.
  EXPECT_FALSE(StudyAidEligible(
      MakeChild("o", "left_behind", Date{2011, 6, 1}, "not_in_school", "", "junior_high"), today));
  // Transferred away: listed by the new unit, not here.
  left.moved_to = "jinjiang/chidian/v002";
  EXPECT_FALSE(StudyAidEligible(left, today));
}

TEST(StudyAidTest, AgeBoundaries) {
  const Date today{2026, 11, 29};
  auto at = [](Date birth) {
    return MakeChild("p", "de_facto_unsupported", birth, "not_in_school", "", "junior_high");
  };
  EXPECT_FALSE(StudyAidEligible(at(Date{2012, 11, 30}), today));  // 14 tomorrow (plan: 年满14周岁)
  EXPECT_TRUE(StudyAidEligible(at(Date{2012, 11, 29}), today));   // 14 today
  EXPECT_TRUE(StudyAidEligible(at(Date{2008, 11, 30}), today));   // 17, 18 tomorrow
  EXPECT_FALSE(StudyAidEligible(at(Date{2008, 11, 29}), today));  // 18 today (our reading)
  EXPECT_TRUE(StudyAidEligible(
      MakeChild("q", "abandoned", Date{2011, 1, 1}, "not_in_school", "", "vocational"), today));
}

TEST(StudyAidTest, ChildRecordCarriesSchoolingCompleted) {
  EXPECT_TRUE(KnownEnumValue("child", "schooling_completed", "junior_high"));
  EXPECT_FALSE(KnownEnumValue("child", "schooling_completed", "dropped_out"));
  Fields f{{"name", {"王小明"}},
           {"gender", {"male"}},
           {"birth_date", {"2011-06-01"}},
           {"category", {"in_difficulty"}},
           {"school_level", {"not_in_school"}},
           {"schooling_completed", {"junior_high"}}};
  auto c = ReadChild("jinjiang/cizao/v001", "c1", f);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->schooling_completed, "junior_high");
  EXPECT_TRUE(StudyAidEligible(*c, Date{2026, 11, 29}));
}

}  // namespace
}  // namespace fulei::programme
