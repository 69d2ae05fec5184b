// Office scopes (sync/scopes.h, programme/scope.h) end to end with three nodes: the records a
// town or the city keeps about a child, a family or a case live in "<unit>/~office", which the
// town and the city hold and no village does. A village receives its town's and the city's
// registries and never their office records; urgent ops of an office scope travel up to the
// city, and the city's receipts come back to the town, without leaving anything queued for a
// village that can never take it.
#include <gtest/gtest.h>

#include <string>

#include "programme/schema.h"
#include "programme/scope.h"
#include "sync/receipts.h"
#include "sync/scopes.h"
#include "sync/session.h"
#include "tests/support/status_matchers.h"
#include "tests/sync/sync_fixture.h"

namespace fulei::sync {
namespace {

using programme::RecordScope;
using programme::UnitLevel;
using testing::kCity;
using testing::kTown;
using testing::kVillage;
using testing::SyncTest;

using ScopesOfficeTest = SyncTest;

bool HoldsRecord(testing::TestNode& n, const std::string& scope, std::string_view type,
                 const std::string& id) {
  auto s = n.store->Get(crdt::RecordKey{scope, std::string(type), id});
  EXPECT_OK(s);
  return s.ok() && s->has_value();
}

TEST_F(ScopesOfficeTest, VillageNeverReceivesOfficeRecords) {
  auto& village = AddNode(kVillage, crypto::Role::kVillage);
  auto& town = AddNode(kTown, crypto::Role::kTown);
  auto& city = AddNode(kCity, crypto::Role::kCity);

  // Where the town and the city write their own records, as the node does.
  const std::string town_child = RecordScope(programme::kChild, kTown, UnitLevel::kTown);
  const std::string town_guardian = RecordScope(programme::kGuardian, kTown, UnitLevel::kTown);
  const std::string town_report = RecordScope(programme::kReport, kTown, UnitLevel::kTown);
  const std::string town_helper = RecordScope(programme::kHelper, kTown, UnitLevel::kTown);
  const std::string city_child = RecordScope(programme::kChild, kCity, UnitLevel::kCity);
  const std::string city_org = RecordScope(programme::kOrganisation, kCity, UnitLevel::kCity);
  const std::string village_child = RecordScope(programme::kChild, kVillage, UnitLevel::kVillage);
  ASSERT_EQ(village_child, kVillage);  // a village's own records stay in its scope

  town.Set(town_child, "child", "c-t1", "name", "王小明");
  town.Set(town_guardian, "guardian", "g-t1", "name", "王阿嬷");
  town.Set(town_helper, "helper", "h-t1", "kind", "teacher");
  town.Set(town_report, "report", "r-t1", "harm", "abuse", crdt::kOpFlagUrgent, {"up"});
  city.Set(city_child, "child", "c-c1", "name", "林晓");
  city.Set(city_org, "organisation", "o-c1", "kind", "social_work");
  village.Set(village_child, "child", "c-v1", "name", "陈丽");

  auto vt = MakeLaneSession(village, town, {.upstream = true});
  auto tv = MakeLaneSession(town, village, {.self_has_upstream = true});
  auto tc = MakeLaneSession(town, city, {.upstream = true});
  auto ct = MakeLaneSession(city, town, {});
  for (int round = 0; round < 10; ++round) {
    ASSERT_OK(Pipe(*tc, *ct));
    Relay(*tc, {tv.get()});
    ASSERT_OK(Pipe(*vt, *tv));
    Relay(*tv, {tc.get()});
  }

  // The town and the city hold the town's office records; only the city its own.
  for (auto* n : {&town, &city}) {
    EXPECT_TRUE(HoldsRecord(*n, town_child, "child", "c-t1")) << n->unit;
    EXPECT_TRUE(HoldsRecord(*n, town_guardian, "guardian", "g-t1")) << n->unit;
    EXPECT_TRUE(HoldsRecord(*n, town_report, "report", "r-t1")) << n->unit;
    EXPECT_TRUE(HoldsRecord(*n, kVillage, "child", "c-v1")) << n->unit;
  }
  EXPECT_TRUE(HoldsRecord(city, city_child, "child", "c-c1"));
  EXPECT_FALSE(HoldsRecord(town, city_child, "child", "c-c1"));

  // The village gets the registries of its ancestors, and nothing of their offices.
  EXPECT_TRUE(HoldsRecord(village, town_helper, "helper", "h-t1"));
  EXPECT_TRUE(HoldsRecord(village, city_org, "organisation", "o-c1"));
  EXPECT_FALSE(HoldsRecord(village, town_child, "child", "c-t1"));
  EXPECT_FALSE(HoldsRecord(village, town_guardian, "guardian", "g-t1"));
  EXPECT_FALSE(HoldsRecord(village, town_report, "report", "r-t1"));
  EXPECT_FALSE(HoldsRecord(village, city_child, "child", "c-c1"));
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> scopes, village.store->Scopes());
  for (const std::string& s : scopes) {
    EXPECT_EQ(s.find('~'), std::string::npos) << "the village holds " << s;
    EXPECT_TRUE(crdt::IsAtOrBelow(s, kVillage) || crdt::IsAtOrBelow(kVillage, s)) << s;
  }
  ASSERT_OK_AND_ASSIGN(uint64_t pending, village.store->PendingCount());
  EXPECT_EQ(pending, 0u);

  // The town's report went up urgently and the city's receipt came back to the town; nothing
  // waits in an outbox, least of all one towards the village.
  auto receipts = ReceiptsFor(*town.store, town_report, "report", "r-t1");
  ASSERT_OK(receipts);
  ASSERT_EQ(receipts->size(), 1u);
  EXPECT_EQ((*receipts)[0].unit, kCity);
  for (auto* n : {&village, &town, &city}) {
    EXPECT_EQ(OutboxSize(*n, "up"), 0u) << n->unit;
    EXPECT_EQ(OutboxSize(*n, DownOutbox(town_report)), 0u) << n->unit;
    EXPECT_EQ(OutboxSize(*n, DownOutbox(kVillage)), 0u) << n->unit;
  }
}

TEST_F(ScopesOfficeTest, NoPeerCanPullOrPushAnOfficeScopeThroughAVillage) {
  auto& village = AddNode(kVillage, crypto::Role::kVillage);
  auto& town = AddNode(kTown, crypto::Role::kTown);
  const std::string office = programme::OfficeScope(kTown);
  // A village that writes into its town's office (a bug, or a tampered node) cannot pass it
  // on: the scope is not shared, so its session never offers it and the town never takes it.
  village.Set(office, "child", "c-x", "name", "王小明");
  town.Set(office, "child", "c-t1", "name", "李华");
  auto vt = MakeLaneSession(village, town, {.upstream = true});
  auto tv = MakeLaneSession(town, village, {.self_has_upstream = true});
  ASSERT_OK(Pipe(*vt, *tv));
  EXPECT_FALSE(HoldsRecord(town, office, "child", "c-x"));
  EXPECT_TRUE(HoldsRecord(village, office, "child", "c-x"));  // only its own write
  EXPECT_FALSE(HoldsRecord(village, office, "child", "c-t1"));
  EXPECT_FALSE(Holds(kVillage, office));
  EXPECT_FALSE(MayWrite(kVillage, office));
}

}  // namespace
}  // namespace fulei::sync
