// The names people know the org units by (晋江市, 磁灶镇, ...) for the admin web: the city and
// its 19 town-level units from deploy/jinjiang-units.json, embedded at build time. Units the
// table does not name (the villages: their names are not public and not yet recorded) are shown
// by the last part of their path ("v01"). Thread-safe.
#ifndef FULEI_ADMIN_WEB_UNIT_NAMES_H_
#define FULEI_ADMIN_WEB_UNIT_NAMES_H_

#include <string>
#include <string_view>

namespace fulei::web {

// The name of `unit` ("jinjiang/cizao" -> "磁灶镇"), or the last part of its path.
std::string UnitName(std::string_view unit);

}  // namespace fulei::web

#endif  // FULEI_ADMIN_WEB_UNIT_NAMES_H_
