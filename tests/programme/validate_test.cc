#include "programme/validate.h"

#include <gtest/gtest.h>

#include "programme/id_number.h"
#include "tests/support/status_matchers.h"

namespace fulei::programme {
namespace {

const Date kToday{2026, 11, 29};

Fields GoodChild() {
  return Fields{
      {"name", {"王小明"}},
      {"gender", {"male"}},
      {"birth_date", {"2015-03-12"}},
      {"id_number", {"350582201503121238"}},
      {"category", {"left_behind"}},
      {"father_status", {"working_away"}},
      {"mother_status", {"working_away"}},
      {"living_support", {"education_aid", "medical_assistance"}},
      {"consent_on", {"2025-09-01"}},
      {"consent_by", {"g-0001"}},
  };
}

std::string Message(const Fields& f, std::string_view type = "child") {
  Status s = ValidateRecord(type, f, kToday);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  return std::string(EnglishPart(s.message()));
}

// Assistance given (assistance.h): the kind of a new entry is one of the closed list, by code or
// Chinese label; an entry already stored stays valid whatever its kind (read as "other").
TEST(ValidateTest, AssistanceKindMustBeInTheClosedList) {
  Fields pairing{{"helper", {"h-1"}},
                 {"child", {"c-1"}},
                 {"kind", {"assistance"}},
                 {"start_date", {"2026-05-01"}},
                 {"assistance", {"2026-06-01\tmoney\t200\t", "2026-06-02\t物资\t\t书包"}}};
  EXPECT_OK(ValidateRecord("pairing", pairing, kToday));
  pairing["assistance"].push_back("2026-06-03\t书包\t20\t");
  const Status s = ValidateRecord("pairing", pairing, kToday);
  ASSERT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(EnglishPart(s.message()),
            "pairing.assistance: assistance kind '书包' is not one of money, goods, study, "
            "medical, job, service, other (or their Chinese labels)");
  const std::string zh(s.message().substr(s.message().find(" | ") + 3));
  EXPECT_NE(zh.find("帮扶类型“书包”不在帮扶类型清单中"), std::string::npos) << zh;
  EXPECT_NE(zh.find("资金(money)"), std::string::npos) << zh;
  // The same value alone is refused too (what a write of one entry is checked with).
  const FieldSpec& spec = *FindRecordType("pairing")->Find("assistance");
  EXPECT_EQ(ValidateValue(spec, "2026-06-03\t书包\t20\t", kToday).code(),
            StatusCode::kInvalidArgument);
  EXPECT_OK(ValidateValue(spec, "2026-06-03\t其他\t20\t书包", kToday));

  // Stored before the list was closed: still valid where it is, and only there.
  Fields stored = pairing;
  ValidateOptions options;
  options.stored = &stored;
  EXPECT_OK(ValidateRecord("pairing", pairing, kToday, options));
  pairing["assistance"].push_back("2026-06-04\t文具\t\t");
  EXPECT_EQ(ValidateRecord("pairing", pairing, kToday, options).code(),
            StatusCode::kInvalidArgument);
  // A stored entry is still held to the format: a malformed amount is never tolerated.
  stored["assistance"] = {"2026-06-05\t书包\t1.234\t"};
  EXPECT_EQ(ValidateRecord("pairing", stored, kToday, options).code(),
            StatusCode::kInvalidArgument);
}

TEST(ValidateTest, AcceptsAGoodChild) {
  Status s = ValidateRecord("child", GoodChild(), kToday);
  EXPECT_OK(s);
}

TEST(ValidateTest, BadIdChecksumNamesTheField) {
  Fields f = GoodChild();
  f["id_number"] = {"350582201503121235"};
  EXPECT_EQ(Message(f), "child.id_number: checksum digit is 5, expected 8");
}

TEST(ValidateTest, IdNumberMustAgreeWithBirthDateAndGender) {
  Fields f = GoodChild();
  f["birth_date"] = {"2015-03-13"};
  EXPECT_EQ(Message(f),
            "child.id_number: embedded birth date 2015-03-12 does not match birth_date 2015-03-13");
  f = GoodChild();
  f["gender"] = {"female"};
  EXPECT_EQ(Message(f), "child.id_number: sequence digit says male, gender is female");
}

TEST(ValidateTest, ImpossibleAndFutureDates) {
  Fields f = GoodChild();
  f["birth_date"] = {"2015-02-30"};
  EXPECT_EQ(Message(f), "child.birth_date: 2015-02-30 is not a calendar date");
  f["birth_date"] = {"2027-01-01"};
  EXPECT_EQ(Message(f), "child.birth_date: 2027-01-01 is after today (2026-11-29)");
}

TEST(ValidateTest, UnknownCategoryFieldAndType) {
  Fields f = GoodChild();
  f["category"] = {"poor"};
  EXPECT_EQ(Message(f).rfind("child.category: unknown value 'poor' (expected one of orphan", 0),
            0u);
  f = GoodChild();
  f["nickname"] = {"x"};
  EXPECT_EQ(Message(f), "child.nickname: unknown field");
  EXPECT_EQ(Message(GoodChild(), "kid"), "unknown record type 'kid'");
}

TEST(ValidateTest, RequiredRegisterAndSetShapes) {
  Fields f = GoodChild();
  f.erase("category");
  EXPECT_EQ(Message(f), "child.category: is required");
  f = GoodChild();
  f["gender"] = {"male", "female"};
  EXPECT_EQ(Message(f), "child.gender: holds 2 values, expected one");
  f = GoodChild();
  f["living_support"] = {"education_aid", "education_aid"};
  EXPECT_EQ(Message(f), "child.living_support: element 'education_aid' appears twice");
}

TEST(ValidateTest, ConsentRequiredUnder14Only) {
  Fields f = GoodChild();
  f.erase("consent_on");
  EXPECT_EQ(Message(f).rfind("child.consent_on: required for a child under 14", 0), 0u);
  f["birth_date"] = {"2010-01-01"};
  f.erase("id_number");
  EXPECT_OK(ValidateRecord("child", f, kToday));
}

TEST(ValidateTest, TextMustBeCleanUtf8) {
  Fields f = GoodChild();
  f["name"] = {std::string("王\xE5\xB0")};  // truncated sequence
  EXPECT_EQ(Message(f).rfind("child.name: is not clean UTF-8", 0), 0u);
  f["name"] = {"王\n明"};
  EXPECT_EQ(Message(f).rfind("child.name: is not clean UTF-8", 0), 0u);
}

TEST(ValidateTest, ContactPairingAndReportRules) {
  Fields contact{
      {"kind", {"talk"}}, {"child", {"c-1"}}, {"helper", {"h-1"}}, {"date", {"2026-11-30"}}};
  EXPECT_EQ(Message(contact, "contact"), "contact.date: 2026-11-30 is after today (2026-11-29)");
  contact["date"] = {"2026-11-29"};
  contact["kind"] = {"phone"};
  EXPECT_EQ(Message(contact, "contact").rfind("contact.kind: unknown value 'phone'", 0), 0u);

  Fields pairing{
      {"helper", {"h-1"}},          {"child", {"c-1"}},
      {"kind", {"family_care"}},    {"start_date", {"2026-05-01"}},
      {"end_date", {"2026-04-30"}}, {"assistance", {"2026-06-01\tmoney\t200.50\t学习用品"}}};
  EXPECT_EQ(Message(pairing, "pairing"),
            "pairing.end_date: 2026-04-30 is before start_date 2026-05-01");
  pairing["end_date"] = {"2026-05-01"};
  EXPECT_OK(ValidateRecord("pairing", pairing, kToday));
  pairing["assistance"] = {"2026-06-01\tmoney\t200.505\t"};
  EXPECT_EQ(Message(pairing, "pairing"), "pairing.assistance: '200.505' is not an amount in yuan");

  Fields report{{"harm", {"abuse"}},
                {"child", {"c-1"}},
                {"reporter_role", {"teacher"}},
                {"reporter_name", {"李老师"}},
                {"reporter_phone", {"13800000000"}},
                {"description", {"身上多处淤青"}},
                {"police_informed", {"no"}},
                {"reported_at", {"2026-11-28T10:00:00Z"}},
                {"acknowledged_at", {"2026-11-28T09:59:59Z"}}};
  EXPECT_EQ(Message(report, "report"),
            "report.acknowledged_at: 2026-11-28T09:59:59Z is before reported_at "
            "2026-11-28T10:00:00Z");
}

TEST(ValidateTest, MoneyAndIntEncodings) {
  EXPECT_EQ(*ParseMoneyFen("120"), 12000);
  EXPECT_EQ(*ParseMoneyFen("35.5"), 3550);
  EXPECT_EQ(*ParseMoneyFen("0.05"), 5);
  EXPECT_EQ(ParseMoneyFen("01").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseMoneyFen("1.").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseMoneyFen("-1").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(*ParseInt("-12"), -12);
  EXPECT_EQ(ParseInt("012").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseInt("1e3").status().code(), StatusCode::kInvalidArgument);
}

TEST(ValidateTest, EveryTypeHasLabelsAndKnownEnumCodes) {
  for (const RecordTypeSpec& t : RecordTypes()) {
    EXPECT_FALSE(t.zh.empty()) << t.name;
    for (const FieldSpec& f : t.fields) {
      EXPECT_FALSE(f.zh.empty()) << t.name << "." << f.name;
      EXPECT_FALSE(f.en.empty()) << t.name << "." << f.name;
      if (f.type == ValueType::kEnum) {
        EXPECT_FALSE(f.enum_values.empty()) << f.name;
      }
    }
  }
  // Names, ID numbers, notes are never plain.
  EXPECT_EQ(FindRecordType("child")->Find("name")->sensitivity, Sensitivity::kSensitive);
  EXPECT_EQ(FindRecordType("counselling")->Find("notes")->sensitivity, Sensitivity::kRestricted);
}

}  // namespace
}  // namespace fulei::programme

namespace fulei::programme {
namespace {

// A minimal valid record of every type: the schema's required fields are consistent with the
// validator, and dropping any required field is reported by name.
TEST(ValidateTest, MinimalRecordOfEveryTypeValidatesAndEachRequiredFieldIsEnforced) {
  const std::map<std::string, Fields> minimal = {
      {"child",
       {{"name", {"林晓"}},
        {"gender", {"female"}},
        {"birth_date", {"2010-06-01"}},
        {"category", {"orphan"}}}},
      {"guardian", {{"name", {"林阿公"}}, {"relation", {"grandparent"}}}},
      {"helper", {{"name", {"李老师"}}, {"kind", {"teacher"}}}},
      {"pairing",
       {{"helper", {"h1"}},
        {"child", {"c1"}},
        {"kind", {"assistance"}},
        {"start_date", {"2026-01-01"}}}},
      {"training",
       {{"kind", {"job_skill"}}, {"title", {"电商技能培训"}}, {"start_date", {"2026-03-01"}}}},
      {"contact",
       {{"kind", {"video_call"}}, {"child", {"c1"}}, {"helper", {"h1"}}, {"date", {"2026-11-01"}}}},
      {"activity",
       {{"kind", {"winter_camp"}},
        {"title", {"冬令营"}},
        {"start_date", {"2026-01-20"}},
        {"end_date", {"2026-01-30"}}}},
      {"counselling",
       {{"child", {"c1"}},
        {"counsellor", {"h2"}},
        {"kind", {"guidance"}},
        {"date", {"2026-11-02"}}}},
      {"report",
       {{"harm", {"neglect"}},
        {"child", {"c1"}},
        {"reporter_role", {"teacher"}},
        {"reporter_name", {"李老师"}},
        {"reporter_phone", {"13800000000"}},
        {"description", {"长期无人照料"}},
        {"police_informed", {"no"}},
        {"reported_at", {"2026-11-28T02:00:00Z"}}}},
      {"help_request",
       {{"channel", {"watch"}},
        {"child", {"c1"}},
        {"requester", {"child"}},
        {"need", {"safety"}},
        {"reported_at", {"2026-11-28T02:00:00Z"}}}},
      {"intervention",
       {{"case", {"r1"}}, {"kind", {"emergency_handling"}}, {"date", {"2026-11-28"}}}},
      {"referral", {{"case", {"r1"}}, {"to", {"police"}}, {"date", {"2026-11-28"}}}},
      {"patrol", {{"date", {"2026-11-20"}}, {"patroller", {"u-7"}}}},
      {"organisation", {{"name", {"晋江市某社工服务中心"}}, {"kind", {"social_work_agency"}}}},
      {"meeting", {{"date", {"2026-10-10"}}, {"title", {"联络员会议"}}}},
      {"transfer",
       {{"child", {"c1"}},
        {"from_scope", {"jinjiang/cizao/v001"}},
        {"to_scope", {"jinjiang/chidian/v002"}},
        {"date", {"2026-11-01"}}}},
      // Issue 15's records (new_records_test.cc tests them further).
      {"legal_consultation", {{"date", {"2026-11-02"}}, {"topic", {"guardianship"}}}},
      {"facility", {{"kind", {"children_home"}}, {"name", {"张林村儿童之家"}}}},
      {"staff_post",
       {{"role", {"director"}},
        {"person", {"h-1"}},
        {"name", {"陈主任"}},
        {"unit", {"jinjiang/cizao/v001"}},
        {"since", {"2022-03-01"}}}},
      {"inspection",
       {{"unit", {"jinjiang/cizao/v001"}},
        {"date", {"2026-10-10"}},
        {"inspectors", {"市民政局"}},
        {"findings", {"开放时间不足"}}}},
      {"correction",
       {{"inspection", {"i-1"}},
        {"unit", {"jinjiang/cizao/v001"}},
        {"item", {"每周开放不少于 3 天"}},
        {"due", {"2026-12-31"}}}},
      {"fund",
       {{"kind", {"allocation"}},
        {"work", {"holiday_care"}},
        {"unit", {"jinjiang/cizao"}},
        {"amount", {"10000"}},
        {"date", {"2026-05-01"}}}},
      {"user",
       {{"login", {"chen.li"}},
        {"role", {"director"}},
        {"unit", {"jinjiang/cizao/v001"}},
        {"password_hash", {"$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g"}}}},
      {"audit",
       {{"at", {"2026-11-29T01:02:03Z"}},
        {"action", {"read"}},
        {"entry", {"read\n2026-11-29T01:02:03Z\nu-7"}},
        {"node", {"00000000000004d2"}},
        {"seq", {"1"}}}},
  };
  const Date today{2026, 11, 29};
  ASSERT_EQ(minimal.size(), RecordTypes().size());
  for (const RecordTypeSpec& t : RecordTypes()) {
    const Fields& f = minimal.at(std::string(t.name));
    Status s = ValidateRecord(t.name, f, today);
    EXPECT_OK(s);
    for (const FieldSpec& spec : t.fields) {
      if (!spec.required) continue;
      Fields missing = f;
      missing.erase(std::string(spec.name));
      const Status s2 = ValidateRecord(t.name, missing, today);
      EXPECT_EQ(EnglishPart(s2.message()),
                std::string(t.name) + "." + std::string(spec.name) + ": is required");
      // The Chinese half names the field by its label.
      EXPECT_NE(s2.message().find(" | " + std::string(spec.zh) + "：必填"), std::string::npos)
          << s2.message();
    }
  }
}

// Arbitrary bytes never crash the parsers (run under ASan/UBSan in the sanitizer build).
TEST(ValidateTest, ArbitraryBytesAreRejectedNotCrashed) {
  uint32_t x = 12345;
  auto next = [&] {
    x = x * 1103515245u + 12345u;
    return static_cast<char>((x >> 16) & 0xFF);
  };
  const Date today{2026, 11, 29};
  for (int i = 0; i < 3000; ++i) {
    std::string s;
    const int n = i % 40;
    for (int k = 0; k < n; ++k) s += next();
    for (const RecordTypeSpec& t : RecordTypes()) {
      for (const FieldSpec& f : t.fields) {
        ValidateValue(f, s, today).IgnoreError();
      }
    }
    (void)ParseIdNumber(s);
    (void)ParseTime(s);
    (void)ParseMoneyFen(s);
  }
}

// ---- the mandatory report (强制报告) and help request (求助) records: every required field,
// every closed list, times against `now` with a tolerance, the police-report rules, the step and
// acknowledgement logs, and bilingual (English | zh-CN) messages.

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
  EXPECT_OK(s);
  s = ValidateRecord("help_request", GoodHelpRequest(), kToday, AtNow());
  EXPECT_OK(s);
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
  EXPECT_OK(ValidateRecord("report", f, kToday, AtNow()));
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
  EXPECT_OK(ValidateRecord("report", f, kToday, AtNow()));
  f["reported_at"] = {"2026-11-29T02:10:01Z"};
  EXPECT_EQ(Full(f),
            "report.reported_at: 2026-11-29T02:10:01Z is after the current time "
            "2026-11-29T02:00:00Z (tolerance 600 s) | 报告时间：晚于当前时间");
  ValidateOptions strict = AtNow();
  strict.future_tolerance_s = 0;
  f["reported_at"] = {"2026-11-29T02:00:01Z"};
  EXPECT_EQ(ValidateRecord("report", f, kToday, strict).code(), StatusCode::kInvalidArgument);
  // Without a now, a time is checked against the date (end of the following UTC day).
  EXPECT_OK(ValidateRecord("report", f, kToday));
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
  EXPECT_OK(ValidateRecord("report", f, kToday, AtNow()));
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
  EXPECT_OK(ValidateRecord("report", f, kToday, AtNow()));
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

}  // namespace
}  // namespace fulei::programme
