// Which scopes a node holds, and which scopes an origin may write.
//
// Org units form a tree written as paths: "jinjiang" (city), "jinjiang/cizao" (town),
// "jinjiang/cizao/v012" (village). A record's scope is the unit that owns it.
//   - A node at unit U holds scope S when S is U, lies below U (its subtree), or is an ancestor
//     of U (the city-wide and town-wide registries: volunteers, organisations, revocations).
//   - Two peers sync exactly the scopes both hold.
//   - An origin at unit U may write scope S when S is U or lies below U: a village writes its
//     own records; a town or the city may edit the records of its subtree (case updates, report
//     receipts), never a sibling's or an ancestor's.
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

}  // namespace fulei::sync

#endif  // FULEI_SYNC_SCOPES_H_
