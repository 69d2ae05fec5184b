// Node: one fulei node at run time — the node core (node/core/core.h), which decides everything,
// driven over the real network by Boost.Asio. This file is only the driver: it listens (towns
// and the city, net::Listener) and dials when the core asks (net::DialOnce, trying the
// upstream's endpoints in turn), carries every link's messages to the core and the core's
// sends, closes and timers to the links and steady timers, and reads the wall clock. What a
// node does with its connections — modes, outboxes, pushes, revocations, escalation — is the
// core's; the deterministic simulator (node/sim/) drives that same core.
//
// The wall clock is read only here (NodeConfig::wall_clock, the system clock by default) and
// handed to the core as `now_ms` with every event.
//
// Threading: create, call and destroy on the thread that runs `io` (one event loop per node).
// Lifetime: `io` outlives the Node. Stop() — and the destructor, which calls it — closes every
// connection and runs `io` until each link's OnClosed has run, so it must not be called from
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
#include "net/handshake_limiter.h"
#include "net/link_config.h"
#include "node/core/core.h"
#include "store/sealer.h"
#include "store/store.h"
#include "sync/backoff.h"

namespace boost::asio {
class io_context;
}

namespace fulei::node {

// An IP address ("127.0.0.1", "::1") and a TCP port.
struct Endpoint {
  std::string address;
  uint16_t port = 0;
};

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
  // The upstreams in order of preference (a village: its town, then the city; the city: none).
  // Urgent ops go to every reachable upstream (one outbox each); ordinary sync runs with the
  // first reachable one only, the others run urgent-only sessions (docs/protocol.md, "Several
  // upstreams").
  std::vector<Upstream> upstreams;
  // Transport knobs (shared by listener and dialled links), admission, connect timeout.
  net::LinkConfig link;
  net::HandshakeLimits handshakes;
  std::chrono::milliseconds connect_timeout{10'000};
  // Redial delays (the core's); dial_seed seeds their jitter (0 draws a random one).
  sync::BackoffConfig backoff;
  uint64_t dial_seed = 0;
  // Sync knobs (sync::SessionConfig).
  size_t sync_window = 4;
  size_t sync_max_batch_ops = 1000;
  // Seals values at rest (CoreConfig::sealer): a DataKeySealer over the node's key ring
  // (node/core/data_key_sealer.h); not owned, must outlive the Node. Required: Start refuses
  // without one (kFailedPrecondition) unless `unsealed_for_tests` is set.
  const store::Sealer* sealer = nullptr;
  // CoreConfig::unsealed_for_tests: stores every value in plaintext. Never in a deployed node.
  bool unsealed_for_tests = false;
  size_t initial_map_bytes = size_t{64} << 20;
  uint64_t reserve_bytes = uint64_t{16} << 20;
  // Towns and the city that answer join tokens: called with the one message of a peer that
  // completed the handshake without a certificate (CoreConfig::accept_enrolments), its
  // channel (for the handshake hash and static key the request is bound to) and the node's
  // reference time; returns the bytes to send back (node/enrolment.h). The connection never
  // reaches the core and is closed after enrol_timeout, or at its second message. Unset: a
  // peer without a certificate fails the handshake.
  std::function<std::string(std::string_view request, const crypto::Channel& channel,
                            uint64_t now_ms)>
      enrol;
  std::chrono::milliseconds enrol_timeout{10'000};
  // The wall clock in ms since the Unix epoch; nullptr reads std::chrono::system_clock. Tests
  // inject a fake one (a village offline for a week).
  std::function<uint64_t()> wall_clock;
  // Where the node logs links that close and why; nullptr writes to stderr.
  std::function<void(std::string_view)> log;
  // Escalation, run only by the city (CoreConfig::escalate and the deadlines there).
  bool escalate = true;
  int64_t report_deadline_minutes = 30;        // 强制报告
  int64_t help_request_deadline_minutes = 10;  // 求助
  std::chrono::milliseconds escalation_interval{60'000};
};

class Node {
 public:
  // Opens the node core (store, chain, trust; see NodeCore::Open), starts the listener (if
  // config.listen) and carries out the core's first actions (dialling each upstream).
  // Errors: NodeCore::Open's (kFailedPrecondition without a sealer); kInvalidArgument for an
  // address that does not parse or an upstream without endpoints; kIoError when the listen address
  // cannot be bound.
  static Result<std::unique_ptr<Node>> Start(boost::asio::io_context& io, NodeConfig config,
                                             crypto::NodeIdentity identity, crypto::CertChain chain,
                                             const crypto::SigningPublicKey& root);
  ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // NodeCore::Write at the wall clock's now (urgent_outboxes normally {kUpstreamOutbox}):
  // internal and system writes only, unchecked.
  Result<std::vector<crdt::Op>> Write(const std::vector<store::LocalChange>& changes,
                                      const std::vector<std::string>& urgent_outboxes = {});
  // NodeCore::WriteAs at the wall clock's now: a write made for a person, validated and checked
  // against the writer's role and unit (programme/write_policy.h); refused whole, nothing
  // written, with the reason in Chinese and English.
  Result<std::vector<crdt::Op>> WriteAs(const programme::Viewer& writer,
                                        const std::vector<store::LocalChange>& changes,
                                        const std::vector<std::string>& urgent_outboxes = {});
  // NodeCore::PublishRevocations (the city only).
  Status PublishRevocations(std::string_view signed_list);
  // NodeCore::CheckEscalations (the city only).
  Result<size_t> CheckEscalations();
  // NodeCore::ShipAudit: copies new audit log entries into records that replicate up. The node
  // also does it every second by itself; the admin web calls it after each request. A failure
  // is also logged (the entries stay in the log and are copied later).
  Result<size_t> ShipAudit();

  // Closes every connection and runs the io_context until all links have closed, at most
  // `limit`. kUnavailable when links were still open at the limit. Idempotent.
  // REQUIRES: not called from a handler running on the io_context.
  Status Stop(std::chrono::milliseconds limit = std::chrono::seconds(10));

  // The bound listen port (0 when not listening).
  uint16_t listen_port() const;
  const std::string& unit() const;
  crdt::NodeId node_id() const;
  // The node's core; valid until the Node is destroyed. Reads only between loop iterations.
  NodeCore& core();
  const NodeCore& core() const;
  // Shorthands for the core's state.
  store::Store& store() { return core().store(); }
  size_t connected_peers() const { return core().connected_peers(); }
  bool upstream_connected(size_t k) const { return core().upstream_connected(k); }
  bool upstream_full_sync(size_t k) const { return core().upstream_full_sync(k); }
  bool sync_idle() const { return core().sync_idle(); }
  NodeStats stats() const { return core().stats(); }
  uint64_t revocation_version() const { return core().revocation_version(); }
  // The wall clock as the node sees it (never before its HLC high-water mark).
  uint64_t now_ms() const;

  struct Impl;  // node/node.cc; shared with the links' handlers

 private:
  explicit Node(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<Impl> impl_;
};

}  // namespace fulei::node

#endif  // FULEI_NODE_NODE_H_
