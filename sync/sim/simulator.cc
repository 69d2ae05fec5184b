#include "sync/sim/simulator.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <random>
#include <set>
#include <sstream>

#include "crdt/codec.h"
#include "crdt/hlc.h"
#include "crdt/record.h"
#include "crypto/certificate.h"
#include "crypto/channel.h"
#include "crypto/identity.h"
#include "crypto/random.h"
#include "crypto/signing.h"
#include "crypto/trust.h"
#include "store/store.h"
#include "sync/cert_directory.h"
#include "sync/local_writer.h"
#include "sync/messages.h"
#include "sync/receipts.h"
#include "sync/scopes.h"
#include "sync/session.h"

namespace fulei::sync::sim {
namespace {

constexpr uint64_t kEpochMs = 1'764'000'000'000;  // simulated time 0 (late 2025)
constexpr const char* kUpstreamOutbox = "up";
// The outbox of a node's upstream k (as node/node.h names them).
std::string UpstreamOutbox(size_t k) {
  return k == 0 ? std::string(kUpstreamOutbox) : "up:" + std::to_string(k);
}
constexpr const char* kForged = "FORGED";
const char* const kTypes[] = {"child", "report", "helper", "org"};

// crypto::Random from the simulation's seed, so keys and nonces replay exactly.
class SeededRandom final : public crypto::Random {
 public:
  explicit SeededRandom(uint64_t seed) : rng_(seed) {}
  void Fill(uint8_t* out, size_t n) override {
    for (size_t i = 0; i < n; ++i) out[i] = static_cast<uint8_t>(rng_());
  }

 private:
  std::mt19937_64 rng_;
};

struct Node {
  int index = 0;
  std::string unit;
  crypto::Role role = crypto::Role::kVillage;
  int parent = -1;
  // Upstreams in order of preference: the parent, then (a village with a fallback) the city.
  std::vector<int> ups;
  std::optional<crypto::NodeIdentity> identity;
  crypto::CertChain chain;
  std::string dir;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<CertDirectory> certs;
  std::unique_ptr<crdt::HybridClock> clock;
  std::unique_ptr<LocalWriter> writer;
  int64_t skew_ms = 0;
  bool up = true;
  // Per upstream k: the link to it, a dial scheduled, the backoff.
  std::vector<bool> link_up, dial_pending;
  std::vector<uint64_t> backoff_ms;
  uint64_t epoch = 0;  // bumps on crash: stale events are ignored
};

// A message waiting for the link. Application messages wait as plaintext and are sealed when
// the link picks them, so the channel's counter nonces follow the order frames actually leave
// in (as net/ does: schedule first, then seal). Handshake bytes arrive already framed.
struct Frame {
  sync::Priority priority;
  uint64_t order;
  std::string bytes;
  bool sealed = false;
};

struct FrameLess {
  bool operator()(const Frame& a, const Frame& b) const {
    if (a.priority != b.priority) return a.priority > b.priority;  // lower enum = higher class
    return a.order > b.order;
  }
};

struct Direction {
  std::deque<std::string> raw;  // handshake bytes: always first, in order
  std::priority_queue<Frame, std::vector<Frame>, FrameLess> queue;
  bool busy = false;
  uint64_t last_delivery = 0;
};

struct Conn {
  int child = -1, parent = -1;
  int k = 0;  // which of the child's upstreams
  bool open = true;
  bool urgent_only = false;                   // the child's session runs urgent-only
  std::optional<crypto::Channel> channel[2];  // 0: child side, 1: parent side
  std::unique_ptr<Session> session[2];
  Direction dir[2];  // dir[k]: frames travelling from side k to side 1-k
};

struct Ledger {
  std::string scope;
  crdt::NodeId origin;
  uint64_t seq;
};

// An urgent report a village wrote, followed to the city and back.
struct UrgentLedger {
  int village = 0;
  std::string scope, id;
  crdt::NodeId origin = 0;
  uint64_t seq = 0;
  uint64_t written_at = 0;
  std::optional<uint64_t> at_city;  // simulated time the city first held it
  std::optional<uint64_t> at_town;
};

class Simulation {
 public:
  explicit Simulation(const SimConfig& config)
      : config_(config), rng_(config.seed), crypto_random_(config.seed ^ 0x5eed) {
    result_.seed = config.seed;
  }

  SimResult Run() {
    const std::filesystem::path root =
        std::filesystem::path(config_.work_dir) / ("sim-" + std::to_string(config_.seed));
    std::filesystem::remove_all(root);
    std::filesystem::create_directories(root);
    root_ = root;
    Status st = Build();
    if (st.ok() && config_.on_phase) config_.on_phase("built");
    if (st.ok()) st = Simulate();
    if (st.ok() && config_.on_phase) config_.on_phase("converged");
    if (st.ok()) st = Check();
    if (st.ok()) st = CheckScenarios();
    result_.ok = st.ok();
    if (!st.ok()) result_.failure = "seed " + std::to_string(config_.seed) + ": " + st.ToString();
    for (Node& n : nodes_) {
      n.writer.reset();
      n.certs.reset();
      n.store.reset();
    }
    if (!config_.keep_dirs) {
      std::filesystem::remove_all(root);
      std::error_code ignored;  // the work directory goes too once no other run uses it
      std::filesystem::remove(config_.work_dir, ignored);
    }
    if (std::getenv("FULEI_SIM_DEBUG") != nullptr) {
      for (auto& [why, count] : close_reasons_)
        std::fprintf(stderr, "closed %dx: %s\n", count, why.c_str());
    }
    return result_;
  }

 private:
  // ---------------------------------------------------------------- set-up
  Status Build() {
    root_key_.emplace(crypto::SigningKey::Generate(crypto_random_));
    trust_.emplace(root_key_->public_key());
    AddNode("jinjiang", crypto::Role::kCity, -1);
    const int towns =
        config_.town_units.empty() ? config_.towns : static_cast<int>(config_.town_units.size());
    for (int t = 0; t < towns; ++t) {
      const int town =
          AddNode(config_.town_units.empty() ? "jinjiang/t" + std::to_string(t)
                                             : config_.town_units[static_cast<size_t>(t)],
                  crypto::Role::kTown, 0);
      int villages = config_.villages_per_town;
      if (config_.total_villages > 0) {
        villages = config_.total_villages / towns + (t < config_.total_villages % towns ? 1 : 0);
      }
      for (int v = 0; v < villages; ++v) {
        char name[16];
        std::snprintf(name, sizeof name, "/v%03d", v + 1);
        AddNode(nodes_[static_cast<size_t>(town)].unit + name, crypto::Role::kVillage, town);
      }
    }
    for (Node& n : nodes_) {
      if (n.parent >= 0) n.ups.push_back(n.parent);
      // (No draw when the fraction is 0: older seeds replay exactly as before.)
      if (n.role == crypto::Role::kVillage && config_.city_fallback_fraction > 0 &&
          Chance(config_.city_fallback_fraction)) {
        n.ups.push_back(0);
      }
      n.link_up.assign(n.ups.size(), true);
      n.dial_pending.assign(n.ups.size(), false);
      n.backoff_ms.assign(n.ups.size(), 0);
      crypto::Certificate tbs;
      tbs.node_id = n.identity->node_id();
      tbs.role = n.role;
      tbs.signing_key = n.identity->signing_key().public_key();
      tbs.dh_key = n.identity->dh_key().public_key;
      tbs.org_unit = n.unit;
      tbs.not_before_ms = 0;
      tbs.not_after_ms = kEpochMs + 365ull * 86'400'000;
      FULEI_ASSIGN_OR_RETURN(crypto::Certificate cert,
                             crypto::IssueCertificate(std::move(tbs), *root_key_));
      n.chain = {cert};
      n.dir = (root_ / ("n" + std::to_string(n.index))).string();
      FULEI_RETURN_IF_ERROR(OpenNode(n));
      FULEI_ASSIGN_OR_RETURN(crdt::NodeId id,
                             n.certs->Add(crypto::EncodeChain(n.chain), *trust_, Wall(n)));
      (void)id;
      if (n.role == crypto::Role::kVillage) FULEI_RETURN_IF_ERROR(Preload(n));
    }
    result_.nodes = nodes_.size();
    return Status::Ok();
  }

  // A village's existing records: children written by several ops each, one commit per round
  // of edits; each edit supersedes the value it replaces, as a real client's does.
  Status Preload(Node& n) {
    static const char* kFields[] = {"name", "school", "grade", "guardian", "address"};
    std::map<std::pair<int, int>, crdt::OpId> last;  // (child, field) -> op that wrote it
    for (int round = 0; round < config_.preload_ops_per_child; ++round) {
      const int field = round % 5;
      std::vector<store::LocalChange> changes;
      for (int c = 0; c < config_.preload_children; ++c) {
        store::LocalChange change;
        change.key = {n.unit, "child", "c" + std::to_string(c)};
        change.author = "director";
        crdt::FieldWrite w{kFields[field],
                           crdt::WriteKind::kSet,
                           "value " + std::to_string(round) + " of child " + std::to_string(c),
                           {}};
        auto it = last.find({c, field});
        if (it != last.end()) w.supersedes.push_back(it->second);
        change.writes.push_back(std::move(w));
        changes.push_back(std::move(change));
      }
      FULEI_ASSIGN_OR_RETURN(std::vector<crdt::Op> ops, n.writer->Write(changes, Wall(n)));
      for (size_t c = 0; c < ops.size(); ++c) {
        last[{static_cast<int>(c), field}] = ops[c].id();
        ledger_.push_back(Ledger{ops[c].key.scope, ops[c].origin, ops[c].seq});
      }
      result_.preloaded_ops += ops.size();
    }
    return Status::Ok();
  }

  int AddNode(std::string unit, crypto::Role role, int parent) {
    Node n;
    n.index = static_cast<int>(nodes_.size());
    n.unit = std::move(unit);
    n.role = role;
    n.parent = parent;
    n.identity.emplace(crypto::NodeIdentity::Generate(crypto_random_));
    nodes_.push_back(std::move(n));
    return nodes_.back().index;
  }

  Status OpenNode(Node& n) {
    store::StoreOptions options;
    options.node_id = n.identity->node_id();
    options.reserve_bytes = 0;
    options.initial_map_bytes = size_t{8} << 20;
    FULEI_ASSIGN_OR_RETURN(n.store, store::Store::Open(n.dir, options));
    n.certs = std::make_unique<CertDirectory>(*n.store);
    n.clock = std::make_unique<crdt::HybridClock>();
    FULEI_ASSIGN_OR_RETURN(crdt::Stamp high, n.store->HlcHighWater());
    n.clock->Restore(high);
    n.writer = std::make_unique<LocalWriter>(*n.store, n.identity->signing_key(), *n.clock);
    return Status::Ok();
  }

  // ---------------------------------------------------------------- events
  uint64_t Wall(const Node& n) const {
    return static_cast<uint64_t>(static_cast<int64_t>(kEpochMs + now_) + n.skew_ms);
  }
  // What a node takes as "now" for validity checks: its wall clock, but never before its HLC.
  uint64_t NodeNow(const Node& n) const { return std::max(Wall(n), n.clock->high_water().ms); }

  void At(uint64_t when, std::function<void()> fn) {
    events_.push(Event{std::max(when, now_), next_event_++, std::move(fn)});
  }
  uint64_t Exp(uint64_t mean) {
    std::exponential_distribution<double> d(1.0 / static_cast<double>(mean));
    return static_cast<uint64_t>(d(rng_)) + 1;
  }
  uint64_t Uniform(uint64_t lo, uint64_t hi) {
    return std::uniform_int_distribution<uint64_t>(lo, hi)(rng_);
  }
  bool Chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }

  Status Simulate() {
    for (Node& n : nodes_) {
      for (size_t k = 0; k < n.ups.size(); ++k) ScheduleDial(n.index, k, Uniform(0, 1000));
      if (config_.workload) ScheduleWrite(n.index);
      if (config_.faults) {
        if (n.parent >= 0) SchedulePartition(n.index);
        ScheduleCrash(n.index);
      }
    }
    faults_on_ = config_.faults;
    ScheduleScenarios();
    Status st = RunUntil(config_.fault_phase_ms);
    if (!st.ok()) return st;

    // Heal: faults stop, writes stop, everyone comes back.
    faults_on_ = false;
    writing_ = false;
    const uint64_t heal_start = now_;
    for (Node& n : nodes_) {
      if (!n.up) FULEI_RETURN_IF_ERROR(Restart(n.index));
      for (size_t k = 0; k < n.ups.size(); ++k) {
        if (!n.link_up[k]) {
          n.link_up[k] = true;
          ScheduleDial(n.index, k, 0);
        }
      }
    }
    st = RunUntil(heal_start + config_.heal_limit_ms);
    if (!st.ok()) return st;
    if (!events_.empty()) {
      return Aborted("network still busy " + std::to_string(config_.heal_limit_ms) +
                     " ms into the heal phase");
    }
    result_.heal_ms = last_activity_ - heal_start;
    return Status::Ok();
  }

  Status RunUntil(uint64_t limit) {
    while (!events_.empty() && events_.top().when <= limit) {
      Event e = events_.top();
      events_.pop();
      now_ = e.when;
      e.fn();
      if (!error_.ok()) return error_;
    }
    if (events_.empty() || !faults_on_) return Status::Ok();
    now_ = limit;
    return Status::Ok();
  }

  void Fail(Status st) {
    if (error_.ok()) error_ = std::move(st);
  }

  // ---------------------------------------------------------------- workload
  void ScheduleWrite(int i) {
    At(now_ + Exp(config_.mean_write_interval_ms), [this, i] {
      if (!writing_) return;
      if (nodes_[static_cast<size_t>(i)].up) Write(i);
      ScheduleWrite(i);
    });
  }

  void Write(int i) {
    Node& n = nodes_[static_cast<size_t>(i)];
    store::LocalChange change;
    change.author = "u" + std::to_string(Uniform(1, 3));
    std::vector<std::string> outboxes;
    const std::string value = "v" + std::to_string(Uniform(0, 1'000'000));
    bool urgent = false;
    if (n.role == crypto::Role::kVillage && Chance(config_.urgent_fraction)) {
      urgent = true;
      change.key = {n.unit, "report", "r" + std::to_string(++report_counter_)};
      change.flags = crdt::kOpFlagUrgent;
      change.writes.push_back(crdt::FieldWrite{"category", crdt::WriteKind::kSet, "neglect", {}});
      change.writes.push_back(crdt::FieldWrite{"filed_by", crdt::WriteKind::kSet, value, {}});
      for (size_t k = 0; k < n.ups.size(); ++k) outboxes.push_back(UpstreamOutbox(k));
    } else if (n.role == crypto::Role::kVillage || Chance(0.5)) {
      // A child record in this node's subtree (a town or the city edits a village's record).
      std::string scope = n.unit;
      if (n.role != crypto::Role::kVillage) scope = RandomVillageBelow(n.unit);
      change.key = {scope, "child",
                    "c" + std::to_string(
                              Uniform(0, static_cast<uint64_t>(config_.children_per_village - 1)))};
      auto current = n.store->Get(change.key);
      if (!current.ok()) return Fail(current.status());
      const crdt::RecordState state = current->value_or(crdt::RecordState());
      switch (Uniform(0, 3)) {
        case 0:
          change.writes.push_back(crdt::AppendWrite("contacts", "talk " + value));
          break;
        case 1:
          change.writes.push_back(crdt::AddWrite("tags", "t" + std::to_string(Uniform(0, 3))));
          break;
        default:
          change.writes.push_back(
              crdt::SetWrite(state, n.role == crypto::Role::kVillage ? "school" : "note", value));
          break;
      }
    } else {
      const char* type = n.role == crypto::Role::kCity ? "org" : "helper";
      change.key = {n.unit, type, "h" + std::to_string(Uniform(0, 5))};
      auto current = n.store->Get(change.key);
      if (!current.ok()) return Fail(current.status());
      change.writes.push_back(
          crdt::SetWrite(current->value_or(crdt::RecordState()), "name", value));
    }
    auto ops = n.writer->Write(std::span<const store::LocalChange>(&change, 1), Wall(n), outboxes);
    if (!ops.ok()) {
      char idbuf[32];
      std::snprintf(idbuf, sizeof idbuf, "%016llx",
                    static_cast<unsigned long long>(n.identity->node_id()));
      auto persisted = n.store->HlcHighWater();
      return Fail(Status(ops.status().code(), n.unit + " id " + idbuf + " persisted hw " +
                                                  (persisted.ok() ? persisted->ToString() : "?") +
                                                  " (wall " + std::to_string(Wall(n)) + ", clock " +
                                                  n.clock->high_water().ToString() +
                                                  "): " + ops.status().message()));
    }
    for (const crdt::Op& op : *ops) {
      ledger_.push_back(Ledger{op.key.scope, op.origin, op.seq});
      result_.ops_written++;
      if (urgent) {
        result_.urgent_written++;
        urgent_.push_back(
            UrgentLedger{i, op.key.scope, op.key.id, op.origin, op.seq, now_, {}, {}});
      }
    }
    NotifySessions(i, {change.key.scope}, urgent);
  }

  std::string RandomVillageBelow(const std::string& unit) {
    std::vector<const Node*> villages;
    for (const Node& n : nodes_) {
      if (n.role == crypto::Role::kVillage && IsSameOrBelow(n.unit, unit)) villages.push_back(&n);
    }
    return villages[Uniform(0, villages.size() - 1)]->unit;
  }

  // ---------------------------------------------------------------- faults
  void SchedulePartition(int i) {
    At(now_ + Exp(config_.mean_partition_interval_ms), [this, i] {
      if (!faults_on_) return;
      Node& n = nodes_[static_cast<size_t>(i)];
      const size_t k = n.ups.size() > 1 ? Uniform(0, n.ups.size() - 1) : 0;  // one of its links
      if (n.link_up[k]) {
        n.link_up[k] = false;
        result_.partitions++;
        CloseUplink(i, k, "partition");
        At(now_ + Uniform(10'000, 5 * 60'000), [this, i, k] {
          nodes_[static_cast<size_t>(i)].link_up[k] = true;
          ScheduleDial(i, k, 0);
        });
      }
      SchedulePartition(i);
    });
  }

  void ScheduleCrash(int i) {
    At(now_ + Exp(config_.mean_crash_interval_ms), [this, i] {
      if (!faults_on_) return;
      Node& n = nodes_[static_cast<size_t>(i)];
      if (n.up) {
        result_.crashes++;
        TakeDown(i, "crash");
        RestartAt(i, now_ + Uniform(5'000, 3 * 60'000));
      }
      ScheduleCrash(i);
    });
  }

  // Node i stops as in a power cut: its connections close and everything in memory is dropped
  // (its store is closed; what it committed stays on disk).
  void TakeDown(int i, const char* why) {
    Node& n = nodes_[static_cast<size_t>(i)];
    CloseConnsOf(i, why);
    n.up = false;
    n.epoch++;
    n.writer.reset();
    n.certs.reset();
    n.store.reset();
    n.clock.reset();
  }

  // Restarts node i at `when` unless it is up again by then.
  void RestartAt(int i, uint64_t when) {
    At(when, [this, i] {
      if (!nodes_[static_cast<size_t>(i)].up) {
        Status st = Restart(i);
        if (!st.ok()) Fail(st);
      }
    });
  }

  Status Restart(int i) {
    Node& n = nodes_[static_cast<size_t>(i)];
    // A village's Raspberry Pi without RTC may come back believing it is 1970 (towns and the
    // city keep NTP time).
    if (n.role == crypto::Role::kVillage && Chance(0.3)) {
      n.skew_ms = -static_cast<int64_t>(kEpochMs + now_);
    } else
      n.skew_ms = static_cast<int64_t>(Uniform(0, 2000)) - 1000;
    FULEI_RETURN_IF_ERROR(OpenNode(n));
    n.up = true;
    n.epoch++;
    for (size_t k = 0; k < n.ups.size(); ++k) ScheduleDial(i, k, Uniform(0, 2000));
    return Status::Ok();
  }

  // ---------------------------------------------------------------- connections
  void ScheduleDial(int child, size_t k, uint64_t delay) {
    Node& n = nodes_[static_cast<size_t>(child)];
    if (n.dial_pending[k]) return;
    n.dial_pending[k] = true;
    At(now_ + delay, [this, child, k] {
      Node& c = nodes_[static_cast<size_t>(child)];
      c.dial_pending[k] = false;
      Dial(child, k);
    });
  }

  void Redial(int child, size_t k) {
    Node& n = nodes_[static_cast<size_t>(child)];
    n.backoff_ms[k] = std::min<uint64_t>(n.backoff_ms[k] == 0 ? 1000 : n.backoff_ms[k] * 2, 60'000);
    ScheduleDial(child, k, Uniform(0, n.backoff_ms[k]));  // full jitter
  }

  // The open connection of `child` to its upstream k, or -1.
  // Open connections of a node (as child or parent): a per-node index, so a city of hundreds of
  // nodes does not scan every connection ever made on each dial or notification.
  const std::vector<int>& OpenConnsOf(int node) const {
    static const std::vector<int> kNone;
    auto it = open_conns_.find(node);
    return it == open_conns_.end() ? kNone : it->second;
  }
  int OpenConn(int child, size_t k) const {
    for (int id : OpenConnsOf(child)) {
      const Conn& c = conns_.at(id);
      if (c.child == child && c.k == static_cast<int>(k)) return id;
    }
    return -1;
  }
  bool HasOpenConn(int child) const {
    for (int id : OpenConnsOf(child)) {
      if (conns_.at(id).child == child) return true;
    }
    return false;
  }

  void Dial(int child, size_t k) {
    Node& c = nodes_[static_cast<size_t>(child)];
    if (!c.up || OpenConn(child, k) >= 0) return;
    const int parent = c.ups[k];
    Node& p = nodes_[static_cast<size_t>(parent)];
    if (!p.up || !c.link_up[k]) return Redial(child, k);
    const int id = next_conn_++;
    Conn& conn = conns_[id];
    conn.child = child;
    conn.parent = parent;
    conn.k = static_cast<int>(k);
    open_conns_[child].push_back(id);
    open_conns_[parent].push_back(id);
    result_.connections++;
    for (int side = 0; side < 2; ++side) {
      Node& self = nodes_[static_cast<size_t>(side == 0 ? child : parent)];
      crypto::ChannelConfig cc;
      cc.static_key = self.identity->dh_key().Clone();
      cc.certificates = self.chain;
      cc.trust = &*trust_;
      cc.now_ms = NodeNow(self);
      // The child expects its parent exactly; the parent expects a node of its subtree.
      cc.expect.subtree = side == 0 ? p.unit : self.unit;
      auto ch = crypto::Channel::Create(std::move(cc), side == 0, crypto_random_);
      if (!ch.ok()) return Fail(ch.status());
      conn.channel[side].emplace(std::move(*ch));
    }
    auto first = conn.channel[0]->Start();
    if (!first.ok()) return Fail(first.status());
    TransmitRaw(id, 0, std::move(*first));
  }

  // Queues handshake bytes (already framed by the channel).
  void TransmitRaw(int id, int side, std::string bytes) {
    Conn& conn = conns_[id];
    if (!conn.open) return;
    conn.dir[side].raw.push_back(std::move(bytes));
    Kick(id, side);
  }

  // Queues an application message; it is sealed when the link sends it.
  void Transmit(int id, int side, sync::Priority priority, std::string message) {
    Conn& conn = conns_[id];
    if (!conn.open) return;
    conn.dir[side].queue.push(Frame{priority, next_frame_++, std::move(message)});
    Kick(id, side);
  }

  // The link sends one frame at a time, highest class first, at the link's bandwidth.
  void Kick(int id, int side) {
    Conn& conn = conns_[id];
    Direction& d = conn.dir[side];
    if (!conn.open || d.busy || (d.raw.empty() && d.queue.empty())) return;
    Frame f;
    if (!d.raw.empty()) {
      f = Frame{sync::Priority::kControl, 0, std::move(d.raw.front()), true};
      d.raw.pop_front();
    } else {
      f = d.queue.top();
      d.queue.pop();
    }
    if (!f.sealed) {
      auto sealed = conn.channel[side]->Seal(f.bytes);
      if (!sealed.ok()) return Close(id, "seal: " + sealed.status().ToString());
      f.bytes = std::move(*sealed);
    }
    d.busy = true;
    result_.frames++;
    result_.bytes += f.bytes.size();
    result_.max_frame_bytes = std::max<uint64_t>(result_.max_frame_bytes, f.bytes.size());
    const auto tx =
        static_cast<uint64_t>(static_cast<double>(f.bytes.size()) / config_.link_bytes_per_ms) + 1;
    uint64_t arrive = now_ + tx + config_.link_delay_ms + Uniform(0, config_.link_jitter_ms);
    arrive = std::max(arrive, d.last_delivery);  // TCP keeps order
    d.last_delivery = arrive;
    At(now_ + tx, [this, id, side] {
      auto it = conns_.find(id);
      if (it == conns_.end()) return;
      it->second.dir[side].busy = false;
      Kick(id, side);
    });
    int copies = 1;
    if (faults_on_ && Chance(config_.frame_fault_probability)) {
      switch (Uniform(0, 2)) {
        case 0:  // dropped: the peer sees a gap (or, if it was the last frame, times out)
          copies = 0;
          At(now_ + 30'000, [this, id] { Close(id, "dead-peer timeout after a lost frame"); });
          break;
        case 1:  // duplicated
          copies = 2;
          break;
        default:  // reordered: overtaken by later frames
          arrive += 5'000;
          break;
      }
    }
    for (int k = 0; k < copies; ++k) {
      At(arrive + static_cast<uint64_t>(k),
         [this, id, side, bytes = f.bytes] { Deliver(id, 1 - side, bytes); });
    }
  }

  void Deliver(int id, int side, const std::string& bytes) {
    auto it = conns_.find(id);
    if (it == conns_.end() || !it->second.open) return;
    Conn& conn = it->second;
    last_activity_ = now_;
    const int node_index = side == 0 ? conn.child : conn.parent;
    Node& self = nodes_[static_cast<size_t>(node_index)];
    std::string to_send;
    std::vector<std::string> messages;
    Status st = conn.channel[side]->Feed(bytes, &to_send, &messages);
    if (!to_send.empty()) TransmitRaw(id, side, std::move(to_send));
    if (!st.ok()) return Close(id, "channel: " + st.ToString());
    if (conn.channel[side]->established() && !conn.session[side]) {
      if (side == 0) self.backoff_ms[static_cast<size_t>(conn.k)] = 0;
      const auto& cert = conn.channel[side]->peer_certificate();
      if (!cert) return Close(id, "peer has no certificate");
      SessionConfig sc;
      sc.self_node = self.identity->node_id();
      sc.self_unit = self.unit;
      sc.max_batch_ops = config_.max_batch_ops;
      sc.clock = self.clock.get();
      sc.receipts = self.writer.get();
      std::vector<std::string> up_outboxes;
      for (size_t k = 0; k < self.ups.size(); ++k) up_outboxes.push_back(UpstreamOutbox(k));
      if (side == 0) {
        // The child drains this upstream's outbox; urgent ops from above travel on down.
        sc.outbox_peer = UpstreamOutbox(static_cast<size_t>(conn.k));
        sc.adopt_peer_clock = true;
        sc.relay_down = true;
        sc.receipt_outboxes = up_outboxes;
        // Full sync with the first connected upstream only (as node/node.cc does).
        for (int j = 0; j < conn.k; ++j) {
          if (EstablishedConn(conn.child, static_cast<size_t>(j)) >= 0) conn.urgent_only = true;
        }
        sc.urgent_only = conn.urgent_only;
      } else {
        sc.drain_down = true;             // urgent ops for the child's subtree go down
        sc.relay_outboxes = up_outboxes;  // a town passes urgent ops on to the city
      }
      conn.session[side] =
          std::make_unique<Session>(*self.store, *trust_, *self.certs, std::move(sc),
                                    PeerIdentity{cert->node_id, cert->org_unit});
      Status started = conn.session[side]->Start(NodeNow(self));
      if (!started.ok()) return Fail(started);
      if (!Flush(id, side)) return;
      if (side == 0 && !conn.urgent_only) Rebalance(conn.child);
      if (!conns_[id].open) return;
    }
    for (const std::string& m : messages) {
      Session* session = conn.session[side].get();
      if (session == nullptr) return Close(id, "message before session");
      Status handled = session->OnMessage(m, NodeNow(self));
      if (!handled.ok()) {
        if (handled.code() == StatusCode::kInvalidArgument ||
            handled.code() == StatusCode::kCorruption) {
          result_.rejected_batches++;
        } else {
          return Fail(handled);  // a store failure is a bug in the simulation or the store
        }
        return Close(id, "sync: " + handled.ToString());
      }
      if (!Flush(id, side)) return;
      std::vector<std::string> changed = session->TakeChangedScopes();
      const bool urgent = session->TakeUrgentArrived();
      if (!changed.empty() || urgent) {
        Track(node_index, changed, urgent);
        NotifySessions(node_index, changed, urgent, id);
      }
    }
  }

  // Seals and transmits what a session produced. False when the connection closed meanwhile.
  bool Flush(int id, int side) {
    Conn& conn = conns_[id];
    Node& self = nodes_[static_cast<size_t>(side == 0 ? conn.child : conn.parent)];
    for (Outgoing& o : conn.session[side]->TakeOutgoing()) {
      std::string payload = std::move(o.bytes);
      if (faults_on_ && self.role == crypto::Role::kTown && Chance(config_.tamper_probability)) {
        if (Tamper(self, &payload)) result_.tampered_batches++;
      }
      Transmit(id, side, o.priority, std::move(payload));
    }
    return conns_[id].open;
  }

  // A compromised relay alters the body of an op it forwards (one it did not write).
  bool Tamper(const Node& self, std::string* payload) {
    auto m = DecodeMessage(*payload);
    if (!m.ok() || !std::holds_alternative<OpsBatch>(*m)) return false;
    OpsBatch& batch = std::get<OpsBatch>(*m);
    for (std::string& bytes : batch.ops) {
      auto op = crdt::DecodeOp(bytes);
      if (!op.ok() || op->origin == self.identity->node_id() || op->writes.empty()) continue;
      op->writes[0].value = std::string(kForged) + " by " + self.unit;
      if (op->writes[0].kind == crdt::WriteKind::kRemove)
        op->writes[0].kind = crdt::WriteKind::kSet;
      bytes = crdt::EncodeOp(*op);
      *payload = EncodeMessage(*m);
      return true;
    }
    return false;
  }

  void NotifySessions(int node_index, const std::vector<std::string>& scopes, bool urgent,
                      int except = -1) {
    std::vector<std::pair<int, int>> targets;
    for (int id : OpenConnsOf(node_index)) {
      if (id == except) continue;
      const Conn& c = conns_.at(id);
      if (c.child == node_index && c.session[0]) targets.emplace_back(id, 0);
      if (c.parent == node_index && c.session[1]) targets.emplace_back(id, 1);
    }
    for (auto [id, side] : targets) {
      Conn& c = conns_[id];
      if (!c.open || !c.session[side]) continue;
      for (const std::string& scope : scopes) {
        Status st = c.session[side]->OnLocalChange(scope);
        if (!st.ok()) return Fail(st);
      }
      if (urgent) {
        Status st = c.session[side]->OnUrgent();
        if (!st.ok()) return Fail(st);
      }
      if (!Flush(id, side)) continue;
    }
  }

  void Close(int id, const std::string& why) {
    auto it = conns_.find(id);
    if (it == conns_.end() || !it->second.open) return;
    it->second.open = false;
    for (int node : {it->second.child, it->second.parent}) std::erase(open_conns_[node], id);
    if (why.rfind("sync:", 0) != 0) result_.sessions_closed_by_faults++;
    const int child = it->second.child;
    const auto k = static_cast<size_t>(it->second.k);
    const bool was_full = it->second.session[0] != nullptr && !it->second.urgent_only;
    // Free the memory now; events still queued for this id find it closed.
    for (int side = 0; side < 2; ++side) {
      it->second.session[side].reset();
      it->second.channel[side].reset();
    }
    close_reasons_[why.substr(0, 120)]++;
    if (std::getenv("FULEI_SIM_DEBUG") != nullptr && result_.connections % 500 == 0) {
      std::fprintf(stderr, "t=%llu ms: %llu connections; last close: %s\n",
                   static_cast<unsigned long long>(now_),
                   static_cast<unsigned long long>(result_.connections), why.c_str());
    }
    Redial(child, k);
    if (was_full) Rebalance(child);  // the next connected upstream takes full sync
  }

  // An established (session running) connection of `child` to upstream k, or -1.
  int EstablishedConn(int child, size_t k) const {
    const int id = OpenConn(child, k);
    if (id < 0) return -1;
    return conns_.at(id).session[0] ? id : -1;
  }

  // Full sync belongs to the child's first connected upstream, urgent-only to the others: a
  // connection in the wrong mode is closed and redials in the right one.
  void Rebalance(int child) {
    Node& c = nodes_[static_cast<size_t>(child)];
    bool full_seen = false;
    for (size_t k = 0; k < c.ups.size(); ++k) {
      const int id = EstablishedConn(child, k);
      if (id < 0) continue;
      const bool want_urgent_only = full_seen;
      full_seen = true;
      if (conns_[id].urgent_only != want_urgent_only) {
        result_.mode_switches++;
        Close(id, "switching sync mode");
      }
    }
  }

  void CloseUplink(int child, size_t k, const char* why) {
    const int id = OpenConn(child, k);
    if (id >= 0) Close(id, why);
  }

  // After `node` took in new ops of `scopes`: records when the city and each town first held
  // the urgent reports followed, and when each village's preload completed at the city.
  void Track(int node, const std::vector<std::string>& scopes, bool urgent) {
    const Node& n = nodes_[static_cast<size_t>(node)];
    if (n.role == crypto::Role::kVillage) return;
    const std::set<std::string> changed(scopes.begin(), scopes.end());
    for (UrgentLedger& u : urgent_) {
      // An urgent op held pending (behind a gap) changes no scope: look whenever urgent ops came.
      if (!urgent && !changed.count(u.scope)) continue;
      std::optional<uint64_t>& at = n.role == crypto::Role::kCity ? u.at_city : u.at_town;
      if (at || (n.role == crypto::Role::kTown &&
                 nodes_[static_cast<size_t>(u.village)].parent != node)) {
        continue;
      }
      auto held = n.store->GetOp(u.scope, u.origin, u.seq);
      if (held.ok() && held->has_value()) at = now_;
    }
    for (const std::string& scope : scopes) {
      if (n.role == crypto::Role::kCity && config_.preload_children > 0 &&
          !backfill_done_.count(scope)) {
        auto vv = n.store->GetVersionVector(scope);
        const auto want = static_cast<uint64_t>(config_.preload_ops_per_child) *
                          static_cast<uint64_t>(config_.preload_children);
        for (const Node& v : nodes_) {
          if (v.unit != scope || !vv.ok()) continue;
          auto it = vv->find(v.identity->node_id());
          if (it != vv->end() && it->second >= want) backfill_done_[scope] = now_;
        }
      }
    }
  }

  void CloseConnsOf(int node, const char* why) {
    const std::vector<int> ids = OpenConnsOf(node);
    for (int id : ids) Close(id, why);
  }

  // ---------------------------------------------------------------- checks
  Result<std::string> ScopeHash(Node& n, const std::string& scope) {
    std::string all;
    for (const char* type : kTypes) {
      FULEI_RETURN_IF_ERROR(n.store->ForEach(
          type, scope, [&](const crdt::RecordKey& key, const crdt::RecordState& state) {
            if (key.scope != scope) return true;
            all += key.ToString();
            all += '\0';
            all += state.Encode();
            return true;
          }));
    }
    auto h = crypto::Blake2b256(all);
    return std::string(h.begin(), h.end());
  }

  Status Check() {
    std::set<std::string> scopes;
    for (Node& n : nodes_) {
      FULEI_ASSIGN_OR_RETURN(std::vector<std::string> s, n.store->Scopes());
      scopes.insert(s.begin(), s.end());
      FULEI_ASSIGN_OR_RETURN(uint64_t pending, n.store->PendingCount());
      if (pending != 0) {
        return Internal(n.unit + " still holds " + std::to_string(pending) + " pending ops");
      }
      for (size_t k = 0; k < n.ups.size(); ++k) {
        FULEI_ASSIGN_OR_RETURN(std::vector<store::OutboxEntry> outbox,
                               n.store->Outbox(UpstreamOutbox(k)));
        if (outbox.empty()) continue;
        std::string detail;
        Node& up = nodes_[static_cast<size_t>(n.ups[k])];
        for (const store::OutboxEntry& e : outbox) {
          auto op = crdt::DecodeOp(e.bytes);
          if (!op.ok()) continue;
          auto held = up.store->GetOp(op->key.scope, op->origin, op->seq);
          auto head = n.store->HeadAtOrAbove(op->key.scope, op->origin, op->seq);
          detail +=
              " [" + op->key.ToString() + " seq " + std::to_string(op->seq) +
              (held.ok() && held->has_value() ? ", upstream holds it" : ", upstream lacks it") +
              (head.ok() && head->has_value() ? ", head at " + std::to_string((*head)->seq)
                                              : ", no head") +
              "]";
        }
        return Internal(n.unit + " has " + std::to_string(outbox.size()) +
                        " urgent ops never acknowledged by upstream " + up.unit + ":" + detail +
                        (OpenConn(n.index, k) >= 0 ? " (connection open)" : " (no connection)"));
      }
    }
    // Nothing waits in a downstream outbox either (receipts on their way to the origin).
    for (Node& n : nodes_) {
      for (const std::string& scope : scopes) {
        if (scope == n.unit || !IsSameOrBelow(scope, n.unit)) continue;
        FULEI_ASSIGN_OR_RETURN(std::vector<store::OutboxEntry> outbox,
                               n.store->Outbox(DownOutbox(scope)));
        if (!outbox.empty()) {
          return Internal(n.unit + " still has " + std::to_string(outbox.size()) +
                          " urgent ops waiting to go down to " + scope);
        }
      }
    }
    FULEI_RETURN_IF_ERROR(CheckReceipts());
    for (const std::string& scope : scopes) {
      std::optional<std::string> reference;
      std::string reference_unit;
      for (Node& n : nodes_) {
        if (!Holds(n.unit, scope)) continue;
        FULEI_ASSIGN_OR_RETURN(std::string h, ScopeHash(n, scope));
        if (!reference) {
          reference = h;
          reference_unit = n.unit;
        } else if (*reference != h) {
          return Internal("scope " + scope + " differs between " + reference_unit + " and " +
                          n.unit + Diagnose(scope));
        }
      }
      result_.scopes_checked++;
    }
    for (Node& n : nodes_) {
      std::map<std::string, store::VersionVector> vvs;
      for (const Ledger& l : ledger_) {
        if (!Holds(n.unit, l.scope)) continue;
        auto it = vvs.find(l.scope);
        if (it == vvs.end()) {
          FULEI_ASSIGN_OR_RETURN(store::VersionVector vv, n.store->GetVersionVector(l.scope));
          it = vvs.emplace(l.scope, std::move(vv)).first;
        }
        auto seq = it->second.find(l.origin);
        if (seq == it->second.end() || seq->second < l.seq) {
          return Internal(n.unit + " lacks acknowledged op " + l.scope + "/" +
                          std::to_string(l.origin) + "/" + std::to_string(l.seq));
        }
      }
      for (const char* type : kTypes) {
        bool forged = false;
        FULEI_RETURN_IF_ERROR(
            n.store->ForEach(type, "", [&](const crdt::RecordKey&, const crdt::RecordState& state) {
              for (const auto& [name, field] : state.fields()) {
                for (const crdt::Entry& e : field.entries()) {
                  if (e.value.find(kForged) != std::string::npos) forged = true;
                }
              }
              return !forged;
            }));
        if (forged) return Internal(n.unit + " accepted a forged op");
      }
    }
    return Status::Ok();
  }

  // Every urgent report's receipts from its town and from the city reached its origin, exactly
  // one per (op, receiving node), and no node wrote a receipt for a receipt or its own op.
  Status CheckReceipts() {
    const Node& city = nodes_[0];
    for (const UrgentLedger& u : urgent_) {
      Node& village = nodes_[static_cast<size_t>(u.village)];
      const Node& town = nodes_[static_cast<size_t>(village.parent)];
      FULEI_ASSIGN_OR_RETURN(std::vector<Receipt> receipts,
                             ReceiptsFor(*village.store, u.scope, "report", u.id));
      int from_town = 0, from_city = 0;
      for (const Receipt& r : receipts) {
        if (r.origin != u.origin || r.seq != u.seq) continue;
        if (r.node == village.identity->node_id()) {
          return Internal(village.unit + " wrote a receipt for its own report " + u.id);
        }
        if (r.node == town.identity->node_id() && r.unit == town.unit) from_town++;
        if (r.node == city.identity->node_id() && r.unit == city.unit) from_city++;
      }
      if (from_town != 1 || from_city != 1) {
        return Internal(village.unit + " report " + u.id + " has " + std::to_string(from_town) +
                        " receipts from " + town.unit + " and " + std::to_string(from_city) +
                        " from the city (want 1 and 1)");
      }
      result_.receipts_checked += 2;
    }
    for (Node& n : nodes_) {
      bool bad = false;
      FULEI_RETURN_IF_ERROR(n.store->ForEach(
          kReceiptType, "", [&](const crdt::RecordKey& key, const crdt::RecordState& state) {
            if (state.Get("report_type") == kReceiptType) bad = true;
            (void)key;
            return !bad;
          }));
      if (bad) return Internal(n.unit + " holds a receipt of a receipt");
    }
    return Status::Ok();
  }

  // The scenarios' scripted events (SimConfig: bulk_urgent, town_outage_ms).
  void ScheduleScenarios() {
    if (config_.bulk_urgent_reports > 0) {
      // Reports written while every link is busy with the preload backfill.
      for (Node& n : nodes_) {
        if (n.role != crypto::Role::kVillage) continue;
        for (int r = 0; r < config_.bulk_urgent_reports; ++r) {
          const uint64_t when = Uniform(config_.bulk_urgent_from_ms, config_.bulk_urgent_until_ms);
          const int i = n.index;
          At(when, [this, i] { WriteReport(i); });
        }
      }
    }
    if (config_.town_outage_ms > 0 && nodes_.size() > 1) {
      const int town = 1;  // the first town
      At(config_.town_outage_at_ms, [this, town] {
        Node& n = nodes_[static_cast<size_t>(town)];
        if (!n.up) return;
        TakeDown(town, "town outage");
        outage_town_ = town;
        outage_end_ = now_ + config_.town_outage_ms;
        RestartAt(town, outage_end_);
      });
      // Reports filed by the town's villages while it is down.
      for (const Node& v : nodes_) {
        if (v.parent != town) continue;
        for (int r = 0; r < config_.outage_reports; ++r) {
          const uint64_t when =
              config_.town_outage_at_ms + Uniform(60'000, config_.town_outage_ms - 600'000);
          const int i = v.index;
          At(when, [this, i] { WriteReport(i); });
        }
      }
    }
  }

  // One urgent report at village i, queued for every upstream.
  void WriteReport(int i) {
    Node& n = nodes_[static_cast<size_t>(i)];
    if (!n.up) return;
    store::LocalChange change;
    change.author = "director";
    change.key = {n.unit, "report", "r" + std::to_string(++report_counter_)};
    change.flags = crdt::kOpFlagUrgent;
    change.writes.push_back(crdt::FieldWrite{"category", crdt::WriteKind::kSet, "abuse", {}});
    std::vector<std::string> outboxes;
    for (size_t k = 0; k < n.ups.size(); ++k) outboxes.push_back(UpstreamOutbox(k));
    auto ops = n.writer->Write(std::span<const store::LocalChange>(&change, 1), Wall(n), outboxes);
    if (!ops.ok()) return Fail(ops.status());
    for (const crdt::Op& op : *ops) {
      ledger_.push_back(Ledger{op.key.scope, op.origin, op.seq});
      result_.ops_written++;
      result_.urgent_written++;
      urgent_.push_back(UrgentLedger{i, op.key.scope, op.key.id, op.origin, op.seq, now_, {}, {}});
    }
    NotifySessions(i, {change.key.scope}, true);
  }

  // Scenario checks on the arrival times recorded by Track.
  Status CheckScenarios() {
    const bool scenario = config_.bulk_urgent_reports > 0 || config_.town_outage_ms > 0;
    for (const UrgentLedger& u : urgent_) {
      if (!u.at_city) {
        if (scenario) return Internal("the city never recorded report " + u.id);
        continue;
      }
      const uint64_t latency = *u.at_city - u.written_at;
      result_.max_urgent_latency_ms = std::max(result_.max_urgent_latency_ms, latency);
    }
    if (config_.bulk_urgent_reports > 0) {
      // Per hop an urgent message waits for at most the one frame already on the link, then its
      // own transmission, then the delay and jitter; two hops (village -> town -> city).
      const auto frame_ms = static_cast<uint64_t>(static_cast<double>(result_.max_frame_bytes) /
                                                  config_.link_bytes_per_ms) +
                            1;
      result_.urgent_bound_ms = 2 * (2 * frame_ms + config_.link_delay_ms + config_.link_jitter_ms);
      for (const UrgentLedger& u : urgent_) {
        if (!u.at_city) return Internal("the city never recorded report " + u.id);
        const uint64_t latency = *u.at_city - u.written_at;
        if (latency > result_.urgent_bound_ms) {
          return Internal("report " + u.id + " reached the city after " + std::to_string(latency) +
                          " ms, over the bound of " + std::to_string(result_.urgent_bound_ms) +
                          " ms");
        }
        auto done = backfill_done_.find(u.scope);
        if (done == backfill_done_.end()) {
          return Internal("the backfill of " + u.scope + " never completed at the city");
        }
        if (*u.at_city >= done->second) {
          return Internal("report " + u.id + " reached the city at " + std::to_string(*u.at_city) +
                          " ms, not before the backfill of " + u.scope + " completed at " +
                          std::to_string(done->second) + " ms");
        }
        result_.backfill_ms = std::max(result_.backfill_ms, done->second);
      }
    }
    if (config_.town_outage_ms > 0 && outage_town_ >= 0) {
      for (const UrgentLedger& u : urgent_) {
        const Node& v = nodes_[static_cast<size_t>(u.village)];
        if (v.parent != outage_town_ || u.written_at < config_.town_outage_at_ms ||
            u.written_at >= outage_end_) {
          continue;
        }
        result_.outage_reports++;
        if (v.ups.size() > 1 && (!u.at_city || *u.at_city >= outage_end_)) {
          return Internal("report " + u.id + " of " + v.unit +
                          " reached the city only after its town came back");
        }
        if (!u.at_town || *u.at_town < outage_end_) {
          return Internal("report " + u.id + " was not received by the town after its return");
        }
      }
    }
    return Status::Ok();
  }

  std::string Diagnose(const std::string& scope) {
    std::ostringstream out;
    for (Node& n : nodes_) {
      if (!Holds(n.unit, scope)) continue;
      auto vv = n.store->GetVersionVector(scope);
      out << "\n  " << n.unit << ":";
      if (vv.ok()) {
        for (auto [o, s] : *vv) out << " " << std::hex << o << std::dec << "=" << s;
      }
    }
    for (auto& [why, count] : close_reasons_) out << "\n  closed " << count << "x: " << why;
    return out.str();
  }

  struct Event {
    uint64_t when;
    uint64_t order;
    std::function<void()> fn;
    bool operator<(const Event& o) const {
      return when != o.when ? when > o.when : order > o.order;
    }
  };

  SimConfig config_;
  std::mt19937_64 rng_;
  SeededRandom crypto_random_;
  std::filesystem::path root_;
  std::optional<crypto::SigningKey> root_key_;
  std::optional<crypto::TrustStore> trust_;
  std::vector<Node> nodes_;
  std::map<int, Conn> conns_;
  std::map<int, std::vector<int>> open_conns_;  // node -> its open connections, by id
  std::priority_queue<Event> events_;
  uint64_t next_event_ = 0, next_frame_ = 0, now_ = 0, last_activity_ = 0;
  int next_conn_ = 1;
  uint64_t report_counter_ = 0;
  bool faults_on_ = false, writing_ = true;
  std::vector<Ledger> ledger_;
  std::vector<UrgentLedger> urgent_;
  std::map<std::string, uint64_t> backfill_done_;  // village scope -> when the city held it all
  int outage_town_ = -1;
  uint64_t outage_end_ = 0;
  std::map<std::string, int> close_reasons_;
  Status error_;
  SimResult result_;
};

}  // namespace

SimResult RunSimulation(const SimConfig& config) { return Simulation(config).Run(); }

SimConfig UrgentDuringBackfillScenario(uint64_t seed, const std::string& work_dir) {
  SimConfig c;
  c.seed = seed;
  c.work_dir = work_dir;
  c.faults = false;
  c.workload = false;
  c.towns = 2;
  c.villages_per_town = 2;
  c.preload_children = 400;
  c.preload_ops_per_child = 5;
  c.link_bytes_per_ms = 8;
  c.max_batch_ops = 20;
  c.fault_phase_ms = 5 * 60'000;
  c.bulk_urgent_reports = 2;
  c.bulk_urgent_from_ms = 2'000;
  c.bulk_urgent_until_ms = 6'000;
  c.city_fallback_fraction = 0.3;
  return c;
}

SimConfig TownOutageScenario(uint64_t seed, const std::string& work_dir) {
  SimConfig c;
  c.seed = seed;
  c.work_dir = work_dir;
  c.faults = false;
  c.towns = 2;
  c.villages_per_town = 3;
  c.fault_phase_ms = 3 * 3600'000;
  c.mean_write_interval_ms = 10 * 60'000;
  c.urgent_fraction = 0.1;
  c.town_outage_at_ms = 10 * 60'000;
  c.town_outage_ms = 2 * 3600'000;
  c.outage_reports = 2;
  c.city_fallback_fraction = 1.0;
  return c;
}

}  // namespace fulei::sync::sim
