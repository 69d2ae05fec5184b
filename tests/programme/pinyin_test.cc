// Names to pinyin keys (programme/pinyin.h), for finding homophone duplicates.
#include "programme/pinyin.h"

#include <gtest/gtest.h>

namespace fulei::programme {
namespace {

TEST(PinyinTest, CommonNamesAndSurnameReadings) {
  EXPECT_EQ(NameToPinyin("王小明").key, "wang xiao ming");
  EXPECT_EQ(NameToPinyin("王晓明").key, "wang xiao ming");
  EXPECT_EQ(NameToPinyin("曾国藩").key, "zeng guo fan");
  EXPECT_EQ(NameToPinyin("单田芳").key, "shan tian fang");
  EXPECT_EQ(NameToPinyin("阿依古丽·买买提").key, "a yi gu li mai mai ti");
  EXPECT_TRUE(NameToPinyin("陈 丽").complete);
  EXPECT_EQ(NormaliseName("陈 丽"), "陈丽");
  // U+20000 (CJK extension B) is outside the table.
  auto r = NameToPinyin("王\xF0\xA0\x80\x80");
  EXPECT_FALSE(r.complete);
  EXPECT_FALSE(NameToPinyin("").complete);
  EXPECT_FALSE(NameToPinyin("\xE7\x8E").complete);  // truncated UTF-8
}

}  // namespace
}  // namespace fulei::programme
