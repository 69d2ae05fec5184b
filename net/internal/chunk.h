// Chunk: the plaintext inside one crypto::Channel frame of a net::Link. A message handed to
// Link::Send is cut into chunks; each chunk names its class and stream so the peer can
// reassemble messages that were interleaved on the wire. Format: docs/net.md#chunks.
//
//   byte 0     flags: bits 0-1 class (sync::Priority), bit 2 FIRST, bit 3 LAST,
//              bit 4 KEEPALIVE, bits 5-7 zero
//   bytes 1-4  stream id, u32 big-endian                  (absent in a keepalive)
//   bytes 5-8  message length, u32 big-endian             (FIRST chunks only)
//   rest       message bytes                              (none in a keepalive)
//
// A keepalive is exactly the one byte 0x10. Pure functions on values; thread-safe.
#ifndef FULEI_NET_INTERNAL_CHUNK_H_
#define FULEI_NET_INTERNAL_CHUNK_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "crdt/status.h"
#include "net/link_config.h"
#include "sync/priority.h"

namespace fulei::net::internal {

inline constexpr uint8_t kChunkFirst = 1u << 2;
inline constexpr uint8_t kChunkLast = 1u << 3;
inline constexpr uint8_t kChunkKeepalive = 1u << 4;
inline constexpr uint8_t kChunkReservedBits = 0xE0;

inline constexpr size_t kChunkHeaderBytes = 5;           // flags + stream
inline constexpr size_t kFirstChunkHeaderBytes = 9;      // flags + stream + message length
static_assert(kFirstChunkHeaderBytes < kMinChunkBytes);  // net/link_config.h

struct ChunkView {
  bool keepalive = false;
  sync::Priority priority = sync::Priority::kUrgent;
  uint32_t stream = 0;
  bool first = false;
  bool last = false;
  uint32_t message_length = 0;  // only meaningful when first
  std::string_view payload;     // points into the parsed bytes
};

// Appends the header of a data chunk to *out (callers append the payload).
void AppendChunkHeader(sync::Priority priority, uint32_t stream, bool first, bool last,
                       uint32_t message_length, std::string* out);

// The keepalive chunk.
std::string KeepaliveChunk();

// Parses one chunk. kCorruption for a short header, reserved bits, a keepalive with extra
// bytes, or a FIRST chunk whose payload exceeds its declared message length.
// The returned view points into `bytes` and lives as long as they do.
Result<ChunkView> ParseChunk(std::string_view bytes);

}  // namespace fulei::net::internal

#endif  // FULEI_NET_INTERNAL_CHUNK_H_
