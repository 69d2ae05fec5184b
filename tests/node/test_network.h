// A fulei network in one process for integration tests and the loopback benchmark: a root key,
// sites (org units) with identities saved in their own data directories, certificates from the
// root and data keys of their own (each node's store is sealed, as in a deployment, by the
// product's DataKeySealer; the keys live as long as the network, so a site restarts — even in
// a forked child — with the same keys), a fake wall clock shared by every node, node start-up
// on loopback, a bounded RunUntil that drives the io_context (no sleeps), and convergence
// checks over the stores.
//
// Single-threaded: everything runs on the caller's thread, which also runs the io_context.
#ifndef FULEI_TESTS_NODE_TEST_NETWORK_H_
#define FULEI_TESTS_NODE_TEST_NETWORK_H_

#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "crdt/record.h"
#include "crypto/certificate.h"
#include "crypto/data_key.h"
#include "crypto/identity.h"
#include "crypto/random.h"
#include "crypto/signing.h"
#include "node/core/data_key_sealer.h"
#include "node/node.h"
#include "sync/scopes.h"

namespace fulei::node::testing {

inline constexpr uint64_t kEpochMs = 1'764'000'000'000;  // late 2025
inline constexpr uint64_t kDayMs = 86'400'000;

struct Site {
  std::string unit;
  crypto::Role role = crypto::Role::kVillage;
  std::string dir;
  crypto::CertChain chain;
  crdt::NodeId id = 0;
};

class TestNetwork {
 public:
  // Stores go in a fresh directory under the system's temp dir, removed by the destructor
  // (kept when FULEI_KEEP_DIRS is set).
  explicit TestNetwork(const std::string& name)
      : root_key_(crypto::SigningKey::Generate(random_)),
        root_dir_(std::filesystem::temp_directory_path() /
                  ("fulei-" + name + "-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(root_dir_);
    std::filesystem::create_directories(root_dir_);
  }
  ~TestNetwork() {
    if (std::getenv("FULEI_KEEP_DIRS") == nullptr) {
      std::error_code ignored;
      std::filesystem::remove_all(root_dir_, ignored);
    }
  }

  // A site for `unit` with a new identity (saved in its data dir) and a root-issued certificate
  // valid for ten years around kEpochMs. Aborts the test binary on a crypto failure (a bug).
  const Site& Add(const std::string& unit, crypto::Role role) {
    Site s;
    s.unit = unit;
    s.role = role;
    std::string name = unit;
    for (char& c : name) c = c == '/' ? '_' : c;
    s.dir = (root_dir_ / name).string();
    std::filesystem::create_directories(s.dir);
    crypto::NodeIdentity identity = crypto::NodeIdentity::Generate(random_);
    FULEI_CHECK_OK(identity.Save(s.dir, crypto::KeyProtection::None(), random_));
    auto cert = crypto::CertifyNode(identity, role, unit, 0, kEpochMs + 3650 * kDayMs, root_key_);
    FULEI_CHECK(cert.ok());
    s.chain = {std::move(cert).value()};
    s.id = identity.node_id();
    sealers_[unit] = std::make_unique<DataKeySealer>(crypto::KeyRing::Create(random_));
    sites_[unit] = std::move(s);
    return sites_[unit];
  }
  const Site& site(const std::string& unit) const { return sites_.at(unit); }

  // The fake wall clock every node of the network reads (ms since the epoch).
  uint64_t wall() const { return wall_; }
  void Advance(uint64_t ms) { wall_ += ms; }

  // A config for `unit` on loopback: listening (port `listen_port`, 0 = any) when `listen`,
  // dialing `upstream_port` when non-zero; sealed with the site's data keys; fast backoff; the
  // shared fake clock; logs collected.
  NodeConfig Config(const std::string& unit, bool listen, uint16_t upstream_port,
                    uint16_t listen_port = 0) {
    NodeConfig c;
    c.unit = unit;
    c.data_dir = site(unit).dir;
    c.sealer = sealers_.at(unit).get();
    if (listen) c.listen = Endpoint{"127.0.0.1", listen_port};
    if (upstream_port != 0) c.upstreams = {Upstream{{Endpoint{"127.0.0.1", upstream_port}}, ""}};
    c.backoff.initial = std::chrono::milliseconds(10);
    c.backoff.max = std::chrono::milliseconds(200);
    c.dial_seed = 7;
    c.initial_map_bytes = size_t{16} << 20;
    c.reserve_bytes = 0;
    c.wall_clock = [this] { return wall_; };
    c.log = [this](std::string_view line) {
      if (std::getenv("FULEI_TEST_LOG") != nullptr) {
        std::fprintf(stderr, "%.*s\n", static_cast<int>(line.size()), line.data());
      }
      log_.emplace_back(line);
    };
    return c;
  }

  // Starts the node of `unit` from its data dir (same identity every time).
  Result<std::unique_ptr<Node>> Start(boost::asio::io_context& io, NodeConfig config) {
    const Site& s = site(config.unit);
    FULEI_ASSIGN_OR_RETURN(crypto::NodeIdentity identity,
                           crypto::NodeIdentity::Load(s.dir, crypto::KeyProtection::None()));
    return Node::Start(io, std::move(config), std::move(identity), s.chain, root_key_.public_key());
  }

  const std::vector<std::string>& log() const { return log_; }
  crypto::SigningPublicKey root_public() const { return root_key_.public_key(); }
  // The root signing key (signs revocation lists in tests).
  const crypto::SigningKey& root_key() const { return root_key_; }

 private:
  crypto::SystemRandom random_;
  crypto::SigningKey root_key_;
  std::filesystem::path root_dir_;
  std::map<std::string, Site> sites_;
  std::map<std::string, std::unique_ptr<DataKeySealer>> sealers_;  // each site's data keys
  uint64_t wall_ = kEpochMs;
  std::vector<std::string> log_;
};

// Drives `io` in small slices until done() holds; false when `limit` passed first.
inline bool RunUntil(boost::asio::io_context& io, const std::function<bool()>& done,
                     std::chrono::milliseconds limit,
                     std::chrono::milliseconds slice = std::chrono::milliseconds(5)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    io.run_for(slice);
    if (io.stopped()) io.restart();
  }
  return true;
}

// Record states of one scope (exactly that scope) for the given types: key -> Encode().
inline Result<std::map<std::string, std::string>> ScopeRecords(
    store::Store& store, const std::string& scope, const std::vector<std::string>& types) {
  std::map<std::string, std::string> out;
  for (const std::string& type : types) {
    FULEI_RETURN_IF_ERROR(
        store.ForEach(type, scope, [&](const crdt::RecordKey& key, const crdt::RecordState& state) {
          if (key.scope == scope) out[key.ToString()] = state.Encode();
          return true;
        }));
  }
  return out;
}

// Empty when converged: for every scope any node holds data in, every node holding that scope
// has the same version vector and the same record states; no node has pending ops or urgent
// ops waiting for its upstream. Otherwise says what differs first.
inline std::string Divergence(const std::vector<Node*>& nodes,
                              const std::vector<std::string>& types) {
  std::set<std::string> scopes;
  for (Node* n : nodes) {
    auto s = n->store().Scopes();
    if (!s.ok()) return n->unit() + ": " + s.status().ToString();
    scopes.insert(s->begin(), s->end());
    auto pending = n->store().PendingCount();
    if (!pending.ok() || *pending != 0) return n->unit() + " holds pending ops";
    auto outbox = n->store().Outbox(kUpstreamOutbox);
    if (!outbox.ok() || !outbox->empty()) return n->unit() + " has urgent ops not acknowledged";
  }
  for (const std::string& scope : scopes) {
    std::optional<store::VersionVector> ref_vv;
    std::map<std::string, std::string> ref_records;
    std::string ref_unit;
    for (Node* n : nodes) {
      if (!sync::Holds(n->unit(), scope)) continue;
      auto vv = n->store().GetVersionVector(scope);
      if (!vv.ok()) return vv.status().ToString();
      if (!ref_vv) {
        auto records = ScopeRecords(n->store(), scope, types);
        if (!records.ok()) return records.status().ToString();
        ref_vv = *vv;
        ref_records = std::move(*records);
        ref_unit = n->unit();
        continue;
      }
      if (*vv != *ref_vv)
        return "version vectors of " + scope + " differ: " + ref_unit + " / " + n->unit();
      auto records = ScopeRecords(n->store(), scope, types);
      if (!records.ok()) return records.status().ToString();
      if (*records != ref_records) {
        return "records of " + scope + " differ: " + ref_unit + " / " + n->unit();
      }
    }
  }
  return "";
}

}  // namespace fulei::node::testing

#endif  // FULEI_TESTS_NODE_TEST_NETWORK_H_
