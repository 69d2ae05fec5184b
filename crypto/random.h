// Random: the source of randomness that crypto/ draws keys, nonces and token secrets from.
//
// Passed in as an interface (STYLE.md rule 12) so that tests and the simulator can be
// deterministic. SystemRandom is libsodium's randombytes_buf (getrandom(2) on Linux); production
// code uses it. Fill() never fails. SystemRandom is thread-safe; test doubles need not be.
#ifndef FULEI_CRYPTO_RANDOM_H_
#define FULEI_CRYPTO_RANDOM_H_

#include <cstddef>
#include <cstdint>

namespace fulei::crypto {

class Random {
 public:
  virtual ~Random() = default;
  virtual void Fill(uint8_t* out, size_t n) = 0;
};

class SystemRandom final : public Random {
 public:
  SystemRandom();  // initialises libsodium (aborts if it cannot: broken start-up)
  void Fill(uint8_t* out, size_t n) override;
};

// Initialises libsodium once; thread-safe and idempotent. Aborts if libsodium cannot start.
void EnsureSodium();

}  // namespace fulei::crypto

#endif  // FULEI_CRYPTO_RANDOM_H_
