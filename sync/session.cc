#include "sync/session.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "crdt/codec.h"
#include "crdt/org_unit.h"
#include "crypto/certificate.h"
#include "crypto/op_chain.h"
#include "crypto/signing.h"
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

void Session::Send(Priority priority, std::string_view scope, const Message& message) {
  Outgoing o;
  o.priority = priority;
  o.stream = scope.empty() ? 0 : StreamOf(scope);
  o.bytes = EncodeMessage(message);
  stats_.messages_sent++;
  stats_.bytes_sent += o.bytes.size();
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

Status Session::Start(uint64_t now_ms) {
  // Hello, urgent batches and urgent acks share one lane (class urgent, stream 0): the
  // transport never reorders a lane, so Hello always arrives first even though the urgent
  // outbox overtakes everything else.
  const uint64_t wall = config_.clock != nullptr ? config_.clock->high_water().ms : 0;
  Send(Priority::kUrgent, "",
       Hello{kProtocolVersion, config_.self_node, config_.self_unit, std::max(now_ms, wall)});
  // Urgent first: before any vector exchange, right after (re)connecting.
  FULEI_RETURN_IF_ERROR(SendUrgent());
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
  FULEI_ASSIGN_OR_RETURN(Message message, DecodeMessage(bytes));
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
  if (m.version != kProtocolVersion) {
    return Reject("peer speaks protocol version " + std::to_string(m.version) + ", we speak " +
                  std::to_string(kProtocolVersion));
  }
  if (m.node != peer_.node || m.unit != peer_.unit) {
    return Reject("hello names node " + std::to_string(m.node) + " at '" + m.unit +
                  "', but the certificate is for '" + peer_.unit + "'");
  }
  hello_received_ = true;
  if (config_.adopt_peer_clock && config_.clock != nullptr) {
    config_.clock->Restore(crdt::Stamp{m.wall_ms, 0});  // raises, never lowers
  }
  return Status::Ok();
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
  const DigestHash empty = HashVector({});
  for (const std::string& scope : scopes) {
    auto t = theirs.find(scope);
    const DigestHash their_hash = t == theirs.end() ? empty : t->second;
    const store::VersionVector& mine = digest_vv_[scope];
    if (HashVector(mine) == their_hash) {
      peer_vv_[scope] = mine;
      sent_vv_[scope] = mine;
      continue;
    }
    reply.scopes.push_back(ScopeVector{scope, ToEntries(mine)});
  }
  if (!reply.scopes.empty()) {
    stats_.vectors_sent += reply.scopes.size();
    Send(Priority::kControl, "", reply);
  }
  // Ops written locally between our digest and now are pushed by OnLocalChange.
  return Pump();
}

Status Session::OnVectors(const Vectors& m) {
  if (!digest_received_) return Reject("vectors before digest");
  if (urgent_only()) return Status::Ok();  // a peer that missed our announcement: nothing to do
  for (const ScopeVector& v : m.scopes) {
    if (!Shared(v.scope)) continue;
    store::VersionVector vv;
    for (const VvEntry& e : v.entries) vv[e.origin] = std::max(vv[e.origin], e.seq);
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
  // it is held; otherwise cut it back to the last signed head inside [first, last].
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
  for (std::string& op : ops) batch->ops.push_back(std::move(op));
  batch->heads.push_back(head->head);
  // The certificate travels with every batch of the origin until one such batch is
  // acknowledged: the transport may deliver a later batch first (normal overtakes bulk, urgent
  // overtakes both), and the receiver must be able to verify whichever arrives first.
  if (!certs_sent_.count(origin) && cert_batches_[batch->batch].insert(origin).second) {
    FULEI_ASSIGN_OR_RETURN(std::optional<std::string> chain, certs_.Get(origin));
    if (!chain) return NotFound("no certificate for origin " + std::to_string(origin));
    batch->certs.push_back(std::move(*chain));
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
    changes.push_back(ReceiptChange(ops[k], config_.self_node, config_.self_unit, now_ms));
  }
  if (changes.empty()) return Status::Ok();
  // Towards the op's origin: down to the scope's node when the scope lies below this node
  // (whichever peer brought the op), else up (an op of this node's own scope came from above).
  const std::string& scope = ops.front().key.scope;
  std::vector<std::string> outboxes;
  if (crdt::IsBelow(scope, config_.self_unit)) {
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
  // Time as this node knows it: its wall clock, but never before what its HLC has seen.
  if (config_.clock != nullptr) now_ms = std::max(now_ms, config_.clock->high_water().ms);
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
    if (op->stamp.ms > now_ms + config_.max_future_ms) {
      return Reject("op stamped " + op->stamp.ToString() + " is too far in the future");
    }
    ops.push_back(std::move(*op));
  }
  // Certificates are checked as of the newest op they may vouch for: an origin whose
  // certificate has since expired still vouches for what it wrote while it was valid. A
  // revoked certificate vouches for nothing.
  uint64_t newest = 0;
  for (const crdt::Op& op : ops) newest = std::max(newest, op.stamp.ms);
  // A relayed chain this node knows to be revoked is not an error of the peer, which may not
  // have the list yet: the origin's ops are skipped below (never applied), and the session goes
  // on, so the list itself can still reach the peer. A revoked peer's own chain closes it.
  std::set<crdt::NodeId> revoked;
  for (const std::string& chain : m.certs) {
    auto added = certs_.Add(chain, trust_, ops.empty() ? now_ms : newest);
    if (added.ok()) continue;
    auto decoded = crypto::DecodeChain(chain);
    if (added.status().code() == StatusCode::kPermissionDenied && decoded.ok() &&
        !decoded->empty() && decoded->front().node_id != peer_.node &&
        trust_.RevokesCertificate(decoded->front())) {
      revoked.insert(decoded->front().node_id);
      continue;
    }
    return Reject("certificate in batch: " + added.status().ToString());
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
    auto cert = certs_.Leaf(first.origin, trust_, last.stamp.ms);
    // A relayed op of a revoked origin is skipped; a revoked peer's own ops close the session.
    if (first.origin != peer_.node &&
        (revoked.count(first.origin) || trust_.IsRevoked(first.origin) ||
         (!cert.ok() && cert.status().code() == StatusCode::kPermissionDenied))) {
      std::fill(skip.begin() + static_cast<ptrdiff_t>(i), skip.begin() + static_cast<ptrdiff_t>(j),
                true);
      i = j;
      continue;
    }
    if (!cert.ok()) return Reject("origin certificate: " + cert.status().ToString());
    if (!MayWrite(cert->org_unit, m.scope)) {
      return Reject("origin at '" + cert->org_unit + "' may not write scope '" + m.scope + "'");
    }
    // Link to the op before the run when we hold it; otherwise the signed chain vouches for
    // ops[i].prev_hash and the link is checked when that op arrives.
    crdt::Hash prev = first.prev_hash;
    if (first.seq > 1) {
      FULEI_ASSIGN_OR_RETURN(std::optional<std::string> held,
                             store_.GetOp(m.scope, first.origin, first.seq - 1));
      if (held) {
        FULEI_ASSIGN_OR_RETURN(crdt::Op before, crdt::DecodeOp(*held));
        prev = crypto::OpHeaderHash(before);
      }
    }
    Status verified = crypto::VerifyChain(*cert, first.seq - 1, prev,
                                          std::span<const crdt::Op>(&ops[i], j - i), *head);
    if (!verified.ok()) return Reject("chain of origin: " + verified.ToString());
    keep.push_back(store::ChainHead{m.scope, last.origin, last.seq,
                                    m.heads[static_cast<size_t>(head - heads.begin())]});
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
    stats_.ops_skipped_revoked += dropped.size();
  }

  store::ApplyOptions options;
  options.outbox_peers = config_.relay_outboxes;
  if (config_.relay_down && crdt::IsBelow(m.scope, config_.self_unit)) {
    std::string down = DownOutbox(m.scope);
    if (!down.empty()) options.outbox_peers.push_back(std::move(down));
  }
  options.heads = std::move(keep);
  if (config_.clock != nullptr) {
    // Stamps were bounded above, so Update only fails for a stamp the bound let through
    // against a clock that is itself behind: skip it (the clock stays monotonic either way).
    for (const crdt::Op& op : ops) (void)config_.clock->Update(op.stamp, now_ms);
    options.hlc_high_water = config_.clock->high_water();
  }
  // The bytes each op was decoded from: the store keeps them as they are.
  store::ApplyResult result;
  if (!ops.empty()) {
    FULEI_ASSIGN_OR_RETURN(result, store_.ApplyDecoded(ops, *bytes, options));
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
    Send(Priority::kControl, m.scope, ack);
    // What the peer sent us, it holds: no need to send it back.
    store::VersionVector& pv = peer_vv_[m.scope];
    store::VersionVector& sent = sent_vv_[m.scope];
    for (const crdt::Op& op : ops) {
      pv[op.origin] = std::max(pv[op.origin], op.seq);
      sent[op.origin] = std::max(sent[op.origin], op.seq);
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
  store::VersionVector& pv = peer_vv_[m.scope];
  for (const VvEntry& e : m.held) pv[e.origin] = std::max(pv[e.origin], e.seq);
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

Status Session::OnUrgent() { return SendUrgent(); }

}  // namespace fulei::sync
