#include "net/internal/chunk.h"

namespace fulei::net::internal {
namespace {

void PutU32(uint32_t v, std::string* out) {
  out->push_back(static_cast<char>(v >> 24));
  out->push_back(static_cast<char>(v >> 16));
  out->push_back(static_cast<char>(v >> 8));
  out->push_back(static_cast<char>(v));
}

uint32_t GetU32(std::string_view b, size_t at) {
  return static_cast<uint32_t>(static_cast<uint8_t>(b[at])) << 24 |
         static_cast<uint32_t>(static_cast<uint8_t>(b[at + 1])) << 16 |
         static_cast<uint32_t>(static_cast<uint8_t>(b[at + 2])) << 8 |
         static_cast<uint32_t>(static_cast<uint8_t>(b[at + 3]));
}

}  // namespace

void AppendChunkHeader(sync::Priority priority, uint32_t stream, bool first, bool last,
                       uint32_t message_length, std::string* out) {
  uint8_t flags = static_cast<uint8_t>(priority) & 3u;
  if (first) flags |= kChunkFirst;
  if (last) flags |= kChunkLast;
  out->push_back(static_cast<char>(flags));
  PutU32(stream, out);
  if (first) PutU32(message_length, out);
}

std::string KeepaliveChunk() { return std::string(1, static_cast<char>(kChunkKeepalive)); }

Result<ChunkView> ParseChunk(std::string_view bytes) {
  if (bytes.empty()) return Corruption("empty chunk");
  const uint8_t flags = static_cast<uint8_t>(bytes[0]);
  if (flags & kChunkReservedBits) return Corruption("chunk with reserved flag bits set");
  ChunkView c;
  if (flags & kChunkKeepalive) {
    if (flags != kChunkKeepalive || bytes.size() != 1) return Corruption("malformed keepalive");
    c.keepalive = true;
    return c;
  }
  c.priority = static_cast<sync::Priority>(flags & 3u);
  c.first = (flags & kChunkFirst) != 0;
  c.last = (flags & kChunkLast) != 0;
  const size_t header = c.first ? kFirstChunkHeaderBytes : kChunkHeaderBytes;
  if (bytes.size() < header) return Corruption("chunk shorter than its header");
  c.stream = GetU32(bytes, 1);
  if (c.first) c.message_length = GetU32(bytes, 5);
  c.payload = bytes.substr(header);
  if (c.first && c.payload.size() > c.message_length) {
    return Corruption("chunk longer than its declared message");
  }
  return c;
}

}  // namespace fulei::net::internal
