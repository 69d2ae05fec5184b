// XLSX export (libxlsxwriter): one worksheet per Table, header row bold and frozen, every cell
// written as a string (so 18-digit ID numbers keep every digit), columns sized for Chinese text.
// docs/export.md. libxlsxwriter (Debian 12: 1.1.4) writes to a file path only; the caller picks
// the path (a file to stream back to a browser, or a file the user named).
//
// Only tables redacted for the viewer are written (export_table.h): WriteXlsx takes the viewer
// and refuses a table made for another one. The file is readable by its owner only (0600,
// whatever the umask) and no plaintext is left elsewhere: libxlsxwriter assembles the workbook
// in a private directory (0700) next to `path` (its `tmpdir`, so nothing goes to /tmp; its own
// temporary files are unlinked as soon as they are open), the result is fsynced and renamed over
// `path`, and the private directory is removed, also on failure (internal/export_file.h).
// Thread-safe as long as two calls do not write the same path.
#ifndef FULEI_PROGRAMME_EXPORT_XLSX_H_
#define FULEI_PROGRAMME_EXPORT_XLSX_H_

#include <span>
#include <string>

#include "crdt/status.h"
#include "programme/export_table.h"

namespace fulei::programme {

// Writes the tables as sheets of a new workbook at `path` (replacing any file there).
// Errors: kPermissionDenied (a table made for another viewer), kInvalidArgument (no tables, a
// duplicate or invalid sheet name, a ragged row), kIoError (the file could not be written:
// libxlsxwriter's message is included). On error nothing new is left in `path`'s directory.
Status WriteXlsx(const Viewer& viewer, std::span<const RedactedTable> tables,
                 const std::string& path);

}  // namespace fulei::programme

#endif  // FULEI_PROGRAMME_EXPORT_XLSX_H_
