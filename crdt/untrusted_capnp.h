// Reading a Cap'n Proto message from untrusted bytes, bounded before it is parsed (STYLE.md
// rule 10). The one place that checks the length, copies the bytes into word-aligned memory,
// opens a reader with explicit ReaderOptions and turns Cap'n Proto's exceptions into kCorruption:
// crdt/codec.cc (ops), crdt/record_codec.cc (record states) and sync/messages.cc (the sync
// protocol) all read through it, each with its own limits.
//
// This header does not include Cap'n Proto; a caller includes <capnp/message.h> to use the
// reader it is handed. Thread-safe (no shared state).
#ifndef FULEI_CRDT_UNTRUSTED_CAPNP_H_
#define FULEI_CRDT_UNTRUSTED_CAPNP_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "crdt/status.h"

namespace capnp {
class MessageReader;
}  // namespace capnp

namespace fulei::crdt {

// How the message's words are laid out.
enum class CapnpFraming : uint8_t {
  kSingleSegment,  // one segment's words, no segment table: canonical form (capnp::canonicalize)
  kFlatArray,      // a segment table, then the segments (capnp::messageToFlatArray)
};

// Every limit, stated by each caller (a limit left at 0 refuses every message).
struct CapnpLimits {
  size_t max_bytes = 0;  // longer input is refused before anything is copied or parsed
  // ReaderOptions::traversalLimitInWords = words * traversal_per_word + traversal_slack: a
  // reader may visit a word more than once (lists of structs), but shared pointers cannot make
  // it read more than a small multiple of the message (amplification).
  uint64_t traversal_per_word = 0;
  uint64_t traversal_slack = 0;
  int nesting_limit = 0;  // ReaderOptions::nestingLimit
};

namespace internal {
Status ReadUntrustedCapnp(std::string_view bytes, CapnpFraming framing, const CapnpLimits& limits,
                          std::string_view what,
                          Status (*read)(void* context, capnp::MessageReader& reader),
                          void* context);
}  // namespace internal

// Reads `bytes` as one Cap'n Proto message and calls `read(reader)`, a callable
// Status(capnp::MessageReader&) that copies out what it needs. Errors (all kCorruption, the
// message starting with `what`, e.g. "op"):
//   - "<what> of N bytes exceeds the L-byte limit" when bytes.size() > limits.max_bytes;
//   - "<what> length N is not a positive multiple of 8" for empty or unaligned input;
//   - "<what> does not decode: ..." when the reader or `read` throws kj::Exception (a damaged
//     segment table or pointer, a limit hit, or KJ_REQUIRE / KJ_FAIL_REQUIRE in `read`).
// A non-OK Status that `read` returns is returned as it is.
// The reader and every view taken from it are valid only during `read`.
template <typename Read>
Status ReadUntrustedCapnp(std::string_view bytes, CapnpFraming framing, const CapnpLimits& limits,
                          std::string_view what, Read&& read) {
  // An object (even when `read` is a plain function) that the non-template part calls back.
  auto call = [&read](capnp::MessageReader& reader) -> Status { return read(reader); };
  return internal::ReadUntrustedCapnp(
      bytes, framing, limits, what,
      [](void* context, capnp::MessageReader& reader) -> Status {
        return (*static_cast<decltype(call)*>(context))(reader);
      },
      &call);
}

}  // namespace fulei::crdt

#endif  // FULEI_CRDT_UNTRUSTED_CAPNP_H_
