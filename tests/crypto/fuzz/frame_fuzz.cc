// libFuzzer target: the transport frame decoder (Transport::Feed), fed in pieces whose sizes
// come from the input. Invariants: after the first error the session stays closed and yields
// nothing; every delivered message fits the frame limit.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "tests/crypto/fuzz/fuzz_world.h"

using namespace fulei::crypto;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  Transport receiver = fuzzing::MakeTransport(false);
  size_t step = data[0] == 0 ? size : data[0];
  std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  std::vector<std::string> messages;
  bool failed = false;
  for (size_t pos = 0; pos < in.size(); pos += step) {
    size_t before = messages.size();
    fulei::Status s = receiver.Feed(in.substr(pos, step), &messages);
    if (failed && (s.ok() || messages.size() != before)) std::abort();
    if (!s.ok()) {
      failed = true;
      if (!receiver.closed()) std::abort();
    }
  }
  for (const std::string& m : messages) {
    if (m.size() > kMaxFramePayload) std::abort();
  }
  if (!failed) (void)receiver.Finish();
  return 0;
}
