#include "node/web.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <system_error>

#include "admin-web/api.h"
#include "admin-web/http_server.h"
#include "admin-web/static_files.h"
#include "node/core/outboxes.h"
#include "node/data_dir.h"
#include "sync/priority.h"
#include "sync/receipts.h"

namespace fulei::node {
namespace asio = boost::asio;

struct WebServer::Impl {
  Node* node = nullptr;
  std::unique_ptr<web::Api> api;
  std::unique_ptr<web::HttpServer> http;
  std::unique_ptr<asio::steady_timer> timer;
  uint64_t seen_version = 0;
  bool seen_upstream = false;
  bool tls = false;
  bool stopped = false;

  bool UpstreamUp() const {
    for (const PeerStatus& p : node->core().peers()) {
      if (p.upstream >= 0 && p.connected) return true;
    }
    return false;
  }

  // Every 500 ms: ops arrived (data version rose) -> `changed`; the upstream came or went ->
  // `sync`. Cheap: two integers and the peer list.
  void Watch() {
    timer->expires_after(std::chrono::milliseconds(500));
    timer->async_wait([this](const boost::system::error_code& ec) {
      if (ec || stopped) return;
      const uint64_t v = node->core().data_version();
      if (v != seen_version) {
        seen_version = v;
        http->Publish(web::Event{"changed", "", "{}"});
      }
      const bool up = UpstreamUp();
      if (up != seen_upstream) {
        seen_upstream = up;
        http->Publish(web::Event{
            "sync", "", std::string("{\"upstream_connected\":") + (up ? "true" : "false") + "}"});
      }
      Watch();
    });
  }
};

WebServer::WebServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
WebServer::~WebServer() { Stop(); }

void WebServer::Stop() {
  if (!impl_ || impl_->stopped) return;
  impl_->stopped = true;
  if (impl_->timer) impl_->timer->cancel();
  if (impl_->http) impl_->http->Stop();
}

uint16_t WebServer::port() const { return impl_->http->port(); }
bool WebServer::tls() const { return impl_->tls; }

Result<std::unique_ptr<WebServer>> WebServer::Start(asio::io_context& io, Node& node,
                                                    const DaemonConfig& config,
                                                    const std::filesystem::path& data_dir) {
  if (!config.web) return InvalidArgument("no [web] listen address");
  auto impl = std::make_unique<Impl>();
  Impl* self = impl.get();
  impl->node = &node;

  web::HttpServerConfig hc;
  hc.address = config.web->address;
  hc.port = config.web->port;
  std::string cert = config.web_certificate;
  std::string key = config.web_private_key.empty() ? cert : config.web_private_key;
  if (cert.empty()) {
    const DataDir data(data_dir);
    const std::filesystem::path c = data.web_certificate_path(), k = data.web_key_path();
    std::error_code ec;
    if (std::filesystem::exists(c, ec) && std::filesystem::exists(k, ec)) {
      cert = c.string();
      key = k.string();
    }
  }
  hc.certificate_chain_path = cert;
  hc.private_key_path = cert.empty() ? std::string() : key;
  impl->tls = !cert.empty();

  web::ApiConfig ac;
  ac.store = &node.store();
  ac.unit = node.unit();
  ac.node_id = sync::NodeHex(node.node_id());
  ac.now_ms = [&node] { return node.core().Now(node.now_ms()); };
  ac.write_as = [&node](const programme::Viewer& who,
                        const std::vector<store::LocalChange>& changes, bool urgent) {
    return node.WriteAs(
        who, changes,
        urgent ? std::vector<std::string>{kUpstreamOutbox} : std::vector<std::string>{});
  };
  ac.write_system = [&node](const std::vector<store::LocalChange>& changes) {
    return node.Write(changes);
  };
  ac.peers = [&node] {
    std::vector<web::PeerInfo> out;
    for (const PeerStatus& p : node.core().peers()) {
      web::PeerInfo i;
      i.unit = p.unit;
      i.node = sync::NodeHex(p.node);
      i.upstream = p.upstream >= 0;
      i.connected = p.connected;
      i.last_synced_ms = p.last_synced_ms;
      i.protocol = p.protocol;
      for (uint64_t b : p.bytes_sent) i.bytes_sent += b;
      for (uint64_t b : p.bytes_received) i.bytes_received += b;
      out.push_back(std::move(i));
    }
    return out;
  };
  ac.upstream_configured = !config.node.upstreams.empty();
  ac.figures = [&node] {
    web::NodeFigures f;
    const NodeStats s = node.stats();
    f.ops_applied = s.ops_applied;
    for (const PeerStatus& p : node.core().peers()) {
      if (p.connected) ++f.peers_up;
      for (size_t c = 0; c < sync::kPriorityCount; ++c) {
        const std::string name(sync::PriorityName(static_cast<sync::Priority>(c)));
        f.sync_bytes[name] += p.bytes_sent[c] + p.bytes_received[c];
      }
    }
    if (auto st = node.store().Stats(); st.ok()) f.store_bytes = st->used_bytes;
    return f;
  };
  ac.scratch_dir = data_dir.string();
  ac.publish = [self](const web::Event& e) {
    if (self->http) self->http->Publish(e);
  };
  ac.static_files = [](const web::Request& r) { return web::ServeStaticFile(r); };
  FULEI_ASSIGN_OR_RETURN(impl->api, web::Api::Create(std::move(ac)));

  // What a request audited (a login, a read, an export, a user change) is copied into records
  // that replicate up (NodeCore::ShipAudit) as soon as the request is answered.
  FULEI_ASSIGN_OR_RETURN(impl->http, web::HttpServer::Start(io, hc, [self](const web::Request& r) {
                           web::Response response = self->api->Handle(r);
                           (void)self->node->ShipAudit();  // logs its own failure
                           return response;
                         }));
  impl->timer = std::make_unique<asio::steady_timer>(io);
  impl->seen_version = node.core().data_version();
  impl->seen_upstream = impl->UpstreamUp();
  impl->Watch();
  return std::unique_ptr<WebServer>(new WebServer(std::move(impl)));
}

}  // namespace fulei::node
