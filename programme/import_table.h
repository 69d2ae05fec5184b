// Reading a spreadsheet file for import (import.h): the rows of a table file as UTF-8 cells.
// docs/import.md.
//
// Towns keep their lists in Excel. ReadTable takes the bytes of a file and decides its format
// from the content, not the name:
//   XLSX (a zip starting "PK\3\4"): the first sheet of the workbook (libzip, pugixml); shared and
//     inline strings, numbers (integral values without ".0"), booleans, and numbers with a date
//     style (built-in formats 14-22, 27-36, 45-47, 50-58, or a custom format with y/m/d) as ISO
//     dates "YYYY-MM-DD" (the 1900 and the 1904 date systems).
//   CSV, RFC 4180 (quoted cells, "" for a quote, newlines inside quotes; CRLF or LF), in UTF-8
//     with or without a BOM, or else GB18030 (which covers GBK and GB2312: what Chinese Excel
//     writes when it saves "CSV"), converted with iconv(3). A file that is valid UTF-8 is read
//     as UTF-8.
//   Anything else (an old .xls, a PDF, random bytes): kInvalidArgument saying so.
// Untrusted input is bounded before it is parsed (TableLimits): the file's size, each zip entry's
// declared and actual uncompressed size (a zip bomb is refused, never inflated), the rows, the
// columns and a cell's bytes. Every error is kInvalidArgument with a message "中文 / English";
// nothing here aborts on any input.
//
// Row numbers are the ones the person sees in Excel: 1-based, counting every row of the sheet
// (a CSV record spanning lines is one row). Empty rows are kept (as rows with no cells) only in
// XLSX where they are absent from the file; callers skip blank rows.
//
// Pure functions over bytes (ReadTableFile reads the file first); thread-safe.
#ifndef FULEI_PROGRAMME_IMPORT_TABLE_H_
#define FULEI_PROGRAMME_IMPORT_TABLE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crdt/status.h"

namespace fulei::programme {

enum class TableFormat : uint8_t { kCsvUtf8, kCsvGb18030, kXlsx };
std::string_view TableFormatName(TableFormat format);  // "csv-utf8", "csv-gb18030", "xlsx"

struct TableLimits {
  size_t max_file_bytes = size_t{32} << 20;   // the file itself
  size_t max_entry_bytes = size_t{64} << 20;  // one zip entry, uncompressed
  uint32_t max_compression_ratio = 200;       // uncompressed / compressed, per zip entry
  size_t max_rows = 200'000;                  // rows of the sheet
  size_t max_columns = 512;                   // cells of a row
  size_t max_cell_bytes = 32 * 1024;          // one cell's text
};

struct TableRow {
  uint32_t number = 0;             // as Excel shows it (1-based)
  std::vector<std::string> cells;  // UTF-8; trailing empty cells may be absent
};

struct ImportTable {
  TableFormat format = TableFormat::kCsvUtf8;
  std::vector<TableRow> rows;  // by number
};

// Reads `bytes` as described above. Errors (kInvalidArgument, "中文 / English"): too large, not
// a table file, an old .xls, bad zip or XML, a zip entry too large, text in neither UTF-8 nor
// GB18030, an unterminated quote, too many rows, columns or bytes in a cell.
Result<ImportTable> ReadTable(std::string_view bytes, const TableLimits& limits = {});

// Reads the file at `path` (refusing one larger than limits.max_file_bytes before reading it),
// then ReadTable. kNotFound / kIoError when the file cannot be read.
Result<ImportTable> ReadTableFile(const std::string& path, const TableLimits& limits = {});

// The ISO date "YYYY-MM-DD" of an Excel date serial (1900 system: serial 1 is 1900-01-01 and
// serial 60 the non-existent 1900-02-29, read as 02-28; date1904: serial 0 is 1904-01-01).
// The fraction (time of day) is dropped. kInvalidArgument outside 1900..2199.
Result<std::string> ExcelSerialDate(double serial, bool date1904 = false);

}  // namespace fulei::programme

#endif  // FULEI_PROGRAMME_IMPORT_TABLE_H_
