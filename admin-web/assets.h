// The admin web UI (admin-web/ui, Vue 3 built by Vite) embedded in the binary: every file of
// the build, gzip-compressed (gzip -9 -n), with its content type and an ETag. The HTTP server
// answers GET /, /index.html and /assets/... from this table (docs/web-api.md); the files are
// built and embedded by admin-web/ui/CMakeLists.txt (library fulei::web_assets).
#ifndef FULEI_ADMIN_WEB_ASSETS_H_
#define FULEI_ADMIN_WEB_ASSETS_H_

#include <cstddef>
#include <span>
#include <string_view>

namespace fulei::web {

struct Asset {
  std::string_view path;          // "/index.html", "/assets/index-3f2a.js"
  std::string_view content_type;  // "text/html; charset=utf-8", ...
  std::string_view gzip;          // the file gzip-compressed (Content-Encoding: gzip)
  size_t size;                    // the uncompressed size in bytes
  std::string_view etag;  // a hash of the uncompressed content, quoted: "\"9f86d081884c7d65\""
};

// The asset at `path` (starting with '/'), or nullptr when absent.
const Asset* FindAsset(std::string_view path);

// Every asset, sorted by path.
std::span<const Asset> Assets();

}  // namespace fulei::web

#endif  // FULEI_ADMIN_WEB_ASSETS_H_
