// XLSX export (programme/export_xlsx.h): a valid workbook with the expected sheets, read back
// with a minimal zip reader; duplicate sheet names and tables made for another viewer refused.
#include "programme/export_xlsx.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "tests/programme/export_rows.h"
#include "tests/support/status_matchers.h"

namespace fulei::programme {
namespace {

using testing::kBureau;
using testing::kUnits;
using testing::Row;

// A minimal zip reader: finds `name` through the central directory and inflates it.
std::optional<std::string> ZipEntry(const std::string& zip, const std::string& name) {
  auto u16 = [&](size_t p) {
    return static_cast<uint32_t>(static_cast<uint8_t>(zip[p]) | static_cast<uint8_t>(zip[p + 1])
                                                                    << 8);
  };
  auto u32 = [&](size_t p) { return u16(p) | u16(p + 2) << 16; };
  size_t eocd = zip.rfind(std::string("PK\x05\x06", 4));
  if (eocd == std::string::npos) return std::nullopt;
  size_t p = u32(eocd + 16);
  const uint32_t entries = u16(eocd + 10);
  for (uint32_t i = 0; i < entries; ++i) {
    if (u32(p) != 0x02014b50) return std::nullopt;
    const uint32_t method = u16(p + 10), csize = u32(p + 20), usize = u32(p + 24);
    const uint32_t nlen = u16(p + 28), xlen = u16(p + 30), clen = u16(p + 32);
    const uint32_t local = u32(p + 42);
    if (zip.substr(p + 46, nlen) == name) {
      const size_t data = local + 30 + u16(local + 26) + u16(local + 28);
      std::string in = zip.substr(data, csize);
      if (method == 0) return in;
      std::string out(usize, '\0');
      z_stream zs{};
      inflateInit2(&zs, -15);
      zs.next_in = reinterpret_cast<Bytef*>(in.data());
      zs.avail_in = static_cast<uInt>(in.size());
      zs.next_out = reinterpret_cast<Bytef*>(out.data());
      zs.avail_out = static_cast<uInt>(out.size());
      const int rc = inflate(&zs, Z_FINISH);
      inflateEnd(&zs);
      if (rc != Z_STREAM_END) return std::nullopt;
      return out;
    }
    p += 46 + nlen + xlen + clen;
  }
  return std::nullopt;
}

TEST(ExportXlsxTest, WritesAValidWorkbookWithTheSheets) {
  std::vector<ChildExportRow> rows{Row("c-1", "王小明", "350582201503121238")};
  Child c;
  c.scope = "jinjiang/cizao/v012";
  c.id = "c-9";
  c.name = "林晓";
  c.birth = Date{2011, 5, 1};
  c.category = "orphan";
  c.school_level = "junior_high";
  std::vector<StudyAidCandidate> sa{{c, 15}};
  OverdueItem o;
  o.scope = "jinjiang/cizao/v012";
  o.child = "c-1";
  o.helper = "h-1";
  o.first_missed = "2026-10";
  o.missed_periods = 1;
  o.days_overdue = 29;
  std::vector<OverdueItem> overdue{o};
  ASSERT_OK_AND_ASSIGN(RedactedTable children, ChildrenTable(kBureau, rows, kUnits));
  ASSERT_OK_AND_ASSIGN(RedactedTable study_aid, StudyAidTable(kBureau, sa, kUnits));
  ASSERT_OK_AND_ASSIGN(
      RedactedTable overdue_table,
      OverdueTable(kBureau, overdue, kUnits, {{"h-1", {"jinjiang/cizao", "李老师"}}},
                   {{"c-1", {"jinjiang/cizao/v012", "王小明"}}}));
  std::vector<RedactedTable> tables{children, study_aid, overdue_table};
  const std::string path = std::string(FULEI_BINARY_DIR) + "/programme_export_test.xlsx";
  std::remove(path.c_str());
  Status s = WriteXlsx(kBureau, tables, path);
  ASSERT_OK(s);
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string zip = ss.str();
  ASSERT_GT(zip.size(), 100u);
  EXPECT_EQ(zip.substr(0, 2), "PK");
  auto workbook = ZipEntry(zip, "xl/workbook.xml");
  ASSERT_TRUE(workbook.has_value());
  EXPECT_NE(workbook->find("name=\"儿童信息\""), std::string::npos);
  EXPECT_NE(workbook->find("name=\"福彩助学摸底\""), std::string::npos);
  EXPECT_NE(workbook->find("name=\"亲情关爱逾期\""), std::string::npos);
  auto strings = ZipEntry(zip, "xl/sharedStrings.xml");
  ASSERT_TRUE(strings.has_value());
  EXPECT_NE(strings->find("王小明"), std::string::npos);
  EXPECT_NE(strings->find("350582201503121238"), std::string::npos);  // a string, all digits
  EXPECT_NE(strings->find("李老师"), std::string::npos);
  std::remove(path.c_str());
}

TEST(ExportXlsxTest, RejectsDuplicateSheetsAndAnotherViewersTables) {
  std::vector<ChildExportRow> rows{Row("c-1", "王小明", "350582201503121238")};
  ASSERT_OK_AND_ASSIGN(RedactedTable t, ChildrenTable(kBureau, rows, kUnits));
  std::vector<RedactedTable> two{t, t};
  EXPECT_EQ(WriteXlsx(kBureau, two, "/nonexistent-dir/x.xlsx").code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(WriteXlsx(kBureau, {}, "/nonexistent-dir/x.xlsx").code(), StatusCode::kInvalidArgument);
  std::vector<RedactedTable> one{t};
  const Viewer other{Role::kAuditor, "jinjiang", "u-audit"};
  EXPECT_EQ(WriteXlsx(other, one, "/nonexistent-dir/x.xlsx").code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(WriteXlsx(kBureau, one, "/nonexistent-dir/x.xlsx").code(), StatusCode::kIoError);
}

}  // namespace
}  // namespace fulei::programme
