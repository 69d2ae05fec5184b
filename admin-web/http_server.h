// The admin web's transport: HTTP/1.1, over TLS or (on a loopback address only) plain TCP,
// with Boost.Beast on the node's io_context. It turns each request into a web::Request, hands it
// to the API's handler and writes the web::Response back; a Response with an event_filter turns
// the connection into a Server-Sent Events stream fed by Publish (http_types.h,
// docs/web-api.md#live-events).
//
// Untrusted input is bounded before it is parsed (HttpServerConfig): header bytes and count,
// body bytes (413, then close), the time for the whole header (a client trickling a byte a
// second is cut off when the deadline passes, not per byte), the body, the TLS handshake, the
// idle time between keep-alive requests, each write, and the number of connections (more are
// closed at once). A malformed request is answered 400 and its connection closed. TLS is 1.2 or
// newer, with ECDHE and AEAD ciphers only.
//
// Every response gets `X-Content-Type-Options: nosniff` and `Referrer-Policy: no-referrer`, and
// Content-Length; the rest (Content-Type, CSP, cookies) is the handler's. The transport owns
// Content-Length, Transfer-Encoding and Connection: the handler's own are dropped.
//
// Threading: single-threaded. Start, Publish, Stop, the counters and the destructor are called
// on the io_context's thread (or before it runs); the handler is called there too, one request
// at a time per connection, and must not block.
// Lifetime: the server owns its acceptor and connections through state shared with its
// coroutines; Stop (or the destructor) closes them all, after which the handler is never called
// again. The coroutines finish as the io_context runs their cancelled operations.
#ifndef FULEI_ADMIN_WEB_HTTP_SERVER_H_
#define FULEI_ADMIN_WEB_HTTP_SERVER_H_

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "admin-web/http_types.h"
#include "crdt/status.h"

namespace fulei::web {

struct HttpServerConfig {
  std::string address = "127.0.0.1";  // an IPv4 or IPv6 literal
  uint16_t port = 0;                  // 0: the system picks one (see HttpServer::port)
  // TLS: the certificate chain (leaf first) and its private key, PEM files. Both empty: plain
  // HTTP, which Start refuses on any address but a loopback one (127.0.0.0/8, ::1).
  std::string certificate_chain_path;
  std::string private_key_path;

  size_t max_header_bytes = 8 * 1024;  // request line and headers; over it: 431, then close
  size_t max_header_count = 64;        // over it: 431, then close
  size_t max_body_bytes = 1 << 20;     // over it: 413, then close; the handler never sees it
  size_t max_connections = 256;        // open connections (streams too); more are closed at once
  size_t max_queued_events = 256;      // per event stream; a stream this far behind is dropped
  std::chrono::milliseconds header_timeout = std::chrono::seconds(10);  // the whole header
  std::chrono::milliseconds body_timeout = std::chrono::seconds(30);    // the whole body
  std::chrono::milliseconds idle_timeout = std::chrono::seconds(60);    // between requests
  std::chrono::milliseconds handshake_timeout = std::chrono::seconds(10);
  std::chrono::milliseconds write_timeout = std::chrono::seconds(30);    // each response write
  std::chrono::milliseconds event_keepalive = std::chrono::seconds(15);  // ": keep-alive" comment
};

class HttpServer {
 public:
  // Called on the io thread for each complete, well-formed request within the limits.
  using Handler = std::function<Response(const Request&)>;

  // Listens on config.address:config.port and serves connections on `io` with `handler`.
  // kInvalidArgument: the address is not an IP literal, only one of the two TLS paths is set,
  // plain HTTP on an address that is not loopback, or the certificate or key cannot be loaded
  // (missing, malformed, or not a pair). kIoError: the address cannot be bound (in use, not
  // local, no permission).
  // REQUIRES: `io` outlives the server; handler is callable.
  static Result<std::unique_ptr<HttpServer>> Start(boost::asio::io_context& io,
                                                   HttpServerConfig config, Handler handler);
  ~HttpServer();  // Stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The port listened on (the one the system picked when config.port was 0).
  uint16_t port() const { return port_; }
  bool secure() const;

  // Queues "event: <name>\ndata: <data>\n\n" on every open event stream whose filter accepts
  // event.unit (an event with unit "" goes to every stream). A stream with max_queued_events
  // already waiting is closed: a client that slow reconnects and reloads.
  void Publish(const Event& event);

  // Closes the acceptor and every connection, event streams included. Idempotent.
  void Stop();

  // For metrics: responses written, by status code (the transport's own 400/413/431 too; an
  // event stream counts once, when it starts), and what is open now.
  std::map<int, uint64_t> requests_by_status() const;
  size_t open_connections() const;
  size_t open_event_streams() const;

  struct State;

 private:
  HttpServer(std::shared_ptr<State> state, uint16_t port) : state_(std::move(state)), port_(port) {}
  std::shared_ptr<State> state_;
  uint16_t port_ = 0;
};

}  // namespace fulei::web

#endif  // FULEI_ADMIN_WEB_HTTP_SERVER_H_
