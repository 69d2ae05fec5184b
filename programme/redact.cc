#include "programme/redact.h"

#include "crdt/org_unit.h"
#include "programme/scope.h"

namespace fulei::programme {
namespace {

struct RoleName {
  Role role;
  std::string_view code;
  std::string_view zh;
};

constexpr RoleName kRoles[] = {
    {Role::kVillageDirector, "director", "儿童主任"},
    {Role::kTownSupervisor, "supervisor", "儿童督导员"},
    {Role::kTownOffice, "town_office", "镇（街道）社会事务办"},
    {Role::kCityBureau, "city_bureau", "市民政局"},
    {Role::kVolunteer, "volunteer", "志愿者"},
    {Role::kAuditor, "auditor", "审计人员"},
};

// A viewer bound to a real unit: not empty (crdt::IsAtOrBelow grants nothing then) and with no
// '~' segment (an office scope is where records live, never where a person sits).
bool BoundToAUnit(const Viewer& v) {
  return !v.unit.empty() && v.unit.find('~') == std::string::npos;
}

// Case handlers: see sensitive and restricted fields of records in their subtree.
bool Handler(Role r) {
  return r == Role::kVillageDirector || r == Role::kTownSupervisor || r == Role::kTownOffice ||
         r == Role::kCityBureau;
}

}  // namespace

std::string_view RoleCode(Role role) {
  for (const RoleName& r : kRoles) {
    if (r.role == role) return r.code;
  }
  return "";
}

std::string_view RoleZh(Role role) {
  for (const RoleName& r : kRoles) {
    if (r.role == role) return r.zh;
  }
  return "";
}

Result<Role> ParseRole(std::string_view code) {
  for (const RoleName& r : kRoles) {
    if (r.code == code) return r.role;
  }
  return InvalidArgument("unknown role '" + std::string(code.substr(0, 40)) +
                         "' (expected director, supervisor, town_office, city_bureau, volunteer "
                         "or auditor) | 未知的角色");
}

bool IsCaseType(std::string_view type) {
  return type == kReport || type == kHelpRequest || type == kIntervention || type == kReferral ||
         type == kCounselling;
}

bool MaySeeField(const FieldSpec& spec, std::string_view scope, const Viewer& viewer) {
  if (!BoundToAUnit(viewer)) return false;
  if (spec.identity) {
    switch (viewer.role) {
      case Role::kTownSupervisor:
      case Role::kCityBureau:
        return crdt::IsAtOrBelow(scope, viewer.unit);
      case Role::kVillageDirector:
        return OwnerUnit(scope) == viewer.unit;  // the unit where the report was filed
      default:
        return false;
    }
  }
  if (spec.sensitivity == Sensitivity::kPlain) return true;
  return Handler(viewer.role) && crdt::IsAtOrBelow(scope, viewer.unit);
}

Status MaySeeRecord(std::string_view type, std::string_view scope, const Viewer& viewer) {
  const RecordTypeSpec* spec = FindRecordType(type);
  if (spec == nullptr) {
    return InvalidArgument("unknown record type '" + std::string(type.substr(0, 40)) +
                           "' | 未知的记录类型");
  }
  if (IsCaseType(type) && viewer.role == Role::kVolunteer) {
    return PermissionDenied("a volunteer may not see " + std::string(type) + " records | " +
                            "志愿者无权查看" + std::string(spec->zh) + "记录");
  }
  const bool below = BoundToAUnit(viewer) && crdt::IsAtOrBelow(scope, viewer.unit);
  // An ancestor's own registry (never its office-only records, wherever they were written).
  const bool ancestor_registry =
      BoundToAUnit(viewer) && !spec->office_only && crdt::IsAtOrBelow(viewer.unit, scope);
  if (!below && !ancestor_registry) {
    return PermissionDenied(std::string(RoleCode(viewer.role)) + " of '" + viewer.unit +
                            "' may not see " + std::string(type) + " records of '" +
                            std::string(scope) + "' | 无权查看其他单位的" + std::string(spec->zh) +
                            "记录");
  }
  return Status::Ok();
}

Result<Redacted> RedactRecord(std::string_view type, std::string_view scope, const Fields& fields,
                              const Viewer& viewer) {
  FULEI_RETURN_IF_ERROR(MaySeeRecord(type, scope, viewer));
  const RecordTypeSpec* spec = FindRecordType(type);
  const bool below = crdt::IsAtOrBelow(scope, viewer.unit);
  Redacted out;
  for (const auto& [name, values] : fields) {
    const FieldSpec* f = spec->Find(name);
    // An ancestor's registry: plain fields for everyone below; handlers see the rest.
    if (f != nullptr && (below ? MaySeeField(*f, scope, viewer)
                               : (f->sensitivity == Sensitivity::kPlain ||
                                  (!f->identity && Handler(viewer.role))))) {
      out.fields.emplace(name, values);
    } else {
      out.hidden.push_back(name);
    }
  }
  return out;
}

}  // namespace fulei::programme
