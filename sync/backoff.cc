#include "sync/backoff.h"

#include <algorithm>

#include "crdt/status.h"

namespace fulei::sync {

Backoff::Backoff(BackoffConfig config, uint64_t seed)
    : config_(config), ceiling_(config.initial), random_(seed) {
  FULEI_CHECK(config_.initial.count() > 0 && config_.initial <= config_.max);
}

std::chrono::milliseconds Backoff::Next() {
  std::uniform_int_distribution<int64_t> pick(0, ceiling_.count());
  const std::chrono::milliseconds delay(pick(random_));
  ceiling_ = std::min(config_.max, ceiling_ * 2);
  return delay;
}

}  // namespace fulei::sync
