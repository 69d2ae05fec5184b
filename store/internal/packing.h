// Zero-byte packing of stored values before they are sealed (layout: docs/store.md).
//
// The crdt encodings are canonical Cap'n Proto, about 40 % zero bytes (pointers, padding).
// Sealed bytes cannot be compressed, so values are packed first, with the scheme of Cap'n
// Proto's packed encoding: per 8-byte word, a tag byte whose bit i says byte i is non-zero,
// then those bytes; a zero tag is followed by a count of further all-zero words; an 0xFF tag by
// a count of further words copied verbatim. The packed form starts with the plaintext length
// (LEB128), so any byte string round-trips (a last partial word is zero-padded).
// Plain functions; thread-safe. Unpack reads untrusted bytes: bounded, kCorruption on anything
// malformed, never reads or writes out of bounds.
#ifndef FULEI_STORE_INTERNAL_PACKING_H_
#define FULEI_STORE_INTERNAL_PACKING_H_

#include <string>
#include <string_view>

#include "crdt/status.h"

namespace fulei::store::internal {

inline constexpr size_t kMaxUnpackedBytes = size_t{64} << 20;

std::string Pack(std::string_view plain);
Result<std::string> Unpack(std::string_view packed);

}  // namespace fulei::store::internal

#endif  // FULEI_STORE_INTERNAL_PACKING_H_
