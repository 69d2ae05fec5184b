// Reassembler: the receive side of the chunk format (chunk.h, docs/net.md#chunks). Collects the
// chunks of each (class, stream) into whole messages, within fixed bounds (ReassemblyLimits in
// net/link_config.h), because the chunks come from a peer and are untrusted even after the
// channel authenticated them:
//   - a message longer than max_message_bytes is refused at its FIRST chunk;
//   - at most max_partial_messages messages may be incomplete at once;
//   - the declared lengths of all incomplete messages together stay within
//     max_reassembly_bytes (reserved when the FIRST chunk arrives, so a peer cannot grow the
//     buffers past the bound by sending slowly).
// Any violation, and any chunk that breaks the format (a FIRST chunk while a message is open on
// its stream, a continuation with none open, more bytes than declared, LAST before the declared
// length), returns an error; the link then closes. After an error the reassembler must not
// be fed again.
// Thread-compatible: owned by one link on its event loop.
#ifndef FULEI_NET_INTERNAL_REASSEMBLER_H_
#define FULEI_NET_INTERNAL_REASSEMBLER_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "crdt/status.h"
#include "net/link_config.h"
#include "net/link_message.h"

namespace fulei::net::internal {

class Reassembler {
 public:
  explicit Reassembler(ReassemblyLimits limits) : limits_(limits) {}

  // Feeds one decrypted chunk. Returns the message this chunk completed, or nullopt (a
  // keepalive, or a message still incomplete). kCorruption for a malformed chunk or sequence,
  // kResourceExhausted for a bound exceeded.
  Result<std::optional<LinkMessage>> Feed(std::string_view chunk);

  size_t partial_messages() const { return partial_.size(); }
  size_t reserved_bytes() const { return reserved_; }

 private:
  struct Partial {
    LinkMessage message;
    size_t expected = 0;
  };
  ReassemblyLimits limits_;
  std::map<std::pair<uint8_t, uint32_t>, Partial> partial_;
  size_t reserved_ = 0;
};

}  // namespace fulei::net::internal

#endif  // FULEI_NET_INTERNAL_REASSEMBLER_H_
