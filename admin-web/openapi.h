// The OpenAPI 3 description of the admin web's API (admin-web/openapi.json, embedded at build
// time), served at GET /api/v1/openapi.json. A test checks it names exactly Api::Routes().
#ifndef FULEI_ADMIN_WEB_OPENAPI_H_
#define FULEI_ADMIN_WEB_OPENAPI_H_

#include <string_view>

namespace fulei::web {

std::string_view OpenApiDocument();

}  // namespace fulei::web

#endif  // FULEI_ADMIN_WEB_OPENAPI_H_
