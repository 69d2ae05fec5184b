// Ring-fenced funds (funds.h): allocations and spending per work and per unit.
#include "programme/funds.h"

#include <gtest/gtest.h>

#include "programme/validate.h"
#include "tests/support/status_matchers.h"

namespace fulei::programme {
namespace {

Fields Fund(std::string kind, std::string work, std::string unit, std::string amount) {
  return {{"kind", {kind}},
          {"work", {work}},
          {"unit", {unit}},
          {"amount", {amount}},
          {"date", {"2026-05-01"}}};
}

TEST(FundsTest, RecordsAreValidatedAndRead) {
  const Fields f = Fund("allocation", "holiday_care", "jinjiang/cizao", "10000");
  EXPECT_OK(ValidateRecord("fund", f, Date{2026, 11, 29}));
  ASSERT_OK_AND_ASSIGN(FundEntry e, ReadFund(f));
  EXPECT_FALSE(e.spending);
  EXPECT_EQ(e.fen, 1000000);
  EXPECT_FALSE(
      ValidateRecord("fund", Fund("allocation", "roads", "jinjiang/cizao", "1"), Date{2026, 11, 29})
          .ok());
  EXPECT_FALSE(ReadFund(Fund("gift", "holiday_care", "jinjiang/cizao", "1")).ok());
  EXPECT_FALSE(ReadFund(Fund("spending", "holiday_care", "", "1")).ok());
}

TEST(FundsTest, SumsPerWorkAndPerUnit) {
  const FundEntry entries[] = {
      {"jinjiang/cizao", "holiday_care", false, 1000000},
      {"jinjiang/cizao", "holiday_care", true, 400000},
      {"jinjiang/cizao", "care_network", false, 50000},
      {"jinjiang/cizao", "care_network", true, 60000},
      {"jinjiang/anhai", "holiday_care", false, 300000},
  };
  const FundSums s = SumFunds(entries);
  EXPECT_EQ(s.total.allocated_fen, 1350000);
  EXPECT_EQ(s.total.spent_fen, 460000);
  ASSERT_EQ(s.by_work.size(), 2u);
  EXPECT_EQ(s.by_work[0].work, "care_network");  // the order of the ten works
  EXPECT_TRUE(s.by_work[0].Overspent());
  EXPECT_EQ(s.by_work[1].work, "holiday_care");
  EXPECT_EQ(s.by_work[1].allocated_fen, 1300000);
  EXPECT_EQ(s.by_work[1].BalanceFen(), 900000);
  ASSERT_EQ(s.by_unit.size(), 2u);
  EXPECT_EQ(s.by_unit[0].unit, "jinjiang/anhai");
  EXPECT_EQ(s.by_unit[1].spent_fen, 460000);
  ASSERT_EQ(s.by_unit_and_work.size(), 3u);
  EXPECT_EQ(s.by_unit_and_work[1].unit, "jinjiang/cizao");
  EXPECT_EQ(s.by_unit_and_work[1].work, "care_network");
  EXPECT_EQ(s.by_unit_and_work[1].BalanceFen(), -10000);
}

}  // namespace
}  // namespace fulei::programme
