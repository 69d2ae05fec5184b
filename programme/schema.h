// The programme's record types: the ten works of 福蕾行动计划 as typed fields with Chinese and
// English labels, requiredness and sensitivity. See docs/programme.md for every field.
//
// A record (crdt/record.h) maps field names to bytes; this schema says how the bytes of each field
// are encoded (ValueType), which CRDT shape the field has (FieldShape: a register written with
// kSet, a set written with kAdd/kRemove, or a log written with kAppend), whether it must be
// present, and how sensitive it is:
//   kPlain      stored unsealed; may appear in index keys only if it is not personal (categories,
//               dates, record ids).
//   kSensitive  personal data: sealed at rest, never in an index key or value.
//   kRestricted sensitive and shown only to the roles that need it (counsellors, case handlers).
// A field marked `identity` (who reported a case or asked for help) is restricted further: only
// the roles in redact.h's table see it. The tables are the record formats: docs/programme.md.
//
// The tables are compile-time constants (no registry, nothing mutable). Views returned here point
// into static storage and live for the whole program. Thread-safe.
#ifndef FULEI_PROGRAMME_SCHEMA_H_
#define FULEI_PROGRAMME_SCHEMA_H_

#include <cstdint>
#include <span>
#include <string_view>

namespace fulei::programme {

enum class ValueType : uint8_t {
  kText,        // UTF-8, one line, at most max_len bytes
  kLongText,    // UTF-8, newlines allowed, at most max_len bytes
  kDate,        // "YYYY-MM-DD"
  kTime,        // "YYYY-MM-DDTHH:MM:SSZ" (UTC)
  kEnum,        // one of the field's code names
  kInt,         // decimal integer in [min, max]
  kMoney,       // yuan, decimal with at most two places: "120", "35.50"
  kBool,        // "true" or "false"
  kRef,         // a record id: 1..64 of [A-Za-z0-9._:-]
  kIdNumber,    // 居民身份证号, GB 11643 (programme/id_number.h)
  kPhone,       // 5..20 of [0-9+-]
  kUnitPath,    // an org unit path: "jinjiang/cizao/v012"
  kAssistance,  // one assistance-given entry: "YYYY-MM-DD\tkind\tamount\tnote"
  kStep,  // one handling step: "YYYY-MM-DDTHH:MM:SSZ\twho\taction\tnote" (action: enum_values)
  kAck,   // one acknowledgement: "YYYY-MM-DDTHH:MM:SSZ\tuser id\tunit path"
};

enum class FieldShape : uint8_t {
  kRegister,  // one value (multi-value register; WriteKind::kSet)
  kSet,       // any number of distinct elements (observed-remove set; kAdd / kRemove)
  kLog,       // append-only entries (WriteKind::kAppend)
};

enum class Sensitivity : uint8_t { kPlain, kSensitive, kRestricted };

struct EnumValue {
  std::string_view code;
  std::string_view zh;
  std::string_view en;
};

struct FieldSpec {
  std::string_view name;
  ValueType type = ValueType::kText;
  FieldShape shape = FieldShape::kRegister;
  bool required = false;
  Sensitivity sensitivity = Sensitivity::kPlain;
  std::string_view zh;
  std::string_view en;
  std::span<const EnumValue> enum_values = {};  // kEnum only
  int64_t min = 0;                              // kInt: smallest value
  int64_t max = 0;          // kInt: largest value; kText/kLongText: max bytes (0 = default)
  bool not_future = false;  // kDate/kTime: may not be after the current date
  // Identifies the person who reported or asked for help (reporter_name, ...): shown only to the
  // roles redact.h allows. Such fields are also kRestricted.
  bool identity = false;
  // A secret no person is ever shown and no export carries (the password hash of a user
  // record): redact.h hides it from every viewer, whatever the role. Also kRestricted.
  bool secret = false;
};

struct RecordTypeSpec {
  std::string_view name;
  std::string_view zh;
  std::string_view en;
  std::span<const FieldSpec> fields;
  // Records about a particular child, family or case (child, guardian, pairing, contact,
  // counselling, report, help_request, intervention, referral, patrol, transfer): a town or the
  // city keeps its own in its office scope (scope.h), which no village holds. The others are
  // registries (helpers, trainings, activities, organisations, meetings) that the units below
  // read from an ancestor's own scope, and user accounts, kept in the user's own unit so that
  // they replicate down to every node below it where the person may log in.
  bool office_only = true;

  // The field, or nullptr when this type has no such field.
  const FieldSpec* Find(std::string_view field) const;
};

// All record types, in the order of docs/programme.md.
std::span<const RecordTypeSpec> RecordTypes();
// The type, or nullptr when unknown.
const RecordTypeSpec* FindRecordType(std::string_view name);
// RecordTypeSpec::office_only of the type; true for an unknown type (fail closed).
bool IsOfficeOnlyType(std::string_view type);
// The enum value with this code in a field's list, or nullptr.
const EnumValue* FindEnum(std::span<const EnumValue> values, std::string_view code);

// Enumerations used by the rules (exposed so callers label them consistently).
std::span<const EnumValue> CategoryValues();  // orphan, abandoned, de_facto_unsupported, ...
std::span<const EnumValue> GenderValues();    // male, female
std::span<const EnumValue> SchoolLevelValues();
std::span<const EnumValue> ContactKindValues();
std::span<const EnumValue> ActivityKindValues();
std::span<const EnumValue> ParentStatusValues();
std::span<const EnumValue> HarmValues();        // report.harm: 性侵害, 虐待, 遗弃, ...
std::span<const EnumValue> WorkValues();        // fund.work: the ten works of the plan
std::span<const EnumValue> ReferralToValues();  // referral.to: police, procuratorate, ...
std::span<const EnumValue> UserRoleValues();    // user.role: redact.h's role codes

// Record type names used by the rules and the aggregation.
inline constexpr std::string_view kChild = "child";
inline constexpr std::string_view kGuardian = "guardian";
inline constexpr std::string_view kHelper = "helper";
inline constexpr std::string_view kPairing = "pairing";
inline constexpr std::string_view kTraining = "training";
inline constexpr std::string_view kContact = "contact";
inline constexpr std::string_view kActivity = "activity";
inline constexpr std::string_view kCounselling = "counselling";
inline constexpr std::string_view kReport = "report";
inline constexpr std::string_view kHelpRequest = "help_request";
inline constexpr std::string_view kIntervention = "intervention";
inline constexpr std::string_view kReferral = "referral";
inline constexpr std::string_view kPatrol = "patrol";
inline constexpr std::string_view kOrganisation = "organisation";
inline constexpr std::string_view kMeeting = "meeting";
inline constexpr std::string_view kTransfer = "transfer";
inline constexpr std::string_view kLegalConsultation = "legal_consultation";
inline constexpr std::string_view kFacility = "facility";
inline constexpr std::string_view kStaffPost = "staff_post";
inline constexpr std::string_view kInspection = "inspection";
inline constexpr std::string_view kCorrection = "correction";
inline constexpr std::string_view kFund = "fund";
inline constexpr std::string_view kUser = "user";
inline constexpr std::string_view kAudit = "audit";

}  // namespace fulei::programme

#endif  // FULEI_PROGRAMME_SCHEMA_H_
