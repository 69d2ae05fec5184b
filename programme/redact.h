// Who may see what of a record: the roles of the admin web (docs/DESIGN.md) bound to org units,
// and RedactRecord, which removes from a record the fields a viewer may not see. Callers that
// read records for a person go through the Reader (reader.h), which applies these functions to
// every record it returns; nothing else in the node, the CLI or the admin web reads records
// for a person.
//
// The table (docs/programme.md, "Visibility"), for a record within the viewer's unit's subtree:
//
//   role           code           plain  sensitive  restricted  identity (who reported)
//   village dir.   director        yes     yes        yes*      only in the director's own unit
//   town superv.   supervisor      yes     yes        yes*      yes
//   town office    town_office     yes     yes        yes*      no
//   city bureau    city_bureau     yes     yes        yes*      yes
//   counsellor     counsellor      yes     child, guardian, counselling;  restricted: counselling
//                                          only; cases (report, help_request, intervention,
//                                          referral) denied
//   auditor        auditor         yes     no         no        no
//   爱心家长       caring_parent   only the records of their own pairings (see below)
//
// * Restricted fields of a counselling record (the session notes and the assessment) are shown
//   to the counsellor role only: the plan (心理健康工程) asks for counselling with restricted
//   access and that the guardian be told, not that the notes go to the case handlers. Handlers
//   see that a session took place, its kind and date, and whether the guardian was informed.
//
// "Identity" fields (schema.h FieldSpec::identity: reporter_name, reporter_org, reporter_phone,
// police_reported_by, requester_name, requester_phone) protect the person who reported: the town
// supervisor and the city bureau handle the case and may need to call back; the director of the
// unit where the report was filed knows who filed it. The town office acts on the case without
// the reporter's name. Case records (report, help_request, intervention, referral, counselling)
// are denied to 爱心家长 outright, and all but counselling to counsellors. A record outside the
// viewer's subtree is denied, except registries of an ancestor's own scope (e.g. a town's
// helpers: types that are not office-only, schema.h), which descendants may read; office-only
// records (a child, a guardian, a case...) of an ancestor scope are denied (scope.h: they belong
// in the ancestor's office scope, which no village holds).
//
// 爱心家长 (caring_parent; a stored "volunteer" parses to it: the programme's volunteers who
// are paired with a child are its 爱心爸爸/爱心妈妈): Viewer::user is the person's helper record
// id. They see the child, pairing and contact records of their OWN pairings and nothing else:
// whether a record is theirs needs the store (a pairing whose helper is the user), so the caller
// (the Reader) decides it and passes `own` to RedactRecord; without it the record is denied.
// Of their own: the child's name and gender, the pairing's plain fields, their contacts whole.
// "Within the subtree" is crdt::IsAtOrBelow (crdt/org_unit.h): a viewer with an empty unit, or
// a unit with a '~' segment (no person is bound to an office scope), sees no record at all.
// A record's "unit" for the director's identity rule is its owner (scope.h OwnerUnit).
//
// The audit log (type "audit", schema.h) is read whole by the roles of MayReadAuditLog in their
// subtree, and by nobody else.
//
// User accounts (type "user", users.h) are not a record about a child: their keepers, the town
// office of the account's town and the city bureau, see every field in their subtree except the
// password hash; the person sees their own account (`own`: IsOwnUserRecord, decided by the
// caller) but for the hash; nobody else sees one, not even an account of an ancestor unit,
// although it is a registry held below. A field marked `secret` (schema.h: the password hash) is
// hidden from every viewer, whatever the role.
//
// Pure functions; thread-safe.
#ifndef FULEI_PROGRAMME_REDACT_H_
#define FULEI_PROGRAMME_REDACT_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crdt/op.h"
#include "crdt/status.h"
#include "programme/fields.h"
#include "programme/schema.h"

namespace fulei::programme {

enum class Role : uint8_t {
  kVillageDirector,  // "director"     儿童主任
  kTownSupervisor,   // "supervisor"   儿童督导员
  kTownOffice,       // "town_office"  镇（街道）社会事务办
  kCityBureau,       // "city_bureau"  市民政局
  kCaringParent,     // "caring_parent" 爱心家长 (parsed from "volunteer" too)
  kAuditor,          // "auditor"      审计人员（只读）
  kCounsellor,       // "counsellor"   心理健康辅导师
  // The former name of kCaringParent (same value): a stored "volunteer" parses to it.
  kVolunteer = kCaringParent,
};

// The code name ("director", ...) and the Chinese label of a role.
std::string_view RoleCode(Role role);
std::string_view RoleZh(Role role);
// Every role, once each (kVolunteer is kCaringParent), in table order.
std::span<const Role> AllRoles();
// kInvalidArgument for an unknown code. "volunteer" (the former code) parses to kCaringParent.
Result<Role> ParseRole(std::string_view code);

// A person looking at records: who they are, their role, bound to an org unit
// ("jinjiang/cizao"). Every read and export of records for a person takes one (reader.h).
struct Viewer {
  Viewer() = default;
  Viewer(Role r, std::string u, std::string who = {})
      : role(r), unit(std::move(u)), user(std::move(who)) {}

  Role role = Role::kAuditor;
  std::string unit;
  // The person's user id (audit log of exports); "" when not known. For a caring_parent, the id
  // of their helper record (their pairings are those whose helper is this id).
  std::string user;

  friend bool operator==(const Viewer&, const Viewer&) = default;
};

// Record types about a case of harm or a child's request for help.
bool IsCaseType(std::string_view type);

struct Redacted {
  Fields fields;                    // what the viewer may see
  std::vector<std::string> hidden;  // names of the fields removed (to show "已隐藏")
};

// Whether `viewer` may see a record of `type` at `scope` at all (decided from the key alone, so
// a refusal says nothing about whether such a record exists). Errors: kInvalidArgument (unknown
// type), kPermissionDenied (the message says why in English and Chinese).
Status MaySeeRecord(std::string_view type, std::string_view scope, const Viewer& viewer);

// The record `type` at `scope` as `viewer` may see it (see the table above). Fields not in the
// schema are hidden. `own`: the caller found the record to be of one of the viewer's own
// pairings (for a caring_parent; without it theirs are denied), or the viewer's own user account
// (IsOwnUserRecord). Errors: those of MaySeeRecord.
Result<Redacted> RedactRecord(std::string_view type, std::string_view scope, const Fields& fields,
                              const Viewer& viewer, bool own = false);

// Whether a role reads the audit log (type "audit": logins, reads of records about a person,
// exports, user changes) of the units at or below its own, every field of it: the city bureau,
// the town office, the town supervisor and the auditor. Nobody else sees an entry.
bool MayReadAuditLog(Role role);
// Whether the user record `key` with `fields` is the viewer's own account: it lives at the
// viewer's unit and its id is Viewer::user, or, for a caring parent (whose Viewer::user is a
// helper record id), its `helper` is. The `own` of RedactRecord for a user record.
bool IsOwnUserRecord(const crdt::RecordKey& key, const Fields& fields, const Viewer& viewer);

// Whether `viewer` may see field `spec` of a record of `type` at `scope` (the record itself
// visible and, for a caring_parent, not one of their own: they see plain fields then).
bool MaySeeField(std::string_view type, const FieldSpec& spec, std::string_view scope,
                 const Viewer& viewer);
// The same for a record that is not a counselling record (the export tables, case steps).
bool MaySeeField(const FieldSpec& spec, std::string_view scope, const Viewer& viewer);

}  // namespace fulei::programme

#endif  // FULEI_PROGRAMME_REDACT_H_
