#include "net/internal/reassembler.h"

#include <algorithm>

#include "net/internal/chunk.h"

namespace fulei::net::internal {

Result<std::optional<LinkMessage>> Reassembler::Feed(std::string_view bytes) {
  FULEI_ASSIGN_OR_RETURN(ChunkView c, ParseChunk(bytes));
  if (c.keepalive) return std::optional<LinkMessage>();
  const auto key = std::make_pair(static_cast<uint8_t>(c.priority), c.stream);
  auto it = partial_.find(key);
  if (c.first) {
    if (it != partial_.end()) return Corruption("FIRST chunk on a stream with a message open");
    if (c.message_length > limits_.max_message_bytes) {
      return ResourceExhausted("peer message of " + std::to_string(c.message_length) +
                               " bytes exceeds the limit of " +
                               std::to_string(limits_.max_message_bytes));
    }
    if (c.last) {
      if (c.payload.size() != c.message_length) {
        return Corruption("single-chunk message shorter than declared");
      }
      return std::optional<LinkMessage>(LinkMessage{c.priority, c.stream, std::string(c.payload)});
    }
    if (partial_.size() >= limits_.max_partial_messages) {
      return ResourceExhausted("peer opened too many incomplete messages");
    }
    if (c.message_length > limits_.max_reassembly_bytes - reserved_) {
      return ResourceExhausted("peer's incomplete messages exceed the reassembly budget");
    }
    reserved_ += c.message_length;
    Partial p{LinkMessage{c.priority, c.stream, {}}, c.message_length};
    // Reserve no more than what has arrived plus one chunk's worth: the declared length is
    // a peer's claim, and the budget above already bounds it.
    p.message.body.reserve(std::min<size_t>(c.message_length, 64 * 1024));
    p.message.body.append(c.payload);
    partial_.emplace(key, std::move(p));
    return std::optional<LinkMessage>();
  }
  if (it == partial_.end()) return Corruption("continuation chunk with no message open");
  Partial& p = it->second;
  if (c.payload.size() > p.expected - p.message.body.size()) {
    return Corruption("chunk runs past its message's declared length");
  }
  p.message.body.append(c.payload);
  const bool complete = p.message.body.size() == p.expected;
  if (c.last != complete) return Corruption("LAST flag disagrees with the declared length");
  if (!c.last) return std::optional<LinkMessage>();
  LinkMessage done = std::move(p.message);
  reserved_ -= p.expected;
  partial_.erase(it);
  return std::optional<LinkMessage>(std::move(done));
}

}  // namespace fulei::net::internal
