#include "programme/import_table.h"

#include <iconv.h>
#include <zip.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <pugixml.hpp>
#include <string>
#include <system_error>
#include <unordered_map>

#include "programme/date.h"

namespace fulei::programme {
namespace {

Status Bad(std::string_view zh, std::string_view en) {
  return InvalidArgument(std::string(zh) + " / " + std::string(en));
}

std::string RowText(size_t row) { return std::to_string(row); }

// ---- text encodings -----------------------------------------------------------------------------

// Whether `s` is well-formed UTF-8 (no overlongs, surrogates or code points above U+10FFFF).
bool ValidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    const unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    size_t n;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (static_cast<size_t>(end - p) <= n) return false;
    for (size_t i = 1; i <= n; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    p += n + 1;
  }
  return true;
}

// GB18030 (a superset of GBK and GB2312) to UTF-8 with iconv(3).
Result<std::string> FromGb18030(std::string_view in) {
  iconv_t cd = iconv_open("UTF-8", "GB18030");
  if (cd == reinterpret_cast<iconv_t>(-1)) {
    return Bad("本机不支持 GB18030 编码转换", "GB18030 conversion is not available here");
  }
  std::string out(in.size() * 2 + 16, '\0');
  char* src = const_cast<char*>(in.data());
  size_t src_left = in.size();
  size_t used = 0;
  Status status;
  while (src_left > 0) {
    char* dst = out.data() + used;
    size_t dst_left = out.size() - used;
    const size_t r = iconv(cd, &src, &src_left, &dst, &dst_left);
    used = out.size() - dst_left;
    if (r != static_cast<size_t>(-1)) break;
    if (errno == E2BIG) {
      out.resize(out.size() * 2);
      continue;
    }
    status = Bad("文件既不是 UTF-8 也不是 GB18030/GBK 编码的文本，请在 Excel 中另存为 XLSX 或 CSV",
                 "the file is text in neither UTF-8 nor GB18030/GBK; save it from Excel as XLSX or "
                 "CSV");
    break;
  }
  iconv_close(cd);
  if (!status.ok()) return status;
  out.resize(used);
  return out;
}

// ---- CSV (RFC 4180) -----------------------------------------------------------------------------

Result<std::vector<TableRow>> ParseCsv(std::string_view text, const TableLimits& limits) {
  std::vector<TableRow> rows;
  TableRow row;
  std::string cell;
  bool in_quotes = false;
  bool cell_started = false;  // the row has at least one cell (or a separator)
  size_t quote_row = 0;
  auto end_cell = [&]() -> Status {
    if (row.cells.size() >= limits.max_columns) {
      return Bad("第 " + RowText(rows.size() + 1) + " 行的列数超过上限 " +
                     std::to_string(limits.max_columns),
                 "row " + RowText(rows.size() + 1) + " has more than " +
                     std::to_string(limits.max_columns) + " columns");
    }
    row.cells.push_back(std::move(cell));
    cell.clear();
    return Status::Ok();
  };
  auto end_row = [&]() -> Status {
    if (cell_started || !cell.empty()) FULEI_RETURN_IF_ERROR(end_cell());
    if (rows.size() >= limits.max_rows) {
      return Bad("行数超过上限 " + std::to_string(limits.max_rows),
                 "more than " + std::to_string(limits.max_rows) + " rows");
    }
    row.number = static_cast<uint32_t>(rows.size() + 1);
    rows.push_back(std::move(row));
    row = TableRow{};
    cell_started = false;
    return Status::Ok();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          cell.push_back('"');
          ++i;
        } else {
          in_quotes = false;
        }
      } else {
        cell.push_back(c);
      }
    } else if (c == '"' && cell.empty()) {
      in_quotes = true;
      cell_started = true;
      quote_row = rows.size() + 1;
    } else if (c == ',') {
      cell_started = true;
      FULEI_RETURN_IF_ERROR(end_cell());
    } else if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      FULEI_RETURN_IF_ERROR(end_row());
    } else {
      cell.push_back(c);  // a stray quote inside an unquoted cell is kept as text
    }
    if (cell.size() > limits.max_cell_bytes) {
      return Bad("第 " + RowText(rows.size() + 1) + " 行有一个单元格过长",
                 "a cell of row " + RowText(rows.size() + 1) + " is longer than " +
                     std::to_string(limits.max_cell_bytes) + " bytes");
    }
  }
  if (in_quotes) {
    return Bad("第 " + RowText(quote_row) + " 行的引号没有闭合",
               "the quote opened in row " + RowText(quote_row) + " is never closed");
  }
  if (cell_started || !cell.empty() || !row.cells.empty()) FULEI_RETURN_IF_ERROR(end_row());
  return rows;
}

// ---- XLSX ---------------------------------------------------------------------------------------

struct ZipCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
};
using ZipPtr = std::unique_ptr<zip_t, ZipCloser>;

Status BadXlsx(std::string_view what) {
  return Bad("XLSX 文件已损坏或格式不对（" + std::string(what) + "）",
             "the XLSX file is damaged or not a workbook (" + std::string(what) + ")");
}

// The uncompressed bytes of entry `name`, nullopt when there is no such entry. Refuses an entry
// whose declared or actual size exceeds the limits (a zip bomb) before inflating past them.
Result<std::optional<std::string>> ReadEntry(zip_t* z, const std::string& name,
                                             const TableLimits& limits) {
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat(z, name.c_str(), 0, &st) != 0) return std::optional<std::string>();
  auto too_big = [&] {
    return Bad("XLSX 文件中的 " + name + " 解压后过大（可能是压缩炸弹），拒绝读取",
               "the XLSX entry " + name + " is too large when uncompressed (a zip bomb?); refused");
  };
  if ((st.valid & ZIP_STAT_SIZE) == 0) return BadXlsx(name);
  if (st.size > limits.max_entry_bytes) return too_big();
  if ((st.valid & ZIP_STAT_COMP_SIZE) != 0 && st.size > 1024 * 1024 &&
      st.size / std::max<zip_uint64_t>(st.comp_size, 1) > limits.max_compression_ratio) {
    return too_big();
  }
  zip_file_t* f = zip_fopen(z, name.c_str(), 0);
  if (f == nullptr) return BadXlsx(name);
  std::string out(static_cast<size_t>(st.size), '\0');
  size_t used = 0;
  Status status;
  for (;;) {
    if (used == out.size()) {
      // The entry claims st.size bytes; one more byte means it lied: refuse.
      char extra;
      const zip_int64_t n = zip_fread(f, &extra, 1);
      if (n > 0) status = too_big();
      if (n < 0) status = BadXlsx(name);
      break;
    }
    const zip_int64_t n = zip_fread(f, out.data() + used, out.size() - used);
    if (n < 0) {
      status = BadXlsx(name);
      break;
    }
    if (n == 0) break;
    used += static_cast<size_t>(n);
  }
  zip_fclose(f);
  if (!status.ok()) return status;
  out.resize(used);
  return std::optional<std::string>(std::move(out));
}

// The local name of an element ("x:row" -> "row").
std::string_view Local(const char* name) {
  std::string_view n(name);
  const size_t colon = n.find(':');
  return colon == std::string_view::npos ? n : n.substr(colon + 1);
}

// The concatenated text of the <t> elements below `node`, skipping phonetic runs (<rPh>). A
// string item is <si><t/></si> or <si><r><t/></r>...</si>: nesting deeper than a few levels is
// not a workbook's, and is not followed (no recursion an attacker can deepen).
void AppendText(const pugi::xml_node& node, std::string* out, int depth = 0) {
  if (depth > 4) return;
  for (pugi::xml_node child : node.children()) {
    if (child.type() != pugi::node_element) continue;
    const std::string_view name = Local(child.name());
    if (name == "t") {
      *out += child.text().get();
    } else if (name != "rPh" && name != "phoneticPr") {
      AppendText(child, out, depth + 1);
    }
  }
}

Result<pugi::xml_document> ParseXml(const std::string& bytes, std::string_view name) {
  pugi::xml_document doc;
  const pugi::xml_parse_result r =
      doc.load_buffer(bytes.data(), bytes.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!r) return BadXlsx(std::string(name) + ": " + r.description());
  return doc;
}

pugi::xml_node Child(const pugi::xml_node& parent, std::string_view local) {
  for (pugi::xml_node c : parent.children()) {
    if (c.type() == pugi::node_element && Local(c.name()) == local) return c;
  }
  return {};
}

// Whether a number format shows a date (built-in ids, or a custom code with a year, day or
// month part outside quotes, brackets and escapes).
bool IsDateFormatId(int id) {
  return (id >= 14 && id <= 22) || (id >= 27 && id <= 36) || (id >= 45 && id <= 47) ||
         (id >= 50 && id <= 58);
}
bool IsDateFormatCode(std::string_view code) {
  bool y_or_d = false, m = false, time = false;
  for (size_t i = 0; i < code.size(); ++i) {
    const char c = code[i];
    if (c == '"') {
      const size_t close = code.find('"', i + 1);
      if (close == std::string_view::npos) break;
      i = close;
    } else if (c == '[') {
      const size_t close = code.find(']', i + 1);
      if (close == std::string_view::npos) break;
      i = close;
    } else if (c == '\\') {
      ++i;
    } else if (c == 'y' || c == 'Y' || c == 'd' || c == 'D') {
      y_or_d = true;
    } else if (c == 'm' || c == 'M') {
      m = true;
    } else if (c == 'h' || c == 'H' || c == 's' || c == 'S') {
      time = true;
    }
  }
  return y_or_d || (m && !time);
}

// Column index (0-based) of a cell reference "AB12", or -1.
int ColumnOf(std::string_view ref) {
  int col = 0;
  size_t i = 0;
  for (; i < ref.size() && ref[i] >= 'A' && ref[i] <= 'Z'; ++i) {
    col = col * 26 + (ref[i] - 'A' + 1);
    if (col > 16384) return -1;
  }
  return i == 0 ? -1 : col - 1;
}

// A number cell's text: integral values without a fraction or exponent.
std::string NumberText(const std::string& v) {
  if (v.find_first_of(".eE") == std::string::npos) return v;
  char* end = nullptr;
  const double d = std::strtod(v.c_str(), &end);
  if (end == v.c_str() || *end != '\0' || !std::isfinite(d)) return v;
  if (std::fabs(d) < 1e15 && d == std::floor(d)) {
    return std::to_string(static_cast<long long>(d));
  }
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.15g", d);
  return buf;
}

Result<std::vector<TableRow>> ParseXlsx(std::string_view bytes, const TableLimits& limits) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
  if (source == nullptr) {
    zip_error_fini(&error);
    return BadXlsx("zip");
  }
  ZipPtr zip(zip_open_from_source(source, ZIP_RDONLY, &error));
  zip_error_fini(&error);
  if (!zip) {
    zip_source_free(source);
    return BadXlsx("zip");
  }

  // The first sheet: workbook.xml's first <sheet>, through the workbook's relationships.
  FULEI_ASSIGN_OR_RETURN(std::optional<std::string> workbook_bytes,
                         ReadEntry(zip.get(), "xl/workbook.xml", limits));
  if (!workbook_bytes) {
    return Bad("这个 zip 文件不是 Excel 工作簿（没有 xl/workbook.xml）",
               "this zip file is not an Excel workbook (no xl/workbook.xml)");
  }
  FULEI_ASSIGN_OR_RETURN(pugi::xml_document workbook, ParseXml(*workbook_bytes, "workbook"));
  const pugi::xml_node wb = workbook.document_element();
  bool date1904 = false;
  if (pugi::xml_node pr = Child(wb, "workbookPr")) {
    const std::string_view v = pr.attribute("date1904").value();
    date1904 = v == "1" || v == "true";
  }
  std::string rel_id;
  if (pugi::xml_node sheets = Child(wb, "sheets")) {
    if (pugi::xml_node sheet = Child(sheets, "sheet")) {
      for (pugi::xml_attribute a : sheet.attributes()) {
        if (Local(a.name()) == "id") rel_id = a.value();
      }
    }
  }
  std::string sheet_path = "xl/worksheets/sheet1.xml";
  FULEI_ASSIGN_OR_RETURN(std::optional<std::string> rels_bytes,
                         ReadEntry(zip.get(), "xl/_rels/workbook.xml.rels", limits));
  if (rels_bytes && !rel_id.empty()) {
    FULEI_ASSIGN_OR_RETURN(pugi::xml_document rels, ParseXml(*rels_bytes, "workbook.xml.rels"));
    for (pugi::xml_node r : rels.document_element().children()) {
      if (r.attribute("Id").value() != rel_id) continue;
      std::string target = r.attribute("Target").value();
      if (!target.empty() && target[0] == '/') {
        sheet_path = target.substr(1);
      } else if (!target.empty()) {
        sheet_path = "xl/" + target;
      }
    }
  }

  // Shared strings.
  std::vector<std::string> shared;
  FULEI_ASSIGN_OR_RETURN(std::optional<std::string> sst_bytes,
                         ReadEntry(zip.get(), "xl/sharedStrings.xml", limits));
  if (sst_bytes) {
    FULEI_ASSIGN_OR_RETURN(pugi::xml_document sst, ParseXml(*sst_bytes, "sharedStrings"));
    sst_bytes->clear();
    for (pugi::xml_node si : sst.document_element().children()) {
      if (si.type() != pugi::node_element || Local(si.name()) != "si") continue;
      std::string text;
      AppendText(si, &text);
      shared.push_back(std::move(text));
    }
  }

  // Styles: which cell formats (s="n") show dates.
  std::vector<bool> date_style;
  FULEI_ASSIGN_OR_RETURN(std::optional<std::string> styles_bytes,
                         ReadEntry(zip.get(), "xl/styles.xml", limits));
  if (styles_bytes) {
    FULEI_ASSIGN_OR_RETURN(pugi::xml_document styles, ParseXml(*styles_bytes, "styles"));
    const pugi::xml_node ss = styles.document_element();
    std::unordered_map<int, bool> custom;
    if (pugi::xml_node fmts = Child(ss, "numFmts")) {
      for (pugi::xml_node f : fmts.children()) {
        custom[f.attribute("numFmtId").as_int(-1)] =
            IsDateFormatCode(f.attribute("formatCode").value());
      }
    }
    if (pugi::xml_node xfs = Child(ss, "cellXfs")) {
      for (pugi::xml_node xf : xfs.children()) {
        if (xf.type() != pugi::node_element) continue;
        const int id = xf.attribute("numFmtId").as_int(0);
        auto it = custom.find(id);
        date_style.push_back(it != custom.end() ? it->second : IsDateFormatId(id));
      }
    }
  }

  FULEI_ASSIGN_OR_RETURN(std::optional<std::string> sheet_bytes,
                         ReadEntry(zip.get(), sheet_path, limits));
  if (!sheet_bytes) return BadXlsx("no first sheet");
  FULEI_ASSIGN_OR_RETURN(pugi::xml_document sheet, ParseXml(*sheet_bytes, "sheet"));
  sheet_bytes->clear();
  const pugi::xml_node data = Child(sheet.document_element(), "sheetData");
  std::vector<TableRow> rows;
  uint32_t last_row = 0;
  for (pugi::xml_node r : data.children()) {
    if (r.type() != pugi::node_element || Local(r.name()) != "row") continue;
    if (rows.size() >= limits.max_rows) {
      return Bad("行数超过上限 " + std::to_string(limits.max_rows),
                 "more than " + std::to_string(limits.max_rows) + " rows");
    }
    TableRow row;
    const unsigned number = r.attribute("r").as_uint(last_row + 1);
    if (number <= last_row || number > 1'048'576) return BadXlsx("row numbers");
    row.number = last_row = number;
    int next_col = 0;
    for (pugi::xml_node c : r.children()) {
      if (c.type() != pugi::node_element || Local(c.name()) != "c") continue;
      int col = next_col;
      if (pugi::xml_attribute ref = c.attribute("r")) col = ColumnOf(ref.value());
      if (col < 0 || col < next_col) return BadXlsx("cell references");
      if (static_cast<size_t>(col) >= limits.max_columns) {
        return Bad(
            "第 " + RowText(number) + " 行的列数超过上限 " + std::to_string(limits.max_columns),
            "row " + RowText(number) + " has more than " + std::to_string(limits.max_columns) +
                " columns");
      }
      next_col = col + 1;
      const std::string_view t = c.attribute("t").value();
      std::string value;
      if (t == "s") {
        const unsigned idx = Child(c, "v").text().as_uint(~0u);
        if (idx >= shared.size()) return BadXlsx("shared string index");
        value = shared[idx];
      } else if (t == "inlineStr") {
        if (pugi::xml_node is = Child(c, "is")) AppendText(is, &value);
      } else if (t == "b") {
        value = std::string_view(Child(c, "v").text().get()) == "1" ? "TRUE" : "FALSE";
      } else if (t == "str" || t == "e") {
        value = Child(c, "v").text().get();
      } else {  // a number
        value = Child(c, "v").text().get();
        const unsigned style = c.attribute("s").as_uint(0);
        if (!value.empty() && style < date_style.size() && date_style[style]) {
          char* end = nullptr;
          const double serial = std::strtod(value.c_str(), &end);
          if (end != value.c_str() && *end == '\0') {
            Result<std::string> iso = ExcelSerialDate(serial, date1904);
            if (iso.ok()) value = std::move(*iso);
          }
        } else if (!value.empty()) {
          value = NumberText(value);
        }
      }
      if (value.size() > limits.max_cell_bytes) {
        return Bad("第 " + RowText(number) + " 行有一个单元格过长",
                   "a cell of row " + RowText(number) + " is longer than " +
                       std::to_string(limits.max_cell_bytes) + " bytes");
      }
      row.cells.resize(static_cast<size_t>(col) + 1);
      row.cells[static_cast<size_t>(col)] = std::move(value);
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace

std::string_view TableFormatName(TableFormat format) {
  switch (format) {
    case TableFormat::kCsvUtf8:
      return "csv-utf8";
    case TableFormat::kCsvGb18030:
      return "csv-gb18030";
    case TableFormat::kXlsx:
      return "xlsx";
  }
  return "unknown";
}

Result<std::string> ExcelSerialDate(double serial, bool date1904) {
  if (!std::isfinite(serial) || serial < 0 || serial > 200'000) {
    return Bad("不是有效的 Excel 日期", "not an Excel date serial");
  }
  const auto whole = static_cast<int64_t>(std::floor(serial));
  Date d;
  if (date1904) {
    d = AddDays(Date{1904, 1, 1}, whole);
  } else if (whole < 1) {
    return Bad("不是有效的 Excel 日期", "not an Excel date serial");
  } else if (whole <= 60) {
    // Excel counts a 1900-02-29 that never was (serial 60); read it as 02-28.
    d = AddDays(Date{1899, 12, 31}, whole == 60 ? 59 : whole);
  } else {
    d = AddDays(Date{1899, 12, 30}, whole);
  }
  if (d.year < 1900 || d.year > 2199)
    return Bad("不是有效的 Excel 日期", "not an Excel date serial");
  return d.ToString();
}

Result<ImportTable> ReadTable(std::string_view bytes, const TableLimits& limits) {
  if (bytes.size() > limits.max_file_bytes) {
    return Bad(
        "文件过大（超过 " + std::to_string(limits.max_file_bytes >> 20) + " MB）",
        "the file is too large (over " + std::to_string(limits.max_file_bytes >> 20) + " MB)");
  }
  ImportTable table;
  if (bytes.starts_with(std::string_view("PK\x03\x04", 4))) {
    table.format = TableFormat::kXlsx;
    FULEI_ASSIGN_OR_RETURN(table.rows, ParseXlsx(bytes, limits));
    return table;
  }
  if (bytes.starts_with(std::string_view("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8))) {
    return Bad("不支持旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 或 CSV",
               "old Excel (.xls) files are not read; save it from Excel as .xlsx or CSV");
  }
  if (bytes.find('\0') != std::string_view::npos) {
    return Bad("不是表格文件：只能导入 XLSX 或 CSV 文件",
               "not a table file: only XLSX and CSV files can be imported");
  }
  std::string converted;
  std::string_view text = bytes;
  if (text.starts_with("\xEF\xBB\xBF")) {
    text.remove_prefix(3);
    if (!ValidUtf8(text)) {
      return Bad("文件标明是 UTF-8，但内容不是有效的 UTF-8",
                 "the file is marked UTF-8 but is not valid UTF-8");
    }
    table.format = TableFormat::kCsvUtf8;
  } else if (ValidUtf8(text)) {
    table.format = TableFormat::kCsvUtf8;
  } else {
    FULEI_ASSIGN_OR_RETURN(converted, FromGb18030(text));
    text = converted;
    table.format = TableFormat::kCsvGb18030;
  }
  FULEI_ASSIGN_OR_RETURN(table.rows, ParseCsv(text, limits));
  return table;
}

Result<ImportTable> ReadTableFile(const std::string& path, const TableLimits& limits) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) {
    return Status(
        ec == std::errc::no_such_file_or_directory ? StatusCode::kNotFound : StatusCode::kIoError,
        "无法读取文件 " + path + " / cannot read " + path + ": " + ec.message());
  }
  if (size > limits.max_file_bytes) {
    return Bad(
        "文件过大（超过 " + std::to_string(limits.max_file_bytes >> 20) + " MB）",
        "the file is too large (over " + std::to_string(limits.max_file_bytes >> 20) + " MB)");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return IoError("无法读取文件 " + path + " / cannot read " + path);
  std::string bytes(static_cast<size_t>(size), '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (static_cast<size_t>(in.gcount()) != bytes.size()) {
    return IoError("读取文件 " + path + " 时出错 / error reading " + path);
  }
  return ReadTable(bytes, limits);
}

}  // namespace fulei::programme
