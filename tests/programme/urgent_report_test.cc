// The mandatory report (强制报告) and help request (求助) records: every required field, every
// closed list, times against `now` with a tolerance, the police-report rules, the step and
// acknowledgement logs, and bilingual (English | zh-CN) messages.
#include <gtest/gtest.h>

#include <string>

#include "programme/schema.h"
#include "programme/validate.h"

namespace fulei::programme {
namespace {

const Date kToday{2026, 11, 29};
const int64_t kNow = *ParseTime("2026-11-29T02:00:00Z");  // 10:00 in Jinjiang

ValidateOptions AtNow() {
  ValidateOptions o;
  o.now_s = kNow;
  return o;
}

Fields GoodReport() {
  return Fields{
      {"harm", {"abuse"}},
      {"child", {"c-0001"}},
      {"reporter_role", {"teacher"}},
      {"reporter_name", {"李老师"}},
      {"reporter_org", {"磁灶镇中心小学"}},
      {"reporter_phone", {"13800000000"}},
      {"discovered_at", {"2026-11-29T01:20:00Z"}},
      {"reported_at", {"2026-11-29T01:40:00Z"}},
      {"description", {"儿童身上多处淤青，自述被继父殴打。"}},
      {"location", {"磁灶镇某村"}},
      {"police_informed", {"yes"}},
      {"police_reported_at", {"2026-11-29T01:35:00Z"}},
      {"police_reported_by", {"李老师"}},
      {"police_unit", {"晋江市公安局磁灶派出所"}},
      {"police_receipt_no", {"J3505822026112900012"}},
      {"emergency_steps",
       {"2026-11-29T01:50:00Z\t王主任（儿童主任）\tsafe_placement\t暂住儿童之家",
        "2026-11-29T01:55:00Z\t王主任\tmedical_care\t"}},
      {"guardianship_steps",
       {"2026-11-29T01:58:00Z\t镇社会事务办\ttemporary_guardianship\t由祖母临时照护"}},
      {"acks", {"2026-11-29T01:45:00Z\tu-town-7\tjinjiang/cizao"}},
  };
}

Fields GoodHelpRequest() {
  return Fields{
      {"channel", {"watch"}},
      {"child", {"c-0002"}},
      {"requester", {"child"}},
      {"need", {"lost"}},
      {"immediate_danger", {"false"}},
      {"reported_at", {"2026-11-29T01:59:00Z"}},
      {"emergency_steps", {"2026-11-29T02:00:00Z\t村网格员\ton_site_check\t已找到"}},
  };
}

// The full message, and its English part.
std::string Full(const Fields& f, std::string_view type = "report") {
  Status s = ValidateRecord(type, f, kToday, AtNow());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  return s.message();
}
std::string En(const Fields& f, std::string_view type = "report") {
  return std::string(EnglishPart(Full(f, type)));
}

TEST(UrgentReportTest, GoodRecordsValidate) {
  Status s = ValidateRecord("report", GoodReport(), kToday, AtNow());
  EXPECT_TRUE(s.ok()) << s.ToString();
  s = ValidateRecord("help_request", GoodHelpRequest(), kToday, AtNow());
  EXPECT_TRUE(s.ok()) << s.ToString();
}

TEST(UrgentReportTest, EveryRequiredFieldIsEnforcedInBothLanguages) {
  const char* report_required[] = {"harm",           "reporter_role", "reporter_name",
                                   "reporter_phone", "reported_at",   "description",
                                   "police_informed"};
  for (const char* name : report_required) {
    EXPECT_TRUE(FindRecordType("report")->Find(name)->required) << name;
    Fields f = GoodReport();
    f.erase(name);
    if (std::string(name) == "police_informed") {
      for (const char* d :
           {"police_reported_at", "police_reported_by", "police_unit", "police_receipt_no"}) {
        f.erase(d);
      }
    }
    const std::string m = Full(f);
    EXPECT_EQ(EnglishPart(m), "report." + std::string(name) + ": is required");
    EXPECT_NE(m.find("：必填"), std::string::npos) << m;
  }
  EXPECT_EQ(Full([] {
              Fields f = GoodReport();
              f.erase("reporter_name");
              return f;
            }()),
            "report.reporter_name: is required | 报告人：必填");
  for (const char* name : {"channel", "requester", "need", "reported_at"}) {
    Fields f = GoodHelpRequest();
    f.erase(name);
    EXPECT_EQ(En(f, "help_request"), "help_request." + std::string(name) + ": is required");
  }
  // The child: a record id or, for a child not yet on record, a name.
  Fields f = GoodReport();
  f.erase("child");
  EXPECT_EQ(Full(f),
            "report.child: name the child: a child record id (child) or a name "
            "(child_name) | 儿童：请填写儿童编号或儿童姓名");
  f["child_name"] = {"小明"};
  EXPECT_TRUE(ValidateRecord("report", f, kToday, AtNow()).ok());
  Fields h = GoodHelpRequest();
  h.erase("child");
  EXPECT_EQ(En(h, "help_request").rfind("help_request.child: name the child", 0), 0u);
}

TEST(UrgentReportTest, ClosedListsRefuseUnknownCodesWithTheChineseChoices) {
  // The harm categories the law's situations fall under, with their Chinese labels.
  std::string labels;
  for (const EnumValue& v : HarmValues()) labels += std::string(v.zh) + ",";
  for (const char* zh : {"性侵害", "虐待", "遗弃", "暴力伤害", "欺凌", "监护缺失/监护不力",
                         "自伤自杀风险", "其他"}) {
    EXPECT_NE(labels.find(std::string(zh) + ","), std::string::npos) << zh;
  }
  struct Case {
    const char* type;
    const char* field;
    const char* bad;
  };
  const Case cases[] = {
      {"report", "harm", "hitting"},          {"report", "reporter_role", "stranger"},
      {"report", "police_informed", "maybe"}, {"report", "status", "lost"},
      {"help_request", "channel", "pigeon"},  {"help_request", "requester", "robot"},
      {"help_request", "need", "candy"}};
  for (const Case& c : cases) {
    Fields f = std::string(c.type) == "report" ? GoodReport() : GoodHelpRequest();
    f[c.field] = {c.bad};
    const std::string m = Full(f, c.type);
    EXPECT_EQ(EnglishPart(m).rfind(std::string(c.type) + "." + c.field + ": unknown value '" +
                                       c.bad + "' (expected one of ",
                                   0),
              0u)
        << m;
    EXPECT_NE(m.find("不在可选范围内（可选："), std::string::npos) << m;
  }
  Fields f = GoodReport();
  f["harm"] = {"x"};
  EXPECT_NE(Full(f).find("性侵害(sexual_harm)"), std::string::npos);
}

TEST(UrgentReportTest, TimesMayNotBeInTheFutureBeyondTheTolerance) {
  Fields f = GoodReport();
  f["reported_at"] = {"2026-11-29T02:10:00Z"};  // now + 10 min: within the tolerance
  f.erase("acks");
  EXPECT_TRUE(ValidateRecord("report", f, kToday, AtNow()).ok());
  f["reported_at"] = {"2026-11-29T02:10:01Z"};
  EXPECT_EQ(Full(f),
            "report.reported_at: 2026-11-29T02:10:01Z is after the current time "
            "2026-11-29T02:00:00Z (tolerance 600 s) | 报告时间：晚于当前时间");
  ValidateOptions strict = AtNow();
  strict.future_tolerance_s = 0;
  f["reported_at"] = {"2026-11-29T02:00:01Z"};
  EXPECT_FALSE(ValidateRecord("report", f, kToday, strict).ok());
  // Without a now, a time is checked against the date (end of the following UTC day).
  EXPECT_TRUE(ValidateRecord("report", f, kToday).ok());
  // Every not-future time of the case is checked, steps and acknowledgements too.
  for (const char* field :
       {"discovered_at", "police_reported_at", "acknowledged_at", "closed_at"}) {
    Fields g = GoodReport();
    g[field] = {"2026-11-29T03:00:00Z"};
    EXPECT_EQ(En(g).rfind("report." + std::string(field) + ": 2026-11-29T03:00:00Z is after", 0),
              0u)
        << field;
  }
  Fields g = GoodReport();
  g["emergency_steps"] = {"2026-11-29T03:00:00Z\t王主任\tmedical_care\t"};
  EXPECT_EQ(En(g).rfind("report.emergency_steps: 2026-11-29T03:00:00Z is after", 0), 0u);
  g = GoodReport();
  g["acks"] = {"2026-11-29T03:00:00Z\tu-1\tjinjiang/cizao"};
  EXPECT_EQ(En(g).rfind("report.acks: 2026-11-29T03:00:00Z is after", 0), 0u);
}

TEST(UrgentReportTest, PoliceReportDetailsExactlyWhenReported) {
  Fields f = GoodReport();
  f.erase("police_reported_at");
  EXPECT_EQ(Full(f),
            "report.police_reported_at: required when police_informed is yes | "
            "报案时间：已报案时必填");
  // A receipt number may come later.
  f = GoodReport();
  f.erase("police_receipt_no");
  EXPECT_TRUE(ValidateRecord("report", f, kToday, AtNow()).ok());
  f = GoodReport();
  f["police_informed"] = {"no"};
  EXPECT_EQ(En(f), "report.police_reported_at: is set while police_informed is not yes");
  f.erase("police_reported_at");
  EXPECT_EQ(En(f), "report.police_reported_by: is set while police_informed is not yes");
  f.erase("police_reported_by");
  f.erase("police_unit");
  EXPECT_EQ(Full(f),
            "report.police_receipt_no: is set while police_informed is not yes | "
            "受案回执号：未记录已报案时不应填写");
  f.erase("police_receipt_no");
  EXPECT_TRUE(ValidateRecord("report", f, kToday, AtNow()).ok());
  // Order: discovered, then reported (to the system and to the police).
  f = GoodReport();
  f["police_reported_at"] = {"2026-11-29T01:00:00Z"};
  EXPECT_EQ(En(f),
            "report.police_reported_at: 2026-11-29T01:00:00Z is before discovered_at "
            "2026-11-29T01:20:00Z");
  f = GoodReport();
  f["discovered_at"] = {"2026-11-29T01:41:00Z"};
  f.erase("police_reported_at");
  f["police_informed"] = {"no"};
  f.erase("police_reported_by");
  f.erase("police_unit");
  f.erase("police_receipt_no");
  EXPECT_EQ(En(f),
            "report.reported_at: 2026-11-29T01:40:00Z is before discovered_at "
            "2026-11-29T01:41:00Z");
}

TEST(UrgentReportTest, StepAndAcknowledgementEntries) {
  struct Bad {
    const char* field;
    std::string entry;
    const char* en_prefix;
  };
  const Bad bad[] = {
      {"emergency_steps", "2026-11-29T01:50:00Z\t王主任\tsafe_placement",
       "report.emergency_steps: step entry must be time<TAB>who<TAB>action<TAB>note"},
      {"emergency_steps", "2026-11-29 01:50\t王主任\tsafe_placement\t", "report.emergency_steps: "},
      {"emergency_steps", "2026-11-29T01:50:00Z\t\tsafe_placement\t",
       "report.emergency_steps: step entry: who must be 1..64 bytes of text"},
      // A guardianship action is not an emergency action, and the reverse.
      {"emergency_steps", "2026-11-29T01:50:00Z\t王主任\ttemporary_guardianship\t",
       "report.emergency_steps: step entry: unknown action 'temporary_guardianship'"},
      {"guardianship_steps", "2026-11-29T01:50:00Z\t镇社会事务办\tmedical_care\t",
       "report.guardianship_steps: step entry: unknown action 'medical_care'"},
      {"emergency_steps", "2026-11-29T01:50:00Z\t王主任\tmedical_care\t" + std::string(2001, 'x'),
       "report.emergency_steps: step entry: note must be at most 2000 bytes"},
      {"acks", "2026-11-29T01:45:00Z\tu-town-7", "report.acks: acknowledgement must be"},
      {"acks", "2026-11-29T01:45:00Z\t张三\tjinjiang/cizao",
       "report.acks: acknowledgement: user id is not a record id"},
      {"acks", "2026-11-29T01:45:00Z\tu-1\t磁灶镇", "report.acks: acknowledgement: '"},
      {"acks", "2026-11-29T01:39:00Z\tu-1\tjinjiang/cizao",
       "report.acks: 2026-11-29T01:39:00Z is before reported_at 2026-11-29T01:40:00Z"},
  };
  for (const Bad& b : bad) {
    Fields f = GoodReport();
    f[b.field] = {b.entry};
    const std::string m = Full(f);
    EXPECT_EQ(EnglishPart(m).rfind(b.en_prefix, 0), 0u) << m;
    EXPECT_NE(m.find(" | "), std::string::npos) << m;
  }
  // A help request has emergency steps but no guardianship-intervention log.
  Fields h = GoodHelpRequest();
  h["guardianship_steps"] = {"2026-11-29T01:50:00Z\tx\tother\t"};
  EXPECT_EQ(En(h, "help_request"), "help_request.guardianship_steps: unknown field");
}

TEST(UrgentReportTest, IdentityFieldsAreRestrictedAndNamed) {
  for (const char* type : {"report", "help_request"}) {
    for (const FieldSpec& f : FindRecordType(type)->fields) {
      if (f.identity) {
        EXPECT_EQ(f.sensitivity, Sensitivity::kRestricted) << f.name;
      }
    }
  }
  for (const char* name :
       {"reporter_name", "reporter_org", "reporter_phone", "police_reported_by"}) {
    EXPECT_TRUE(FindRecordType("report")->Find(name)->identity) << name;
  }
  for (const char* name : {"requester_name", "requester_phone", "police_reported_by"}) {
    EXPECT_TRUE(FindRecordType("help_request")->Find(name)->identity) << name;
  }
  EXPECT_FALSE(FindRecordType("report")->Find("reporter_role")->identity);
}

}  // namespace
}  // namespace fulei::programme
