// CSV export (programme/export_csv.h) of the children table: exact round trip of Chinese text,
// Excel mode's guards, a parser that refuses broken quoting, and only tables redacted for the
// viewer who exports.
#include "programme/export_csv.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/programme/export_rows.h"
#include "tests/support/status_matchers.h"

namespace fulei::programme {
namespace {

using testing::Col;
using testing::kBureau;
using testing::kUnits;
using testing::Row;

// The table's CSV for the viewer it was made for.
std::string Csv(const Result<RedactedTable>& t, CsvMode mode) {
  EXPECT_OK(t);
  if (!t.ok()) return "";
  auto csv = ToCsv(t->viewer(), *t, mode);
  EXPECT_OK(csv);
  return csv.ok() ? *csv : "";
}

TEST(ExportCsvTest, RoundTripsChineseTextExactly) {
  std::vector<ChildExportRow> rows{Row("c-1", "王小明", "350582201503121238"),
                                   Row("c-2", "陈丽·娜", "11010519491231002X")};
  ASSERT_OK_AND_ASSIGN(RedactedTable redacted, ChildrenTable(kBureau, rows, kUnits));
  const Table& t = redacted.table();
  ASSERT_EQ(t.rows.size(), 2u);
  ASSERT_EQ(t.rows[0].size(), t.header.size());
  const std::string csv = Csv(redacted, CsvMode::kExact);
  EXPECT_EQ(csv.substr(0, 3), "\xEF\xBB\xBF");
  EXPECT_NE(csv.find("\r\n"), std::string::npos);
  auto parsed = ParseCsv(csv);
  ASSERT_OK(parsed);
  ASSERT_EQ(parsed->size(), 3u);
  EXPECT_EQ((*parsed)[0], t.header);
  EXPECT_EQ((*parsed)[1], t.rows[0]);
  EXPECT_EQ((*parsed)[2], t.rows[1]);
  // Spot-check the mapping: codes and labels, unit names, guardian, joined set.
  const auto& r = (*parsed)[1];
  EXPECT_EQ(r.at(Col("姓名")), "王小明");
  EXPECT_EQ(r.at(Col("性别代码")), "2");
  EXPECT_EQ(r.at(Col("性别")), "女");
  EXPECT_EQ(r.at(Col("民族代码")), "01");
  EXPECT_EQ(r.at(Col("民族")), "汉族");
  EXPECT_EQ(r.at(Col("儿童类别代码")), "8");
  EXPECT_EQ(r.at(Col("儿童类别")), "留守");  // the national label
  EXPECT_EQ(r.at(Col("现住址")), "磁灶镇大埔村, 12号 \"东\"厝\n二楼");
  EXPECT_EQ(r.at(Col("所属镇（街道）")), "磁灶镇");
  EXPECT_EQ(r.at(Col("所属村（社区）")), "大埔村");
  EXPECT_EQ(r.at(Col("监护人姓名")), "王阿嬷");
  EXPECT_EQ(r.at(Col("与儿童关系")), "祖父母/外祖父母");
  // living_support medical_assistance implies 医疗救助 (3); education_aid has no national code.
  EXPECT_EQ(r.at(Col("救助帮扶代码")), "3");
  EXPECT_EQ(r.at(Col("救助帮扶")), "医疗救助");
  EXPECT_EQ(r.at(Col("在册状态")), "在册");
  EXPECT_EQ(r.at(Col("退出原因代码")), "");
  EXPECT_EQ(r.at(Col("儿童编号")), "c-1");
}

TEST(ExportCsvTest, ExcelModeGuardsFormulasAndLongDigitRuns) {
  std::vector<ChildExportRow> rows{Row("c-1", "王小明", "350582201503121238")};
  auto parsed = ParseCsv(Csv(ChildrenTable(kBureau, rows, kUnits), CsvMode::kExcel));
  ASSERT_OK(parsed);
  const auto& r = (*parsed)[1];
  EXPECT_EQ(r.at(Col("公民身份号码")), "\t350582201503121238");
  EXPECT_EQ(r.at(Col("父亲务工地点")), "\t=HYPERLINK(\"x\")");
  EXPECT_EQ(r.at(Col("监护人联系电话")), "\t13805951234");
  EXPECT_EQ(r.at(Col("姓名")), "王小明");
  EXPECT_EQ(r.at(Col("出生日期")), "2015-03-12");
  EXPECT_EQ(r.at(Col("民族代码")), "\t01");  // a leading zero Excel would drop
  EXPECT_EQ(r.at(Col("儿童类别代码")),
            "8");  // no leading zero: untouched  // dates and short numbers untouched
}

// Each viewer's table holds what the visibility table (redact.h) lets them see, hidden cells
// marked; a viewer outside the rows' unit gets no table; and a table is written only for the
// viewer it was made for.
TEST(ExportCsvTest, ChildrenTableRedactsForTheViewer) {
  std::vector<ChildExportRow> rows{Row("c-1", "王小明", "350582201503121238")};
  const Viewer auditor{Role::kAuditor, "jinjiang/cizao", "u-audit"};
  ASSERT_OK_AND_ASSIGN(RedactedTable t, ChildrenTable(auditor, rows, kUnits));
  const auto& r = t.table().rows.at(0);
  EXPECT_EQ(r.at(Col("姓名")), kHiddenCell);
  EXPECT_EQ(r.at(Col("公民身份号码")), kHiddenCell);
  EXPECT_EQ(r.at(Col("现住址")), kHiddenCell);
  EXPECT_EQ(r.at(Col("父亲务工地点")), kHiddenCell);
  EXPECT_EQ(r.at(Col("监护人姓名")), kHiddenCell);
  EXPECT_EQ(r.at(Col("性别")), "女");        // plain fields stay
  EXPECT_EQ(r.at(Col("儿童类别")), "留守");  // the national label
  EXPECT_EQ(r.at(Col("民族代码")), "01");
  EXPECT_EQ(r.at(Col("监护人联系电话")), kHiddenCell);
  EXPECT_EQ(r.at(Col("与儿童关系")), "祖父母/外祖父母");
  EXPECT_EQ(r.at(Col("儿童编号")), "c-1");
  const std::string csv = Csv(t, CsvMode::kExact);
  EXPECT_EQ(csv.find("王小明"), std::string::npos);
  EXPECT_EQ(csv.find("350582201503121238"), std::string::npos);

  const Viewer other_town{Role::kTownOffice, "jinjiang/chidian", "u-other"};
  EXPECT_EQ(ChildrenTable(other_town, rows, kUnits).status().code(), StatusCode::kPermissionDenied);
  // A caring parent (爱心家长) sees only their own pairings' children: no table at all.
  const Viewer parent{Role::kCaringParent, "jinjiang/cizao/v012", "h-1"};
  EXPECT_EQ(ChildrenTable(parent, rows, kUnits).status().code(), StatusCode::kPermissionDenied);

  ASSERT_OK_AND_ASSIGN(RedactedTable full, ChildrenTable(kBureau, rows, kUnits));
  EXPECT_EQ(ToCsv(auditor, full).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(WriteCsv(auditor, full, "/nonexistent-dir/x.csv").code(),
            StatusCode::kPermissionDenied);
}

TEST(ExportCsvTest, ParserRejectsBrokenQuoting) {
  EXPECT_EQ(ParseCsv("a,\"b\nc").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseCsv("a,b\"c\r\n").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseCsv("\"a\"b,c\r\n").status().code(), StatusCode::kInvalidArgument);
  auto ok = ParseCsv("a,,\"\"\r\n,x\n");
  ASSERT_OK(ok);
  EXPECT_EQ((*ok)[0], (std::vector<std::string>{"a", "", ""}));
  EXPECT_EQ((*ok)[1], (std::vector<std::string>{"", "x"}));
}

}  // namespace
}  // namespace fulei::programme
