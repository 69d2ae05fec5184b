#include "node/node.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <iostream>
#include <map>
#include <utility>

#include "crypto/random.h"
#include "net/dialer.h"
#include "net/link.h"
#include "net/listener.h"

namespace fulei::node {
namespace {

namespace asio = boost::asio;
using net::Tcp;

uint64_t SystemWallMs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

Result<Tcp::endpoint> ToAsio(const Endpoint& e) {
  boost::system::error_code ec;
  const asio::ip::address address = asio::ip::make_address(e.address, ec);
  if (ec) return InvalidArgument("bad address '" + e.address + "': " + ec.message());
  return Tcp::endpoint(address, e.port);
}

}  // namespace

struct Node::Impl : std::enable_shared_from_this<Impl> {
  // One link the core knows (or will know, once established) by its ConnId.
  struct Conn {
    std::shared_ptr<net::Link> link;  // set once established
    int upstream = -1;                // -1: a child's link
    bool established = false;
    // A peer without a certificate, enrolling (NodeConfig::enrol): one request, one answer.
    bool enrolling = false;
    bool answered = false;
    std::shared_ptr<asio::steady_timer> deadline;
  };

  Impl(asio::io_context& context, NodeConfig c) : io(context), config(std::move(c)) {}

  uint64_t Wall() const { return config.wall_clock ? config.wall_clock() : SystemWallMs(); }
  void Log(std::string_view line) const {
    if (config.log) {
      config.log(line);
    } else {
      std::cerr << "fulei " << line << "\n";
    }
  }

  Status Listen();
  // Carries out what the core queued.
  void Drive();
  void Dial(size_t k);
  void SetTimer(TimerId timer, uint64_t at_ms);
  // Every second: NodeCore::ShipAudit (entries the CLI's commands and the web appended).
  void KeepShippingAudit();
  std::shared_ptr<net::LinkHandler> MakeHandler(ConnId id, int upstream);

  // Link callbacks, routed here while the node lives.
  void Established(ConnId id, const std::shared_ptr<net::Link>& link);
  void Message(ConnId id, net::LinkMessage message);
  void Closed(ConnId id, const Status& reason);

  asio::io_context& io;
  NodeConfig config;
  crypto::SystemRandom random;
  std::unique_ptr<NodeCore> core;
  std::unique_ptr<net::Listener> listener;
  uint16_t port = 0;
  std::vector<std::vector<Tcp::endpoint>> upstream_endpoints;  // per upstream
  std::vector<size_t> dial_count;                              // per upstream: endpoint rotation
  std::vector<std::shared_ptr<net::DialAttempt>> attempts;     // per upstream, in progress
  std::map<ConnId, Conn> conns;
  ConnId next_conn = 1;
  std::map<TimerId, std::unique_ptr<asio::steady_timer>> timers;
  std::unique_ptr<asio::steady_timer> audit_timer;
  std::vector<std::weak_ptr<net::LinkHandler>> handlers;
  bool stopped = false;
};

namespace {

// Routes one link's callbacks to the node, if it still exists.
class Handler final : public net::LinkHandler {
 public:
  Handler(std::weak_ptr<Node::Impl> node, ConnId id) : node_(std::move(node)), id_(id) {}
  void OnEstablished(const std::shared_ptr<net::Link>& link) override {
    if (auto n = node_.lock()) n->Established(id_, link);
  }
  void OnMessage(net::Link&, net::LinkMessage message) override {
    if (auto n = node_.lock()) n->Message(id_, std::move(message));
  }
  void OnClosed(net::Link&, const Status& reason) override {
    if (auto n = node_.lock()) n->Closed(id_, reason);
  }

 private:
  std::weak_ptr<Node::Impl> node_;
  ConnId id_;
};

}  // namespace

std::shared_ptr<net::LinkHandler> Node::Impl::MakeHandler(ConnId id, int upstream) {
  conns[id] = Conn{nullptr, upstream, false, false, false, nullptr};
  std::erase_if(handlers, [](const auto& h) { return h.expired(); });
  auto h = std::make_shared<Handler>(weak_from_this(), id);
  handlers.push_back(h);
  return h;
}

Status Node::Impl::Listen() {
  if (!config.link.log && config.log) config.link.log = config.log;
  for (const Upstream& up : config.upstreams) {
    std::vector<Tcp::endpoint> endpoints;
    for (const Endpoint& e : up.endpoints) {
      FULEI_ASSIGN_OR_RETURN(Tcp::endpoint endpoint, ToAsio(e));
      endpoints.push_back(endpoint);
    }
    if (endpoints.empty()) {
      return InvalidArgument("upstream " + std::to_string(upstream_endpoints.size()) +
                             " has no endpoint");
    }
    upstream_endpoints.push_back(std::move(endpoints));
  }
  dial_count.assign(upstream_endpoints.size(), 0);
  attempts.resize(upstream_endpoints.size());
  if (!config.listen) return Status::Ok();
  FULEI_ASSIGN_OR_RETURN(Tcp::endpoint endpoint, ToAsio(*config.listen));
  net::ListenerConfig lc;
  lc.link = config.link;
  lc.handshakes = config.handshakes;
  std::weak_ptr<Impl> weak = weak_from_this();
  auto channels = [weak](bool) -> Result<crypto::Channel> {
    auto self = weak.lock();
    if (!self || self->stopped) return FailedPrecondition("node stopping");
    return self->core->MakeChannel(-1, self->Wall());
  };
  auto handlers_of = [weak](const Tcp::endpoint&) -> std::shared_ptr<net::LinkHandler> {
    auto self = weak.lock();
    if (!self || self->stopped) return nullptr;
    return self->MakeHandler(self->next_conn++, /*upstream=*/-1);
  };
  FULEI_ASSIGN_OR_RETURN(listener,
                         net::Listener::Start(io, endpoint, std::move(lc), std::move(channels),
                                              std::move(handlers_of)));
  port = listener->local_endpoint().port();
  return Status::Ok();
}

void Node::Impl::Drive() {
  for (;;) {
    std::vector<Action> actions = core->TakeActions();
    if (actions.empty()) return;
    for (Action& a : actions) {
      switch (a.kind) {
        case Action::Kind::kSend: {
          auto it = conns.find(a.conn);
          if (it == conns.end() || !it->second.link) break;
          Status sent = it->second.link->Send(a.priority, a.stream, std::move(a.bytes));
          // The link is closing, or (a bug) back-pressure was ignored: it ends, the core hears.
          if (!sent.ok()) it->second.link->Close(sent);
          break;
        }
        case Action::Kind::kClose: {
          auto it = conns.find(a.conn);
          if (it != conns.end() && it->second.link) it->second.link->Close(a.reason);
          break;
        }
        case Action::Kind::kDial:
          Dial(a.upstream);
          break;
        case Action::Kind::kSetTimer:
          SetTimer(a.timer, a.at_ms);
          break;
      }
    }
  }
}

void Node::Impl::Dial(size_t k) {
  if (stopped || k >= upstream_endpoints.size()) return;
  const ConnId id = next_conn++;
  net::DialOnceConfig dc;
  dc.link = config.link;
  dc.connect_timeout = config.connect_timeout;
  std::weak_ptr<Impl> weak = weak_from_this();
  auto channels = [weak, k](bool) -> Result<crypto::Channel> {
    auto self = weak.lock();
    if (!self || self->stopped) return FailedPrecondition("node stopping");
    return self->core->MakeChannel(static_cast<int>(k), self->Wall());
  };
  auto on_failed = [weak, k, id](Status why) {
    auto self = weak.lock();
    if (!self || self->stopped) return;
    self->conns.erase(id);
    self->Log("node " + self->config.unit + ": dial of upstream " + std::to_string(k) +
              " failed: " + why.ToString());
    self->core->OnDialFailed(k, why, self->Wall());
    self->Drive();
  };
  attempts[k] =
      net::DialOnce(io, upstream_endpoints[k], dial_count[k]++, std::move(dc), std::move(channels),
                    MakeHandler(id, static_cast<int>(k)), std::move(on_failed));
}

void Node::Impl::SetTimer(TimerId timer, uint64_t at_ms) {
  if (stopped) return;
  auto& t = timers[timer];
  if (!t) t = std::make_unique<asio::steady_timer>(io);
  const uint64_t now = Wall();
  t->expires_after(std::chrono::milliseconds(at_ms > now ? at_ms - now : 0));
  t->async_wait([weak = weak_from_this(), timer](const boost::system::error_code& ec) {
    if (ec) return;  // replaced or cancelled
    auto self = weak.lock();
    if (!self || self->stopped) return;
    self->core->OnTimer(timer, self->Wall());
    self->Drive();
  });
}

void Node::Impl::KeepShippingAudit() {
  if (!audit_timer) audit_timer = std::make_unique<asio::steady_timer>(io);
  audit_timer->expires_after(std::chrono::seconds(1));
  audit_timer->async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
    auto self = weak.lock();
    if (ec || !self || self->stopped) return;
    if (auto shipped = self->core->ShipAudit(self->Wall()); !shipped.ok()) {
      self->Log("audit: " + shipped.status().ToString());
    }
    self->Drive();
    self->KeepShippingAudit();
  });
}

void Node::Impl::Established(ConnId id, const std::shared_ptr<net::Link>& link) {
  auto it = conns.find(id);
  if (stopped || it == conns.end()) return link->Close(Aborted("node stopping"));
  const auto& cert = link->peer_certificate();
  if (!cert && config.enrol) {
    // An enrolling peer: it gets enrol_timeout to send its request; the core never sees it.
    it->second.link = link;
    it->second.enrolling = true;
    it->second.deadline = std::make_shared<asio::steady_timer>(io, config.enrol_timeout);
    it->second.deadline->async_wait(
        [weak = std::weak_ptr<net::Link>(link)](const boost::system::error_code& ec) {
          if (ec) return;
          if (auto l = weak.lock()) l->Close(Unavailable("enrolment: no request in time"));
        });
    return;
  }
  if (!cert) return link->Close(PermissionDenied("peer has no certificate"));
  it->second.link = link;
  it->second.established = true;
  core->OnConnected(id, it->second.upstream, *cert, Wall());
  Drive();
}

void Node::Impl::Message(ConnId id, net::LinkMessage message) {
  if (stopped) return;
  auto it = conns.find(id);
  if (it != conns.end() && it->second.enrolling) {
    Conn& conn = it->second;
    if (conn.answered) return conn.link->Close(InvalidArgument("enrolment: one request only"));
    conn.answered = true;
    std::string answer = config.enrol(message.body, conn.link->channel(), core->Now(Wall()));
    Status sent = conn.link->Send(sync::Priority::kControl, 0, std::move(answer));
    if (!sent.ok()) conn.link->Close(sent);
    return;  // the peer closes once it has the answer; the deadline closes it otherwise
  }
  core->OnMessage(id, message.body, Wall());
  Drive();
}

void Node::Impl::Closed(ConnId id, const Status& reason) {
  auto it = conns.find(id);
  if (it == conns.end()) return;
  const Conn conn = std::move(it->second);
  conns.erase(it);
  if (conn.deadline) conn.deadline->cancel();
  if (conn.established) {
    core->OnClosed(id, reason, Wall());
  } else if (conn.upstream >= 0 && !stopped) {
    // The handshake with the upstream failed: the dial produced no connection.
    Log("node " + config.unit + ": handshake with upstream " + std::to_string(conn.upstream) +
        " failed: " + reason.ToString());
    core->OnDialFailed(static_cast<size_t>(conn.upstream), reason, Wall());
  }
  if (!stopped) Drive();
}

Result<std::unique_ptr<Node>> Node::Start(asio::io_context& io, NodeConfig config,
                                          crypto::NodeIdentity identity, crypto::CertChain chain,
                                          const crypto::SigningPublicKey& root) {
  auto impl = std::make_shared<Impl>(io, std::move(config));
  const NodeConfig& c = impl->config;
  CoreConfig cc;
  cc.unit = c.unit;
  cc.data_dir = c.data_dir;
  for (const Upstream& up : c.upstreams) cc.upstream_units.push_back(up.unit);
  cc.sync_window = c.sync_window;
  cc.sync_max_batch_ops = c.sync_max_batch_ops;
  cc.sealer = c.sealer;
  cc.unsealed_for_tests = c.unsealed_for_tests;
  cc.initial_map_bytes = c.initial_map_bytes;
  cc.reserve_bytes = c.reserve_bytes;
  cc.backoff = c.backoff;
  cc.backoff_seed = c.dial_seed;
  if (cc.backoff_seed == 0) {
    impl->random.Fill(reinterpret_cast<uint8_t*>(&cc.backoff_seed), sizeof cc.backoff_seed);
  }
  cc.accept_enrolments = static_cast<bool>(c.enrol);
  cc.escalate = c.escalate;
  cc.report_deadline_minutes = c.report_deadline_minutes;
  cc.help_request_deadline_minutes = c.help_request_deadline_minutes;
  cc.escalation_interval_ms = static_cast<uint64_t>(c.escalation_interval.count());
  cc.log = [weak = std::weak_ptr<Impl>(impl)](std::string_view line) {
    if (auto self = weak.lock()) self->Log(line);
  };
  FULEI_RETURN_IF_ERROR(impl->Listen());
  FULEI_ASSIGN_OR_RETURN(impl->core,
                         NodeCore::Open(std::move(cc), std::move(identity), std::move(chain), root,
                                        impl->random, impl->Wall()));
  impl->Drive();
  impl->KeepShippingAudit();
  return std::unique_ptr<Node>(new Node(std::move(impl)));
}

Node::~Node() {
  Status st = Stop();
  if (!st.ok()) impl_->Log("node " + impl_->config.unit + ": stop: " + st.ToString());
}

Result<std::vector<crdt::Op>> Node::Write(const std::vector<store::LocalChange>& changes,
                                          const std::vector<std::string>& urgent_outboxes) {
  Impl& n = *impl_;
  if (n.stopped) return FailedPrecondition("node stopped");
  auto ops = n.core->Write(changes, urgent_outboxes, n.Wall());
  n.Drive();
  return ops;
}

Result<std::vector<crdt::Op>> Node::WriteAs(const programme::Viewer& writer,
                                            const std::vector<store::LocalChange>& changes,
                                            const std::vector<std::string>& urgent_outboxes) {
  Impl& n = *impl_;
  if (n.stopped) return FailedPrecondition("node stopped");
  auto ops = n.core->WriteAs(writer, changes, urgent_outboxes, n.Wall());
  n.Drive();
  return ops;
}

Status Node::PublishRevocations(std::string_view signed_list) {
  Impl& n = *impl_;
  if (n.stopped) return FailedPrecondition("node stopped");
  Status st = n.core->PublishRevocations(signed_list, n.Wall());
  n.Drive();
  return st;
}

Result<size_t> Node::CheckEscalations() {
  Impl& n = *impl_;
  if (n.stopped) return FailedPrecondition("node stopped");
  auto flagged = n.core->CheckEscalations(n.Wall());
  n.Drive();
  return flagged;
}

Result<size_t> Node::ShipAudit() {
  Impl& n = *impl_;
  if (n.stopped) return FailedPrecondition("node stopped");
  auto shipped = n.core->ShipAudit(n.Wall());
  if (!shipped.ok()) n.Log("audit: " + shipped.status().ToString());
  n.Drive();
  return shipped;
}

Status Node::Stop(std::chrono::milliseconds limit) {
  Impl& n = *impl_;
  if (!n.stopped) {
    n.core->Stop();
    if (n.audit_timer) n.audit_timer->cancel();
    n.Drive();  // closes every established link
    n.stopped = true;
    for (auto& [id, t] : n.timers) t->cancel();
    for (auto& a : n.attempts) {
      if (a) a->Cancel();
    }
    if (n.listener) n.listener->Stop();
    for (auto& [id, conn] : n.conns) {
      if (conn.link) conn.link->Close(Aborted("node stopping"));
    }
    n.listener.reset();
  }
  // Every handler is dropped once its link's OnClosed ran and the accept loop ended.
  const auto deadline = std::chrono::steady_clock::now() + limit;
  auto alive = [&] {
    return std::any_of(n.handlers.begin(), n.handlers.end(),
                       [](const auto& h) { return !h.expired(); });
  };
  while (alive()) {
    if (std::chrono::steady_clock::now() > deadline) {
      return Unavailable("links still open " + std::to_string(limit.count()) + " ms after stop");
    }
    n.io.run_one_for(std::chrono::milliseconds(5));
    if (n.io.stopped()) n.io.restart();
  }
  return Status::Ok();
}

uint16_t Node::listen_port() const { return impl_->port; }
const std::string& Node::unit() const { return impl_->core->unit(); }
crdt::NodeId Node::node_id() const { return impl_->core->node_id(); }
NodeCore& Node::core() { return *impl_->core; }
const NodeCore& Node::core() const { return *impl_->core; }
uint64_t Node::now_ms() const { return impl_->core->Now(impl_->Wall()); }

}  // namespace fulei::node
