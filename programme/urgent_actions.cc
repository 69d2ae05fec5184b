#include "programme/urgent_actions.h"

#include "crdt/org_unit.h"
#include "programme/fields.h"
#include "programme/schema.h"
#include "programme/validate.h"

namespace fulei::programme {
namespace {

// The case's fields, or the error for a non-case or missing record.
Result<Fields> CaseFields(const crdt::RecordKey& key, const crdt::RecordState& state) {
  if (key.type != kReport && key.type != kHelpRequest) {
    return InvalidArgument("'" + key.type.substr(0, 40) +
                           "' is not a report or help request | 不是强制报告或求助记录");
  }
  std::optional<Fields> f = state.has_ops() ? ReadFields(state) : std::nullopt;
  if (!f) {
    return NotFound(key.type + " " + key.id +
                    " does not exist or was deleted | 记录不存在或已删除");
  }
  return *std::move(f);
}

Status CheckUser(std::string_view user_id) {
  const FieldSpec* ref = FindRecordType(kReport)->Find("acknowledged_by");
  if (!ValidateValue(*ref, user_id, Date{}).ok()) {
    return InvalidArgument("user id '" + std::string(user_id.substr(0, 70)) +
                           "' is not a record id | 用户编号无效");
  }
  return Status::Ok();
}

}  // namespace

Result<store::LocalChange> AcknowledgeCase(const crdt::RecordKey& key,
                                           const crdt::RecordState& state, const Viewer& by,
                                           std::string_view user_id, int64_t now_s) {
  FULEI_ASSIGN_OR_RETURN(Fields f, CaseFields(key, state));
  FULEI_RETURN_IF_ERROR(CheckUser(user_id));
  const bool town = by.role == Role::kTownSupervisor || by.role == Role::kTownOffice;
  if (!((town || by.role == Role::kCityBureau) && crdt::IsAtOrBelow(key.scope, by.unit))) {
    return PermissionDenied(std::string(RoleCode(by.role)) + " of " + by.unit +
                            " may not acknowledge a case of " + key.scope +
                            " (the supervisor or office of its town, or the city bureau, may) | "
                            "仅所属镇（街道）儿童督导员、社会事务办或市民政局可确认接收");
  }
  if (OneOr(f, "status") == "closed") {
    return FailedPrecondition(key.type + " " + key.id + " is closed | 该案件已办结");
  }
  for (const std::string& entry : All(f, "acks")) {
    const size_t tab = entry.find('\t');
    const size_t tab2 = tab == std::string::npos ? tab : entry.find('\t', tab + 1);
    if (tab2 != std::string::npos && entry.substr(tab + 1, tab2 - tab - 1) == user_id) {
      return AlreadyExists(std::string(user_id) + " already acknowledged " + key.id + " at " +
                           entry.substr(0, tab) + " | 您已于 " + entry.substr(0, tab) +
                           " 确认接收");
    }
  }
  const std::string entry =
      FormatTime(now_s) + "\t" + std::string(user_id) + "\t" + std::string(by.unit);
  const FieldSpec* acks = FindRecordType(key.type)->Find("acks");
  if (Status s = ValidateValue(*acks, entry, DateAt(now_s), ValidateOptions{now_s}); !s.ok()) {
    return InvalidArgument(key.type + ".acks: " + s.message() + " | 接收确认格式不正确");
  }
  return store::LocalChange{
      key, {crdt::AppendWrite("acks", entry)}, std::string(user_id), crdt::kOpFlagUrgent};
}

Result<store::LocalChange> AppendCaseStep(const crdt::RecordKey& key,
                                          const crdt::RecordState& state, const CaseStep& step,
                                          const Viewer& by, std::string_view user_id,
                                          int64_t now_s) {
  FULEI_RETURN_IF_ERROR(CaseFields(key, state).status());
  FULEI_RETURN_IF_ERROR(CheckUser(user_id));
  const FieldSpec* spec = FindRecordType(key.type)->Find(step.log);
  if (spec == nullptr || spec->type != ValueType::kStep) {
    return InvalidArgument(
        key.type + "." + step.log.substr(0, 64) + ": not a step log (emergency_steps" +
        (key.type == kReport ? ", guardianship_steps" : "") + ") | 不是处置记录字段");
  }
  if (!(by.role != Role::kVolunteer && by.role != Role::kAuditor &&
        MaySeeField(*spec, key.scope, by))) {
    return PermissionDenied(std::string(RoleCode(by.role)) + " of " + by.unit +
                            " may not record steps of a case of " + key.scope +
                            " | 无权记录该案件的处置情况");
  }
  const std::string entry =
      FormatTime(step.at) + "\t" + step.who + "\t" + step.action + "\t" + step.note;
  ValidateOptions options;
  options.now_s = now_s;
  if (Status s = ValidateValue(*spec, entry, DateAt(now_s), options); !s.ok()) {
    return InvalidArgument(key.type + "." + step.log + ": " + s.message() + " | " +
                           std::string(spec->zh) + "：格式不正确（时间⇥处置人⇥处置类型⇥说明，" +
                           "时间不晚于当前时间）");
  }
  return store::LocalChange{
      key, {crdt::AppendWrite(step.log, entry)}, std::string(user_id), crdt::kOpFlagUrgent};
}

}  // namespace fulei::programme
