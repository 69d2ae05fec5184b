// The national-system export (programme/national_codes.h, export_table.h): the children table's
// header is the column list documented in docs/export.md, each code list maps the record's values
// to the national codes (汉族 -> 01, ...), every schema value of a coded field has a national code,
// and a record with the new fields validates and exports with codes and labels.
#include "programme/national_codes.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "programme/export_table.h"
#include "programme/schema.h"
#include "programme/validate.h"
#include "tests/programme/export_rows.h"
#include "tests/support/status_matchers.h"

namespace fulei::programme {
namespace {

using testing::Col;
using testing::kBureau;
using testing::kUnits;
using testing::Row;

// docs/export.md, "儿童信息": the column list, in order.
const std::vector<std::string> kDocumentedColumns = {"序号",
                                                     "儿童编号",
                                                     "姓名",
                                                     "性别代码",
                                                     "性别",
                                                     "民族代码",
                                                     "民族",
                                                     "出生日期",
                                                     "公民身份号码",
                                                     "儿童类别代码",
                                                     "儿童类别",
                                                     "户口分类代码",
                                                     "户口分类",
                                                     "户口性质",
                                                     "户籍地址",
                                                     "现住址",
                                                     "所属镇（街道）",
                                                     "所属村（社区）",
                                                     "健康状况代码",
                                                     "健康状况",
                                                     "残疾类别代码",
                                                     "残疾类别",
                                                     "残疾等级",
                                                     "是否学校寄宿",
                                                     "就学情况",
                                                     "就读学校",
                                                     "年级",
                                                     "父亲现状况",
                                                     "父亲务工地点",
                                                     "母亲现状况",
                                                     "母亲务工地点",
                                                     "监护人姓名",
                                                     "与儿童关系",
                                                     "监护人联系电话",
                                                     "监护类型代码",
                                                     "监护类型",
                                                     "家庭经济来源代码",
                                                     "家庭经济来源",
                                                     "救助帮扶代码",
                                                     "救助帮扶",
                                                     "在册状态",
                                                     "退出原因代码",
                                                     "退出原因"};

std::span<const EnumValue> ChildEnum(std::string_view field) {
  const RecordTypeSpec* t = FindRecordType(kChild);
  EXPECT_NE(t, nullptr);
  const FieldSpec* f = t ? t->Find(field) : nullptr;
  EXPECT_NE(f, nullptr) << field;
  return f ? f->enum_values : std::span<const EnumValue>{};
}

TEST(NationalCodesTest, HeaderIsTheDocumentedColumnList) {
  std::vector<ChildExportRow> rows{Row("c-1", "王小明", "350582201503121238")};
  ASSERT_OK_AND_ASSIGN(RedactedTable t, ChildrenTable(kBureau, rows, kUnits));
  EXPECT_EQ(t.table().header, kDocumentedColumns);
  ASSERT_EQ(t.table().rows.size(), 1u);
  EXPECT_EQ(t.table().rows[0].size(), kDocumentedColumns.size());
}

TEST(NationalCodesTest, EthnicGroupsFollowGb3304) {
  EXPECT_EQ(NationalEthnicGroup("", "汉族"), (CodedValue{"01", "汉族"}));
  EXPECT_EQ(NationalEthnicGroup("", "汉"), (CodedValue{"01", "汉族"}));
  EXPECT_EQ(NationalEthnicGroup("", "畲族"), (CodedValue{"22", "畲族"}));
  EXPECT_EQ(NationalEthnicGroup("", "蒙古"), (CodedValue{"02", "蒙古族"}));
  EXPECT_EQ(NationalEthnicGroup("", "基诺族"), (CodedValue{"56", "基诺族"}));
  EXPECT_EQ(NationalEthnicGroup("11", "汉族"), (CodedValue{"11", "满族"}));  // the code wins
  EXPECT_EQ(NationalEthnicGroup("98", ""), (CodedValue{"98", "外国血统中国籍人士"}));
  EXPECT_EQ(NationalEthnicGroup("", "火星族"), (CodedValue{"", "火星族"}));  // no code
  EXPECT_EQ(NationalEthnicGroup("", ""), CodedValue{});
  // 01..56 each once, then 97 and 98.
  const auto groups = ChildEnum("ethnic_group");
  ASSERT_EQ(groups.size(), 58u);
  std::set<std::string_view> labels;
  for (size_t i = 0; i < 56; ++i) {
    const std::string want = (i + 1 < 10 ? "0" : "") + std::to_string(i + 1);
    EXPECT_EQ(groups[i].code, want);
    EXPECT_TRUE(groups[i].zh.ends_with("族")) << groups[i].zh;
    labels.insert(groups[i].zh);
  }
  EXPECT_EQ(labels.size(), 56u);
  EXPECT_EQ(groups[56].code, "97");
  EXPECT_EQ(groups[57].code, "98");
}

TEST(NationalCodesTest, CodeListsMapToNationalCodes) {
  EXPECT_EQ(NationalGender("male"), (CodedValue{"1", "男"}));
  EXPECT_EQ(NationalGender("female"), (CodedValue{"2", "女"}));
  EXPECT_EQ(NationalChildCategory("de_facto_unsupported").code, "5");
  EXPECT_EQ(NationalChildCategory("left_behind").code, "8");
  EXPECT_EQ(NationalChildCategory("in_difficulty").code, "9");
  EXPECT_EQ(NationalChildCategory("orphan").code, "3");
  EXPECT_EQ(NationalHukouClass("local"), (CodedValue{"2", "本辖区"}));
  EXPECT_EQ(NationalHukouClass("none"), (CodedValue{"4", "无户口"}));
  EXPECT_EQ(NationalHealth("healthy"), (CodedValue{"10", "健康"}));
  EXPECT_EQ(NationalHealth("chronic").code, "30");
  EXPECT_EQ(NationalHealth("disabled").code, "60");
  EXPECT_EQ(NationalHealth("ill").code, "22");
  EXPECT_EQ(NationalDisability("multiple"), (CodedValue{"67", "多重残疾"}));
  EXPECT_EQ(NationalDisability("visual").code, "61");
  EXPECT_EQ(NationalGuardianshipType("unguarded", ""), (CodedValue{"1", "无人监护"}));
  EXPECT_EQ(NationalGuardianshipType("good", "absent").code, "5");    // the new field wins
  EXPECT_EQ(NationalGuardianshipType("", "absent").code, "1");        // inferred
  EXPECT_EQ(NationalGuardianshipType("", "adequate"), CodedValue{});  // not inferable
  const std::vector<std::string> income{"other", "wages", "wages"};
  const auto inc = NationalIncomeSources(income);
  EXPECT_EQ(JoinCodes(inc), "1、5");
  EXPECT_EQ(JoinLabels(inc), "打工收入、其他");
  const std::vector<std::string> aid{"housing", "dibao"};
  const std::vector<std::string> support{"subsistence_allowance", "medical_assistance", "none"};
  EXPECT_EQ(JoinCodes(NationalAid(aid, support)), "1、3、4");
  EXPECT_EQ(JoinCodes(NationalAid({}, {})), "");
  EXPECT_EQ(NationalExitReason("deceased", ""), (CodedValue{"06", "死亡"}));
  EXPECT_EQ(NationalExitReason("", "aged_out"), (CodedValue{"09", "超龄"}));
  EXPECT_EQ(NationalExitReason("other", "aged_out").code, "99");
  EXPECT_EQ(NationalExitReason("", "active"), CodedValue{});
}

// Adding a value to a coded field without a national code fails here.
TEST(NationalCodesTest, EverySchemaValueOfACodedFieldHasANationalCode) {
  for (const EnumValue& v : ChildEnum("gender")) EXPECT_NE(NationalGender(v.code).code, "");
  for (const EnumValue& v : ChildEnum("category")) {
    EXPECT_NE(NationalChildCategory(v.code).code, "") << v.code;
  }
  for (const EnumValue& v : ChildEnum("hukou_class")) {
    EXPECT_NE(NationalHukouClass(v.code).code, "") << v.code;
  }
  for (const EnumValue& v : ChildEnum("health")) {
    EXPECT_NE(NationalHealth(v.code).code, "") << v.code;
  }
  for (const EnumValue& v : ChildEnum("disability_type")) {
    EXPECT_NE(NationalDisability(v.code).code, "") << v.code;
  }
  for (const EnumValue& v : ChildEnum("guardianship_type")) {
    EXPECT_NE(NationalGuardianshipType(v.code, "").code, "") << v.code;
  }
  for (const EnumValue& v : ChildEnum("income_sources")) {
    const std::vector<std::string> one{std::string(v.code)};
    EXPECT_EQ(NationalIncomeSources(one).size(), 1u) << v.code;
  }
  for (const EnumValue& v : ChildEnum("aid_received")) {
    const std::vector<std::string> one{std::string(v.code)};
    EXPECT_EQ(NationalAid(one, {}).size(), 1u) << v.code;
  }
  for (const EnumValue& v : ChildEnum("exit_reason")) {
    EXPECT_NE(NationalExitReason(v.code, "").code, "") << v.code;
  }
}

TEST(NationalCodesTest, NewFieldsValidateAndExport) {
  ChildExportRow r = Row("c-9", "林小雨", "350582201503121246");
  r.child["ethnic_group"] = {"22"};
  r.child["hukou_class"] = {"local"};
  r.child["hukou_address"] = {"晋江市磁灶镇大埔村"};
  r.child["address"] = {"晋江市磁灶镇大埔村12号"};  // Row's has a newline: not a valid value
  r.child["boarding"] = {"true"};
  r.child["health"] = {"disabled"};
  r.child["disability_type"] = {"hearing"};
  r.child["disability_grade"] = {"2"};
  r.child["guardianship_type"] = {"entrusted_insufficient"};
  r.child["income_sources"] = {"farming", "wages"};
  r.child["aid_received"] = {"temporary"};
  r.child["programme_status"] = {"closed"};
  r.child["exit_reason"] = {"parents_found"};
  r.child["consent_on"] = {"2025-09-01"};
  EXPECT_OK(ValidateRecord(kChild, r.child, Date{2026, 12, 6}));
  Fields bad = r.child;
  bad["ethnic_group"] = {"57"};
  EXPECT_FALSE(ValidateRecord(kChild, bad, Date{2026, 12, 6}).ok());
  bad = r.child;
  bad["income_sources"] = {"lottery"};
  EXPECT_FALSE(ValidateRecord(kChild, bad, Date{2026, 12, 6}).ok());

  std::vector<ChildExportRow> rows{r};
  ASSERT_OK_AND_ASSIGN(RedactedTable t, ChildrenTable(kBureau, rows, kUnits));
  const auto& row = t.table().rows.at(0);
  EXPECT_EQ(row.at(Col("民族代码")), "22");
  EXPECT_EQ(row.at(Col("民族")), "畲族");
  EXPECT_EQ(row.at(Col("户口分类代码")), "2");
  EXPECT_EQ(row.at(Col("户籍地址")), "晋江市磁灶镇大埔村");
  EXPECT_EQ(row.at(Col("是否学校寄宿")), "是");
  EXPECT_EQ(row.at(Col("健康状况代码")), "60");
  EXPECT_EQ(row.at(Col("残疾类别代码")), "62");
  EXPECT_EQ(row.at(Col("残疾类别")), "听力残疾");
  EXPECT_EQ(row.at(Col("残疾等级")), "2");
  EXPECT_EQ(row.at(Col("父亲现状况")), "外出务工");
  EXPECT_EQ(row.at(Col("监护类型代码")), "3");
  EXPECT_EQ(row.at(Col("家庭经济来源代码")), "1、2");
  EXPECT_EQ(row.at(Col("家庭经济来源")), "打工收入、种养殖业");
  EXPECT_EQ(row.at(Col("救助帮扶代码")), "2、3");
  EXPECT_EQ(row.at(Col("在册状态")), "已结案");
  EXPECT_EQ(row.at(Col("退出原因代码")), "04");
  EXPECT_EQ(row.at(Col("退出原因")), "找回生父母");

  // An auditor sees plain codes but not the sensitive ones (code and label both hidden).
  const Viewer auditor{Role::kAuditor, "jinjiang/cizao", "u-audit"};
  ASSERT_OK_AND_ASSIGN(RedactedTable a, ChildrenTable(auditor, rows, kUnits));
  const auto& ar = a.table().rows.at(0);
  EXPECT_EQ(ar.at(Col("民族代码")), "22");
  EXPECT_EQ(ar.at(Col("户口分类代码")), "2");
  EXPECT_EQ(ar.at(Col("家庭经济来源代码")), kHiddenCell);
  EXPECT_EQ(ar.at(Col("家庭经济来源")), kHiddenCell);
  EXPECT_EQ(ar.at(Col("监护类型代码")), kHiddenCell);
  EXPECT_EQ(ar.at(Col("残疾类别代码")), kHiddenCell);
  EXPECT_EQ(ar.at(Col("救助帮扶代码")), kHiddenCell);
}

}  // namespace
}  // namespace fulei::programme
