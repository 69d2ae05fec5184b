#include "programme/duplicates.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace fulei::programme {
namespace {

Child Kid(std::string scope, std::string id, std::string name, Date birth,
          std::string id_number = "") {
  Child c;
  c.scope = std::move(scope);
  c.id = std::move(id);
  c.name = std::move(name);
  c.birth = birth;
  c.id_number = std::move(id_number);
  c.category = "left_behind";
  return c;
}

TEST(DuplicatesTest, IdNumberNameAndHomophoneAcrossVillages) {
  const Date b{2015, 3, 12};
  std::vector<Child> kids{
      Kid("jinjiang/cizao/v001", "c1", "王小明", b, "350582201503121238"),
      Kid("jinjiang/chidian/v004", "c2", "王晓明", b),  // homophone
      Kid("jinjiang/xiyuan/v002", "c3", "王小明", b),   // same name
      Kid("jinjiang/anhai/v009", "c4", "李娜", Date{2014, 1, 1}, "350582201503121238"),
      Kid("jinjiang/anhai/v010", "c5", "王小明", Date{2015, 3, 13}),  // other birth date
      Kid("jinjiang/anhai/v011", "c6", "汪晓鸣", b),                  // wang xiao ming too
  };
  auto d = FindDuplicates(kids);
  std::map<std::pair<size_t, size_t>, DuplicateReason> got;
  for (const auto& x : d) got[{x.a, x.b}] = x.reason;
  EXPECT_EQ(got.at({0, 3}), DuplicateReason::kSameIdNumber);
  EXPECT_EQ(got.at({0, 2}), DuplicateReason::kSameNameAndBirth);
  EXPECT_EQ(got.at({0, 1}), DuplicateReason::kHomophoneAndBirth);
  EXPECT_EQ(got.at({1, 2}), DuplicateReason::kHomophoneAndBirth);
  EXPECT_EQ(got.at({0, 5}), DuplicateReason::kHomophoneAndBirth);
  EXPECT_EQ(got.count({0, 4}), 0u);
  EXPECT_EQ(got.size(), 7u);  // {0,1,2,5} pairwise (6) + {0,3}
}

TEST(DuplicatesTest, RedirectsAreSkipped) {
  const Date b{2015, 3, 12};
  std::vector<Child> kids{Kid("jinjiang/cizao/v001", "c1", "王小明", b),
                          Kid("jinjiang/cizao/v002", "c1", "王小明", b)};
  kids[0].moved_to = "jinjiang/cizao/v002";
  EXPECT_TRUE(FindDuplicates(kids).empty());
}

}  // namespace
}  // namespace fulei::programme
