// Ageing out at 18 (programme/rules_age_out.h).
#include "programme/rules_age_out.h"

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
