// The records of issue 15 in the schema (schema.h) and validated (validate.h): facilities, posts of
// 儿童主任 / 儿童督导员, 亲情视频 with an absent parent, referral follow-ups, legal consultations,
// inspections and their corrections, ring-fenced funds; and where each lives (scope.h).
#include <gtest/gtest.h>

#include "programme/schema.h"
#include "programme/scope.h"
#include "programme/validate.h"
#include "tests/support/status_matchers.h"

namespace fulei::programme {
namespace {

const Date kToday{2026, 11, 29};

std::string English(const Fields& f, std::string_view type) {
  const Status s = ValidateRecord(type, f, kToday);
  return s.ok() ? "" : std::string(EnglishPart(s.message()));
}

TEST(NewRecordsTest, EveryNewTypeHasChineseLabelsAndRequiredFields) {
  for (std::string_view type :
       {kLegalConsultation, kFacility, kStaffPost, kInspection, kCorrection, kFund}) {
    const RecordTypeSpec* spec = FindRecordType(type);
    ASSERT_NE(spec, nullptr) << type;
    EXPECT_FALSE(spec->zh.empty());
    bool required = false;
    for (const FieldSpec& f : spec->fields) {
      EXPECT_FALSE(f.zh.empty()) << type << "." << f.name;
      required = required || f.required;
    }
    EXPECT_TRUE(required) << type;
    // An empty record is refused, naming a required field.
    EXPECT_NE(English({}, type).find("is required"), std::string::npos) << type;
  }
}

TEST(NewRecordsTest, WhereEachLives) {
  EXPECT_TRUE(IsOfficeOnlyType(kLegalConsultation));
  EXPECT_TRUE(IsOfficeOnlyType(kFund));
  EXPECT_FALSE(IsOfficeOnlyType(kFacility));
  EXPECT_FALSE(IsOfficeOnlyType(kStaffPost));
  EXPECT_FALSE(IsOfficeOnlyType(kInspection));
  EXPECT_FALSE(IsOfficeOnlyType(kCorrection));
  EXPECT_EQ(RecordScope(kFund, "jinjiang/cizao", UnitLevel::kTown), "jinjiang/cizao/~office");
  EXPECT_EQ(RecordScope(kInspection, "jinjiang", UnitLevel::kCity), "jinjiang");
  // Staff names are personal data.
  EXPECT_EQ(FindRecordType(kStaffPost)->Find("name")->sensitivity, Sensitivity::kSensitive);
}

TEST(NewRecordsTest, FacilityAndPost) {
  Fields facility = {{"kind", {"children_home"}},
                     {"name", {"磁灶镇张林村儿童之家"}},
                     {"opened_on", {"2021-06-01"}},
                     {"area_m2", {"80"}}};
  EXPECT_EQ(English(facility, "facility"), "");
  facility["kind"] = {"playground"};
  EXPECT_NE(English(facility, "facility"), "");

  Fields post = {{"role", {"director"}},    {"person", {"h-12"}},
                 {"name", {"陈主任"}},      {"unit", {"jinjiang/cizao/v001"}},
                 {"since", {"2022-03-01"}}, {"trainings", {"t-1", "t-2"}},
                 {"certified", {"true"}}};
  EXPECT_EQ(English(post, "staff_post"), "");
  post["since"] = {"2027-01-01"};
  EXPECT_NE(English(post, "staff_post"), "");
  post["since"] = {"2022-03-01"};
  post.erase("unit");
  EXPECT_EQ(English(post, "staff_post"), "staff_post.unit: is required");
}

TEST(NewRecordsTest, VideoCallWithAnAbsentParentAndOldContactsStayValid) {
  Fields old = {
      {"kind", {"talk"}}, {"child", {"c1"}}, {"helper", {"h1"}}, {"date", {"2026-11-01"}}};
  EXPECT_EQ(English(old, "contact"), "");
  Fields call = old;
  call["kind"] = {"video_call"};
  call["counterpart"] = {"parent"};
  call["parent_relation"] = {"mother"};
  call["parent"] = {"g-7"};
  EXPECT_EQ(English(call, "contact"), "");
  call["counterpart"] = {"uncle"};
  EXPECT_NE(English(call, "contact"), "");
}

TEST(NewRecordsTest, ReferralFollowUpAndLegalConsultation) {
  Fields referral = {{"case", {"r-1"}},
                     {"to", {"procuratorate"}},
                     {"date", {"2026-11-01"}},
                     {"status", {"following"}},
                     {"follow_up_due", {"2026-12-15"}},
                     {"follow_ups", {"11-10 电话跟进", "11-20 检察院回复"}}};
  EXPECT_EQ(English(referral, "referral"), "");
  for (std::string_view to : {"police", "procuratorate", "court", "youth_league"}) {
    EXPECT_NE(FindEnum(ReferralToValues(), to), nullptr) << to;
  }
  referral["status"] = {"lost"};
  EXPECT_NE(English(referral, "referral"), "");

  Fields consult = {{"date", {"2026-11-02"}},
                    {"topic", {"guardianship"}},
                    {"consultant", {"晋江市法律援助中心"}},
                    {"follow_up_due", {"2026-12-01"}}};
  EXPECT_EQ(English(consult, "legal_consultation"), "");
  consult.erase("topic");
  EXPECT_EQ(English(consult, "legal_consultation"), "legal_consultation.topic: is required");
  EXPECT_EQ(FindRecordType(kLegalConsultation)->Find("answer")->sensitivity,
            Sensitivity::kRestricted);
}

TEST(NewRecordsTest, InspectionAndCorrection) {
  const Fields inspection = {{"unit", {"jinjiang/cizao/v001"}},
                             {"date", {"2026-10-10"}},
                             {"inspectors", {"市民政局 王、林"}},
                             {"findings", {"儿童之家开放时间不足"}},
                             {"score", {"85"}}};
  EXPECT_EQ(English(inspection, "inspection"), "");
  Fields bad = inspection;
  bad["score"] = {"120"};
  EXPECT_NE(English(bad, "inspection"), "");
  Fields correction = {{"inspection", {"i-1"}},
                       {"unit", {"jinjiang/cizao/v001"}},
                       {"item", {"每周开放不少于 3 天"}},
                       {"due", {"2026-12-31"}}};
  EXPECT_EQ(English(correction, "correction"), "");
  correction["completed_on"] = {"2027-01-02"};  // not in the future
  EXPECT_NE(English(correction, "correction"), "");
}

}  // namespace
}  // namespace fulei::programme
