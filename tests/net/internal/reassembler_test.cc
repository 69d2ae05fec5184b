// Reassembler against hostile chunk sequences: every bound and sequence rule of
// docs/net.md#chunks is refused with the documented code; interleaved messages come out whole.
#include "net/internal/reassembler.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "net/internal/chunk.h"
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

TEST(NetReassemblerTest, InterleavedStreamsAndClasses) {
  Reassembler r({});
  ASSERT_OK(r.Feed(Chunk(Priority::kBulk, 1, true, false, 6, "abc")));
  ASSERT_OK(r.Feed(Chunk(Priority::kNormal, 1, true, false, 4, "xy")));
  auto urgent = r.Feed(Chunk(Priority::kUrgent, 1, true, true, 4, "help"));
  ASSERT_OK(urgent);
  ASSERT_TRUE(urgent->has_value());
  EXPECT_EQ((*urgent)->body, "help");
  EXPECT_EQ(r.partial_messages(), 2u);
  auto bulk = r.Feed(Chunk(Priority::kBulk, 1, false, true, 0, "def"));
  ASSERT_OK(bulk);
  ASSERT_TRUE(bulk->has_value());
  EXPECT_EQ((*bulk)->body, "abcdef");
  EXPECT_EQ((*bulk)->priority, Priority::kBulk);
  auto normal = r.Feed(Chunk(Priority::kNormal, 1, false, true, 0, "zw"));
  ASSERT_OK(normal);
  ASSERT_TRUE(normal->has_value());
  EXPECT_EQ((*normal)->body, "xyzw");
  EXPECT_EQ(r.reserved_bytes(), 0u);
  auto keepalive = r.Feed(KeepaliveChunk());
  ASSERT_OK(keepalive);
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
    ASSERT_OK(r.Feed(Chunk(Priority::kBulk, 1, true, false, 5, "x")));
    EXPECT_EQ(r.Feed(Chunk(Priority::kBulk, 1, true, false, 5, "x")).status().code(),
              StatusCode::kCorruption);
  }
  {
    Reassembler r({});
    ASSERT_OK(r.Feed(Chunk(Priority::kBulk, 1, true, false, 3, "x")));
    EXPECT_EQ(r.Feed(Chunk(Priority::kBulk, 1, false, false, 0, "xyz")).status().code(),
              StatusCode::kCorruption);  // runs past the declared length
  }
  {
    Reassembler r({});
    ASSERT_OK(r.Feed(Chunk(Priority::kBulk, 1, true, false, 3, "x")));
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
    ASSERT_OK(r.Feed(Chunk(Priority::kBulk, 1, true, false, 10, "x")));
    ASSERT_OK(r.Feed(Chunk(Priority::kBulk, 2, true, false, 10, "x")));
    EXPECT_EQ(r.Feed(Chunk(Priority::kBulk, 3, true, false, 10, "x")).status().code(),
              StatusCode::kResourceExhausted);
  }
  {
    // The budget counts declared lengths, so slow senders cannot exceed it either.
    Reassembler r(limits);
    ASSERT_OK(r.Feed(Chunk(Priority::kBulk, 1, true, false, 100, "x")));
    EXPECT_EQ(r.reserved_bytes(), 100u);
    EXPECT_EQ(r.Feed(Chunk(Priority::kBulk, 2, true, false, 51, "x")).status().code(),
              StatusCode::kResourceExhausted);
  }
}

}  // namespace
}  // namespace fulei::net::internal
