// Table: the sheet of an export — a name, a header row and data rows of text cells — and the
// tables the programme exports: children in the columns and codes of the national child-welfare
// information system (全国儿童福利信息管理系统) and the 2016 登记表 (national_codes.h), the
// 福彩助学 study-aid list, and the family-care overdue list. Column mapping and its sources:
// docs/export.md (which says which columns and codes are stated by a source and which inferred).
//
// Every export is made for a viewer (redact.h): the builders below take the viewer, apply the
// visibility table to every row, and return a RedactedTable, which only they can make; the
// writers (export_csv.h, export_xlsx.h) take only RedactedTables made for the viewer they are
// given. So no file and no download is ever made from rows the viewer may not see. A cell whose
// field the viewer may not see reads kHiddenCell; a row the viewer may not see at all makes the
// builder fail (kPermissionDenied): the caller (reader.h) passes only rows in the viewer's reach.
//
// Builders take decoded records and return values; they hold no references. Thread-safe.
#ifndef FULEI_PROGRAMME_EXPORT_TABLE_H_
#define FULEI_PROGRAMME_EXPORT_TABLE_H_

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crdt/status.h"
#include "programme/fields.h"
#include "programme/redact.h"
#include "programme/rules_family_care.h"
#include "programme/rules_study_aid.h"

namespace fulei::programme {

struct Table {
  std::string sheet;  // sheet name (XLSX), at most 31 characters
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;  // each row has header.size() cells
};

// The cell of a field the viewer may not see.
inline constexpr std::string_view kHiddenCell = "已隐藏";

class TableBuilder;  // export_table.cc: the only maker of RedactedTables

// A table whose rows were redacted for `viewer()`. Copyable; made only by the builders below.
class RedactedTable {
 public:
  const Table& table() const { return table_; }
  const Viewer& viewer() const { return viewer_; }

 private:
  friend class TableBuilder;
  RedactedTable(Viewer viewer, Table table)
      : viewer_(std::move(viewer)), table_(std::move(table)) {}

  Viewer viewer_;
  Table table_;
};

// Unit path -> display name ("jinjiang/cizao" -> "磁灶镇"); a path without a name is shown as is.
using UnitNames = std::map<std::string, std::string, std::less<>>;

struct ChildExportRow {
  std::string scope;
  std::string id;
  Fields child;
  std::optional<Fields> guardian;  // the first guardian (a record of the same scope), if any
};

// The columns of the national-system children export, in order (docs/export.md): the 2016
// 农村留守儿童基本情况登记表 and the national system's 儿童基本信息, with a code column before each
// coded field's label (national_codes.h).
std::span<const std::string_view> NationalChildColumns();

// Children, one row each, in the order given, under NationalChildColumns(). Coded fields give the
// national code and label; other enum codes become their Chinese labels.
// kPermissionDenied when the viewer may not see a row's child (or guardian) record.
Result<RedactedTable> ChildrenTable(const Viewer& viewer, std::span<const ChildExportRow> rows,
                                    const UnitNames& units);

// The study-aid survey list (rules_study_aid.h), with each candidate's wish ("未征询" when the
// wish was never asked). kPermissionDenied when the viewer may not see a candidate's record.
Result<RedactedTable> StudyAidTable(const Viewer& viewer,
                                    std::span<const StudyAidCandidate> candidates,
                                    const UnitNames& units);

// A record's display name and where the record lives (to decide whether the viewer may see it).
struct NamedRecord {
  std::string scope;
  std::string name;
};
using NamesById = std::map<std::string, NamedRecord, std::less<>>;

// The family-care overdue list (rules_family_care.h). helpers / children map ids to the helper
// and child records' names; an id without a name, or whose name the viewer may not see, is
// shown as the id. kPermissionDenied when the viewer may not see an item's pairing.
Result<RedactedTable> OverdueTable(const Viewer& viewer, std::span<const OverdueItem> items,
                                   const UnitNames& units, const NamesById& helpers,
                                   const NamesById& children);

}  // namespace fulei::programme

#endif  // FULEI_PROGRAMME_EXPORT_TABLE_H_
