// XLSX export (libxlsxwriter): one worksheet per Table, header row bold and frozen, every cell
// written as a string (so 18-digit ID numbers keep every digit), columns sized for Chinese text.
// docs/export.md. libxlsxwriter (Debian 12: 1.1.4) writes to a file path only; the caller picks
// the path (a temporary file to stream back to a browser, or a file the user named).
// Thread-safe as long as two calls do not write the same path.
#ifndef FULEI_PROGRAMME_EXPORT_XLSX_H_
#define FULEI_PROGRAMME_EXPORT_XLSX_H_

#include <span>
#include <string>

#include "crdt/status.h"
#include "programme/export_table.h"

namespace fulei::programme {

// Writes the tables as sheets of a new workbook at `path` (replacing any file there).
// Errors: kInvalidArgument (no tables, a duplicate or invalid sheet name, a ragged row),
// kIoError (the file could not be written: libxlsxwriter's message is included).
Status WriteXlsx(const std::string& path, std::span<const Table> tables);

}  // namespace fulei::programme

#endif  // FULEI_PROGRAMME_EXPORT_XLSX_H_
