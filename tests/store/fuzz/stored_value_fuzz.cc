// Fuzzes the store's decoders of bytes read back from disk: value unpacking, the checked frame
// and the key parsers. Each must return a value or a Status on any input, never crash or read
// out of bounds; what unpacks must pack back to bytes that unpack to the same value.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "store/internal/keys.h"
#include "store/internal/packing.h"
#include "store/internal/value_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace fulei::store::internal;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto unpacked = Unpack(in);
  if (unpacked.ok()) {
    auto again = Unpack(Pack(*unpacked));
    if (!again.ok() || *again != *unpacked) std::abort();
  }
  auto plain = Unchecked("state", "k", in);
  if (plain.ok() && Checked("state", "k", *plain) != in) std::abort();
  (void)ParseOpKey(in);
  (void)ParseChainKey(in);
  (void)ParseStateKey(in);
  (void)ParseOutboxKey(in);
  return 0;
}
