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

// A deterministic, non-cryptographic Random (splitmix64) drawn from a 64-bit seed, so that keys
// and nonces replay exactly: for tests, benchmarks and the simulator. NEVER for a real node's
// keys (a seed of 64 bits is guessable); the node and the `fulei` command use SystemRandom.
class DeterministicRandom final : public Random {
 public:
  explicit DeterministicRandom(uint64_t seed) : state_(seed) {}
  void Fill(uint8_t* out, size_t n) override;
  // The next 64 random bits.
  uint64_t Next();

 private:
  uint64_t state_;
};

// Initialises libsodium once; thread-safe and idempotent. Aborts if libsodium cannot start.
void EnsureSodium();

}  // namespace fulei::crypto

#endif  // FULEI_CRYPTO_RANDOM_H_
