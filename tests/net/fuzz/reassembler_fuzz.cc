// libFuzzer target for the receive side of net/ chunks (docs/net.md#chunks). The input is a
// sequence of chunks, each as a 2-byte big-endian length then the chunk, fed to a Reassembler
// with small limits until the first error. Never crashes, never exceeds its bounds: every
// message it returns fits max_message_bytes and the reserved budget stays within its limit.
// The last byte of the input, if the length prefixes leave one, is ignored.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "net/internal/reassembler.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using fulei::net::ReassemblyLimits;
  using fulei::net::internal::Reassembler;
  const ReassemblyLimits limits{
      .max_message_bytes = 4096, .max_partial_messages = 4, .max_reassembly_bytes = 8192};
  Reassembler r(limits);
  std::string_view in(reinterpret_cast<const char*>(data), size);
  while (in.size() >= 2) {
    const size_t n =
        static_cast<size_t>(static_cast<uint8_t>(in[0])) << 8 | static_cast<uint8_t>(in[1]);
    in.remove_prefix(2);
    if (n > in.size()) break;
    auto m = r.Feed(in.substr(0, n));
    in.remove_prefix(n);
    if (!m.ok()) break;
    if (m->has_value() && (*m)->body.size() > limits.max_message_bytes) std::abort();
    if (r.reserved_bytes() > limits.max_reassembly_bytes) std::abort();
    if (r.partial_messages() > limits.max_partial_messages) std::abort();
  }
  return 0;
}
