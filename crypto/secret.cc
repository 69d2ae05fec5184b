#include "crypto/secret.h"

#include <sodium.h>

#include "crdt/status.h"
#include "crypto/random.h"

namespace fulei::crypto {
namespace internal {
void Wipe(void* p, size_t n) { sodium_memzero(p, n); }
bool ConstantTimeEquals(const void* a, const void* b, size_t n) {
  return sodium_memcmp(a, b, n) == 0;
}
}  // namespace internal

void EnsureSodium() {
  // sodium_init() is thread-safe; it returns 1 when already initialised.
  if (sodium_init() < 0)
    ::fulei::internal::CheckFailed(__FILE__, __LINE__, "sodium_init() >= 0", "");
}

SystemRandom::SystemRandom() { EnsureSodium(); }

void SystemRandom::Fill(uint8_t* out, size_t n) { randombytes_buf(out, n); }

uint64_t DeterministicRandom::Next() {
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

void DeterministicRandom::Fill(uint8_t* out, size_t n) {
  uint64_t word = 0;
  for (size_t i = 0; i < n; ++i) {
    if (i % 8 == 0) word = Next();
    out[i] = static_cast<uint8_t>(word >> (8 * (i % 8)));
  }
}

}  // namespace fulei::crypto
