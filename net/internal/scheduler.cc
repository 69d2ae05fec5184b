#include "net/internal/scheduler.h"

#include <algorithm>
#include <limits>

#include "crdt/status.h"
#include "crypto/transport.h"
#include "net/internal/chunk.h"

namespace fulei::net::internal {

Scheduler::Scheduler(SchedulerConfig config) : config_(config) {
  FULEI_CHECK(config_.chunk_bytes >= kMinChunkBytes);
  FULEI_CHECK(config_.chunk_bytes <= crypto::kMaxFramePayload);
}

void Scheduler::Push(sync::Priority priority, uint32_t stream, std::string message) {
  FULEI_CHECK(message.size() <= std::numeric_limits<uint32_t>::max());
  queued_bytes_ += message.size();
  class_bytes_[Index(priority)] += message.size();
  ++queued_messages_;
  Pending m{priority, stream, std::move(message)};
  if (config_.fifo) {
    fifo_.push_back(std::move(m));
    return;
  }
  Class& c = classes_[Index(priority)];
  auto& queue = c.streams[stream];
  if (queue.empty()) c.turn.push_back(stream);
  queue.push_back(std::move(m));
}

bool Scheduler::Cut(Pending* m, std::string* out) {
  const bool first = m->offset == 0;
  const size_t header = first ? kFirstChunkHeaderBytes : kChunkHeaderBytes;
  const size_t n = std::min(config_.chunk_bytes - header, m->body.size() - m->offset);
  const bool last = m->offset + n == m->body.size();
  AppendChunkHeader(m->priority, m->stream, first, last, static_cast<uint32_t>(m->body.size()),
                    out);
  out->append(m->body, m->offset, n);
  m->offset += n;
  queued_bytes_ -= n;
  class_bytes_[Index(m->priority)] -= n;
  if (last) --queued_messages_;
  return last;
}

sync::Priority Scheduler::NextChunk(std::string* out) {
  FULEI_CHECK(!empty());
  if (config_.fifo) {
    Pending& m = fifo_.front();
    const sync::Priority p = m.priority;
    if (Cut(&m, out)) fifo_.pop_front();
    return p;
  }
  for (Class& c : classes_) {
    if (c.turn.empty()) continue;
    const uint32_t stream = c.turn.front();
    c.turn.pop_front();
    auto it = c.streams.find(stream);
    FULEI_CHECK(it != c.streams.end() && !it->second.empty());
    Pending& m = it->second.front();
    const sync::Priority p = m.priority;
    if (Cut(&m, out)) it->second.pop_front();
    if (it->second.empty()) {
      c.streams.erase(it);
    } else {
      c.turn.push_back(stream);
    }
    return p;
  }
  FULEI_CHECK(false);
  return sync::Priority::kBulk;
}

}  // namespace fulei::net::internal
