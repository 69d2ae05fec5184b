#include "programme/rules_family_care.h"

#include <gtest/gtest.h>

namespace fulei::programme {
namespace {

constexpr const char* kVillage = "jinjiang/cizao/v012";

Pairing FamilyCare(std::string id, std::string helper, std::string child, Date start) {
  return Pairing{kVillage,      std::move(id), std::move(helper), std::move(child),
                 "family_care", start,         std::nullopt};
}

Contact Talk(std::string helper, std::string child, Date d, std::string kind = "talk") {
  static int n = 0;
  return Contact{kVillage,         "k" + std::to_string(++n), std::move(kind),
                 std::move(child), std::move(helper),         d};
}

const OverdueItem* Find(const std::vector<OverdueItem>& items, CareDuty duty) {
  for (const auto& i : items) {
    if (i.duty == duty) return &i;
  }
  return nullptr;
}

TEST(FamilyCareTest, MonthEdgeOverdueFromTheFirstOfTheNextMonth) {
  std::vector<Pairing> p{FamilyCare("p1", "h1", "c1", Date{2026, 8, 15})};
  // Talks in September and October; visit in Q3 and Q4.
  std::vector<Contact> c{Talk("h1", "c1", Date{2026, 9, 30}), Talk("h1", "c1", Date{2026, 10, 1}),
                         Talk("h1", "c1", Date{2026, 9, 2}, "home_visit"),
                         Talk("h1", "c1", Date{2026, 10, 2}, "home_visit")};
  // Nov 30: November is still open, nothing overdue.
  EXPECT_TRUE(FamilyCareOverdue(p, c, Date{2026, 11, 30}).empty());
  // Dec 1: November ended without a talk: 1 day overdue.
  auto items = FamilyCareOverdue(p, c, Date{2026, 12, 1});
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].duty, CareDuty::kMonthlyTalk);
  EXPECT_EQ(items[0].first_missed, "2026-11");
  EXPECT_EQ(items[0].missed_periods, 1);
  EXPECT_EQ(items[0].days_overdue, 1);
  EXPECT_EQ(items[0].last_contact, (Date{2026, 10, 1}));
  // Jan 1: November and December missed; overdue since Nov 30; Q4 had its visit.
  items = FamilyCareOverdue(p, c, Date{2027, 1, 1});
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].first_missed, "2026-11");
  EXPECT_EQ(items[0].missed_periods, 2);
  EXPECT_EQ(items[0].days_overdue, 32);
}

TEST(FamilyCareTest, StartingPeriodIsGraceAndAVisitIsNotATalk) {
  std::vector<Pairing> p{FamilyCare("p1", "h1", "c1", Date{2026, 10, 31})};
  std::vector<Contact> c{Talk("h1", "c1", Date{2026, 11, 3}, "home_visit")};
  // October (the start month) is not required; November has only a visit.
  auto items = FamilyCareOverdue(p, c, Date{2026, 12, 1});
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].duty, CareDuty::kMonthlyTalk);
  EXPECT_EQ(items[0].first_missed, "2026-11");
  EXPECT_FALSE(items[0].last_contact.has_value());
}

TEST(FamilyCareTest, QuarterEdge) {
  std::vector<Pairing> p{FamilyCare("p1", "h1", "c1", Date{2026, 1, 10})};
  std::vector<Contact> c;
  for (int m = 2; m <= 12; ++m) c.push_back(Talk("h1", "c1", Date{2026, m, 15}));
  c.push_back(Talk("h1", "c1", Date{2026, 6, 30}, "home_visit"));  // last day of Q2
  EXPECT_EQ(Find(FamilyCareOverdue(p, c, Date{2026, 9, 30}), CareDuty::kQuarterlyVisit), nullptr);
  auto items = FamilyCareOverdue(p, c, Date{2026, 10, 1});
  const OverdueItem* v = Find(items, CareDuty::kQuarterlyVisit);
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->first_missed, "2026-Q3");
  EXPECT_EQ(v->days_overdue, 1);
  EXPECT_EQ(v->last_contact, (Date{2026, 6, 30}));
  EXPECT_EQ(Find(items, CareDuty::kMonthlyTalk), nullptr);
}

TEST(FamilyCareTest, OnlyThePairedHelperActiveFamilyCarePairingsCount) {
  std::vector<Pairing> p{
      FamilyCare("p1", "h1", "c1", Date{2026, 1, 1}),
      FamilyCare("p2", "h2", "c2", Date{2026, 1, 1}),
      Pairing{kVillage, "p3", "h3", "c3", "assistance", Date{2026, 1, 1}, {}},
      Pairing{kVillage, "p4", "h4", "c4", "family_care", Date{2026, 1, 1}, Date{2026, 6, 30}}};
  // h2 talks to c1 (not h1's duty fulfilled); c2 talked in every month by h2.
  std::vector<Contact> c{Talk("h2", "c1", Date{2026, 10, 5})};
  for (int m = 1; m <= 10; ++m) {
    c.push_back(Talk("h2", "c2", Date{2026, m, 1}));
    if (m % 3 == 1) c.push_back(Talk("h2", "c2", Date{2026, m, 2}, "home_visit"));
  }
  auto items = FamilyCareOverdue(p, c, Date{2026, 11, 10});
  ASSERT_EQ(items.size(), 2u);  // h1/c1 talk and visit
  for (const auto& i : items) EXPECT_EQ(i.helper, "h1");
  EXPECT_EQ(Find(items, CareDuty::kMonthlyTalk)->first_missed, "2026-02");
  EXPECT_EQ(Find(items, CareDuty::kMonthlyTalk)->missed_periods, 9);
  EXPECT_EQ(Find(items, CareDuty::kMonthlyTalk)->days_overdue, 255);  // since Feb 28
}

TEST(FamilyCareTest, GroupsByHelperVillageTown) {
  std::vector<Pairing> p{FamilyCare("p1", "h1", "c1", Date{2026, 1, 1}),
                         FamilyCare("p2", "h2", "c2", Date{2026, 1, 1})};
  p[1].scope = "jinjiang/cizao/v013";
  auto items = FamilyCareOverdue(p, {}, Date{2026, 11, 10});
  EXPECT_EQ(items.size(), 4u);
  EXPECT_EQ(OverdueByHelper(items).size(), 2u);
  EXPECT_EQ(OverdueByUnit(items, 3).size(), 2u);
  auto towns = OverdueByUnit(items, 2);
  ASSERT_EQ(towns.size(), 1u);
  EXPECT_EQ(towns.begin()->first, "jinjiang/cizao");
  EXPECT_EQ(UnitPrefix("jinjiang/cizao/v012", 1), "jinjiang");
}

TEST(FamilyCareTest, RollUpPerVillage) {
  // v012 has a pairing with no talk in November; v013's pairing is up to date; v014 has none.
  std::vector<Pairing> p{FamilyCare("p1", "h1", "c1", Date{2026, 8, 15})};
  Pairing other = FamilyCare("p2", "h2", "c2", Date{2026, 8, 15});
  other.scope = "jinjiang/cizao/v013";
  p.push_back(other);
  std::vector<Contact> c{Talk("h1", "c1", Date{2026, 10, 1}),
                         Talk("h1", "c1", Date{2026, 10, 2}, "home_visit")};
  for (int m = 9; m <= 11; ++m) {
    Contact t = Talk("h2", "c2", Date{2026, m, 3});
    t.scope = other.scope;
    c.push_back(t);
  }
  Contact v = Talk("h2", "c2", Date{2026, 10, 3}, "home_visit");
  v.scope = other.scope;
  c.push_back(v);
  auto items = FamilyCareOverdue(p, c, Date{2026, 12, 1});
  ASSERT_EQ(items.size(), 1u);
  const std::vector<std::string> villages{kVillage, "jinjiang/cizao/v013", "jinjiang/cizao/v014"};
  DutyRollUp r = FamilyCareRollUp(villages, items);
  EXPECT_EQ(r.villages[0].status, DutyStatus::kShortfall);
  EXPECT_EQ(r.villages[0].count, 1);
  EXPECT_EQ(r.villages[1].status, DutyStatus::kMet);
  EXPECT_EQ(r.villages[2].status, DutyStatus::kMet);
  EXPECT_EQ(r.Town("jinjiang/cizao")->Summary(), "3 个村中 2 个达标 / 2 of 3 villages met it");
  EXPECT_EQ(r.city.shortfall, 1);
}

}  // namespace
}  // namespace fulei::programme
