// NodeCore: one fulei node's policy, sans-I/O. It owns the node's store, identity, certificate
// chain, trust store, certificate directory, hybrid clock and local writer, and decides
// everything a node decides:
//   - which connections exist and in which mode: a node dials each configured upstream (a
//     village: its town, then the city); full sync runs with the first connected upstream,
//     urgent-only with every later one (a connection in the wrong mode is closed and redialled
//     in the right one); a lost upstream is redialled after a backoff with full jitter;
//   - what each connection's sync::Session drains: a child drains its upstream's outbox and
//     passes urgent ops from above on down; a parent drains the downstream outboxes of the
//     child's subtree and queues urgent ops from below in its own upstream outboxes;
//   - pushing what one session brought in (new ops of a scope, urgent ops) and what was written
//     locally to every other session at once;
//   - installing the newest revocation list (at open, and whenever root-scope ops arrive) and
//     closing the connections of peers it revokes;
//   - the city's escalation of urgent cases that nobody acknowledged in time (a timer).
// Protocol and routing: docs/protocol.md; the design: docs/DESIGN.md ("node/core").
//
// Events in, actions out. The driver reports events (a connection up with the peer's verified
// certificate, a message, a connection closed, a failed dial, a timer, a local write), each with
// `now_ms`, the driver's wall clock in ms since the Unix epoch; the core queues Actions (send,
// close, dial, set a timer; node/core/action.h) that the driver takes with TakeActions() after
// every call and carries out. The core never touches a socket, a thread or the wall clock, so
// the daemon (node/node.cc, Boost.Asio) and the simulator (node/sim/) drive this same code.
//
// Time (docs/protocol.md, "Clocks"): the node's reference time, Now(now_ms), is its wall clock
// corrected by the clock of an upstream it adopted, never below a floor; never its HLC, which
// the stamps of ops received advance. Certificates (channels, the node's own chain), the bound
// on received stamps, receipts, escalation deadlines and local stamps all use it. A node follows
// its upstream's clock back whenever it runs ahead of it, but forward only by max_future_ms —
// unless its wall clock is not set (before clock_floor_ms or its certificate's not_before: a Pi
// without RTC booting in 1970), when it adopts its upstream's whole; only inside the validity
// of both certificates. Until an upstream confirmed its clock (the city: always), the node
// stamps no further ahead than it had reached at start, and announces no clock in its Hello, so
// a clock that booted years ahead signs nothing its peers must refuse and misleads nobody.
//
// Threading: thread-compatible; one owner calls everything (the node's event loop).
// Lifetime: the store, and every view read from it, live as long as the core. Destroying the
// core queues nothing; the driver drops its connections. Data files: docs/store.md.
#ifndef FULEI_NODE_CORE_CORE_H_
#define FULEI_NODE_CORE_CORE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crdt/hlc.h"
#include "crdt/op.h"
#include "crdt/status.h"
#include "crypto/certificate.h"
#include "crypto/channel.h"
#include "crypto/identity.h"
#include "crypto/random.h"
#include "crypto/trust.h"
#include "node/core/action.h"
#include "node/core/outboxes.h"
#include "programme/aggregate.h"
#include "programme/date.h"
#include "programme/redact.h"
#include "store/sealer.h"
#include "store/store.h"
#include "sync/backoff.h"
#include "sync/cert_directory.h"
#include "sync/local_writer.h"
#include "sync/session.h"

namespace fulei::node {

struct CoreConfig {
  std::string unit;      // this node's org unit, e.g. "jinjiang/cizao"; must match the cert
  std::string data_dir;  // the store lives here (created if absent)
  // The upstreams in order of preference, each as the unit its certificate must lie in ("" for
  // the parent of `unit`). A village: its town, then perhaps the city; the city: none. Urgent
  // ops go to every one (an outbox each, UpstreamOutbox(k)); full sync to the first reachable.
  std::vector<std::string> upstream_units;
  // Sync knobs (sync::SessionConfig).
  size_t sync_window = 4;
  size_t sync_max_batch_ops = 1000;
  // Clocks (docs/protocol.md, "Clocks"). A wall clock before clock_floor_ms (2025-01-01) or the
  // node's certificate is not set; a received op may be stamped max_future_ms ahead of the
  // node's reference time; an upstream's clock within clock_tolerance_ms of it is not adopted.
  uint64_t clock_floor_ms = 1'735'689'600'000;
  uint64_t max_future_ms = 3'600'000;
  uint64_t clock_tolerance_ms = 60'000;
  // Seals values at rest (children's names, reports: every value that may hold a person's
  // data); not owned, must outlive the core. Normally a DataKeySealer over the node's key ring
  // (node/core/data_key_sealer.h). Required: Open refuses to start without one
  // (kFailedPrecondition) unless `unsealed_for_tests` says otherwise.
  const store::Sealer* sealer = nullptr;
  // Lets the core open with no sealer, storing every value in plaintext. Only for tests,
  // benchmarks and tools that must say so explicitly; never set in a deployed node.
  bool unsealed_for_tests = false;
  size_t initial_map_bytes = size_t{64} << 20;
  uint64_t reserve_bytes = uint64_t{16} << 20;
  // Towns and the city answering join tokens (`fulei invite`): the channels of accepted
  // connections let a peer without a certificate complete the handshake
  // (crypto::ChannelConfig::accept_unenrolled_peer). Such a connection never reaches the core:
  // the driver hands its one enrolment request to the node's enrolment desk and closes it.
  bool accept_enrolments = false;
  // Redial delays of a lost upstream (exponential, full jitter), seeded so runs replay.
  sync::BackoffConfig backoff;
  uint64_t backoff_seed = 1;
  // Escalation, run only by the city (the unit with no parent): an urgent case of the subtree
  // that no person at the town acknowledged within its deadline is flagged overdue on the case
  // record itself (programme/escalation.h), and the flag travels down in the urgent class. The
  // core checks every `escalation_interval_ms`, and when the next case comes due if sooner.
  bool escalate = true;
  int64_t report_deadline_minutes = 30;        // 强制报告
  int64_t help_request_deadline_minutes = 10;  // 求助
  uint64_t escalation_interval_ms = 60'000;
  // Where the core reports sessions that close and why, lists installed, cases escalated (ids
  // only, never record content); nullptr: nowhere.
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
  uint64_t urgent_dropped_revoked = 0;  // outbox entries of revoked origins, dropped unsent
  uint64_t receipts_written = 0;        // receipts of urgent ops this node wrote
  uint64_t mode_switches = 0;           // upstream sessions closed to switch full / urgent-only
  uint64_t escalations_written = 0;     // overdue urgent cases this node flagged (city only)
  uint64_t dials = 0, dials_failed = 0;
};

// One peer as `fulei status` shows it: its connection now open, or else the last one closed.
struct PeerStatus {
  crdt::NodeId node = 0;
  std::string unit;
  int upstream = -1;  // which upstream it is; -1: a child
  bool connected = false;
  bool urgent_only = false;
  uint64_t connected_ms = 0;     // when that connection opened (the node's now, as given)
  uint64_t closed_ms = 0;        // when it closed (0: open)
  uint64_t last_message_ms = 0;  // the last message received on it (0: none)
  // The last moment both sides held everything of each other's (the session idle after a
  // message: digests exchanged, nothing in flight); 0: not on that connection.
  uint64_t last_synced_ms = 0;
  // Bytes on that connection by traffic class (index: sync::Priority; sync::SessionStats).
  std::array<uint64_t, sync::kPriorityCount> bytes_sent{};
  std::array<uint64_t, sync::kPriorityCount> bytes_received{};
  // The protocol version spoken with it (sync/messages.h); 0 before its Hello. During a
  // rollout, a child still on an older release shows the older version here.
  uint32_t protocol = 0;
};

class NodeCore {
 public:
  // Opens the store in config.data_dir, registers the node's certificate chain, installs the
  // revocation list the store holds, and queues a kDial for every upstream and (the city) the
  // first escalation check. `chain`: leaf first, matching `identity` and config.unit; `root`:
  // the network's root public key; `random` draws channel keys and must outlive the core.
  // Errors: kFailedPrecondition when config.sealer is null and config.unsealed_for_tests is
  // not set (nothing is opened or created); the store's (kIoError, kCorruption,
  // kFailedPrecondition for a store of another node), kInvalidArgument for a chain that does not
  // match identity or unit, the trust store's for a chain that does not verify (at Now(now_ms);
  // when only the time is wrong — a clock outside the certificate's validity — the node starts
  // anyway, logs it, and its peers decide).
  static Result<std::unique_ptr<NodeCore>> Open(CoreConfig config, crypto::NodeIdentity identity,
                                                crypto::CertChain chain,
                                                const crypto::SigningPublicKey& root,
                                                crypto::Random& random, uint64_t now_ms);
  ~NodeCore();
  NodeCore(const NodeCore&) = delete;
  NodeCore& operator=(const NodeCore&) = delete;

  // ---- events ----
  // The channel of a new connection: `upstream` k for a connection this node dials (the peer
  // must be a town or the city in upstream k's unit), -1 for one it accepted (the peer must lie
  // in this node's subtree).
  Result<crypto::Channel> MakeChannel(int upstream, uint64_t now_ms);
  // A connection completed its handshake. `upstream`: k when this node dialled upstream k
  // (after a kDial), -1 when it accepted it. `peer`: the certificate the channel verified.
  // Starts the sync session (its first messages are queued). An older connection with the
  // same peer node is closed (kAborted): one session per node id.
  void OnConnected(ConnId conn, int upstream, const crypto::Certificate& peer, uint64_t now_ms);
  // The kDial of upstream k produced no connection (refused, timed out, handshake failed).
  void OnDialFailed(size_t upstream, const Status& why, uint64_t now_ms);
  // One whole message from `conn`'s peer. A message the session refuses closes the connection.
  void OnMessage(ConnId conn, std::string_view bytes, uint64_t now_ms);
  // `conn` is gone (the peer left, a fault, or the driver carried out a kClose). Unknown ids
  // are ignored.
  void OnClosed(ConnId conn, const Status& reason, uint64_t now_ms);
  // A timer set by a kSetTimer came due.
  void OnTimer(TimerId timer, uint64_t now_ms);

  // Writes local changes in one store transaction (chained, signed; sync::LocalWriter), urgent
  // ones also queued in `urgent_outboxes` (normally {kUpstreamOutbox}, which stands for every
  // upstream's outbox), then pushes them to every connected peer. An urgent change to a scope
  // below this node (a town's status change of a village's report) is also queued in that
  // scope's downstream outbox when every urgent change of the call has the same scope.
  // INTERNAL AND SYSTEM WRITES ONLY (receipts, revocations, escalation flags, transfers the
  // node carries out, the simulator, tests): it neither validates nor checks who writes. A
  // write made for a person goes through WriteAs.
  // Errors: the store's (nothing written), kFailedPrecondition after Stop.
  Result<std::vector<crdt::Op>> Write(const std::vector<store::LocalChange>& changes,
                                      const std::vector<std::string>& urgent_outboxes,
                                      uint64_t now_ms);
  // A write made for a person (the admin web, the CLI): every change is first checked with
  // programme::CheckChange (programme/write_policy.h) — merged with the record's current state
  // in the store (and with the earlier changes of the same record in this call), the record
  // validated with the programme's rules at the node's date (Now(now_ms), UTC), the writer's role
  // and unit allowed to write it there; a caring parent's contact must be of a pairing in force
  // in the store. When any change is refused nothing is written and the first refusal is
  // returned ("中文 / English"; kPermissionDenied or kInvalidArgument). Each change's author is
  // set to writer.user when it is not empty. Then as Write.
  // Errors: the refusal, the store's, kFailedPrecondition after Stop.
  Result<std::vector<crdt::Op>> WriteAs(const programme::Viewer& writer,
                                        const std::vector<store::LocalChange>& changes,
                                        const std::vector<std::string>& urgent_outboxes,
                                        uint64_t now_ms);
  // City only: publishes `signed_list` (crypto::SignRevocationList output, signed with the root
  // key) as the network's revocation record (sync/revocations.h), installs it, closes sessions
  // with peers it revokes and pushes it to every peer. Errors (nothing written):
  // kPermissionDenied when this node is not the city, kCorruption or kUnauthenticated for bytes
  // that are not a root-signed list, kAlreadyExists when it is not newer than the list held,
  // the store's; kFailedPrecondition after Stop.
  Status PublishRevocations(std::string_view signed_list, uint64_t now_ms);
  // City only (CoreConfig::escalate): flags every overdue case now, as the timer does; returns
  // how many. Errors: the store's; kFailedPrecondition when this node does not escalate or is
  // stopped.
  Result<size_t> CheckEscalations(uint64_t now_ms);
  // Copies the entries of the node's audit log (store.h AppendAudit: logins, reads of records
  // about a person, exports, user changes, backups) not yet copied into records of type "audit"
  // (programme/audit.h), which replicate up to the town and the city: at most `max`, oldest
  // first, in one write; returns how many. Each record is named after this node and the entry's
  // number, so an entry copied twice is one record. The node calls it as it opens; its driver
  // after what it audits and now and then. A copy is not a change of data_version() (it changes
  // nothing a page shows but the audit log), so that reading a page, which is audited, does not
  // make the page reload. Errors: the store's; kFailedPrecondition after Stop.
  Result<size_t> ShipAudit(uint64_t now_ms, size_t max = 500);
  // Closes every connection (kClose for each), dials no more and sets no more timers. Later
  // events are ignored except OnClosed. Idempotent.
  void Stop();

  // The actions queued since the last call, in order.
  std::vector<Action> TakeActions() { return std::exchange(actions_, {}); }

  // ---- state ----
  const std::string& unit() const { return config_.unit; }
  crdt::NodeId node_id() const { return identity_.node_id(); }
  bool stopped() const { return stopped_; }
  // Valid as long as the core. No read transaction may be held across an event.
  store::Store& store() { return *store_; }
  const crypto::TrustStore& trust() const { return trust_; }
  // The node's own certificate chain, leaf first.
  const crypto::CertChain& chain() const { return chain_; }
  size_t upstream_count() const { return upstreams_.size(); }
  // Established connections not closing.
  size_t connected_peers() const;
  // Upstream k: connected, and running full sync (not urgent-only).
  bool upstream_connected(size_t k) const { return UpstreamConn(k) != nullptr; }
  bool upstream_full_sync(size_t k) const;
  // True when every established sync session is idle (digest exchanged, nothing in flight).
  bool sync_idle() const;
  NodeStats stats() const;
  // Every peer connected now or since the node started (upstreams first, then by unit).
  std::vector<PeerStatus> peers() const;
  // Version of the revocation list installed (0: none).
  uint64_t revocation_version() const { return trust_.revocation_version(); }
  // Rises whenever the store gains ops (a local write, or a session that brought new ops or
  // urgent ops): a cheap way for a watcher to skip re-reading what cannot have changed.
  uint64_t data_version() const { return data_version_; }
  // The node's reference time at wall-clock reading `now_ms` (see "Time" above): now_ms plus the
  // offset adopted from an upstream, never below the floor. Saturating: never wraps.
  uint64_t Now(uint64_t now_ms) const;
  // True once an upstream's Hello confirmed (or corrected) the node's clock since it opened;
  // always for a node without upstreams (the city).
  bool clock_confirmed() const { return clock_confirmed_; }
  // The correction adopted from an upstream: Now(w) = w + clock_offset_ms() above the floor.
  int64_t clock_offset_ms() const { return offset_ms_; }
  // True for a town or the city (by the role of the node's certificate): its store keeps the
  // programme's dashboard counters (programme/aggregate.h, index "programme.agg"), registered
  // at Open and so maintained in every write and every batch applied, built from the records
  // held when first registered.
  bool keeps_dashboard() const { return aggregates_ != nullptr; }
  // The dashboard of `unit` (this node's unit or any unit of its subtree) from those counters,
  // on `today`, urgent deadlines judged at `now_unix` (UTC seconds). Errors:
  // kFailedPrecondition on a village (no counters kept), kCorruption for a counter that does
  // not parse, the store's.
  Result<programme::Dashboard> ReadDashboard(std::string_view unit, const programme::Date& today,
                                             int64_t now_unix);

 private:
  struct Conn {
    std::unique_ptr<sync::Session> sync;
    crypto::Certificate peer;
    int upstream = -1;  // -1: a child's connection
    bool urgent_only = false;
    bool closing = false;
    bool clock_seen = false;  // the peer's Hello clock was considered (upstreams only)
    uint64_t connected_ms = 0, last_message_ms = 0, last_synced_ms = 0;
  };
  PeerStatus StatusOf(const Conn& conn) const;
  struct Upstream {
    std::string unit;  // the unit the upstream's certificate must lie in
    enum class State { kDialing, kConnected, kWaiting } state = State::kWaiting;
    sync::Backoff backoff;
  };

  NodeCore(CoreConfig config, crypto::NodeIdentity identity, crypto::CertChain chain,
           const crypto::SigningPublicKey& root, crypto::Random& random);
  Status Open(uint64_t now_ms);

  const Conn* UpstreamConn(size_t k) const;
  std::vector<std::string> UpstreamOutboxes() const;
  void Dial(size_t k);
  void Redial(size_t k, uint64_t now_ms);
  void SetTimer(TimerId timer, uint64_t at_ms);
  // Closes upstream sessions whose mode (full / urgent-only) no longer fits: full sync belongs
  // to the first connected upstream. Each one closed redials in the right mode.
  void RebalanceUpstreams();
  // Queues what `conn`'s session produced. False when the connection is (now) closing.
  bool Flush(ConnId id, Conn& conn);
  // Closes `conn` with `reason` (logged); `sync_error` when sync refused it.
  void Fail(ConnId id, Conn& conn, const Status& reason, bool sync_error = true);
  // Tells every session but `except`'s that `scopes` gained ops (and urgent ops are waiting).
  void Notify(const std::vector<std::string>& scopes, bool urgent, std::optional<ConnId> except);
  // Installs the newest valid list the store holds; closes connections of revoked peers.
  Status InstallRevocations();
  bool Escalates() const;
  Result<size_t> Escalate(uint64_t now_ms, std::optional<int64_t>* next_due);
  void ScheduleEscalation(uint64_t now_ms, std::optional<int64_t> next_due_s);
  void Log(const std::string& line) const;
  // The clock `conn`'s upstream announced in its Hello: adopted within the rules of "Time".
  void OnUpstreamClock(const Conn& conn, uint64_t upstream_ms, uint64_t now_ms);
  // The clock this node announces in a Hello: Now(now_ms) once confirmed, 0 (none) before.
  uint64_t HelloClock(uint64_t now_ms) const;

  CoreConfig config_;
  crypto::NodeIdentity identity_;
  crypto::CertChain chain_;
  crypto::TrustStore trust_;
  crypto::Random& random_;
  // The dashboard counters' indexer (towns and the city); declared before store_ so that it
  // outlives the store that calls it.
  std::unique_ptr<programme::AggregateIndexer> aggregates_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<sync::CertDirectory> certs_;
  std::unique_ptr<crdt::HybridClock> clock_;
  std::unique_ptr<sync::LocalWriter> writer_;
  std::vector<Upstream> upstreams_;
  std::map<ConnId, Conn> conns_;
  std::vector<Action> actions_;
  NodeStats closed_;  // stats of sessions already closed, and the node's own counters
  std::map<crdt::NodeId, PeerStatus> peers_closed_;  // each peer's last closed connection
  bool stopped_ = false;
  uint64_t data_version_ = 0;
  // The number of the last audit entry copied into a record (ShipAudit), once found.
  std::optional<uint64_t> audit_shipped_;
  // Clock state (see "Time"): a wall clock below set_floor_ms_ is not set; start_floor_ms_ is
  // what the node had reached at start (its HLC high-water less max_future_ms), the floor of an
  // unset clock; offset_ms_ is the correction adopted from an upstream.
  uint64_t set_floor_ms_ = 0;
  uint64_t start_floor_ms_ = 0;
  int64_t offset_ms_ = 0;
  bool clock_confirmed_ = false;
};

}  // namespace fulei::node

#endif  // FULEI_NODE_CORE_CORE_H_
