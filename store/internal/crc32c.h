// CRC-32C (Castagnoli), the checksum of values the store keeps unsealed (docs/store.md).
// Software, table-driven (slicing by 8), so it gives the same result on x86-64 and arm64.
// Thread-safe.
#ifndef FULEI_STORE_INTERNAL_CRC32C_H_
#define FULEI_STORE_INTERNAL_CRC32C_H_

#include <cstdint>
#include <string_view>

namespace fulei::store::internal {

// Extends `crc` (the value returned for the bytes so far; 0 for none) over `data`.
uint32_t Crc32cExtend(uint32_t crc, std::string_view data);
inline uint32_t Crc32c(std::string_view data) { return Crc32cExtend(0, data); }

}  // namespace fulei::store::internal

#endif  // FULEI_STORE_INTERNAL_CRC32C_H_
