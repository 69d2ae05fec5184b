#include "sync/scopes.h"

namespace fulei::sync {

bool IsSameOrBelow(std::string_view path, std::string_view unit) {
  if (unit.empty()) return false;
  if (path.size() < unit.size() || path.substr(0, unit.size()) != unit) return false;
  return path.size() == unit.size() || path[unit.size()] == '/';
}

bool Holds(std::string_view unit, std::string_view scope) {
  return IsSameOrBelow(scope, unit) || IsSameOrBelow(unit, scope);
}

bool MayWrite(std::string_view origin_unit, std::string_view scope) {
  return IsSameOrBelow(scope, origin_unit);
}

}  // namespace fulei::sync
