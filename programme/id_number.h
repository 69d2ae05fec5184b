// 居民身份证号码 (GB 11643-1999, citizen identification number): structure and check digit.
//
// An 18-character number: 6-digit address code, 8-digit birth date YYYYMMDD, 3-digit sequence
// (odd for male, even for female) and a check character computed with ISO 7064 MOD 11-2
// (weights 2^(17-i) mod 11; value 10 is written 'X'). A lower-case 'x' is accepted and
// normalised to 'X'. The old 15-digit numbers are not accepted: every child in the programme
// was born after they were withdrawn.
// Pure functions; thread-safe.
#ifndef FULEI_PROGRAMME_ID_NUMBER_H_
#define FULEI_PROGRAMME_ID_NUMBER_H_

#include <string>
#include <string_view>

#include "crdt/status.h"
#include "programme/date.h"

namespace fulei::programme {

enum class Gender { kMale, kFemale };

struct IdNumberInfo {
  std::string normalised;  // 18 characters, check 'X' upper-case
  std::string region;      // the 6-digit address code
  Date birth;
  Gender gender = Gender::kMale;
};

// The check character for the first 17 digits. REQUIRES: 17 ASCII digits.
char IdNumberCheckChar(std::string_view first17);

// Parses and verifies an ID number. Errors (kInvalidArgument, without a field name; the caller
// prefixes it): wrong length, non-digits, an impossible birth date, a check digit mismatch
// ("checksum digit is 5, expected X").
Result<IdNumberInfo> ParseIdNumber(std::string_view text);

}  // namespace fulei::programme

#endif  // FULEI_PROGRAMME_ID_NUMBER_H_
