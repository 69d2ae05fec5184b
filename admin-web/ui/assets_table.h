// The table the build generates (web_assets_data.cc, from ui/build_ui.cmake): internal to
// fulei::web_assets; use admin-web/assets.h.
#ifndef FULEI_ADMIN_WEB_UI_ASSETS_TABLE_H_
#define FULEI_ADMIN_WEB_UI_ASSETS_TABLE_H_

#include <cstddef>

#include "admin-web/assets.h"

namespace fulei::web::internal {

extern const Asset kAssets[];  // sorted by path (byte order)
extern const size_t kAssetCount;

}  // namespace fulei::web::internal

#endif  // FULEI_ADMIN_WEB_UI_ASSETS_TABLE_H_
