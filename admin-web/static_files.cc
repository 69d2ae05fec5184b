#include "admin-web/static_files.h"

#include <zlib.h>

#include <string>
#include <string_view>

#include "admin-web/assets.h"

namespace fulei::web {
namespace {

// Inflates a gzip member; "" when it does not inflate to `size` bytes.
std::string Gunzip(std::string_view gz, size_t size) {
  std::string out(size, '\0');
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return {};
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
  z.avail_in = static_cast<uInt>(gz.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = inflate(&z, Z_FINISH);
  const bool ok = rc == Z_STREAM_END && z.total_out == size;
  inflateEnd(&z);
  return ok ? out : std::string();
}

bool AcceptsGzip(std::string_view header) {
  // "gzip" listed without q=0 (the browsers' "gzip, deflate, br" and the like).
  const size_t at = header.find("gzip");
  if (at == std::string_view::npos) return false;
  const std::string_view rest = header.substr(at + 4);
  const size_t comma = rest.find(',');
  const std::string_view params = rest.substr(0, comma);
  return params.find("q=0") == std::string_view::npos ||
         params.find("q=0.") != std::string_view::npos;
}

}  // namespace

Response ServeStaticFile(const Request& request) {
  std::string_view path = request.target;
  path = path.substr(0, path.find_first_of("?#"));
  if (path == "/") path = "/index.html";
  const Asset* asset = FindAsset(path);
  if (asset == nullptr && !path.starts_with("/assets/")) asset = FindAsset("/index.html");
  Response r;
  if (asset == nullptr) {
    r.status = 404;
    r.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
    r.body = "未找到 / not found\n";
    return r;
  }
  r.headers.emplace_back("Content-Type", std::string(asset->content_type));
  r.headers.emplace_back("ETag", std::string(asset->etag));
  r.headers.emplace_back("Vary", "Accept-Encoding");
  r.headers.emplace_back("Cache-Control", path.starts_with("/assets/")
                                              ? "public, max-age=31536000, immutable"
                                              : "no-cache");
  if (request.Header("if-none-match") == asset->etag) {
    r.status = 304;
    return r;
  }
  if (AcceptsGzip(request.Header("accept-encoding"))) {
    r.headers.emplace_back("Content-Encoding", "gzip");
    r.body = std::string(asset->gzip);
  } else {
    r.body = Gunzip(asset->gzip, asset->size);
  }
  if (request.method == "HEAD") r.body.clear();
  return r;
}

size_t EmbeddedUiBytes() {
  size_t n = 0;
  for (const Asset& a : Assets()) n += a.size;
  return n;
}

size_t EmbeddedUiGzipBytes() {
  size_t n = 0;
  for (const Asset& a : Assets()) n += a.gzip.size();
  return n;
}

}  // namespace fulei::web
