// A person's acknowledgement of an urgent case and the handling steps of its logs
// (programme/urgent_actions.h), over a real store: who may act, and what is refused.
#include "programme/urgent_actions.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "programme/fields.h"
#include "tests/programme/case_store_fixture.h"
#include "tests/support/status_matchers.h"

namespace fulei::programme {
namespace {

using testing::kH1;
using testing::kR1;
using testing::kV1;
using testing::kV2;
using testing::T;
using UrgentActionsTest = testing::CaseStoreTest;

TEST_F(UrgentActionsTest, WhoMayAcknowledge) {
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

TEST_F(UrgentActionsTest, HandlingStepsAreAppendedAsTheyHappen) {
  const Viewer dir{Role::kVillageDirector, kV1};
  const int64_t now = T("2026-11-29T02:20:00Z");
  CaseStep step{"emergency_steps", T("2026-11-29T02:10:00Z"), "王主任", "safe_placement",
                "暂住儿童之家"};
  auto s1 = AppendCaseStep(kR1, Get(kR1), step, dir, "u-dir", now);
  ASSERT_OK(s1);
  EXPECT_EQ(s1->flags, crdt::kOpFlagUrgent);
  Write({*s1});
  CaseStep g{"guardianship_steps", T("2026-11-29T02:15:00Z"), "镇社会事务办",
             "temporary_guardianship", ""};
  auto s2 =
      AppendCaseStep(kR1, Get(kR1), g, Viewer{Role::kTownOffice, "jinjiang/cizao"}, "u-off", now);
  ASSERT_OK(s2);
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

}  // namespace
}  // namespace fulei::programme
