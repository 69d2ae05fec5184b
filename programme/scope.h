// Where a record lives: the scope a record of each type is written to, so that what replicates
// down to a village is only what a village may see. docs/programme.md, "Where records live".
//
// A node holds its own scope, its subtree and its ancestors' own scopes (sync/scopes.h): a
// village holds its town's and the city's scopes, for their registries (helpers, trainings,
// activities, organisations, meetings). A town's or the city's own records about a child, a
// family or a case must not reach the villages below it, so they live in the unit's OFFICE
// SCOPE "<unit>/~office": it lies below the unit, so the unit and every ancestor hold it, and no
// village does — '~' is never a character of a certificate's org unit (crypto::ValidateOrgUnit),
// so no node is "<unit>/~office" or below it, and a village is not its ancestor.
//
// A village's own records stay in the village's scope: nothing lies below a village, so its
// scope reaches only its town and the city.
//
// The node, the CLI and the admin web write every record to RecordScope(type, owner, level);
// the Reader (reader.h) never shows an office-only record of an ancestor scope to a viewer below
// it, so a record written around RecordScope is still not shown in a village.
//
// Pure functions; thread-safe. Returned views view the argument's characters.
#ifndef FULEI_PROGRAMME_SCOPE_H_
#define FULEI_PROGRAMME_SCOPE_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace fulei::programme {

// The last segment of an office scope.
inline constexpr std::string_view kOfficeSegment = "~office";

// The level of an org unit in the programme's three-level network (PROGRAMME.md): the node
// knows its own from its certificate's role; the admin web from the unit tree.
enum class UnitLevel : uint8_t { kVillage, kTown, kCity };

// "jinjiang/cizao" -> "jinjiang/cizao/~office". REQUIRES: unit is not empty.
std::string OfficeScope(std::string_view unit);

// True when the scope's last segment is kOfficeSegment and a unit precedes it.
bool IsOfficeScope(std::string_view scope);

// The unit that owns a record of `scope`: the unit of an office scope, else the scope itself.
std::string_view OwnerUnit(std::string_view scope);

// The scope a record of `type` owned by `unit` (a unit at `level`) is written to: the unit's
// office scope for an office-only type (schema.h IsOfficeOnlyType; unknown types count as
// office-only) at a town or the city; `unit` itself otherwise (a village's records, and every
// unit's registries).
std::string RecordScope(std::string_view type, std::string_view unit, UnitLevel level);

}  // namespace fulei::programme

#endif  // FULEI_PROGRAMME_SCOPE_H_
