#include "admin-web/http_server.h"

#include <openssl/ssl.h>

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <deque>
#include <exception>
#include <type_traits>
#include <unordered_set>
#include <utility>

namespace fulei::web {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using Tcp = asio::ip::tcp;

namespace {
struct Connection;  // one per open connection, below
}  // namespace

struct HttpServer::State {
  State(asio::io_context& io_context, HttpServerConfig c, Handler h)
      : io(io_context),
        config(std::move(c)),
        handler(std::move(h)),
        acceptor(io_context),
        tls(ssl::context::tls_server) {}
  asio::io_context& io;
  HttpServerConfig config;
  Handler handler;
  Tcp::acceptor acceptor;
  bool secure = false;
  ssl::context tls;
  bool stopped = false;
  // Every connection whose coroutine is alive; each removes itself when destroyed.
  std::unordered_set<Connection*> connections;
  std::map<int, uint64_t> by_status;
};

namespace {

using State = HttpServer::State;
using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;
template <class Stream>
constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
// After a last answer: how long a closing connection waits for the client's close_notify and
// drains what the client still sends (so that closing does not reset the answer away), and how
// much it drains at most.
constexpr auto kLinger = std::chrono::seconds(2);
constexpr size_t kMaxLingerBytes = 64 * 1024;

// Mozilla's "intermediate" TLS 1.2 suites: ECDHE and AEAD only. TLS 1.3 keeps its defaults.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// One open connection, as Stop and Publish see it. Owned (shared) by its coroutines.
struct Connection {
  Connection(std::shared_ptr<State> s, asio::any_io_executor ex)
      : state(std::move(s)), wake(ex), watchdog(ex) {
    state->connections.insert(this);
  }
  virtual ~Connection() { state->connections.erase(this); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Closes the socket: every pending operation ends with an error. Idempotent.
  virtual void Close() = 0;

  std::shared_ptr<State> state;
  std::string peer;
  bool closed = false;
  // An event stream: its filter, the events waiting for the writer, and the timer the writer
  // sleeps on (cancelled by Publish to wake it; it expires for the keep-alive comment).
  bool streaming = false;
  std::function<bool(std::string_view)> filter;
  std::deque<std::string> queue;
  asio::steady_timer wake;
  asio::steady_timer watchdog;  // bounds each event stream write
};

template <class Stream>
struct StreamConnection final : Connection {
  template <class... Args>
  StreamConnection(std::shared_ptr<State> s, Tcp::socket socket, Args&... args)
      : Connection(std::move(s), socket.get_executor()), stream(std::move(socket), args...) {}
  void Close() override {
    if (closed) return;
    closed = true;
    beast::get_lowest_layer(stream).close();
    wake.cancel();
    watchdog.cancel();
  }
  Stream stream;
};

std::string ErrorJson(std::string_view code, std::string_view message) {
  return std::string(R"({"error":{"code":")") + std::string(code) + R"(","message":")" +
         std::string(message) + R"("}})";
}

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// Whether a header the handler set may be written: a token name, a value without line breaks,
// and none of the headers the transport owns.
bool Writable(std::string_view name, std::string_view value) {
  if (name.empty() || !std::all_of(name.begin(), name.end(), IsTokenChar)) return false;
  if (value.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos) return false;
  const std::string lower = ToLower(name);
  return lower != "content-length" && lower != "transfer-encoding" && lower != "connection";
}

template <class Fields>
void AddHeaders(Fields& fields, const std::vector<std::pair<std::string, std::string>>& headers) {
  for (const auto& [name, value] : headers) {
    if (Writable(name, value)) fields.insert(name, value);
  }
  fields.set("X-Content-Type-Options", "nosniff");
  fields.set("Referrer-Policy", "no-referrer");
}

unsigned ValidStatus(int status) {
  return status >= 100 && status <= 599 ? static_cast<unsigned>(status) : 500u;
}

// One SSE event: one `data:` line per line of data, line breaks in the name dropped.
std::string FormatEvent(const Event& event) {
  std::string out = "event: ";
  for (char c : event.name) {
    if (c != '\n' && c != '\r') out += c;
  }
  out += "\ndata: ";
  for (char c : event.data) {
    if (c == '\r') continue;
    out += c == '\n' ? std::string("\ndata: ") : std::string(1, c);
  }
  out += "\n\n";
  return out;
}

// The status to answer a request that failed to arrive whole with; 0 when there is nobody to
// answer (the client left, or was too slow).
unsigned StatusForReadError(const beast::error_code& ec) {
  if (ec == http::error::end_of_stream || ec == http::error::partial_message) return 0;
  if (ec == http::error::header_limit || ec == http::error::buffer_overflow) return 431;
  if (ec == http::error::body_limit) return 413;
  if (ec.category() == http::make_error_code(http::error::bad_method).category()) return 400;
  return 0;
}

std::string PeerAddress(const Tcp::socket& socket) {
  beast::error_code ec;
  const Tcp::endpoint peer = socket.remote_endpoint(ec);
  if (ec) return "";
  asio::ip::address address = peer.address();
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
  }
  return address.to_string();
}

// Ends a connection after its last answer: TLS close_notify, then a half-close and a bounded
// drain of what the client still sends, then close.
template <class Stream>
asio::awaitable<void> CloseGracefully(std::shared_ptr<StreamConnection<Stream>> conn) {
  auto& lowest = beast::get_lowest_layer(conn->stream);
  if (!conn->closed) {
    lowest.expires_after(kLinger);
    if constexpr (kTls<Stream>) {
      auto [ec] = co_await conn->stream.async_shutdown(kTuple);
      (void)ec;
    }
    beast::error_code ec;
    lowest.socket().shutdown(Tcp::socket::shutdown_send, ec);
    std::array<char, 4096> sink;
    size_t drained = 0;
    while (!conn->closed && drained < kMaxLingerBytes) {
      auto [rec, n] = co_await lowest.async_read_some(asio::buffer(sink), kTuple);
      if (rec) break;
      drained += n;
    }
  }
  conn->Close();
}

// Writes the transport's own error answer (JSON) and closes the connection.
template <class Stream>
asio::awaitable<void> Refuse(std::shared_ptr<StreamConnection<Stream>> conn, unsigned status,
                             unsigned version) {
  std::string body;
  switch (status) {
    case 413:
      body = ErrorJson("payload_too_large", "请求内容过大 / request body too large");
      break;
    case 431:
      body = ErrorJson("headers_too_large", "请求头过大 / request headers too large");
      break;
    case 500:
      body = ErrorJson("internal", "服务器内部错误 / internal error");
      break;
    default:
      status = 400;
      body = ErrorJson("bad_request", "请求格式错误 / malformed request");
  }
  http::response<http::string_body> res;
  res.version(version == 10 ? 10 : 11);
  res.result(status);
  res.set(http::field::content_type, "application/json; charset=utf-8");
  AddHeaders(res, {});
  res.body() = std::move(body);
  res.keep_alive(false);
  res.prepare_payload();
  ++conn->state->by_status[static_cast<int>(status)];
  beast::get_lowest_layer(conn->stream).expires_after(conn->state->config.write_timeout);
  auto [ec, n] = co_await http::async_write(conn->stream, res, kTuple);
  if (ec) {
    conn->Close();
    co_return;
  }
  co_await CloseGracefully(conn);
}

// Reads from an event stream until the client closes it (what it sends is discarded), then
// closes the connection, which ends the writer.
template <class Stream>
asio::awaitable<void> WatchClose(std::shared_ptr<StreamConnection<Stream>> conn) {
  std::array<char, 512> sink;
  for (;;) {
    auto [ec, n] = co_await conn->stream.async_read_some(asio::buffer(sink), kTuple);
    if (ec) break;
  }
  conn->Close();
}

// Turns the connection into an event stream: the header, then queued events and keep-alive
// comments until the client leaves, the stream falls too far behind, or the server stops.
template <class Stream>
asio::awaitable<void> StreamEvents(std::shared_ptr<StreamConnection<Stream>> conn,
                                   Response response, unsigned version) {
  State& state = *conn->state;
  auto& lowest = beast::get_lowest_layer(conn->stream);
  http::response<http::empty_body> res;
  res.version(version == 10 ? 10 : 11);
  res.result(ValidStatus(response.status));
  AddHeaders(res, response.headers);
  res.set(http::field::content_type, "text/event-stream");
  res.set(http::field::cache_control, "no-store");
  ++state.by_status[static_cast<int>(res.result_int())];
  http::response_serializer<http::empty_body> serializer(res);
  lowest.expires_after(state.config.write_timeout);
  {
    auto [ec, n] = co_await http::async_write_header(conn->stream, serializer, kTuple);
    if (ec) {
      conn->Close();
      co_return;
    }
  }
  // From here the stream's own timers stay off (a read and a write are both in flight); the
  // watchdog bounds each write instead.
  lowest.expires_never();
  conn->streaming = true;
  conn->filter = std::move(response.event_filter);
  asio::co_spawn(conn->stream.get_executor(), WatchClose(conn), asio::detached);
  std::string out;
  while (!conn->closed && !state.stopped) {
    if (conn->queue.empty()) {
      conn->wake.expires_after(state.config.event_keepalive);
      auto [ec] = co_await conn->wake.async_wait(kTuple);
      // Expired: nothing was published for a while. Cancelled: Publish, or Close.
      if (!ec && conn->queue.empty()) conn->queue.emplace_back(": keep-alive\n\n");
      continue;
    }
    out.clear();
    for (const std::string& event : conn->queue) out += event;
    conn->queue.clear();
    conn->watchdog.expires_after(state.config.write_timeout);
    conn->watchdog.async_wait([conn](const beast::error_code& ec) {
      if (!ec) conn->Close();
    });
    auto [ec, n] = co_await asio::async_write(conn->stream, asio::buffer(out), kTuple);
    conn->watchdog.cancel();
    if (ec) break;
  }
  conn->Close();
}

template <class Stream>
asio::awaitable<void> ServeRequests(std::shared_ptr<StreamConnection<Stream>> conn) {
  State& state = *conn->state;
  const HttpServerConfig& config = state.config;
  auto& lowest = beast::get_lowest_layer(conn->stream);
  if constexpr (kTls<Stream>) {
    lowest.expires_after(config.handshake_timeout);
    auto [ec] = co_await conn->stream.async_handshake(ssl::stream_base::server, kTuple);
    if (ec) co_return;
  }
  beast::flat_buffer buffer;
  for (bool first = true; !conn->closed && !state.stopped; first = false) {
    if (!first && buffer.size() == 0) {
      // Between keep-alive requests: the next one's header timeout starts with its first bytes.
      lowest.expires_after(config.idle_timeout);
      auto [ec, n] = co_await conn->stream.async_read_some(buffer.prepare(4096), kTuple);
      if (ec) co_return;
      buffer.commit(n);
    }
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(
        std::min<size_t>(config.max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
    parser.body_limit(static_cast<std::uint64_t>(config.max_body_bytes));
    lowest.expires_after(config.header_timeout);  // for the whole header, not per read
    {
      auto [ec, n] = co_await http::async_read_header(conn->stream, buffer, parser, kTuple);
      if (ec) {
        if (unsigned status = StatusForReadError(ec); status != 0) {
          co_await Refuse(conn, status, 11);
        }
        co_return;
      }
    }
    const unsigned version = parser.get().version();
    const auto header_count =
        static_cast<size_t>(std::distance(parser.get().begin(), parser.get().end()));
    if (header_count > config.max_header_count) {
      co_await Refuse(conn, 431, version);
      co_return;
    }
    if (!parser.is_done()) {
      if (ToLower(parser.get()[http::field::expect]) == "100-continue") {
        http::response<http::empty_body> go_on(http::status::continue_, version);
        lowest.expires_after(config.write_timeout);
        auto [ec, n] = co_await http::async_write(conn->stream, go_on, kTuple);
        if (ec) co_return;
      }
      lowest.expires_after(config.body_timeout);
      auto [ec, n] = co_await http::async_read(conn->stream, buffer, parser, kTuple);
      if (ec) {
        if (unsigned status = StatusForReadError(ec); status != 0) {
          co_await Refuse(conn, status, version);
        }
        co_return;
      }
    }
    if (state.stopped) co_return;

    http::request<http::string_body>& message = parser.get();
    Request request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    for (const auto& field : message) {
      request.headers.emplace_back(ToLower(field.name_string()), std::string(field.value()));
    }
    request.body = std::move(message.body());
    request.peer = conn->peer;
    request.secure = kTls<Stream>;
    const bool keep_alive = message.keep_alive();
    Response response;
    try {
      response = state.handler(request);
    } catch (const std::exception&) {
      response.status = 0;  // a bug in the handler: answered 500 below
    }
    if (response.status == 0) {
      co_await Refuse(conn, 500, version);
      co_return;
    }
    if (state.stopped || conn->closed) co_return;
    if (response.event_filter) {
      co_await StreamEvents(conn, std::move(response), version);
      co_return;
    }

    http::response<http::string_body> res;
    res.version(version);
    res.result(ValidStatus(response.status));
    AddHeaders(res, response.headers);
    const size_t body_size = response.body.size();
    res.body() = std::move(response.body);
    res.keep_alive(keep_alive);
    res.prepare_payload();
    if (request.method == "HEAD") {
      res.body().clear();
      res.content_length(body_size);
    }
    ++state.by_status[static_cast<int>(res.result_int())];
    lowest.expires_after(config.write_timeout);
    {
      auto [ec, n] = co_await http::async_write(conn->stream, res, kTuple);
      if (ec) co_return;
    }
    if (!keep_alive) {
      co_await CloseGracefully(conn);
      co_return;
    }
  }
}

// The top of each connection's coroutine: nothing escapes it.
template <class Stream>
asio::awaitable<void> Serve(std::shared_ptr<StreamConnection<Stream>> conn) {
  try {
    co_await ServeRequests(conn);
  } catch (const std::exception&) {
  }
  conn->Close();
}

asio::awaitable<void> Accept(std::shared_ptr<State> state) {
  for (;;) {
    auto [ec, socket] = co_await state->acceptor.async_accept(kTuple);
    if (state->stopped || ec == asio::error::operation_aborted) co_return;
    if (ec) {
      // Out of descriptors or memory: let the open connections finish before trying again.
      asio::steady_timer pause(state->io, std::chrono::milliseconds(100));
      auto [pec] = co_await pause.async_wait(kTuple);
      (void)pec;
      continue;
    }
    size_t open = 0;
    for (const Connection* c : state->connections) open += c->closed ? 0 : 1;
    if (open >= state->config.max_connections) {
      beast::error_code cec;
      socket.close(cec);
      continue;
    }
    beast::error_code oec;
    socket.set_option(Tcp::no_delay(true), oec);
    std::string peer = PeerAddress(socket);
    if (state->secure) {
      auto conn =
          std::make_shared<StreamConnection<TlsStream>>(state, std::move(socket), state->tls);
      conn->peer = std::move(peer);
      asio::co_spawn(state->io, Serve(conn), asio::detached);
    } else {
      auto conn = std::make_shared<StreamConnection<PlainStream>>(state, std::move(socket));
      conn->peer = std::move(peer);
      asio::co_spawn(state->io, Serve(conn), asio::detached);
    }
  }
}

Status SetUpTls(ssl::context& tls, const HttpServerConfig& config) {
  beast::error_code ec;
  tls.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                      ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                      ssl::context::single_dh_use | ssl::context::no_compression,
                  ec);
  if (ec) return Internal("TLS options: " + ec.message());
  SSL_CTX* native = tls.native_handle();
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1) {
    return Internal("TLS: cannot set the protocol version or ciphers");
  }
  SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  tls.use_certificate_chain_file(config.certificate_chain_path, ec);
  if (ec) {
    return InvalidArgument("无法读取管理网页证书 / cannot load the admin web certificate " +
                           config.certificate_chain_path + ": " + ec.message());
  }
  tls.use_private_key_file(config.private_key_path, ssl::context::pem, ec);
  if (ec) {
    return InvalidArgument("无法读取管理网页私钥 / cannot load the admin web private key " +
                           config.private_key_path + ": " + ec.message());
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    return InvalidArgument("管理网页私钥与证书不匹配 / the admin web private key " +
                           config.private_key_path + " does not match the certificate " +
                           config.certificate_chain_path);
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<HttpServer>> HttpServer::Start(asio::io_context& io, HttpServerConfig config,
                                                      Handler handler) {
  beast::error_code ec;
  const asio::ip::address address = asio::ip::make_address(config.address, ec);
  if (ec) {
    return InvalidArgument(
        "管理网页地址不是 IP 地址 / the admin web address is not an IP "
        "address: " +
        config.address);
  }
  const bool has_cert = !config.certificate_chain_path.empty();
  const bool has_key = !config.private_key_path.empty();
  if (has_cert != has_key) {
    return InvalidArgument(
        "管理网页的证书和私钥须同时配置 / the admin web needs both a certificate and its key");
  }
  if (!has_cert && !address.is_loopback()) {
    return InvalidArgument(
        "未配置 TLS 时管理网页只能监听本机地址 / plain HTTP is served on a loopback address "
        "only (127.0.0.0/8, ::1); configure a certificate and key for " +
        config.address);
  }
  auto state = std::make_shared<State>(io, std::move(config), std::move(handler));
  state->secure = has_cert;
  if (state->secure) FULEI_RETURN_IF_ERROR(SetUpTls(state->tls, state->config));

  const Tcp::endpoint endpoint(address, state->config.port);
  const std::string where = state->config.address + ":" + std::to_string(state->config.port);
  state->acceptor.open(endpoint.protocol(), ec);
  if (!ec) state->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) state->acceptor.bind(endpoint, ec);
  if (!ec) state->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return IoError("管理网页无法监听 / the admin web cannot listen on " + where + ": " +
                   ec.message());
  }
  const uint16_t port = state->acceptor.local_endpoint(ec).port();
  if (ec) return IoError("admin web: " + ec.message());
  asio::co_spawn(io, Accept(state), asio::detached);
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(state), port));
}

HttpServer::~HttpServer() { Stop(); }

bool HttpServer::secure() const { return state_->secure; }

void HttpServer::Publish(const Event& event) {
  State& state = *state_;
  if (state.stopped) return;
  const std::string text = FormatEvent(event);
  for (Connection* c : state.connections) {
    if (!c->streaming || c->closed) continue;
    if (!event.unit.empty() && !c->filter(event.unit)) continue;
    if (c->queue.size() >= state.config.max_queued_events) {
      c->Close();  // too slow: it reconnects and reloads
      continue;
    }
    c->queue.push_back(text);
    c->wake.cancel();
  }
}

void HttpServer::Stop() {
  State& state = *state_;
  if (state.stopped) return;
  state.stopped = true;
  beast::error_code ec;
  state.acceptor.close(ec);
  for (Connection* c : state.connections) c->Close();
}

std::map<int, uint64_t> HttpServer::requests_by_status() const { return state_->by_status; }

size_t HttpServer::open_connections() const {
  size_t n = 0;
  for (const Connection* c : state_->connections) n += c->closed ? 0 : 1;
  return n;
}

size_t HttpServer::open_event_streams() const {
  size_t n = 0;
  for (const Connection* c : state_->connections) n += c->streaming && !c->closed ? 1 : 0;
  return n;
}

}  // namespace fulei::web
