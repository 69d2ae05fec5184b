// The node core's clocks (issue 14; docs/protocol.md, "Clocks"): which clock a node follows,
// how far, and what a wrong clock — its own or an upstream's — can do to it. A small in-memory
// harness like core_test.cc's, with a wall clock per node (a skew from the harness's time) and
// a tap that may rewrite messages in flight; connections use the real Noise handshake, so the
// certificate checks at each node's time decide who may connect.
#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "crypto/data_key.h"
#include "crypto/identity.h"
#include "crypto/random.h"
#include "node/core/core.h"
#include "node/core/data_key_sealer.h"
#include "sync/messages.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace fulei::node {
namespace {

constexpr uint64_t kStartMs = 1'764'000'000'000;  // late 2025
constexpr uint64_t kHourMs = 3'600'000;
constexpr uint64_t kDayMs = 24 * kHourMs;
constexpr uint64_t kYearMs = 365 * kDayMs;
constexpr char kCity[] = "jinjiang";
constexpr char kTown[] = "jinjiang/cizao";
constexpr char kVillage[] = "jinjiang/cizao/v001";

class Harness {
 public:
  Harness() : random_(14), root_(crypto::SigningKey::Generate(random_)) {}

  // Adds a node whose certificate is valid from 0 to kStartMs + 1 year; `ups`: its upstreams.
  void Add(const std::string& unit, crypto::Role role, std::vector<std::string> ups) {
    Node& n = nodes_[unit];
    n.ups = std::move(ups);
    n.dir = dir_.sub(std::to_string(nodes_.size()));
    std::filesystem::create_directories(n.dir);
    crypto::NodeIdentity identity = crypto::NodeIdentity::Generate(random_);
    auto cert = crypto::CertifyNode(identity, role, unit, 0, kStartMs + kYearMs, root_);
    FULEI_CHECK(cert.ok());
    n.chain = {*cert};
    FULEI_CHECK_OK(identity.Save(n.dir, crypto::KeyProtection::None(), random_));
    n.sealer = std::make_unique<DataKeySealer>(crypto::KeyRing::Create(random_));
    Start(unit);
  }

  // (Re)starts `unit` from its data directory, its wall clock `skew_ms` off the harness's.
  void Start(const std::string& unit, int64_t skew_ms = 0) {
    Node& n = nodes_.at(unit);
    n.skew_ms = skew_ms;
    CoreConfig c;
    c.unit = unit;
    c.data_dir = n.dir;
    c.upstream_units = n.ups;
    c.sealer = n.sealer.get();
    c.reserve_bytes = 0;
    c.initial_map_bytes = size_t{4} << 20;
    c.backoff.initial = std::chrono::milliseconds(100);
    c.backoff.max = std::chrono::milliseconds(1000);
    c.log = [this](std::string_view line) { log.emplace_back(line); };
    auto identity = crypto::NodeIdentity::Load(n.dir, crypto::KeyProtection::None());
    FULEI_CHECK(identity.ok());
    auto core = NodeCore::Open(std::move(c), std::move(*identity), n.chain, root_.public_key(),
                               random_, Wall(unit));
    FULEI_CHECK_OK(core.status());
    n.core = std::move(*core);
    Pump();
  }

  // A power cut: connections drop (the other ends hear of it), memory is gone, the disk stays.
  void Crash(const std::string& unit) {
    for (auto& [id, w] : wires_) {
      if (w.open && (w.child == unit || w.parent == unit)) Cut(id, Unavailable("crashed"));
    }
    nodes_.at(unit).core.reset();
    timers_.erase(unit);
    Pump();
  }

  NodeCore& core(const std::string& unit) { return *nodes_.at(unit).core; }
  const std::string& dir(const std::string& unit) { return nodes_.at(unit).dir; }
  const store::Sealer* sealer(const std::string& unit) { return nodes_.at(unit).sealer.get(); }
  uint64_t Wall(const std::string& unit) const {
    return static_cast<uint64_t>(static_cast<int64_t>(now_) + nodes_.at(unit).skew_ms);
  }
  uint64_t now() const { return now_; }

  void Block(const std::string& child, const std::string& parent) {
    blocked_.insert({child, parent});
    for (auto& [id, w] : wires_) {
      if (w.open && w.child == child && w.parent == parent) Cut(id, Unavailable("link lost"));
    }
    Pump();
  }
  void Unblock(const std::string& child, const std::string& parent) {
    blocked_.erase({child, parent});
  }
  bool Connected(const std::string& child, const std::string& parent) const {
    for (const auto& [id, w] : wires_) {
      if (w.open && w.child == child && w.parent == parent) return true;
    }
    return false;
  }

  // Sees (and may rewrite) every message: (from unit, to unit, bytes).
  std::function<void(const std::string&, const std::string&, std::string&)> tap;
  std::vector<std::string> log;

  // Advances the clocks by `ms`, firing the timers that come due, in order.
  void Advance(uint64_t ms) {
    const uint64_t until = now_ + ms;
    for (;;) {
      std::optional<std::pair<uint64_t, std::pair<std::string, TimerId>>> next;
      for (const auto& [unit, timers] : timers_) {
        for (const auto& [timer, at] : timers) {
          if (at <= until && (!next || at < next->first)) next = {at, {unit, timer}};
        }
      }
      if (!next) break;
      now_ = std::max(now_, next->first);
      const auto [unit, timer] = next->second;
      timers_[unit].erase(timer);
      core(unit).OnTimer(timer, Wall(unit));
      Pump();
    }
    now_ = until;
  }

  void Pump() {
    for (bool busy = true; busy;) {
      busy = false;
      for (auto& [unit, n] : nodes_) {
        if (!n.core) continue;
        for (Action& a : n.core->TakeActions()) {
          busy = true;
          Carry(unit, a);
        }
      }
      while (!mail_.empty()) {
        busy = true;
        Mail m = std::move(mail_.front());
        mail_.pop_front();
        auto it = wires_.find(m.conn);
        if (it == wires_.end() || !it->second.open) continue;
        if (tap) tap(m.from, m.to, m.bytes);
        NodeCore* to = nodes_.at(m.to).core.get();
        if (to != nullptr) to->OnMessage(m.conn, m.bytes, Wall(m.to));
      }
    }
  }

 private:
  struct Node {
    std::vector<std::string> ups;
    std::string dir;
    crypto::CertChain chain;
    std::unique_ptr<DataKeySealer> sealer;
    int64_t skew_ms = 0;
    std::unique_ptr<NodeCore> core;
  };
  struct Wire {
    std::string child, parent;
    bool open = true;
  };
  struct Mail {
    ConnId conn;
    std::string from, to;
    std::string bytes;
  };

  void Cut(ConnId id, const Status& why) {
    Wire& w = wires_.at(id);
    if (!w.open) return;
    w.open = false;
    for (const std::string& end : {w.child, w.parent}) {
      if (nodes_.at(end).core) nodes_.at(end).core->OnClosed(id, why, Wall(end));
    }
  }

  void Carry(const std::string& unit, Action& a) {
    switch (a.kind) {
      case Action::Kind::kSend: {
        Wire& w = wires_.at(a.conn);
        if (w.open) {
          const std::string& to = w.child == unit ? w.parent : w.child;
          mail_.push_back(Mail{a.conn, unit, to, std::move(a.bytes)});
        }
        return;
      }
      case Action::Kind::kClose:
        return Cut(a.conn, a.reason);
      case Action::Kind::kDial:
        return Dial(unit, a.upstream);
      case Action::Kind::kSetTimer: {
        // The core's timers are in its own wall clock.
        const int64_t at = static_cast<int64_t>(a.at_ms) - nodes_.at(unit).skew_ms;
        timers_[unit][a.timer] = at < 0 ? 0 : static_cast<uint64_t>(at);
        return;
      }
    }
  }

  void Dial(const std::string& child, size_t k) {
    Node& c = nodes_.at(child);
    const std::string& parent = c.ups[k];
    NodeCore* p = nodes_.count(parent) ? nodes_.at(parent).core.get() : nullptr;
    if (p == nullptr || blocked_.count({child, parent})) {
      return c.core->OnDialFailed(k, Unavailable("unreachable"), Wall(child));
    }
    auto initiator = c.core->MakeChannel(static_cast<int>(k), Wall(child));
    auto responder = p->MakeChannel(-1, Wall(parent));
    FULEI_CHECK(initiator.ok() && responder.ok());
    auto first = initiator->Start();
    FULEI_CHECK(first.ok());
    std::string to_responder = *first, to_initiator;
    bool failed = false;
    for (int round = 0; round < 6 && !(initiator->established() && responder->established());
         ++round) {
      std::vector<std::string> ignored;
      std::string out;
      if (!to_responder.empty()) {
        failed |= !responder->Feed(std::exchange(to_responder, {}), &out, &ignored).ok();
        to_initiator += out;
        out.clear();
      }
      if (!to_initiator.empty()) {
        failed |= !initiator->Feed(std::exchange(to_initiator, {}), &out, &ignored).ok();
        to_responder += out;
      }
      if (failed) break;
    }
    if (failed || !initiator->established() || !responder->established()) {
      return c.core->OnDialFailed(k, Unauthenticated("handshake refused"), Wall(child));
    }
    const ConnId id = next_conn_++;
    wires_[id] = Wire{child, parent, true};
    c.core->OnConnected(id, static_cast<int>(k), *initiator->peer_certificate(), Wall(child));
    p->OnConnected(id, -1, *responder->peer_certificate(), Wall(parent));
  }

  crypto::DeterministicRandom random_;
  crypto::SigningKey root_;
  fulei::testing::TempDir dir_;
  std::map<std::string, Node> nodes_;
  std::map<ConnId, Wire> wires_;
  std::deque<Mail> mail_;
  std::map<std::string, std::map<TimerId, uint64_t>> timers_;
  std::set<std::pair<std::string, std::string>> blocked_;
  ConnId next_conn_ = 1;
  uint64_t now_ = kStartMs;
};

// A city, a town and a village below it, all with the harness's clock and connected.
class NodeCoreClock : public ::testing::Test {
 protected:
  NodeCoreClock() {
    h_.Add(kCity, crypto::Role::kCity, {});
    h_.Add(kTown, crypto::Role::kTown, {kCity});
    h_.Add(kVillage, crypto::Role::kVillage, {kTown});
    h_.Advance(5000);
  }

  // Writes child record `id` at `unit` (a record of the village's scope).
  std::vector<crdt::Op> Write(const std::string& unit, const std::string& id) {
    store::LocalChange c;
    c.key = {kVillage, "child", id};
    c.author = "director";
    c.writes.push_back(crdt::FieldWrite{"name", crdt::WriteKind::kSet, "x", {}});
    auto ops = h_.core(unit).Write({c}, {}, h_.Wall(unit));
    EXPECT_OK(ops);
    h_.Pump();
    return ops.ok() ? *ops : std::vector<crdt::Op>{};
  }
  bool Holds(const std::string& unit, const std::string& id) {
    auto got = h_.core(unit).store().Get({kVillage, "child", id});
    return got.ok() && got->has_value();
  }
  crdt::Stamp HighWater(const std::string& unit) {
    auto hw = h_.core(unit).store().HlcHighWater();
    EXPECT_OK(hw);
    return hw.ok() ? *hw : crdt::Stamp{};
  }
  // Rewrites the clock of every Hello `from` sends to `to` to `clock_ms`.
  void ForgeHelloClock(const std::string& from, const std::string& to, uint64_t clock_ms) {
    h_.tap = [=](const std::string& f, const std::string& t, std::string& bytes) {
      if (f != from || t != to) return;
      auto m = sync::DecodeMessage(bytes);
      if (!m.ok() || !std::holds_alternative<sync::Hello>(*m)) return;
      std::get<sync::Hello>(*m).wall_ms = clock_ms;
      bytes = sync::EncodeMessage(*m);
    };
  }
  void Reconnect(const std::string& child, const std::string& parent) {
    h_.Block(child, parent);
    h_.Unblock(child, parent);
    h_.Advance(5000);
  }

  Harness h_;
};

TEST_F(NodeCoreClock, EveryoneAgreesAndIsConfirmedOnceConnected) {
  for (const char* unit : {kCity, kTown, kVillage}) {
    EXPECT_TRUE(h_.core(unit).clock_confirmed()) << unit;
    EXPECT_EQ(h_.core(unit).clock_offset_ms(), 0) << unit;
    EXPECT_EQ(h_.core(unit).Now(h_.Wall(unit)), h_.now()) << unit;
  }
  EXPECT_TRUE(h_.Connected(kVillage, kTown));
  EXPECT_TRUE(h_.Connected(kTown, kCity));
}

// Issue 14: the village adopted its town's Hello clock without bound, into its HLC (persisted,
// never lowered), and checked certificates against that HLC: one Hello from years ahead made it
// refuse every peer for good (its own ops, stamped years ahead, refused by everyone too).
TEST_F(NodeCoreClock, HelloFromTheFutureDoesNotPoisonTheClock) {
  ForgeHelloClock(kTown, kVillage, kStartMs + 5 * kYearMs);
  Reconnect(kVillage, kTown);
  ASSERT_TRUE(h_.Connected(kVillage, kTown));
  NodeCore& village = h_.core(kVillage);
  EXPECT_EQ(village.Now(h_.Wall(kVillage)), h_.now());  // outside the certificates: ignored
  EXPECT_LT(HighWater(kVillage).ms, h_.now() + kHourMs);
  // Its ops are stamped by its own clock and reach the town; it can connect again.
  auto ops = Write(kVillage, "c1");
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_LE(ops[0].stamp.ms, h_.now());
  EXPECT_TRUE(Holds(kTown, "c1"));
  Reconnect(kVillage, kTown);
  EXPECT_TRUE(h_.Connected(kVillage, kTown));
  // Its restart changes nothing: nothing was persisted ahead.
  h_.Crash(kVillage);
  h_.Start(kVillage);
  h_.Advance(5000);
  EXPECT_TRUE(h_.Connected(kVillage, kTown));
  EXPECT_EQ(h_.core(kVillage).Now(h_.Wall(kVillage)), h_.now());
  Write(kVillage, "c2");
  EXPECT_TRUE(Holds(kTown, "c2"));

  // A Hello three hours ahead (inside the certificates) moves a set clock by max_future only.
  ForgeHelloClock(kTown, kVillage, h_.now() + 3 * kHourMs);
  Reconnect(kVillage, kTown);
  EXPECT_EQ(h_.core(kVillage).clock_offset_ms(), static_cast<int64_t>(kHourMs));
  // And the next honest Hello brings it back.
  h_.tap = nullptr;
  Reconnect(kVillage, kTown);
  EXPECT_EQ(h_.core(kVillage).clock_offset_ms(), 0);
}

// A village Pi without RTC reads 1970 at every boot. It adopts its town's clock whole — it has
// nothing better — and keeps working across reboots.
TEST_F(NodeCoreClock, VillageWithoutAClockAdoptsItsTownsClockAndKeepsWorking) {
  Write(kVillage, "c0");
  const int64_t in_1970 = -static_cast<int64_t>(kStartMs) + 1000;
  for (int boot = 0; boot < 3; ++boot) {
    h_.Crash(kVillage);
    h_.Advance(10 * 60'000);  // down ten minutes
    h_.Start(kVillage, in_1970);
    EXPECT_LT(h_.Wall(kVillage), 86'400'000u);
    h_.Advance(5000);
    ASSERT_TRUE(h_.Connected(kVillage, kTown)) << "boot " << boot;
    EXPECT_TRUE(h_.core(kVillage).clock_confirmed());
    const uint64_t now = h_.core(kVillage).Now(h_.Wall(kVillage));
    EXPECT_GE(now + 1000, h_.now()) << "boot " << boot;
    EXPECT_LE(now, h_.now() + 1000) << "boot " << boot;
    // The town's ops come down, the village's go up, stamped at the adopted time.
    const std::string id = "b" + std::to_string(boot);
    Write(kTown, id + "-town");
    EXPECT_TRUE(Holds(kVillage, id + "-town"));
    auto ops = Write(kVillage, id);
    ASSERT_EQ(ops.size(), 1u);
    EXPECT_GE(ops[0].stamp.ms + 1000, h_.now());
    EXPECT_TRUE(Holds(kTown, id));
  }
}

// Issue 14: certificates were checked at max(wall, HLC), so a node whose persisted high-water
// was pushed ahead refused every peer. It now connects (its wall clock is set), and once an
// operator resets the mark (Store::ResetHlcHighWater, the node stopped) its ops flow again.
TEST_F(NodeCoreClock, PoisonedNodeStillConnectsAndRecoversOnceItsHighWaterIsReset) {
  h_.Crash(kVillage);
  const crdt::Stamp poisoned{kStartMs + 5 * kYearMs, 0};
  {
    store::StoreOptions o;
    o.sealer = h_.sealer(kVillage);
    o.reserve_bytes = 0;
    ASSERT_OK_AND_ASSIGN(auto store, store::Store::Open(h_.dir(kVillage), o));
    crdt::HybridClock clock;
    clock.Restore(poisoned);
    store::ApplyOptions apply;
    apply.hlc_high_water = poisoned;
    ASSERT_OK(store->ApplyDecoded({}, {}, apply));
    ASSERT_OK_AND_ASSIGN(crdt::Stamp hw, store->HlcHighWater());
    ASSERT_EQ(hw, poisoned);
  }
  h_.Start(kVillage);
  h_.Advance(5000);
  EXPECT_TRUE(h_.Connected(kVillage, kTown)) << "certificates are checked at wall time";
  EXPECT_EQ(h_.core(kVillage).Now(h_.Wall(kVillage)), h_.now());
  Write(kTown, "down");
  EXPECT_TRUE(Holds(kVillage, "down"));
  // Its own next op would still be stamped after what its HLC holds (the town would refuse it,
  // and with it every later op of its chain): the operator resets the mark before it writes.
  EXPECT_GE(HighWater(kVillage).ms, poisoned.ms);

  h_.Crash(kVillage);
  {
    store::StoreOptions o;
    o.sealer = h_.sealer(kVillage);
    o.reserve_bytes = 0;
    ASSERT_OK_AND_ASSIGN(auto store, store::Store::Open(h_.dir(kVillage), o));
    ASSERT_OK_AND_ASSIGN(crdt::Stamp replaced, store->ResetHlcHighWater(crdt::Stamp{h_.now(), 0}));
    EXPECT_GT(replaced, poisoned);
  }
  h_.Start(kVillage);
  h_.Advance(5000);
  ASSERT_TRUE(h_.Connected(kVillage, kTown));
  auto ops = Write(kVillage, "after-reset");
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_LE(ops[0].stamp.ms, h_.now());
  EXPECT_TRUE(Holds(kTown, "after-reset"));
}

// A node whose wall clock boots ahead (a bad RTC, a wrong NTP) stamps nothing beyond what it had
// reached until its upstream confirms its clock; it then follows its upstream back. Years
// ahead, past every certificate, it cannot connect until its clock is set, but signs nothing
// its peers must refuse meanwhile.
TEST_F(NodeCoreClock, ClockThatBootsAheadSignsNothingItsPeersMustRefuse) {
  const uint64_t reached = HighWater(kVillage).ms;
  for (const uint64_t ahead : {30 * kDayMs, 3 * kYearMs}) {
    SCOPED_TRACE(ahead);
    h_.Crash(kVillage);
    h_.Block(kVillage, kTown);
    h_.Start(kVillage, static_cast<int64_t>(ahead));
    EXPECT_FALSE(h_.core(kVillage).clock_confirmed());
    auto offline = Write(kVillage, "offline-" + std::to_string(ahead));
    ASSERT_EQ(offline.size(), 1u);
    EXPECT_LE(offline[0].stamp.ms, std::max(reached, h_.now()));
    h_.Unblock(kVillage, kTown);
    h_.Advance(5000);
    if (ahead < kYearMs) {
      ASSERT_TRUE(h_.Connected(kVillage, kTown));
      EXPECT_TRUE(h_.core(kVillage).clock_confirmed());
      EXPECT_LE(h_.core(kVillage).Now(h_.Wall(kVillage)), h_.now() + 1000);
      auto online = Write(kVillage, "online");
      ASSERT_EQ(online.size(), 1u);
      EXPECT_LE(online[0].stamp.ms, h_.now() + 1000);
      EXPECT_TRUE(Holds(kTown, "online"));
    } else {
      EXPECT_FALSE(h_.Connected(kVillage, kTown)) << "certificates look expired at its clock";
    }
    // Its clock is set right: everything it wrote reaches the town.
    h_.Crash(kVillage);
    h_.Start(kVillage);
    h_.Advance(5000);
    ASSERT_TRUE(h_.Connected(kVillage, kTown));
    EXPECT_TRUE(Holds(kTown, "offline-" + std::to_string(ahead)));
  }
}

// A town restarted while the city is out of reach announces no clock (it has not been confirmed)
// and its clockless villages do not follow it; once the city confirmed it, it does again.
TEST_F(NodeCoreClock, NodeAnnouncesNoClockUntilItsUpstreamConfirmedIt) {
  std::vector<uint64_t> announced;
  h_.tap = [&](const std::string& from, const std::string& to, std::string& bytes) {
    auto m = sync::DecodeMessage(bytes);
    if (from == kTown && to == kVillage && m.ok() && std::holds_alternative<sync::Hello>(*m)) {
      announced.push_back(std::get<sync::Hello>(*m).wall_ms);
    }
  };
  h_.Crash(kTown);
  h_.Block(kTown, kCity);
  h_.Start(kTown);
  h_.Advance(5000);
  ASSERT_TRUE(h_.Connected(kVillage, kTown));
  EXPECT_FALSE(h_.core(kTown).clock_confirmed());
  ASSERT_FALSE(announced.empty());
  EXPECT_EQ(announced.back(), 0u);
  h_.Unblock(kTown, kCity);
  h_.Advance(5000);
  EXPECT_TRUE(h_.core(kTown).clock_confirmed());
  Reconnect(kVillage, kTown);
  EXPECT_NE(announced.back(), 0u);
  EXPECT_LE(announced.back(), h_.now());
  EXPECT_GE(announced.back() + 5000, h_.now());
}

}  // namespace
}  // namespace fulei::node
