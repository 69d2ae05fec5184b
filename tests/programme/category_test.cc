#include "programme/category.h"

#include <gtest/gtest.h>

#include "tests/support/status_matchers.h"

namespace fulei::programme {
namespace {

const Date kToday{2026, 11, 29};

Fields Base() { return Fields{{"birth_date", {"2016-04-10"}}, {"household", {"rural"}}}; }

std::string Derive(const Fields& f, Date* review = nullptr) {
  auto d = DeriveCategory(f, kToday);
  EXPECT_OK(d);
  if (review) *review = d->review_on;
  return d->category.value_or("none");
}

TEST(CategoryTest, OrphanWhenBothParentsGone) {
  Fields f = Base();
  f["father_status"] = {"deceased"};
  f["mother_status"] = {"declared_missing"};
  EXPECT_EQ(Derive(f), "orphan");
}

TEST(CategoryTest, LostContactNeedsSixMonths) {
  Fields f = Base();
  f["father_status"] = {"deceased"};
  f["mother_status"] = {"lost_contact"};
  f["mother_status_since"] = {"2026-05-30"};  // 6 months reached on 2026-11-30: not yet
  Date review;
  // Not yet de facto unsupported; the living parent lacks capacity but is not "working away",
  // so not left-behind either.
  EXPECT_EQ(Derive(f, &review), "none");
  EXPECT_EQ(review, (Date{2026, 11, 30}));
  f["mother_status_since"] = {"2026-05-29"};  // reached exactly today
  EXPECT_EQ(Derive(f), "de_facto_unsupported");
}

TEST(CategoryTest, RestrictionOfLibertyNeedsASixMonthTerm) {
  Fields f = Base();
  f["father_status"] = {"imprisoned"};
  f["father_status_since"] = {"2026-01-15"};
  f["father_status_until"] = {"2026-07-14"};  // under 6 months
  f["mother_status"] = {"severe_disability"};
  EXPECT_EQ(Derive(f), "none");
  f["father_status_until"] = {"2028-07-15"};
  Date review;
  EXPECT_EQ(Derive(f, &review), "de_facto_unsupported");
  EXPECT_EQ(review, (Date{2027, 11, 29}));  // yearly review comes before the release date
  f.erase("father_status_until");           // no end date: already lasting > 6 months
  EXPECT_EQ(Derive(f), "de_facto_unsupported");
}

TEST(CategoryTest, LeftBehindOnlyUnder16AndRural) {
  Fields f = Base();
  f["father_status"] = {"working_away"};
  f["mother_status"] = {"working_away"};
  Date review;
  EXPECT_EQ(Derive(f, &review), "left_behind");
  f["mother_status"] = {"no_capacity"};
  EXPECT_EQ(Derive(f), "left_behind");
  f["birth_date"] = {"2010-11-29"};  // 16 today
  EXPECT_EQ(Derive(f), "none");
  f["birth_date"] = {"2010-11-30"};  // 16 tomorrow: review then
  EXPECT_EQ(Derive(f, &review), "left_behind");
  EXPECT_EQ(review, (Date{2026, 11, 30}));
  f["household"] = {"urban"};
  EXPECT_EQ(Derive(f), "none");
}

TEST(CategoryTest, DifficultyAndAbandoned) {
  Fields f = Base();
  f["father_status"] = {"present"};
  f["difficulty"] = {"poverty"};
  auto d = DeriveCategory(f, kToday);
  ASSERT_OK(d);
  EXPECT_EQ(d->category, "in_difficulty");
  EXPECT_EQ(d->evidence, std::vector<std::string>{"difficulty: poverty"});
  f["found_abandoned"] = {"true"};
  EXPECT_EQ(Derive(f), "abandoned");
}

TEST(CategoryTest, MalformedDateNamesTheField) {
  Fields f = Base();
  f["mother_status"] = {"lost_contact"};
  f["mother_status_since"] = {"2026-02-30"};
  auto d = DeriveCategory(f, kToday);
  ASSERT_EQ(d.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(d.status().message(), "child.mother_status_since: 2026-02-30 is not a calendar date");
}

}  // namespace
}  // namespace fulei::programme
