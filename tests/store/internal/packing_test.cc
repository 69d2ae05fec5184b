// Zero-byte packing of stored values: any bytes round-trip, malformed input is corruption, and
// the format is pinned (docs/store.md).
#include "store/internal/packing.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "tests/support/status_matchers.h"

namespace fulei::store::internal {
namespace {

TEST(StorePacking, RoundTripsAnyBytesAndRejectsMalformedInput) {
  std::mt19937_64 rng(3);
  for (size_t len : {0, 1, 7, 8, 9, 63, 64, 65, 2047, 5000}) {
    for (int density : {0, 1, 4, 8}) {  // eighths of bytes that are non-zero
      std::string plain(len, '\0');
      for (auto& c : plain) {
        if (static_cast<int>(rng() % 8) < density) c = static_cast<char>(1 + rng() % 255);
      }
      std::string packed = Pack(plain);
      ASSERT_OK_AND_ASSIGN(std::string back, Unpack(packed));
      EXPECT_EQ(back, plain) << len << "/" << density;
      if (len > 0 && density == 0) {
        EXPECT_LT(packed.size(), 8u + len / 100);
      }
      // Every truncation and every extension is detected.
      for (size_t cut = 0; cut < packed.size(); cut += 1 + packed.size() / 20) {
        EXPECT_EQ(Unpack(packed.substr(0, cut)).status().code(), StatusCode::kCorruption)
            << len << " cut " << cut;
      }
      EXPECT_EQ(Unpack(packed + "x").status().code(), StatusCode::kCorruption);
    }
  }
  EXPECT_EQ(Unpack("\xff\xff\xff\xff\x7f").status().code(),
            StatusCode::kCorruption);  // absurd length
  // The format is pinned (docs/store.md): length, then per word a tag and its non-zero bytes;
  // a zero word's tag is followed by a count of further zero words, an FF word by its bytes and
  // a count of further dense words.
  EXPECT_EQ(Pack(std::string("\x01\x00\x02\x00\x00\x00\x00\x03"
                             "\0\0\0\0\0\0\0\0",
                             16)),
            std::string("\x10\x85\x01\x02\x03\x00\x00", 7));
  EXPECT_EQ(Pack("abcdefghij"), std::string("\x0a\xff"
                                            "abcdefgh"
                                            "\x00\x03ij",
                                            14));
  // A run of dense words may end with the zero-padded last word.
  EXPECT_EQ(Pack("abcdefghijklmnopqrstuvw"), std::string("\x17\xff"
                                                         "abcdefgh"
                                                         "\x02"
                                                         "ijklmnop"
                                                         "qrstuvw\x00",
                                                         27));
}

}  // namespace
}  // namespace fulei::store::internal
