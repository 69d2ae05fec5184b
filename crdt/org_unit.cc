#include "crdt/org_unit.h"

namespace fulei::crdt {

bool IsAtOrBelow(std::string_view path, std::string_view unit) {
  if (unit.empty() || !path.starts_with(unit)) return false;
  return path.size() == unit.size() || path[unit.size()] == '/';
}

bool IsBelow(std::string_view path, std::string_view unit) {
  return path.size() != unit.size() && IsAtOrBelow(path, unit);
}

std::string_view ParentUnit(std::string_view unit) {
  const size_t slash = unit.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : unit.substr(0, slash);
}

}  // namespace fulei::crdt
