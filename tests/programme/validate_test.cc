#include "programme/validate.h"

#include <gtest/gtest.h>

#include "programme/id_number.h"

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

TEST(ValidateTest, AcceptsAGoodChild) {
  Status s = ValidateRecord("child", GoodChild(), kToday);
  EXPECT_TRUE(s.ok()) << s.ToString();
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
  EXPECT_TRUE(ValidateRecord("child", f, kToday).ok());
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
  EXPECT_TRUE(ValidateRecord("pairing", pairing, kToday).ok());
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
  EXPECT_FALSE(ParseMoneyFen("01").ok());
  EXPECT_FALSE(ParseMoneyFen("1.").ok());
  EXPECT_FALSE(ParseMoneyFen("-1").ok());
  EXPECT_EQ(*ParseInt("-12"), -12);
  EXPECT_FALSE(ParseInt("012").ok());
  EXPECT_FALSE(ParseInt("1e3").ok());
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
  };
  const Date today{2026, 11, 29};
  ASSERT_EQ(minimal.size(), RecordTypes().size());
  for (const RecordTypeSpec& t : RecordTypes()) {
    const Fields& f = minimal.at(std::string(t.name));
    Status s = ValidateRecord(t.name, f, today);
    EXPECT_TRUE(s.ok()) << s.ToString();
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

}  // namespace
}  // namespace fulei::programme
