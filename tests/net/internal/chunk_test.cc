// Chunk format (docs/net.md#chunks): golden bytes of data and keepalive chunks, and every
// malformed header ParseChunk refuses with kCorruption.
#include "net/internal/chunk.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "tests/support/status_matchers.h"

namespace fulei::net::internal {
namespace {

using sync::Priority;

std::string Chunk(Priority p, uint32_t stream, bool first, bool last, uint32_t length,
                  std::string_view payload) {
  std::string out;
  AppendChunkHeader(p, stream, first, last, length, &out);
  out.append(payload);
  return out;
}

TEST(NetChunkTest, GoldenBytes) {
  std::string c = Chunk(Priority::kBulk, 0x01020304, true, false, 0x0A0B0C0D, "xy");
  EXPECT_EQ(c, std::string("\x07\x01\x02\x03\x04\x0A\x0B\x0C\x0Dxy", 11));
  c = Chunk(Priority::kUrgent, 7, false, true, 0, "z");
  EXPECT_EQ(c, std::string("\x08\x00\x00\x00\x07z", 6));
  EXPECT_EQ(KeepaliveChunk(), std::string("\x10"));
}

TEST(NetChunkTest, RejectsMalformed) {
  EXPECT_EQ(ParseChunk("").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(ParseChunk(std::string("\x20\0\0\0\0", 5)).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(ParseChunk("\x10x").status().code(), StatusCode::kCorruption);  // keepalive + byte
  EXPECT_EQ(ParseChunk(std::string("\x11\0\0\0\0", 5)).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(ParseChunk(std::string("\x04\0\0\0", 4)).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(ParseChunk(std::string("\x04\0\0\0\0\0\0\0", 8)).status().code(),
            StatusCode::kCorruption);
  // FIRST chunk carrying more than its declared length.
  EXPECT_EQ(ParseChunk(Chunk(Priority::kNormal, 1, true, false, 1, "ab")).status().code(),
            StatusCode::kCorruption);
  EXPECT_OK(ParseChunk("\x10"));
}

}  // namespace
}  // namespace fulei::net::internal
