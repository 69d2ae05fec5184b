// The admin web of a running node (docs/web-api.md): the API (admin-web/api.h) over the node's
// store and core, served by the HTTP(S) transport (admin-web/http_server.h) on the node's event
// loop, with the embedded UI. Live events: what the API writes is published as it happens; what
// arrives from peers (a receipt, an acknowledgement, a sync) is noticed by a timer watching the
// core's data version and published as `changed`, and a change of the upstream link as `sync`.
//
// TLS: the certificate and key fulei.toml names ([web] certificate, private_key), else the
// self-signed pair `fulei init` made in the data directory (web-cert.pem, web-key.pem); plain
// HTTP only when both are absent and the address is loopback (the demo, tests).
//
// Threading: everything on the node's event loop. Lifetime: the Node outlives the WebServer;
// Stop() (and the destructor) closes every connection and cancels the timer.
#ifndef FULEI_NODE_WEB_H_
#define FULEI_NODE_WEB_H_

#include <filesystem>
#include <memory>

#include "crdt/status.h"
#include "node/config.h"
#include "node/node.h"

namespace boost::asio {
class io_context;
}

namespace fulei::node {

class WebServer {
 public:
  // Starts the admin web of `node` at config.web. Errors: the transport's (address, TLS files,
  // bind), the API's.
  static Result<std::unique_ptr<WebServer>> Start(boost::asio::io_context& io, Node& node,
                                                  const DaemonConfig& config,
                                                  const std::filesystem::path& data_dir);
  ~WebServer();
  WebServer(const WebServer&) = delete;
  WebServer& operator=(const WebServer&) = delete;

  uint16_t port() const;
  bool tls() const;
  void Stop();

  struct Impl;

 private:
  explicit WebServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace fulei::node

#endif  // FULEI_NODE_WEB_H_
