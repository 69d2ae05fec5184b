#include "sync/scopes.h"

#include "crdt/org_unit.h"

namespace fulei::sync {

bool Holds(std::string_view unit, std::string_view scope) {
  return crdt::IsAtOrBelow(scope, unit) || crdt::IsAtOrBelow(unit, scope);
}

bool MayWrite(std::string_view origin_unit, std::string_view scope) {
  return crdt::IsAtOrBelow(scope, origin_unit);
}

}  // namespace fulei::sync
