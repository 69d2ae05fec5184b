#include "programme/reader.h"

#include <optional>
#include <utility>

#include "crdt/org_unit.h"
#include "programme/export_xlsx.h"
#include "programme/records.h"
#include "programme/rules_family_care.h"
#include "programme/rules_study_aid.h"
#include "programme/schema.h"
#include "programme/scope.h"

namespace fulei::programme {
namespace {

struct Held {
  crdt::RecordKey key;
  Fields fields;
};

// The live records of `type` at or below `subtree` that `viewer` may see, unredacted: for the
// export builders, which redact every row themselves.
Result<std::vector<Held>> Collect(store::Store& store, const Viewer& viewer, std::string_view type,
                                  std::string_view subtree) {
  std::vector<Held> out;
  FULEI_RETURN_IF_ERROR(
      store.ForEach(type, subtree, [&](const crdt::RecordKey& key, const crdt::RecordState& state) {
        if (!MaySeeRecord(key.type, key.scope, viewer).ok()) return true;
        std::optional<Fields> fields = ReadFields(state);
        if (fields) out.push_back(Held{key, std::move(*fields)});
        return true;
      }));
  return out;
}

// The fields of record `key`, or nullopt when absent or deleted.
Result<std::optional<Fields>> Fetch(store::Store& store, const crdt::RecordKey& key) {
  FULEI_ASSIGN_OR_RETURN(std::optional<crdt::RecordState> state, store.Get(key));
  if (!state) return std::optional<Fields>();
  return ReadFields(*state);
}

// `scope`, then its owner unit (for an office scope), then each ancestor of that unit.
std::vector<std::string> ScopesUp(std::string_view scope) {
  std::vector<std::string> out{std::string(scope)};
  std::string_view unit = OwnerUnit(scope);
  if (unit != scope) out.emplace_back(unit);
  for (unit = crdt::ParentUnit(unit); !unit.empty(); unit = crdt::ParentUnit(unit)) {
    out.emplace_back(unit);
  }
  return out;
}

Status NotACaringParent(const Viewer& viewer) {
  if (viewer.role != Role::kCaringParent || viewer.user.empty()) {
    return PermissionDenied(
        "only a caring parent with a helper id has paired children | 仅爱心家长可查看结对儿童");
  }
  return Status::Ok();
}

}  // namespace

bool Reader::Own::Has(const crdt::RecordKey& key, const Fields& fields,
                      std::string_view user) const {
  auto paired = [&](std::string_view child) {
    for (const auto& [scope, id] : children) {
      if (scope == key.scope && id == child) return true;
    }
    return false;
  };
  if (key.type == kPairing) {
    for (const crdt::RecordKey& p : pairings) {
      if (p == key) return true;
    }
    return false;
  }
  if (key.type == kChild) return paired(key.id);
  if (key.type == kContact)
    return OneOr(fields, "helper") == user && paired(OneOr(fields, "child"));
  return false;
}

Result<Reader::Own> Reader::OwnPairings(const Viewer& viewer, std::string_view subtree) {
  Own own;
  if (viewer.role != Role::kCaringParent || viewer.user.empty()) return own;
  FULEI_RETURN_IF_ERROR(store_.ForEach(
      kPairing, subtree, [&](const crdt::RecordKey& key, const crdt::RecordState& state) {
        std::optional<Fields> f = ReadFields(state);
        if (f && OneOr(*f, "helper") == viewer.user && !One(*f, "end_date")) {
          own.children.emplace_back(key.scope, std::string(OneOr(*f, "child")));
          own.pairings.push_back(key);
        }
        return true;
      }));
  return own;
}

Result<ViewedRecord> Reader::Get(const Viewer& viewer, const crdt::RecordKey& key) {
  FULEI_RETURN_IF_ERROR(MaySeeRecord(key.type, key.scope, viewer));
  FULEI_ASSIGN_OR_RETURN(Own own, OwnPairings(viewer, key.scope));
  FULEI_ASSIGN_OR_RETURN(std::optional<Fields> fields, Fetch(store_, key));
  if (!fields) return NotFound("no record " + key.ToString() + " | 记录不存在");
  FULEI_ASSIGN_OR_RETURN(Redacted r, RedactRecord(key.type, key.scope, *fields, viewer,
                                                  own.Has(key, *fields, viewer.user)));
  return ViewedRecord{key, std::move(r.fields), std::move(r.hidden)};
}

Result<std::vector<PairedChild>> Reader::PairedChildren(const Viewer& viewer,
                                                        std::string_view subtree,
                                                        const Date& today) {
  FULEI_RETURN_IF_ERROR(NotACaringParent(viewer));
  if (!crdt::IsAtOrBelow(subtree, viewer.unit)) {
    return PermissionDenied("caring_parent of '" + viewer.unit + "' may not list pairings of '" +
                            std::string(subtree) + "' | 无权查看其他单位的结对");
  }
  std::vector<Pairing> pairings;
  FULEI_RETURN_IF_ERROR(store_.ForEach(
      kPairing, subtree, [&](const crdt::RecordKey& key, const crdt::RecordState& state) {
        std::optional<Fields> f = ReadFields(state);
        if (!f || OneOr(*f, "helper") != viewer.user) return true;
        auto p = ReadPairing(key.scope, key.id, *f);
        if (p.ok() && p->ActiveOn(today)) pairings.push_back(std::move(*p));
        return true;
      }));
  std::vector<Contact> contacts;
  FULEI_RETURN_IF_ERROR(store_.ForEach(
      kContact, subtree, [&](const crdt::RecordKey& key, const crdt::RecordState& state) {
        std::optional<Fields> f = ReadFields(state);
        if (!f || OneOr(*f, "helper") != viewer.user) return true;
        auto c = ReadContact(key.scope, key.id, *f);
        if (c.ok()) contacts.push_back(std::move(*c));
        return true;
      }));
  const std::vector<OverdueItem> overdue = FamilyCareOverdue(pairings, contacts, today);
  const int month = MonthIndex(today), quarter = QuarterIndex(today);
  std::vector<PairedChild> out;
  for (const Pairing& p : pairings) {
    PairedChild c;
    c.pairing = crdt::RecordKey{p.scope, std::string(kPairing), p.id};
    c.child = p.child;
    c.kind = p.kind;
    FULEI_ASSIGN_OR_RETURN(std::optional<Fields> child,
                           Fetch(store_, crdt::RecordKey{p.scope, std::string(kChild), p.child}));
    if (child) c.child_name = std::string(OneOr(*child, "name"));
    c.talk_due_by = MonthEnd(month);
    c.visit_due_by = QuarterEnd(quarter);
    for (const Contact& k : contacts) {
      if (k.scope != p.scope || k.child != p.child || k.date > today) continue;
      if (k.kind == "talk" && MonthIndex(k.date) == month) c.talk_done = true;
      if (k.kind == "home_visit" && QuarterIndex(k.date) == quarter) c.visit_done = true;
    }
    for (const OverdueItem& i : overdue) {
      if (i.pairing == p.id && i.scope == p.scope) c.overdue.push_back(i);
    }
    out.push_back(std::move(c));
  }
  return out;
}

Result<Listing> Reader::List(const Viewer& viewer, std::string_view type, std::string_view subtree,
                             const ListOptions& options) {
  if (FindRecordType(type) == nullptr) {
    return InvalidArgument("unknown record type '" + std::string(type.substr(0, 40)) +
                           "' | 未知的记录类型");
  }
  if (!crdt::IsAtOrBelow(subtree, viewer.unit) && !crdt::IsAtOrBelow(viewer.unit, subtree)) {
    return PermissionDenied(std::string(RoleCode(viewer.role)) + " of '" + viewer.unit +
                            "' may not list records of '" + std::string(subtree) +
                            "' | 无权查看其他单位的记录");
  }
  FULEI_ASSIGN_OR_RETURN(Own own, OwnPairings(viewer, subtree));
  const bool caring_parent = viewer.role == Role::kCaringParent;
  Listing out;
  Status inner;
  FULEI_RETURN_IF_ERROR(store_.ForEach(
      type, subtree, [&](const crdt::RecordKey& key, const crdt::RecordState& state) {
        if (!MaySeeRecord(key.type, key.scope, viewer).ok()) return true;
        std::optional<Fields> fields = ReadFields(state);
        if (!fields) return true;
        const bool mine = own.Has(key, *fields, viewer.user);
        if (caring_parent && !mine) return true;  // not theirs: left out without a trace
        auto r = RedactRecord(key.type, key.scope, *fields, viewer, mine);
        if (!r.ok()) {
          inner = r.status();
          return false;
        }
        ViewedRecord v{key, std::move(r->fields), std::move(r->hidden)};
        if (options.filter && !options.filter(v)) return true;
        if (options.limit != 0 && out.records.size() == options.limit) {
          out.truncated = true;
          return false;
        }
        out.records.push_back(std::move(v));
        return true;
      }));
  FULEI_RETURN_IF_ERROR(inner);
  return out;
}

Result<RedactedTable> Reader::ExportTable(const Viewer& viewer, const ExportRequest& request) {
  switch (request.kind) {
    case ExportKind::kChildren: {
      FULEI_ASSIGN_OR_RETURN(std::vector<Held> children,
                             Collect(store_, viewer, kChild, request.subtree));
      std::vector<ChildExportRow> rows;
      for (Held& h : children) {
        if (One(h.fields, "moved_to")) continue;  // a redirect: the new unit exports the child
        ChildExportRow row{h.key.scope, h.key.id, std::move(h.fields), std::nullopt};
        std::string_view guardian = OneOr(row.child, "entrusted_guardian");
        if (guardian.empty()) guardian = OneOr(row.child, "guardians");
        if (!guardian.empty()) {
          FULEI_ASSIGN_OR_RETURN(row.guardian,
                                 Fetch(store_, crdt::RecordKey{row.scope, std::string(kGuardian),
                                                               std::string(guardian)}));
        }
        rows.push_back(std::move(row));
      }
      return ChildrenTable(viewer, rows, request.units);
    }
    case ExportKind::kStudyAid: {
      FULEI_ASSIGN_OR_RETURN(std::vector<Held> held,
                             Collect(store_, viewer, kChild, request.subtree));
      std::vector<Child> children;
      for (const Held& h : held) {
        auto c = ReadChild(h.key.scope, h.key.id, h.fields);
        if (c.ok()) children.push_back(std::move(*c));  // an unreadable record is not listed
      }
      const std::vector<StudyAidCandidate> candidates =
          StudyAidSurvey(children, request.today, request.only_willing);
      return StudyAidTable(viewer, candidates, request.units);
    }
    case ExportKind::kFamilyCareOverdue: {
      FULEI_ASSIGN_OR_RETURN(std::vector<Held> held_pairings,
                             Collect(store_, viewer, kPairing, request.subtree));
      FULEI_ASSIGN_OR_RETURN(std::vector<Held> held_contacts,
                             Collect(store_, viewer, kContact, request.subtree));
      std::vector<Pairing> pairings;
      std::vector<Contact> contacts;
      for (const Held& h : held_pairings) {
        auto p = ReadPairing(h.key.scope, h.key.id, h.fields);
        if (p.ok()) pairings.push_back(std::move(*p));
      }
      for (const Held& h : held_contacts) {
        auto c = ReadContact(h.key.scope, h.key.id, h.fields);
        if (c.ok()) contacts.push_back(std::move(*c));
      }
      const std::vector<OverdueItem> items = FamilyCareOverdue(pairings, contacts, request.today);
      NamesById helpers, children;
      for (const OverdueItem& i : items) {
        if (!children.count(i.child)) {
          FULEI_ASSIGN_OR_RETURN(
              std::optional<Fields> f,
              Fetch(store_, crdt::RecordKey{i.scope, std::string(kChild), i.child}));
          if (f) children[i.child] = NamedRecord{i.scope, std::string(OneOr(*f, "name"))};
        }
        if (!helpers.count(i.helper)) {
          // The helper is registered in the pairing's scope, its unit or an ancestor.
          for (const std::string& s : ScopesUp(i.scope)) {
            FULEI_ASSIGN_OR_RETURN(
                std::optional<Fields> f,
                Fetch(store_, crdt::RecordKey{s, std::string(kHelper), i.helper}));
            if (f) {
              helpers[i.helper] = NamedRecord{s, std::string(OneOr(*f, "name"))};
              break;
            }
          }
        }
      }
      return OverdueTable(viewer, items, request.units, helpers, children);
    }
  }
  return InvalidArgument("unknown export kind");
}

Result<ExportSummary> Reader::Export(const Viewer& viewer, const ExportRequest& request,
                                     ExportFormat format, const std::string& path) {
  if (viewer.user.empty()) {
    return InvalidArgument("an export needs the viewer's user id (audit log) | 导出须记录用户");
  }
  if (viewer.role == Role::kCaringParent) {
    return PermissionDenied("a caring parent may not export records | 爱心家长无权导出记录");
  }
  if (!crdt::IsAtOrBelow(request.subtree, viewer.unit)) {
    return PermissionDenied(std::string(RoleCode(viewer.role)) + " of '" + viewer.unit +
                            "' may not export records of '" + request.subtree +
                            "' | 无权导出其他单位的记录");
  }
  FULEI_ASSIGN_OR_RETURN(RedactedTable table, ExportTable(viewer, request));
  const std::string_view format_name = format == ExportFormat::kCsv ? "csv" : "xlsx";
  std::string entry = "export\t" + FormatTime(request.now_s) + "\t" + viewer.user + "\t" +
                      std::string(RoleCode(viewer.role)) + "\t" + viewer.unit + "\t" +
                      std::string(ExportKindName(request.kind)) + "\t" + request.subtree + "\t" +
                      std::string(format_name) + "\t" + std::to_string(table.table().rows.size());
  FULEI_ASSIGN_OR_RETURN(uint64_t audit,
                         store_.AppendAudit(std::span<const std::string>(&entry, 1)));
  if (format == ExportFormat::kCsv) {
    FULEI_RETURN_IF_ERROR(WriteCsv(viewer, table, path, request.csv_mode));
  } else {
    FULEI_RETURN_IF_ERROR(WriteXlsx(viewer, std::span<const RedactedTable>(&table, 1), path));
  }
  return ExportSummary{table.table().rows.size(), audit};
}

std::string_view ExportKindName(ExportKind kind) {
  switch (kind) {
    case ExportKind::kChildren:
      return "children";
    case ExportKind::kStudyAid:
      return "study_aid";
    case ExportKind::kFamilyCareOverdue:
      return "family_care_overdue";
  }
  return "unknown";
}

std::optional<ExportKind> ParseExportKind(std::string_view name) {
  for (ExportKind k :
       {ExportKind::kChildren, ExportKind::kStudyAid, ExportKind::kFamilyCareOverdue}) {
    if (ExportKindName(k) == name) return k;
  }
  return std::nullopt;
}

}  // namespace fulei::programme
