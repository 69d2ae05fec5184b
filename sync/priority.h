// Traffic classes of fulei's links, highest first. The sync protocol tags every message it
// emits with one; the transport (net/) cuts messages into frames and always sends a frame of the
// highest class waiting, round-robin by stream within a class.
//
//   kUrgent  mandatory reports (强制报告), help requests (求助), their receipts and status
//   kControl handshakes of the protocol: hello, digests, vectors, acks, keepalives
//   kNormal  record sync (ops the peer lacks)
//   kBulk    backfill of a long-offline peer, attachments
#ifndef FULEI_SYNC_PRIORITY_H_
#define FULEI_SYNC_PRIORITY_H_

#include <cstdint>
#include <string_view>

namespace fulei::sync {

enum class Priority : uint8_t { kUrgent = 0, kControl = 1, kNormal = 2, kBulk = 3 };
inline constexpr int kPriorityCount = 4;

inline std::string_view PriorityName(Priority p) {
  switch (p) {
    case Priority::kUrgent:
      return "urgent";
    case Priority::kControl:
      return "control";
    case Priority::kNormal:
      return "normal";
    case Priority::kBulk:
      return "bulk";
  }
  return "unknown";
}

}  // namespace fulei::sync

#endif  // FULEI_SYNC_PRIORITY_H_
