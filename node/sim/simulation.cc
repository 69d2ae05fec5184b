#include "node/sim/simulation.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>

#include "crypto/data_key.h"
#include "crypto/identity.h"
#include "crypto/random.h"
#include "node/core/core.h"
#include "node/core/data_key_sealer.h"
#include "node/sim/diagnosis.h"
#include "node/sim/event_loop.h"
#include "node/sim/faults.h"
#include "node/sim/invariants.h"
#include "node/sim/ledger.h"
#include "node/sim/network.h"
#include "node/sim/nodes.h"
#include "node/sim/workload.h"

namespace fulei::node::sim {
namespace {

// One node of the simulated city: who it is, where its data lives, and its core while it is up.
struct SimNode {
  crypto::CertChain chain;
  std::string dir;
  int64_t skew_ms = 0;
  uint64_t epoch = 0;  // bumps on crash and restart: stale events are ignored
  uint64_t backoff_seed = 0;
  std::unique_ptr<DataKeySealer> sealer;  // the node's data keys, kept across restarts
  std::unique_ptr<NodeCore> core;
  std::map<TimerId, uint64_t> timers;  // timer -> generation of its latest kSetTimer
  NodeStats past;                      // stats of the cores that crashed
};

class Simulation final : public Nodes {
 public:
  explicit Simulation(const SimConfig& config)
      : config_(config),
        dice_(config.seed),
        crypto_random_(config.seed ^ 0x5eed),
        network_(config_, loop_, dice_, *this, diagnosis_),
        workload_(config_, loop_, dice_, *this, ledger_),
        faults_(config_, loop_, dice_, *this, network_) {
    result_.seed = config.seed;
  }

  SimResult Run();

  // ---- Nodes ----
  const std::vector<NodeInfo>& info() const override { return info_; }
  NodeCore* core(int i) override { return node(i).core.get(); }
  uint64_t epoch(int i) const override { return nodes_[static_cast<size_t>(i)].epoch; }
  uint64_t Wall(int i) const override {
    return static_cast<uint64_t>(static_cast<int64_t>(kEpochMs + loop_.now()) +
                                 nodes_[static_cast<size_t>(i)].skew_ms);
  }
  void Drive(int i) override;
  void TakeDown(int i, const char* why) override;
  Status Restart(int i, int64_t skew_ms) override;
  bool revoked(int i) const override { return scenarios_ && scenarios_->revoked() == i; }

 private:
  SimNode& node(int i) { return nodes_[static_cast<size_t>(i)]; }
  Status Build();
  int AddNode(std::string unit, crypto::Role role, int parent);
  Status StartCore(int i);
  Status Simulate();
  void Dispatch(int i, Action& action);
  void Finish();

  SimConfig config_;
  EventLoop loop_;
  Dice dice_;
  crypto::DeterministicRandom crypto_random_;
  Diagnosis diagnosis_;
  Ledger ledger_;
  std::filesystem::path root_dir_;
  std::optional<crypto::SigningKey> root_key_;
  std::vector<NodeInfo> info_;
  std::vector<SimNode> nodes_;
  SimNetwork network_;
  Workload workload_;
  FaultSchedule faults_;
  std::optional<Scenarios> scenarios_;
  uint64_t rejected_batches_ = 0;
  SimResult result_;
};

SimResult Simulation::Run() {
  root_dir_ = std::filesystem::path(config_.work_dir) / ("sim-" + std::to_string(config_.seed));
  std::filesystem::remove_all(root_dir_);
  std::filesystem::create_directories(root_dir_);
  Status st = Build();
  if (st.ok() && config_.on_phase) config_.on_phase("built");
  if (st.ok()) st = Simulate();
  if (st.ok() && config_.on_phase) config_.on_phase("converged");
  Invariants invariants(*this, ledger_, diagnosis_);
  if (st.ok()) st = invariants.Check();
  if (st.ok() && config_.check_aggregates) st = invariants.CheckAggregates(kEpochMs + loop_.now());
  if (st.ok()) st = scenarios_->Check(result_);
  result_.scopes_checked = invariants.scopes_checked();
  result_.receipts_checked = invariants.receipts_checked();
  result_.aggregates_checked = invariants.aggregates_checked();
  result_.city_children = invariants.city_children();
  result_.city_reports = invariants.city_reports();
  result_.city_figures = invariants.city_figures();
  result_.ok = st.ok();
  if (!st.ok()) result_.failure = "seed " + std::to_string(config_.seed) + ": " + st.ToString();
  Finish();
  if (std::getenv("FULEI_SIM_DEBUG") != nullptr) diagnosis_.PrintTally();
  return result_;
}

// ------------------------------------------------------------------ set-up

int Simulation::AddNode(std::string unit, crypto::Role role, int parent) {
  NodeInfo n;
  n.index = static_cast<int>(info_.size());
  n.unit = std::move(unit);
  n.role = role;
  n.parent = parent;
  info_.push_back(std::move(n));
  nodes_.emplace_back();
  return info_.back().index;
}

Status Simulation::Build() {
  root_key_.emplace(crypto::SigningKey::Generate(crypto_random_));
  AddNode("jinjiang", crypto::Role::kCity, -1);
  const int towns =
      config_.town_units.empty() ? config_.towns : static_cast<int>(config_.town_units.size());
  for (int t = 0; t < towns; ++t) {
    const int town =
        AddNode(config_.town_units.empty() ? "jinjiang/t" + std::to_string(t)
                                           : config_.town_units[static_cast<size_t>(t)],
                crypto::Role::kTown, 0);
    int villages = config_.villages_per_town;
    if (!config_.villages_by_town.empty()) {
      if (config_.villages_by_town.size() != static_cast<size_t>(towns)) {
        return InvalidArgument(
            "villages_by_town: " + std::to_string(config_.villages_by_town.size()) +
            " counts for " + std::to_string(towns) + " towns");
      }
      villages = config_.villages_by_town[static_cast<size_t>(t)];
    } else if (config_.total_villages > 0) {
      villages = config_.total_villages / towns + (t < config_.total_villages % towns ? 1 : 0);
    }
    for (int v = 0; v < villages; ++v) {
      char name[16];
      std::snprintf(name, sizeof name, "/v%03d", v + 1);
      AddNode(info_[static_cast<size_t>(town)].unit + name, crypto::Role::kVillage, town);
    }
  }
  scenarios_.emplace(config_, loop_, dice_, *this, network_, workload_, faults_, ledger_,
                     *root_key_);
  network_.set_on_established(
      [this](int child, int parent) { scenarios_->OnEstablished(child, parent); });
  for (NodeInfo& n : info_) {
    SimNode& s = node(n.index);
    if (n.parent >= 0) n.ups.push_back(n.parent);
    // (No draw when the fraction is 0: runs without a fallback draw nothing for it.)
    if (n.role == crypto::Role::kVillage && config_.city_fallback_fraction > 0 &&
        dice_.Chance(config_.city_fallback_fraction)) {
      n.ups.push_back(0);
    }
    s.backoff_seed = dice_.Uniform(1, UINT64_MAX / 2);
    const crypto::NodeIdentity identity = crypto::NodeIdentity::Generate(crypto_random_);
    n.id = identity.node_id();
    FULEI_ASSIGN_OR_RETURN(crypto::Certificate cert,
                           crypto::CertifyNode(identity, n.role, n.unit, 0,
                                               kEpochMs + 365ull * 86'400'000, *root_key_));
    s.chain = {std::move(cert)};
    s.dir = (root_dir_ / ("n" + std::to_string(n.index))).string();
    std::filesystem::create_directories(s.dir);
    FULEI_RETURN_IF_ERROR(identity.Save(s.dir, crypto::KeyProtection::None(), crypto_random_));
  }
  for (const NodeInfo& n : info_) {
    FULEI_RETURN_IF_ERROR(StartCore(n.index));
    if (n.role == crypto::Role::kVillage) FULEI_RETURN_IF_ERROR(workload_.Preload(n.index));
  }
  result_.nodes = info_.size();
  result_.preloaded_ops = workload_.preloaded_ops();
  return Status::Ok();
}

// Opens node i's core from its data directory, as a node process starts.
Status Simulation::StartCore(int i) {
  const NodeInfo& n = info_[static_cast<size_t>(i)];
  SimNode& s = node(i);
  CoreConfig cc;
  cc.unit = n.unit;
  cc.data_dir = s.dir;
  for (int up : n.ups) cc.upstream_units.push_back(info_[static_cast<size_t>(up)].unit);
  cc.sync_max_batch_ops = config_.max_batch_ops;
  cc.initial_map_bytes = size_t{8} << 20;
  cc.reserve_bytes = 0;
  cc.backoff.initial = std::chrono::milliseconds(1000);
  cc.backoff.max = std::chrono::milliseconds(60'000);
  cc.backoff_seed = s.backoff_seed + s.epoch;
  // Sealed like a deployed node, with data keys of its own that outlive its crashes. They are
  // drawn from a generator of their own (seeded by the run's seed and the node), so the run's
  // other draws are the same sealed or not; nonce prefixes come from libsodium, which changes
  // sealed bytes from run to run but nothing a node decides.
  if (s.sealer == nullptr) {
    crypto::DeterministicRandom key_random(config_.seed * 0x9e3779b97f4a7c15ull +
                                           static_cast<uint64_t>(i) + 1);
    s.sealer = std::make_unique<DataKeySealer>(crypto::KeyRing::Create(key_random));
  }
  cc.sealer = s.sealer.get();
  FULEI_ASSIGN_OR_RETURN(crypto::NodeIdentity identity,
                         crypto::NodeIdentity::Load(s.dir, crypto::KeyProtection::None()));
  FULEI_ASSIGN_OR_RETURN(s.core, NodeCore::Open(std::move(cc), std::move(identity), s.chain,
                                                root_key_->public_key(), crypto_random_, Wall(i)));
  s.timers.clear();
  Drive(i);
  return Status::Ok();
}

// ------------------------------------------------------------------ driving the cores

void Simulation::Drive(int i) {
  SimNode& s = node(i);
  while (s.core != nullptr) {
    std::vector<Action> actions = s.core->TakeActions();
    if (actions.empty()) break;
    for (Action& a : actions) Dispatch(i, a);
  }
  ledger_.Observe(*this, i, loop_.now(), config_);
}

void Simulation::Dispatch(int i, Action& a) {
  SimNode& s = node(i);
  switch (a.kind) {
    case Action::Kind::kSend:
      return network_.Send(a.conn, i, a.priority, std::move(a.bytes));
    case Action::Kind::kClose: {
      const StatusCode code = a.reason.code();
      if (code == StatusCode::kInvalidArgument || code == StatusCode::kCorruption) {
        rejected_batches_++;  // a receiver's check refused what the peer sent (tampering)
      } else if (code != StatusCode::kAborted && code != StatusCode::kPermissionDenied) {
        // Anything else is a failure of the store or the simulation: a bug.
        return loop_.Fail(Status(
            code, info_[static_cast<size_t>(i)].unit + " closed a session: " + a.reason.message()));
      }
      return network_.Close(a.conn, a.reason, /*by_fault=*/false);
    }
    case Action::Kind::kDial:
      return network_.Dial(i, a.upstream);
    case Action::Kind::kSetTimer: {
      // The core's timers are in its own (skewed) wall clock.
      const int64_t at = static_cast<int64_t>(a.at_ms) - static_cast<int64_t>(kEpochMs) - s.skew_ms;
      const uint64_t when = at < 0 ? 0 : static_cast<uint64_t>(at);
      const uint64_t generation = ++s.timers[a.timer];
      const uint64_t epoch = s.epoch;
      const TimerId timer = a.timer;
      loop_.At(
          when,
          [this, i, timer, generation, epoch] {
            SimNode& n = node(i);
            if (n.core == nullptr || n.epoch != epoch || n.timers[timer] != generation) return;
            n.core->OnTimer(timer, Wall(i));
            Drive(i);
          },
          /*background=*/timer == kEscalationTimer || revoked(i));
      return;
    }
  }
}

void Simulation::TakeDown(int i, const char* why) {
  SimNode& s = node(i);
  if (s.core == nullptr) return;
  network_.CloseAllOf(i, why);
  const NodeStats st = s.core->stats();
  s.past.mode_switches += st.mode_switches;
  s.past.urgent_dropped_revoked += st.urgent_dropped_revoked;
  s.past.escalations_written += st.escalations_written;
  s.core.reset();
  s.epoch++;
}

Status Simulation::Restart(int i, int64_t skew_ms) {
  SimNode& s = node(i);
  if (s.core != nullptr) return Status::Ok();
  s.skew_ms = skew_ms;
  s.epoch++;
  return StartCore(i);
}

// ------------------------------------------------------------------ the run

Status Simulation::Simulate() {
  workload_.Start();
  faults_.Start();
  scenarios_->Start();
  FULEI_RETURN_IF_ERROR(loop_.RunUntil(config_.fault_phase_ms));

  // Heal: faults stop, writes stop, everyone comes back.
  workload_.Stop();
  const uint64_t heal_start = loop_.now();
  FULEI_RETURN_IF_ERROR(faults_.Heal());
  FULEI_ASSIGN_OR_RETURN(bool quiet, loop_.RunUntilQuiet(heal_start + config_.heal_limit_ms));
  if (!quiet) {
    return Aborted("network still busy " + std::to_string(config_.heal_limit_ms) +
                   " ms into the heal phase");
  }
  result_.heal_ms = loop_.last_active() > heal_start ? loop_.last_active() - heal_start : 0;
  return Status::Ok();
}

void Simulation::Finish() {
  const SimNetwork::Stats& net = network_.stats();
  result_.ops_written = workload_.ops_written();
  result_.urgent_written = workload_.urgent_written();
  result_.records_written = workload_.records_written();
  result_.records_skipped = workload_.records_skipped();
  result_.records_by_role = workload_.records_by_role();
  result_.connections = net.connections;
  result_.sessions_closed_by_faults = net.closed_by_faults;
  result_.rejected_batches = rejected_batches_;
  result_.tampered_batches = net.tampered_batches;
  result_.crashes = faults_.crashes();
  result_.partitions = faults_.partitions();
  result_.hostile_clocks = faults_.hostile_clocks();
  result_.frames = net.frames;
  result_.bytes = net.bytes;
  result_.max_frame_bytes = net.max_frame_bytes;
  for (SimNode& s : nodes_) {
    NodeStats st = s.past;
    if (s.core != nullptr) {
      const NodeStats now = s.core->stats();
      st.mode_switches += now.mode_switches;
      st.urgent_dropped_revoked += now.urgent_dropped_revoked;
      st.escalations_written += now.escalations_written;
    }
    result_.mode_switches += st.mode_switches;
    result_.urgent_dropped_revoked += st.urgent_dropped_revoked;
    result_.escalations += st.escalations_written;
    s.core.reset();
  }
  if (!config_.keep_dirs) {
    std::error_code ignored;
    std::filesystem::remove_all(root_dir_, ignored);
    // The work directory goes too once no other run uses it.
    std::filesystem::remove(config_.work_dir, ignored);
  }
}

}  // namespace

SimResult RunSimulation(const SimConfig& config) { return Simulation(config).Run(); }

}  // namespace fulei::node::sim
