// Scheduler: class order, round-robin by stream, chunk sizes, FIFO mode; and the round trip
// through the Reassembler.
#include "net/internal/scheduler.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "net/internal/chunk.h"
#include "net/internal/reassembler.h"
#include "tests/support/status_matchers.h"

namespace fulei::net::internal {
namespace {

using sync::Priority;

struct Sent {
  Priority priority;
  uint32_t stream;
  bool first, last;
  std::string payload;
};

std::vector<Sent> Drain(Scheduler& s, size_t max_chunk) {
  std::vector<Sent> out;
  while (!s.empty()) {
    std::string chunk;
    Priority p = s.NextChunk(&chunk);
    EXPECT_LE(chunk.size(), max_chunk);
    auto c = ParseChunk(chunk);
    EXPECT_OK(c);
    EXPECT_EQ(c->priority, p);
    out.push_back({p, c->stream, c->first, c->last, std::string(c->payload)});
  }
  return out;
}

TEST(NetSchedulerTest, HighestClassFirstWhateverTheArrivalOrder) {
  Scheduler s({.chunk_bytes = 64});
  s.Push(Priority::kBulk, 1, std::string(200, 'b'));
  s.Push(Priority::kNormal, 1, std::string(100, 'n'));
  s.Push(Priority::kControl, 1, "c");
  s.Push(Priority::kUrgent, 9, "u");
  EXPECT_EQ(s.queued_bytes(), 302u);
  EXPECT_EQ(s.queued_bytes(Priority::kBulk), 200u);
  auto sent = Drain(s, 64);
  ASSERT_GE(sent.size(), 4u);
  EXPECT_EQ(sent[0].priority, Priority::kUrgent);
  EXPECT_EQ(sent[1].priority, Priority::kControl);
  // Classes never go backwards: every normal chunk before every bulk chunk.
  for (size_t i = 1; i < sent.size(); ++i) {
    EXPECT_LE(static_cast<int>(sent[i - 1].priority), static_cast<int>(sent[i].priority));
  }
  EXPECT_EQ(s.queued_bytes(), 0u);
}

TEST(NetSchedulerTest, UrgentPushedMidMessageGoesNext) {
  Scheduler s({.chunk_bytes = 64});
  s.Push(Priority::kBulk, 1, std::string(1000, 'b'));
  std::string chunk;
  EXPECT_EQ(s.NextChunk(&chunk), Priority::kBulk);
  s.Push(Priority::kUrgent, 2, "help");
  chunk.clear();
  EXPECT_EQ(s.NextChunk(&chunk), Priority::kUrgent);
  auto c = ParseChunk(chunk);
  ASSERT_OK(c);
  EXPECT_TRUE(c->first && c->last);
  EXPECT_EQ(c->payload, "help");
}

TEST(NetSchedulerTest, RoundRobinByStreamWithinAClass) {
  Scheduler s({.chunk_bytes = 64});
  s.Push(Priority::kNormal, 1, std::string(300, 'a'));
  s.Push(Priority::kNormal, 1, std::string(10, 'A'));  // same stream: waits for the first
  s.Push(Priority::kNormal, 2, std::string(300, 'b'));
  s.Push(Priority::kNormal, 3, std::string(30, 'c'));
  auto sent = Drain(s, 64);
  ASSERT_GE(sent.size(), 3u);
  EXPECT_EQ(sent[0].stream, 1u);
  EXPECT_EQ(sent[1].stream, 2u);
  EXPECT_EQ(sent[2].stream, 3u);
  EXPECT_EQ(sent[3].stream, 1u);
  EXPECT_EQ(sent[4].stream, 2u);
  // Stream 1's second message starts only after its first ended.
  bool first_done = false;
  for (const Sent& c : sent) {
    if (c.stream != 1) continue;
    if (c.payload.find('A') != std::string::npos) {
      EXPECT_TRUE(first_done);
      EXPECT_TRUE(c.first);
    }
    if (c.last && c.payload.find('a') != std::string::npos) first_done = true;
  }
  EXPECT_TRUE(first_done);
}

TEST(NetSchedulerTest, FifoModeIgnoresClasses) {
  Scheduler s({.chunk_bytes = 64, .fifo = true});
  s.Push(Priority::kBulk, 1, std::string(200, 'b'));
  s.Push(Priority::kUrgent, 2, "u");
  auto sent = Drain(s, 64);
  ASSERT_GE(sent.size(), 2u);
  EXPECT_EQ(sent.back().priority, Priority::kUrgent);
  for (size_t i = 0; i + 1 < sent.size(); ++i) EXPECT_EQ(sent[i].priority, Priority::kBulk);
}

TEST(NetSchedulerTest, ChunksRoundTripThroughTheReassembler) {
  Scheduler s({.chunk_bytes = 100});
  std::vector<std::string> messages;
  for (int i = 0; i < 40; ++i) {
    std::string m;
    for (int j = 0; j < i * 37; ++j) m.push_back(static_cast<char>((i * 131 + j) % 251));
    messages.push_back(m);
    s.Push(static_cast<Priority>(i % 4), static_cast<uint32_t>(i % 5), m);
  }
  Reassembler r(ReassemblyLimits{});
  std::vector<LinkMessage> got;
  while (!s.empty()) {
    std::string chunk;
    s.NextChunk(&chunk);
    EXPECT_LE(chunk.size(), 100u);
    auto m = r.Feed(chunk);
    ASSERT_OK(m);
    if (m->has_value()) got.push_back(std::move(**m));
  }
  ASSERT_EQ(got.size(), messages.size());
  std::vector<bool> seen(messages.size());
  for (const LinkMessage& m : got) {
    // Find the pushed message with this body, class and stream.
    bool found = false;
    for (size_t i = 0; i < messages.size(); ++i) {
      if (!seen[i] && messages[i] == m.body && static_cast<size_t>(m.priority) == i % 4 &&
          m.stream == i % 5) {
        seen[i] = found = true;
        break;
      }
    }
    EXPECT_TRUE(found) << "unexpected message of " << m.body.size() << " bytes";
  }
  EXPECT_EQ(r.partial_messages(), 0u);
  EXPECT_EQ(r.reserved_bytes(), 0u);
}

TEST(NetSchedulerTest, EmptyMessageIsOneChunk) {
  Scheduler s({.chunk_bytes = 64});
  s.Push(Priority::kControl, 5, "");
  EXPECT_FALSE(s.empty());
  auto sent = Drain(s, 64);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_TRUE(sent[0].first && sent[0].last);
}

}  // namespace
}  // namespace fulei::net::internal
