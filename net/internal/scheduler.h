// Scheduler: the send queue of one link. Holds whole messages tagged (class, stream) and
// hands out one chunk at a time (chunk.h): always a chunk of the highest class waiting, and
// within a class round-robin over the streams that have something queued, one chunk per turn.
// Messages of one (class, stream) leave in the order they were pushed and are never
// interleaved with each other, so the peer needs one reassembly buffer per (class, stream).
//
// FIFO mode (SchedulerConfig::fifo) ignores classes and streams and sends whole messages in
// arrival order; it exists to measure what the classes buy (issue 6), not for production.
//
// Messages are cut lazily, so a large message costs no copies until its turn comes.
// Thread-compatible: owned by one link on its event loop. No I/O.
#ifndef FULEI_NET_INTERNAL_SCHEDULER_H_
#define FULEI_NET_INTERNAL_SCHEDULER_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <string>

#include "sync/priority.h"

namespace fulei::net::internal {

struct SchedulerConfig {
  // Plaintext bytes of one chunk, header included. REQUIRES: kMinChunkBytes <= chunk_bytes <=
  // crypto::kMaxFramePayload.
  size_t chunk_bytes = 4096;
  bool fifo = false;
};

class Scheduler {
 public:
  explicit Scheduler(SchedulerConfig config);

  // Queues a whole message. REQUIRES: message.size() fits in uint32_t.
  void Push(sync::Priority priority, uint32_t stream, std::string message);

  bool empty() const { return queued_messages_ == 0; }
  // Message bytes not yet handed out as chunks, in total and per class.
  size_t queued_bytes() const { return queued_bytes_; }
  size_t queued_bytes(sync::Priority p) const { return class_bytes_[Index(p)]; }

  // Appends the next chunk to *out and returns its class. REQUIRES: !empty().
  sync::Priority NextChunk(std::string* out);

 private:
  struct Pending {
    sync::Priority priority;
    uint32_t stream;
    std::string body;
    size_t offset = 0;  // bytes already cut
  };
  struct Class {
    std::map<uint32_t, std::deque<Pending>> streams;  // streams with something queued
    std::deque<uint32_t> turn;                        // round-robin order of those streams
  };
  static size_t Index(sync::Priority p) { return static_cast<size_t>(p); }

  // Cuts the next chunk of *m into *out; true when that chunk was the message's last.
  bool Cut(Pending* m, std::string* out);

  SchedulerConfig config_;
  std::array<Class, sync::kPriorityCount> classes_;
  std::deque<Pending> fifo_;
  size_t queued_messages_ = 0;
  size_t queued_bytes_ = 0;
  std::array<size_t, sync::kPriorityCount> class_bytes_{};
};

}  // namespace fulei::net::internal

#endif  // FULEI_NET_INTERNAL_SCHEDULER_H_
