#include "programme/id_number.h"

namespace fulei::programme {

char IdNumberCheckChar(std::string_view first17) {
  static constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  static constexpr char kCheck[11] = {'1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'};
  int sum = 0;
  for (size_t i = 0; i < 17; ++i) sum += (first17[i] - '0') * kWeights[i];
  return kCheck[sum % 11];
}

Result<IdNumberInfo> ParseIdNumber(std::string_view text) {
  if (text.size() != 18) {
    return InvalidArgument("must be 18 characters, got " + std::to_string(text.size()));
  }
  for (size_t i = 0; i < 17; ++i) {
    if (text[i] < '0' || text[i] > '9') {
      return InvalidArgument("character " + std::to_string(i + 1) + " is not a digit");
    }
  }
  char last = text[17];
  if (last == 'x') last = 'X';
  if (!(last == 'X' || (last >= '0' && last <= '9'))) {
    return InvalidArgument("the last character must be a digit or X");
  }
  IdNumberInfo info;
  info.normalised = std::string(text.substr(0, 17)) + last;
  info.region = std::string(text.substr(0, 6));
  std::string birth = std::string(text.substr(6, 4)) + "-" + std::string(text.substr(10, 2)) + "-" +
                      std::string(text.substr(12, 2));
  auto d = ParseDate(birth);
  if (!d.ok()) return InvalidArgument("embedded birth date " + birth + " is not a calendar date");
  info.birth = *d;
  info.gender = ((text[16] - '0') % 2 == 1) ? Gender::kMale : Gender::kFemale;
  const char expected = IdNumberCheckChar(text.substr(0, 17));
  if (expected != last) {
    return InvalidArgument(std::string("checksum digit is ") + last + ", expected " + expected);
  }
  return info;
}

}  // namespace fulei::programme
