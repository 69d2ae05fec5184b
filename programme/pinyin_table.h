// Internal: the generated pinyin table (pinyin_table.cc, made by gen_pinyin_table.py).
#ifndef FULEI_PROGRAMME_PINYIN_TABLE_H_
#define FULEI_PROGRAMME_PINYIN_TABLE_H_

#include <cstdint>

namespace fulei::programme::internal {

inline constexpr char32_t kPinyinFirst = 0x4E00;
inline constexpr char32_t kPinyinLast = 0x9FFF;
extern const char* const kPinyinSyllables[];
extern const int kPinyinSyllableCount;
extern const uint16_t kPinyinIndex[];  // kPinyinLast - kPinyinFirst + 1 entries

}  // namespace fulei::programme::internal

#endif  // FULEI_PROGRAMME_PINYIN_TABLE_H_
