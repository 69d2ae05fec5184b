#include "programme/pinyin.h"

#include <vector>

#include "programme/pinyin_table.h"
#include "programme/utf8.h"

namespace fulei::programme {
namespace {

struct SurnameReading {
  char32_t cp;
  std::string_view reading;
};
constexpr SurnameReading kSurnames[] = {
    {U'曾', "zeng"}, {U'单', "shan"}, {U'区', "ou"},   {U'查', "zha"},  {U'朴', "piao"},
    {U'解', "xie"},  {U'仇', "qiu"},  {U'乐', "yue"},  {U'缪', "miao"}, {U'盖', "ge"},
    {U'覃', "qin"},  {U'秘', "bi"},   {U'召', "shao"}, {U'翟', "zhai"}, {U'尉', "wei"},
};

bool Ignored(char32_t cp) {
  return cp == U' ' || cp == U'\u3000' || cp == U'\u00B7' || cp == U'\u2022' || cp == U'\u30FB' ||
         cp == U'\t';
}

void AppendUtf8(char32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace

std::optional<std::string_view> PinyinOf(char32_t cp) {
  if (cp < internal::kPinyinFirst || cp > internal::kPinyinLast) return std::nullopt;
  const uint16_t idx = internal::kPinyinIndex[cp - internal::kPinyinFirst];
  if (idx == 0 || idx >= internal::kPinyinSyllableCount) return std::nullopt;
  return std::string_view(internal::kPinyinSyllables[idx]);
}

NamePinyin NameToPinyin(std::string_view name) {
  NamePinyin r;
  std::vector<char32_t> cps;
  if (!DecodeUtf8(name, &cps)) return r;
  r.complete = true;
  bool first = true;
  bool in_ascii_word = false;
  for (char32_t cp : cps) {
    if (Ignored(cp)) {
      in_ascii_word = false;
      continue;
    }
    if (cp < 0x80) {
      const bool alpha = (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
      if (!alpha) {
        r.complete = false;
        continue;
      }
      if (!in_ascii_word && !r.key.empty()) r.key += ' ';
      r.key += static_cast<char>(cp >= 'A' && cp <= 'Z' ? cp - 'A' + 'a' : cp);
      in_ascii_word = true;
      first = false;
      continue;
    }
    in_ascii_word = false;
    std::optional<std::string_view> reading;
    if (first) {
      for (const SurnameReading& s : kSurnames) {
        if (s.cp == cp) reading = s.reading;
      }
    }
    if (!reading) reading = PinyinOf(cp);
    first = false;
    if (!reading) {
      r.complete = false;
      continue;
    }
    if (!r.key.empty()) r.key += ' ';
    r.key += *reading;
  }
  if (r.key.empty()) r.complete = false;
  return r;
}

std::string NormaliseName(std::string_view name) {
  std::vector<char32_t> cps;
  if (!DecodeUtf8(name, &cps)) return std::string(name);
  std::string out;
  for (char32_t cp : cps) {
    if (!Ignored(cp)) AppendUtf8(cp, out);
  }
  return out;
}

}  // namespace fulei::programme
