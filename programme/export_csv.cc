#include "programme/export_csv.h"

#include "programme/internal/export_file.h"

namespace fulei::programme {
namespace {

bool NeedsGuard(std::string_view cell) {
  if (cell.empty()) return false;
  const char c = cell[0];
  if (c == '=' || c == '+' || c == '-' || c == '@') return true;
  for (size_t i = 0; i < cell.size(); ++i) {
    const char d = cell[i];
    const bool id_check_x = d == 'X' && i == 17 && cell.size() == 18;
    if ((d < '0' || d > '9') && !id_check_x) return false;
  }
  // All digits: long runs (Excel rounds them) and codes with a leading zero ("01" 汉族, "06"
  // 死亡: Excel drops the zero).
  return cell.size() >= 11 || (cell.size() >= 2 && c == '0');
}

void AppendCell(std::string& out, std::string_view cell, CsvMode mode) {
  std::string value;
  if (mode == CsvMode::kExcel && NeedsGuard(cell)) value = "\t";
  value.append(cell);
  if (value.find_first_of(",\"\r\n") == std::string::npos) {
    out += value;
    return;
  }
  out += '"';
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

std::string Format(const Table& table, CsvMode mode) {
  std::string out = "\xEF\xBB\xBF";
  auto row = [&](const std::vector<std::string>& cells) {
    for (size_t i = 0; i < cells.size(); ++i) {
      if (i > 0) out += ',';
      AppendCell(out, cells[i], mode);
    }
    out += "\r\n";
  };
  row(table.header);
  for (const auto& r : table.rows) row(r);
  return out;
}

}  // namespace

Result<std::string> ToCsv(const Viewer& viewer, const RedactedTable& table, CsvMode mode) {
  FULEI_RETURN_IF_ERROR(internal::CheckMadeFor(viewer, table));
  return Format(table.table(), mode);
}

Status WriteCsv(const Viewer& viewer, const RedactedTable& table, const std::string& path,
                CsvMode mode) {
  FULEI_ASSIGN_OR_RETURN(std::string bytes, ToCsv(viewer, table, mode));
  FULEI_ASSIGN_OR_RETURN(internal::PrivateOutput out, internal::PrivateOutput::Create(path));
  FULEI_RETURN_IF_ERROR(out.Write(bytes));
  return out.Publish();
}

Result<std::vector<std::vector<std::string>>> ParseCsv(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string cell;
  size_t i = 0;
  bool any = false;  // the current row has content
  while (i < text.size()) {
    const char c = text[i];
    if (c == '"' && cell.empty()) {
      ++i;
      while (true) {
        if (i >= text.size()) return InvalidArgument("csv: unterminated quoted field");
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            cell += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        cell += text[i++];
      }
      any = true;
      if (i < text.size() && text[i] != ',' && text[i] != '\r' && text[i] != '\n') {
        return InvalidArgument("csv: text after a closing quote");
      }
      continue;
    }
    if (c == ',') {
      row.push_back(std::move(cell));
      cell.clear();
      any = true;
      ++i;
    } else if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      ++i;
      row.push_back(std::move(cell));
      cell.clear();
      rows.push_back(std::move(row));
      row.clear();
      any = false;
    } else {
      if (c == '"') return InvalidArgument("csv: quote inside an unquoted field");
      cell += c;
      any = true;
      ++i;
    }
  }
  if (any || !cell.empty()) {
    row.push_back(std::move(cell));
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace fulei::programme
