// Reader: the one way the node, the CLI and the admin web read records for a person. Every call
// takes the viewer (who, which role, which unit: redact.h) and decides there: a record the
// viewer may not see is refused or left out, and every record returned is redacted for the
// viewer (RedactRecord). Exports go through the same decision (export_table.h) and are written
// owner-only with no temporary file left behind (export_csv.h, export_xlsx.h). docs/programme.md,
// "Reading for a person".
//
// Reading for a person is kept apart from the programme's own computations (aggregation,
// escalation, transfer plans), which read the store directly and return counts, flags and
// writes, never a person's data for display.
//
// Threading: as store::Store (thread-compatible; the node's event loop makes all calls). The
// Reader holds a reference to the store, which must outlive it. Everything returned is owned by
// the caller.
#ifndef FULEI_PROGRAMME_READER_H_
#define FULEI_PROGRAMME_READER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crdt/record.h"
#include "crdt/status.h"
#include "programme/date.h"
#include "programme/export_csv.h"
#include "programme/export_table.h"
#include "programme/fields.h"
#include "programme/redact.h"
#include "programme/rules_family_care.h"
#include "store/store.h"

namespace fulei::programme {

// One record as a viewer may see it.
struct ViewedRecord {
  crdt::RecordKey key;
  Fields fields;                    // what the viewer may see
  std::vector<std::string> hidden;  // names of the fields removed (shown as 已隐藏)
};

// One child paired with a caring parent (爱心家长), and what is due (Reader::PairedChildren).
struct PairedChild {
  crdt::RecordKey pairing;
  std::string child;       // the child's record id
  std::string child_name;  // "" when the child record is absent
  std::string kind;        // the pairing's kind: "family_care" or "assistance"
  // Family care (rules_family_care.h): this month's talk and this quarter's home visit, each
  // done or due by the period's last day; and the runs of missed periods, if any.
  bool talk_done = false;
  Date talk_due_by;
  bool visit_done = false;
  Date visit_due_by;
  std::vector<OverdueItem> overdue;
};

struct ListOptions {
  // Keeps a record when it returns true (unset: keeps all). It sees the record as redacted for
  // the viewer, so no filter can select records by a value the viewer may not read. It runs
  // inside the store's read transaction: it must not call the store.
  std::function<bool(const ViewedRecord&)> filter;
  size_t limit = 0;  // at most this many records (0: no limit)
};

struct Listing {
  std::vector<ViewedRecord> records;  // by scope, then id
  bool truncated = false;             // the limit was reached before the end
};

enum class ExportKind : uint8_t {
  kChildren,           // 儿童信息, for the national system
  kStudyAid,           // 福彩助学摸底
  kFamilyCareOverdue,  // 亲情关爱逾期
};
// The name of an export kind ("children", "study_aid", "family_care_overdue": the CLI's --what,
// the admin web's file name, the audit log), and back (nullopt for any other name).
std::string_view ExportKindName(ExportKind kind);
std::optional<ExportKind> ParseExportKind(std::string_view name);

enum class ExportFormat : uint8_t { kCsv, kXlsx };

struct ExportRequest {
  ExportKind kind = ExportKind::kChildren;
  std::string subtree;        // at or below the viewer's unit
  Date today;                 // ages (study aid), periods (family care)
  int64_t now_s = 0;          // when the export is made (unix seconds), for the audit log
  UnitNames units;            // display names of units
  bool only_willing = false;  // kStudyAid: only the children whose wish is "yes"
  CsvMode csv_mode = CsvMode::kExcel;
};

struct ExportSummary {
  size_t rows = 0;
  uint64_t audit_entry = 0;  // the store's audit entry recording the export
};

class Reader {
 public:
  explicit Reader(store::Store& store) : store_(store) {}

  // The record at `key` as `viewer` may see it. The decision is taken from the key before the
  // store is read, so a refusal says nothing about whether the record exists.
  // Errors: kInvalidArgument (unknown type), kPermissionDenied, kNotFound (absent or deleted),
  // store errors (kCorruption, kIoError).
  Result<ViewedRecord> Get(const Viewer& viewer, const crdt::RecordKey& key);

  // The records of `type` at or below `subtree` that `viewer` may see, redacted, then filtered.
  // `subtree` is the viewer's unit or below it, or an ancestor of it (whose registries the
  // viewer may read: redact.h); records the viewer may not see are left out without a trace.
  // Deleted records are left out. A caring parent's own (their pairings, the children paired
  // with them, their contacts with those children: redact.h) are decided here. Errors:
  // kInvalidArgument (unknown type), kPermissionDenied (a subtree beside the viewer's unit), store
  // errors.
  Result<Listing> List(const Viewer& viewer, std::string_view type, std::string_view subtree,
                       const ListOptions& options = {});

  // A caring parent's (爱心家长) own children: the pairings at or below `subtree` whose helper is
  // viewer.user and that are in force on `today`, by scope then pairing id, each with the
  // child's name and what is due. Errors: kPermissionDenied (not a caring_parent, no user id, a
  // subtree beside the viewer's unit), store errors.
  Result<std::vector<PairedChild>> PairedChildren(const Viewer& viewer, std::string_view subtree,
                                                  const Date& today);

  // Writes the export `request` of `viewer` to `path` (export_csv.h / export_xlsx.h), every row
  // redacted for the viewer, after appending to the store's audit log who exported what (user,
  // role, unit, kind, subtree, format, rows, time): an export that cannot be audited is not
  // made. A caring parent exports nothing (kPermissionDenied). Records the viewer may not see
  // are left out; transferred-away redirects are left out
  // (the new unit exports the child). Errors: kInvalidArgument (no user id in the viewer),
  // kPermissionDenied (a subtree not at or below the viewer's unit), the writers' and the
  // store's errors.
  Result<ExportSummary> Export(const Viewer& viewer, const ExportRequest& request,
                               ExportFormat format, const std::string& path);

 private:
  Result<RedactedTable> ExportTable(const Viewer& viewer, const ExportRequest& request);

  // For a caring_parent: the (scope, child id) of their pairings at or below `subtree` with no
  // end date, and those pairings' ids.
  struct Own {
    std::vector<std::pair<std::string, std::string>> children;
    std::vector<crdt::RecordKey> pairings;
    bool Has(const crdt::RecordKey& key, const Fields& fields, std::string_view user) const;
  };
  Result<Own> OwnPairings(const Viewer& viewer, std::string_view subtree);

  store::Store& store_;
};

}  // namespace fulei::programme

#endif  // FULEI_PROGRAMME_READER_H_
