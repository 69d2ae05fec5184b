// Toneless pinyin of Chinese names, for finding homophone duplicates (王晓明 / 王小明).
//
// Coverage (docs/programme.md): the table holds the most common reading of 20,901 of the 20,992
// code points of the CJK Unified Ideographs basic block (U+4E00..U+9FFF), generated from the
// MIT-licensed pinyin-data dictionary shipped by Debian's golang-github-mozillazg-go-pinyin-dev
// (programme/gen_pinyin_table.py). Polyphonic characters take their most common reading, except
// that the first character of a name takes its surname reading for the common surnames that read
// differently (曾 zeng, 单 shan, 区 ou, 查 zha, 朴 piao, 解 xie, 仇 qiu, 乐 yue, 缪 miao, 盖 ge,
// 覃 qin, 秘 bi, 召 shao, 翟 zhai, 尉 wei).
// A character outside the table (extension blocks, rare variants) has no reading: the name's
// pinyin is then incomplete, and duplicate detection falls back to exact Hanzi matching for it.
// ASCII letters are kept lower-cased; spaces and the middle dots of transcribed names (·•・)
// are dropped. Pure functions; thread-safe.
#ifndef FULEI_PROGRAMME_PINYIN_H_
#define FULEI_PROGRAMME_PINYIN_H_

#include <optional>
#include <string>
#include <string_view>

namespace fulei::programme {

// The toneless reading of one code point ("zhang"), or nullopt outside the table.
std::optional<std::string_view> PinyinOf(char32_t cp);

struct NamePinyin {
  std::string key;        // syllables joined by spaces: "wang xiao ming"
  bool complete = false;  // false when any character had no reading (or the name was empty)
};

// The pinyin of a UTF-8 name. Invalid UTF-8 gives an incomplete result.
NamePinyin NameToPinyin(std::string_view name);

// The name with spaces and middle dots removed (the Hanzi comparison key).
std::string NormaliseName(std::string_view name);

}  // namespace fulei::programme

#endif  // FULEI_PROGRAMME_PINYIN_H_
