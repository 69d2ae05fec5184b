// CRC-32C: the standard check value, and extending a CRC equals one pass over the whole input.
#include "store/internal/crc32c.h"

#include <gtest/gtest.h>

#include <string>

namespace fulei::store::internal {
namespace {

TEST(StoreCrc32c, MatchesTheStandardCheckValue) {
  EXPECT_EQ(Crc32c("123456789"), 0xe3069283u);
  EXPECT_EQ(Crc32c(""), 0u);
  std::string long_input(1000, 'q');
  EXPECT_EQ(Crc32cExtend(Crc32c(long_input.substr(0, 333)), long_input.substr(333)),
            Crc32c(long_input));
}

}  // namespace
}  // namespace fulei::store::internal
