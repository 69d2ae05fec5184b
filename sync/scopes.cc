#include "sync/scopes.h"

#include "crdt/org_unit.h"

namespace fulei::sync {
namespace {

// No node is a unit with a '~' segment (see the header).
bool IsNodeUnit(std::string_view unit) { return unit.find('~') == std::string_view::npos; }

}  // namespace

bool Holds(std::string_view unit, std::string_view scope) {
  if (!IsNodeUnit(unit)) return false;
  return crdt::IsAtOrBelow(scope, unit) || crdt::IsAtOrBelow(unit, scope);
}

bool MayWrite(std::string_view origin_unit, std::string_view scope) {
  if (!IsNodeUnit(origin_unit)) return false;
  return crdt::IsAtOrBelow(scope, origin_unit);
}

bool HeldBelow(std::string_view unit, std::string_view scope) {
  if (!IsNodeUnit(unit) || !crdt::IsBelow(scope, unit)) return false;
  return scope.size() > unit.size() + 1 && scope[unit.size() + 1] != '~';
}

}  // namespace fulei::sync
