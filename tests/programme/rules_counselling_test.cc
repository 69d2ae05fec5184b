// Counselling (programme/rules_counselling.h): sessions whose guardian has not been told, per
// village, rolled up per town and city.
#include "programme/rules_counselling.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "programme/schema.h"

namespace fulei::programme {
namespace {

CounsellingSession Session(std::string scope, std::string id, Date d,
                           std::optional<Date> told = std::nullopt) {
  return CounsellingSession{std::move(scope), std::move(id), "c1", "h1", d, told, ""};
}

TEST(CounsellingTest, GuardianNotToldPerVillageAndTown) {
  const std::vector<std::string> villages{"jinjiang/cizao/v001", "jinjiang/cizao/v002",
                                          "jinjiang/cizao/v003", "jinjiang/xiyuan/v001"};
  std::vector<CounsellingSession> s{
      Session("jinjiang/cizao/v001", "s2", Date{2026, 3, 10}),                    // 22 days
      Session("jinjiang/cizao/v001", "s1", Date{2026, 3, 1}, Date{2026, 3, 2}),   // told
      Session("jinjiang/cizao/v002", "s3", Date{2026, 3, 30}),                    // 2 days
      Session("jinjiang/cizao/v003", "s4", Date{2026, 2, 1}, Date{2026, 2, 20}),  // told (late)
      Session("jinjiang/xiyuan/v001", "s5", Date{2026, 3, 25}),                   // 7 days
      Session("jinjiang/cizao/~office", "s6", Date{2026, 1, 5}),                  // the town's
      Session("jinjiang/cizao/v009", "s7", Date{2026, 1, 5}),                     // not listed
  };
  GuardianInformCheck c = GuardianNotInformed(villages, s, Date{2026, 4, 1});
  ASSERT_EQ(c.sessions.size(), 3u);
  EXPECT_EQ(c.sessions[0].session.id, "s2");
  EXPECT_EQ(c.sessions[0].days_since, 22);
  EXPECT_TRUE(c.sessions[0].overdue);
  EXPECT_EQ(c.sessions[1].session.id, "s3");
  EXPECT_FALSE(c.sessions[1].overdue);
  EXPECT_EQ(c.sessions[2].session.id, "s5");
  EXPECT_EQ(c.sessions[2].days_since, 7);
  EXPECT_FALSE(c.sessions[2].overdue);  // 7 days is still in time; 8 is not
  EXPECT_EQ(c.rollup.villages[0].status, DutyStatus::kShortfall);
  EXPECT_EQ(c.rollup.villages[0].count, 1);
  EXPECT_EQ(c.rollup.villages[1].status, DutyStatus::kPending);
  EXPECT_EQ(c.rollup.villages[2].status, DutyStatus::kMet);
  EXPECT_EQ(c.rollup.villages[3].status, DutyStatus::kPending);
  const RollUp* cizao = c.rollup.Town("jinjiang/cizao");
  ASSERT_NE(cizao, nullptr);
  EXPECT_EQ(cizao->Summary(), "3 个村中 1 个达标 / 1 of 3 villages met it");
  EXPECT_EQ(cizao->count, 2);
  EXPECT_EQ(cizao->unit_records, 1);
  ASSERT_EQ(c.unit_sessions.size(), 1u);
  EXPECT_EQ(c.unit_sessions[0].session.id, "s6");
  EXPECT_EQ(c.rollup.city.count, 3);
  EXPECT_EQ(c.rollup.city.shortfall, 1);
  EXPECT_EQ(c.rollup.city.pending, 2);
  EXPECT_EQ(GuardianNotInformed(villages, s, Date{2026, 4, 2}).rollup.villages[3].status,
            DutyStatus::kShortfall);
}

TEST(CounsellingTest, ReadCounsellingNeedsTheDateToCountAsTold) {
  ASSERT_NE(FindRecordType("counselling")->Find("guardian_informed_on"), nullptr);
  Fields named{{"child", {"c1"}},        {"counsellor", {"h1"}},        {"kind", {"guidance"}},
               {"date", {"2026-03-01"}}, {"guardian_informed", {"g1"}}, {"notes", {"restricted"}}};
  auto s = ReadCounselling("jinjiang/cizao/v001", "s1", named);
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE(s->guardian_informed_on.has_value());
  EXPECT_EQ(s->guardian_informed, "g1");
  std::vector<CounsellingSession> one{*s};
  const std::vector<std::string> v{"jinjiang/cizao/v001"};
  EXPECT_EQ(GuardianNotInformed(v, one, Date{2026, 3, 2}).sessions.size(), 1u);
  named["guardian_informed_on"] = {"2026-03-02"};
  auto told = ReadCounselling("jinjiang/cizao/v001", "s1", named);
  ASSERT_TRUE(told.ok());
  one = {*told};
  EXPECT_TRUE(GuardianNotInformed(v, one, Date{2026, 3, 2}).sessions.empty());
  named["guardian_informed_on"] = {"2026-13-02"};
  EXPECT_FALSE(ReadCounselling("jinjiang/cizao/v001", "s1", named).ok());
  EXPECT_FALSE(ReadCounselling("jinjiang/cizao/v001", "s1", Fields{{"child", {"c1"}}}).ok());
}

}  // namespace
}  // namespace fulei::programme
