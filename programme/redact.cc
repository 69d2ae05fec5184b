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
    {Role::kCounsellor, "counsellor", "心理健康辅导师"},
    {Role::kCaringParent, "caring_parent", "爱心家长"},
    {Role::kAuditor, "auditor", "审计人员"},
};

constexpr Role kAllRoles[] = {Role::kVillageDirector, Role::kTownSupervisor, Role::kTownOffice,
                              Role::kCityBureau,      Role::kCounsellor,     Role::kCaringParent,
                              Role::kAuditor};

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

// The record types a caring_parent may see at all (their own pairings' only).
bool CaringParentType(std::string_view type) {
  return type == kChild || type == kPairing || type == kContact;
}

// What a caring_parent sees of a record of their own pairing.
bool CaringParentField(std::string_view type, const FieldSpec& spec) {
  if (type == kChild) return spec.name == "name" || spec.name == "gender";
  if (type == kPairing) return spec.sensitivity == Sensitivity::kPlain;
  return type == kContact;
}

// Who keeps user accounts: the town office for its town, the city bureau for the city.
bool UserAdmin(Role r) { return r == Role::kTownOffice || r == Role::kCityBureau; }

}  // namespace

bool MayReadAuditLog(Role role) {
  return role == Role::kCityBureau || role == Role::kTownOffice || role == Role::kTownSupervisor ||
         role == Role::kAuditor;
}

bool IsOwnUserRecord(const crdt::RecordKey& key, const Fields& fields, const Viewer& viewer) {
  if (key.type != kUser || !BoundToAUnit(viewer) || viewer.user.empty()) return false;
  if (key.scope != viewer.unit) return false;  // a person's account lives at their unit
  if (viewer.user == key.id) return true;
  // A caring parent's Viewer::user is their helper record id.
  return viewer.role == Role::kCaringParent && OneOr(fields, "helper") == viewer.user;
}

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

std::span<const Role> AllRoles() { return kAllRoles; }

Result<Role> ParseRole(std::string_view code) {
  for (const RoleName& r : kRoles) {
    if (r.code == code) return r.role;
  }
  if (code == "volunteer") return Role::kCaringParent;  // the former code
  return InvalidArgument("unknown role '" + std::string(code.substr(0, 40)) +
                         "' (expected director, supervisor, town_office, city_bureau, counsellor, "
                         "caring_parent or auditor) | 未知的角色");
}

bool IsCaseType(std::string_view type) {
  return type == kReport || type == kHelpRequest || type == kIntervention || type == kReferral ||
         type == kCounselling || type == kLegalConsultation;
}

bool MaySeeField(std::string_view type, const FieldSpec& spec, std::string_view scope,
                 const Viewer& viewer) {
  if (spec.secret || !BoundToAUnit(viewer)) return false;
  // User accounts: their keepers (the person themself: RedactRecord with `own`).
  if (type == kUser) return UserAdmin(viewer.role) && crdt::IsAtOrBelow(scope, viewer.unit);
  // The audit log, whole, to those who may read it.
  if (type == kAudit) return MayReadAuditLog(viewer.role) && crdt::IsAtOrBelow(scope, viewer.unit);
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
  if (!crdt::IsAtOrBelow(scope, viewer.unit)) return false;
  if (viewer.role == Role::kCounsellor) {
    // The counsellor's own records whole; the child's and the guardian's (to inform the
    // guardian) personal data, nothing restricted of them.
    if (type == kCounselling) return true;
    return (type == kChild || type == kGuardian) && spec.sensitivity == Sensitivity::kSensitive;
  }
  if (!Handler(viewer.role)) return false;
  // Session notes and assessments: the counsellor's only.
  return !(type == kCounselling && spec.sensitivity == Sensitivity::kRestricted);
}

bool MaySeeField(const FieldSpec& spec, std::string_view scope, const Viewer& viewer) {
  return MaySeeField("", spec, scope, viewer);
}

Status MaySeeRecord(std::string_view type, std::string_view scope, const Viewer& viewer) {
  const RecordTypeSpec* spec = FindRecordType(type);
  if (spec == nullptr) {
    return InvalidArgument("unknown record type '" + std::string(type.substr(0, 40)) +
                           "' | 未知的记录类型");
  }
  if (type == kUser) {
    // The keepers of the subtree's accounts; anyone else only at their own unit, where their own
    // account lives (RedactRecord then shows it only with `own`).
    if (BoundToAUnit(viewer) &&
        ((UserAdmin(viewer.role) && crdt::IsAtOrBelow(scope, viewer.unit)) ||
         scope == viewer.unit)) {
      return Status::Ok();
    }
    return PermissionDenied(std::string(RoleCode(viewer.role)) + " of '" + viewer.unit +
                            "' may not see user records of '" + std::string(scope) +
                            "' | 无权查看其他用户的账户");
  }
  if (type == kAudit) {
    // Its readers, for their subtree (the entries of a unit's own staff and of its villages).
    if (BoundToAUnit(viewer) && MayReadAuditLog(viewer.role) &&
        crdt::IsAtOrBelow(scope, viewer.unit)) {
      return Status::Ok();
    }
    return PermissionDenied(std::string(RoleCode(viewer.role)) + " of '" + viewer.unit +
                            "' may not read the audit log of '" + std::string(scope) +
                            "' | 无权查看该单位的审计日志");
  }
  if (viewer.role == Role::kCaringParent && !CaringParentType(type)) {
    return PermissionDenied("a caring parent sees only their own paired children, not " +
                            std::string(type) + " records | 爱心家长只能查看自己结对儿童的信息，" +
                            "无权查看" + std::string(spec->zh) + "记录");
  }
  if (viewer.role == Role::kCounsellor && IsCaseType(type) && type != kCounselling) {
    return PermissionDenied("a counsellor may not see " + std::string(type) + " records | " +
                            "心理健康辅导师无权查看" + std::string(spec->zh) + "记录");
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
                              const Viewer& viewer, bool own) {
  FULEI_RETURN_IF_ERROR(MaySeeRecord(type, scope, viewer));
  const RecordTypeSpec* spec = FindRecordType(type);
  if (type == kUser) {
    const bool keeper = UserAdmin(viewer.role) && crdt::IsAtOrBelow(scope, viewer.unit);
    if (!keeper && (!own || viewer.user.empty())) {
      return PermissionDenied(
          "only the town office, the city bureau and the person themself see "
          "a user account | 只有镇（街道）社会事务办、市民政局和本人可以查看用户账户");
    }
    Redacted out;
    for (const auto& [name, values] : fields) {
      const FieldSpec* f = spec->Find(name);
      if (f != nullptr && !f->secret) {
        out.fields.emplace(name, values);
      } else {
        out.hidden.push_back(name);
      }
    }
    return out;
  }
  const bool caring_parent = viewer.role == Role::kCaringParent;
  if (caring_parent && (!own || viewer.user.empty())) {
    return PermissionDenied("a caring parent sees only the records of their own pairings | " +
                            std::string("爱心家长只能查看自己结对儿童的") + std::string(spec->zh) +
                            "记录");
  }
  const bool below = crdt::IsAtOrBelow(scope, viewer.unit);
  Redacted out;
  for (const auto& [name, values] : fields) {
    const FieldSpec* f = spec->Find(name);
    bool shown = false;
    if (f == nullptr) {
      shown = false;
    } else if (caring_parent) {
      shown = CaringParentField(type, *f);
    } else if (below) {
      shown = MaySeeField(type, *f, scope, viewer);
    } else {
      // An ancestor's registry: plain fields for everyone below; handlers see the rest.
      shown = f->sensitivity == Sensitivity::kPlain || (!f->identity && Handler(viewer.role));
    }
    if (shown) {
      out.fields.emplace(name, values);
    } else {
      out.hidden.push_back(name);
    }
  }
  return out;
}

}  // namespace fulei::programme
