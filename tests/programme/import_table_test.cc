// Reading table files for import (programme/import_table.h): CSV in UTF-8 with and without a BOM
// and in GB18030, RFC 4180 quoting, XLSX written by libxlsxwriter (shared and inline strings,
// numbers, dates), and untrusted bytes refused with a clear error: random bytes, an old .xls, a
// damaged zip, a zip bomb, files over the size limit.
#include "programme/import_table.h"

#include <gtest/gtest.h>
#include <iconv.h>
#include <xlsxwriter.h>
#include <zip.h>

#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace fulei::programme {
namespace {

using Cells = std::vector<std::string>;
using fulei::testing::TempDir;

std::string Gb18030(const std::string& utf8) {
  iconv_t cd = iconv_open("GB18030", "UTF-8");
  EXPECT_NE(cd, reinterpret_cast<iconv_t>(-1));
  std::string out(utf8.size() * 2 + 16, '\0');
  char* in = const_cast<char*>(utf8.data());
  size_t in_left = utf8.size();
  char* o = out.data();
  size_t out_left = out.size();
  EXPECT_NE(iconv(cd, &in, &in_left, &o, &out_left), static_cast<size_t>(-1));
  iconv_close(cd);
  out.resize(out.size() - out_left);
  return out;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void ExpectInvalid(const Result<ImportTable>& r, std::string_view zh_part) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find(zh_part), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find(" / "), std::string::npos) << r.status().message();
}

constexpr char kCsv[] = "姓名,性别,出生日期\r\n王小明,男,2015.3.4\r\n李丽,女,2016年5月6日\r\n";

TEST(ImportTableTest, ReadsUtf8CsvWithoutBom) {
  ASSERT_OK_AND_ASSIGN(ImportTable t, ReadTable(kCsv));
  EXPECT_EQ(t.format, TableFormat::kCsvUtf8);
  ASSERT_EQ(t.rows.size(), 3u);
  EXPECT_EQ(t.rows[0].cells, (Cells{"姓名", "性别", "出生日期"}));
  EXPECT_EQ(t.rows[2].cells, (Cells{"李丽", "女", "2016年5月6日"}));
  EXPECT_EQ(t.rows[2].number, 3u);
}

TEST(ImportTableTest, ReadsUtf8CsvWithBomAndDropsTheBom) {
  ASSERT_OK_AND_ASSIGN(ImportTable t, ReadTable(std::string("\xEF\xBB\xBF") + kCsv));
  EXPECT_EQ(t.format, TableFormat::kCsvUtf8);
  ASSERT_EQ(t.rows.size(), 3u);
  EXPECT_EQ(t.rows[0].cells[0], "姓名");
}

TEST(ImportTableTest, DetectsAndConvertsGb18030Csv) {
  const std::string gb = Gb18030(kCsv);
  ASSERT_NE(gb, kCsv);  // really another encoding
  ASSERT_OK_AND_ASSIGN(ImportTable t, ReadTable(gb));
  EXPECT_EQ(t.format, TableFormat::kCsvGb18030);
  ASSERT_EQ(t.rows.size(), 3u);
  EXPECT_EQ(t.rows[1].cells, (Cells{"王小明", "男", "2015.3.4"}));
}

TEST(ImportTableTest, QuotedCellsKeepCommasQuotesAndNewlinesAndCountAsOneRow) {
  ASSERT_OK_AND_ASSIGN(ImportTable t,
                       ReadTable("a,b\n\"x, y\",\"say \"\"hi\"\"\nnext line\"\n\nlast,\n"));
  ASSERT_EQ(t.rows.size(), 4u);
  EXPECT_EQ(t.rows[1].cells, (Cells{"x, y", "say \"hi\"\nnext line"}));
  EXPECT_EQ(t.rows[1].number, 2u);
  EXPECT_TRUE(t.rows[2].cells.empty());  // the blank line is row 3, as Excel shows it
  EXPECT_EQ(t.rows[3].number, 4u);
  EXPECT_EQ(t.rows[3].cells, (Cells{"last", ""}));
}

TEST(ImportTableTest, UnterminatedQuoteNamesItsRow) {
  ExpectInvalid(ReadTable("a,b\nc,d\n\"open,e\n"), "第 3 行");
}

TEST(ImportTableTest, BoundsRowsColumnsAndCells) {
  TableLimits limits;
  limits.max_rows = 2;
  ExpectInvalid(ReadTable("a\nb\nc\n", limits), "行数超过上限");
  limits = {};
  limits.max_columns = 3;
  ExpectInvalid(ReadTable("a,b,c,d\n", limits), "列数超过上限");
  limits = {};
  limits.max_cell_bytes = 10;
  ExpectInvalid(ReadTable(std::string(11, 'x') + "\n", limits), "单元格过长");
}

TEST(ImportTableTest, FiftyMegabytesOfRandomBytesGiveAClearErrorAndNoRows) {
  std::mt19937_64 rng(16);
  std::string bytes(50u << 20, '\0');
  for (size_t i = 0; i + 8 <= bytes.size(); i += 8) {
    const uint64_t v = rng();
    std::memcpy(bytes.data() + i, &v, 8);
  }
  // Over the default size limit: refused before parsing.
  ExpectInvalid(ReadTable(bytes), "文件过大");
  // With the limit raised: still refused, as not a table.
  TableLimits big;
  big.max_file_bytes = 64u << 20;
  ExpectInvalid(ReadTable(bytes, big), "不是表格文件");
  // Random bytes without NULs: neither UTF-8 nor GB18030.
  std::string no_nul = bytes.substr(0, 1 << 20);
  for (char& c : no_nul) {
    if (c == '\0') c = '\x80';
  }
  ExpectInvalid(ReadTable(no_nul), "编码");
  // Random bytes behind a zip signature.
  ExpectInvalid(ReadTable(std::string("PK\x03\x04", 4) + bytes.substr(0, 1 << 20)), "XLSX");
}

TEST(ImportTableTest, RefusesAnOldXlsFile) {
  std::string xls("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8);
  xls += std::string(512, '\0');
  ExpectInvalid(ReadTable(xls), ".xls");
}

TEST(ImportTableTest, ReadTableFileRefusesLargeFileBeforeReadingAndMissingFile) {
  TempDir dir;
  const std::string path = dir.sub("big.csv");
  {
    std::ofstream out(path, std::ios::binary);
    out << std::string(2048, 'a');
  }
  TableLimits limits;
  limits.max_file_bytes = 1024;
  ExpectInvalid(ReadTableFile(path, limits), "文件过大");
  Result<ImportTable> missing = ReadTableFile(dir.sub("none.csv"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
}

// An XLSX file as Excel users make it: a title row, a header, text, numbers and dates.
std::string WriteXlsx(const std::string& path, bool constant_memory) {
  lxw_workbook_options options = {};
  options.constant_memory = constant_memory ? LXW_TRUE : LXW_FALSE;
  lxw_workbook* wb = workbook_new_opt(path.c_str(), &options);
  lxw_worksheet* ws = workbook_add_worksheet(wb, "花名册");
  lxw_format* date = workbook_add_format(wb);
  format_set_num_format(date, "yyyy\"年\"m\"月\"d\"日\"");
  lxw_format* iso = workbook_add_format(wb);
  format_set_num_format_index(iso, 14);  // built-in m/d/yyyy
  worksheet_write_string(ws, 0, 0, "磁灶镇留守儿童花名册", nullptr);
  worksheet_write_string(ws, 2, 0, "姓名", nullptr);
  worksheet_write_string(ws, 2, 1, "年龄", nullptr);
  worksheet_write_string(ws, 2, 2, "出生日期", nullptr);
  worksheet_write_string(ws, 2, 4, "登记日期", nullptr);
  worksheet_write_string(ws, 3, 0, "王小明", nullptr);
  worksheet_write_number(ws, 3, 1, 11, nullptr);
  lxw_datetime born = {2015, 3, 4, 0, 0, 0};
  worksheet_write_datetime(ws, 3, 2, &born, date);
  lxw_datetime registered = {2024, 2, 29, 0, 0, 0};
  worksheet_write_datetime(ws, 3, 4, &registered, iso);
  worksheet_write_string(ws, 4, 0, "李丽", nullptr);
  worksheet_write_number(ws, 4, 1, 2.5, nullptr);
  worksheet_write_boolean(ws, 4, 2, 1, nullptr);
  EXPECT_EQ(workbook_close(wb), LXW_NO_ERROR);
  return ReadFile(path);
}

void ExpectXlsxRows(const ImportTable& t) {
  EXPECT_EQ(t.format, TableFormat::kXlsx);
  ASSERT_GE(t.rows.size(), 4u);
  // Row numbers are Excel's: the title is row 1, row 2 is absent, the header is row 3.
  EXPECT_EQ(t.rows[0].number, 1u);
  EXPECT_EQ(t.rows[0].cells, (Cells{"磁灶镇留守儿童花名册"}));
  const TableRow& header = t.rows[t.rows.size() - 3];
  EXPECT_EQ(header.number, 3u);
  EXPECT_EQ(header.cells, (Cells{"姓名", "年龄", "出生日期", "", "登记日期"}));
  const TableRow& first = t.rows[t.rows.size() - 2];
  EXPECT_EQ(first.number, 4u);
  EXPECT_EQ(first.cells, (Cells{"王小明", "11", "2015-03-04", "", "2024-02-29"}));
  const TableRow& second = t.rows.back();
  EXPECT_EQ(second.cells, (Cells{"李丽", "2.5", "TRUE"}));
}

TEST(ImportTableTest, ReadsXlsxWithSharedStringsNumbersAndDates) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(ImportTable t, ReadTable(WriteXlsx(dir.sub("a.xlsx"), false)));
  ExpectXlsxRows(t);
}

TEST(ImportTableTest, ReadsXlsxWithInlineStrings) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(ImportTable t, ReadTable(WriteXlsx(dir.sub("b.xlsx"), true)));
  ExpectXlsxRows(t);
}

TEST(ImportTableTest, DamagedXlsxGivesAClearError) {
  TempDir dir;
  std::string bytes = WriteXlsx(dir.sub("c.xlsx"), false);
  // Cut off the central directory.
  ExpectInvalid(ReadTable(bytes.substr(0, bytes.size() / 2)), "XLSX");
  // Flip bytes in the middle of the compressed data.
  for (size_t i = bytes.size() / 4; i < bytes.size() / 4 + 64; ++i) bytes[i] ^= 0x5A;
  Result<ImportTable> r = ReadTable(bytes);
  if (!r.ok()) {
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  }
}

// A zip whose entry `name` is `size` zero bytes (compresses about 1000:1).
std::string ZipOfZeros(const std::string& path, const std::string& name, size_t size) {
  int error = 0;
  zip_t* z = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  EXPECT_NE(z, nullptr);
  std::string zeros(size, '\0');
  zip_source_t* s = zip_source_buffer(z, zeros.data(), zeros.size(), 0);
  EXPECT_GE(zip_file_add(z, name.c_str(), s, ZIP_FL_OVERWRITE), 0);
  EXPECT_EQ(zip_close(z), 0);
  return ReadFile(path);
}

TEST(ImportTableTest, RefusesAZipBombBeforeInflatingIt) {
  TempDir dir;
  // 8 MB of zeros in a few KB: refused by its compression ratio.
  const std::string bomb = ZipOfZeros(dir.sub("bomb.xlsx"), "xl/workbook.xml", 8u << 20);
  ASSERT_LT(bomb.size(), 1u << 20);
  ExpectInvalid(ReadTable(bomb), "压缩炸弹");
  // And by its size, whatever the ratio.
  TableLimits limits;
  limits.max_entry_bytes = 1u << 20;
  limits.max_compression_ratio = 1u << 30;
  ExpectInvalid(ReadTable(bomb, limits), "过大");
}

TEST(ImportTableTest, ZipWithoutWorkbookIsNotAWorkbook) {
  TempDir dir;
  ExpectInvalid(ReadTable(ZipOfZeros(dir.sub("x.zip"), "readme.txt", 10)), "不是 Excel 工作簿");
}

TEST(ImportTableTest, MutatedFilesNeverCrash) {
  TempDir dir;
  const std::string xlsx = WriteXlsx(dir.sub("m.xlsx"), false);
  const std::string csv = std::string("\xEF\xBB\xBF") + kCsv + "\"q\"\"x\",y\n";
  std::mt19937 rng(7);
  for (const std::string* original : {&xlsx, &csv}) {
    for (int round = 0; round < 300; ++round) {
      std::string bytes = *original;
      const int flips = 1 + static_cast<int>(rng() % 8);
      for (int i = 0; i < flips; ++i) bytes[rng() % bytes.size()] = static_cast<char>(rng());
      if (rng() % 4 == 0) bytes.resize(rng() % bytes.size());
      Result<ImportTable> r = ReadTable(bytes);
      if (!r.ok()) {
        EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().message();
      }
    }
  }
}

TEST(ImportTableTest, ExcelSerialDates) {
  EXPECT_EQ(*ExcelSerialDate(42067), "2015-03-04");
  EXPECT_EQ(*ExcelSerialDate(42067.75), "2015-03-04");  // the time of day is dropped
  EXPECT_EQ(*ExcelSerialDate(1), "1900-01-01");
  EXPECT_EQ(*ExcelSerialDate(61), "1900-03-01");
  EXPECT_EQ(*ExcelSerialDate(40605, true), "2015-03-04");
  EXPECT_FALSE(ExcelSerialDate(-1).ok());
  EXPECT_FALSE(ExcelSerialDate(1e12).ok());
}

}  // namespace
}  // namespace fulei::programme
