// Village duties (programme/rules_village_duties.h): weekend classes, children's school sessions,
// trainings and liaison meetings held per village; follow-ups of patrols and referrals; each
// rolled up "N of M villages" per town and city.
#include "programme/rules_village_duties.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace fulei::programme {
namespace {

const std::vector<std::string> kVillages{"jinjiang/cizao/v001", "jinjiang/cizao/v002",
                                         "jinjiang/cizao/v003", "jinjiang/chidian/v001"};

HeldRecord Held(std::string scope, std::string type, std::string kind, Date d) {
  static int n = 0;
  return HeldRecord{std::move(scope), "r" + std::to_string(++n), std::move(type), std::move(kind),
                    d};
}

TEST(VillageDutiesTest, EachHeldDutyCountsPerVillage) {
  std::vector<HeldRecord> r{
      Held("jinjiang/cizao/v001", "activity", "weekend_class", Date{2025, 3, 8}),
      Held("jinjiang/cizao/v001", "activity", "weekend_class", Date{2025, 3, 15}),
      Held("jinjiang/cizao/v002", "activity", "children_school", Date{2025, 4, 1}),
      Held("jinjiang/cizao/v003", "activity", "summer_camp", Date{2025, 7, 1}),
      Held("jinjiang/cizao/v003", "training", "workforce", Date{2025, 5, 1}),
      Held("jinjiang/chidian/v001", "meeting", "", Date{2025, 6, 1}),
      Held("jinjiang/chidian/v001", "activity", "weekend_class", Date{2024, 12, 28}),  // 2024
      Held("jinjiang/cizao", "activity", "weekend_class", Date{2025, 5, 1}),  // the town's own
      Held("jinjiang/cizao", "meeting", "", Date{2025, 5, 2}),
  };
  const Date today{2026, 1, 10};
  DutyRollUp weekend = CheckHeldPerVillage(kVillages, r, HeldDuty::kWeekendClass, 2025, today);
  EXPECT_EQ(weekend.villages[0].status, DutyStatus::kMet);
  EXPECT_EQ(weekend.villages[0].count, 2);
  EXPECT_EQ(weekend.villages[1].status, DutyStatus::kShortfall);
  EXPECT_EQ(weekend.villages[3].status, DutyStatus::kShortfall);  // its class was in 2024
  EXPECT_EQ(weekend.Town("jinjiang/cizao")->Summary(),
            "3 个村中 1 个达标 / 1 of 3 villages met it");
  EXPECT_EQ(weekend.Town("jinjiang/cizao")->unit_records, 1);
  EXPECT_EQ(weekend.city.met, 1);
  EXPECT_EQ(weekend.city.villages, 4);

  DutyRollUp school = CheckHeldPerVillage(kVillages, r, HeldDuty::kChildrenSchool, 2025, today);
  EXPECT_EQ(school.villages[1].status, DutyStatus::kMet);
  EXPECT_EQ(school.city.met, 1);
  EXPECT_EQ(school.city.shortfall, 3);

  DutyRollUp training = CheckHeldPerVillage(kVillages, r, HeldDuty::kTraining, 2025, today);
  EXPECT_EQ(training.villages[2].status, DutyStatus::kMet);
  EXPECT_EQ(training.city.met, 1);

  DutyRollUp meeting = CheckHeldPerVillage(kVillages, r, HeldDuty::kLiaisonMeeting, 2025, today);
  EXPECT_EQ(meeting.villages[3].status, DutyStatus::kMet);
  EXPECT_EQ(meeting.Town("jinjiang/chidian")->Summary(),
            "1 个村中 1 个达标 / 1 of 1 villages met it");
  EXPECT_EQ(meeting.Town("jinjiang/cizao")->met, 0);
  EXPECT_EQ(meeting.Town("jinjiang/cizao")->unit_records, 1);  // the town's meeting is counted
  EXPECT_EQ(meeting.city.unit_records, 1);

  // The current year is pending; a minimum of two makes one class short; zero: counts only.
  DutyRollUp now = CheckHeldPerVillage(kVillages, r, HeldDuty::kWeekendClass, 2026, today);
  EXPECT_EQ(now.city.pending, 4);
  DutyRollUp two = CheckHeldPerVillage(kVillages, r, HeldDuty::kWeekendClass, 2025, today, 2);
  EXPECT_EQ(two.villages[0].status, DutyStatus::kMet);
  DutyRollUp three = CheckHeldPerVillage(kVillages, r, HeldDuty::kWeekendClass, 2025, today, 3);
  EXPECT_EQ(three.villages[0].status, DutyStatus::kShortfall);
  DutyRollUp zero = CheckHeldPerVillage(kVillages, r, HeldDuty::kWeekendClass, 2025, today, 0);
  EXPECT_TRUE(zero.city.AllMet());
  EXPECT_EQ(zero.city.count, 2);
}

TEST(VillageDutiesTest, ReadHeldRecord) {
  auto a = ReadHeldRecord("activity", "jinjiang/cizao/v001", "a1",
                          Fields{{"kind", {"weekend_class"}}, {"start_date", {"2025-03-08"}}});
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(CountsFor(HeldDuty::kWeekendClass, *a));
  EXPECT_FALSE(CountsFor(HeldDuty::kChildrenSchool, *a));
  EXPECT_EQ(a->date, (Date{2025, 3, 8}));
  auto m = ReadHeldRecord("meeting", "jinjiang/cizao", "m1", Fields{{"date", {"2025-05-02"}}});
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(CountsFor(HeldDuty::kLiaisonMeeting, *m));
  auto t = ReadHeldRecord("training", "jinjiang/cizao", "t1", Fields{{"kind", {"job_skill"}}});
  EXPECT_FALSE(t.ok());  // no start date
  EXPECT_FALSE(ReadHeldRecord("child", "jinjiang/cizao", "c1", Fields{}).ok());
}

TEST(VillageDutiesTest, FollowUpsOfPatrolsAndReferrals) {
  Fields patrol_open{{"date", {"2025-11-01"}}, {"patroller", {"h1"}}, {"follow_up", {"true"}}};
  Fields patrol_none{{"date", {"2025-11-01"}}, {"patroller", {"h1"}}};
  Fields referral_open{{"date", {"2025-12-20"}}, {"case", {"r1"}}, {"to", {"police"}}};
  Fields referral_done{
      {"date", {"2025-10-01"}}, {"case", {"r2"}}, {"to", {"court"}}, {"response", {"已受理"}}};
  auto p1 = ReadFollowUp("patrol", "jinjiang/cizao/v001", "p1", patrol_open);
  auto p2 = ReadFollowUp("patrol", "jinjiang/cizao/v002", "p2", patrol_none);
  auto f1 = ReadFollowUp("referral", "jinjiang/cizao/v002", "f1", referral_open);
  auto f2 = ReadFollowUp("referral", "jinjiang/chidian/v001", "f2", referral_done);
  auto f3 = ReadFollowUp("referral", "jinjiang/cizao/~office", "f3", referral_open);
  ASSERT_TRUE(p1.ok() && p2.ok() && f1.ok() && f2.ok() && f3.ok());
  ASSERT_TRUE(p1->has_value());
  EXPECT_FALSE(p2->has_value());  // no follow-up needed
  EXPECT_EQ((*f1)->to, "police");
  EXPECT_FALSE((*f2)->open);
  EXPECT_FALSE(ReadFollowUp("referral", "jinjiang/cizao/v001", "x", Fields{}).ok());

  std::vector<FollowUpItem> items{**p1, **f1, **f2, **f3};
  FollowUpCheck c = CheckFollowUps(kVillages, items, Date{2026, 1, 10});
  ASSERT_EQ(c.open.size(), 2u);
  EXPECT_EQ(c.open[0].item.id, "p1");
  EXPECT_EQ(c.open[0].days_open, 70);
  EXPECT_TRUE(c.open[0].overdue);
  EXPECT_EQ(c.open[1].item.id, "f1");
  EXPECT_EQ(c.open[1].days_open, 21);
  EXPECT_FALSE(c.open[1].overdue);
  EXPECT_EQ(c.rollup.villages[0].status, DutyStatus::kShortfall);  // open 70 days > 30
  EXPECT_EQ(c.rollup.villages[1].status, DutyStatus::kPending);    // open 21 days
  EXPECT_EQ(c.rollup.villages[2].status, DutyStatus::kMet);        // nothing open
  EXPECT_EQ(c.rollup.villages[3].status, DutyStatus::kMet);        // answered
  const RollUp* cizao = c.rollup.Town("jinjiang/cizao");
  EXPECT_EQ(cizao->Summary(), "3 个村中 1 个达标 / 1 of 3 villages met it");
  EXPECT_EQ(cizao->shortfall, 1);
  EXPECT_EQ(cizao->pending, 1);
  EXPECT_EQ(cizao->count, 2);
  EXPECT_EQ(cizao->unit_records, 1);  // the town office's open referral
  ASSERT_EQ(c.unit_open.size(), 1u);
  EXPECT_EQ(c.unit_open[0].item.id, "f3");
  EXPECT_EQ(c.rollup.city.met, 2);
  // On day 30 an item is not yet overdue; on day 31 it is.
  EXPECT_EQ(CheckFollowUps(kVillages, items, Date{2025, 12, 1}).rollup.villages[0].status,
            DutyStatus::kPending);
  EXPECT_EQ(CheckFollowUps(kVillages, items, Date{2025, 12, 2}).rollup.villages[0].status,
            DutyStatus::kShortfall);
}

}  // namespace
}  // namespace fulei::programme
