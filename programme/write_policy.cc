#include "programme/write_policy.h"

#include <cstdint>
#include <limits>

#include "crdt/org_unit.h"
#include "programme/schema.h"
#include "programme/scope.h"
#include "programme/users.h"

namespace fulei::programme {
namespace {

// "中文 / English".
std::string Both(std::string_view zh, std::string_view en) {
  std::string out(zh);
  out += " / ";
  out += en;
  return out;
}

bool BoundToAUnit(const Viewer& v) {
  return !v.unit.empty() && v.unit.find('~') == std::string::npos;
}

std::string_view TypeZh(std::string_view type) {
  const RecordTypeSpec* spec = FindRecordType(type);
  return spec != nullptr ? spec->zh : type;
}

std::string Who(const Viewer& w) { return std::string(RoleCode(w.role)) + " of '" + w.unit + "'"; }

// ValidateRecord's "English | 中文" as "中文 / English".
Status Reordered(const Status& s) {
  const std::string_view m = s.message();
  const size_t bar = m.find(" | ");
  if (bar == std::string_view::npos) return s;
  return Status(s.code(), Both(m.substr(bar + 3), m.substr(0, bar)));
}

// The unit level a role is bound to; nullopt for the roles found at any level.
std::optional<UnitLevel> LevelOfRole(Role role) {
  switch (role) {
    case Role::kVillageDirector:
      return UnitLevel::kVillage;
    case Role::kTownSupervisor:
    case Role::kTownOffice:
      return UnitLevel::kTown;
    case Role::kCityBureau:
      return UnitLevel::kCity;
    case Role::kCounsellor:
    case Role::kCaringParent:
    case Role::kAuditor:
      return std::nullopt;
  }
  return std::nullopt;
}

// The rules of a user record beyond the schema: where it lives, its id, its role's level and a
// login held by no other account. REQUIRES: the record validates (ValidateRecord).
Status CheckUserRecord(const crdt::RecordKey& key, const Fields& record,
                       const WriteContext& context) {
  const std::string_view login = OneOr(record, "login");
  const std::string_view unit = OneOr(record, "unit");
  if (unit != key.scope) {
    return InvalidArgument(Both("用户记录应保存在其所在单位" + std::string(unit),
                                "a user of '" + std::string(unit) + "' belongs in scope '" +
                                    std::string(unit) + "', not '" + key.scope + "'"));
  }
  if (key.id != UserId(login)) {
    return InvalidArgument(Both("用户记录编号与登录名不符（登录名不能修改）",
                                "user record id '" + key.id + "' is not the id of login '" +
                                    std::string(login) + "' (" + UserId(login) +
                                    "); a login cannot change"));
  }
  auto role = ParseRole(OneOr(record, "role"));
  if (!role.ok()) return InvalidArgument(Both("未知的角色", std::string(role.status().message())));
  const std::optional<UnitLevel> wanted = LevelOfRole(*role);
  const UnitLevel level = context.level ? context.level(unit) : LevelByDepth(unit);
  if (wanted && *wanted != level) {
    static constexpr std::string_view kLevelZh[] = {"村（社区）", "镇（街道）", "市"};
    static constexpr std::string_view kLevelEn[] = {"a village", "a town", "the city"};
    return InvalidArgument(Both(std::string(RoleZh(*role)) + "应属于" +
                                    std::string(kLevelZh[static_cast<size_t>(*wanted)]) + "单位",
                                "a " + std::string(RoleCode(*role)) + " belongs to " +
                                    std::string(kLevelEn[static_cast<size_t>(*wanted)]) +
                                    ", not '" + std::string(unit) + "'"));
  }
  if (context.login_taken && context.login_taken(login, key)) {
    return AlreadyExists(Both("登录名" + std::string(login) + "已被其他用户使用",
                              "login '" + std::string(login) + "' is held by another user"));
  }
  return Status::Ok();
}

// Whether `writes` change only the password of the writer's own user account `current`.
bool OwnPasswordChange(const Viewer& writer, const crdt::RecordKey& key, const Fields& current,
                       std::span<const crdt::FieldWrite> writes) {
  if (!IsOwnUserRecord(key, current, writer) || writes.empty()) return false;
  for (const crdt::FieldWrite& w : writes) {
    if (w.kind != crdt::WriteKind::kSet ||
        (w.field != "password_hash" && w.field != "password_changed_at")) {
      return false;
    }
  }
  return true;
}

}  // namespace

bool RoleMayWrite(Role role, std::string_view type) {
  if (FindRecordType(type) == nullptr) return false;
  // Issue 15's records: inspections and their corrections by the city and the towns (a town for
  // its villages: the scope check below); funds by the offices; facilities and posts also by the
  // town's supervisor.
  if (type == kInspection || type == kCorrection || type == kFund) {
    return role == Role::kTownOffice || role == Role::kCityBureau;
  }
  // User accounts: the town office for its town, the city bureau for the city (a person's own
  // password: CheckChange).
  if (type == kUser) return role == Role::kTownOffice || role == Role::kCityBureau;
  // The audit log is written by the nodes themselves (NodeCore::ShipAudit), never by a person.
  if (type == kAudit) return false;
  if (type == kFacility || type == kStaffPost) {
    return role == Role::kTownSupervisor || role == Role::kTownOffice || role == Role::kCityBureau;
  }
  switch (role) {
    case Role::kAuditor:
      return false;
    case Role::kCaringParent:
      return type == kContact;
    case Role::kCounsellor:
      return type == kCounselling || type == kReport || type == kHelpRequest;
    case Role::kVillageDirector:
      if (type == kTraining || type == kOrganisation || type == kMeeting) return false;
      [[fallthrough]];
    case Role::kTownSupervisor:
    case Role::kTownOffice:
    case Role::kCityBureau:
      return type != kCounselling;
  }
  return false;
}

UnitLevel LevelByDepth(std::string_view unit) {
  size_t segments = unit.empty() ? 0 : 1;
  for (char c : unit) segments += c == '/' ? 1 : 0;
  if (segments <= 1) return UnitLevel::kCity;
  if (segments == 2) return UnitLevel::kTown;
  return UnitLevel::kVillage;
}

Status CheckWriteKey(const Viewer& writer, const crdt::RecordKey& key,
                     const WriteContext& context) {
  if (FindRecordType(key.type) == nullptr) {
    return InvalidArgument(Both(
        "未知的记录类型", "unknown record type '" + std::string(key.type.substr(0, 40)) + "'"));
  }
  if (!BoundToAUnit(writer)) {
    return PermissionDenied(
        Both("未绑定单位的用户不能写入记录", "a writer bound to no unit may not write records"));
  }
  if (!RoleMayWrite(writer.role, key.type)) {
    return PermissionDenied(
        Both(std::string(RoleZh(writer.role)) + "无权填写" + std::string(TypeZh(key.type)) + "记录",
             Who(writer) + " may not write " + key.type + " records"));
  }
  if (!crdt::IsAtOrBelow(key.scope, writer.unit)) {
    return PermissionDenied(
        Both("无权填写其他单位的" + std::string(TypeZh(key.type)) + "记录",
             Who(writer) + " may not write " + key.type + " records of '" + key.scope + "'"));
  }
  const std::string_view owner = OwnerUnit(key.scope);
  const UnitLevel level = context.level ? context.level(owner) : LevelByDepth(owner);
  const std::string expected = RecordScope(key.type, owner, level);
  if (key.scope != expected) {
    return InvalidArgument(Both(std::string(TypeZh(key.type)) + "记录应保存在" + expected,
                                key.type + " records of '" + std::string(owner) + "' belong in '" +
                                    expected + "', not '" + key.scope + "'"));
  }
  return Status::Ok();
}

Status CheckWrite(const Viewer& writer, const crdt::RecordKey& key, const Fields& record,
                  const Date& today, const WriteContext& context) {
  FULEI_RETURN_IF_ERROR(CheckWriteKey(writer, key, context));
  if (writer.role == Role::kCaringParent) {
    const std::string_view helper = OneOr(record, "helper");
    const std::string_view child = OneOr(record, "child");
    if (writer.user.empty() || helper != writer.user || child.empty() || !context.paired ||
        !context.paired(key.scope, helper, child)) {
      return PermissionDenied(
          Both("爱心家长只能填写自己结对儿童的联系记录",
               "a caring parent may write only contacts of their own pairings"));
    }
  }
  Status valid = ValidateRecord(key.type, record, today, context.validate);
  if (!valid.ok()) return Reordered(valid);
  if (key.type == kUser) return CheckUserRecord(key, record, context);  // its own unit rule
  // A record about a unit (the unit inspected, to correct, funded, of a post or a facility)
  // names one at or below the unit holding it: a town office writes of its villages, never of
  // another town (the counters count such a record where it is held: aggregate.cc).
  if (const std::string_view unit = OneOr(record, "unit");
      !unit.empty() && !crdt::IsAtOrBelow(unit, OwnerUnit(key.scope))) {
    return PermissionDenied(Both("记录所涉单位 " + std::string(unit) + " 不在 " +
                                     std::string(OwnerUnit(key.scope)) + " 之下",
                                 "the unit " + std::string(unit) + " this record is about is not " +
                                     std::string(OwnerUnit(key.scope)) + " or below it"));
  }
  return Status::Ok();
}

Status CheckDelete(const Viewer& writer, const crdt::RecordKey& key, const WriteContext& context) {
  FULEI_RETURN_IF_ERROR(CheckWriteKey(writer, key, context));
  if (writer.role == Role::kCaringParent) {
    return PermissionDenied(
        Both("爱心家长不能删除或恢复记录", "a caring parent may not delete or restore records"));
  }
  return Status::Ok();
}

Result<Proposed> ProposeRecord(const std::optional<crdt::RecordState>& current,
                               const crdt::RecordKey& key,
                               std::span<const crdt::FieldWrite> writes) {
  Proposed out;
  if (current) out.state = *current;
  crdt::Op op;
  op.origin = std::numeric_limits<crdt::NodeId>::max();
  op.seq = 1;
  // Later than anything held, so that every write takes effect as it will for a reader.
  op.stamp = crdt::Stamp{std::numeric_limits<uint64_t>::max() / 2, 0};
  op.key = key;
  for (const crdt::FieldWrite& w : writes) {
    if (!w.field.empty() && w.field[0] == '$') {
      if (w.field != crdt::kDeletedField) {
        return InvalidArgument(
            Both("不能写入系统保留字段", "field '" + w.field.substr(0, 40) + "' is reserved"));
      }
      out.deleting = out.deleting || w.kind == crdt::WriteKind::kAdd;
      out.restoring = out.restoring || w.kind == crdt::WriteKind::kRemove;
    }
    op.writes.push_back(w);
  }
  Status shape = crdt::ValidateOp(op);
  if (!shape.ok()) {
    return InvalidArgument(Both("写入格式不正确", std::string(shape.message())));
  }
  out.state.Apply(op);
  return out;
}

Result<crdt::RecordState> CheckChange(const Viewer& writer, const crdt::RecordKey& key,
                                      const std::optional<crdt::RecordState>& current,
                                      std::span<const crdt::FieldWrite> writes, const Date& today,
                                      const WriteContext& context) {
  FULEI_ASSIGN_OR_RETURN(Proposed p, ProposeRecord(current, key, writes));
  if (p.deleting || p.restoring) {
    FULEI_RETURN_IF_ERROR(CheckDelete(writer, key, context));
  }
  std::optional<Fields> fields = ReadFields(p.state);
  // A person who may not keep user accounts changes their own password, and nothing else.
  std::optional<Fields> before = current ? ReadFields(*current) : std::nullopt;
  // Entries already stored are held to the rules they were written under (validate.h
  // ValidateOptions::stored); what this write adds, to today's (the loop at the end).
  WriteContext checked = context;
  checked.validate.stored = before ? &*before : nullptr;
  if (key.type == kUser && !RoleMayWrite(writer.role, kUser) && before &&
      IsOwnUserRecord(key, *before, writer)) {
    if (!OwnPasswordChange(writer, key, *before, writes) || !fields) {
      return PermissionDenied(
          Both("只能修改自己的密码", Who(writer) + " may change only their own password"));
    }
    if (OneOr(*before, "disabled") == "true") {
      return PermissionDenied(
          Both("账户已停用，不能修改密码", "a disabled account cannot change its password"));
    }
    Status valid = ValidateRecord(key.type, *fields, today, checked.validate);
    if (!valid.ok()) return Reordered(valid);
    WriteContext unchanged_login = checked;  // only the password changes
    unchanged_login.login_taken = nullptr;
    FULEI_RETURN_IF_ERROR(CheckUserRecord(key, *fields, unchanged_login));
  } else if (!fields) {
    // Deleted (and staying so): nothing to validate.
    FULEI_RETURN_IF_ERROR(CheckWriteKey(writer, key, checked));
  } else {
    FULEI_RETURN_IF_ERROR(CheckWrite(writer, key, *fields, today, checked));
  }
  // Then every value written, each on its own (the whole record said why first, when it could):
  // a write that does not supersede the stored value leaves a conflict whose reading winner may
  // be the old value, and the new one must be valid all the same.
  const RecordTypeSpec* spec = FindRecordType(key.type);
  for (const crdt::FieldWrite& w : writes) {
    if (w.field == crdt::kDeletedField || w.kind == crdt::WriteKind::kRemove) continue;
    const FieldSpec* f = spec->Find(w.field);
    if (f == nullptr) {
      return InvalidArgument(
          Both("未知的字段", key.type + "." + w.field.substr(0, 40) + ": unknown field"));
    }
    Status v = ValidateValue(*f, w.value, today, context.validate);
    if (!v.ok()) {
      return Status(v.code(), Both(std::string(f->zh) + "：取值无效",
                                   key.type + "." + w.field + ": " + v.message()));
    }
  }
  return std::move(p.state);
}

}  // namespace fulei::programme
