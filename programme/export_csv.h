// CSV export of a Table (export_table.h): UTF-8 with a byte-order mark, so Excel on a Chinese
// Windows opens it as UTF-8 rather than GBK; CRLF line ends; RFC 4180 quoting (a cell holding a
// comma, a quote, CR or LF is quoted, quotes doubled). docs/export.md.
//
// CsvMode::kExcel additionally guards cells for opening in Excel: a cell that starts with = + - @
// (a formula to Excel: CSV injection), that is a run of 11 or more digits (an ID or phone
// number, which Excel would show as 3.50582E+17 and round) or a code of digits with a leading
// zero ("01", which Excel would show as 1) gets a leading TAB, which Excel shows as text and keeps.
// CsvMode::kExact writes cells byte for byte, for machine import. ParseCsv reads what ToCsv writes
// (and any RFC 4180 text), for tests and imports.
//
// Only tables redacted for the viewer are written (export_table.h): ToCsv and WriteCsv take the
// viewer and refuse a table made for another one (kPermissionDenied). WriteCsv makes a file
// readable by its owner only (0600, whatever the umask) and leaves no temporary file: it writes
// inside a private directory (0700) next to `path`, fsyncs, renames over `path`, fsyncs the
// directory, and removes the private directory, also on failure (docs/export.md, "Files").
// Thread-safe as long as two calls do not write the same path.
#ifndef FULEI_PROGRAMME_EXPORT_CSV_H_
#define FULEI_PROGRAMME_EXPORT_CSV_H_

#include <string>
#include <string_view>
#include <vector>

#include "crdt/status.h"
#include "programme/export_table.h"

namespace fulei::programme {

enum class CsvMode { kExcel, kExact };

Result<std::string> ToCsv(const Viewer& viewer, const RedactedTable& table,
                          CsvMode mode = CsvMode::kExcel);

// Writes ToCsv's bytes to `path` (replacing any file there) as described above. Errors:
// kPermissionDenied (a table made for another viewer), kIoError (nothing is left at `path`'s
// directory but what was there before).
Status WriteCsv(const Viewer& viewer, const RedactedTable& table, const std::string& path,
                CsvMode mode = CsvMode::kExcel);

// Parses RFC 4180 CSV (a leading UTF-8 BOM is skipped; CRLF or LF line ends). Returns the rows,
// header included. kInvalidArgument on an unterminated quote or a stray quote inside a field.
Result<std::vector<std::vector<std::string>>> ParseCsv(std::string_view text);

}  // namespace fulei::programme

#endif  // FULEI_PROGRAMME_EXPORT_CSV_H_
