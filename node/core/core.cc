#include "node/core/core.h"

#include <algorithm>
#include <limits>
#include <tuple>
#include <utility>

#include "crdt/org_unit.h"
#include "programme/aggregate_store.h"
#include "programme/audit.h"
#include "programme/escalation.h"
#include "programme/records.h"
#include "programme/scope.h"
#include "programme/users.h"
#include "programme/write_policy.h"
#include "sync/receipts.h"
#include "sync/revocations.h"

namespace fulei::node {
namespace {

void AddStats(NodeStats& total, const sync::SessionStats& s) {
  total.ops_sent += s.ops_sent;
  total.ops_received += s.ops_received;
  total.ops_applied += s.ops_applied;
  total.bytes_sent += s.bytes_sent;
  total.bytes_received += s.bytes_received;
  total.messages_sent += s.messages_sent;
  total.messages_received += s.messages_received;
  total.batches_sent += s.batches_sent;
  total.batches_received += s.batches_received;
  total.urgent_sent += s.urgent_sent;
  total.urgent_acked += s.urgent_acked;
  total.urgent_dropped_revoked += s.urgent_dropped_revoked;
  total.receipts_written += s.receipts_written;
}

}  // namespace

NodeCore::NodeCore(CoreConfig config, crypto::NodeIdentity identity, crypto::CertChain chain,
                   const crypto::SigningPublicKey& root, crypto::Random& random)
    : config_(std::move(config)),
      identity_(std::move(identity)),
      chain_(std::move(chain)),
      trust_(root),
      random_(random) {
  for (size_t k = 0; k < config_.upstream_units.size(); ++k) {
    const std::string& unit = config_.upstream_units[k];
    upstreams_.push_back(Upstream{unit.empty() ? std::string(crdt::ParentUnit(config_.unit)) : unit,
                                  Upstream::State::kWaiting,
                                  sync::Backoff(config_.backoff, config_.backoff_seed + k)});
  }
}

NodeCore::~NodeCore() = default;

Result<std::unique_ptr<NodeCore>> NodeCore::Open(CoreConfig config, crypto::NodeIdentity identity,
                                                 crypto::CertChain chain,
                                                 const crypto::SigningPublicKey& root,
                                                 crypto::Random& random, uint64_t now_ms) {
  std::unique_ptr<NodeCore> core(
      new NodeCore(std::move(config), std::move(identity), std::move(chain), root, random));
  FULEI_RETURN_IF_ERROR(core->Open(now_ms));
  // Entries appended while the node was not running (the CLI's backups and exports).
  if (auto shipped = core->ShipAudit(now_ms, std::numeric_limits<size_t>::max()); !shipped.ok()) {
    core->Log("audit: " + shipped.status().ToString());
  }
  for (size_t k = 0; k < core->upstreams_.size(); ++k) core->Dial(k);
  if (core->Escalates()) core->SetTimer(kEscalationTimer, now_ms);
  return core;
}

Status NodeCore::Open(uint64_t now_ms) {
  if (config_.sealer == nullptr && !config_.unsealed_for_tests) {
    return FailedPrecondition("node " + config_.unit +
                              ": no sealer configured; refusing to store values unsealed "
                              "(CoreConfig::sealer)");
  }
  if (chain_.empty()) return InvalidArgument("empty certificate chain");
  const crypto::Certificate& leaf = chain_.front();
  if (leaf.node_id != identity_.node_id() || leaf.dh_key != identity_.dh_key().public_key) {
    return InvalidArgument("certificate is not for this node's identity");
  }
  if (leaf.org_unit != config_.unit) {
    return InvalidArgument("certificate is for unit " + leaf.org_unit + ", not " + config_.unit);
  }
  store::StoreOptions options;
  options.sealer = config_.sealer;
  options.node_id = identity_.node_id();
  options.initial_map_bytes = config_.initial_map_bytes;
  options.reserve_bytes = config_.reserve_bytes;
  // A town and the city keep the dashboard counters of their subtree (docs/programme.md,
  // "Aggregation"); a village's dashboard is its own records, read directly.
  if (leaf.role == crypto::Role::kTown || leaf.role == crypto::Role::kCity) {
    aggregates_ = std::make_unique<programme::AggregateIndexer>();
    options.indexers.push_back(aggregates_.get());
  }
  FULEI_ASSIGN_OR_RETURN(store_, store::Store::Open(config_.data_dir, options));
  certs_ = std::make_unique<sync::CertDirectory>(*store_);
  clock_ = std::make_unique<crdt::HybridClock>(config_.max_future_ms);
  FULEI_ASSIGN_OR_RETURN(crdt::Stamp high, store_->HlcHighWater());
  clock_->Restore(high);
  // The clock's floors (header, "Time"): a wall clock before the configured floor or this
  // node's certificate is not set; an unset one starts from what the node had reached.
  uint64_t valid_from = 0, valid_until = UINT64_MAX;
  for (const crypto::Certificate& c : chain_) {
    valid_from = std::max(valid_from, c.not_before_ms);
    valid_until = std::min(valid_until, c.not_after_ms);
  }
  set_floor_ms_ = std::max(config_.clock_floor_ms, valid_from);
  start_floor_ms_ = crdt::SaturatingSub(high.ms, config_.max_future_ms);
  clock_confirmed_ = upstreams_.empty();  // the city's clock is the network's reference
  if (!clock_confirmed_) clock_->set_wall_limit(std::max(set_floor_ms_, high.ms));
  auto registered = certs_->Add(crypto::EncodeChain(chain_), trust_, Now(now_ms));
  if (!registered.ok() && registered.status().code() == StatusCode::kOutOfRange &&
      valid_from <= valid_until) {
    // Only the time is wrong: the clock, or an expired certificate. The node still starts (it
    // takes local writes; its peers judge its certificate by their clocks) and says why it
    // will refuse its peers' certificates meanwhile.
    Log("clock: " + std::to_string(Now(now_ms)) + " lies outside this node's certificate (valid " +
        std::to_string(valid_from) + " to " + std::to_string(valid_until) +
        "): set the clock, or renew the certificate");
    registered = certs_->Add(crypto::EncodeChain(chain_), trust_, valid_from);
  }
  FULEI_RETURN_IF_ERROR(registered.status());
  writer_ = std::make_unique<sync::LocalWriter>(*store_, identity_.signing_key(), *clock_);
  return InstallRevocations();  // the list the store already holds
}

uint64_t NodeCore::Now(uint64_t now_ms) const {
  uint64_t t = now_ms;
  if (offset_ms_ >= 0) {
    t = crdt::SaturatingAdd(now_ms, static_cast<uint64_t>(offset_ms_));
  } else {
    t = crdt::SaturatingSub(now_ms, static_cast<uint64_t>(-(offset_ms_ + 1)) + 1);
  }
  // An unset wall clock (a Pi without RTC in 1970) is never taken to be before what the node had
  // reached at start; a set one never before its floor.
  const uint64_t floor =
      now_ms < set_floor_ms_ ? std::max(set_floor_ms_, start_floor_ms_) : set_floor_ms_;
  return std::max(t, floor);
}

Result<programme::Dashboard> NodeCore::ReadDashboard(std::string_view unit,
                                                     const programme::Date& today,
                                                     int64_t now_unix) {
  if (aggregates_ == nullptr) {
    return FailedPrecondition("村级节点不保存看板计数 / node " + config_.unit +
                              " keeps no dashboard counters (a village)");
  }
  programme::StoreCounterReader reader(*store_);
  return programme::ReadDashboard(reader, unit, today, now_unix);
}

uint64_t NodeCore::HelloClock(uint64_t now_ms) const { return clock_confirmed_ ? Now(now_ms) : 0; }

void NodeCore::OnUpstreamClock(const Conn& conn, uint64_t upstream_ms, uint64_t now_ms) {
  // A clock at which this node's certificate or the upstream's is invalid is no time this
  // channel could exist at: not adopted.
  uint64_t valid_from = conn.peer.not_before_ms, valid_until = conn.peer.not_after_ms;
  for (const crypto::Certificate& c : chain_) {
    valid_from = std::max(valid_from, c.not_before_ms);
    valid_until = std::min(valid_until, c.not_after_ms);
  }
  const std::string who = "upstream " + conn.peer.org_unit + " announces " +
                          std::to_string(upstream_ms) + ", ours is " + std::to_string(Now(now_ms));
  if (upstream_ms < valid_from || upstream_ms > valid_until) {
    return Log("clock: " + who + ": outside the validity of its certificate or ours, ignored");
  }
  const uint64_t mine = Now(now_ms);
  uint64_t target = mine;
  if (crdt::SaturatingAdd(upstream_ms, config_.clock_tolerance_ms) < mine) {
    target = upstream_ms;  // ahead of the upstream: follow it back (never below the floor)
  } else if (upstream_ms > crdt::SaturatingAdd(mine, config_.clock_tolerance_ms)) {
    // Behind it: a set clock moves forward by at most max_future_ms; an unset one (a Pi in 1970)
    // has nothing better than its upstream's.
    target = now_ms < set_floor_ms_
                 ? upstream_ms
                 : std::max(mine, std::min(upstream_ms,
                                           crdt::SaturatingAdd(now_ms, config_.max_future_ms)));
  }
  if (target != mine) {
    const int64_t limit = std::numeric_limits<int64_t>::max();
    offset_ms_ = target >= now_ms
                     ? static_cast<int64_t>(std::min<uint64_t>(target - now_ms, limit))
                     : -static_cast<int64_t>(std::min<uint64_t>(now_ms - target, limit));
    Log("clock: " + who + ": following it (offset " + std::to_string(offset_ms_) + " ms, now " +
        std::to_string(Now(now_ms)) + ")");
  }
  if (!clock_confirmed_) {
    clock_confirmed_ = true;
    clock_->set_wall_limit(std::nullopt);
  }
}

void NodeCore::Log(const std::string& line) const {
  if (config_.log) config_.log("node " + config_.unit + ": " + line);
}

// ------------------------------------------------------------------ connections

Result<crypto::Channel> NodeCore::MakeChannel(int upstream, uint64_t now_ms) {
  crypto::ChannelConfig cc;
  cc.static_key = identity_.dh_key().Clone();
  cc.certificates = chain_;
  cc.trust = &trust_;
  cc.now_ms = Now(now_ms);
  if (upstream >= 0) {
    // The upstream: a town or the city whose unit is (or contains) the expected one.
    if (static_cast<size_t>(upstream) >= upstreams_.size()) {
      return InvalidArgument("no upstream " + std::to_string(upstream));
    }
    cc.expect.subtree = upstreams_[static_cast<size_t>(upstream)].unit;
    cc.expect.roles = {crypto::Role::kTown, crypto::Role::kCity};
  } else {
    cc.expect.subtree = config_.unit;  // a node of this node's subtree
    cc.accept_unenrolled_peer = config_.accept_enrolments;
  }
  return crypto::Channel::Create(std::move(cc), /*initiator=*/upstream >= 0, random_);
}

const NodeCore::Conn* NodeCore::UpstreamConn(size_t k) const {
  for (const auto& [id, conn] : conns_) {
    if (!conn.closing && conn.upstream == static_cast<int>(k)) return &conn;
  }
  return nullptr;
}

std::vector<std::string> NodeCore::UpstreamOutboxes() const {
  std::vector<std::string> out;
  for (size_t k = 0; k < upstreams_.size(); ++k) out.push_back(UpstreamOutbox(k));
  return out;
}

void NodeCore::Dial(size_t k) {
  upstreams_[k].state = Upstream::State::kDialing;
  ++closed_.dials;
  Action a;
  a.kind = Action::Kind::kDial;
  a.upstream = k;
  actions_.push_back(std::move(a));
}

void NodeCore::Redial(size_t k, uint64_t now_ms) {
  Upstream& up = upstreams_[k];
  up.state = Upstream::State::kWaiting;
  if (stopped_) return;
  const auto delay = static_cast<uint64_t>(up.backoff.Next().count());
  SetTimer(kRedialTimer + k, crdt::SaturatingAdd(now_ms, delay));
}

void NodeCore::SetTimer(TimerId timer, uint64_t at_ms) {
  Action a;
  a.kind = Action::Kind::kSetTimer;
  a.timer = timer;
  a.at_ms = at_ms;
  actions_.push_back(std::move(a));
}

void NodeCore::OnConnected(ConnId id, int upstream, const crypto::Certificate& peer,
                           uint64_t now_ms) {
  const bool child_side = upstream >= 0;
  auto refuse = [&](Status why) {
    Action a;
    a.kind = Action::Kind::kClose;
    a.conn = id;
    a.reason = std::move(why);
    actions_.push_back(std::move(a));
  };
  if (stopped_) return refuse(Aborted("node stopping"));
  if (conns_.count(id) != 0) return refuse(Internal("connection id reused"));
  if (child_side) {
    const auto k = static_cast<size_t>(upstream);
    if (k >= upstreams_.size() || upstreams_[k].state != Upstream::State::kDialing) {
      return refuse(Aborted("upstream " + std::to_string(upstream) + " was not being dialled"));
    }
    upstreams_[k].state = Upstream::State::kConnected;
    upstreams_[k].backoff.Reset();
  }
  // One session per peer node: a newer connection of a node replaces its older one (a link
  // that died unnoticed, a node that dialled again), so one enrolled node cannot pile up
  // sessions and their state (docs/protocol.md, "Bounds per peer").
  for (auto& [other, older] : conns_) {
    if (older.closing || older.peer.node_id != peer.node_id) continue;
    Fail(other, older, Aborted("replaced by a newer session of the same node"),
         /*sync_error=*/false);
  }
  sync::SessionConfig sc;
  sc.self_node = identity_.node_id();
  sc.self_unit = config_.unit;
  sc.window = config_.sync_window;
  sc.max_batch_ops = config_.sync_max_batch_ops;
  sc.clock = clock_.get();
  sc.receipts = writer_.get();  // receipts of urgent ops travel back towards their origin
  bool urgent_only = false;
  if (child_side) {
    // The child drains this upstream's outbox; urgent ops from above travel on down.
    sc.outbox_peer = UpstreamOutbox(static_cast<size_t>(upstream));
    sc.relay_down = true;
    sc.receipt_outboxes = UpstreamOutboxes();
    // Full sync with the first connected upstream only; the others carry urgent ops.
    for (int k = 0; k < upstream; ++k) {
      if (UpstreamConn(static_cast<size_t>(k)) != nullptr) urgent_only = true;
    }
    sc.urgent_only = urgent_only;
  } else {
    sc.drain_down = true;                    // urgent ops for this child's subtree go down
    sc.relay_outboxes = UpstreamOutboxes();  // urgent ops from below travel on upwards
  }
  Conn& conn = conns_[id];
  conn.peer = peer;
  conn.upstream = upstream;
  conn.urgent_only = urgent_only;
  conn.connected_ms = now_ms;
  conn.sync = std::make_unique<sync::Session>(*store_, trust_, *certs_, std::move(sc),
                                              sync::PeerIdentity{peer.node_id, peer.org_unit});
  ++closed_.sessions_established;
  Status started = conn.sync->Start(HelloClock(now_ms));
  if (!started.ok()) return Fail(id, conn, started);
  if (!Flush(id, conn)) return;
  if (child_side && !urgent_only) RebalanceUpstreams();  // a later upstream drops to urgent-only
}

void NodeCore::OnDialFailed(size_t upstream, const Status& why, uint64_t now_ms) {
  if (upstream >= upstreams_.size() || upstreams_[upstream].state != Upstream::State::kDialing) {
    return;
  }
  ++closed_.dials_failed;
  (void)why;  // the driver logs how the attempt failed
  Redial(upstream, now_ms);
}

void NodeCore::OnMessage(ConnId id, std::string_view bytes, uint64_t now_ms) {
  auto it = conns_.find(id);
  if (it == conns_.end() || it->second.closing) return;
  Conn& conn = it->second;
  Status handled = conn.sync->OnMessage(bytes, Now(now_ms));
  if (!handled.ok()) return Fail(id, conn, handled);
  conn.last_message_ms = now_ms;
  if (conn.sync->idle()) conn.last_synced_ms = now_ms;
  // An upstream's Hello: its clock is considered before the next message (its ops) is checked.
  if (conn.upstream >= 0 && !conn.clock_seen && conn.sync->peer_clock_ms()) {
    conn.clock_seen = true;
    OnUpstreamClock(conn, *conn.sync->peer_clock_ms(), now_ms);
  }
  if (!Flush(id, conn)) return;
  std::vector<std::string> changed = conn.sync->TakeChangedScopes();
  const bool urgent = conn.sync->TakeUrgentArrived();
  if (std::find(changed.begin(), changed.end(), sync::RootScope(config_.unit)) != changed.end()) {
    if (Status st = InstallRevocations(); !st.ok()) Log("revocations: " + st.ToString());
  }
  if (changed.empty() && !urgent) return;
  ++data_version_;
  Notify(changed, urgent, id);
}

void NodeCore::OnClosed(ConnId id, const Status& reason, uint64_t now_ms) {
  auto it = conns_.find(id);
  if (it == conns_.end()) return;
  ++closed_.sessions_closed;
  AddStats(closed_, it->second.sync->stats());
  PeerStatus last = StatusOf(it->second);
  last.connected = false;
  last.closed_ms = now_ms;
  // A connection that never synced keeps the peer's last sync from before.
  auto held = peers_closed_.find(last.node);
  if (last.last_synced_ms == 0 && held != peers_closed_.end()) {
    last.last_synced_ms = held->second.last_synced_ms;
  }
  peers_closed_[last.node] = std::move(last);
  Log("session with " + it->second.peer.org_unit + " ended: " + reason.ToString());
  const int upstream = it->second.upstream;
  const bool was_full_upstream = upstream >= 0 && !it->second.urgent_only;
  conns_.erase(it);
  if (upstream >= 0) Redial(static_cast<size_t>(upstream), now_ms);
  if (was_full_upstream) RebalanceUpstreams();  // the next connected upstream takes full sync
}

void NodeCore::OnTimer(TimerId timer, uint64_t now_ms) {
  if (stopped_) return;
  if (timer == kEscalationTimer) {
    if (!Escalates()) return;
    std::optional<int64_t> next_due;
    auto flagged = Escalate(now_ms, &next_due);
    if (!flagged.ok()) Log("escalation: " + flagged.status().ToString());
    return ScheduleEscalation(now_ms, next_due);
  }
  const size_t k = timer - kRedialTimer;
  if (timer >= kRedialTimer && k < upstreams_.size() &&
      upstreams_[k].state == Upstream::State::kWaiting) {
    Dial(k);
  }
}

void NodeCore::RebalanceUpstreams() {
  if (stopped_) return;
  // The first connected upstream must run full sync, every later one urgent-only.
  bool full_seen = false;
  for (size_t k = 0; k < upstreams_.size(); ++k) {
    for (auto& [id, conn] : conns_) {
      if (conn.closing || conn.upstream != static_cast<int>(k)) continue;
      const bool want_urgent_only = full_seen;
      full_seen = true;
      if (conn.urgent_only == want_urgent_only) break;
      ++closed_.mode_switches;
      Fail(id, conn,
           Aborted(std::string("reconnecting to switch to ") +
                   (want_urgent_only ? "urgent-only" : "full") + " sync"),
           /*sync_error=*/false);
      break;
    }
  }
}

bool NodeCore::Flush(ConnId id, Conn& conn) {
  if (conn.closing) return false;
  for (sync::Outgoing& o : conn.sync->TakeOutgoing()) {
    Action a;
    a.kind = Action::Kind::kSend;
    a.conn = id;
    a.priority = o.priority;
    a.stream = o.stream;
    a.bytes = std::move(o.bytes);
    actions_.push_back(std::move(a));
  }
  return true;
}

void NodeCore::Fail(ConnId id, Conn& conn, const Status& reason, bool sync_error) {
  if (conn.closing) return;
  conn.closing = true;
  if (sync_error) ++closed_.sync_errors;
  Log("closing session with " + conn.peer.org_unit + ": " + reason.ToString());
  Action a;
  a.kind = Action::Kind::kClose;
  a.conn = id;
  a.reason = reason;
  actions_.push_back(std::move(a));
}

void NodeCore::Notify(const std::vector<std::string>& scopes, bool urgent,
                      std::optional<ConnId> except) {
  for (auto& [id, conn] : conns_) {
    if (id == except || conn.closing) continue;
    Status st;
    for (const std::string& scope : scopes) {
      st = conn.sync->OnLocalChange(scope);
      if (!st.ok()) break;
    }
    if (st.ok() && urgent) st = conn.sync->OnUrgent();
    if (!st.ok()) {
      Fail(id, conn, st);
      continue;
    }
    Flush(id, conn);
  }
}

Status NodeCore::InstallRevocations() {
  FULEI_ASSIGN_OR_RETURN(
      sync::RevocationInstall r,
      sync::InstallRevocationsFromStore(*store_, sync::RootScope(config_.unit), trust_));
  for (const std::string& why : r.rejected) Log("revocation list ignored: " + why);
  if (!r.installed) return Status::Ok();
  Log("revocation list version " + std::to_string(r.version) + " installed");
  for (auto& [id, conn] : conns_) {
    if (trust_.RevokesCertificate(conn.peer)) {
      Fail(id, conn,
           PermissionDenied("peer " + conn.peer.org_unit + " (node " +
                            std::to_string(conn.peer.node_id) +
                            ") is revoked by revocation list version " + std::to_string(r.version)),
           /*sync_error=*/false);
    }
  }
  return Status::Ok();
}

// ------------------------------------------------------------------ local writes

Result<std::vector<crdt::Op>> NodeCore::Write(const std::vector<store::LocalChange>& changes,
                                              const std::vector<std::string>& urgent_outboxes,
                                              uint64_t now_ms) {
  if (stopped_) return FailedPrecondition("node stopped");
  const std::vector<std::string> outboxes =
      RouteUrgent(changes, urgent_outboxes, config_.unit, upstreams_.size());
  FULEI_ASSIGN_OR_RETURN(std::vector<crdt::Op> ops, writer_->Write(changes, Now(now_ms), outboxes));
  std::vector<std::string> scopes;
  bool urgent = false;
  for (const crdt::Op& op : ops) {
    scopes.push_back(op.key.scope);
    urgent = urgent || op.urgent();
  }
  std::sort(scopes.begin(), scopes.end());
  scopes.erase(std::unique(scopes.begin(), scopes.end()), scopes.end());
  ++data_version_;
  Notify(scopes, urgent, std::nullopt);
  return ops;
}

Result<size_t> NodeCore::ShipAudit(uint64_t now_ms, size_t max) {
  if (stopped_) return FailedPrecondition("node stopped");
  const std::string scope = programme::RecordScope(programme::kAudit, config_.unit,
                                                   programme::LevelByDepth(config_.unit));
  auto held = [&](uint64_t seq, std::string_view text) -> Result<bool> {
    FULEI_ASSIGN_OR_RETURN(auto state, store_->Get({scope, std::string(programme::kAudit),
                                                    programme::AuditRecordId(seq, text)}));
    return state.has_value();
  };
  if (!audit_shipped_) {
    // Entries are copied in order, each batch in one write, so the records held are those of
    // entries 1..n: n is found by doubling, then halving.
    auto copied = [&](uint64_t seq) -> Result<bool> {
      FULEI_ASSIGN_OR_RETURN(auto entry, store_->ReadAudit(seq, 1));
      if (entry.empty() || entry.front().first != seq) return false;
      return held(seq, entry.front().second);
    };
    uint64_t low = 0, high = 1;  // entry `low` is copied (or low == 0), entry `high` is not
    while (true) {
      FULEI_ASSIGN_OR_RETURN(bool c, copied(high));
      if (!c) break;
      low = high;
      high *= 2;
    }
    while (high - low > 1) {
      const uint64_t mid = low + (high - low) / 2;
      FULEI_ASSIGN_OR_RETURN(bool c, copied(mid));
      (c ? low : high) = mid;
    }
    audit_shipped_ = low;
  }
  size_t copied = 0;
  const int64_t now_s = static_cast<int64_t>(Now(now_ms) / 1000);
  while (copied < max) {
    const size_t asked = std::min<size_t>(max - copied, 500);
    FULEI_ASSIGN_OR_RETURN(auto entries, store_->ReadAudit(*audit_shipped_ + 1, asked));
    if (entries.empty()) break;
    std::vector<store::LocalChange> changes;
    for (const auto& [seq, text] : entries) {
      // Held already: a node restored from a backup holds the old node's copies.
      FULEI_ASSIGN_OR_RETURN(bool h, held(seq, text));
      if (!h) changes.push_back(programme::AuditRecord(scope, node_id(), seq, text, now_s));
    }
    if (!changes.empty()) {
      FULEI_RETURN_IF_ERROR(writer_->Write(changes, Now(now_ms), {}).status());
      Notify({scope}, /*urgent=*/false, std::nullopt);
    }
    audit_shipped_ = entries.back().first;
    copied += changes.size();
    if (entries.size() < asked) break;  // the end of the log
  }
  return copied;
}

Result<std::vector<crdt::Op>> NodeCore::WriteAs(const programme::Viewer& writer,
                                                const std::vector<store::LocalChange>& changes,
                                                const std::vector<std::string>& urgent_outboxes,
                                                uint64_t now_ms) {
  if (stopped_) return FailedPrecondition("node stopped");
  const uint64_t ref_ms = Now(now_ms);
  const programme::Date today = programme::DateAtMs(ref_ms);
  programme::WriteContext context;
  context.validate.now_s = static_cast<int64_t>(ref_ms / 1000);
  // A pairing of the helper with the child, in force today, held in the contact's own scope.
  context.paired = [this, &today](std::string_view scope, std::string_view helper,
                                  std::string_view child) {
    bool found = false;
    const Status s =
        store_->ForEach(programme::kPairing, scope,
                        [&](const crdt::RecordKey& key, const crdt::RecordState& state) {
                          if (key.scope != scope) return true;
                          std::optional<programme::Fields> f = programme::ReadFields(state);
                          if (!f || programme::OneOr(*f, "helper") != helper ||
                              programme::OneOr(*f, "child") != child) {
                            return true;
                          }
                          auto p = programme::ReadPairing(key.scope, key.id, *f);
                          found = p.ok() && p->ActiveOn(today);
                          return !found;
                        });
    return s.ok() && found;  // a store error refuses the write
  };
  // A login is held by one account in the whole network (as far as this node can see).
  context.login_taken = [this](std::string_view login, const crdt::RecordKey& key) {
    auto taken = programme::LoginTaken(*store_, login, key);
    return !taken.ok() || *taken;  // a store error refuses the write
  };
  // Every change checked against the record as it would then be; nothing written on a refusal.
  std::map<crdt::RecordKey, crdt::RecordState> proposed;
  for (const store::LocalChange& change : changes) {
    std::optional<crdt::RecordState> current;
    if (auto it = proposed.find(change.key); it != proposed.end()) {
      current = it->second;
    } else {
      FULEI_ASSIGN_OR_RETURN(current, store_->Get(change.key));
    }
    FULEI_ASSIGN_OR_RETURN(
        crdt::RecordState next,
        programme::CheckChange(writer, change.key, current, change.writes, today, context));
    proposed[change.key] = std::move(next);
  }
  if (writer.user.empty()) return Write(changes, urgent_outboxes, now_ms);
  std::vector<store::LocalChange> authored = changes;
  for (store::LocalChange& c : authored) c.author = writer.user;
  return Write(authored, urgent_outboxes, now_ms);
}

Status NodeCore::PublishRevocations(std::string_view signed_list, uint64_t now_ms) {
  if (stopped_) return FailedPrecondition("node stopped");
  FULEI_RETURN_IF_ERROR(
      sync::PublishRevocations(*store_, *writer_, config_.unit, trust_, signed_list, Now(now_ms))
          .status());
  FULEI_RETURN_IF_ERROR(InstallRevocations());
  ++data_version_;
  Notify({sync::RootScope(config_.unit)}, /*urgent=*/false, std::nullopt);
  return Status::Ok();
}

// ------------------------------------------------------------------ escalation

// The city escalates: the unit with no parent.
bool NodeCore::Escalates() const {
  return config_.escalate && crdt::ParentUnit(config_.unit).empty();
}

Result<size_t> NodeCore::Escalate(uint64_t now_ms, std::optional<int64_t>* next_due) {
  programme::UrgentDeadlines deadlines;
  deadlines.report_minutes = config_.report_deadline_minutes;
  deadlines.help_request_minutes = config_.help_request_deadline_minutes;
  const auto now_s = static_cast<int64_t>(Now(now_ms) / 1000);
  FULEI_ASSIGN_OR_RETURN(programme::EscalationScan scan,
                         programme::ScanEscalations(*store_, config_.unit, now_s, deadlines));
  if (scan.unreadable != 0) {
    Log("escalation: " + std::to_string(scan.unreadable) + " urgent case(s) could not be read");
  }
  // One write per case: each goes down the outbox of its own scope (RouteUrgent routes a call
  // whose urgent changes share one scope).
  for (const store::LocalChange& change : scan.changes) {
    FULEI_RETURN_IF_ERROR(Write({change}, {kUpstreamOutbox}, now_ms).status());
    ++closed_.escalations_written;
    Log("escalation: " + change.key.type + " " + change.key.id + " of " + change.key.scope +
        " is overdue (no acknowledgement by a person within its deadline)");
  }
  if (next_due) *next_due = scan.next_due;
  return scan.changes.size();
}

void NodeCore::ScheduleEscalation(uint64_t now_ms, std::optional<int64_t> next_due_s) {
  uint64_t next = config_.escalation_interval_ms;
  if (next_due_s) {
    const auto now_s = static_cast<int64_t>(Now(now_ms) / 1000);
    const uint64_t until = static_cast<uint64_t>(std::max<int64_t>(*next_due_s - now_s, 0)) * 1000;
    next = std::min(next, std::max<uint64_t>(until, 1000));
  }
  SetTimer(kEscalationTimer, crdt::SaturatingAdd(now_ms, next));
}

Result<size_t> NodeCore::CheckEscalations(uint64_t now_ms) {
  if (stopped_) return FailedPrecondition("node stopped");
  if (!Escalates()) return FailedPrecondition("only the city node escalates");
  return Escalate(now_ms, nullptr);
}

void NodeCore::Stop() {
  if (stopped_) return;
  for (auto& [id, conn] : conns_) {
    if (conn.closing) continue;
    conn.closing = true;
    Action a;
    a.kind = Action::Kind::kClose;
    a.conn = id;
    a.reason = Aborted("node stopping");
    actions_.push_back(std::move(a));
  }
  stopped_ = true;
}

// ------------------------------------------------------------------ state

size_t NodeCore::connected_peers() const {
  size_t n = 0;
  for (const auto& [id, conn] : conns_) n += conn.closing ? 0 : 1;
  return n;
}

bool NodeCore::upstream_full_sync(size_t k) const {
  const Conn* c = UpstreamConn(k);
  return c != nullptr && !c->urgent_only;
}

bool NodeCore::sync_idle() const {
  return std::all_of(conns_.begin(), conns_.end(),
                     [](const auto& c) { return c.second.closing || c.second.sync->idle(); });
}

PeerStatus NodeCore::StatusOf(const Conn& conn) const {
  PeerStatus p;
  p.node = conn.peer.node_id;
  p.unit = conn.peer.org_unit;
  p.upstream = conn.upstream;
  p.connected = !conn.closing;
  p.urgent_only = conn.urgent_only;
  p.connected_ms = conn.connected_ms;
  p.last_message_ms = conn.last_message_ms;
  p.last_synced_ms = conn.last_synced_ms;
  p.bytes_sent = conn.sync->stats().bytes_sent_by_class;
  p.bytes_received = conn.sync->stats().bytes_received_by_class;
  p.protocol = conn.sync->protocol_version();
  return p;
}

std::vector<PeerStatus> NodeCore::peers() const {
  std::map<crdt::NodeId, PeerStatus> all = peers_closed_;
  for (const auto& [id, conn] : conns_) {
    if (conn.closing) continue;
    PeerStatus now = StatusOf(conn);
    auto held = all.find(now.node);
    if (now.last_synced_ms == 0 && held != all.end()) {
      now.last_synced_ms = held->second.last_synced_ms;
    }
    all[now.node] = std::move(now);
  }
  std::vector<PeerStatus> out;
  for (auto& [node, p] : all) out.push_back(std::move(p));
  std::sort(out.begin(), out.end(), [](const PeerStatus& a, const PeerStatus& b) {
    const int ua = a.upstream < 0 ? 1 << 30 : a.upstream;
    const int ub = b.upstream < 0 ? 1 << 30 : b.upstream;
    return std::tie(ua, a.unit, a.node) < std::tie(ub, b.unit, b.node);
  });
  return out;
}

NodeStats NodeCore::stats() const {
  NodeStats total = closed_;
  for (const auto& [id, conn] : conns_) AddStats(total, conn.sync->stats());
  return total;
}

}  // namespace fulei::node
