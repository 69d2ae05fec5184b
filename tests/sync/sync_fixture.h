// Test fixture for sync: real nodes (LMDB store in a temp dir, identity from a seeded
// crypto::DeterministicRandom, certificate from a test root by crypto::CertifyNode, certificate
// directory, local writer), sessions configured as a node configures them, and a pipe that
// carries messages between two sessions until both are quiet, with a hook to inspect or alter
// messages in flight.
#ifndef FULEI_TESTS_SYNC_SYNC_FIXTURE_H_
#define FULEI_TESTS_SYNC_SYNC_FIXTURE_H_

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crdt/record.h"
#include "crypto/certificate.h"
#include "crypto/identity.h"
#include "crypto/random.h"
#include "crypto/signing.h"
#include "crypto/trust.h"
#include "store/store.h"
#include "sync/cert_directory.h"
#include "sync/local_writer.h"
#include "sync/messages.h"
#include "sync/receipts.h"
#include "sync/session.h"
#include "tests/support/status_matchers.h"

namespace fulei::sync::testing {

inline constexpr uint64_t kNow = 1'764'000'000'000;
// The units most tests use: the city, one of its towns, one of that town's villages.
inline constexpr char kCity[] = "jinjiang";
inline constexpr char kTown[] = "jinjiang/cizao";
inline constexpr char kVillage[] = "jinjiang/cizao/v012";

struct TestNode {
  std::string unit;
  crypto::Role role;
  std::optional<crypto::NodeIdentity> identity;
  crypto::Certificate cert;
  std::string dir;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<CertDirectory> certs;
  crdt::HybridClock clock;
  std::unique_ptr<LocalWriter> writer;

  crdt::NodeId id() const { return identity->node_id(); }

  // Writes one change to record (scope, type, id): field = value (a register).
  std::vector<crdt::Op> Set(const std::string& scope, const std::string& type,
                            const std::string& id, const std::string& field,
                            const std::string& value, uint32_t flags = 0,
                            std::vector<std::string> outboxes = {}) {
    store::LocalChange change;
    change.key = {scope, type, id};
    change.author = "tester";
    change.flags = flags;
    auto current = store->Get(change.key);
    EXPECT_OK(current);
    change.writes.push_back(crdt::SetWrite(current->value_or(crdt::RecordState()), field, value));
    auto ops = writer->Write(std::span<const store::LocalChange>(&change, 1), kNow, outboxes);
    EXPECT_OK(ops);
    return ops.ok() ? *ops : std::vector<crdt::Op>{};
  }
};

// The protocol versions a test node speaks: kMinProtocolVersion..kProtocolVersion for a node
// of this release, narrower to play one of an older or a newer release.
struct Versions {
  uint32_t min = kMinProtocolVersion;
  uint32_t max = kProtocolVersion;
};

class SyncTest : public ::testing::Test {
 protected:
  SyncTest()
      : random_(7), root_(crypto::SigningKey::Generate(random_)), trust_(root_.public_key()) {
    dir_ = std::filesystem::temp_directory_path() /
           ("fulei-sync-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  ~SyncTest() override {
    nodes_.clear();
    std::filesystem::remove_all(dir_);
  }

  TestNode& AddNode(const std::string& unit, crypto::Role role,
                    const crypto::SigningKey* issuer = nullptr) {
    auto n = std::make_unique<TestNode>();
    n->unit = unit;
    n->role = role;
    n->identity.emplace(crypto::NodeIdentity::Generate(random_));
    auto cert = crypto::CertifyNode(*n->identity, role, unit, 0, kNow + 86'400'000ull * 365,
                                    issuer ? *issuer : root_);
    EXPECT_OK(cert);
    n->cert = *cert;
    n->dir = (dir_ / std::to_string(nodes_.size())).string();
    Reopen(*n);
    auto added = n->certs->Add(crypto::EncodeChain({n->cert}), trust_, kNow);
    EXPECT_OK(added);
    nodes_.push_back(std::move(n));
    return *nodes_.back();
  }

  void Reopen(TestNode& n) {
    n.writer.reset();
    n.certs.reset();
    n.store.reset();
    store::StoreOptions options;
    options.node_id = n.identity->node_id();
    options.reserve_bytes = 0;
    options.initial_map_bytes = size_t{8} << 20;
    ASSERT_OK_AND_ASSIGN(n.store, store::Store::Open(n.dir, options));
    n.certs = std::make_unique<CertDirectory>(*n.store);
    n.writer = std::make_unique<LocalWriter>(*n.store, n.identity->signing_key(), n.clock);
  }

  std::unique_ptr<Session> MakeSession(TestNode& self, TestNode& peer, bool peer_is_upstream,
                                       Versions versions = {}) {
    SessionConfig config;
    config.self_node = self.id();
    config.self_unit = self.unit;
    config.max_batch_ops = 50;
    config.min_protocol_version = versions.min;
    config.max_protocol_version = versions.max;
    if (peer_is_upstream) config.outbox_peer = "up";
    return std::make_unique<Session>(*self.store, trust_, *self.certs, config,
                                     PeerIdentity{peer.id(), peer.unit});
  }

  // A session configured the way a node's daemon configures it for urgent ops: the node's clock,
  // receipts written by its writer, and either (upstream) urgent ops relayed down and
  // receipts sent "up", or down outboxes drained towards the peer.
  struct LaneOptions {
    bool upstream = false;           // the peer is self's upstream
    bool self_has_upstream = false;  // self relays urgent ops from below to "up"
    bool urgent_only = false;
    bool receipts = true;
  };
  std::unique_ptr<Session> MakeLaneSession(TestNode& self, TestNode& peer, LaneOptions o) {
    SessionConfig c;
    c.self_node = self.id();
    c.self_unit = self.unit;
    c.max_batch_ops = 50;
    c.clock = &self.clock;
    c.urgent_only = o.urgent_only;
    if (o.receipts) c.receipts = self.writer.get();
    if (o.upstream) {
      c.outbox_peer = "up";
      c.relay_down = true;
      c.receipt_outboxes = {"up"};
    } else {
      c.drain_down = true;
      if (o.self_has_upstream) c.relay_outboxes = {"up"};
    }
    auto s = std::make_unique<Session>(*self.store, trust_, *self.certs, c,
                                       PeerIdentity{peer.id(), peer.unit});
    EXPECT_OK(s->Start(kNow));
    return s;
  }

  // What a node does after a session brought something in: its other sessions pass it on.
  static void Relay(Session& from, std::initializer_list<Session*> others) {
    auto changed = from.TakeChangedScopes();
    const bool urgent = from.TakeUrgentArrived();
    for (Session* s : others) {
      for (const auto& scope : changed) ASSERT_OK(s->OnLocalChange(scope));
      if (urgent) {
        ASSERT_OK(s->OnUrgent());
      }
    }
  }

  // The receipts `n` holds for record (kVillage, type, id).
  std::vector<Receipt> Receipts(TestNode& n, const std::string& type, const std::string& id) {
    auto r = ReceiptsFor(*n.store, kVillage, type, id);
    EXPECT_OK(r);
    return r.ok() ? *r : std::vector<Receipt>{};
  }

  // How many receipt records `n` holds, in every scope.
  size_t ReceiptRecords(TestNode& n) {
    size_t count = 0;
    EXPECT_OK(
        n.store->ForEach(kReceiptType, "", [&](const crdt::RecordKey&, const crdt::RecordState&) {
          ++count;
          return true;
        }));
    return count;
  }

  size_t OutboxSize(TestNode& n, const std::string& outbox) {
    auto o = n.store->Outbox(outbox);
    EXPECT_OK(o);
    return o.ok() ? o->size() : 0;
  }

  // Carries messages both ways until both sessions are quiet. `tap` sees (and may alter or
  // drop, by clearing) each message; it gets the sending side (0 = a, 1 = b). Returns the first
  // non-OK status from a receiver (the connection would close), OK when both went quiet.
  struct PipeStats {
    int exchanges = 0;  // rounds in which something moved
    size_t bytes = 0, messages = 0;
    std::vector<std::pair<int, Outgoing>> log;  // every message, in send order
  };
  Status Pipe(Session& a, Session& b, PipeStats* stats = nullptr,
              const std::function<void(int, Outgoing&)>& tap = {}, int max_rounds = 1000) {
    PipeStats local;
    PipeStats& st = stats ? *stats : local;
    for (int round = 0; round < max_rounds; ++round) {
      auto from_a = a.TakeOutgoing();
      auto from_b = b.TakeOutgoing();
      if (from_a.empty() && from_b.empty()) return Status::Ok();
      st.exchanges++;
      for (int side = 0; side < 2; ++side) {
        auto& batch = side == 0 ? from_a : from_b;
        Session& to = side == 0 ? b : a;
        for (Outgoing& o : batch) {
          if (tap) tap(side, o);
          if (o.bytes.empty()) continue;
          st.bytes += o.bytes.size();
          st.messages++;
          st.log.emplace_back(side, o);
          FULEI_RETURN_IF_ERROR(to.OnMessage(o.bytes, kNow));
        }
      }
    }
    return Aborted("pipe did not go quiet");
  }

  // Both sides of a fresh session between child and parent, started.
  std::pair<std::unique_ptr<Session>, std::unique_ptr<Session>> Connect(
      TestNode& child, TestNode& parent, Versions child_versions = {},
      Versions parent_versions = {}) {
    auto c = MakeSession(child, parent, true, child_versions);
    auto p = MakeSession(parent, child, false, parent_versions);
    EXPECT_OK(c->Start(kNow));
    EXPECT_OK(p->Start(kNow));
    return {std::move(c), std::move(p)};
  }

  std::string StateOf(TestNode& n, const crdt::RecordKey& key) {
    auto s = n.store->Get(key);
    EXPECT_OK(s);
    return s.ok() && s->has_value() ? (*s)->Encode() : std::string();
  }

  store::VersionVector Vv(TestNode& n, const std::string& scope) {
    auto vv = n.store->GetVersionVector(scope);
    EXPECT_OK(vv);
    return vv.ok() ? *vv : store::VersionVector{};
  }

  crypto::DeterministicRandom random_;
  crypto::SigningKey root_;
  crypto::TrustStore trust_;
  std::filesystem::path dir_;
  std::vector<std::unique_ptr<TestNode>> nodes_;
};

}  // namespace fulei::sync::testing

#endif  // FULEI_TESTS_SYNC_SYNC_FIXTURE_H_
