// The embedded admin web UI (admin-web/assets.h): every file of the Vite build is in the table,
// gzip-compressed, findable by path, and index.html loads only files that are embedded.
#include "admin-web/assets.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <set>
#include <string>
#include <string_view>

namespace fulei::web {
namespace {

std::string Gunzip(std::string_view gz) {
  z_stream zs{};
  EXPECT_EQ(inflateInit2(&zs, 16 + MAX_WBITS), Z_OK);  // 16: gzip framing
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
  zs.avail_in = static_cast<uInt>(gz.size());
  std::string out;
  char buf[16384];
  int rc = Z_OK;
  while (rc == Z_OK) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buf, sizeof buf - zs.avail_out);
  }
  EXPECT_EQ(rc, Z_STREAM_END);
  inflateEnd(&zs);
  return out;
}

TEST(WebAssets, IndexHtmlIsEmbedded) {
  const Asset* index = FindAsset("/index.html");
  ASSERT_NE(index, nullptr);
  EXPECT_EQ(index->content_type, "text/html; charset=utf-8");
  ASSERT_GE(index->gzip.size(), 18u);
  EXPECT_EQ(static_cast<uint8_t>(index->gzip[0]), 0x1f);
  EXPECT_EQ(static_cast<uint8_t>(index->gzip[1]), 0x8b);
  const std::string html = Gunzip(index->gzip);
  EXPECT_EQ(html.size(), index->size);
  EXPECT_NE(html.find("<div id=\"app\">"), std::string::npos);
  EXPECT_NE(html.find("福蕾"), std::string::npos);
}

TEST(WebAssets, AbsentPathsAreNotFound) {
  EXPECT_EQ(FindAsset(""), nullptr);
  EXPECT_EQ(FindAsset("/"), nullptr);  // the server maps "/" to /index.html
  EXPECT_EQ(FindAsset("index.html"), nullptr);
  EXPECT_EQ(FindAsset("/assets/nope.js"), nullptr);
  EXPECT_EQ(FindAsset("/zzzz"), nullptr);
}

TEST(WebAssets, EveryAssetIsWellFormedAndFindable) {
  ASSERT_GE(Assets().size(), 3u);  // index.html, a script, a style sheet at least
  std::string_view previous;
  for (const Asset& a : Assets()) {
    SCOPED_TRACE(std::string(a.path));
    ASSERT_TRUE(a.path.starts_with("/"));
    EXPECT_LT(previous, a.path);  // sorted, no duplicates
    previous = a.path;
    EXPECT_EQ(FindAsset(a.path), &a);
    EXPECT_FALSE(a.content_type.empty());
    ASSERT_GE(a.etag.size(), 3u);
    EXPECT_EQ(a.etag.front(), '"');
    EXPECT_EQ(a.etag.back(), '"');
    // The gzip trailer's ISIZE is the uncompressed size (mod 2^32); inflate agrees.
    ASSERT_GE(a.gzip.size(), 18u);
    const auto* t = reinterpret_cast<const uint8_t*>(a.gzip.data() + a.gzip.size() - 4);
    const uint32_t isize = t[0] | (t[1] << 8) | (t[2] << 16) | (uint32_t{t[3]} << 24);
    EXPECT_EQ(isize, static_cast<uint32_t>(a.size));
    EXPECT_EQ(Gunzip(a.gzip).size(), a.size);
    if (a.path.ends_with(".js")) {
      EXPECT_EQ(a.content_type, "text/javascript; charset=utf-8");
    }
    if (a.path.ends_with(".css")) {
      EXPECT_EQ(a.content_type, "text/css; charset=utf-8");
    }
  }
}

// index.html names its script and style sheets; each must be embedded, and no script may be
// inline (the server's Content-Security-Policy is script-src 'self').
TEST(WebAssets, IndexReferencesOnlyEmbeddedFiles) {
  const Asset* index = FindAsset("/index.html");
  ASSERT_NE(index, nullptr);
  const std::string html = Gunzip(index->gzip);
  // Every src="/..." and href="/..." (plain string search: std::regex trips GCC 12's
  // -Wmaybe-uninitialized under the sanitizers).
  int scripts = 0;
  for (const std::string attr : {"src=\"/", "href=\"/"}) {
    for (size_t at = html.find(attr); at != std::string::npos; at = html.find(attr, at + 1)) {
      const size_t start = at + attr.size() - 1;
      const size_t end = html.find('"', start);
      ASSERT_NE(end, std::string::npos);
      const std::string path = html.substr(start, end - start);
      EXPECT_NE(FindAsset(path), nullptr) << path;
      if (path.ends_with(".js")) ++scripts;
    }
  }
  EXPECT_GE(scripts, 1);
  // Every <script ...> tag names its src.
  for (size_t at = html.find("<script"); at != std::string::npos;
       at = html.find("<script", at + 1)) {
    const std::string tag = html.substr(at, html.find('>', at) - at);
    EXPECT_NE(tag.find(" src="), std::string::npos) << "inline <script> in index.html: " << tag;
  }
}

}  // namespace
}  // namespace fulei::web
