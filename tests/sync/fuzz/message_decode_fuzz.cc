// libFuzzer target: the sync message decoder. Accepted messages must re-encode and decode to
// the same value.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "sync/messages.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto m = fulei::sync::DecodeMessage(std::string_view(reinterpret_cast<const char*>(data), size));
  if (m.ok()) {
    auto again = fulei::sync::DecodeMessage(fulei::sync::EncodeMessage(*m));
    if (!again.ok() || !(*again == *m)) std::abort();
  }
  return 0;
}
