// Who may see what of a record: the roles of the admin web (docs/DESIGN.md) bound to org units,
// and RedactRecord, which removes from a record the fields a viewer may not see. Callers that
// read records for a person go through the Reader (reader.h), which applies these functions to
// every record it returns; nothing else in the node, the CLI or the admin web reads records
// for a person.
//
// The table (docs/programme.md, "Visibility"), for a record within the viewer's unit's subtree:
//
//   role          code          plain  sensitive  restricted  identity (who reported)
//   village dir.  director        yes     yes        yes       only in the director's own unit
//   town superv.  supervisor      yes     yes        yes       yes
//   town office   town_office     yes     yes        yes       no
//   city bureau   city_bureau     yes     yes        yes       yes
//   auditor       auditor         yes     no         no        no
//   volunteer     volunteer       yes     no         no        no  (case records: denied)
//
// "Identity" fields (schema.h FieldSpec::identity: reporter_name, reporter_org, reporter_phone,
// police_reported_by, requester_name, requester_phone) protect the person who reported: the town
// supervisor and the city bureau handle the case and may need to call back; the director of the
// unit where the report was filed knows who filed it. The town office acts on the case without
// the reporter's name. Case records (report, help_request, intervention, referral, counselling)
// are denied to volunteers outright. A record outside the viewer's subtree is denied, except
// registries of an ancestor's own scope (e.g. a town's helpers: types that are not office-only,
// schema.h), which descendants may read; office-only records (a child, a guardian, a case...) of
// an ancestor scope are denied (scope.h: they belong in the ancestor's office scope, which no
// village holds). A volunteer's own pairings are decided by the caller (this table gives
// volunteers plain fields only).
// "Within the subtree" is crdt::IsAtOrBelow (crdt/org_unit.h): a viewer with an empty unit, or
// a unit with a '~' segment (no person is bound to an office scope), sees no record at all.
// A record's "unit" for the director's identity rule is its owner (scope.h OwnerUnit).
//
// Pure functions; thread-safe.
#ifndef FULEI_PROGRAMME_REDACT_H_
#define FULEI_PROGRAMME_REDACT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crdt/status.h"
#include "programme/fields.h"
#include "programme/schema.h"

namespace fulei::programme {

enum class Role : uint8_t {
  kVillageDirector,  // "director"     儿童主任
  kTownSupervisor,   // "supervisor"   儿童督导员
  kTownOffice,       // "town_office"  镇（街道）社会事务办
  kCityBureau,       // "city_bureau"  市民政局
  kVolunteer,        // "volunteer"    志愿者
  kAuditor,          // "auditor"      审计（只读）
};

// The code name ("director", ...) and the Chinese label of a role.
std::string_view RoleCode(Role role);
std::string_view RoleZh(Role role);
// kInvalidArgument for an unknown code.
Result<Role> ParseRole(std::string_view code);

// A person looking at records: who they are, their role, bound to an org unit
// ("jinjiang/cizao"). Every read and export of records for a person takes one (reader.h).
struct Viewer {
  Viewer() = default;
  Viewer(Role r, std::string u, std::string who = {})
      : role(r), unit(std::move(u)), user(std::move(who)) {}

  Role role = Role::kAuditor;
  std::string unit;
  std::string user;  // the person's user id (audit log of exports); "" when not known

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
// schema are hidden. Errors: those of MaySeeRecord.
Result<Redacted> RedactRecord(std::string_view type, std::string_view scope, const Fields& fields,
                              const Viewer& viewer);

// Whether `viewer` may see field `spec` of a record at `scope` (the record itself visible).
bool MaySeeField(const FieldSpec& spec, std::string_view scope, const Viewer& viewer);

}  // namespace fulei::programme

#endif  // FULEI_PROGRAMME_REDACT_H_
