// Which scopes a node holds, and which scopes an origin may write.
//
// Org units form a tree written as paths: "jinjiang" (city), "jinjiang/cizao" (town),
// "jinjiang/cizao/v012" (village). A record's scope is the unit that owns it, or a scope below
// a unit that no node is (an OFFICE scope, "jinjiang/cizao/~office": programme/scope.h).
//   - A node at unit U holds scope S when S is U, lies below U (its subtree, its office scopes
//     and those of its subtree), or is an ancestor of U (the city-wide and town-wide registries:
//     volunteers, organisations, revocations). An ancestor's office scope is neither, so a
//     village never holds its town's or the city's office scope: what a town keeps there never
//     replicates down to a village.
//   - Two peers sync exactly the scopes both hold.
//   - An origin at unit U may write scope S when S is U or lies below U: a village writes its
//     own records; a town or the city may edit the records of its subtree (case updates, report
//     receipts) and write its own office scope and those below it, never a sibling's or an
//     ancestor's.
//   - A segment starting with '~' names no unit: crypto::ValidateOrgUnit refuses '~' in a
//     certificate's org unit, and a unit holding one holds and may write nothing here either.
// "At or below" is crdt::IsAtOrBelow (crdt/org_unit.h): an empty unit holds and may write
// nothing, and no node holds an empty scope.
// Pure functions; thread-safe.
#ifndef FULEI_SYNC_SCOPES_H_
#define FULEI_SYNC_SCOPES_H_

#include <string_view>

#include "crdt/org_unit.h"

namespace fulei::sync {

bool Holds(std::string_view unit, std::string_view scope);
bool MayWrite(std::string_view origin_unit, std::string_view scope);

// True when a node strictly below `unit` may hold `scope`, i.e. urgent ops of `scope` have a
// way down from the node at `unit`: `scope` lies strictly below `unit` and the segment right
// below `unit` names a unit (not "~office": the office scope of `unit` itself is held by `unit`
// and its ancestors only).
bool HeldBelow(std::string_view unit, std::string_view scope);

}  // namespace fulei::sync

#endif  // FULEI_SYNC_SCOPES_H_
