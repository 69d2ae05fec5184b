// Importing a town's Excel lists (children, helpers, pairings, contacts): from the rows of a
// table file (import_table.h) to the writes that would create or complete the records, and a
// report of the rows refused and of likely duplicates. docs/import.md.
//
// PlanImport is the whole decision and writes nothing: it returns an ImportPlan whose `changes`
// the caller writes (the node: NodeCore::WriteAs, which checks every change again) or, for a dry
// run, only prints. It reads the records already held through ImportRecords (over a store:
// StoreImportRecords).
//
// Steps:
//   1. The header row: the first of the first 30 non-blank rows in which at least two cells name
//      a column of the kind (a title row above it and blank rows are skipped). A header cell may
//      be the field's Chinese label (docs/programme.md), its field name, a column of the
//      national form (export_table.h NationalChildColumns, ../shared/data/national-fields.md),
//      or a common variant (the table in import.cc). Columns named nothing known are listed in
//      ImportPlan::ignored_columns; code columns of the national form ("性别代码") are ignored.
//   2. Data rows: blank rows are skipped; a row with a cell that begins with a signature or a
//      total mark ("填表人", "审核人", "负责人", "合计", ...) ends the data.
//   3. Cells are normalised: full-width letters, digits and spaces to ASCII, trimmed; dates in
//      the forms 2015.3.4, 2015年3月4日, 2015/3/4, 2015-3-4, 20150304 and Excel serials become
//      "YYYY-MM-DD"; enum cells may be the code, the Chinese or the English label (and the
//      national labels: 男/女/1/2, 留守, 困境, ...); yes/no cells 是/否; multi-value cells are
//      split on 、,，;； and spaces.
//   4. Each row becomes one record, at RecordScope(type, unit) of the unit the row names in its
//      village column (ImportOptions::resolve_unit) or else ImportOptions::unit. Its id is
//      derived from its content (below), so the same row always names the same record. Each
//      cell is checked on its own (ValidateValue: every bad cell is reported with its column),
//      then the record as the node would check it (CheckChange: required fields, cross-field
//      rules, the writer's role and unit) merged with the record held, at ImportOptions::today.
//   5. A row whose record is already held with every imported value: nothing (unchanged). Held
//      with other values: the changed fields are set (superseding the held values), set fields
//      gain the missing elements; nothing is removed. Not held: created.
//   6. Children: likely duplicates (duplicates.h) of children held at or below the unit, or of
//      another row of the file, are reported; they are still imported (a person decides).
// Record ids (never a person's data in clear: record keys are not sealed): a keyed hash
// (SipHash-2-4, ImportOptions::id_key) of
//   child    the normalised 身份证号; without one, the unit, the name and the birth date;
//   helper   the unit, the name and the phone;
//   pairing  the scope, the helper id, the child id, the kind and the start date;
//   contact  the scope, the child id, the helper id, the kind and the date.
// Pairings and contacts name their child and helper by record id, by 身份证号 (a child) or by
// name; a name must match exactly one record held at or below the unit (helpers also in the
// unit's ancestors' registries), else the row is refused.
//
// Importing the same file twice plans nothing the second time (every row unchanged).
// Thread-compatible: one call at a time per ImportRecords.
#ifndef FULEI_PROGRAMME_IMPORT_H_
#define FULEI_PROGRAMME_IMPORT_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crdt/op.h"
#include "crdt/record.h"
#include "crdt/status.h"
#include "programme/date.h"
#include "programme/duplicates.h"
#include "programme/import_table.h"
#include "programme/redact.h"
#include "programme/write_policy.h"
#include "store/store.h"

namespace fulei::programme {

enum class ImportKind : uint8_t { kChildren, kHelpers, kPairings, kContacts };

// "children", "helpers", "pairings", "contacts" (the CLI's --what); kInvalidArgument otherwise.
Result<ImportKind> ParseImportKind(std::string_view what);
std::string_view ImportKindName(ImportKind kind);
// The record type a kind imports: "child", "helper", "pairing", "contact".
std::string_view ImportRecordType(ImportKind kind);

// The records already held, as the import reads them.
class ImportRecords {
 public:
  virtual ~ImportRecords() = default;
  // The record's state, nullopt when absent.
  virtual Result<std::optional<crdt::RecordState>> Get(const crdt::RecordKey& key) = 0;
  // As store::Store::ForEach: records of `type` at or below `scope_prefix`.
  virtual Status ForEach(
      std::string_view type, std::string_view scope_prefix,
      const std::function<bool(const crdt::RecordKey&, const crdt::RecordState&)>& fn) = 0;
};

// ImportRecords over a store (which must outlive it).
class StoreImportRecords : public ImportRecords {
 public:
  explicit StoreImportRecords(store::Store& store) : store_(store) {}
  Result<std::optional<crdt::RecordState>> Get(const crdt::RecordKey& key) override;
  Status ForEach(
      std::string_view type, std::string_view scope_prefix,
      const std::function<bool(const crdt::RecordKey&, const crdt::RecordState&)>& fn) override;

 private:
  store::Store& store_;
};

// The unit a row's village cell names ("大埔村", "v012", "jinjiang/cizao/v012"), or an error
// whose message ("中文 / English") is the row's reason. It must be at or below the importing
// unit (PlanImport refuses the row otherwise).
using UnitResolver = std::function<Result<std::string>(std::string_view cell)>;

struct ImportOptions {
  ImportKind kind = ImportKind::kChildren;
  std::string unit;  // the importing unit, "jinjiang/cizao"
  Viewer writer;     // who imports: CheckChange's writer
  Date today;        // validation date (not_future fields)
  WriteContext context;
  // Unset: a village cell is read as a unit path at or below `unit`, or as the last segment
  // of one ("v012" -> unit + "/v012"); anything else refuses the row.
  UnitResolver resolve_unit;
  std::array<uint8_t, 16> id_key{};  // the key of the record-id hash (see the header comment)
  std::string author;                // LocalChange::author of every change
};

// One refused cell or row. `row` is the row number in Excel; `column` the header as the file
// names it (or the field's Chinese label when the column is missing); `reason` "中文 / English".
struct ImportProblem {
  uint32_t row = 0;
  std::string column;
  std::string value;
  std::string reason;
};

// A likely duplicate of an imported child: a record held (`existing`), or another row of the
// file (`other_row` != 0).
struct ImportDuplicate {
  uint32_t row = 0;
  crdt::RecordKey existing;  // empty id when other_row is set
  uint32_t other_row = 0;
  DuplicateReason reason = DuplicateReason::kSameIdNumber;
};

struct ImportPlan {
  TableFormat format = TableFormat::kCsvUtf8;
  uint32_t header_row = 0;
  std::vector<std::string> ignored_columns;  // headers of columns not imported
  size_t rows = 0;                           // data rows read (blank rows not counted)
  size_t created = 0;
  size_t updated = 0;
  size_t unchanged = 0;
  std::vector<store::LocalChange> changes;  // one per created or updated row
  std::vector<uint32_t> change_rows;        // the row of each change
  std::vector<ImportProblem> rejected;      // by row; a row may have several
  std::vector<ImportDuplicate> duplicates;  // by row
};

// The plan for importing `table` (see the header comment). Errors: kInvalidArgument when no
// header row is found (the message lists the headers expected) or options.unit is empty;
// ImportRecords' errors. A refused row is not an error: it is in ImportPlan::rejected.
Result<ImportPlan> PlanImport(const ImportTable& table, const ImportOptions& options,
                              ImportRecords& existing);

// The plan as text for a terminal: counts, then one line per refused cell
// ("第 12 行 「出生日期」 = 2015.13.4：不是有效日期 / row 12, 出生日期 = ...: ..."), then the
// duplicates. Holds the values of refused cells: for the person importing, never a log.
std::string FormatImportReport(const ImportPlan& plan);

// Normalises one cell: full-width ASCII forms and U+3000 to ASCII, trims spaces.
std::string NormaliseCell(std::string_view cell);
// A date as people type it (see step 3) as "YYYY-MM-DD"; kInvalidArgument otherwise.
Result<std::string> NormaliseDate(std::string_view cell);

}  // namespace fulei::programme

#endif  // FULEI_PROGRAMME_IMPORT_H_
