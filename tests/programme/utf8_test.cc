#include "programme/utf8.h"

#include <gtest/gtest.h>

namespace fulei::programme {
namespace {

std::vector<char32_t> Decode(std::string_view s, bool* ok) {
  std::vector<char32_t> out;
  *ok = DecodeUtf8(s, &out);
  return out;
}

TEST(Utf8Test, DecodesChineseAndAscii) {
  bool ok = false;
  EXPECT_EQ(Decode("王小明 A", &ok), (std::vector<char32_t>{U'王', U'小', U'明', U' ', U'A'}));
  EXPECT_TRUE(ok);
  EXPECT_EQ(Decode("😀", &ok), std::vector<char32_t>{U'😀'});
  EXPECT_TRUE(ok);
}

TEST(Utf8Test, RefusesMalformedInput) {
  bool ok = true;
  Decode("\xC0\xAF", &ok);  // overlong '/'
  EXPECT_FALSE(ok);
  Decode("\xE0\x80\xAF", &ok);  // overlong
  EXPECT_FALSE(ok);
  Decode("\xED\xA0\x80", &ok);  // a surrogate
  EXPECT_FALSE(ok);
  Decode("\xF4\x90\x80\x80", &ok);  // above U+10FFFF
  EXPECT_FALSE(ok);
  Decode("\xE7\x8E", &ok);  // truncated
  EXPECT_FALSE(ok);
  Decode("\x80", &ok);  // stray continuation byte
  EXPECT_FALSE(ok);
  Decode("\xE7\x8E\x8B\xFF", &ok);
  EXPECT_FALSE(ok);
}

}  // namespace
}  // namespace fulei::programme
