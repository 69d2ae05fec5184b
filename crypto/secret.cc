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

}  // namespace fulei::crypto
