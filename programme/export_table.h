// Table: the sheet of an export — a name, a header row and data rows of text cells — and the
// tables the programme exports: children in the column order of the national child-welfare
// information system (全国儿童福利信息管理系统) as far as public sources give it, the 福彩助学
// study-aid list, and the family-care overdue list. Column mapping and its sources:
// docs/export.md (which says where a column is inferred).
//
// Builders take decoded records and return values; they hold no references. Thread-safe.
#ifndef FULEI_PROGRAMME_EXPORT_TABLE_H_
#define FULEI_PROGRAMME_EXPORT_TABLE_H_

#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "programme/fields.h"
#include "programme/rules_family_care.h"
#include "programme/rules_study_aid.h"

namespace fulei::programme {

struct Table {
  std::string sheet;  // sheet name (XLSX), at most 31 characters
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;  // each row has header.size() cells
};

// Unit path -> display name ("jinjiang/cizao" -> "磁灶镇"); a path without a name is shown as is.
using UnitNames = std::map<std::string, std::string, std::less<>>;

struct ChildExportRow {
  std::string scope;
  std::string id;
  Fields child;
  std::optional<Fields> guardian;  // the first guardian, when the caller has it
};

// Children, one row each, in the order given. Enum codes become their Chinese labels.
Table ChildrenTable(std::span<const ChildExportRow> rows, const UnitNames& units);

// The study-aid survey list (rules_study_aid.h), with each candidate's wish ("未征询" when the
// wish was never asked).
Table StudyAidTable(std::span<const StudyAidCandidate> candidates, const UnitNames& units);

// The family-care overdue list (rules_family_care.h). helper_names / child_names map ids to
// display names; an id without a name is shown as the id.
Table OverdueTable(std::span<const OverdueItem> items, const UnitNames& units,
                   const std::map<std::string, std::string, std::less<>>& helper_names,
                   const std::map<std::string, std::string, std::less<>>& child_names);

}  // namespace fulei::programme

#endif  // FULEI_PROGRAMME_EXPORT_TABLE_H_
