#include "node/sim/event_loop.h"

#include <algorithm>

namespace fulei::node::sim {

void EventLoop::At(uint64_t when, std::function<void()> fn, bool background) {
  events_.push(Event{std::max(when, now_), next_order_++, background, std::move(fn)});
  if (!background) ++active_;
}

bool EventLoop::RunOne() {
  Event e = events_.top();
  events_.pop();
  now_ = e.when;
  if (!e.background) {
    --active_;
    last_active_ = now_;
  }
  e.fn();
  return error_.ok();
}

Status EventLoop::RunUntil(uint64_t limit) {
  while (!events_.empty() && events_.top().when <= limit) {
    if (!RunOne()) return error_;
  }
  now_ = std::max(now_, limit);
  return Status::Ok();
}

Result<bool> EventLoop::RunUntilQuiet(uint64_t limit) {
  while (active_ > 0) {
    if (events_.top().when > limit) return false;
    if (!RunOne()) return error_;
  }
  return true;
}

void EventLoop::Fail(Status st) {
  if (error_.ok()) error_ = std::move(st);
}

uint64_t Dice::Exp(uint64_t mean) {
  std::exponential_distribution<double> d(1.0 / static_cast<double>(mean));
  return static_cast<uint64_t>(d(rng_)) + 1;
}

uint64_t Dice::Uniform(uint64_t lo, uint64_t hi) {
  return std::uniform_int_distribution<uint64_t>(lo, hi)(rng_);
}

bool Dice::Chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }

}  // namespace fulei::node::sim
