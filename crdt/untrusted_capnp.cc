#include "crdt/untrusted_capnp.h"

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/exception.h>

#include <cstring>
#include <string>

namespace fulei::crdt::internal {

Status ReadUntrustedCapnp(std::string_view bytes, CapnpFraming framing, const CapnpLimits& limits,
                          std::string_view what,
                          Status (*read)(void* context, capnp::MessageReader& reader),
                          void* context) {
  if (bytes.size() > limits.max_bytes) {
    return Corruption(std::string(what) + " of " + std::to_string(bytes.size()) +
                      " bytes exceeds the " + std::to_string(limits.max_bytes) + "-byte limit");
  }
  if (bytes.empty() || bytes.size() % sizeof(capnp::word) != 0) {
    return Corruption(std::string(what) + " length " + std::to_string(bytes.size()) +
                      " is not a positive multiple of 8");
  }
  // Cap'n Proto reads words in place: copy into aligned memory (a string's data need not be).
  auto words = kj::heapArray<capnp::word>(bytes.size() / sizeof(capnp::word));
  std::memcpy(words.begin(), bytes.data(), bytes.size());
  capnp::ReaderOptions options;
  options.traversalLimitInWords = words.size() * limits.traversal_per_word + limits.traversal_slack;
  options.nestingLimit = limits.nesting_limit;

  Status status;
  // Cap'n Proto reports structural damage by throwing kj::Exception; it never leaves here.
  kj::Maybe<kj::Exception> failure = kj::runCatchingExceptions([&]() {
    switch (framing) {
      case CapnpFraming::kSingleSegment: {
        const kj::ArrayPtr<const capnp::word> segments[1] = {words};
        capnp::SegmentArrayMessageReader reader(kj::arrayPtr(segments, 1), options);
        status = read(context, reader);
        break;
      }
      case CapnpFraming::kFlatArray: {
        capnp::FlatArrayMessageReader reader(words, options);
        status = read(context, reader);
        break;
      }
    }
  });
  KJ_IF_MAYBE (e, failure) {
    return Corruption(std::string(what) + " does not decode: " + e->getDescription().cStr());
  }
  return status;
}

}  // namespace fulei::crdt::internal
