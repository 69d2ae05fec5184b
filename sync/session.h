// Session: one sync conversation with one peer, as a sans-I/O state machine.
//
// Bytes in (OnMessage), bytes out (TakeOutgoing), store calls in between; no sockets, no clock
// reads (the time is passed in), so the Asio transport and the simulator drive it alike.
// Protocol: docs/protocol.md. In short, once the channel is up:
//   1. each side sends Hello, then its urgent outbox for this peer (class urgent), then a Digest:
//      one 16-byte hash of the version vector per shared scope;
//   2. for scopes whose hashes differ, each side sends its full vector (Vectors) — an idle
//      re-sync therefore ends after one exchange of Hello + Digest, whatever the record count;
//   3. each side streams the ops the other lacks in batches (a window of unacknowledged
//      batches); the receiver verifies certificates, scope rights and the origin's signed chain
//      head, applies the batch in one store transaction and acknowledges what is durable;
//   4. afterwards new local or relayed ops are pushed as they come (OnLocalChange / OnUrgent).
// Urgent ops travel both ways (docs/protocol.md, "Urgent ops and receipts"): up through the
// outbox the session drains (`outbox_peer`), down through the downstream outboxes of the
// scopes the peer holds (`drain_down`); a node that newly holds an urgent op of another origin
// writes a receipt (sync/receipts.h) before it acknowledges the op. An urgent-only session
// (`urgent_only`, a village's second upstream) moves urgent ops and nothing else.
// A session that breaks off resumes from the vectors next time: nothing acknowledged is
// re-sent in bulk, nothing starts from zero.
//
// Any malformed, oversized or out-of-protocol message, a failed signature, or a scope the sender
// may not write makes OnMessage return non-OK *before anything is applied*; the caller then
// closes the connection and logs the status (a revoked peer's own ops too). Relayed ops of an
// origin this node knows to be revoked are skipped instead (never applied; urgent ones reported
// back as refused for good, so they leave the sender's outbox): the sender may not have the list
// yet, and closing would keep the list from ever reaching it (docs/protocol.md, "Revocations").
// An erased op must carry an erasure authorisation its origin or the city signed
// (crypto/erasure.h): a body stripped on the way is refused like a failed signature. A run that
// forks a chain this node holds — it disagrees with the op before it, with the ops of it held
// here, or with the held op after it (sync/equivocation.h) — is refused too: the node first
// writes the evidence through `receipts` (its own transaction), then closes the session when
// the peer is the run's origin, or skips the run when relayed (its urgent ops are answered as
// refused for good, like a revoked origin's).
//
// Bounded per peer (docs/protocol.md, "Bounds per peer"): whatever an enrolled peer sends, what
// the session keeps about it stays bounded. One Hello and one Digest (a second is refused);
// one Vectors entry per scope whose digests differed — a second Vectors for a scope, or one
// for a scope whose digests matched, is refused, as is more than kMaxVectorEntries vector
// entries over the session (kResourceExhausted) —; of each vector only the entries of
// origins this node knows for that scope are kept: the peer itself, origins it holds ops of in
// that scope, and origins whose certificate it holds and whose unit may write the scope (the
// others are dropped: this node has nothing of theirs to send; should their ops arrive later,
// the peer may get ops it holds, which applying ignores); an Ack's entries only for origins
// this session sent ops of. So tracked_bytes() stays within about 64 bytes × (scopes this node
// holds + the at most kMaxScopesPerMessage the peer's Digest names) × (origins known for a
// scope + a few), plus what this node itself has in flight.
//
// Thread-compatible: one owner (the node's event loop). REQUIRES: store, trust and certs
// outlive the session.
#ifndef FULEI_SYNC_SESSION_H_
#define FULEI_SYNC_SESSION_H_

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crdt/hlc.h"
#include "crdt/op.h"
#include "crdt/status.h"
#include "crypto/trust.h"
#include "store/store.h"
#include "sync/cert_directory.h"
#include "sync/local_writer.h"
#include "sync/messages.h"
#include "sync/priority.h"

namespace fulei::sync {

struct Outgoing {
  Priority priority = Priority::kNormal;
  uint32_t stream = 0;  // round-robin key within a class (one per scope)
  std::string bytes;    // one encoded Message
};

struct PeerIdentity {
  crdt::NodeId node = 0;
  std::string unit;  // from the peer's verified certificate
};

struct SessionConfig {
  crdt::NodeId self_node = 0;
  std::string self_unit;
  // Outbox this session drains: urgent ops queued for this peer ("" for none).
  std::string outbox_peer;
  // Outboxes that urgent ops received from this peer are queued for, in the same transaction
  // (the node's upstreams when this peer is downstream: urgent reports travel on).
  std::vector<std::string> relay_outboxes;
  size_t window = 4;  // unacknowledged batches in flight
  size_t max_batch_ops = 1000;
  size_t max_batch_bytes = 256u << 10;  // about; a chain run is never split below its head
  // An op's stamp may be this far ahead of `now_ms` (OnMessage: the owner's reference time,
  // never its HLC) before its batch is refused (docs/protocol.md, "Clocks").
  uint64_t max_future_ms = 3'600'000;
  // The node's clock: advanced past every op received, so the node's next local op is stamped
  // after everything it has seen (its high-water mark is persisted with the batch). Optional.
  crdt::HybridClock* clock = nullptr;

  // ---- urgent routing (docs/protocol.md, "Urgent ops and receipts") ----
  // The peer is downstream (a node of this node's subtree): the session also drains the
  // downstream outbox DownOutbox(S) of every scope S this node holds at or below the peer's
  // unit (urgent ops travelling back towards their origin: receipts, status changes).
  bool drain_down = false;
  // The peer is upstream: urgent ops received from it whose scope a node below this one holds
  // (HeldBelow, sync/scopes.h: strictly below this node's unit, not its own office scope) are
  // queued in DownOutbox(scope) in the receiving transaction, so they travel on down towards
  // the node of that scope.
  bool relay_down = false;
  // Writes a receipt (sync/receipts.h) for each urgent op of another origin held from this peer,
  // durably, before the op is acknowledged. nullptr: no receipts. Must use `clock`.
  LocalWriter* receipts = nullptr;
  // Where a receipt is queued when the op's scope is this node's own unit or office scope (the
  // op came from above): normally this node's upstream outboxes. A receipt of an op whose scope
  // a node below holds (HeldBelow) goes to DownOutbox(scope), whichever peer brought the op.
  std::vector<std::string> receipt_outboxes;
  // Urgent-only: Hello and urgent batches both ways, no digest, vectors or ordinary batches
  // (a village's second upstream while the first is reachable). Announced to the peer by a
  // Digest naming only kUrgentOnlyScope, so the peer sends no ordinary ops either.
  bool urgent_only = false;
  // The protocol versions this node speaks (sync/messages.h); the session speaks the highest
  // the peer speaks too, and refuses a peer that shares none. Narrowed only in tests (to play
  // a node of an older or newer release).
  uint32_t min_protocol_version = kMinProtocolVersion;
  uint32_t max_protocol_version = kProtocolVersion;
};

// The reserved Digest entry that announces an urgent-only session.
inline constexpr char kUrgentOnlyScope[] = "$urgent-only";

// The downstream outbox of `scope`: urgent ops waiting to travel down towards the node of that
// scope. "" when the name would exceed the store's 256-byte limit (then ordinary sync carries
// the op; nothing is lost, only the urgent lane is skipped).
std::string DownOutbox(std::string_view scope);

struct SessionStats {
  uint64_t messages_sent = 0, messages_received = 0;
  uint64_t bytes_sent = 0, bytes_received = 0;
  uint64_t ops_sent = 0, ops_received = 0, ops_applied = 0;
  uint64_t batches_sent = 0, batches_received = 0;
  uint64_t urgent_sent = 0, urgent_acked = 0;
  uint64_t urgent_dropped_revoked = 0;  // outbox entries of revoked origins, dropped unsent
                                        // (or refused by a peer that knows of the revocation)
  uint64_t ops_skipped_revoked = 0;     // received ops of revoked origins, never applied
  uint64_t vectors_sent = 0;            // scopes whose digests differed
  uint64_t receipts_written = 0;
  uint64_t equivocations = 0;  // runs refused because they fork a chain held here (evidence kept)
  // Bytes by traffic class (index: Priority), as sent; received ones by the class their kind is
  // sent in (a received batch counts as kNormal or kUrgent: the wire does not say kBulk).
  std::array<uint64_t, kPriorityCount> bytes_sent_by_class{};
  std::array<uint64_t, kPriorityCount> bytes_received_by_class{};
};

class Session {
 public:
  Session(store::Store& store, const crypto::TrustStore& trust, CertDirectory& certs,
          SessionConfig config, PeerIdentity peer);

  // Queues Hello and the Digest; the urgent outbox follows as soon as the peer's Hello has fixed
  // the protocol version (ops batches are encoded by version). `clock_ms`: the clock this node
  // announces in its Hello, 0 for none (the owner decides; docs/protocol.md, "Clocks").
  Status Start(uint64_t clock_ms);
  // One whole message from the peer. Non-OK: close the connection (nothing was applied).
  // `now_ms`: the owner's reference time (its wall clock, or its upstream's when adopted; never
  // its HLC): op stamps are bounded by it, certificates of ops without a stamp checked at it,
  // receipts dated with it.
  Status OnMessage(std::string_view bytes, uint64_t now_ms);
  // New ops of `scope` are in the store (written locally, or received from another peer).
  // The owner calls it for every scope that gains ops other than through this session: it is
  // also how a drain_down session learns of a new scope whose downstream outbox it drains.
  Status OnLocalChange(std::string_view scope);
  // New urgent ops may be in this peer's outbox.
  Status OnUrgent();

  // Messages to send, in the order produced; the transport schedules them by priority.
  std::vector<Outgoing> TakeOutgoing();
  // Scopes that received new ops from this peer since the last call (for relaying onward).
  std::vector<std::string> TakeChangedScopes();
  // True when urgent ops were newly held (applied, or pending behind a gap) since the last call:
  // the node's other sessions must drain their outboxes (OnUrgent) to pass them on.
  bool TakeUrgentArrived() { return std::exchange(urgent_arrived_, false); }

  // True once the digest exchange is done and nothing is in flight or waiting to be sent.
  bool idle() const;
  bool digest_done() const { return digest_received_; }
  // True when this session, or the peer, declared the session urgent-only.
  bool urgent_only() const { return config_.urgent_only || peer_urgent_only_; }
  const SessionStats& stats() const { return stats_; }
  const PeerIdentity& peer() const { return peer_; }
  // The clock the peer announced in its Hello; nullopt before the Hello, or when it announced
  // none (0). The session never adopts it: the owner decides (docs/protocol.md, "Clocks").
  std::optional<uint64_t> peer_clock_ms() const { return peer_clock_ms_; }
  // The protocol version both ends speak; 0 until the peer's Hello.
  uint32_t protocol_version() const { return version_; }
  // An estimate of the memory (bytes) this session keeps about its conversation: scopes,
  // vectors, batches in flight, streams; not the messages waiting for TakeOutgoing. Bounded
  // whatever the peer sends (see above).
  size_t tracked_bytes() const;

 private:
  bool Shared(std::string_view scope) const;
  Status OnHello(const Hello& m);
  Status OnDigest(const Digest& m);
  Status OnVectors(const Vectors& m);
  // True when this node knows `origin` for `scope` (the rule above); `ours`: this node's vector
  // of the scope; `units` caches the units of certificates looked up.
  Result<bool> KnownOrigin(crdt::NodeId origin, std::string_view scope,
                           const store::VersionVector& ours,
                           std::map<crdt::NodeId, std::optional<std::string>>* units);
  Status OnOps(const OpsBatch& m, uint64_t now_ms);
  Status OnAck(const Ack& m);
  Status OnUrgentAck(const UrgentAck& m);
  // The peer acknowledged `batch`: the certificates it carried are held there now.
  void CertsDelivered(uint64_t batch);
  Status Pump();
  Status SendUrgent();
  // The outboxes this session drains: outbox_peer and, when drain_down, the peer's down ones.
  Result<std::vector<std::string>> DrainedOutboxes();
  // True when DrainedOutboxes drains DownOutbox(scope) once the store holds `scope`.
  bool DrainsDown(std::string_view scope) const;
  // `scope` may have gained ops: forgets down_scopes_ when it lacks a scope DrainsDown.
  void NoteScope(std::string_view scope);
  // Writes the receipts `ops` call for (those not refused), queued towards the sender.
  Status WriteReceipts(const std::vector<crdt::Op>& ops, const store::ApplyResult& result,
                       uint64_t now_ms);
  // Appends the ops of `origin` in `scope` from `first` through at least `last`, extended to
  // the next signed head, with that head and the origin's certificate (once per session).
  // Returns the seq actually reached, or 0 when no signed head covers `first`.
  Result<uint64_t> AddRun(std::string_view scope, crdt::NodeId origin, uint64_t first,
                          uint64_t last, OpsBatch* batch);
  void Send(Priority priority, std::string_view scope, const Message& message);
  uint32_t StreamOf(std::string_view scope);

  store::Store& store_;
  const crypto::TrustStore& trust_;
  CertDirectory& certs_;
  SessionConfig config_;
  PeerIdentity peer_;

  bool hello_received_ = false;
  uint32_t version_ = 0;  // negotiated at the peer's Hello
  bool digest_received_ = false;
  std::map<std::string, store::VersionVector, std::less<>> digest_vv_;  // mine, as sent
  std::map<std::string, store::VersionVector, std::less<>> peer_vv_;    // durable at the peer
  std::map<std::string, store::VersionVector, std::less<>> sent_vv_;    // sent (incl. in flight)
  // Scopes whose digests differed: the peer's Vectors for each is due, once.
  std::set<std::string, std::less<>> vectors_due_;
  size_t vector_entries_ = 0;  // entries of the peer's Vectors so far
  std::set<std::string, std::less<>> dirty_;
  std::map<uint64_t, std::string> inflight_;  // batch -> scope
  struct UrgentSent {
    std::string outbox;
    crdt::OpId id;
    crdt::NodeId origin = 0;
    uint64_t seq = 0;
  };
  std::map<uint64_t, std::vector<UrgentSent>> urgent_inflight_;  // batch -> ops
  std::set<std::pair<std::string, crdt::OpId>> urgent_sent_;     // (outbox, op) in flight
  std::set<crdt::NodeId> certs_sent_;  // origins whose certificate the peer acknowledged
  std::map<uint64_t, std::set<crdt::NodeId>> cert_batches_;  // batch -> certificates it carries
  std::map<std::string, uint32_t, std::less<>> streams_;
  // The held scopes DrainsDown, in Store::Scopes() order; unset until DrainedOutboxes needs it
  // and again whenever a scope it lacks may have gained ops (NoteScope). A store never drops
  // a scope, so nothing else can change the list.
  std::optional<std::vector<std::string>> down_scopes_;
  uint64_t next_batch_ = 1;
  std::vector<Outgoing> out_;
  std::set<std::string> changed_;
  bool urgent_arrived_ = false;
  bool peer_urgent_only_ = false;
  std::optional<uint64_t> peer_clock_ms_;
  SessionStats stats_;
};

// BLAKE2b-128 of a version vector's canonical form (entries sorted by origin: u64 origin,
// u64 seq, big-endian), the per-scope digest of docs/protocol.md.
DigestHash HashVector(const store::VersionVector& vv);

}  // namespace fulei::sync

#endif  // FULEI_SYNC_SESSION_H_
