// Escalation at the city (escalation.h) and a person's acknowledgement and handling steps
// (urgent_actions.h), over a real store: the flag fires exactly at each type's deadline, never
// for acknowledged or closed cases, once per case, in the case's own scope, as urgent ops.
#include "programme/escalation.h"

#include <gtest/gtest.h>

#include "programme/fields.h"
#include "programme/urgent_actions.h"
#include "programme/validate.h"
#include "store/store.h"
#include "tests/store/test_util.h"

namespace fulei::programme {
namespace {

using store::testing::Set;
using store::testing::TempDir;

int64_t T(const char* text) { return *ParseTime(text); }

const std::string kV1 = "jinjiang/cizao/v001";
const std::string kV2 = "jinjiang/chidian/v002";
const crdt::RecordKey kR1{kV1, "report", "r1"};
const crdt::RecordKey kH1{kV1, "help_request", "h1"};

class EscalationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    store::StoreOptions options;
    options.node_id = 1;  // the city node
    options.reserve_bytes = 0;
    auto st = store::Store::Open(dir_.path(), options);
    ASSERT_TRUE(st.ok()) << st.status().ToString();
    store_ = std::move(*st);
    // Filed at 10:00 (02:00 UTC): report r1 due 10:30, help request h1 due 10:10; r2 already
    // acknowledged, r3 closed, r4 in another town, r5 with its own 15-minute deadline.
    Write({{kR1, {Set("reported_at", "2026-11-29T02:00:00Z"), Set("harm", "abuse")}, "u-dir", 0},
           {kH1, {Set("reported_at", "2026-11-29T02:00:00Z"), Set("channel", "watch")}, "u-dir", 0},
           {{kV1, "report", "r2"},
            {Set("reported_at", "2026-11-29T02:00:00Z"),
             crdt::AppendWrite("acks", "2026-11-29T02:05:00Z\tu-7\tjinjiang/cizao")},
            "u-dir",
            0},
           {{kV1, "report", "r3"},
            {Set("reported_at", "2026-11-29T02:00:00Z"), Set("status", "closed")},
            "u-dir",
            0},
           {{kV2, "report", "r4"}, {Set("reported_at", "2026-11-29T02:00:00Z")}, "u-dir2", 0},
           {{kV1, "report", "r5"},
            {Set("reported_at", "2026-11-29T02:00:00Z"), Set("ack_deadline_minutes", "15")},
            "u-dir",
            0}});
  }

  std::vector<crdt::Op> Write(std::vector<store::LocalChange> changes) {
    auto ops = store_->WriteLocal(changes, clock_, wall_ms_ += 1000);
    EXPECT_TRUE(ops.ok()) << ops.status().ToString();
    return ops.ok() ? *ops : std::vector<crdt::Op>{};
  }

  std::vector<std::string> Due(const char* now, std::string_view subtree = "jinjiang",
                               const UrgentDeadlines& d = {}) {
    auto changes = EscalationsDue(*store_, subtree, T(now), d);
    EXPECT_TRUE(changes.ok()) << changes.status().ToString();
    std::vector<std::string> ids;
    if (changes.ok()) {
      for (const store::LocalChange& c : *changes) ids.push_back(c.key.id);
    }
    return ids;
  }

  crdt::RecordState Get(const crdt::RecordKey& key) {
    auto s = store_->Get(key);
    EXPECT_TRUE(s.ok() && s->has_value());
    return s.ok() && s->has_value() ? **s : crdt::RecordState{};
  }

  TempDir dir_;
  std::unique_ptr<store::Store> store_;
  crdt::HybridClock clock_;
  uint64_t wall_ms_ = 1'764'381'600'000;
};

using Ids = std::vector<std::string>;

TEST_F(EscalationTest, FiresExactlyAtEachTypesDeadlineOnceAndInTheCasesScope) {
  EXPECT_EQ(Due("2026-11-29T02:09:59Z"), Ids{});
  auto scan = ScanEscalations(*store_, "jinjiang", T("2026-11-29T02:09:59Z"), {});
  ASSERT_TRUE(scan.ok());
  EXPECT_EQ(scan->next_due, T("2026-11-29T02:10:00Z"));  // for the node's timer
  EXPECT_EQ(scan->cases, 6u);
  // Help request: 10 minutes.
  auto at10 = EscalationsDue(*store_, "jinjiang", T("2026-11-29T02:10:00Z"), {});
  ASSERT_TRUE(at10.ok());
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
    ASSERT_NE(spec, nullptr);
    EXPECT_TRUE(ValidateValue(*spec, OneOr(*h1, f), Date{2026, 11, 29}).ok()) << f;
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
  ASSERT_TRUE(after.ok());
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
  EXPECT_FALSE(EscalationsDue(*store_, "", T("2026-11-29T03:00:00Z"), d).ok());
}

TEST_F(EscalationTest, AcknowledgedInTimeNeverEscalatesLateAckKeepsTheFlag) {
  const Viewer supervisor{Role::kTownSupervisor, "jinjiang/cizao"};
  auto ack = AcknowledgeCase(kR1, Get(kR1), supervisor, "u-sup-1", T("2026-11-29T02:29:00Z"));
  ASSERT_TRUE(ack.ok()) << ack.status().ToString();
  EXPECT_EQ(ack->flags, crdt::kOpFlagUrgent);
  EXPECT_EQ(ack->author, "u-sup-1");
  Write({*ack});
  auto r1 = ReadFields(Get(kR1));
  EXPECT_EQ(All(*r1, "acks"),
            std::vector<std::string>{"2026-11-29T02:29:00Z\tu-sup-1\tjinjiang/cizao"});
  auto u = ReadUrgentCase(kV1, "report", "r1", *r1);
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->acknowledged_at, T("2026-11-29T02:29:00Z"));
  EXPECT_EQ(u->acknowledged_by, "u-sup-1");
  EXPECT_EQ(Due("2026-11-29T02:30:00Z"), (Ids{"h1", "r5", "r4"}));  // earliest deadline first
  Write(*EscalationsDue(*store_, "jinjiang", T("2026-11-29T02:30:00Z"), {}));
  // The help request was flagged before its acknowledgement: the flag stays, nothing more.
  const Viewer office{Role::kTownOffice, "jinjiang/cizao"};
  auto late = AcknowledgeCase(kH1, Get(kH1), office, "u-off-2", T("2026-11-29T02:40:00Z"));
  ASSERT_TRUE(late.ok());
  Write({*late});
  EXPECT_EQ(Due("2026-11-29T03:00:00Z"), Ids{});
  EXPECT_EQ(OneOr(*ReadFields(Get(kH1)), "escalated_at"), "2026-11-29T02:30:00Z");
  // A second person may acknowledge too (both kept); the same person twice is refused.
  const Viewer city{Role::kCityBureau, "jinjiang"};
  auto second = AcknowledgeCase(kH1, Get(kH1), city, "u-city-1", T("2026-11-29T02:41:00Z"));
  ASSERT_TRUE(second.ok());
  Write({*second});
  auto again = AcknowledgeCase(kH1, Get(kH1), office, "u-off-2", T("2026-11-29T02:42:00Z"));
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  auto h1 = ReadFields(Get(kH1));
  EXPECT_EQ(All(*h1, "acks").size(), 2u);
  EXPECT_EQ(ReadUrgentCase(kV1, "help_request", "h1", *h1)->acknowledged_by, "u-off-2");
}

TEST_F(EscalationTest, WhoMayAcknowledge) {
  const crdt::RecordState r1 = Get(kR1);
  const int64_t now = T("2026-11-29T02:05:00Z");
  for (const Viewer& v :
       {Viewer{Role::kVillageDirector, kV1}, Viewer{Role::kTownSupervisor, "jinjiang/chidian"},
        Viewer{Role::kVolunteer, kV1}, Viewer{Role::kAuditor, "jinjiang"}}) {
    auto a = AcknowledgeCase(kR1, r1, v, "u-1", now);
    EXPECT_EQ(a.status().code(), StatusCode::kPermissionDenied) << RoleCode(v.role);
  }
  const Viewer sup{Role::kTownSupervisor, "jinjiang/cizao"};
  EXPECT_EQ(AcknowledgeCase(kR1, r1, sup, "张三", now).status().code(),
            StatusCode::kInvalidArgument);
  const crdt::RecordKey r3{kV1, "report", "r3"};
  EXPECT_EQ(AcknowledgeCase(r3, Get(r3), sup, "u-1", now).status().code(),
            StatusCode::kFailedPrecondition);
  const crdt::RecordKey missing{kV1, "report", "nope"};
  EXPECT_EQ(AcknowledgeCase(missing, crdt::RecordState{}, sup, "u-1", now).status().code(),
            StatusCode::kNotFound);
  const crdt::RecordKey child{kV1, "child", "c1"};
  EXPECT_EQ(AcknowledgeCase(child, r1, sup, "u-1", now).status().code(),
            StatusCode::kInvalidArgument);
  // Nothing was written by the refusals.
  EXPECT_TRUE(All(*ReadFields(Get(kR1)), "acks").empty());
}

TEST_F(EscalationTest, HandlingStepsAreAppendedAsTheyHappen) {
  const Viewer dir{Role::kVillageDirector, kV1};
  const int64_t now = T("2026-11-29T02:20:00Z");
  CaseStep step{"emergency_steps", T("2026-11-29T02:10:00Z"), "王主任", "safe_placement",
                "暂住儿童之家"};
  auto s1 = AppendCaseStep(kR1, Get(kR1), step, dir, "u-dir", now);
  ASSERT_TRUE(s1.ok()) << s1.status().ToString();
  EXPECT_EQ(s1->flags, crdt::kOpFlagUrgent);
  Write({*s1});
  CaseStep g{"guardianship_steps", T("2026-11-29T02:15:00Z"), "镇社会事务办",
             "temporary_guardianship", ""};
  auto s2 =
      AppendCaseStep(kR1, Get(kR1), g, Viewer{Role::kTownOffice, "jinjiang/cizao"}, "u-off", now);
  ASSERT_TRUE(s2.ok()) << s2.status().ToString();
  Write({*s2});
  auto r1 = ReadFields(Get(kR1));
  EXPECT_EQ(All(*r1, "emergency_steps"),
            std::vector<std::string>{"2026-11-29T02:10:00Z\t王主任\tsafe_placement\t暂住儿童之家"});
  EXPECT_EQ(All(*r1, "guardianship_steps").size(), 1u);
  // Refusals: a guardianship action in the emergency log, a step in the future, an unknown log,
  // an auditor, a help request's guardianship log.
  CaseStep bad = step;
  bad.action = "temporary_guardianship";
  auto e1 = AppendCaseStep(kR1, Get(kR1), bad, dir, "u-dir", now);
  EXPECT_EQ(e1.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(e1.status().message().find(" | 应急处置记录"), std::string::npos);
  bad = step;
  bad.at = now + 601;
  EXPECT_EQ(AppendCaseStep(kR1, Get(kR1), bad, dir, "u-dir", now).status().code(),
            StatusCode::kInvalidArgument);
  bad = step;
  bad.log = "description";
  EXPECT_EQ(AppendCaseStep(kR1, Get(kR1), bad, dir, "u-dir", now).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(AppendCaseStep(kR1, Get(kR1), step, Viewer{Role::kAuditor, "jinjiang"}, "u-a", now)
                .status()
                .code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(AppendCaseStep(kR1, Get(kR1), step, Viewer{Role::kVillageDirector, kV2}, "u-x", now)
                .status()
                .code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(AppendCaseStep(kH1, Get(kH1), g, dir, "u-dir", now).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(EscalationTest, UndecodableCasesAreCountedAndSkipped) {
  Write({{{kV1, "report", "bad"}, {Set("reported_at", "yesterday")}, "u-x", 0}});
  auto scan = ScanEscalations(*store_, "jinjiang", T("2026-11-30T00:00:00Z"), {});
  ASSERT_TRUE(scan.ok());
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
