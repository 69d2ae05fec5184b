#include "programme/scope.h"

#include "programme/schema.h"

namespace fulei::programme {

std::string OfficeScope(std::string_view unit) {
  std::string out(unit);
  out += '/';
  out += kOfficeSegment;
  return out;
}

bool IsOfficeScope(std::string_view scope) {
  return scope.size() > kOfficeSegment.size() + 1 && scope.ends_with(kOfficeSegment) &&
         scope[scope.size() - kOfficeSegment.size() - 1] == '/';
}

std::string_view OwnerUnit(std::string_view scope) {
  if (!IsOfficeScope(scope)) return scope;
  return scope.substr(0, scope.size() - kOfficeSegment.size() - 1);
}

std::string RecordScope(std::string_view type, std::string_view unit, UnitLevel level) {
  if (level != UnitLevel::kVillage && IsOfficeOnlyType(type)) return OfficeScope(unit);
  return std::string(unit);
}

}  // namespace fulei::programme
