#include "sync/session.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "crdt/codec.h"
#include "crdt/org_unit.h"
#include "crypto/certificate.h"
#include "crypto/erasure.h"
#include "crypto/op_chain.h"
#include "crypto/signing.h"
#include "sync/equivocation.h"
#include "sync/receipts.h"
#include "sync/scopes.h"

namespace fulei::sync {

namespace {

std::vector<VvEntry> ToEntries(const store::VersionVector& vv) {
  std::vector<VvEntry> out;
  out.reserve(vv.size());
  for (const auto& [origin, seq] : vv) out.push_back(VvEntry{origin, seq});
  return out;
}

void PutU64(std::string* out, uint64_t v) {
  for (int i = 7; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

Status Reject(std::string why) { return InvalidArgument("sync: " + std::move(why)); }

}  // namespace

std::string DownOutbox(std::string_view scope) {
  std::string name = "down:" + std::string(scope);
  return name.size() <= crdt::kMaxKeyPartBytes ? name : std::string();
}

DigestHash HashVector(const store::VersionVector& vv) {
  std::string canonical = "fulei-vv-v1";
  for (const auto& [origin, seq] : vv) {
    if (seq == 0) continue;  // an origin at 0 holds nothing: same as absent
    PutU64(&canonical, origin);
    PutU64(&canonical, seq);
  }
  auto full = crypto::Blake2b256(canonical);
  DigestHash out;
  std::copy_n(full.begin(), out.size(), out.begin());
  return out;
}

Session::Session(store::Store& store, const crypto::TrustStore& trust, CertDirectory& certs,
                 SessionConfig config, PeerIdentity peer)
    : store_(store),
      trust_(trust),
      certs_(certs),
      config_(std::move(config)),
      peer_(std::move(peer)) {}

bool Session::Shared(std::string_view scope) const {
  return Holds(config_.self_unit, scope) && Holds(peer_.unit, scope);
}

uint32_t Session::StreamOf(std::string_view scope) {
  auto it = streams_.find(scope);
  if (it != streams_.end()) return it->second;
  const auto id = static_cast<uint32_t>(streams_.size() + 1);
  streams_.emplace(std::string(scope), id);
  return id;
}

namespace {

// The class a message of this kind is sent in (Session::Send's callers).
Priority ClassOf(const Message& message) {
  if (std::holds_alternative<Hello>(message) || std::holds_alternative<UrgentAck>(message)) {
    return Priority::kUrgent;
  }
  if (const auto* batch = std::get_if<OpsBatch>(&message)) {
    return batch->urgent ? Priority::kUrgent : Priority::kNormal;
  }
  return Priority::kControl;
}

}  // namespace

void Session::Send(Priority priority, std::string_view scope, const Message& message) {
  Outgoing o;
  o.priority = priority;
  o.stream = scope.empty() ? 0 : StreamOf(scope);
  // Before the peer's Hello only Hello and Digest are sent, which no version changes.
  o.bytes = EncodeMessage(message, version_ != 0 ? version_ : config_.max_protocol_version);
  stats_.messages_sent++;
  stats_.bytes_sent += o.bytes.size();
  stats_.bytes_sent_by_class[static_cast<size_t>(priority)] += o.bytes.size();
  out_.push_back(std::move(o));
}

std::vector<Outgoing> Session::TakeOutgoing() { return std::exchange(out_, {}); }

std::vector<std::string> Session::TakeChangedScopes() {
  std::vector<std::string> out(changed_.begin(), changed_.end());
  changed_.clear();
  return out;
}

bool Session::idle() const {
  return digest_received_ && dirty_.empty() && inflight_.empty() && urgent_inflight_.empty() &&
         out_.empty();
}

Status Session::Start(uint64_t clock_ms) {
  // Hello, urgent batches and urgent acks share one lane (class urgent, stream 0): the
  // transport never reorders a lane, so Hello always arrives first even though the urgent
  // outbox overtakes everything else. The clock announced is the owner's, as given: never the
  // HLC, which the stamps of ops received advance. The urgent outbox goes out in OnHello, as
  // soon as the version is known: both ends send their Hello on connecting, so that is half a
  // round trip later, still before any vector exchange.
  Send(Priority::kUrgent, "",
       Hello{config_.min_protocol_version, config_.self_node, config_.self_unit, clock_ms,
             config_.max_protocol_version});
  if (config_.urgent_only) {
    Send(Priority::kControl, "", Digest{{ScopeDigest{kUrgentOnlyScope, {}}}});
    return Status::Ok();
  }
  FULEI_ASSIGN_OR_RETURN(std::vector<std::string> scopes, store_.Scopes());
  Digest digest;
  for (const std::string& scope : scopes) {
    if (!Shared(scope)) continue;
    FULEI_ASSIGN_OR_RETURN(store::VersionVector vv, store_.GetVersionVector(scope));
    digest.scopes.push_back(ScopeDigest{scope, HashVector(vv)});
    digest_vv_[scope] = std::move(vv);
  }
  Send(Priority::kControl, "", digest);
  return Status::Ok();
}

Status Session::OnMessage(std::string_view bytes, uint64_t now_ms) {
  stats_.messages_received++;
  stats_.bytes_received += bytes.size();
  FULEI_ASSIGN_OR_RETURN(Message message,
                         DecodeMessage(bytes, version_ != 0 ? version_ : kProtocolVersion));
  stats_.bytes_received_by_class[static_cast<size_t>(ClassOf(message))] += bytes.size();
  if (!hello_received_ && !std::holds_alternative<Hello>(message)) {
    return Reject(std::string("first message is ") + std::string(MessageName(message)) +
                  ", expected hello");
  }
  return std::visit(
      [&](const auto& m) -> Status {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, Hello>) return OnHello(m);
        if constexpr (std::is_same_v<T, Digest>) return OnDigest(m);
        if constexpr (std::is_same_v<T, Vectors>) return OnVectors(m);
        if constexpr (std::is_same_v<T, OpsBatch>) return OnOps(m, now_ms);
        if constexpr (std::is_same_v<T, Ack>) return OnAck(m);
        if constexpr (std::is_same_v<T, UrgentAck>) return OnUrgentAck(m);
      },
      message);
}

Status Session::OnHello(const Hello& m) {
  if (hello_received_) return Reject("second hello");
  Result<uint32_t> version =
      NegotiateVersion(m, config_.min_protocol_version, config_.max_protocol_version);
  if (!version.ok()) return Reject(version.status().message());
  if (m.node != peer_.node || m.unit != peer_.unit) {
    return Reject("hello names node " + std::to_string(m.node) + " at '" + m.unit +
                  "', but the certificate is for '" + peer_.unit + "'");
  }
  hello_received_ = true;
  version_ = version.value();
  // Reported to the owner, never adopted here: whether to follow a peer's clock is the node's
  // decision (only an upstream's, within limits; docs/protocol.md, "Clocks").
  if (m.wall_ms != 0) peer_clock_ms_ = m.wall_ms;
  // Urgent first: before any vector exchange, right after (re)connecting.
  return SendUrgent();
}

Status Session::OnDigest(const Digest& m) {
  if (digest_received_) return Reject("second digest");
  digest_received_ = true;
  if (m.scopes.size() == 1 && m.scopes[0].scope == kUrgentOnlyScope) peer_urgent_only_ = true;
  // Urgent-only (either side said so): urgent batches only, no vectors, no ordinary ops.
  if (urgent_only()) {
    dirty_.clear();
    return Status::Ok();
  }
  std::map<std::string, DigestHash, std::less<>> theirs;
  for (const ScopeDigest& d : m.scopes) {
    if (Shared(d.scope)) theirs[d.scope] = d.hash;
  }
  // Every scope either side named: equal hashes mean equal vectors; otherwise send ours.
  std::set<std::string, std::less<>> scopes;
  for (const auto& [scope, h] : theirs) scopes.insert(scope);
  for (const auto& [scope, vv] : digest_vv_) scopes.insert(scope);
  Vectors reply;
  const store::VersionVector none;
  const DigestHash empty = HashVector(none);
  for (const std::string& scope : scopes) {
    auto t = theirs.find(scope);
    const DigestHash their_hash = t == theirs.end() ? empty : t->second;
    // A scope only the peer named is not tracked unless its digests differ.
    auto held = digest_vv_.find(scope);
    const store::VersionVector& mine = held == digest_vv_.end() ? none : held->second;
    if (HashVector(mine) == their_hash) {
      if (held != digest_vv_.end()) {
        peer_vv_[scope] = mine;
        sent_vv_[scope] = mine;
      }
      continue;
    }
    reply.scopes.push_back(ScopeVector{scope, ToEntries(mine)});
    vectors_due_.insert(scope);  // the peer computes the same set: its Vectors names these
  }
  if (!reply.scopes.empty()) {
    stats_.vectors_sent += reply.scopes.size();
    Send(Priority::kControl, "", reply);
  }
  // Ops written locally between our digest and now are pushed by OnLocalChange.
  return Pump();
}

Result<bool> Session::KnownOrigin(crdt::NodeId origin, std::string_view scope,
                                  const store::VersionVector& ours,
                                  std::map<crdt::NodeId, std::optional<std::string>>* units) {
  if (origin == peer_.node || ours.count(origin) != 0) return true;
  auto it = units->find(origin);
  if (it == units->end()) {
    std::optional<std::string> unit;
    FULEI_ASSIGN_OR_RETURN(std::optional<std::string> chain, certs_.Get(origin));
    if (chain) {
      // The directory holds only chains that verified when they were added.
      auto decoded = crypto::DecodeChain(*chain);
      if (decoded.ok() && !decoded->empty()) unit = decoded->front().org_unit;
    }
    it = units->emplace(origin, std::move(unit)).first;
  }
  return it->second.has_value() && MayWrite(*it->second, scope);
}

Status Session::OnVectors(const Vectors& m) {
  if (!digest_received_) return Reject("vectors before digest");
  if (urgent_only()) return Status::Ok();  // a peer that missed our announcement: nothing to do
  // Checked whole before anything is kept: each scope's vector is due once, and the session's
  // vectors are bounded.
  size_t entries = 0;
  std::set<std::string_view> named;
  for (const ScopeVector& v : m.scopes) {
    if (!vectors_due_.count(v.scope) || !named.insert(v.scope).second) {
      return Reject("vectors for scope '" + v.scope +
                    "', which are not due (its digests matched, or its vectors came already)");
    }
    entries += v.entries.size();
  }
  if (entries > kMaxVectorEntries - vector_entries_) {
    return ResourceExhausted("sync: the peer's vectors exceed " +
                             std::to_string(kMaxVectorEntries) + " entries in one session");
  }
  vector_entries_ += entries;
  std::map<crdt::NodeId, std::optional<std::string>> units;
  for (const ScopeVector& v : m.scopes) {
    vectors_due_.erase(v.scope);
    // Only origins this node knows for the scope: anything else it has nothing to send of.
    FULEI_ASSIGN_OR_RETURN(store::VersionVector ours, store_.GetVersionVector(v.scope));
    store::VersionVector vv;
    for (const VvEntry& e : v.entries) {
      if (e.seq == 0) continue;
      FULEI_ASSIGN_OR_RETURN(bool known, KnownOrigin(e.origin, v.scope, ours, &units));
      if (known) vv[e.origin] = std::max(vv[e.origin], e.seq);
    }
    peer_vv_[v.scope] = vv;
    // Anything already sent in this session stays sent; otherwise start from their vector.
    store::VersionVector& sent = sent_vv_[v.scope];
    for (const auto& [origin, seq] : vv) sent[origin] = std::max(sent[origin], seq);
    dirty_.insert(v.scope);
  }
  return Pump();
}

Result<uint64_t> Session::AddRun(std::string_view scope, crdt::NodeId origin, uint64_t first,
                                 uint64_t last, OpsBatch* batch) {
  // A relay never offers a revoked origin's ops: the peer would refuse the whole batch (and the
  // session) on every reconnect. They stay held here (docs/crypto.md#revocation-lists). A node's
  // own ops are always offered; the peer decides.
  if (origin != config_.self_node && trust_.IsRevoked(origin)) return uint64_t{0};
  // Prefer extending the run to the first signed head at or after `last`, when every op up to
  // it is held; otherwise cut it back to the last signed head inside [first, last]. The store
  // reads around ops it cannot read (docs/store.md, "Faults and quarantine"): a run that would
  // need one is cut back or left out, never fails the session.
  std::vector<std::string> ops;
  FULEI_ASSIGN_OR_RETURN(std::optional<store::ChainHead> head,
                         store_.HeadAtOrAbove(scope, origin, last));
  if (head) {
    FULEI_ASSIGN_OR_RETURN(ops, store_.GetOps(scope, origin, first, head->seq));
    if (ops.size() != head->seq - first + 1) {
      head.reset();
      ops.clear();
    }
  }
  if (!head) {
    FULEI_ASSIGN_OR_RETURN(head, store_.HeadAtOrBelow(scope, origin, last));
    if (!head || head->seq < first) return uint64_t{0};  // nothing signed to send yet
    FULEI_ASSIGN_OR_RETURN(ops, store_.GetOps(scope, origin, first, head->seq));
    if (ops.size() != head->seq - first + 1) return uint64_t{0};
  }
  // The certificate travels with every batch of the origin until one such batch is
  // acknowledged: the transport may deliver a later batch first (normal overtakes bulk, urgent
  // overtakes both), and the receiver must be able to verify whichever arrives first. A
  // certificate the store cannot read (bit rot) leaves this origin's run out; the rest goes.
  std::optional<std::string> cert;
  auto carried = cert_batches_.find(batch->batch);
  if (!certs_sent_.count(origin) &&
      (carried == cert_batches_.end() || !carried->second.count(origin))) {
    Result<std::optional<std::string>> chain = certs_.Get(origin);
    if (!chain.ok() && chain.status().code() == StatusCode::kCorruption) return uint64_t{0};
    FULEI_RETURN_IF_ERROR(chain.status());
    if (!*chain) return NotFound("no certificate for origin " + std::to_string(origin));
    cert = std::move(**chain);
  }
  for (std::string& op : ops) batch->ops.push_back(std::move(op));
  batch->heads.push_back(head->head);
  if (cert) {
    cert_batches_[batch->batch].insert(origin);
    batch->certs.push_back(std::move(*cert));
  }
  return head->seq;
}

Status Session::Pump() {
  if (!digest_received_ || urgent_only()) return Status::Ok();
  while (inflight_.size() < config_.window && !dirty_.empty()) {
    const std::string scope = *dirty_.begin();
    store::VersionVector& sent = sent_vv_[scope];
    FULEI_ASSIGN_OR_RETURN(
        store::OpsChunk chunk,
        store_.OpsSince(scope, sent, config_.max_batch_ops, config_.max_batch_bytes));
    if (chunk.ops.empty()) {
      dirty_.erase(dirty_.begin());
      continue;
    }
    OpsBatch batch;
    batch.batch = next_batch_++;
    batch.scope = scope;
    // One run per origin in the chunk, cut or extended to a signed head.
    size_t i = 0;
    bool progressed = false;
    while (i < chunk.ops.size()) {
      const crdt::NodeId origin = chunk.ops[i].origin;
      const uint64_t first = chunk.ops[i].seq;
      uint64_t last = first;
      while (i < chunk.ops.size() && chunk.ops[i].origin == origin) last = chunk.ops[i++].seq;
      const size_t before = batch.ops.size();
      FULEI_ASSIGN_OR_RETURN(uint64_t reached, AddRun(scope, origin, first, last, &batch));
      if (reached == 0) {
        batch.ops.resize(before);
        continue;
      }
      sent[origin] = reached;
      progressed = true;
    }
    if (!progressed) {
      cert_batches_.erase(batch.batch);
      // Nothing here can be sent with a signature yet; wait for the next change.
      dirty_.erase(dirty_.begin());
      continue;
    }
    if (!chunk.more) dirty_.erase(dirty_.begin());
    stats_.batches_sent++;
    stats_.ops_sent += batch.ops.size();
    inflight_[batch.batch] = scope;
    Send(chunk.more ? Priority::kBulk : Priority::kNormal, scope, batch);
  }
  return Status::Ok();
}

Result<std::vector<std::string>> Session::DrainedOutboxes() {
  std::vector<std::string> out;
  if (!config_.outbox_peer.empty()) out.push_back(config_.outbox_peer);
  if (config_.drain_down) {
    if (!down_scopes_) {
      FULEI_ASSIGN_OR_RETURN(std::vector<std::string> scopes, store_.Scopes());
      std::erase_if(scopes, [&](const std::string& scope) { return !DrainsDown(scope); });
      down_scopes_ = std::move(scopes);
    }
    for (const std::string& scope : *down_scopes_) {
      std::string name = DownOutbox(scope);
      if (!name.empty()) out.push_back(std::move(name));
    }
  }
  return out;
}

bool Session::DrainsDown(std::string_view scope) const {
  return config_.drain_down && scope != config_.self_unit && crdt::IsAtOrBelow(scope, peer_.unit);
}

void Session::NoteScope(std::string_view scope) {
  if (!down_scopes_ || !DrainsDown(scope)) return;
  if (std::find(down_scopes_->begin(), down_scopes_->end(), scope) == down_scopes_->end()) {
    down_scopes_.reset();
  }
}

Status Session::SendUrgent() {
  FULEI_ASSIGN_OR_RETURN(std::vector<std::string> outboxes, DrainedOutboxes());
  struct Queued {
    crdt::Op op;
    std::string outbox;
  };
  std::map<std::string, std::vector<Queued>> by_scope;
  for (const std::string& outbox : outboxes) {
    FULEI_ASSIGN_OR_RETURN(std::vector<store::OutboxEntry> entries, store_.Outbox(outbox));
    for (const store::OutboxEntry& e : entries) {
      if (urgent_sent_.count({outbox, e.id})) continue;
      FULEI_ASSIGN_OR_RETURN(crdt::Op op, crdt::DecodeOp(e.bytes));
      if (op.origin != config_.self_node && trust_.IsRevoked(op.origin)) {
        // A relay never offers a revoked origin's ops (AddRun), so this entry could never
        // leave: it is dropped from the queue. The op itself stays held in the store.
        FULEI_RETURN_IF_ERROR(store_.AckOutbox(outbox, e.id));
        stats_.urgent_dropped_revoked++;
        continue;
      }
      if (!Shared(op.key.scope)) continue;
      by_scope[op.key.scope].push_back(Queued{std::move(op), outbox});
    }
  }
  for (auto& [scope, queued] : by_scope) {
    std::sort(queued.begin(), queued.end(), [](const Queued& a, const Queued& b) {
      return std::tie(a.op.origin, a.op.seq, a.outbox) < std::tie(b.op.origin, b.op.seq, b.outbox);
    });
    OpsBatch batch;
    batch.batch = next_batch_++;
    batch.scope = scope;
    batch.urgent = true;
    std::vector<UrgentSent> sent;
    for (size_t i = 0; i < queued.size();) {
      const crdt::Op& op = queued[i].op;
      FULEI_ASSIGN_OR_RETURN(uint64_t reached, AddRun(scope, op.origin, op.seq, op.seq, &batch));
      // Every urgent op up to the head just added travels in this run.
      size_t j = i;
      while (j < queued.size() && queued[j].op.origin == op.origin && queued[j].op.seq <= reached) {
        const Queued& q = queued[j];
        sent.push_back(UrgentSent{q.outbox, q.op.id(), q.op.origin, q.op.seq});
        urgent_sent_.insert({q.outbox, q.op.id()});
        ++j;
      }
      i = j == i ? i + 1 : j;
    }
    if (batch.ops.empty()) {
      cert_batches_.erase(batch.batch);
      continue;
    }
    stats_.urgent_sent += sent.size();
    urgent_inflight_[batch.batch] = std::move(sent);
    Send(Priority::kUrgent, "", batch);
  }
  return Status::Ok();
}

Status Session::WriteReceipts(const std::vector<crdt::Op>& ops, const store::ApplyResult& result,
                              uint64_t now_ms) {
  if (config_.receipts == nullptr) return Status::Ok();
  std::vector<store::LocalChange> changes;
  for (size_t k = 0; k < ops.size(); ++k) {
    if (result.outcomes[k] == store::Outcome::kRefused) continue;
    if (!WantsReceipt(ops[k], config_.self_node, config_.self_unit)) continue;
    // One receipt per (op, node): the id is fixed, so a resent op finds its receipt.
    FULEI_ASSIGN_OR_RETURN(std::optional<crdt::RecordState> held,
                           store_.Get(ReceiptKey(ops[k], config_.self_node)));
    if (held) continue;
    // A body that arrives where an erased copy is held stays out (store.h): none is held.
    if (result.outcomes[k] == store::Outcome::kDuplicate) {
      FULEI_ASSIGN_OR_RETURN(std::optional<std::string> copy,
                             store_.GetOp(ops[k].key.scope, ops[k].origin, ops[k].seq));
      if (!copy) continue;
      FULEI_ASSIGN_OR_RETURN(crdt::Op kept, crdt::DecodeOp(*copy));
      if (kept.erased) continue;
    }
    changes.push_back(ReceiptChange(ops[k], config_.self_node, config_.self_unit, now_ms));
  }
  if (changes.empty()) return Status::Ok();
  // Towards the op's origin: down to the scope's node when the scope lies below this node
  // (whichever peer brought the op), else up (an op of this node's own scope came from above).
  const std::string& scope = ops.front().key.scope;
  std::vector<std::string> outboxes;
  if (HeldBelow(config_.self_unit, scope)) {  // a child holds it (not this node's office)
    std::string down = DownOutbox(scope);
    if (!down.empty()) outboxes.push_back(std::move(down));
  } else {
    outboxes = config_.receipt_outboxes;
  }
  FULEI_ASSIGN_OR_RETURN(std::vector<crdt::Op> written,
                         config_.receipts->Write(changes, now_ms, outboxes));
  stats_.receipts_written += written.size();
  changed_.insert(scope);
  urgent_arrived_ = true;  // the node's other sessions pass the receipt on
  return Status::Ok();
}

Status Session::OnOps(const OpsBatch& m, uint64_t now_ms) {
  if (!hello_received_) return Reject("ops before hello");
  // now_ms is the owner's reference time, not its HLC: the stamps this batch lets in raise the
  // HLC, so a bound measured from it would move with every batch.
  const uint64_t latest_stamp_ms = crdt::SaturatingAdd(now_ms, config_.max_future_ms);
  if (!Shared(m.scope)) {
    return Reject("peer at '" + peer_.unit + "' sent ops of scope '" + m.scope +
                  "', which it may not hold");
  }
  stats_.batches_received++;
  stats_.ops_received += m.ops.size();
  std::vector<crdt::Op> ops;
  ops.reserve(m.ops.size());
  for (const std::string& bytes : m.ops) {
    auto op = crdt::DecodeOp(bytes);
    if (!op.ok()) return Reject("op in batch: " + op.status().ToString());
    if (op->key.scope != m.scope) return Reject("op of scope '" + op->key.scope + "' in batch");
    if (op->stamp.ms > latest_stamp_ms) {
      return Reject("op stamped " + op->stamp.ToString() + " is too far in the future (now " +
                    std::to_string(now_ms) + ")");
    }
    ops.push_back(std::move(*op));
  }
  // The chains the batch carries are checked here but kept (CertDirectory::Add: the latest
  // expiry per node) only once the batch is accepted, below: a batch refused leaves nothing
  // behind. Each is checked as of the newest op of its own node in the batch (now when there is
  // none): an origin whose certificate has since expired still vouches for what it wrote while
  // it was valid. A revoked certificate vouches for nothing.
  std::map<crdt::NodeId, uint64_t> newest;
  for (const crdt::Op& op : ops) {
    uint64_t& n = newest[op.origin];
    n = std::max(n, op.stamp.ms);
  }
  struct Carried {
    std::string_view chain;
    uint64_t checked_at = 0;
    uint64_t expiry = 0;
  };
  std::map<crdt::NodeId, Carried> carried;  // the latest expiry per node
  // A relayed chain this node knows to be revoked is not an error of the peer, which may not
  // have the list yet: the origin's ops are skipped below (never applied), and the session goes
  // on, so the list itself can still reach the peer. A revoked peer's own chain closes it.
  std::set<crdt::NodeId> revoked;
  for (const std::string& chain : m.certs) {
    auto decoded = crypto::DecodeChain(chain);
    if (!decoded.ok()) return Reject("certificate in batch: " + decoded.status().ToString());
    if (decoded->empty()) return Reject("certificate in batch: empty chain");
    auto n = newest.find(decoded->front().node_id);
    const uint64_t at = n == newest.end() ? now_ms : n->second;
    auto checked = certs_.Check(chain, trust_, at);
    if (!checked.ok()) {
      if (checked.status().code() == StatusCode::kPermissionDenied &&
          decoded->front().node_id != peer_.node && trust_.RevokesCertificate(decoded->front())) {
        revoked.insert(decoded->front().node_id);
        continue;
      }
      return Reject("certificate in batch: " + checked.status().ToString());
    }
    FULEI_ASSIGN_OR_RETURN(uint64_t expiry, CertDirectory::Expiry(chain));
    Carried& c = carried[checked->node_id];
    if (c.chain.empty() || expiry > c.expiry) c = Carried{chain, at, expiry};
  }
  std::vector<crypto::SignedHead> heads;
  for (const std::string& bytes : m.heads) {
    auto h = crypto::DecodeSignedHead(bytes);
    if (!h.ok()) return Reject("chain head: " + h.status().ToString());
    if (h->scope != m.scope) return Reject("chain head of another scope");
    heads.push_back(std::move(*h));
  }
  // Verify each maximal contiguous run of one origin against the signed head at its end.
  std::vector<store::ChainHead> keep;
  std::vector<bool> skip(ops.size(), false);  // ops of a revoked origin
  size_t equivocated = 0;      // of those, ops of relayed runs refused as an equivocation
  bool evidence_kept = false;  // an equivocation's evidence was written (to push on)
  for (size_t i = 0; i < ops.size();) {
    size_t j = i + 1;
    while (j < ops.size() && ops[j].origin == ops[i].origin && ops[j].seq == ops[j - 1].seq + 1) {
      ++j;
    }
    const crdt::Op& first = ops[i];
    const crdt::Op& last = ops[j - 1];
    auto head = std::find_if(heads.begin(), heads.end(), [&](const crypto::SignedHead& h) {
      return h.origin == last.origin && h.seq == last.seq;
    });
    if (head == heads.end()) {
      return Reject("no signed head for ops up to " + std::to_string(last.seq) + " of origin " +
                    std::to_string(last.origin));
    }
    // The chain that vouches for the run (the held one or the batch's, whichever expires later)
    // must be valid at every stamp of it: ops stamped before its not_before or after its
    // not_after are refused. Stamps of a run need not grow (a broken origin), so both extremes.
    uint64_t run_first_ms = UINT64_MAX, run_last_ms = 0;
    for (size_t k = i; k < j; ++k) {
      run_first_ms = std::min(run_first_ms, ops[k].stamp.ms);
      run_last_ms = std::max(run_last_ms, ops[k].stamp.ms);
    }
    auto with = carried.find(first.origin);
    auto cert = certs_.LeafFor(first.origin, trust_, run_first_ms, run_last_ms,
                               with == carried.end() ? std::string_view() : with->second.chain);
    // A relayed op of a revoked origin is skipped; a revoked peer's own ops close the session.
    if (first.origin != peer_.node &&
        (revoked.count(first.origin) || trust_.IsRevoked(first.origin) ||
         (!cert.ok() && cert.status().code() == StatusCode::kPermissionDenied))) {
      std::fill(skip.begin() + static_cast<ptrdiff_t>(i), skip.begin() + static_cast<ptrdiff_t>(j),
                true);
      i = j;
      continue;
    }
    if (!cert.ok() && cert.status().code() == StatusCode::kOutOfRange) {
      return Reject("ops of origin " + std::to_string(first.origin) + " stamped from " +
                    std::to_string(run_first_ms) + " to " + std::to_string(run_last_ms) +
                    " lie outside the validity of its certificate: " + cert.status().ToString());
    }
    if (!cert.ok()) return Reject("origin certificate: " + cert.status().ToString());
    if (!MayWrite(cert->org_unit, m.scope)) {
      return Reject("origin at '" + cert->org_unit + "' may not write scope '" + m.scope + "'");
    }
    // The run on its own: linked, each body matching its hash, ending at a head the origin
    // signed, which so vouches for the first op's prev_hash (zero at the log's start).
    const std::span<const crdt::Op> run(&ops[i], j - i);
    const std::string& head_bytes = m.heads[static_cast<size_t>(head - heads.begin())];
    Status verified = crypto::VerifyChain(
        *cert, first.seq - 1, first.seq == 1 ? crdt::Hash{} : first.prev_hash, run, *head);
    if (!verified.ok()) return Reject("chain of origin: " + verified.ToString());
    // An erased op carries an erasure its origin or the city signed: a body stripped on the
    // way is refused (docs/crypto.md#erasure-authorisation).
    for (const crdt::Op& op : run) {
      if (!op.erased) continue;
      Status erasure = crypto::VerifyErasure(op, *cert, trust_);
      if (!erasure.ok()) return Reject("erasure: " + erasure.ToString());
    }
    // Then against what this node holds of the chain: the op before the run, the run's ops it
    // holds, the op after it (a fork whose later half came first). Two chains the origin signed
    // that disagree: the evidence is kept for the city (sync/equivocation.h) and the run is
    // refused — the session closes when the peer is the origin; a relayed run is skipped like
    // a revoked origin's (the relay is not at fault), so the rest of the batch goes on.
    FULEI_ASSIGN_OR_RETURN(std::optional<Equivocation> forked,
                           FindEquivocation(store_, run, head_bytes));
    if (forked) {
      stats_.equivocations++;
      forked->node = config_.self_node;
      forked->unit = config_.self_unit;
      forked->peer = peer_.node;
      forked->detected_ms = now_ms;
      if (config_.receipts != nullptr) {
        FULEI_ASSIGN_OR_RETURN(bool written,
                               KeepEvidence(store_, *config_.receipts, *forked, now_ms));
        if (written) {
          evidence_kept = true;
          changed_.insert(config_.self_unit);
          if (!urgent_only() && Shared(config_.self_unit)) dirty_.insert(config_.self_unit);
        }
      }
      if (first.origin == peer_.node) {
        return Reject("equivocation: " + DescribeEquivocation(*forked));
      }
      std::fill(skip.begin() + static_cast<ptrdiff_t>(i), skip.begin() + static_cast<ptrdiff_t>(j),
                true);
      equivocated += j - i;
      i = j;
      continue;
    }
    keep.push_back(store::ChainHead{m.scope, last.origin, last.seq, head_bytes});
    i = j;
  }

  std::vector<crdt::Op> dropped;  // of revoked origins, skipped
  std::vector<std::string> kept_bytes;
  const std::vector<std::string>* bytes = &m.ops;
  if (std::find(skip.begin(), skip.end(), true) != skip.end()) {
    std::vector<crdt::Op> kept;
    for (size_t k = 0; k < ops.size(); ++k) {
      if (skip[k]) {
        dropped.push_back(std::move(ops[k]));
      } else {
        kept.push_back(std::move(ops[k]));
        kept_bytes.push_back(m.ops[k]);
      }
    }
    ops = std::move(kept);
    bytes = &kept_bytes;
    stats_.ops_skipped_revoked += dropped.size() - equivocated;
  }

  store::ApplyOptions options;
  options.outbox_peers = config_.relay_outboxes;
  if (config_.relay_down && HeldBelow(config_.self_unit, m.scope)) {
    std::string down = DownOutbox(m.scope);
    if (!down.empty()) options.outbox_peers.push_back(std::move(down));
  }
  options.heads = std::move(keep);
  if (config_.clock != nullptr) {
    // Stamps were bounded above against the same now_ms, so Update fails only when the clock's
    // own max_future_ms is smaller: that stamp is not adopted (the clock stays monotonic).
    for (const crdt::Op& op : ops) (void)config_.clock->Update(op.stamp, now_ms);
    options.hlc_high_water = config_.clock->high_water();
  }
  // The bytes each op was decoded from: the store keeps them as they are.
  store::ApplyResult result;
  if (!ops.empty()) {
    FULEI_ASSIGN_OR_RETURN(result, store_.ApplyDecoded(ops, *bytes, options));
  }
  // The batch is accepted: the chains it carried are kept now, durably before it is
  // acknowledged (a crash in between makes the sender resend them with the batch).
  for (const auto& [node, c] : carried) {
    FULEI_RETURN_IF_ERROR(certs_.Add(c.chain, trust_, c.checked_at).status());
  }
  NoteScope(m.scope);  // the list is re-read lazily, so this covers the receipts below too
  stats_.ops_applied += result.applied;
  if (result.applied + result.released > 0) changed_.insert(m.scope);
  for (size_t k = 0; k < ops.size(); ++k) {
    if (ops[k].urgent() && (result.outcomes[k] == store::Outcome::kApplied ||
                            result.outcomes[k] == store::Outcome::kPending)) {
      urgent_arrived_ = true;
    }
  }

  // Receipts are durable before the ops are acknowledged: a crash in between makes the sender
  // resend, and the resent op finds no receipt and gets one.
  const uint64_t receipts_before = stats_.receipts_written;
  if (!ops.empty()) FULEI_RETURN_IF_ERROR(WriteReceipts(ops, result, now_ms));

  if (m.urgent) {
    UrgentAck ack{m.batch, {}, m.scope, {}};
    for (size_t k = 0; k < ops.size(); ++k) {
      if (result.outcomes[k] != store::Outcome::kRefused) {
        ack.ops.push_back(VvEntry{ops[k].origin, ops[k].seq});
      }
    }
    for (const crdt::Op& op : dropped) ack.revoked.push_back(VvEntry{op.origin, op.seq});
    Send(Priority::kUrgent, "", ack);
  } else {
    FULEI_ASSIGN_OR_RETURN(store::VersionVector vv, store_.GetVersionVector(m.scope));
    Ack ack{m.batch, m.scope, {}};
    std::set<crdt::NodeId> origins;
    for (const crdt::Op& op : ops) origins.insert(op.origin);
    for (crdt::NodeId o : origins) ack.held.push_back(VvEntry{o, vv.count(o) ? vv[o] : 0});
    // An empty batch (of any scope the peer names) leaves nothing behind: no stream, no vector.
    Send(Priority::kControl, ops.empty() ? std::string_view() : std::string_view(m.scope), ack);
    // What the peer sent us, it holds: no need to send it back.
    if (!ops.empty()) {
      store::VersionVector& pv = peer_vv_[m.scope];
      store::VersionVector& sent = sent_vv_[m.scope];
      for (const crdt::Op& op : ops) {
        pv[op.origin] = std::max(pv[op.origin], op.seq);
        sent[op.origin] = std::max(sent[op.origin], op.seq);
      }
    }
  }
  if (stats_.receipts_written != receipts_before) {
    // The receipt goes back to the sender at once (urgent lane) and by ordinary sync.
    FULEI_RETURN_IF_ERROR(SendUrgent());
    if (!urgent_only()) {
      dirty_.insert(m.scope);
      FULEI_RETURN_IF_ERROR(Pump());
    }
  }
  // Evidence of an equivocation goes up by ordinary sync (its scope was marked dirty).
  if (evidence_kept && !urgent_only()) FULEI_RETURN_IF_ERROR(Pump());
  return Status::Ok();
}

void Session::CertsDelivered(uint64_t batch) {
  auto it = cert_batches_.find(batch);
  if (it == cert_batches_.end()) return;
  certs_sent_.insert(it->second.begin(), it->second.end());
  cert_batches_.erase(it);
}

Status Session::OnAck(const Ack& m) {
  auto it = inflight_.find(m.batch);
  if (it == inflight_.end() || it->second != m.scope) {
    return Reject("ack for unknown batch " + std::to_string(m.batch));
  }
  inflight_.erase(it);
  CertsDelivered(m.batch);
  // Only origins this session sent ops of in the scope; the peer may name any.
  const store::VersionVector& sent = sent_vv_[m.scope];
  store::VersionVector& pv = peer_vv_[m.scope];
  for (const VvEntry& e : m.held) {
    if (sent.count(e.origin) != 0) pv[e.origin] = std::max(pv[e.origin], e.seq);
  }
  return Pump();
}

Status Session::OnUrgentAck(const UrgentAck& m) {
  auto it = urgent_inflight_.find(m.batch);
  if (it == urgent_inflight_.end()) {
    return Reject("urgent ack for unknown batch " + std::to_string(m.batch));
  }
  CertsDelivered(m.batch);
  std::set<std::pair<crdt::NodeId, uint64_t>> held, revoked;
  for (const VvEntry& e : m.ops) held.emplace(e.origin, e.seq);
  for (const VvEntry& e : m.revoked) revoked.emplace(e.origin, e.seq);
  for (const UrgentSent& u : it->second) {
    if (held.count({u.origin, u.seq})) {
      FULEI_RETURN_IF_ERROR(store_.AckOutbox(u.outbox, u.id));
      stats_.urgent_acked++;
    } else if (revoked.count({u.origin, u.seq})) {
      // The peer knows its origin is revoked: it will never take it (the list reaches this
      // node by sync; meanwhile the op stays held here, as every op of a revoked origin does).
      FULEI_RETURN_IF_ERROR(store_.AckOutbox(u.outbox, u.id));
      stats_.urgent_dropped_revoked++;
    } else {
      urgent_sent_.erase({u.outbox, u.id});  // refused upstream (disk full): try again later
    }
  }
  urgent_inflight_.erase(it);
  return Status::Ok();
}

Status Session::OnLocalChange(std::string_view scope) {
  NoteScope(scope);
  if (!Shared(scope) || urgent_only()) return Status::Ok();
  dirty_.insert(std::string(scope));
  return Pump();
}

Status Session::OnUrgent() {
  // Before the peer's Hello the version is unknown; OnHello sends the outbox.
  if (!hello_received_) return Status::Ok();
  return SendUrgent();
}

size_t Session::tracked_bytes() const {
  // A map or set node with its key and value and the allocator's overhead, about; a scope
  // name longer than the small-string buffer adds its heap block.
  constexpr size_t kNode = 64;
  auto heap = [](const std::string& s) { return s.size() > 15 ? s.capacity() + 1 : 0; };
  size_t total = 0;
  for (const auto* vvs : {&digest_vv_, &peer_vv_, &sent_vv_}) {
    for (const auto& [scope, vv] : *vvs) total += kNode + heap(scope) + vv.size() * kNode;
  }
  for (const auto* scopes : {&dirty_, &vectors_due_}) {
    for (const std::string& scope : *scopes) total += kNode + heap(scope);
  }
  for (const auto& [scope, id] : streams_) total += kNode + heap(scope);
  for (const auto& [batch, scope] : inflight_) total += kNode + heap(scope);
  for (const auto& [batch, sent] : urgent_inflight_) {
    total += kNode;
    for (const UrgentSent& u : sent) total += sizeof(UrgentSent) + heap(u.outbox);
  }
  for (const auto& [outbox, id] : urgent_sent_) total += kNode + sizeof(id) + heap(outbox);
  total += certs_sent_.size() * kNode;
  for (const auto& [batch, origins] : cert_batches_) total += kNode + origins.size() * kNode;
  if (down_scopes_) {
    for (const std::string& scope : *down_scopes_) total += sizeof(std::string) + heap(scope);
  }
  for (const std::string& scope : changed_) total += kNode + heap(scope);
  return total;
}

}  // namespace fulei::sync
