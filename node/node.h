// Node: one fulei node at run time — its store, identity, certificate chain, trust store,
// certificate directory, hybrid clock and local writer — wired to the real transport. A town or
// the city listens for its children (net::Listener); a village or a town dials its upstream
// (net::Dialer). Every established connection runs one sync::Session (docs/protocol.md):
//   - dialer side (child): drains the "up" urgent outbox and adopts the upstream's clock;
//   - listener side (parent): queues urgent ops it receives in its own "up" outbox when the
//     node itself has an upstream, so urgent reports travel on towards the city.
// What one session brings in (new ops of a scope, urgent ops) is pushed to the node's other
// sessions at once (OnLocalChange / OnUrgent), as sync/sim/simulator.cc does. Any non-OK status
// from a sync session closes that connection with the reason logged; the node goes on.
//
// The wall clock is read only here (NodeConfig::wall_clock, the system clock by default) and
// handed to sync as `now_ms`; "now" is never earlier than the node's HLC high-water mark.
//
// Threading: create, call and destroy on the thread that runs `io` (one event loop per node).
// Lifetime: `io` outlives the Node. Stop() — and the destructor, which calls it — closes every
// connection and runs `io` until each session's OnClosed has run, so it must not be called from
// inside a handler running on `io`. Data files: docs/store.md; identity: docs/crypto.md.
#ifndef FULEI_NODE_NODE_H_
#define FULEI_NODE_NODE_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crdt/op.h"
#include "crdt/status.h"
#include "crypto/certificate.h"
#include "crypto/identity.h"
#include "crypto/signing.h"
#include "net/backoff.h"
#include "net/handshake_limiter.h"
#include "net/session_config.h"
#include "store/sealer.h"
#include "store/store.h"

namespace boost::asio {
class io_context;
}

namespace fulei::node {

// An IP address ("127.0.0.1", "::1") and a TCP port.
struct Endpoint {
  std::string address;
  uint16_t port = 0;
};

// Outbox of the urgent ops bound for this node's upstream.
inline constexpr char kUpstreamOutbox[] = "up";

struct NodeConfig {
  std::string unit;      // this node's org unit, e.g. "jinjiang/cizao"; must match the cert
  std::string data_dir;  // the store lives here (created if absent)
  // Towns and the city: where to listen. Port 0 picks a free port (see Node::listen_port()).
  std::optional<Endpoint> listen;
  // Villages and towns: the endpoints of the one upstream, tried in turn. Empty: no upstream.
  std::vector<Endpoint> upstream;
  // Unit the upstream's certificate must lie in; empty: the parent of `unit`.
  std::string upstream_unit;
  // Transport knobs (shared by listener and dialer sessions), backoff and admission.
  net::SessionConfig session;
  net::BackoffConfig backoff;
  net::HandshakeLimits handshakes;
  uint64_t dial_seed = 0;  // backoff jitter; 0 draws a random one
  // Sync knobs (sync::SessionConfig).
  size_t sync_window = 4;
  size_t sync_max_batch_ops = 1000;
  // Seals values at rest; not owned, must outlive the Node. nullptr only in tests and tools.
  const store::Sealer* sealer = nullptr;
  size_t initial_map_bytes = size_t{64} << 20;
  uint64_t reserve_bytes = uint64_t{16} << 20;
  // The wall clock in ms since the Unix epoch; nullptr reads std::chrono::system_clock. Tests
  // inject a fake one (a village offline for a week).
  std::function<uint64_t()> wall_clock;
  // Where the node logs sessions that close and why; nullptr writes to stderr.
  std::function<void(std::string_view)> log;
};

// Sync traffic of the node, over every session it ran (closed ones included).
struct NodeStats {
  uint64_t sessions_established = 0, sessions_closed = 0;
  uint64_t sync_errors = 0;  // sessions closed because a sync::Session returned non-OK
  uint64_t ops_sent = 0, ops_received = 0, ops_applied = 0;
  uint64_t bytes_sent = 0, bytes_received = 0;  // sync message bytes (before chunking)
  uint64_t messages_sent = 0, messages_received = 0;
  uint64_t batches_sent = 0, batches_received = 0;
  uint64_t urgent_sent = 0, urgent_acked = 0;
};

class Node {
 public:
  // Opens the store in config.data_dir, registers the node's certificate chain, starts the
  // listener (if config.listen) and the dialer (if config.upstream is not empty).
  // `chain`: the node's certificate chain, leaf first, matching `identity` and config.unit.
  // `root`: the network's root public key. Errors: the store's (kIoError, kCorruption,
  // kFailedPrecondition for a store of another node), kInvalidArgument for a chain that does
  // not match identity or unit, the trust store's for a chain that does not verify now,
  // kIoError when the listen address cannot be bound.
  static Result<std::unique_ptr<Node>> Start(boost::asio::io_context& io, NodeConfig config,
                                             crypto::NodeIdentity identity, crypto::CertChain chain,
                                             const crypto::SigningPublicKey& root);
  ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // Writes local changes in one store transaction (chained, signed; sync::LocalWriter), urgent
  // ones also queued in `urgent_outboxes` (normally {kUpstreamOutbox}), then pushes them to
  // every connected peer. Errors: the store's (nothing written), kFailedPrecondition after Stop.
  Result<std::vector<crdt::Op>> Write(const std::vector<store::LocalChange>& changes,
                                      const std::vector<std::string>& urgent_outboxes = {});

  // Closes every connection and runs the io_context until all sessions have closed, at most
  // `limit`. kUnavailable when sessions were still open at the limit. Idempotent.
  // REQUIRES: not called from a handler running on the io_context.
  Status Stop(std::chrono::milliseconds limit = std::chrono::seconds(10));

  // The bound listen port (0 when not listening).
  uint16_t listen_port() const;
  const std::string& unit() const;
  crdt::NodeId node_id() const;
  // Valid until the Node is destroyed. Reads only between loop iterations (no transaction may
  // be held across a handler).
  store::Store& store();
  // Sync sessions currently established.
  size_t connected_peers() const;
  // True when every established sync session is idle (digest exchanged, nothing in flight).
  bool sync_idle() const;
  NodeStats stats() const;
  // The wall clock as the node sees it (never before its HLC high-water mark).
  uint64_t now_ms() const;

  struct Impl;  // node/node.cc; shared with the sessions' handlers

 private:
  explicit Node(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<Impl> impl_;
};

}  // namespace fulei::node

#endif  // FULEI_NODE_NODE_H_
