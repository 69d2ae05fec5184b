#include "node/sim/faults.h"

namespace fulei::node::sim {

void FaultSchedule::Start() {
  on_ = config_.faults;
  network_.set_faults(on_);
  if (!on_) return;
  for (const NodeInfo& n : nodes_.info()) {
    if (n.parent >= 0) SchedulePartition(n.index);
    ScheduleCrash(n.index);
    // (No draw when off, so runs without hostile clocks replay as before.) Not in the
    // revocation scenario: a village revoked mid-run can leave an urgent op of its own pending at
    // the city behind ops of its chain that no relay sends any more, which that scenario's
    // checks count as lost; hostile clocks reorder its traffic enough to make that likely.
    if (n.parent >= 0 && config_.mean_hostile_clock_interval_ms > 0 && config_.revoke_at_ms == 0) {
      ScheduleHostileClock(n.index);
    }
  }
}

Status FaultSchedule::Heal() {
  on_ = false;
  network_.set_faults(false);
  for (const NodeInfo& n : nodes_.info()) {
    if (hostile_.count(n.index) != 0) nodes_.TakeDown(n.index, "clock set right");
    if (nodes_.core(n.index) == nullptr) FULEI_RETURN_IF_ERROR(RestartSane(n.index));
    for (size_t k = 0; k < n.ups.size(); ++k) network_.SetLinkUp(n.index, k, true);
  }
  return Status::Ok();
}

void FaultSchedule::SchedulePartition(int i) {
  loop_.At(
      loop_.now() + dice_.Exp(config_.mean_partition_interval_ms),
      [this, i] {
        if (!on_) return;
        const NodeInfo& n = nodes_.info()[static_cast<size_t>(i)];
        const size_t k = n.ups.size() > 1 ? dice_.Uniform(0, n.ups.size() - 1) : 0;  // one link
        if (network_.link_up(i, k)) {
          partitions_++;
          network_.SetLinkUp(i, k, false);
          loop_.At(loop_.now() + dice_.Uniform(10'000, 5 * 60'000),
                   [this, i, k] { network_.SetLinkUp(i, k, true); });
        }
        SchedulePartition(i);
      },
      /*background=*/true);  // recurring; the partition's own healing is not background
}

void FaultSchedule::ScheduleCrash(int i) {
  loop_.At(
      loop_.now() + dice_.Exp(config_.mean_crash_interval_ms),
      [this, i] {
        if (!on_) return;
        if (nodes_.core(i) != nullptr) {
          crashes_++;
          nodes_.TakeDown(i, "crash");
          RestartAt(i, loop_.now() + dice_.Uniform(5'000, 3 * 60'000));
        }
        ScheduleCrash(i);
      },
      /*background=*/true);
}

void FaultSchedule::ScheduleHostileClock(int i) {
  loop_.At(
      loop_.now() + dice_.Exp(config_.mean_hostile_clock_interval_ms),
      [this, i] {
        if (!on_) return;
        if (nodes_.core(i) != nullptr && hostile_.count(i) == 0) {
          hostile_clocks_++;
          nodes_.TakeDown(i, "restart with a wrong clock");
          constexpr uint64_t kDay = 86'400'000;
          const uint64_t ahead = dice_.Chance(0.5) ? dice_.Uniform(30 * kDay, 300 * kDay)
                                                   : dice_.Uniform(2 * 365 * kDay, 5 * 365 * kDay);
          hostile_.insert(i);
          Status st = nodes_.Restart(i, static_cast<int64_t>(ahead));
          if (!st.ok()) return loop_.Fail(st);
          // Someone notices and sets the clock right: a restart with a sane one.
          const uint64_t epoch = nodes_.epoch(i);
          loop_.At(loop_.now() + dice_.Uniform(60'000, 10 * 60'000), [this, i, epoch] {
            if (hostile_.count(i) == 0 || nodes_.epoch(i) != epoch) return;
            nodes_.TakeDown(i, "clock set right");
            if (Status restarted = RestartSane(i); !restarted.ok()) loop_.Fail(restarted);
          });
        }
        ScheduleHostileClock(i);
      },
      /*background=*/true);
}

Status FaultSchedule::RestartSane(int i) {
  hostile_.erase(i);
  if (nodes_.core(i) != nullptr) return Status::Ok();
  return nodes_.Restart(i, RestartSkew(i));
}

void FaultSchedule::RestartAt(int i, uint64_t when) {
  loop_.At(when, [this, i] {
    if (nodes_.core(i) != nullptr) return;
    Status st = RestartSane(i);
    if (!st.ok()) loop_.Fail(st);
  });
}

int64_t FaultSchedule::RestartSkew(int i) {
  // A village's Raspberry Pi without RTC may come back believing it is 1970 (towns and the
  // city keep NTP time).
  if (nodes_.info()[static_cast<size_t>(i)].role == crypto::Role::kVillage && dice_.Chance(0.3)) {
    return -static_cast<int64_t>(kEpochMs + loop_.now());
  }
  return static_cast<int64_t>(dice_.Uniform(0, 2000)) - 1000;
}

}  // namespace fulei::node::sim
