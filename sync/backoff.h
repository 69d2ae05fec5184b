// Backoff: reconnect delays for a dialing node — exponential growth with "full jitter": the n-th
// delay after a failure is uniform in [0, min(max, initial * 2^n)], so that a town's villages,
// cut off together by one outage, do not all redial in the same instant when it ends.
// Reset() after a link got established. The random source is a seed, so tests and the
// simulator are reproducible; the node seeds it from crypto::SystemRandom.
// It lives in sync/ (not net/) so that the sans-I/O node core, which decides when to redial, and
// net::Dialer share one policy.
// Thread-compatible value type. No I/O, no clock: the caller waits the returned delay.
#ifndef FULEI_SYNC_BACKOFF_H_
#define FULEI_SYNC_BACKOFF_H_

#include <chrono>
#include <cstdint>
#include <random>

namespace fulei::sync {

struct BackoffConfig {
  std::chrono::milliseconds initial{500};
  std::chrono::milliseconds max{60'000};
};

class Backoff {
 public:
  // REQUIRES: 0 < initial <= max.
  Backoff(BackoffConfig config, uint64_t seed);

  // The delay before the next attempt; grows the ceiling for the one after.
  std::chrono::milliseconds Next();
  // The ceiling of the next delay.
  std::chrono::milliseconds ceiling() const { return ceiling_; }
  void Reset() { ceiling_ = config_.initial; }

 private:
  BackoffConfig config_;
  std::chrono::milliseconds ceiling_;
  std::mt19937_64 random_;
};

}  // namespace fulei::sync

#endif  // FULEI_SYNC_BACKOFF_H_
