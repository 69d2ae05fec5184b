#include "programme/date.h"

#include <gtest/gtest.h>

#include "tests/support/status_matchers.h"

namespace fulei::programme {
namespace {

TEST(DateTest, ParsesStrictlyAndRejectsImpossibleDates) {
  auto d = ParseDate("2024-02-29");
  ASSERT_OK(d);
  EXPECT_EQ(d->ToString(), "2024-02-29");
  EXPECT_EQ(ParseDate("2023-02-29").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseDate("2023-02-30").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseDate("2023-13-01").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseDate("2023-04-31").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseDate("2023-4-1").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseDate("2023-04-01 ").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseDate("1899-12-31").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseDate("").status().code(), StatusCode::kInvalidArgument);
}

TEST(DateTest, DayArithmeticRoundTrips) {
  for (int64_t n = -40000; n < 80000; n += 37) {
    EXPECT_EQ(DaysFromCivil(CivilFromDays(n)), n);
  }
  EXPECT_EQ(DaysFromCivil(Date{1970, 1, 1}), 0);
  EXPECT_EQ(AddDays(Date{2024, 2, 28}, 1), (Date{2024, 2, 29}));
  EXPECT_EQ(AddDays(Date{2023, 12, 31}, 1), (Date{2024, 1, 1}));
  EXPECT_EQ(AddMonths(Date{2024, 1, 31}, 1), (Date{2024, 2, 29}));
  EXPECT_EQ(AddMonths(Date{2024, 8, 31}, 6), (Date{2025, 2, 28}));
}

TEST(DateTest, AgesAndPeriods) {
  EXPECT_EQ(AgeOn(Date{2010, 5, 20}, Date{2024, 5, 19}), 13);
  EXPECT_EQ(AgeOn(Date{2010, 5, 20}, Date{2024, 5, 20}), 14);
  EXPECT_EQ(AgeOn(Date{2008, 2, 29}, Date{2026, 2, 28}), 17);
  EXPECT_EQ(AgeOn(Date{2008, 2, 29}, Date{2026, 3, 1}), 18);
  EXPECT_EQ(QuarterLabel(QuarterIndex(Date{2026, 3, 31})), "2026-Q1");
  EXPECT_EQ(QuarterLabel(QuarterIndex(Date{2026, 4, 1})), "2026-Q2");
  EXPECT_EQ(QuarterEnd(QuarterIndex(Date{2026, 11, 5})), (Date{2026, 12, 31}));
  EXPECT_EQ(MonthEnd(MonthIndex(Date{2024, 2, 5})), (Date{2024, 2, 29}));
  EXPECT_EQ(MonthLabel(MonthIndex(Date{2026, 1, 5}) - 1), "2025-12");
}

TEST(DateTest, Times) {
  auto t = ParseTime("2026-11-29T05:02:49Z");
  ASSERT_OK(t);
  EXPECT_EQ(FormatTime(*t), "2026-11-29T05:02:49Z");
  EXPECT_EQ(ParseTime("2026-11-29T24:00:00Z").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseTime("2026-11-29 05:02:49").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseTime("2026-02-30T05:02:49Z").status().code(), StatusCode::kInvalidArgument);
}

TEST(DateTest, TodayIsTheDateInChinaStandardTime) {
  // 2026-12-06T23:30:00Z is 07:30 on 2026-12-07 in Jinjiang: that is today there.
  auto t = ParseTime("2026-12-06T23:30:00Z");
  ASSERT_OK(t);
  EXPECT_EQ(DateAt(*t).ToString(), "2026-12-07");
  EXPECT_EQ(DateAtMs(static_cast<uint64_t>(*t) * 1000 + 999).ToString(), "2026-12-07");
  // The day changes at 16:00 UTC (midnight UTC+8), not at midnight UTC.
  EXPECT_EQ(DateAt(*ParseTime("2026-12-07T15:59:59Z")).ToString(), "2026-12-07");
  EXPECT_EQ(DateAt(*ParseTime("2026-12-07T16:00:00Z")).ToString(), "2026-12-08");
  EXPECT_EQ(DateAt(0).ToString(), "1970-01-01");
  EXPECT_EQ(DateAt(-8 * 3600 - 1).ToString(), "1969-12-31");
}

}  // namespace
}  // namespace fulei::programme
