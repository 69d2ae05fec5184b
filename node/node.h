// Node: one fulei node at run time — its store, identity, certificate chain, trust store,
// certificate directory, hybrid clock and local writer — wired to the real transport. A town or
// the city listens for its children (net::Listener); a village or a town dials its upstream
// (net::Dialer). Every established connection runs one sync::Session (docs/protocol.md):
//   - dialer side (child), one Dialer per configured upstream: drains that upstream's urgent
//     outbox (UpstreamOutbox(k)), adopts the upstream's clock, passes urgent ops from above on
//     down; full sync with the first connected upstream, urgent-only with the others (a session
//     in the wrong mode is closed and redials in the right one);
//   - listener side (parent): drains the downstream outboxes of the child's subtree (receipts
//     on their way to the origin) and queues urgent ops it receives in its own upstream
//     outboxes, so urgent reports travel on towards the city.
// Every session writes a receipt (sync/receipts.h) for each urgent op of another node it newly
// holds; read them with sync::ReceiptsFor(node.store(), scope, type, id).
// What one session brings in (new ops of a scope, urgent ops) is pushed to the node's other
// sessions at once (OnLocalChange / OnUrgent), as sync/sim/simulator.cc does. Any non-OK status
// from a sync session closes that connection with the reason logged; the node goes on.
// Revocations (sync/revocations.h): the newest valid list in the store is installed at Start
// and whenever a session brings in root-scope ops; sessions with peers it revokes are closed.
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
#include <string_view>
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

// Outbox of the urgent ops bound for this node's upstream. Passed to Node::Write, it stands for
// every upstream's outbox (UpstreamOutbox(k) for each configured upstream k).
inline constexpr char kUpstreamOutbox[] = "up";
// The outbox of upstream k (0: kUpstreamOutbox, k >= 1: "up:<k>").
std::string UpstreamOutbox(size_t k);

// One upstream: the endpoints of one node (tried in turn) and the unit its certificate must lie
// in (empty: the parent of the node's own unit).
struct Upstream {
  std::vector<Endpoint> endpoints;
  std::string unit;
};

struct NodeConfig {
  std::string unit;      // this node's org unit, e.g. "jinjiang/cizao"; must match the cert
  std::string data_dir;  // the store lives here (created if absent)
  // Towns and the city: where to listen. Port 0 picks a free port (see Node::listen_port()).
  std::optional<Endpoint> listen;
  // Villages and towns: the endpoints of the one upstream, tried in turn. Empty: no upstream.
  std::vector<Endpoint> upstream;
  // Unit the upstream's certificate must lie in; empty: the parent of `unit`.
  std::string upstream_unit;
  // Several upstreams, in order of preference (a village: its town, then the city). When not
  // empty it replaces `upstream` / `upstream_unit`. Urgent ops go to every reachable upstream
  // (one outbox each); ordinary sync runs with the first reachable one only, the others run
  // urgent-only sessions (docs/protocol.md, "Several upstreams").
  std::vector<Upstream> upstreams;
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
  // Escalation (issue 6), run only by the city (the unit with no parent): a report or help
  // request of the subtree that no person at the town acknowledged within its deadline is
  // flagged overdue on the case record itself (programme/escalation.h), and the flag travels
  // down the tree in the urgent class. The node checks every `escalation_interval`, and at the
  // moment the next case comes due when that is sooner.
  bool escalate = true;
  int64_t report_deadline_minutes = 30;        // 强制报告
  int64_t help_request_deadline_minutes = 10;  // 求助
  std::chrono::milliseconds escalation_interval{60'000};
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
  uint64_t receipts_written = 0;     // receipts of urgent ops this node wrote (sync/receipts.h)
  uint64_t mode_switches = 0;        // upstream sessions closed to switch full / urgent-only
  uint64_t escalations_written = 0;  // overdue urgent cases this node flagged (city only)
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
  // ones also queued in `urgent_outboxes` (normally {kUpstreamOutbox}, which stands for every
  // upstream's outbox), then pushes them to every connected peer. An urgent change to a scope
  // below this node (a town's status change of a village's report) is also queued in that
  // scope's downstream outbox when every urgent change of the call has the same scope.
  // Errors: the store's (nothing written), kFailedPrecondition after Stop.
  Result<std::vector<crdt::Op>> Write(const std::vector<store::LocalChange>& changes,
                                      const std::vector<std::string>& urgent_outboxes = {});

  // City only: publishes `signed_list` (crypto::SignRevocationList output, signed with the root
  // key) as the network's revocation record (sync/revocations.h), installs it, closes sessions
  // with peers it revokes and pushes it to every peer; each node installs it when it arrives.
  // Errors (nothing written): kPermissionDenied when this node is not the city, kCorruption or
  // kUnauthenticated for bytes that are not a root-signed list, kAlreadyExists when it is not
  // newer than the list held, the store's; kFailedPrecondition after Stop.
  Status PublishRevocations(std::string_view signed_list);
  // Version of the revocation list installed (0: none).
  uint64_t revocation_version() const;

  // City only (NodeConfig::escalate): flags, now, every urgent case of the subtree past its
  // deadline and unacknowledged, as the timer does; returns how many were flagged. Errors: the
  // store's; kFailedPrecondition when this node does not escalate or is stopped.
  Result<size_t> CheckEscalations();

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
  // Upstream k (index into the configured upstreams): connected, and running full sync (not
  // urgent-only).
  bool upstream_connected(size_t k) const;
  bool upstream_full_sync(size_t k) const;
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
