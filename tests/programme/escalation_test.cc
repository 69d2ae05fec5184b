// Escalation at the city (escalation.h) over a real store: the flag fires exactly at each type's
// deadline, never for acknowledged or closed cases, once per case, in the case's own scope, as
// urgent ops. Acknowledgement and handling steps themselves: urgent_actions_test.cc.
#include "programme/escalation.h"

#include <gtest/gtest.h>

#include "programme/fields.h"
#include "programme/urgent_actions.h"
#include "programme/validate.h"
#include "store/store.h"
#include "tests/programme/case_store_fixture.h"
#include "tests/store/test_util.h"
#include "tests/support/status_matchers.h"

namespace fulei::programme {
namespace {

using store::testing::Set;

using testing::kH1;
using testing::kR1;
using testing::kV1;
using testing::T;

class EscalationTest : public testing::CaseStoreTest {
 protected:
  std::vector<std::string> Due(const char* now, std::string_view subtree = "jinjiang",
                               const UrgentDeadlines& d = {}) {
    auto changes = EscalationsDue(*store_, subtree, T(now), d);
    EXPECT_OK(changes);
    std::vector<std::string> ids;
    if (changes.ok()) {
      for (const store::LocalChange& c : *changes) ids.push_back(c.key.id);
    }
    return ids;
  }
};

using Ids = std::vector<std::string>;

TEST_F(EscalationTest, FiresExactlyAtEachTypesDeadlineOnceAndInTheCasesScope) {
  EXPECT_EQ(Due("2026-11-29T02:09:59Z"), Ids{});
  auto scan = ScanEscalations(*store_, "jinjiang", T("2026-11-29T02:09:59Z"), {});
  ASSERT_OK(scan);
  EXPECT_EQ(scan->next_due, T("2026-11-29T02:10:00Z"));  // for the node's timer
  EXPECT_EQ(scan->cases, 6u);
  // Help request: 10 minutes.
  auto at10 = EscalationsDue(*store_, "jinjiang", T("2026-11-29T02:10:00Z"), {});
  ASSERT_OK(at10);
  ASSERT_EQ(at10->size(), 1u);
  const store::LocalChange& c = (*at10)[0];
  EXPECT_EQ(c.key, kH1);  // the help request's own scope: flows down to the village
  EXPECT_EQ(c.flags, crdt::kOpFlagUrgent);
  EXPECT_EQ(c.author, kEscalationAuthor);
  const auto ops = Write(*at10);
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_TRUE(ops[0].urgent());
  EXPECT_EQ(ops[0].key.scope, kV1);
  auto h1 = ReadFields(Get(kH1));
  ASSERT_TRUE(h1);
  EXPECT_EQ(OneOr(*h1, "escalated_at"), "2026-11-29T02:10:00Z");
  EXPECT_EQ(OneOr(*h1, "overdue_since"), "2026-11-29T02:10:00Z");
  EXPECT_EQ(OneOr(*h1, "escalated_to"), "jinjiang");
  // The flag fields pass the schema.
  for (const char* f : {"escalated_at", "overdue_since", "escalated_to"}) {
    const FieldSpec* spec = FindRecordType("help_request")->Find(f);
    ASSERT_NE(spec, nullptr) << f;
    SCOPED_TRACE(f);
    EXPECT_OK(ValidateValue(*spec, OneOr(*h1, f), Date{2026, 11, 29}));
  }
  // Idempotent: flagged once.
  EXPECT_EQ(Due("2026-11-29T02:10:00Z"), Ids{});
  EXPECT_EQ(Due("2026-11-29T02:14:59Z"), Ids{});
  // r5's own 15 minutes (shorter than 30) count.
  EXPECT_EQ(Due("2026-11-29T02:15:00Z"), Ids{"r5"});
  Write(*EscalationsDue(*store_, "jinjiang", T("2026-11-29T02:15:00Z"), {}));
  // Report: 30 minutes; the other town's report too; never r2 (acknowledged) or r3 (closed).
  EXPECT_EQ(Due("2026-11-29T02:29:59Z"), Ids{});
  EXPECT_EQ(Due("2026-11-29T02:30:00Z"), (Ids{"r4", "r1"}));  // same deadline: by scope
  Write(*EscalationsDue(*store_, "jinjiang", T("2026-11-29T02:30:00Z"), {}));
  EXPECT_EQ(Due("2026-11-30T02:30:00Z"), Ids{});
  auto r1 = ReadFields(Get(kR1));
  EXPECT_EQ(OneOr(*r1, "overdue_since"), "2026-11-29T02:30:00Z");
  auto after = ScanEscalations(*store_, "jinjiang", T("2026-11-29T02:30:00Z"), {});
  ASSERT_OK(after);
  EXPECT_FALSE(after->next_due.has_value());
}

TEST_F(EscalationTest, DeadlinesAreConfigurablePerTypeAndScopedToTheSubtree) {
  UrgentDeadlines d;
  d.report_minutes = 60;
  d.help_request_minutes = 5;
  EXPECT_EQ(Due("2026-11-29T02:04:59Z", "jinjiang", d), Ids{});
  EXPECT_EQ(Due("2026-11-29T02:05:00Z", "jinjiang", d), Ids{"h1"});
  EXPECT_EQ(Due("2026-11-29T02:30:00Z", "jinjiang", d), (Ids{"h1", "r5"}));  // r5: its own 15
  EXPECT_EQ(Due("2026-11-29T03:00:00Z", "jinjiang", d), (Ids{"h1", "r5", "r4", "r1"}));
  EXPECT_EQ(Due("2026-11-29T03:00:00Z", "jinjiang/chidian", d), Ids{"r4"});
  EXPECT_EQ(EscalationsDue(*store_, "", T("2026-11-29T03:00:00Z"), d).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(EscalationTest, AcknowledgedInTimeNeverEscalatesLateAckKeepsTheFlag) {
  const Viewer supervisor{Role::kTownSupervisor, "jinjiang/cizao"};
  auto ack = AcknowledgeCase(kR1, Get(kR1), supervisor, "u-sup-1", T("2026-11-29T02:29:00Z"));
  ASSERT_OK(ack);
  EXPECT_EQ(ack->flags, crdt::kOpFlagUrgent);
  EXPECT_EQ(ack->author, "u-sup-1");
  Write({*ack});
  auto r1 = ReadFields(Get(kR1));
  EXPECT_EQ(All(*r1, "acks"),
            std::vector<std::string>{"2026-11-29T02:29:00Z\tu-sup-1\tjinjiang/cizao"});
  auto u = ReadUrgentCase(kV1, "report", "r1", *r1);
  ASSERT_OK(u);
  EXPECT_EQ(u->acknowledged_at, T("2026-11-29T02:29:00Z"));
  EXPECT_EQ(u->acknowledged_by, "u-sup-1");
  EXPECT_EQ(Due("2026-11-29T02:30:00Z"), (Ids{"h1", "r5", "r4"}));  // earliest deadline first
  Write(*EscalationsDue(*store_, "jinjiang", T("2026-11-29T02:30:00Z"), {}));
  // The help request was flagged before its acknowledgement: the flag stays, nothing more.
  const Viewer office{Role::kTownOffice, "jinjiang/cizao"};
  auto late = AcknowledgeCase(kH1, Get(kH1), office, "u-off-2", T("2026-11-29T02:40:00Z"));
  ASSERT_OK(late);
  Write({*late});
  EXPECT_EQ(Due("2026-11-29T03:00:00Z"), Ids{});
  EXPECT_EQ(OneOr(*ReadFields(Get(kH1)), "escalated_at"), "2026-11-29T02:30:00Z");
  // A second person may acknowledge too (both kept); the same person twice is refused.
  const Viewer city{Role::kCityBureau, "jinjiang"};
  auto second = AcknowledgeCase(kH1, Get(kH1), city, "u-city-1", T("2026-11-29T02:41:00Z"));
  ASSERT_OK(second);
  Write({*second});
  auto again = AcknowledgeCase(kH1, Get(kH1), office, "u-off-2", T("2026-11-29T02:42:00Z"));
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  auto h1 = ReadFields(Get(kH1));
  EXPECT_EQ(All(*h1, "acks").size(), 2u);
  EXPECT_EQ(ReadUrgentCase(kV1, "help_request", "h1", *h1)->acknowledged_by, "u-off-2");
}

TEST_F(EscalationTest, UndecodableCasesAreCountedAndSkipped) {
  Write({{{kV1, "report", "bad"}, {Set("reported_at", "yesterday")}, "u-x", 0}});
  auto scan = ScanEscalations(*store_, "jinjiang", T("2026-11-30T00:00:00Z"), {});
  ASSERT_OK(scan);
  EXPECT_EQ(scan->unreadable, 1u);
  EXPECT_EQ(scan->changes.size(), 4u);  // h1, r1, r4, r5
}

TEST(EscalationChangesTest, PureFunctionEdges) {
  UrgentCase c;
  c.scope = kV1;
  c.type = "report";
  c.id = "r";
  c.reported_at = T("2026-11-29T02:00:00Z");
  c.deadline_minutes = 30;
  std::vector<UrgentCase> cases{c};
  EXPECT_TRUE(EscalationChanges(cases, "jinjiang", c.deadline() - 1).empty());
  ASSERT_EQ(EscalationChanges(cases, "jinjiang", c.deadline()).size(), 1u);
  cases[0].acknowledged_at = c.deadline() + 100;  // acknowledged late but before this run
  EXPECT_TRUE(EscalationChanges(cases, "jinjiang", c.deadline() + 200).empty());
  cases[0] = c;
  cases[0].closed = true;
  EXPECT_TRUE(EscalationChanges(cases, "jinjiang", c.deadline() + 200).empty());
  cases[0] = c;
  cases[0].escalated_at = c.deadline();
  EXPECT_TRUE(EscalationChanges(cases, "jinjiang", c.deadline() + 200).empty());
}

}  // namespace
}  // namespace fulei::programme
