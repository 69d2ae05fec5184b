// Reassembler and chunk parsing against hostile sequences: every bound and format rule of
// docs/net.md#chunks is refused with the documented code.
#include "net/reassembler.h"

#include <gtest/gtest.h>

#include "net/chunk.h"

namespace fulei::net {
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
  EXPECT_TRUE(ParseChunk("\x10").ok());
}

TEST(NetReassemblerTest, InterleavedStreamsAndClasses) {
  Reassembler r({});
  ASSERT_TRUE(r.Feed(Chunk(Priority::kBulk, 1, true, false, 6, "abc")).ok());
  ASSERT_TRUE(r.Feed(Chunk(Priority::kNormal, 1, true, false, 4, "xy")).ok());
  auto urgent = r.Feed(Chunk(Priority::kUrgent, 1, true, true, 4, "help"));
  ASSERT_TRUE(urgent.ok() && urgent->has_value());
  EXPECT_EQ((*urgent)->body, "help");
  EXPECT_EQ(r.partial_messages(), 2u);
  auto bulk = r.Feed(Chunk(Priority::kBulk, 1, false, true, 0, "def"));
  ASSERT_TRUE(bulk.ok() && bulk->has_value());
  EXPECT_EQ((*bulk)->body, "abcdef");
  EXPECT_EQ((*bulk)->priority, Priority::kBulk);
  auto normal = r.Feed(Chunk(Priority::kNormal, 1, false, true, 0, "zw"));
  ASSERT_TRUE(normal.ok() && normal->has_value());
  EXPECT_EQ((*normal)->body, "xyzw");
  EXPECT_EQ(r.reserved_bytes(), 0u);
  auto keepalive = r.Feed(KeepaliveChunk());
  ASSERT_TRUE(keepalive.ok());
  EXPECT_FALSE(keepalive->has_value());
}

TEST(NetReassemblerTest, RejectsBrokenSequences) {
  {
    Reassembler r({});
    EXPECT_EQ(r.Feed(Chunk(Priority::kBulk, 1, false, true, 0, "x")).status().code(),
              StatusCode::kCorruption);
  }
  {
    Reassembler r({});
    ASSERT_TRUE(r.Feed(Chunk(Priority::kBulk, 1, true, false, 5, "x")).ok());
    EXPECT_EQ(r.Feed(Chunk(Priority::kBulk, 1, true, false, 5, "x")).status().code(),
              StatusCode::kCorruption);
  }
  {
    Reassembler r({});
    ASSERT_TRUE(r.Feed(Chunk(Priority::kBulk, 1, true, false, 3, "x")).ok());
    EXPECT_EQ(r.Feed(Chunk(Priority::kBulk, 1, false, false, 0, "xyz")).status().code(),
              StatusCode::kCorruption);  // runs past the declared length
  }
  {
    Reassembler r({});
    ASSERT_TRUE(r.Feed(Chunk(Priority::kBulk, 1, true, false, 3, "x")).ok());
    EXPECT_EQ(r.Feed(Chunk(Priority::kBulk, 1, false, true, 0, "y")).status().code(),
              StatusCode::kCorruption);  // LAST before the declared length
  }
  {
    Reassembler r({});
    EXPECT_EQ(r.Feed(Chunk(Priority::kBulk, 1, true, true, 3, "x")).status().code(),
              StatusCode::kCorruption);  // single chunk shorter than declared
  }
}

TEST(NetReassemblerTest, EnforcesBounds) {
  ReassemblyLimits limits{
      .max_message_bytes = 100, .max_partial_messages = 2, .max_reassembly_bytes = 150};
  {
    Reassembler r(limits);
    EXPECT_EQ(r.Feed(Chunk(Priority::kBulk, 1, true, false, 101, "x")).status().code(),
              StatusCode::kResourceExhausted);
  }
  {
    Reassembler r(limits);
    ASSERT_TRUE(r.Feed(Chunk(Priority::kBulk, 1, true, false, 10, "x")).ok());
    ASSERT_TRUE(r.Feed(Chunk(Priority::kBulk, 2, true, false, 10, "x")).ok());
    EXPECT_EQ(r.Feed(Chunk(Priority::kBulk, 3, true, false, 10, "x")).status().code(),
              StatusCode::kResourceExhausted);
  }
  {
    // The budget counts declared lengths, so slow senders cannot exceed it either.
    Reassembler r(limits);
    ASSERT_TRUE(r.Feed(Chunk(Priority::kBulk, 1, true, false, 100, "x")).ok());
    EXPECT_EQ(r.reserved_bytes(), 100u);
    EXPECT_EQ(r.Feed(Chunk(Priority::kBulk, 2, true, false, 51, "x")).status().code(),
              StatusCode::kResourceExhausted);
  }
}

}  // namespace
}  // namespace fulei::net
