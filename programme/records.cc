#include "programme/records.h"

#include <algorithm>

#include "programme/schema.h"
#include "programme/validate.h"

namespace fulei::programme {
namespace {

Result<std::string_view> Need(std::string_view type, const Fields& f, std::string_view name) {
  auto v = One(f, name);
  if (!v) return InvalidArgument(std::string(type) + "." + std::string(name) + ": is required");
  return *v;
}

Result<Date> NeedDate(std::string_view type, const Fields& f, std::string_view name) {
  FULEI_ASSIGN_OR_RETURN(std::string_view v, Need(type, f, name));
  auto d = ParseDate(v);
  if (!d.ok()) {
    return InvalidArgument(std::string(type) + "." + std::string(name) + ": " +
                           d.status().message());
  }
  return *d;
}

Result<std::optional<Date>> MaybeDate(std::string_view type, const Fields& f,
                                      std::string_view name) {
  if (!One(f, name)) return std::optional<Date>();
  FULEI_ASSIGN_OR_RETURN(Date d, NeedDate(type, f, name));
  return std::optional<Date>(d);
}

// A required enum field: present and one of its schema codes.
Result<std::string_view> NeedEnum(std::string_view type, const Fields& f, std::string_view name) {
  FULEI_ASSIGN_OR_RETURN(std::string_view v, Need(type, f, name));
  const FieldSpec* spec = FindRecordType(type)->Find(name);
  if (FindEnum(spec->enum_values, v) == nullptr) {
    return InvalidArgument(std::string(type) + "." + std::string(name) + ": unknown value '" +
                           std::string(v.substr(0, 40)) + "'");
  }
  return v;
}

}  // namespace

bool KnownEnumValue(std::string_view type, std::string_view field, std::string_view value) {
  const RecordTypeSpec* t = FindRecordType(type);
  const FieldSpec* f = t ? t->Find(field) : nullptr;
  return f != nullptr && f->type == ValueType::kEnum && FindEnum(f->enum_values, value) != nullptr;
}

Result<Child> ReadChild(std::string_view scope, std::string_view id, const Fields& f) {
  Child c;
  c.scope = scope;
  c.id = id;
  c.name = OneOr(f, "name");
  FULEI_ASSIGN_OR_RETURN(std::string_view gender, Need("child", f, "gender"));
  if (gender != "male" && gender != "female") {
    return InvalidArgument("child.gender: unknown value '" + std::string(gender) + "'");
  }
  c.gender = gender == "male" ? Gender::kMale : Gender::kFemale;
  FULEI_ASSIGN_OR_RETURN(c.birth, NeedDate("child", f, "birth_date"));
  if (auto idn = One(f, "id_number")) {
    auto info = ParseIdNumber(*idn);
    c.id_number = info.ok() ? info->normalised : std::string(*idn);
  }
  FULEI_ASSIGN_OR_RETURN(std::string_view category, NeedEnum("child", f, "category"));
  c.category = category;
  c.school_level = OneOr(f, "school_level");
  c.schooling_completed = OneOr(f, "schooling_completed");
  c.study_aid_wish = OneOr(f, "study_aid_wish");
  c.programme_status = OneOr(f, "programme_status");
  c.moved_to = OneOr(f, "moved_to");
  return c;
}

Result<Pairing> ReadPairing(std::string_view scope, std::string_view id, const Fields& f) {
  Pairing p;
  p.scope = scope;
  p.id = id;
  FULEI_ASSIGN_OR_RETURN(std::string_view helper, Need("pairing", f, "helper"));
  FULEI_ASSIGN_OR_RETURN(std::string_view child, Need("pairing", f, "child"));
  FULEI_ASSIGN_OR_RETURN(std::string_view kind, NeedEnum("pairing", f, "kind"));
  p.helper = helper;
  p.child = child;
  p.kind = kind;
  FULEI_ASSIGN_OR_RETURN(p.start, NeedDate("pairing", f, "start_date"));
  FULEI_ASSIGN_OR_RETURN(p.end, MaybeDate("pairing", f, "end_date"));
  return p;
}

Result<Contact> ReadContact(std::string_view scope, std::string_view id, const Fields& f) {
  Contact c;
  c.scope = scope;
  c.id = id;
  FULEI_ASSIGN_OR_RETURN(std::string_view kind, NeedEnum("contact", f, "kind"));
  FULEI_ASSIGN_OR_RETURN(std::string_view child, Need("contact", f, "child"));
  FULEI_ASSIGN_OR_RETURN(std::string_view helper, Need("contact", f, "helper"));
  c.kind = kind;
  c.child = child;
  c.helper = helper;
  FULEI_ASSIGN_OR_RETURN(c.date, NeedDate("contact", f, "date"));
  return c;
}

Result<Activity> ReadActivity(std::string_view scope, std::string_view id, const Fields& f) {
  Activity a;
  a.scope = scope;
  a.id = id;
  FULEI_ASSIGN_OR_RETURN(std::string_view kind, NeedEnum("activity", f, "kind"));
  a.kind = kind;
  FULEI_ASSIGN_OR_RETURN(a.start, NeedDate("activity", f, "start_date"));
  FULEI_ASSIGN_OR_RETURN(a.end, NeedDate("activity", f, "end_date"));
  if (a.end < a.start) return InvalidArgument("activity.end_date: is before start_date");
  if (auto n = One(f, "attendance")) {
    auto v = ParseInt(*n);
    if (!v.ok()) return InvalidArgument("activity.attendance: " + v.status().message());
    a.attendance = *v;
  }
  return a;
}

Result<UrgentCase> ReadUrgentCase(std::string_view scope, std::string_view type,
                                  std::string_view id, const Fields& f,
                                  const UrgentDeadlines& deadlines) {
  UrgentCase u;
  u.scope = scope;
  u.type = type;
  u.id = id;
  const std::string t(type);
  FULEI_ASSIGN_OR_RETURN(std::string_view reported, Need(type, f, "reported_at"));
  auto r = ParseTime(reported);
  if (!r.ok()) return InvalidArgument(t + ".reported_at: " + r.status().message());
  u.reported_at = *r;
  u.deadline_minutes = deadlines.For(type);
  if (auto d = One(f, "ack_deadline_minutes")) {
    auto v = ParseInt(*d);
    if (!v.ok() || *v < 1)
      return InvalidArgument(t + ".ack_deadline_minutes: not a positive integer");
    u.deadline_minutes = std::min(u.deadline_minutes, *v);
  }
  if (auto a = One(f, "acknowledged_at")) {
    auto v = ParseTime(*a);
    if (!v.ok()) return InvalidArgument(t + ".acknowledged_at: " + v.status().message());
    u.acknowledged_at = *v;
    u.acknowledged_by = OneOr(f, "acknowledged_by");
  }
  for (const std::string& entry : All(f, "acks")) {  // "time<TAB>user<TAB>unit"
    const size_t tab = entry.find('\t');
    if (tab == std::string::npos) continue;
    auto v = ParseTime(std::string_view(entry).substr(0, tab));
    if (!v.ok()) continue;
    if (!u.acknowledged_at || *v < *u.acknowledged_at) {
      u.acknowledged_at = *v;
      const size_t tab2 = entry.find('\t', tab + 1);
      u.acknowledged_by = entry.substr(tab + 1, tab2 == std::string::npos ? tab2 : tab2 - tab - 1);
    }
  }
  u.closed = OneOr(f, "status") == "closed";
  if (auto e = One(f, "escalated_at")) {
    auto v = ParseTime(*e);
    if (!v.ok()) return InvalidArgument(t + ".escalated_at: " + v.status().message());
    u.escalated_at = *v;
  }
  return u;
}

}  // namespace fulei::programme
