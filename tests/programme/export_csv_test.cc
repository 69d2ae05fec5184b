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
  // Spot-check the mapping: labels, unit names, guardian, joined set.
  const auto& r = (*parsed)[1];
  EXPECT_EQ(r[1], "王小明");
  EXPECT_EQ(r[2], "女");
  EXPECT_EQ(r[6], "农村留守儿童");
  EXPECT_EQ(r[9], "磁灶镇大埔村, 12号 \"东\"厝\n二楼");
  EXPECT_EQ(r[10], "磁灶镇");
  EXPECT_EQ(r[11], "大埔村");
  EXPECT_EQ(r[21], "王阿嬷");
  EXPECT_EQ(r[22], "祖父母/外祖父母");
  EXPECT_EQ(r[24], "教育资助、医疗救助");
}

TEST(ExportCsvTest, ExcelModeGuardsFormulasAndLongDigitRuns) {
  std::vector<ChildExportRow> rows{Row("c-1", "王小明", "350582201503121238")};
  auto parsed = ParseCsv(Csv(ChildrenTable(kBureau, rows, kUnits), CsvMode::kExcel));
  ASSERT_OK(parsed);
  const auto& r = (*parsed)[1];
  EXPECT_EQ(r[5], "\t350582201503121238");
  EXPECT_EQ(r[18], "\t=HYPERLINK(\"x\")");
  EXPECT_EQ(r[23], "\t13805951234");
  EXPECT_EQ(r[1], "王小明");
  EXPECT_EQ(r[4], "2015-03-12");  // dates and short numbers untouched
}

// Each viewer's table holds what the visibility table (redact.h) lets them see, hidden cells
// marked; a viewer outside the rows' unit gets no table; and a table is written only for the
// viewer it was made for.
TEST(ExportCsvTest, ChildrenTableRedactsForTheViewer) {
  std::vector<ChildExportRow> rows{Row("c-1", "王小明", "350582201503121238")};
  const Viewer auditor{Role::kAuditor, "jinjiang/cizao", "u-audit"};
  ASSERT_OK_AND_ASSIGN(RedactedTable t, ChildrenTable(auditor, rows, kUnits));
  const auto& r = t.table().rows.at(0);
  EXPECT_EQ(r[1], kHiddenCell);   // name
  EXPECT_EQ(r[5], kHiddenCell);   // ID number
  EXPECT_EQ(r[9], kHiddenCell);   // address
  EXPECT_EQ(r[18], kHiddenCell);  // father's place of work
  EXPECT_EQ(r[21], kHiddenCell);  // guardian's name
  EXPECT_EQ(r[2], "女");          // plain fields stay
  EXPECT_EQ(r[6], "农村留守儿童");
  EXPECT_EQ(r[23], kHiddenCell);  // guardian's phone
  EXPECT_EQ(r[22], "祖父母/外祖父母");
  EXPECT_EQ(r[27], "c-1");
  const std::string csv = Csv(t, CsvMode::kExact);
  EXPECT_EQ(csv.find("王小明"), std::string::npos);
  EXPECT_EQ(csv.find("350582201503121238"), std::string::npos);

  const Viewer other_town{Role::kTownOffice, "jinjiang/chidian", "u-other"};
  EXPECT_EQ(ChildrenTable(other_town, rows, kUnits).status().code(), StatusCode::kPermissionDenied);
  const Viewer volunteer{Role::kVolunteer, "jinjiang/cizao/v012", "u-vol"};
  ASSERT_OK_AND_ASSIGN(RedactedTable v, ChildrenTable(volunteer, rows, kUnits));
  EXPECT_EQ(v.table().rows.at(0)[1], kHiddenCell);

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
