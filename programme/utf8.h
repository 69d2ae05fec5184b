// Strict UTF-8 decoding for the programme's text fields: names, notes, addresses.
// Thread-safe pure functions.
#ifndef FULEI_PROGRAMME_UTF8_H_
#define FULEI_PROGRAMME_UTF8_H_

#include <string_view>
#include <vector>

namespace fulei::programme {

// Appends the code points of `s` to *out. False (and *out unspecified) on anything that is not
// well-formed UTF-8: bad lead or continuation bytes, truncated sequences, overlong forms,
// surrogates, code points above U+10FFFF.
bool DecodeUtf8(std::string_view s, std::vector<char32_t>* out);

}  // namespace fulei::programme

#endif  // FULEI_PROGRAMME_UTF8_H_
