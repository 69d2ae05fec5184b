#include "node/node.h"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
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
#include "sync/cert_directory.h"
#include "sync/local_writer.h"
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
}

}  // namespace

// One connection: the net session and the sync session it carries.
struct Peer {
  std::shared_ptr<net::Session> net;
  std::unique_ptr<sync::Session> sync;
  bool closing = false;
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
  Result<crypto::Channel> MakeChannel(bool initiator);
  std::shared_ptr<net::SessionHandler> MakeHandler(bool child_side);

  // Handler callbacks, routed here while the node lives.
  void Established(const std::shared_ptr<net::Session>& session, bool child_side);
  void Message(net::Session& session, net::Message message);
  void Closed(net::Session& session, const Status& reason);

  // Sends what `peer`'s sync session produced. False when the peer is (now) closing.
  bool Flush(Peer& peer);
  // Closes `peer`'s connection with `reason` (logged); `sync_error` when sync refused it.
  void Fail(Peer& peer, const Status& reason, bool sync_error = true);
  // Pushes new ops of `scopes` (and urgent ops, when `urgent`) to every session but `except`.
  void Notify(const std::set<std::string>& scopes, bool urgent, const net::Session* except);

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
  std::unique_ptr<net::Dialer> dialer;
  uint16_t port = 0;
  std::vector<std::weak_ptr<net::SessionHandler>> handlers;
  NodeStats closed;  // stats of sessions already closed
  bool stopped = false;
};

namespace {

// Routes one connection's callbacks to the node, if it still exists.
class Handler final : public net::SessionHandler {
 public:
  Handler(std::weak_ptr<Node::Impl> node, bool child_side)
      : node_(std::move(node)), child_side_(child_side) {}
  void OnEstablished(const std::shared_ptr<net::Session>& session) override {
    if (auto n = node_.lock()) n->Established(session, child_side_);
  }
  void OnMessage(net::Session& session, net::Message message) override {
    if (auto n = node_.lock()) n->Message(session, std::move(message));
  }
  void OnClosed(net::Session& session, const Status& reason) override {
    if (auto n = node_.lock()) n->Closed(session, reason);
  }

 private:
  std::weak_ptr<Node::Impl> node_;
  bool child_side_;
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
  return Status::Ok();
}

Result<crypto::Channel> Node::Impl::MakeChannel(bool initiator) {
  crypto::ChannelConfig cc;
  cc.static_key = identity.dh_key().Clone();
  cc.certificates = chain;
  cc.trust = &trust;
  cc.now_ms = Now();
  if (initiator) {
    // The upstream: a town or the city whose unit is (or contains) the expected one.
    cc.expect.subtree =
        config.upstream_unit.empty() ? ParentUnit(config.unit) : config.upstream_unit;
    cc.expect.roles = {crypto::Role::kTown, crypto::Role::kCity};
  } else {
    cc.expect.subtree = config.unit;  // a node of this node's subtree
  }
  return crypto::Channel::Create(std::move(cc), initiator, random);
}

std::shared_ptr<net::SessionHandler> Node::Impl::MakeHandler(bool child_side) {
  std::erase_if(handlers, [](const auto& h) { return h.expired(); });
  auto h = std::make_shared<Handler>(weak_from_this(), child_side);
  handlers.push_back(h);
  return h;
}

Status Node::Impl::StartNetwork() {
  if (!config.session.log && config.log) config.session.log = config.log;
  std::weak_ptr<Impl> weak = weak_from_this();
  auto channels = [weak](bool initiator) -> Result<crypto::Channel> {
    auto self = weak.lock();
    if (!self) return FailedPrecondition("node is gone");
    return self->MakeChannel(initiator);
  };
  if (config.listen) {
    FULEI_ASSIGN_OR_RETURN(Tcp::endpoint endpoint, ToAsio(*config.listen));
    net::ListenerConfig lc;
    lc.session = config.session;
    lc.handshakes = config.handshakes;
    auto handlers_of = [weak](const Tcp::endpoint&) -> std::shared_ptr<net::SessionHandler> {
      auto self = weak.lock();
      if (!self || self->stopped) return nullptr;
      return self->MakeHandler(/*child_side=*/false);
    };
    FULEI_ASSIGN_OR_RETURN(listener, net::Listener::Start(io, endpoint, std::move(lc), channels,
                                                          std::move(handlers_of)));
    port = listener->local_endpoint().port();
  }
  if (!config.upstream.empty()) {
    std::vector<Tcp::endpoint> upstreams;
    for (const Endpoint& e : config.upstream) {
      FULEI_ASSIGN_OR_RETURN(Tcp::endpoint endpoint, ToAsio(e));
      upstreams.push_back(endpoint);
    }
    net::DialerConfig dc;
    dc.session = config.session;
    dc.backoff = config.backoff;
    dc.seed = config.dial_seed;
    if (dc.seed == 0) random.Fill(reinterpret_cast<uint8_t*>(&dc.seed), sizeof dc.seed);
    dialer = std::make_unique<net::Dialer>(io, std::move(upstreams), std::move(dc), channels,
                                           MakeHandler(/*child_side=*/true));
    dialer->Start();
  }
  return Status::Ok();
}

void Node::Impl::Established(const std::shared_ptr<net::Session>& session, bool child_side) {
  if (stopped) return session->Close(Aborted("node stopping"));
  const auto& cert = session->peer_certificate();
  if (!cert) return session->Close(PermissionDenied("peer has no certificate"));
  sync::SessionConfig sc;
  sc.self_node = identity.node_id();
  sc.self_unit = config.unit;
  sc.window = config.sync_window;
  sc.max_batch_ops = config.sync_max_batch_ops;
  sc.clock = clock.get();
  if (child_side) {
    sc.outbox_peer = kUpstreamOutbox;  // the child drains its upstream outbox
    sc.adopt_peer_clock = true;
  } else if (!config.upstream.empty()) {
    sc.relay_outboxes = {kUpstreamOutbox};  // urgent ops from below travel on upwards
  }
  Peer& peer = peers[session.get()];
  peer.net = session;
  peer.sync = std::make_unique<sync::Session>(*store, trust, *certs, std::move(sc),
                                              sync::PeerIdentity{cert->node_id, cert->org_unit});
  ++closed.sessions_established;
  Status started = peer.sync->Start(Now());
  if (!started.ok()) return Fail(peer, started);
  Flush(peer);
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
  peers.erase(it);
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

Result<std::unique_ptr<Node>> Node::Start(asio::io_context& io, NodeConfig config,
                                          crypto::NodeIdentity identity, crypto::CertChain chain,
                                          const crypto::SigningPublicKey& root) {
  auto impl =
      std::make_shared<Impl>(io, std::move(config), std::move(identity), std::move(chain), root);
  FULEI_RETURN_IF_ERROR(impl->Open());
  FULEI_RETURN_IF_ERROR(impl->StartNetwork());
  return std::unique_ptr<Node>(new Node(std::move(impl)));
}

Node::~Node() {
  Status st = Stop();
  if (!st.ok()) impl_->Log("stop: " + st.ToString());
}

Result<std::vector<crdt::Op>> Node::Write(const std::vector<store::LocalChange>& changes,
                                          const std::vector<std::string>& urgent_outboxes) {
  Impl& n = *impl_;
  if (n.stopped) return FailedPrecondition("node stopped");
  FULEI_ASSIGN_OR_RETURN(std::vector<crdt::Op> ops,
                         n.writer->Write(changes, n.Wall(), urgent_outboxes));
  std::set<std::string> scopes;
  bool urgent = false;
  for (const crdt::Op& op : ops) {
    scopes.insert(op.key.scope);
    urgent = urgent || op.urgent();
  }
  n.Notify(scopes, urgent, nullptr);
  return ops;
}

Status Node::Stop(std::chrono::milliseconds limit) {
  Impl& n = *impl_;
  if (!n.stopped) {
    n.stopped = true;
    if (n.dialer) n.dialer->Stop();
    if (n.listener) n.listener->Stop();
    for (auto& [key, peer] : n.peers) {
      peer.closing = true;
      peer.net->Close(Aborted("node stopping"));
    }
    n.dialer.reset();
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
  return total;
}

}  // namespace fulei::node
