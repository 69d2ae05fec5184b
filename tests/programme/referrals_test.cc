// Referrals and legal consultations counted with their follow-up state (referrals.h).
#include "programme/referrals.h"

#include <gtest/gtest.h>

namespace fulei::programme {
namespace {

TEST(ReferralsTest, CountsPerTargetWithFollowUp) {
  const Date today{2026, 11, 29};
  const std::vector<Fields> referrals = {
      {{"to", {"police"}}, {"follow_up_due", {"2026-11-01"}}},  // overdue
      {{"to", {"police"}}, {"follow_up_due", {"2026-12-01"}}},  // open
      {{"to", {"police"}}, {"status", {"closed"}}, {"follow_up_due", {"2026-01-01"}}},
      {{"to", {"court"}}, {"closed_on", {"2026-11-20"}}},  // closed
      {{"to", {"youth_league"}}},                          // no date
      {{"to", {"somewhere"}}},                             // -> other
  };
  const std::vector<Fields> consultations = {
      {{"topic", {"guardianship"}}, {"follow_up_due", {"2026-11-28"}}},
      {{"topic", {"harm"}}, {"closed_on", {"2026-11-02"}}},
  };
  const ReferralCounts c = CountReferrals(referrals, consultations, today);
  ASSERT_GE(c.by_target.size(), 4u);
  EXPECT_EQ(c.by_target[0].what, "police");
  EXPECT_EQ(c.by_target[0].total, 3);
  EXPECT_EQ(c.by_target[0].closed, 1);
  EXPECT_EQ(c.by_target[0].open, 2);
  EXPECT_EQ(c.by_target[0].overdue, 1);
  EXPECT_EQ(c.by_target[1].what, "procuratorate");
  EXPECT_EQ(c.by_target[1].total, 0);
  EXPECT_EQ(c.by_target[2].closed, 1);             // court
  EXPECT_EQ(c.by_target[3].no_follow_up_date, 1);  // youth league
  EXPECT_EQ(c.by_target.back().what, "other");
  EXPECT_EQ(c.by_target.back().total, 1);
  EXPECT_EQ(c.all_referrals.total, 6);
  EXPECT_EQ(c.all_referrals.overdue, 1);
  EXPECT_EQ(c.legal_consultations.total, 2);
  EXPECT_EQ(c.legal_consultations.overdue, 1);
  EXPECT_EQ(c.legal_consultations.closed, 1);
}

}  // namespace
}  // namespace fulei::programme
