// Helpers shared by the crypto/ tests: hex, vector files, a cheap argon2id cost.
#ifndef FULEI_TESTS_CRYPTO_TEST_UTIL_H_
#define FULEI_TESTS_CRYPTO_TEST_UTIL_H_

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>

#include "crypto/secret_file.h"

namespace fulei::crypto::testing {

inline std::string FromHex(std::string_view hex) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    throw std::invalid_argument("bad hex");
  };
  if (hex.size() % 2 != 0) throw std::invalid_argument("odd hex length");
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    out.push_back(static_cast<char>((nibble(hex[i]) << 4) | nibble(hex[i + 1])));
  }
  return out;
}

inline std::string ToHex(std::string_view bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

// Cheap argon2id for tests (one pass, 64 KiB); the Pi defaults are exercised once, in
// secret_file_test.cc (PiParametersWork).
inline constexpr Argon2Params kFastArgon2{1, 64 << 10};

// Reads a whole file; throws with the path when it is missing, so a test fails loudly.
inline std::string ReadFileOrThrow(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open test vectors at " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace fulei::crypto::testing

#endif  // FULEI_TESTS_CRYPTO_TEST_UTIL_H_
