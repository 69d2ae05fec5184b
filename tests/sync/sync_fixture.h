// Test fixture for sync: real nodes (LMDB store in a temp dir, identity, certificate from a test
// root, certificate directory, local writer) and a pipe that carries messages between two
// sessions until both are quiet, with a hook to inspect or alter messages in flight.
#ifndef FULEI_TESTS_SYNC_SYNC_FIXTURE_H_
#define FULEI_TESTS_SYNC_SYNC_FIXTURE_H_

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <random>
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
#include "sync/session.h"

namespace fulei::sync::testing {

inline constexpr uint64_t kNow = 1'764'000'000'000;
// The units most tests use: the city, one of its towns, one of that town's villages.
inline constexpr char kCity[] = "jinjiang";
inline constexpr char kTown[] = "jinjiang/cizao";
inline constexpr char kVillage[] = "jinjiang/cizao/v012";

class SeededRandom final : public crypto::Random {
 public:
  explicit SeededRandom(uint64_t seed) : rng_(seed) {}
  void Fill(uint8_t* out, size_t n) override {
    for (size_t i = 0; i < n; ++i) out[i] = static_cast<uint8_t>(rng_());
  }

 private:
  std::mt19937_64 rng_;
};

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
    EXPECT_TRUE(current.ok());
    change.writes.push_back(crdt::SetWrite(current->value_or(crdt::RecordState()), field, value));
    auto ops = writer->Write(std::span<const store::LocalChange>(&change, 1), kNow, outboxes);
    EXPECT_TRUE(ops.ok()) << ops.status().ToString();
    return ops.ok() ? *ops : std::vector<crdt::Op>{};
  }
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
    crypto::Certificate tbs;
    tbs.node_id = n->identity->node_id();
    tbs.role = role;
    tbs.signing_key = n->identity->signing_key().public_key();
    tbs.dh_key = n->identity->dh_key().public_key;
    tbs.org_unit = unit;
    tbs.not_before_ms = 0;
    tbs.not_after_ms = kNow + 86'400'000ull * 365;
    auto cert = crypto::IssueCertificate(tbs, issuer ? *issuer : root_);
    EXPECT_TRUE(cert.ok()) << cert.status().ToString();
    n->cert = *cert;
    n->dir = (dir_ / std::to_string(nodes_.size())).string();
    Reopen(*n);
    auto added = n->certs->Add(crypto::EncodeChain({n->cert}), trust_, kNow);
    EXPECT_TRUE(added.ok()) << added.status().ToString();
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
    auto s = store::Store::Open(n.dir, options);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    n.store = std::move(*s);
    n.certs = std::make_unique<CertDirectory>(*n.store);
    n.writer = std::make_unique<LocalWriter>(*n.store, n.identity->signing_key(), n.clock);
  }

  std::unique_ptr<Session> MakeSession(TestNode& self, TestNode& peer, bool peer_is_upstream) {
    SessionConfig config;
    config.self_node = self.id();
    config.self_unit = self.unit;
    config.max_batch_ops = 50;
    if (peer_is_upstream) config.outbox_peer = "up";
    return std::make_unique<Session>(*self.store, trust_, *self.certs, config,
                                     PeerIdentity{peer.id(), peer.unit});
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
  std::pair<std::unique_ptr<Session>, std::unique_ptr<Session>> Connect(TestNode& child,
                                                                        TestNode& parent) {
    auto c = MakeSession(child, parent, true);
    auto p = MakeSession(parent, child, false);
    EXPECT_TRUE(c->Start(kNow).ok());
    EXPECT_TRUE(p->Start(kNow).ok());
    return {std::move(c), std::move(p)};
  }

  std::string StateOf(TestNode& n, const crdt::RecordKey& key) {
    auto s = n.store->Get(key);
    EXPECT_TRUE(s.ok());
    return s.ok() && s->has_value() ? (*s)->Encode() : std::string();
  }

  store::VersionVector Vv(TestNode& n, const std::string& scope) {
    auto vv = n.store->GetVersionVector(scope);
    EXPECT_TRUE(vv.ok());
    return vv.ok() ? *vv : store::VersionVector{};
  }

  SeededRandom random_;
  crypto::SigningKey root_;
  crypto::TrustStore trust_;
  std::filesystem::path dir_;
  std::vector<std::unique_ptr<TestNode>> nodes_;
};

}  // namespace fulei::sync::testing

#endif  // FULEI_TESTS_SYNC_SYNC_FIXTURE_H_
