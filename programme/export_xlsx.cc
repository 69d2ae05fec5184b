#include "programme/export_xlsx.h"

#include <xlsxwriter.h>

#include <algorithm>
#include <set>

#include "programme/internal/export_file.h"

namespace fulei::programme {
namespace {

// Display width of UTF-8 text in Excel column units: CJK counts two.
double Width(std::string_view s) {
  double w = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if ((c & 0xC0) == 0x80) continue;
    w += c >= 0xE0 ? 2.0 : 1.0;
  }
  return w;
}

}  // namespace

Status WriteXlsx(const Viewer& viewer, std::span<const RedactedTable> tables,
                 const std::string& path) {
  if (tables.empty()) return InvalidArgument("xlsx: no tables to write");
  std::set<std::string> names;
  for (const RedactedTable& rt : tables) {
    FULEI_RETURN_IF_ERROR(internal::CheckMadeFor(viewer, rt));
    const Table& t = rt.table();
    if (t.sheet.empty() || !names.insert(t.sheet).second) {
      return InvalidArgument("xlsx: sheet name '" + t.sheet + "' is empty or repeated");
    }
    for (const auto& r : t.rows) {
      if (r.size() != t.header.size()) {
        return InvalidArgument("xlsx: sheet '" + t.sheet + "' has a row of " +
                               std::to_string(r.size()) + " cells, header has " +
                               std::to_string(t.header.size()));
      }
    }
  }
  FULEI_ASSIGN_OR_RETURN(internal::PrivateOutput out, internal::PrivateOutput::Create(path));
  lxw_workbook_options options{};
  options.tmpdir = const_cast<char*>(out.dir().c_str());  // out outlives wb
  lxw_workbook* wb = workbook_new_opt(out.file().c_str(), &options);
  if (wb == nullptr) return IoError("xlsx: cannot create a workbook in " + out.dir());
  lxw_format* bold = workbook_add_format(wb);
  format_set_bold(bold);
  Status status;
  for (const RedactedTable& rt : tables) {
    const Table& t = rt.table();
    if (workbook_validate_sheet_name(wb, t.sheet.c_str()) != LXW_NO_ERROR) {
      status = InvalidArgument("xlsx: invalid sheet name '" + t.sheet + "'");
      break;
    }
    lxw_worksheet* ws = workbook_add_worksheet(wb, t.sheet.c_str());
    if (ws == nullptr) {
      status = Internal("xlsx: cannot add sheet '" + t.sheet + "'");
      break;
    }
    std::vector<double> widths(t.header.size(), 6.0);
    auto write_row = [&](lxw_row_t r, const std::vector<std::string>& cells, lxw_format* fmt) {
      for (size_t c = 0; c < cells.size(); ++c) {
        widths[c] = std::max(widths[c], std::min(60.0, Width(cells[c]) + 2));
        if (cells[c].empty()) continue;
        worksheet_write_string(ws, r, static_cast<lxw_col_t>(c), cells[c].c_str(), fmt);
      }
    };
    write_row(0, t.header, bold);
    for (size_t r = 0; r < t.rows.size(); ++r) {
      write_row(static_cast<lxw_row_t>(r + 1), t.rows[r], nullptr);
    }
    for (size_t c = 0; c < widths.size(); ++c) {
      worksheet_set_column(ws, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c), widths[c],
                           nullptr);
    }
    worksheet_freeze_panes(ws, 1, 0);
  }
  const lxw_error err = workbook_close(wb);  // frees wb; writes out.file() (removed on error)
  if (!status.ok()) return status;
  if (err != LXW_NO_ERROR) {
    return IoError("xlsx: writing " + path + " failed: " + lxw_strerror(err));
  }
  return out.Publish();
}

}  // namespace fulei::programme
