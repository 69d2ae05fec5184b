// Sync protocol figures for the issue notes (not a test). In-process: two real nodes (LMDB
// stores under /dev/shm or /tmp, real keys and certificates), sessions driven directly.
//   sync_bench idle     bytes and round trips of an idle re-sync with 50,000 records
//   sync_bench wire     wire bytes per changed field against the packed payload
//   sync_bench apply    ops/s moved village -> town by the protocol alone (no channel, no net)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crdt/codec.h"
#include "crdt/hlc.h"
#include "crypto/certificate.h"
#include "crypto/identity.h"
#include "crypto/random.h"
#include "crypto/trust.h"
#include "store/store.h"
#include "sync/cert_directory.h"
#include "sync/local_writer.h"
#include "sync/messages.h"
#include "sync/session.h"
#include "tests/support/temp_dir.h"

namespace fulei::sync {
namespace {

constexpr uint64_t kNow = 1'764'000'000'000;

struct Node {
  std::string unit;
  std::optional<crypto::NodeIdentity> identity;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<CertDirectory> certs;
  crdt::HybridClock clock;
  std::unique_ptr<LocalWriter> writer;
};

class Bench {
 public:
  Bench() : root_(crypto::SigningKey::Generate(random_)), trust_(root_.public_key()) {}

  std::unique_ptr<Node> MakeNode(const std::string& unit, crypto::Role role) {
    auto n = std::make_unique<Node>();
    n->unit = unit;
    n->identity.emplace(crypto::NodeIdentity::Generate(random_));
    auto cert = crypto::CertifyNode(*n->identity, role, unit, 0, kNow * 2, root_);
    if (!cert.ok()) {
      std::fprintf(stderr, "certify: %s\n", cert.status().ToString().c_str());
      std::exit(1);
    }
    store::StoreOptions options;
    options.node_id = n->identity->node_id();
    options.reserve_bytes = 0;
    auto opened = store::Store::Open(dir_.sub(std::to_string(options.node_id)), options);
    if (!opened.ok()) {
      std::fprintf(stderr, "open: %s\n", opened.status().ToString().c_str());
      std::exit(1);
    }
    n->store = std::move(opened).value();
    n->certs = std::make_unique<CertDirectory>(*n->store);
    (void)n->certs->Add(crypto::EncodeChain({*cert}), trust_, kNow);
    n->writer = std::make_unique<LocalWriter>(*n->store, n->identity->signing_key(), n->clock);
    return n;
  }

  void Setup() {
    village_ = MakeNode("jinjiang/cizao/v012", crypto::Role::kVillage);
    town_ = MakeNode("jinjiang/cizao", crypto::Role::kTown);
  }

  // Writes `records` child records of `fields` fields each, in commits of 500.
  void Fill(int records, int fields) {
    std::vector<store::LocalChange> changes;
    for (int r = 0; r < records; ++r) {
      store::LocalChange c;
      c.key = {village_->unit, "child", "c" + std::to_string(r)};
      c.author = "director";
      for (int f = 0; f < fields; ++f) {
        c.writes.push_back(crdt::FieldWrite{"f" + std::to_string(f),
                                            crdt::WriteKind::kSet,
                                            "value-" + std::to_string(r * 31 + f),
                                            {}});
      }
      changes.push_back(std::move(c));
      if (changes.size() == 500) Commit(changes);
    }
    Commit(changes);
  }
  void Commit(std::vector<store::LocalChange>& changes) {
    if (changes.empty()) return;
    auto ops = village_->writer->Write(changes, kNow);
    if (!ops.ok()) std::printf("write failed: %s\n", ops.status().ToString().c_str());
    changes.clear();
  }

  struct Exchange {
    int rounds = 0;
    size_t bytes = 0, messages = 0, ops_bytes = 0;
  };
  Exchange Sync() {
    SessionConfig cv;
    cv.self_node = village_->identity->node_id();
    cv.self_unit = village_->unit;
    cv.outbox_peer = "up";
    SessionConfig ct;
    ct.self_node = town_->identity->node_id();
    ct.self_unit = town_->unit;
    Session v(*village_->store, trust_, *village_->certs, cv,
              {town_->identity->node_id(), town_->unit});
    Session t(*town_->store, trust_, *town_->certs, ct,
              {village_->identity->node_id(), village_->unit});
    (void)v.Start(kNow);
    (void)t.Start(kNow);
    Exchange e;
    for (;;) {
      auto a = v.TakeOutgoing();
      auto b = t.TakeOutgoing();
      if (a.empty() && b.empty()) break;
      e.rounds++;
      for (auto& o : a) {
        e.bytes += o.bytes.size();
        e.messages++;
        auto m = DecodeMessage(o.bytes);
        if (m.ok() && std::holds_alternative<OpsBatch>(*m)) e.ops_bytes += o.bytes.size();
        Status st = t.OnMessage(o.bytes, kNow);
        if (!st.ok()) std::printf("town refused: %s\n", st.ToString().c_str());
      }
      for (auto& o : b) {
        e.bytes += o.bytes.size();
        e.messages++;
        Status st = v.OnMessage(o.bytes, kNow);
        if (!st.ok()) std::printf("village refused: %s\n", st.ToString().c_str());
      }
    }
    return e;
  }

  store::Store& village_store() { return *village_->store; }
  // Ops of the village's own log the town holds.
  uint64_t TownHolds() {
    auto vv = town_->store->GetVersionVector(village_->unit);
    if (!vv.ok()) return 0;
    auto it = vv->find(village_->identity->node_id());
    return it == vv->end() ? 0 : it->second;
  }

 private:
  // Declared first, so it is removed only after the nodes' stores have closed.
  fulei::testing::TempDir dir_{std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : "/tmp"};
  crypto::DeterministicRandom random_{99};
  crypto::SigningKey root_;
  crypto::TrustStore trust_;
  std::unique_ptr<Node> village_, town_;
};

double Seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int Idle() {
  Bench b;
  b.Setup();
  b.Fill(50'000, 4);
  auto first = b.Sync();
  auto idle = b.Sync();
  std::printf(
      "idle re-sync with 50,000 records: %d round trip(s), %zu messages, %zu bytes "
      "(first sync moved %zu bytes in %d rounds)\n",
      idle.rounds, idle.messages, idle.bytes, first.bytes, first.rounds);
  return 0;
}

int Wire() {
  for (int fields : {1, 4, 16}) {
    Bench b;
    b.Setup();
    b.Fill(5'000, fields);
    // Packed payload: field name + value bytes of every write.
    size_t payload = 0;
    (void)b.village_store().ForEach("child", "",
                                    [&](const crdt::RecordKey&, const crdt::RecordState& s) {
                                      for (const auto& [name, f] : s.fields()) {
                                        for (const crdt::Entry* e : f.values())
                                          payload += name.size() + e->value.size();
                                      }
                                      return true;
                                    });
    auto e = b.Sync();
    if (b.TownHolds() != 5'000) {
      std::printf("town holds %llu of 5000 ops: the sync did not complete\n",
                  static_cast<unsigned long long>(b.TownHolds()));
      return 1;
    }
    const double ops = 5'000.0;
    const double changed = ops * fields;
    const double wire = static_cast<double>(e.ops_bytes);
    const double packed = static_cast<double>(payload);
    std::printf(
        "%2d-field ops: payload %zu B, wire %zu B (OpsBatch messages) = %.1f wire bytes per "
        "changed field against %.1f B of payload, ratio %.2f, metadata %.1f B per op "
        "(%.1f B per field)\n",
        fields, payload, e.ops_bytes, wire / changed, packed / changed, wire / packed,
        (wire - packed) / ops, (wire - packed) / changed);
  }
  return 0;
}

int Apply() {
  Bench b;
  b.Setup();
  b.Fill(100'000, 1);
  const auto start = std::chrono::steady_clock::now();
  auto e = b.Sync();
  const double s = Seconds(start);
  std::printf(
      "protocol alone: 100,000 ops village -> town in %.2f s = %.0f ops/s, %.1f MB/s "
      "(verify + apply, no channel)\n",
      s, 100'000 / s, static_cast<double>(e.bytes) / s / 1e6);
  return 0;
}

}  // namespace
}  // namespace fulei::sync

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "idle";
  if (mode == "wire") return fulei::sync::Wire();
  if (mode == "apply") return fulei::sync::Apply();
  return fulei::sync::Idle();
}
