// The node core driven directly, without sockets or an event loop: a small in-memory harness
// carries out its actions (a dial connects at once when the upstream is up and the link is
// allowed; messages are delivered in order; timers fire when the test advances the clock).
// Connections are made with the real Noise handshake of the cores' own channels, so the
// certificate checks (and a revocation) decide who may connect.
#include "node/core/core.h"

#include <gtest/gtest.h>

#include <deque>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "crypto/data_key.h"
#include "crypto/identity.h"
#include "crypto/random.h"
#include "crypto/revocation.h"
#include "node/core/data_key_sealer.h"
#include "programme/audit.h"
#include "programme/date.h"
#include "programme/fields.h"
#include "programme/redact.h"
#include "programme/schema.h"
#include "programme/validate.h"
#include "sync/receipts.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace fulei::node {
namespace {

constexpr uint64_t kStartMs = 1'764'000'000'000;  // late 2025

// One simulated node: its core, and what the harness needs to restart it.
struct TestNode {
  std::string unit;
  crypto::Role role;
  std::vector<std::string> ups;  // units of its upstreams, in order
  std::string dir;
  crypto::CertChain chain;
  std::unique_ptr<DataKeySealer> sealer;  // the node's data keys, kept across restarts
  std::unique_ptr<NodeCore> core;
};

class Harness {
 public:
  Harness() : random_(42), root_(crypto::SigningKey::Generate(random_)) {}

  NodeCore& Add(const std::string& unit, crypto::Role role, std::vector<std::string> ups) {
    TestNode& n = nodes_[unit];
    n.unit = unit;
    n.role = role;
    n.ups = std::move(ups);
    n.dir = dir_.sub(std::to_string(nodes_.size()));
    std::filesystem::create_directories(n.dir);
    crypto::NodeIdentity identity = crypto::NodeIdentity::Generate(random_);
    auto cert = crypto::CertifyNode(identity, role, unit, 0, kStartMs + 365ull * 86'400'000, root_);
    FULEI_CHECK(cert.ok());
    n.chain = {*cert};
    FULEI_CHECK_OK(identity.Save(n.dir, crypto::KeyProtection::None(), random_));
    crypto::SystemRandom key_random;  // not random_: the runs' other draws stay as they were
    n.sealer = std::make_unique<DataKeySealer>(crypto::KeyRing::Create(key_random));
    Start(unit);
    return *n.core;
  }

  void Start(const std::string& unit) {
    TestNode& n = nodes_.at(unit);
    CoreConfig c;
    c.unit = unit;
    c.data_dir = n.dir;
    c.upstream_units = n.ups;
    c.sealer = n.sealer.get();
    c.reserve_bytes = 0;
    c.initial_map_bytes = size_t{4} << 20;
    c.backoff.initial = std::chrono::milliseconds(100);
    c.backoff.max = std::chrono::milliseconds(1000);
    auto identity = crypto::NodeIdentity::Load(n.dir, crypto::KeyProtection::None());
    FULEI_CHECK(identity.ok());
    auto core = NodeCore::Open(std::move(c), std::move(*identity), n.chain, root_.public_key(),
                               random_, now_);
    FULEI_CHECK(core.ok());
    n.core = std::move(*core);
    Pump();
  }

  // Stops a node like a power cut: its connections drop, the other ends hear of it.
  void Crash(const std::string& unit) {
    for (auto& [id, w] : wires_) {
      if (w.a == unit || w.b == unit) Cut(id, Unavailable("peer crashed"));
    }
    nodes_.at(unit).core.reset();
    timers_.erase(unit);
    Pump();
  }

  NodeCore& core(const std::string& unit) { return *nodes_.at(unit).core; }
  uint64_t now() const { return now_; }
  const crypto::SigningKey& root() const { return root_; }

  // Links allowed: a dial from `child` to `parent` connects only when this holds.
  void Block(const std::string& child, const std::string& parent) {
    blocked_.insert({child, parent});
  }
  void Unblock(const std::string& child, const std::string& parent) {
    blocked_.erase({child, parent});
  }
  // Closes the connection between the two units (a fault), if there is one.
  void CutLink(const std::string& a, const std::string& b) {
    for (auto& [id, w] : wires_) {
      if ((w.a == a && w.b == b) || (w.a == b && w.b == a)) Cut(id, Unavailable("link lost"));
    }
    Pump();
  }
  size_t Connections(const std::string& a, const std::string& b) const {
    size_t n = 0;
    for (const auto& [id, w] : wires_) {
      n += w.open && ((w.a == a && w.b == b) || (w.a == b && w.b == a)) ? 1 : 0;
    }
    return n;
  }

  // Advances the clock by `ms`, firing the timers that come due, in order.
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
      core(unit).OnTimer(timer, now_);
      Pump();
    }
    now_ = until;
  }

  // Carries out every queued action until none is left.
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
        NodeCore* to = nodes_.at(m.to).core.get();
        if (to != nullptr) to->OnMessage(m.conn, m.bytes, now_);
      }
    }
  }

  // A second connection of `child` to `parent` that the parent accepts, while the child's core
  // knows nothing of it (the child restarted, or the older link died without the parent
  // noticing, or a copy of the child's identity dials): messages to the child's end are lost.
  ConnId ConnectAgain(const std::string& child, const std::string& parent) {
    const ConnId id = next_conn_++;
    wires_[id] = Wire{child, parent, 0, true};
    core(parent).OnConnected(id, -1, nodes_.at(child).chain.front(), now_);
    Pump();
    return id;
  }
  bool Open(ConnId id) const { return wires_.count(id) != 0 && wires_.at(id).open; }

  Action::Kind last_close_kind() const { return Action::Kind::kClose; }
  std::vector<Status> closes;  // reasons of every kClose the cores asked for

 private:
  struct Wire {
    std::string a, b;  // a: the child (dialling end), b: the parent
    size_t k = 0;
    bool open = true;
  };
  struct Mail {
    ConnId conn;
    std::string to;
    std::string bytes;
  };

  void Cut(ConnId id, const Status& why) {
    Wire& w = wires_.at(id);
    if (!w.open) return;
    w.open = false;
    for (const std::string& end : {w.a, w.b}) {
      if (nodes_.at(end).core) nodes_.at(end).core->OnClosed(id, why, now_);
    }
  }

  void Carry(const std::string& unit, Action& a) {
    switch (a.kind) {
      case Action::Kind::kSend: {
        Wire& w = wires_.at(a.conn);
        if (w.open) mail_.push_back(Mail{a.conn, w.a == unit ? w.b : w.a, std::move(a.bytes)});
        return;
      }
      case Action::Kind::kClose:
        closes.push_back(a.reason);
        return Cut(a.conn, a.reason);
      case Action::Kind::kDial:
        return Dial(unit, a.upstream);
      case Action::Kind::kSetTimer:
        timers_[unit][a.timer] = a.at_ms;
        return;
    }
  }

  // Connects `child` to its upstream k with a real handshake, or reports the dial failed.
  void Dial(const std::string& child, size_t k) {
    TestNode& c = nodes_.at(child);
    const std::string& parent = c.ups[k];
    NodeCore* p = nodes_.count(parent) ? nodes_.at(parent).core.get() : nullptr;
    if (p == nullptr || blocked_.count({child, parent})) {
      return c.core->OnDialFailed(k, Unavailable("unreachable"), now_);
    }
    auto initiator = c.core->MakeChannel(static_cast<int>(k), now_);
    auto responder = p->MakeChannel(-1, now_);
    FULEI_CHECK(initiator.ok() && responder.ok());
    auto first = initiator->Start();
    FULEI_CHECK(first.ok());
    // Handshake: feed each side's bytes to the other until both are established or one fails.
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
      return c.core->OnDialFailed(k, Unauthenticated("handshake refused"), now_);
    }
    const ConnId id = next_conn_++;
    wires_[id] = Wire{child, parent, k, true};
    c.core->OnConnected(id, static_cast<int>(k), *initiator->peer_certificate(), now_);
    p->OnConnected(id, -1, *responder->peer_certificate(), now_);
  }

  crypto::DeterministicRandom random_;
  crypto::SigningKey root_;
  fulei::testing::TempDir dir_;
  std::map<std::string, TestNode> nodes_;
  std::map<ConnId, Wire> wires_;
  std::deque<Mail> mail_;
  std::map<std::string, std::map<TimerId, uint64_t>> timers_;
  std::set<std::pair<std::string, std::string>> blocked_;
  ConnId next_conn_ = 1;
  uint64_t now_ = kStartMs;
};

constexpr char kCity[] = "jinjiang";
constexpr char kTown[] = "jinjiang/cizao";
constexpr char kVillage[] = "jinjiang/cizao/v001";

store::LocalChange Child(const std::string& id, const std::string& name) {
  store::LocalChange c;
  c.key = {kVillage, "child", id};
  c.author = "director";
  c.writes.push_back(crdt::FieldWrite{"name", crdt::WriteKind::kSet, name, {}});
  return c;
}

store::LocalChange Report(const std::string& id) {
  store::LocalChange c;
  c.key = {kVillage, "report", id};
  c.author = "director";
  c.flags = crdt::kOpFlagUrgent;
  c.writes.push_back(crdt::FieldWrite{"category", crdt::WriteKind::kSet, "neglect", {}});
  return c;
}

bool Holds(NodeCore& core, const std::string& id) {
  auto got = core.store().Get({kVillage, "child", id});
  return got.ok() && got->has_value();
}

TEST(NodeCore, OpensDialsEveryUpstreamAndTheCityArmsEscalation) {
  testing::TempDir dir;
  crypto::DeterministicRandom random(1);
  crypto::SigningKey root = crypto::SigningKey::Generate(random);
  crypto::NodeIdentity identity = crypto::NodeIdentity::Generate(random);
  auto cert =
      crypto::CertifyNode(identity, crypto::Role::kVillage, kVillage, 0, kStartMs * 2, root);
  ASSERT_OK(cert);
  CoreConfig c;
  c.unit = kVillage;
  c.data_dir = dir.path();
  c.upstream_units = {"", kCity};
  c.reserve_bytes = 0;
  c.unsealed_for_tests = true;  // dials and timers only: nothing here needs sealing
  ASSERT_OK_AND_ASSIGN(auto core, NodeCore::Open(std::move(c), std::move(identity), {*cert},
                                                 root.public_key(), random, kStartMs));
  std::vector<Action> actions = core->TakeActions();
  ASSERT_EQ(actions.size(), 2u);  // a village dials both upstreams and does not escalate
  EXPECT_EQ(actions[0].kind, Action::Kind::kDial);
  EXPECT_EQ(actions[0].upstream, 0u);
  EXPECT_EQ(actions[1].kind, Action::Kind::kDial);
  EXPECT_EQ(actions[1].upstream, 1u);
  EXPECT_EQ(core->CheckEscalations(kStartMs).status().code(), StatusCode::kFailedPrecondition);
}

TEST(NodeCore, RefusesAChainOfAnotherUnit) {
  testing::TempDir dir;
  crypto::DeterministicRandom random(2);
  crypto::SigningKey root = crypto::SigningKey::Generate(random);
  crypto::NodeIdentity identity = crypto::NodeIdentity::Generate(random);
  auto cert = crypto::CertifyNode(identity, crypto::Role::kTown, kTown, 0, kStartMs * 2, root);
  ASSERT_OK(cert);
  CoreConfig c;
  c.unit = "jinjiang/chidian";
  c.data_dir = dir.path();
  c.unsealed_for_tests = true;  // the chain is what is refused
  auto core = NodeCore::Open(std::move(c), std::move(identity), {*cert}, root.public_key(), random,
                             kStartMs);
  EXPECT_EQ(core.status().code(), StatusCode::kInvalidArgument);
}

// Issue 14, defect 9: with no sealer configured (the default) the node started anyway and wrote
// children's names to LMDB in plaintext. It refuses now, before it creates anything, unless the
// config says explicitly that it may run unsealed.
TEST(NodeCore, NodeRefusesToStartUnsealed) {
  testing::TempDir dir;
  crypto::DeterministicRandom random(3);
  crypto::SigningKey root = crypto::SigningKey::Generate(random);
  crypto::NodeIdentity identity = crypto::NodeIdentity::Generate(random);
  ASSERT_OK_AND_ASSIGN(
      crypto::Certificate cert,
      crypto::CertifyNode(identity, crypto::Role::kVillage, kVillage, 0, kStartMs * 2, root));
  ASSERT_OK(identity.Save(dir.path(), crypto::KeyProtection::None(), random));
  auto load = [&] {
    auto loaded = crypto::NodeIdentity::Load(dir.path(), crypto::KeyProtection::None());
    FULEI_CHECK(loaded.ok());
    return std::move(loaded).value();
  };
  const std::string data_dir = dir.sub("village");
  auto config = [&] {
    CoreConfig c;
    c.unit = kVillage;
    c.data_dir = data_dir;
    c.reserve_bytes = 0;
    return c;
  };
  auto refused = NodeCore::Open(config(), load(), {cert}, root.public_key(), random, kStartMs);
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("sealer"), std::string::npos)
      << refused.status().ToString();
  EXPECT_FALSE(std::filesystem::exists(data_dir)) << "a refused node created its store";
  // Said explicitly, it runs unsealed.
  CoreConfig unsealed = config();
  unsealed.unsealed_for_tests = true;
  EXPECT_OK(
      NodeCore::Open(std::move(unsealed), load(), {cert}, root.public_key(), random, kStartMs));
}

// With the product's sealer a child's name never reaches the node's files in plaintext.
TEST(NodeCore, SealedNodeKeepsNamesOutOfItsFiles) {
  testing::TempDir dir;
  crypto::DeterministicRandom random(4);
  crypto::SigningKey root = crypto::SigningKey::Generate(random);
  crypto::NodeIdentity identity = crypto::NodeIdentity::Generate(random);
  ASSERT_OK_AND_ASSIGN(
      crypto::Certificate cert,
      crypto::CertifyNode(identity, crypto::Role::kVillage, kVillage, 0, kStartMs * 2, root));
  DataKeySealer sealer = DataKeySealer::Generate(random);
  CoreConfig c;
  c.unit = kVillage;
  c.data_dir = dir.path();
  c.reserve_bytes = 0;
  c.sealer = &sealer;
  {
    ASSERT_OK_AND_ASSIGN(auto core, NodeCore::Open(std::move(c), std::move(identity), {cert},
                                                   root.public_key(), random, kStartMs));
    ASSERT_OK(core->Write({Child("c1", "Zhang Xiaoming")}, {}, kStartMs));
  }
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(bytes.find("Zhang Xiaoming"), std::string::npos) << entry.path();
  }
}

TEST(NodeCore, FailedDialIsRetriedAfterABackoff) {
  Harness h;
  h.Add(kTown, crypto::Role::kTown, {kCity});  // the city does not exist yet
  EXPECT_FALSE(h.core(kTown).upstream_connected(0));
  EXPECT_EQ(h.core(kTown).stats().dials_failed, 1u);
  h.Add(kCity, crypto::Role::kCity, {});
  h.Advance(50);  // within the first delay's ceiling (100 ms) the timer may or may not fire
  h.Advance(100);
  EXPECT_TRUE(h.core(kTown).upstream_connected(0));
  EXPECT_TRUE(h.core(kTown).upstream_full_sync(0));
  EXPECT_EQ(h.core(kCity).connected_peers(), 1u);
}

TEST(NodeCore, ReconnectsAndCatchesUpWhatWasWrittenMeanwhile) {
  Harness h;
  h.Add(kCity, crypto::Role::kCity, {});
  h.Add(kTown, crypto::Role::kTown, {kCity});
  NodeCore& village = h.Add(kVillage, crypto::Role::kVillage, {kTown});
  ASSERT_TRUE(village.upstream_connected(0));
  ASSERT_OK(village.Write({Child("c1", "小明")}, {}, h.now()));
  h.Pump();
  EXPECT_TRUE(Holds(h.core(kTown), "c1"));
  EXPECT_TRUE(Holds(h.core(kCity), "c1"));  // the town passed it on at once

  h.Block(kVillage, kTown);
  h.CutLink(kVillage, kTown);
  EXPECT_FALSE(village.upstream_connected(0));
  ASSERT_OK(village.Write({Child("c2", "小红")}, {}, h.now()));
  h.Pump();
  EXPECT_FALSE(Holds(h.core(kTown), "c2"));
  h.Advance(5'000);  // retries fail while the link is down
  EXPECT_FALSE(village.upstream_connected(0));
  EXPECT_GE(village.stats().dials_failed, 2u);

  h.Unblock(kVillage, kTown);
  h.Advance(2'000);  // the backoff ceiling is 1 s
  EXPECT_TRUE(village.upstream_connected(0));
  EXPECT_TRUE(Holds(h.core(kTown), "c2"));
  EXPECT_TRUE(Holds(h.core(kCity), "c2"));
  EXPECT_TRUE(village.sync_idle());
}

// The audit log: entries a node appends are copied into `audit` records that reach the town and
// the city; never twice, also after a restart; a town's own stay out of its villages.
TEST(NodeCore, AuditLogEntriesReplicateUpOnceEach) {
  Harness h;
  h.Add(kCity, crypto::Role::kCity, {});
  NodeCore& town = h.Add(kTown, crypto::Role::kTown, {kCity});
  NodeCore* village = &h.Add(kVillage, crypto::Role::kVillage, {kTown});
  auto audit_records = [](NodeCore& n, const std::string& scope) {
    std::vector<std::string> ids;
    EXPECT_OK(n.store().ForEach(programme::kAudit, scope,
                                [&](const crdt::RecordKey& key, const crdt::RecordState&) {
                                  ids.push_back(key.scope + " " + key.id);
                                  return true;
                                }));
    return ids;
  };
  ASSERT_OK(village->store().AppendAudit(std::vector<std::string>{
      "read\t2025-11-24T15:00:00Z\tu-dir\tdirector\t" + std::string(kVillage) + "\t" +
          std::string(kVillage) + "/child/c1\t10.0.0.7",
      "login\t2025-11-24T15:01:00Z\tbad\xff\x01login\t\t\t10.0.0.8\trefused"}));
  const uint64_t version = village->data_version();
  ASSERT_OK_AND_ASSIGN(size_t copied, village->ShipAudit(h.now()));
  EXPECT_EQ(copied, 2u);
  EXPECT_EQ(village->data_version(), version);  // an audited read makes no page reload
  ASSERT_OK_AND_ASSIGN(copied, village->ShipAudit(h.now()));
  EXPECT_EQ(copied, 0u);
  h.Pump();
  ASSERT_OK_AND_ASSIGN(auto log, village->store().ReadAudit(1, 10));
  ASSERT_EQ(log.size(), 2u);
  std::vector<std::string> expected = {
      std::string(kVillage) + " " + programme::AuditRecordId(1, log[0].second),
      std::string(kVillage) + " " + programme::AuditRecordId(2, log[1].second)};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(audit_records(town, kVillage), expected);
  EXPECT_EQ(audit_records(h.core(kCity), kVillage), expected);
  // What the town holds reads back as the entry, and is a valid record whatever the bytes.
  auto state = town.store().Get(
      {kVillage, std::string(programme::kAudit), programme::AuditRecordId(2, log[1].second)});
  ASSERT_TRUE(state.ok() && state->has_value());
  std::optional<programme::Fields> fields = programme::ReadFields(**state);
  ASSERT_TRUE(fields.has_value());
  EXPECT_OK(programme::ValidateRecord(programme::kAudit, *fields, programme::DateAtMs(h.now())));
  const programme::AuditRecordView view = programme::ReadAuditRecord(*fields);
  EXPECT_EQ(view.entry.action, "login");
  EXPECT_EQ(view.entry.at, "2025-11-24T15:01:00Z");
  EXPECT_EQ(view.entry.from, "10.0.0.8");
  EXPECT_EQ(view.entry.what, "refused");
  EXPECT_EQ(view.seq, 2);
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(village->node_id()));
  EXPECT_EQ(view.node, hex);

  // Restarted, the village finds where it stopped and copies only the new entry.
  h.Crash(kVillage);
  h.Start(kVillage);
  village = &h.core(kVillage);
  ASSERT_OK(village->store().AppendAudit(
      std::vector<std::string>{"backup taken at 2025-11-24T16:00:00Z"}));
  ASSERT_OK_AND_ASSIGN(copied, village->ShipAudit(h.now()));
  EXPECT_EQ(copied, 1u);
  h.Pump();
  EXPECT_EQ(audit_records(town, kVillage).size(), 3u);

  // A town's own entries live in its office scope: up to the city, never down to a village.
  ASSERT_OK(
      town.store().AppendAudit(std::vector<std::string>{"export\t2025-11-24T15:02:00Z\tu-off\t"
                                                        "town_office\t" +
                                                        std::string(kTown) + "\tchildren"}));
  ASSERT_OK_AND_ASSIGN(copied, town.ShipAudit(h.now()));
  EXPECT_EQ(copied, 1u);
  h.Pump();
  const std::string office = std::string(kTown) + "/~office";
  EXPECT_EQ(audit_records(h.core(kCity), office).size(), 1u);
  EXPECT_EQ(audit_records(*village, office).size(), 0u);
  EXPECT_EQ(audit_records(*village, kVillage).size(), 3u);
}

TEST(NodeCore, FallsBackToTheCityAndBackToTheTown) {
  Harness h;
  h.Add(kCity, crypto::Role::kCity, {});
  h.Add(kTown, crypto::Role::kTown, {kCity});
  NodeCore& village = h.Add(kVillage, crypto::Role::kVillage, {kTown, kCity});
  // Both upstreams connected: full sync with the town, urgent-only with the city.
  ASSERT_TRUE(village.upstream_connected(0));
  ASSERT_TRUE(village.upstream_connected(1));
  EXPECT_TRUE(village.upstream_full_sync(0));
  EXPECT_FALSE(village.upstream_full_sync(1));

  // An urgent report goes to both at once, and each sends a receipt back.
  ASSERT_OK(village.Write({Report("r1")}, {kUpstreamOutbox}, h.now()));
  EXPECT_EQ(village.store().Outbox(UpstreamOutbox(0))->size(), 1u);
  EXPECT_EQ(village.store().Outbox(UpstreamOutbox(1))->size(), 1u);
  h.Pump();
  EXPECT_TRUE(village.store().Outbox(UpstreamOutbox(0))->empty());
  EXPECT_TRUE(village.store().Outbox(UpstreamOutbox(1))->empty());
  ASSERT_OK_AND_ASSIGN(auto receipts, sync::ReceiptsFor(village.store(), kVillage, "report", "r1"));
  EXPECT_EQ(receipts.size(), 2u);

  // The town is cut off from the city but still serves the village: the report reaches the
  // city through the village's urgent-only session alone.
  h.Block(kTown, kCity);
  h.CutLink(kTown, kCity);
  ASSERT_OK(village.Write({Report("r2")}, {kUpstreamOutbox}, h.now()));
  h.Pump();
  ASSERT_OK_AND_ASSIGN(auto at_city, h.core(kCity).store().Get({kVillage, "report", "r2"}));
  EXPECT_TRUE(at_city.has_value());
  EXPECT_FALSE(village.upstream_full_sync(1));  // still urgent-only: the town is reachable
  h.Unblock(kTown, kCity);
  h.Advance(2'000);

  // The town goes away: the city's session is closed and redialled in full-sync mode.
  h.Crash(kTown);
  EXPECT_FALSE(village.upstream_connected(0));
  h.Advance(1'000);
  ASSERT_TRUE(village.upstream_connected(1));
  EXPECT_TRUE(village.upstream_full_sync(1));
  EXPECT_GE(village.stats().mode_switches, 1u);
  ASSERT_OK(village.Write({Child("c1", "小明")}, {}, h.now()));
  h.Pump();
  EXPECT_TRUE(Holds(h.core(kCity), "c1"));  // ordinary sync now runs with the city

  // The town comes back: full sync returns to it, the city drops back to urgent-only.
  h.Start(kTown);
  h.Advance(2'000);
  ASSERT_TRUE(village.upstream_connected(0));
  EXPECT_TRUE(village.upstream_full_sync(0));
  ASSERT_TRUE(village.upstream_connected(1));
  EXPECT_FALSE(village.upstream_full_sync(1));
  EXPECT_TRUE(Holds(h.core(kTown), "c1"));
}

TEST(NodeCore, RevokedVillageIsCutOffAndItsQueuedReportLeavesTheTownsOutbox) {
  Harness h;
  h.Add(kCity, crypto::Role::kCity, {});
  h.Add(kTown, crypto::Role::kTown, {kCity});
  NodeCore& village = h.Add(kVillage, crypto::Role::kVillage, {kTown});
  ASSERT_TRUE(village.upstream_connected(0));
  // A report reaches the town while the city is unreachable: it waits in the town's outbox.
  h.Block(kTown, kCity);
  h.CutLink(kTown, kCity);
  ASSERT_OK(village.Write({Report("r1")}, {kUpstreamOutbox}, h.now()));
  h.Pump();
  ASSERT_EQ(h.core(kTown).store().Outbox(kUpstreamOutbox)->size(), 1u);

  crypto::RevocationList list;
  list.version = 1;
  list.revoked = {village.node_id()};
  ASSERT_OK_AND_ASSIGN(std::string signed_list, crypto::SignRevocationList(list, h.root()));
  ASSERT_OK(h.core(kCity).PublishRevocations(signed_list, h.now()));
  h.Pump();
  h.Unblock(kTown, kCity);
  h.Advance(2'000);  // the town reconnects, receives the list and installs it
  EXPECT_EQ(h.core(kTown).revocation_version(), 1u);
  // The town closed the village's session, and refuses its handshakes from now on.
  EXPECT_EQ(h.Connections(kVillage, kTown), 0u);
  bool closed_for_revocation = false;
  for (const Status& s : h.closes) {
    closed_for_revocation |= s.code() == StatusCode::kPermissionDenied;
  }
  EXPECT_TRUE(closed_for_revocation);
  h.Advance(5'000);
  EXPECT_EQ(h.Connections(kVillage, kTown), 0u);
  EXPECT_FALSE(village.upstream_connected(0));
  // The revoked village's queued report left the town's outbox unsent.
  EXPECT_TRUE(h.core(kTown).store().Outbox(kUpstreamOutbox)->empty());
  EXPECT_GE(h.core(kTown).stats().urgent_dropped_revoked, 1u);
  auto at_city = h.core(kCity).store().Get({kVillage, "report", "r1"});
  ASSERT_OK(at_city);
  EXPECT_FALSE(at_city->has_value());
}

// Issue 14, defect 5: a node could hold any number of sessions with its town, each with its
// own per-session state.
TEST(NodeCore, SecondSessionOfANodeReplacesTheFirst) {
  Harness h;
  h.Add(kCity, crypto::Role::kCity, {});
  NodeCore& town = h.Add(kTown, crypto::Role::kTown, {kCity});
  NodeCore& village = h.Add(kVillage, crypto::Role::kVillage, {kTown});
  ASSERT_TRUE(village.upstream_connected(0));
  ASSERT_EQ(town.connected_peers(), 2u);  // the city and the village
  ASSERT_EQ(h.Connections(kVillage, kTown), 1u);
  h.Block(kVillage, kTown);  // the village's own redials fail meanwhile

  std::vector<ConnId> extra;
  for (int i = 0; i < 20; ++i) extra.push_back(h.ConnectAgain(kVillage, kTown));
  // Each new session closed the one before: one session of the village at a time.
  EXPECT_EQ(town.connected_peers(), 2u);
  EXPECT_EQ(h.Connections(kVillage, kTown), 1u);
  for (size_t i = 0; i + 1 < extra.size(); ++i) EXPECT_FALSE(h.Open(extra[i])) << i;
  EXPECT_TRUE(h.Open(extra.back()));
  EXPECT_FALSE(village.upstream_connected(0));  // its original link was the first replaced
  bool replaced = false;
  for (const Status& st : h.closes) {
    replaced |=
        st.code() == StatusCode::kAborted && st.message().find("replaced") != std::string::npos;
  }
  EXPECT_TRUE(replaced);
  EXPECT_EQ(town.stats().sync_errors, 0u);  // a replacement is not the peer's error

  // The village dials again: its session replaces the last one and syncs.
  h.Unblock(kVillage, kTown);
  h.Advance(2'000);
  ASSERT_TRUE(village.upstream_connected(0));
  EXPECT_FALSE(h.Open(extra.back()));
  EXPECT_EQ(town.connected_peers(), 2u);
  ASSERT_OK(village.Write({Child("c1", "小明")}, {}, h.now()));
  h.Pump();
  EXPECT_TRUE(Holds(town, "c1"));
}

TEST(NodeCore, StopClosesEveryConnectionAndIgnoresLaterEvents) {
  Harness h;
  h.Add(kCity, crypto::Role::kCity, {});
  NodeCore& town = h.Add(kTown, crypto::Role::kTown, {kCity});
  ASSERT_EQ(town.connected_peers(), 1u);
  town.Stop();
  h.Pump();
  EXPECT_EQ(town.connected_peers(), 0u);
  EXPECT_EQ(h.Connections(kTown, kCity), 0u);
  h.Advance(10'000);  // no redial after a stop
  EXPECT_EQ(h.Connections(kTown, kCity), 0u);
  EXPECT_EQ(town.Write({}, {}, h.now()).status().code(), StatusCode::kFailedPrecondition);
}

// ---- writes made for a person (WriteAs: programme/write_policy.h)

crdt::FieldWrite SetF(const std::string& field, const std::string& value) {
  return crdt::FieldWrite{field, crdt::WriteKind::kSet, value, {}};
}

store::LocalChange Record(const std::string& type, const std::string& id,
                          std::vector<crdt::FieldWrite> writes) {
  store::LocalChange c;
  c.key = {kVillage, type, id};
  c.author = "someone";
  c.writes = std::move(writes);
  return c;
}

store::LocalChange ValidChild(const std::string& id, const std::string& name) {
  return Record("child", id,
                {SetF("name", name), SetF("gender", "male"), SetF("birth_date", "2009-01-01"),
                 SetF("category", "left_behind")});
}

store::LocalChange Talk(const std::string& id, const std::string& helper, const std::string& child,
                        const std::string& date = "2025-11-20") {
  return Record(
      "contact", id,
      {SetF("kind", "talk"), SetF("child", child), SetF("helper", helper), SetF("date", date)});
}

TEST(NodeCore, WriteAsRefusesTheWholeWriteAndChangesNothing) {
  Harness h;
  NodeCore& village = h.Add(kVillage, crypto::Role::kVillage, {});
  const programme::Viewer director{programme::Role::kVillageDirector, kVillage, "u-dir"};
  const uint64_t before = village.data_version();

  // One valid change and one invalid (a talk dated after today): nothing lands.
  auto mixed = village.WriteAs(
      director, {ValidChild("c1", "小明"), Talk("k1", "h-1", "c1", "2026-05-01")}, {}, h.now());
  ASSERT_FALSE(mixed.ok());
  EXPECT_EQ(mixed.status().code(), StatusCode::kInvalidArgument);
  const std::string& why = mixed.status().message();
  const size_t slash = why.find(" / ");
  ASSERT_NE(slash, std::string::npos) << why;
  EXPECT_NE(why.find("contact.date", slash), std::string::npos) << why;  // English second
  EXPECT_LT(why.find("日期"), slash) << why;                             // Chinese first
  EXPECT_FALSE(Holds(village, "c1"));
  EXPECT_EQ(village.data_version(), before);

  // An auditor may not write, a director not in another village: refused, unchanged.
  auto auditor = village.WriteAs(programme::Viewer{programme::Role::kAuditor, kVillage, "u-a"},
                                 {ValidChild("c1", "小明")}, {}, h.now());
  EXPECT_EQ(auditor.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(auditor.status().message().find("审计人员无权填写儿童记录 / "), std::string::npos)
      << auditor.status().message();
  auto other = village.WriteAs(
      programme::Viewer{programme::Role::kVillageDirector, "jinjiang/cizao/v002", "u-d2"},
      {ValidChild("c1", "小明")}, {}, h.now());
  EXPECT_EQ(other.status().code(), StatusCode::kPermissionDenied);
  // A record missing a required field.
  auto partial =
      village.WriteAs(director, {Record("child", "c1", {SetF("name", "小明")})}, {}, h.now());
  EXPECT_EQ(partial.status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(Holds(village, "c1"));
  EXPECT_EQ(village.data_version(), before);

  // The raw Write (system writes) is unchecked: the same partial record lands.
  ASSERT_OK(village.Write({Record("child", "c9", {SetF("name", "x")})}, {}, h.now()));
  EXPECT_TRUE(Holds(village, "c9"));
}

TEST(NodeCore, WriteAsLandsAnAllowedWriteMergedWithTheStoredRecord) {
  Harness h;
  NodeCore& village = h.Add(kVillage, crypto::Role::kVillage, {});
  const programme::Viewer director{programme::Role::kVillageDirector, kVillage, "u-dir"};
  ASSERT_OK_AND_ASSIGN(std::vector<crdt::Op> ops,
                       village.WriteAs(director, {ValidChild("c1", "小明")}, {}, h.now()));
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].author, "u-dir");  // the person who wrote, not what the change said
  EXPECT_TRUE(Holds(village, "c1"));
  // One field of the stored record: validated as the whole record it makes.
  ASSERT_OK(village.WriteAs(
      director, {Record("child", "c1", {SetF("school_level", "junior_high")})}, {}, h.now()));
  EXPECT_EQ(village
                .WriteAs(director, {Record("child", "c1", {SetF("birth_date", "2030-01-01")})}, {},
                         h.now())
                .status()
                .code(),
            StatusCode::kInvalidArgument);

  // 爱心家长 h-1, paired with c1: their talk with c1 lands; with c2, or as another helper, not.
  ASSERT_OK(village.WriteAs(director, {ValidChild("c2", "小红")}, {}, h.now()));
  ASSERT_OK(
      village.WriteAs(director,
                      {Record("pairing", "p1",
                              {SetF("helper", "h-1"), SetF("child", "c1"),
                               SetF("kind", "family_care"), SetF("start_date", "2025-10-01")})},
                      {}, h.now()));
  const programme::Viewer parent{programme::Role::kCaringParent, kVillage, "h-1"};
  ASSERT_OK(village.WriteAs(parent, {Talk("k1", "h-1", "c1")}, {}, h.now()));
  // kStartMs is 2025-11-24T16:00:00Z, midnight in Jinjiang (UTC+8): a talk held there that
  // first minute is dated 2025-11-25, today, not a day in the future; the 26th still is.
  ASSERT_OK(village.WriteAs(parent, {Talk("k5", "h-1", "c1", "2025-11-25")}, {}, h.now()));
  EXPECT_EQ(
      village.WriteAs(parent, {Talk("k6", "h-1", "c1", "2025-11-26")}, {}, h.now()).status().code(),
      StatusCode::kInvalidArgument);
  auto got = village.store().Get({kVillage, "contact", "k1"});
  ASSERT_TRUE(got.ok() && got->has_value());
  for (const store::LocalChange& c : {Talk("k2", "h-1", "c2"), Talk("k3", "h-2", "c1")}) {
    auto refused = village.WriteAs(parent, {c}, {}, h.now());
    EXPECT_EQ(refused.status().code(), StatusCode::kPermissionDenied);
    EXPECT_NE(refused.status().message().find("爱心家长"), std::string::npos);
    auto held = village.store().Get(c.key);
    ASSERT_TRUE(held.ok());
    EXPECT_FALSE(held->has_value());
  }
  // Nor anything but a contact.
  EXPECT_EQ(village.WriteAs(parent, {ValidChild("c3", "小刚")}, {}, h.now()).status().code(),
            StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace fulei::node
