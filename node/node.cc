#include "node/node.h"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <iostream>
#include <map>
#include <set>
#include <string_view>
#include <utility>

#include "crdt/hlc.h"
#include "crypto/channel.h"
#include "crypto/random.h"
#include "crypto/trust.h"
#include "net/dialer.h"
#include "net/listener.h"
#include "net/session.h"
#include "programme/escalation.h"
#include "sync/cert_directory.h"
#include "sync/local_writer.h"
#include "sync/receipts.h"
#include "sync/revocations.h"
#include "sync/scopes.h"
#include "sync/session.h"

namespace fulei::node {
namespace {

namespace asio = boost::asio;
using net::Tcp;

uint64_t SystemWallMs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

std::string ParentUnit(const std::string& unit) {
  const size_t slash = unit.rfind('/');
  return slash == std::string::npos ? std::string() : unit.substr(0, slash);
}

Result<Tcp::endpoint> ToAsio(const Endpoint& e) {
  boost::system::error_code ec;
  const asio::ip::address address = asio::ip::make_address(e.address, ec);
  if (ec) return InvalidArgument("bad address '" + e.address + "': " + ec.message());
  return Tcp::endpoint(address, e.port);
}

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
  total.receipts_written += s.receipts_written;
}

}  // namespace

std::string UpstreamOutbox(size_t k) {
  return k == 0 ? std::string(kUpstreamOutbox) : "up:" + std::to_string(k);
}

// One connection: the net session and the sync session it carries.
struct Peer {
  std::shared_ptr<net::Session> net;
  std::unique_ptr<sync::Session> sync;
  bool closing = false;
  int upstream = -1;  // index of the upstream this connection dials; -1: a child's connection
  bool urgent_only = false;
};

struct Node::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::io_context& context, NodeConfig c, crypto::NodeIdentity id, crypto::CertChain ch,
       const crypto::SigningPublicKey& root)
      : io(context),
        config(std::move(c)),
        identity(std::move(id)),
        chain(std::move(ch)),
        trust(root) {}

  uint64_t Wall() const { return config.wall_clock ? config.wall_clock() : SystemWallMs(); }
  uint64_t Now() const { return std::max(Wall(), clock->high_water().ms); }

  void Log(const std::string& line) const {
    const std::string full = "node " + config.unit + ": " + line;
    if (config.log) {
      config.log(full);
    } else {
      std::cerr << "fulei " << full << "\n";
    }
  }

  Status Open();
  Status StartNetwork();
  Result<crypto::Channel> MakeChannel(bool initiator, size_t upstream);
  std::shared_ptr<net::SessionHandler> MakeHandler(int upstream);
  // Outboxes of every upstream (empty without one).
  std::vector<std::string> UpstreamOutboxes() const;
  // Upstream k's established, open connection, or null.
  Peer* UpstreamPeer(size_t k);
  // Closes upstream sessions whose mode (full / urgent-only) no longer fits: full sync belongs
  // to the first connected upstream. Each one closed redials in the right mode.
  void RebalanceUpstreams();

  // Handler callbacks, routed here while the node lives. `upstream`: -1 for the listener.
  void Established(const std::shared_ptr<net::Session>& session, int upstream);
  void Message(net::Session& session, net::Message message);
  void Closed(net::Session& session, const Status& reason);

  // Sends what `peer`'s sync session produced. False when the peer is (now) closing.
  bool Flush(Peer& peer);
  // Closes `peer`'s connection with `reason` (logged); `sync_error` when sync refused it.
  void Fail(Peer& peer, const Status& reason, bool sync_error = true);
  // Pushes new ops of `scopes` (and urgent ops, when `urgent`) to every session but `except`.
  void Notify(const std::set<std::string>& scopes, bool urgent, const net::Session* except);
  // Installs the newest valid revocation list in the store; closes sessions of revoked peers.
  Status InstallRevocations();
  // Writes local changes (chained, signed) and pushes them to every peer; see Node::Write.
  Result<std::vector<crdt::Op>> WriteRouted(const std::vector<store::LocalChange>& changes,
                                            const std::vector<std::string>& urgent_outboxes);
  // The city escalates (NodeConfig::escalate, and no parent unit).
  bool Escalates() const { return config.escalate && config.unit.find('/') == std::string::npos; }
  // Flags the overdue cases now; returns how many and when the next one comes due.
  Result<size_t> Escalate(std::optional<int64_t>* next_due);
  // Arms the escalation timer `delay` from now (replacing any earlier arming).
  void ScheduleEscalation(std::chrono::milliseconds delay);

  asio::io_context& io;
  NodeConfig config;
  crypto::NodeIdentity identity;
  crypto::CertChain chain;
  crypto::TrustStore trust;
  crypto::SystemRandom random;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<sync::CertDirectory> certs;
  std::unique_ptr<crdt::HybridClock> clock;
  std::unique_ptr<sync::LocalWriter> writer;
  // Declared after the store: sync sessions are destroyed before it.
  std::map<const net::Session*, Peer> peers;
  std::unique_ptr<net::Listener> listener;
  std::vector<Upstream> upstreams;  // resolved from config.upstreams or config.upstream
  std::vector<std::unique_ptr<net::Dialer>> dialers;  // one per upstream
  uint16_t port = 0;
  std::vector<std::weak_ptr<net::SessionHandler>> handlers;
  NodeStats closed;                                      // stats of sessions already closed
  std::unique_ptr<asio::steady_timer> escalation_timer;  // city only
  uint64_t escalations_written = 0;
  bool stopped = false;
};

namespace {

// Routes one connection's callbacks to the node, if it still exists.
class Handler final : public net::SessionHandler {
 public:
  Handler(std::weak_ptr<Node::Impl> node, int upstream)
      : node_(std::move(node)), upstream_(upstream) {}
  void OnEstablished(const std::shared_ptr<net::Session>& session) override {
    if (auto n = node_.lock()) n->Established(session, upstream_);
  }
  void OnMessage(net::Session& session, net::Message message) override {
    if (auto n = node_.lock()) n->Message(session, std::move(message));
  }
  void OnClosed(net::Session& session, const Status& reason) override {
    if (auto n = node_.lock()) n->Closed(session, reason);
  }

 private:
  std::weak_ptr<Node::Impl> node_;
  int upstream_;
};

}  // namespace

Status Node::Impl::Open() {
  if (chain.empty()) return InvalidArgument("empty certificate chain");
  const crypto::Certificate& leaf = chain.front();
  if (leaf.node_id != identity.node_id() || leaf.dh_key != identity.dh_key().public_key) {
    return InvalidArgument("certificate is not for this node's identity");
  }
  if (leaf.org_unit != config.unit) {
    return InvalidArgument("certificate is for unit " + leaf.org_unit + ", not " + config.unit);
  }
  store::StoreOptions options;
  options.sealer = config.sealer;
  options.node_id = identity.node_id();
  options.initial_map_bytes = config.initial_map_bytes;
  options.reserve_bytes = config.reserve_bytes;
  FULEI_ASSIGN_OR_RETURN(store, store::Store::Open(config.data_dir, options));
  certs = std::make_unique<sync::CertDirectory>(*store);
  clock = std::make_unique<crdt::HybridClock>();
  FULEI_ASSIGN_OR_RETURN(crdt::Stamp high, store->HlcHighWater());
  clock->Restore(high);
  FULEI_ASSIGN_OR_RETURN(crdt::NodeId registered,
                         certs->Add(crypto::EncodeChain(chain), trust, Now()));
  (void)registered;
  writer = std::make_unique<sync::LocalWriter>(*store, identity.signing_key(), *clock);
  return InstallRevocations();  // the list the store already holds
}

Result<crypto::Channel> Node::Impl::MakeChannel(bool initiator, size_t upstream) {
  crypto::ChannelConfig cc;
  cc.static_key = identity.dh_key().Clone();
  cc.certificates = chain;
  cc.trust = &trust;
  cc.now_ms = Now();
  if (initiator) {
    // The upstream: a town or the city whose unit is (or contains) the expected one.
    const std::string& unit = upstreams.at(upstream).unit;
    cc.expect.subtree = unit.empty() ? ParentUnit(config.unit) : unit;
    cc.expect.roles = {crypto::Role::kTown, crypto::Role::kCity};
  } else {
    cc.expect.subtree = config.unit;  // a node of this node's subtree
  }
  return crypto::Channel::Create(std::move(cc), initiator, random);
}

std::shared_ptr<net::SessionHandler> Node::Impl::MakeHandler(int upstream) {
  std::erase_if(handlers, [](const auto& h) { return h.expired(); });
  auto h = std::make_shared<Handler>(weak_from_this(), upstream);
  handlers.push_back(h);
  return h;
}

Status Node::Impl::StartNetwork() {
  if (!config.session.log && config.log) config.session.log = config.log;
  std::weak_ptr<Impl> weak = weak_from_this();
  auto channels_for = [weak](size_t upstream) {
    return [weak, upstream](bool initiator) -> Result<crypto::Channel> {
      auto self = weak.lock();
      if (!self) return FailedPrecondition("node is gone");
      return self->MakeChannel(initiator, upstream);
    };
  };
  if (config.listen) {
    FULEI_ASSIGN_OR_RETURN(Tcp::endpoint endpoint, ToAsio(*config.listen));
    net::ListenerConfig lc;
    lc.session = config.session;
    lc.handshakes = config.handshakes;
    auto handlers_of = [weak](const Tcp::endpoint&) -> std::shared_ptr<net::SessionHandler> {
      auto self = weak.lock();
      if (!self || self->stopped) return nullptr;
      return self->MakeHandler(/*upstream=*/-1);
    };
    FULEI_ASSIGN_OR_RETURN(listener, net::Listener::Start(io, endpoint, std::move(lc),
                                                          channels_for(0), std::move(handlers_of)));
    port = listener->local_endpoint().port();
  }
  for (size_t k = 0; k < upstreams.size(); ++k) {
    std::vector<Tcp::endpoint> endpoints;
    for (const Endpoint& e : upstreams[k].endpoints) {
      FULEI_ASSIGN_OR_RETURN(Tcp::endpoint endpoint, ToAsio(e));
      endpoints.push_back(endpoint);
    }
    if (endpoints.empty()) {
      return InvalidArgument("upstream " + std::to_string(k) + " has no endpoint");
    }
    net::DialerConfig dc;
    dc.session = config.session;
    dc.backoff = config.backoff;
    dc.seed = config.dial_seed == 0 ? 0 : config.dial_seed + k;
    if (dc.seed == 0) random.Fill(reinterpret_cast<uint8_t*>(&dc.seed), sizeof dc.seed);
    dialers.push_back(std::make_unique<net::Dialer>(io, std::move(endpoints), std::move(dc),
                                                    channels_for(k),
                                                    MakeHandler(static_cast<int>(k))));
    dialers.back()->Start();
  }
  return Status::Ok();
}

std::vector<std::string> Node::Impl::UpstreamOutboxes() const {
  std::vector<std::string> out;
  for (size_t k = 0; k < upstreams.size(); ++k) out.push_back(UpstreamOutbox(k));
  return out;
}

Peer* Node::Impl::UpstreamPeer(size_t k) {
  for (auto& [key, peer] : peers) {
    if (!peer.closing && peer.upstream == static_cast<int>(k)) return &peer;
  }
  return nullptr;
}

void Node::Impl::RebalanceUpstreams() {
  if (stopped) return;
  // The first connected upstream must run full sync, every later one urgent-only.
  bool full_seen = false;
  for (size_t k = 0; k < upstreams.size(); ++k) {
    Peer* peer = UpstreamPeer(k);
    if (peer == nullptr) continue;
    const bool want_urgent_only = full_seen;
    full_seen = true;
    if (peer->urgent_only == want_urgent_only) continue;
    ++closed.mode_switches;
    Fail(*peer,
         Aborted(std::string("reconnecting to switch to ") +
                 (want_urgent_only ? "urgent-only" : "full") + " sync"),
         /*sync_error=*/false);
  }
}

void Node::Impl::Established(const std::shared_ptr<net::Session>& session, int upstream) {
  const bool child_side = upstream >= 0;
  if (stopped) return session->Close(Aborted("node stopping"));
  const auto& cert = session->peer_certificate();
  if (!cert) return session->Close(PermissionDenied("peer has no certificate"));
  sync::SessionConfig sc;
  sc.self_node = identity.node_id();
  sc.self_unit = config.unit;
  sc.window = config.sync_window;
  sc.max_batch_ops = config.sync_max_batch_ops;
  sc.clock = clock.get();
  sc.receipts = writer.get();  // receipts of urgent ops travel back towards their origin
  bool urgent_only = false;
  if (child_side) {
    // The child drains this upstream's outbox; urgent ops from above travel on down.
    sc.outbox_peer = UpstreamOutbox(static_cast<size_t>(upstream));
    sc.adopt_peer_clock = true;
    sc.relay_down = true;
    sc.receipt_outboxes = UpstreamOutboxes();
    // Full sync with the first connected upstream only; the others carry urgent ops.
    for (int k = 0; k < upstream; ++k) {
      if (UpstreamPeer(static_cast<size_t>(k)) != nullptr) urgent_only = true;
    }
    sc.urgent_only = urgent_only;
  } else {
    sc.drain_down = true;                    // urgent ops for this child's subtree go down
    sc.relay_outboxes = UpstreamOutboxes();  // urgent ops from below travel on upwards
  }
  Peer& peer = peers[session.get()];
  peer.net = session;
  peer.upstream = upstream;
  peer.urgent_only = urgent_only;
  peer.sync = std::make_unique<sync::Session>(*store, trust, *certs, std::move(sc),
                                              sync::PeerIdentity{cert->node_id, cert->org_unit});
  ++closed.sessions_established;
  Status started = peer.sync->Start(Now());
  if (!started.ok()) return Fail(peer, started);
  if (!Flush(peer)) return;
  if (child_side && !urgent_only) RebalanceUpstreams();  // a later upstream drops to urgent-only
}

void Node::Impl::Message(net::Session& session, net::Message message) {
  auto it = peers.find(&session);
  if (it == peers.end() || it->second.closing) return;
  Peer& peer = it->second;
  Status handled = peer.sync->OnMessage(message.body, Now());
  if (!handled.ok()) return Fail(peer, handled);
  if (!Flush(peer)) return;
  std::vector<std::string> changed = peer.sync->TakeChangedScopes();
  const bool urgent = peer.sync->TakeUrgentArrived();
  if (std::find(changed.begin(), changed.end(), sync::RootScope(config.unit)) != changed.end()) {
    if (Status st = InstallRevocations(); !st.ok()) Log("revocations: " + st.ToString());
  }
  if (!changed.empty() || urgent) {
    Notify(std::set<std::string>(changed.begin(), changed.end()), urgent, &session);
  }
}

void Node::Impl::Closed(net::Session& session, const Status& reason) {
  auto it = peers.find(&session);
  if (it == peers.end()) return;  // never established
  ++closed.sessions_closed;
  AddStats(closed, it->second.sync->stats());
  Log("session with " + it->second.sync->peer().unit + " ended: " + reason.ToString());
  const bool was_full_upstream = it->second.upstream >= 0 && !it->second.urgent_only;
  peers.erase(it);
  if (was_full_upstream) RebalanceUpstreams();  // the next connected upstream takes full sync
}

bool Node::Impl::Flush(Peer& peer) {
  if (peer.closing) return false;
  for (sync::Outgoing& o : peer.sync->TakeOutgoing()) {
    Status sent = peer.net->Send(o.priority, o.stream, std::move(o.bytes));
    if (!sent.ok()) {  // the connection is closing, or (a bug) back-pressure was ignored
      Fail(peer, sent, /*sync_error=*/false);
      return false;
    }
  }
  return true;
}

void Node::Impl::Fail(Peer& peer, const Status& reason, bool sync_error) {
  if (peer.closing) return;
  peer.closing = true;
  if (sync_error) ++closed.sync_errors;
  Log("closing session with " + peer.sync->peer().unit + ": " + reason.ToString());
  peer.net->Close(reason);
}

void Node::Impl::Notify(const std::set<std::string>& scopes, bool urgent,
                        const net::Session* except) {
  for (auto& [key, peer] : peers) {
    if (key == except || peer.closing) continue;
    Status st;
    for (const std::string& scope : scopes) {
      st = peer.sync->OnLocalChange(scope);
      if (!st.ok()) break;
    }
    if (st.ok() && urgent) st = peer.sync->OnUrgent();
    if (!st.ok()) {
      Fail(peer, st);
      continue;
    }
    Flush(peer);
  }
}

Status Node::Impl::InstallRevocations() {
  FULEI_ASSIGN_OR_RETURN(
      sync::RevocationInstall r,
      sync::InstallRevocationsFromStore(*store, sync::RootScope(config.unit), trust));
  for (const std::string& why : r.rejected) Log("revocation list ignored: " + why);
  if (!r.installed) return Status::Ok();
  Log("revocation list version " + std::to_string(r.version) + " installed");
  for (auto& [key, peer] : peers) {
    const auto& cert = peer.net->peer_certificate();
    if (cert && trust.RevokesCertificate(*cert)) {
      Fail(peer,
           PermissionDenied("peer " + cert->org_unit + " (node " + std::to_string(cert->node_id) +
                            ") is revoked by revocation list version " + std::to_string(r.version)),
           /*sync_error=*/false);
    }
  }
  return Status::Ok();
}

Result<std::unique_ptr<Node>> Node::Start(asio::io_context& io, NodeConfig config,
                                          crypto::NodeIdentity identity, crypto::CertChain chain,
                                          const crypto::SigningPublicKey& root) {
  auto impl =
      std::make_shared<Impl>(io, std::move(config), std::move(identity), std::move(chain), root);
  impl->upstreams = impl->config.upstreams;
  if (impl->upstreams.empty() && !impl->config.upstream.empty()) {
    impl->upstreams.push_back(Upstream{impl->config.upstream, impl->config.upstream_unit});
  }
  FULEI_RETURN_IF_ERROR(impl->Open());
  FULEI_RETURN_IF_ERROR(impl->StartNetwork());
  if (impl->Escalates()) impl->ScheduleEscalation(std::chrono::milliseconds(0));
  return std::unique_ptr<Node>(new Node(std::move(impl)));
}

Node::~Node() {
  Status st = Stop();
  if (!st.ok()) impl_->Log("stop: " + st.ToString());
}

Result<std::vector<crdt::Op>> Node::Impl::WriteRouted(
    const std::vector<store::LocalChange>& changes,
    const std::vector<std::string>& urgent_outboxes) {
  // kUpstreamOutbox stands for every upstream; an urgent change below this node also goes down.
  std::vector<std::string> outboxes;
  for (const std::string& name : urgent_outboxes) {
    if (name == kUpstreamOutbox) {
      for (const std::string& up : UpstreamOutboxes()) outboxes.push_back(up);
    } else {
      outboxes.push_back(name);
    }
  }
  std::set<std::string> urgent_scopes;
  for (const store::LocalChange& c : changes) {
    if ((c.flags & crdt::kOpFlagUrgent) != 0) urgent_scopes.insert(c.key.scope);
  }
  if (urgent_scopes.size() == 1) {
    const std::string& scope = *urgent_scopes.begin();
    std::string down = sync::DownOutbox(scope);
    if (scope != config.unit && sync::IsSameOrBelow(scope, config.unit) && !down.empty()) {
      outboxes.push_back(std::move(down));
    }
  }
  std::sort(outboxes.begin(), outboxes.end());
  outboxes.erase(std::unique(outboxes.begin(), outboxes.end()), outboxes.end());
  FULEI_ASSIGN_OR_RETURN(std::vector<crdt::Op> ops, writer->Write(changes, Wall(), outboxes));
  std::set<std::string> scopes;
  bool urgent = false;
  for (const crdt::Op& op : ops) {
    scopes.insert(op.key.scope);
    urgent = urgent || op.urgent();
  }
  Notify(scopes, urgent, nullptr);
  return ops;
}

Result<std::vector<crdt::Op>> Node::Write(const std::vector<store::LocalChange>& changes,
                                          const std::vector<std::string>& urgent_outboxes) {
  Impl& n = *impl_;
  if (n.stopped) return FailedPrecondition("node stopped");
  return n.WriteRouted(changes, urgent_outboxes);
}

Result<size_t> Node::Impl::Escalate(std::optional<int64_t>* next_due) {
  programme::UrgentDeadlines deadlines;
  deadlines.report_minutes = config.report_deadline_minutes;
  deadlines.help_request_minutes = config.help_request_deadline_minutes;
  const auto now_s = static_cast<int64_t>(Now() / 1000);
  FULEI_ASSIGN_OR_RETURN(programme::EscalationScan scan,
                         programme::ScanEscalations(*store, config.unit, now_s, deadlines));
  if (scan.unreadable != 0) {
    Log("escalation: " + std::to_string(scan.unreadable) + " urgent case(s) could not be read");
  }
  // One write per case: each goes down the outbox of its own scope (WriteRouted routes a call
  // whose urgent changes share one scope).
  for (const store::LocalChange& change : scan.changes) {
    FULEI_RETURN_IF_ERROR(WriteRouted({change}, {kUpstreamOutbox}).status());
    ++escalations_written;
    Log("escalation: " + change.key.type + " " + change.key.id + " of " + change.key.scope +
        " is overdue (no acknowledgement by a person within its deadline)");
  }
  if (next_due) *next_due = scan.next_due;
  return scan.changes.size();
}

void Node::Impl::ScheduleEscalation(std::chrono::milliseconds delay) {
  if (!escalation_timer) escalation_timer = std::make_unique<asio::steady_timer>(io);
  escalation_timer->expires_after(delay);
  escalation_timer->async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
    if (ec) return;
    auto self = weak.lock();
    if (!self || self->stopped) return;
    std::optional<int64_t> next_due;
    auto flagged = self->Escalate(&next_due);
    if (!flagged.ok()) self->Log("escalation: " + flagged.status().ToString());
    auto next = self->config.escalation_interval;
    if (next_due) {
      const auto now_s = static_cast<int64_t>(self->Now() / 1000);
      const auto until = std::chrono::milliseconds(std::max<int64_t>(*next_due - now_s, 0) * 1000);
      next = std::min(next, std::max(until, std::chrono::milliseconds(1000)));
    }
    self->ScheduleEscalation(next);
  });
}

Result<size_t> Node::CheckEscalations() {
  Impl& n = *impl_;
  if (n.stopped) return FailedPrecondition("node stopped");
  if (!n.Escalates()) return FailedPrecondition("only the city node escalates");
  return n.Escalate(nullptr);
}

Status Node::PublishRevocations(std::string_view signed_list) {
  Impl& n = *impl_;
  if (n.stopped) return FailedPrecondition("node stopped");
  FULEI_RETURN_IF_ERROR(
      sync::PublishRevocations(*n.store, *n.writer, n.config.unit, n.trust, signed_list, n.Wall())
          .status());
  FULEI_RETURN_IF_ERROR(n.InstallRevocations());
  n.Notify({sync::RootScope(n.config.unit)}, /*urgent=*/false, nullptr);
  return Status::Ok();
}

uint64_t Node::revocation_version() const { return impl_->trust.revocation_version(); }

Status Node::Stop(std::chrono::milliseconds limit) {
  Impl& n = *impl_;
  if (!n.stopped) {
    n.stopped = true;
    if (n.escalation_timer) n.escalation_timer->cancel();
    for (auto& d : n.dialers) d->Stop();
    if (n.listener) n.listener->Stop();
    for (auto& [key, peer] : n.peers) {
      peer.closing = true;
      peer.net->Close(Aborted("node stopping"));
    }
    n.dialers.clear();
    n.listener.reset();
  }
  // Every handler is dropped once its session's OnClosed ran and the dial/accept loops ended.
  const auto deadline = std::chrono::steady_clock::now() + limit;
  auto alive = [&] {
    return std::any_of(n.handlers.begin(), n.handlers.end(),
                       [](const auto& h) { return !h.expired(); });
  };
  while (alive()) {
    if (std::chrono::steady_clock::now() > deadline) {
      return Unavailable("sessions still open " + std::to_string(limit.count()) + " ms after stop");
    }
    n.io.run_one_for(std::chrono::milliseconds(5));
    if (n.io.stopped()) n.io.restart();
  }
  for (auto& [key, peer] : n.peers) AddStats(n.closed, peer.sync->stats());
  n.peers.clear();
  return Status::Ok();
}

uint16_t Node::listen_port() const { return impl_->port; }
const std::string& Node::unit() const { return impl_->config.unit; }
crdt::NodeId Node::node_id() const { return impl_->identity.node_id(); }
store::Store& Node::store() { return *impl_->store; }
uint64_t Node::now_ms() const { return impl_->Now(); }

bool Node::upstream_connected(size_t k) const { return impl_->UpstreamPeer(k) != nullptr; }

bool Node::upstream_full_sync(size_t k) const {
  const Peer* p = impl_->UpstreamPeer(k);
  return p != nullptr && !p->urgent_only;
}

size_t Node::connected_peers() const {
  size_t n = 0;
  for (const auto& [key, peer] : impl_->peers) n += peer.closing ? 0 : 1;
  return n;
}

bool Node::sync_idle() const {
  return std::all_of(impl_->peers.begin(), impl_->peers.end(),
                     [](const auto& p) { return p.second.closing || p.second.sync->idle(); });
}

NodeStats Node::stats() const {
  NodeStats total = impl_->closed;
  for (const auto& [key, peer] : impl_->peers) AddStats(total, peer.sync->stats());
  total.escalations_written = impl_->escalations_written;
  return total;
}

}  // namespace fulei::node
