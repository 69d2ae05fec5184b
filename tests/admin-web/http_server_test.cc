// The admin web's transport against a real Beast client over TLS on 127.0.0.1, with a
// certificate from MakeSelfSignedCertificate that the client trusts and checks (IP SAN
// 127.0.0.1). The server runs on its own io_context thread; the test reaches it through
// OnServer, and the client runs its own io_context, every operation bounded by a timeout.
#include "admin-web/http_server.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/stat.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <future>
#include <mutex>
#include <optional>
#include <thread>

#include "admin-web/tls_certificate.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace fulei::web {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using beast::error_code;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr milliseconds kTimeout(5000);

// A blocking HTTP(S) client over Beast: each operation runs the client's own io_context until it
// completes or `timeout` passes (then it fails with beast::error::timeout, the connection open).
class Client {
 public:
  enum class Tls { kNone, kDefault, kOnly11, kOnly12 };
  Client(Tls tls, const std::string& ca_file)
      : tls_ctx_(ssl::context::tls_client), tls_(tls), ca_file_(ca_file) {}

  error_code Connect(uint16_t port) {
    const asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
    if (tls_ == Tls::kNone) {
      plain_.emplace(io_);
      return Run([&](auto done) { plain_->async_connect(endpoint, done); }, kTimeout);
    }
    SSL_CTX* native = tls_ctx_.native_handle();
    if (tls_ == Tls::kOnly11) {
      // Everything a TLS 1.1 client could offer, so that only the server can refuse it.
      SSL_CTX_set_security_level(native, 0);
      SSL_CTX_set_min_proto_version(native, TLS1_1_VERSION);
      SSL_CTX_set_max_proto_version(native, TLS1_1_VERSION);
      SSL_CTX_set_cipher_list(native, "ALL:@SECLEVEL=0");
    } else if (tls_ == Tls::kOnly12) {
      SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
      SSL_CTX_set_max_proto_version(native, TLS1_2_VERSION);
    }
    tls_ctx_.load_verify_file(ca_file_);
    tls_ctx_.set_verify_mode(ssl::verify_peer);
    stream_.emplace(io_, tls_ctx_);
    stream_->set_verify_callback(ssl::host_name_verification("127.0.0.1"));
    error_code ec =
        Run([&](auto done) { beast::get_lowest_layer(*stream_).async_connect(endpoint, done); },
            kTimeout);
    if (ec) return ec;
    return Run([&](auto done) { stream_->async_handshake(ssl::stream_base::client, done); },
               kTimeout);
  }

  error_code Write(std::string_view bytes) {
    return Run(
        [&](auto done) {
          With([&](auto& s) {
            asio::async_write(s, asio::buffer(bytes.data(), bytes.size()), done);
          });
        },
        kTimeout);
  }

  error_code Send(http::request<http::string_body> request) {
    request.prepare_payload();
    return Run([&](auto done) { With([&](auto& s) { http::async_write(s, request, done); }); },
               kTimeout);
  }

  error_code Read(http::response<http::string_body>& response) {
    return Run(
        [&](auto done) { With([&](auto& s) { http::async_read(s, buffer_, response, done); }); },
        kTimeout);
  }

  // Reads the status line and headers of a response whose body does not end (an event stream).
  error_code ReadHeader(http::response_parser<http::empty_body>& parser) {
    return Run(
        [&](auto done) {
          With([&](auto& s) { http::async_read_header(s, buffer_, parser, done); });
        },
        kTimeout);
  }

  // Appends what arrives within `timeout` (at least one read) to `out`.
  error_code ReadSome(std::string& out, milliseconds timeout) {
    if (buffer_.size() > 0) {
      out += beast::buffers_to_string(buffer_.data());
      buffer_.consume(buffer_.size());
      return {};
    }
    std::array<char, 4096> chunk;
    size_t got = 0;
    error_code ec = Run(
        [&](auto done) {
          With([&](auto& s) {
            s.async_read_some(asio::buffer(chunk), [&got, done](error_code e, size_t n) {
              got = n;
              done(e);
            });
          });
        },
        timeout);
    out.append(chunk.data(), got);
    return ec;
  }

  // Reads until `needle` is in what was read (returned) or `timeout` passes.
  std::string ReadUntil(std::string_view needle, milliseconds timeout) {
    std::string out;
    const auto deadline = Clock::now() + timeout;
    while (out.find(needle) == std::string::npos && Clock::now() < deadline) {
      if (ReadSome(out, std::chrono::duration_cast<milliseconds>(deadline - Clock::now()))) break;
    }
    return out;
  }

  // True when the server closes the connection within `timeout` (what it sends first is read
  // and dropped).
  bool ClosedWithin(milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    std::string ignored;
    while (Clock::now() < deadline) {
      error_code ec =
          ReadSome(ignored, std::chrono::duration_cast<milliseconds>(deadline - Clock::now()));
      if (ec == beast::error::timeout) return false;
      if (ec) return true;
    }
    return false;
  }

  SSL* native() { return stream_->native_handle(); }

 private:
  template <class F>
  void With(F f) {
    if (stream_) {
      f(*stream_);
    } else {
      f(*plain_);
    }
  }
  beast::tcp_stream& lowest() { return stream_ ? beast::get_lowest_layer(*stream_) : *plain_; }
  // Runs one operation to its end. At `timeout` the socket's operations are cancelled (not the
  // socket closed, so that the connection stays as the server left it) and the result is
  // beast::error::timeout.
  template <class Start>
  error_code Run(Start start, milliseconds timeout) {
    error_code result = asio::error::would_block;
    bool done = false;
    bool timed_out = false;
    asio::steady_timer timer(io_, timeout);
    timer.async_wait([&](error_code ec) {
      if (ec || done) return;
      timed_out = true;
      error_code ignored;
      lowest().socket().cancel(ignored);
    });
    start([&](error_code ec, auto&&...) {
      result = ec;
      done = true;
      timer.cancel();
    });
    io_.restart();
    io_.run();
    return timed_out ? error_code(beast::error::timeout) : result;
  }

  asio::io_context io_;
  ssl::context tls_ctx_;
  Tls tls_;
  std::string ca_file_;
  std::optional<beast::tcp_stream> plain_;
  std::optional<beast::ssl_stream<beast::tcp_stream>> stream_;
  beast::flat_buffer buffer_;
};

// "AB:CD:..." with 32 upper-case hex pairs. (Not std::regex: GCC 12 with ASan warns inside it.)
bool IsFingerprintFormat(const std::string& text) {
  if (text.size() != 32 * 3 - 1) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool hex = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
    if (i % 3 == 2 ? c != ':' : !hex) return false;
  }
  return true;
}

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_OK(MakeSelfSignedCertificate(cert_, key_, "localhost", 1)); }

  void TearDown() override {
    if (thread_.joinable()) {
      OnServer([this] { server_.reset(); });
      work_.reset();
      thread_.join();  // returns once Stop has ended every connection's coroutine
    }
  }

  // A config for TLS on 127.0.0.1 with the test's certificate.
  HttpServerConfig TlsConfig() {
    HttpServerConfig config;
    config.address = "127.0.0.1";
    config.certificate_chain_path = cert_;
    config.private_key_path = key_;
    return config;
  }

  // Starts the server with the default handler (below) and runs it on its own thread.
  void StartServer(HttpServerConfig config) {
    auto started =
        HttpServer::Start(io_, std::move(config), [this](const Request& r) { return Handle(r); });
    ASSERT_OK(started);
    server_ = std::move(started).value();
    port_ = server_->port();
    thread_ = std::thread([this] { io_.run(); });
  }

  template <class F>
  auto OnServer(F f) -> decltype(f()) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto result = task.get_future();
    asio::post(io_, [&task] { task(); });
    return result.get();
  }

  // Waits (bounded) until the server reports `n` open event streams.
  bool WaitForStreams(size_t n) {
    const auto deadline = Clock::now() + kTimeout;
    while (Clock::now() < deadline) {
      if (OnServer([this] { return server_->open_event_streams(); }) == n) return true;
      std::this_thread::yield();
    }
    return false;
  }

  // Answers 201 "<method> <target>" with two headers of its own; /events is an event stream of
  // the units under jinjiang/cizao.
  Response Handle(const Request& request) {
    {
      std::lock_guard lock(mu_);
      seen_.push_back(request);
    }
    Response response;
    if (request.target == "/events") {
      response.headers.emplace_back("X-Stream", "1");
      response.event_filter = [](std::string_view unit) {
        return unit.substr(0, 14) == "jinjiang/cizao";
      };
      return response;
    }
    response.status = 201;
    response.headers.emplace_back("Content-Type", "text/plain");
    response.headers.emplace_back("X-Answer", "yes");
    response.body = request.method + " " + request.target + " " + request.body;
    return response;
  }

  std::vector<Request> Seen() {
    std::lock_guard lock(mu_);
    return seen_;
  }

  Client NewClient(Client::Tls tls = Client::Tls::kDefault) { return Client(tls, cert_); }

  static http::request<http::string_body> Get(std::string target) {
    http::request<http::string_body> request(http::verb::get, target, 11);
    request.set(http::field::host, "127.0.0.1");
    return request;
  }

  testing::TempDir dir_;
  const std::string cert_ = dir_.sub("web-cert.pem");
  const std::string key_ = dir_.sub("web-key.pem");
  asio::io_context io_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_{
      asio::make_work_guard(io_)};
  std::unique_ptr<HttpServer> server_;
  uint16_t port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::vector<Request> seen_;
};

TEST_F(HttpServerTest, GetAndPostReachTheHandlerWithEverythingAndTheAnswerComesBack) {
  StartServer(TlsConfig());
  Client client = NewClient();
  ASSERT_FALSE(client.Connect(port_));

  auto get = Get("/api/v1/records/child?unit=jinjiang%2Fcizao");
  get.set("X-Custom-Header", "Some Value");
  ASSERT_FALSE(client.Send(get));
  http::response<http::string_body> answer;
  ASSERT_FALSE(client.Read(answer));
  EXPECT_EQ(answer.result_int(), 201u);
  EXPECT_EQ(answer.body(), "GET /api/v1/records/child?unit=jinjiang%2Fcizao ");
  EXPECT_EQ(answer["Content-Type"], "text/plain");
  EXPECT_EQ(answer["X-Answer"], "yes");
  EXPECT_EQ(answer["X-Content-Type-Options"], "nosniff");
  EXPECT_EQ(answer["Referrer-Policy"], "no-referrer");
  EXPECT_EQ(answer["Content-Length"], std::to_string(answer.body().size()));

  http::request<http::string_body> post(http::verb::post, "/api/v1/session", 11);
  post.set(http::field::host, "127.0.0.1");
  post.set(http::field::content_type, "application/json");
  post.body() = R"({"login":"li"})";
  ASSERT_FALSE(client.Send(post));
  http::response<http::string_body> posted;
  ASSERT_FALSE(client.Read(posted));
  EXPECT_EQ(posted.body(), R"(POST /api/v1/session {"login":"li"})");

  const std::vector<Request> seen = Seen();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].method, "GET");
  EXPECT_EQ(seen[0].target, "/api/v1/records/child?unit=jinjiang%2Fcizao");
  EXPECT_EQ(seen[0].Header("x-custom-header"), "Some Value");  // names lower case, value as sent
  EXPECT_EQ(seen[0].Header("host"), "127.0.0.1");
  EXPECT_EQ(seen[0].body, "");
  EXPECT_EQ(seen[0].peer, "127.0.0.1");
  EXPECT_TRUE(seen[0].secure);
  EXPECT_EQ(seen[1].method, "POST");
  EXPECT_EQ(seen[1].Header("content-type"), "application/json");
  EXPECT_EQ(seen[1].body, R"({"login":"li"})");
  EXPECT_TRUE(seen[1].secure);
  EXPECT_EQ(OnServer([this] { return server_->requests_by_status(); }),
            (std::map<int, uint64_t>{{201, 2}}));
}

TEST_F(HttpServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
  StartServer(TlsConfig());
  Client client = NewClient();
  ASSERT_FALSE(client.Connect(port_));
  for (const char* target : {"/one", "/two"}) {
    ASSERT_FALSE(client.Send(Get(target)));
    http::response<http::string_body> answer;
    ASSERT_FALSE(client.Read(answer));
    EXPECT_EQ(answer.body(), std::string("GET ") + target + " ");
    EXPECT_TRUE(answer.keep_alive());
  }
  EXPECT_EQ(OnServer([this] { return server_->open_connections(); }), 1u);
  EXPECT_FALSE(client.ClosedWithin(milliseconds(200)));
}

TEST_F(HttpServerTest, ConnectionCloseIsHonoured) {
  StartServer(TlsConfig());
  Client client = NewClient();
  ASSERT_FALSE(client.Connect(port_));
  auto get = Get("/bye");
  get.keep_alive(false);
  ASSERT_FALSE(client.Send(get));
  http::response<http::string_body> answer;
  ASSERT_FALSE(client.Read(answer));
  EXPECT_FALSE(answer.keep_alive());
  EXPECT_TRUE(client.ClosedWithin(kTimeout));
}

TEST_F(HttpServerTest, BodyOverTheLimitGets413AndNeverReachesTheHandler) {
  HttpServerConfig config = TlsConfig();
  config.max_body_bytes = 1024;
  StartServer(config);

  Client client = NewClient();
  ASSERT_FALSE(client.Connect(port_));
  http::request<http::string_body> post(http::verb::post, "/api/v1/import", 11);
  post.body() = std::string(1025, 'x');
  ASSERT_FALSE(client.Send(post));
  http::response<http::string_body> answer;
  ASSERT_FALSE(client.Read(answer));
  EXPECT_EQ(answer.result_int(), 413u);
  EXPECT_NE(answer.body().find(R"("code":"payload_too_large")"), std::string::npos);
  EXPECT_EQ(answer["X-Content-Type-Options"], "nosniff");
  EXPECT_TRUE(client.ClosedWithin(kTimeout));

  // Chunked, so that no Content-Length announces it: the same.
  Client chunked = NewClient();
  ASSERT_FALSE(chunked.Connect(port_));
  std::string raw = "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 3; ++i) raw += "200\r\n" + std::string(512, 'y') + "\r\n";
  raw += "0\r\n\r\n";
  ASSERT_FALSE(chunked.Write(raw));
  http::response<http::string_body> chunked_answer;
  ASSERT_FALSE(chunked.Read(chunked_answer));
  EXPECT_EQ(chunked_answer.result_int(), 413u);
  EXPECT_TRUE(chunked.ClosedWithin(kTimeout));

  // Exactly at the limit is fine.
  Client fits = NewClient();
  ASSERT_FALSE(fits.Connect(port_));
  post.body() = std::string(1024, 'x');
  ASSERT_FALSE(fits.Send(post));
  http::response<http::string_body> fits_answer;
  ASSERT_FALSE(fits.Read(fits_answer));
  EXPECT_EQ(fits_answer.result_int(), 201u);

  ASSERT_EQ(Seen().size(), 1u);
  EXPECT_EQ(Seen()[0].body.size(), 1024u);
  EXPECT_EQ(OnServer([this] { return server_->requests_by_status(); }),
            (std::map<int, uint64_t>{{201, 1}, {413, 2}}));
}

TEST_F(HttpServerTest, HeadersOverTheLimitAreRefusedAndClosed) {
  HttpServerConfig config = TlsConfig();
  config.max_header_bytes = 8 * 1024;
  config.max_header_count = 64;
  StartServer(config);

  Client big = NewClient();
  ASSERT_FALSE(big.Connect(port_));
  auto get = Get("/big");
  get.set("X-Big", std::string(9000, 'b'));
  ASSERT_FALSE(big.Send(get));
  http::response<http::string_body> answer;
  ASSERT_FALSE(big.Read(answer));
  EXPECT_TRUE(answer.result_int() == 431u || answer.result_int() == 400u) << answer.result_int();
  EXPECT_TRUE(big.ClosedWithin(kTimeout));

  Client many = NewClient();
  ASSERT_FALSE(many.Connect(port_));
  auto get_many = Get("/many");
  for (int i = 0; i < 70; ++i) get_many.insert("X-H" + std::to_string(i), "v");
  ASSERT_FALSE(many.Send(get_many));
  http::response<http::string_body> many_answer;
  ASSERT_FALSE(many.Read(many_answer));
  EXPECT_EQ(many_answer.result_int(), 431u);
  EXPECT_TRUE(many.ClosedWithin(kTimeout));

  EXPECT_TRUE(Seen().empty());
}

TEST_F(HttpServerTest, ClientTricklingItsHeaderIsCutOffAtTheHeaderDeadline) {
  HttpServerConfig config = TlsConfig();
  config.header_timeout = std::chrono::seconds(1);
  StartServer(config);
  Client client = NewClient();
  ASSERT_FALSE(client.Connect(port_));
  const auto start = Clock::now();
  ASSERT_FALSE(client.Write("GET / HTTP/1.1\r\nX-Slow: "));
  bool closed = false;
  // One byte every 300 ms: each read waits those 300 ms and fails with timeout while the
  // connection stays open.
  while (!closed && Clock::now() - start < std::chrono::seconds(5)) {
    if (client.Write("a")) {
      closed = true;
      break;
    }
    closed = client.ClosedWithin(milliseconds(300));
  }
  const auto took = Clock::now() - start;
  EXPECT_TRUE(closed);
  EXPECT_GE(took, milliseconds(900));
  EXPECT_LT(took, milliseconds(2500));
  EXPECT_TRUE(Seen().empty());
}

TEST_F(HttpServerTest, GarbageGets400AndTheServerServesTheNextClient) {
  StartServer(TlsConfig());
  Client bad = NewClient();
  ASSERT_FALSE(bad.Connect(port_));
  static constexpr char kGarbage[] = "\x01\xff GARBAGE \x00\x7f nonsense\r\n\r\n";
  ASSERT_FALSE(bad.Write(std::string_view(kGarbage, sizeof kGarbage - 1)));
  http::response<http::string_body> answer;
  ASSERT_FALSE(bad.Read(answer));
  EXPECT_EQ(answer.result_int(), 400u);
  EXPECT_EQ(answer.body(),
            R"({"error":{"code":"bad_request","message":"请求格式错误 / malformed request"}})");
  EXPECT_TRUE(bad.ClosedWithin(kTimeout));

  // Not even TLS: the handshake fails and the connection closes.
  Client not_tls = NewClient(Client::Tls::kNone);
  ASSERT_FALSE(not_tls.Connect(port_));
  ASSERT_FALSE(not_tls.Write("GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
  EXPECT_TRUE(not_tls.ClosedWithin(kTimeout));

  Client good = NewClient();
  ASSERT_FALSE(good.Connect(port_));
  ASSERT_FALSE(good.Send(Get("/after")));
  http::response<http::string_body> after;
  ASSERT_FALSE(good.Read(after));
  EXPECT_EQ(after.result_int(), 201u);
  ASSERT_EQ(Seen().size(), 1u);
  EXPECT_EQ(Seen()[0].target, "/after");
}

TEST_F(HttpServerTest, PlainHttpIsRefusedOffLoopback) {
  for (const char* address : {"0.0.0.0", "::", "192.168.1.10"}) {
    HttpServerConfig config;
    config.address = address;
    auto started = HttpServer::Start(io_, config, [](const Request&) { return Response{}; });
    ASSERT_FALSE(started.ok()) << address;
    EXPECT_EQ(started.status().code(), StatusCode::kInvalidArgument) << address;
  }
  HttpServerConfig half = TlsConfig();
  half.private_key_path.clear();
  auto started = HttpServer::Start(io_, half, [](const Request&) { return Response{}; });
  EXPECT_EQ(started.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(HttpServerTest, PlainHttpOnLoopbackServesAndSaysNotSecure) {
  HttpServerConfig config;
  config.address = "127.0.0.1";
  StartServer(config);
  Client client = NewClient(Client::Tls::kNone);
  ASSERT_FALSE(client.Connect(port_));
  ASSERT_FALSE(client.Send(Get("/plain")));
  http::response<http::string_body> answer;
  ASSERT_FALSE(client.Read(answer));
  EXPECT_EQ(answer.result_int(), 201u);
  ASSERT_EQ(Seen().size(), 1u);
  EXPECT_FALSE(Seen()[0].secure);
}

TEST_F(HttpServerTest, EventStreamGetsTheEventsItsFilterAcceptsAndKeepAliveComments) {
  HttpServerConfig config = TlsConfig();
  config.event_keepalive = milliseconds(200);
  StartServer(config);
  Client client = NewClient();
  ASSERT_FALSE(client.Connect(port_));
  ASSERT_FALSE(client.Send(Get("/events")));
  http::response_parser<http::empty_body> parser;
  ASSERT_FALSE(client.ReadHeader(parser));
  EXPECT_EQ(parser.get().result_int(), 200u);
  EXPECT_EQ(parser.get()["Content-Type"], "text/event-stream");
  EXPECT_EQ(parser.get()["Cache-Control"], "no-store");
  EXPECT_EQ(parser.get()["X-Stream"], "1");
  EXPECT_EQ(parser.get()["X-Content-Type-Options"], "nosniff");
  EXPECT_EQ(parser.get().count(http::field::content_length), 0u);
  ASSERT_TRUE(WaitForStreams(1));

  OnServer([this] {
    server_->Publish({"record", "jinjiang/other", R"({"id":"hidden"})"});
    server_->Publish({"report", "jinjiang/cizao/dongcun", R"({"id":"r1"})"});
    server_->Publish({"sync", "", R"({"upstream_connected":true})"});
  });
  const std::string events = client.ReadUntil(R"({"upstream_connected":true})", kTimeout);
  EXPECT_NE(events.find("event: report\ndata: {\"id\":\"r1\"}\n\n"), std::string::npos) << events;
  EXPECT_NE(events.find("event: sync\ndata: {\"upstream_connected\":true}"), std::string::npos)
      << events;
  EXPECT_EQ(events.find("hidden"), std::string::npos) << events;

  const std::string quiet = client.ReadUntil(": keep-alive\n\n", kTimeout);
  EXPECT_NE(quiet.find(": keep-alive\n\n"), std::string::npos) << quiet;
  EXPECT_EQ(quiet.find("hidden"), std::string::npos) << quiet;
}

TEST_F(HttpServerTest, StopClosesAnOpenEventStream) {
  StartServer(TlsConfig());
  Client client = NewClient();
  ASSERT_FALSE(client.Connect(port_));
  ASSERT_FALSE(client.Send(Get("/events")));
  http::response_parser<http::empty_body> parser;
  ASSERT_FALSE(client.ReadHeader(parser));
  ASSERT_TRUE(WaitForStreams(1));
  EXPECT_EQ(OnServer([this] { return server_->open_connections(); }), 1u);
  OnServer([this] {
    server_->Stop();
    server_->Stop();  // idempotent
  });
  EXPECT_TRUE(client.ClosedWithin(kTimeout));
  EXPECT_EQ(OnServer([this] { return server_->open_event_streams(); }), 0u);
  Client late = NewClient();
  EXPECT_TRUE(late.Connect(port_));  // nobody accepts any more
}

TEST_F(HttpServerTest, MoreThanMaxConnectionsAreClosed) {
  HttpServerConfig config = TlsConfig();
  config.max_connections = 2;
  StartServer(config);
  Client a = NewClient(), b = NewClient(), c = NewClient();
  ASSERT_FALSE(a.Connect(port_));
  ASSERT_FALSE(b.Connect(port_));
  EXPECT_TRUE(c.Connect(port_));  // accepted and closed at once: the handshake fails
  ASSERT_FALSE(a.Send(Get("/still")));
  http::response<http::string_body> answer;
  ASSERT_FALSE(a.Read(answer));
  EXPECT_EQ(answer.result_int(), 201u);
}

TEST_F(HttpServerTest, Tls11ClientIsRefusedAndTls12Accepted) {
  StartServer(TlsConfig());
  Client old = NewClient(Client::Tls::kOnly11);
  EXPECT_TRUE(old.Connect(port_));
  Client tls12 = NewClient(Client::Tls::kOnly12);
  ASSERT_FALSE(tls12.Connect(port_));
  EXPECT_STREQ(SSL_get_version(tls12.native()), "TLSv1.2");
  EXPECT_TRUE(Seen().empty());
}

TEST_F(HttpServerTest, FingerprintIsTheSha256OfTheCertificateTheServerPresents) {
  StartServer(TlsConfig());
  ASSERT_OK_AND_ASSIGN(std::string fingerprint, CertificateFingerprint(cert_));
  EXPECT_TRUE(IsFingerprintFormat(fingerprint)) << fingerprint;

  Client client = NewClient();
  ASSERT_FALSE(client.Connect(port_));
  X509* presented = SSL_get0_peer_certificate(client.native());
  ASSERT_NE(presented, nullptr);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  ASSERT_EQ(X509_digest(presented, EVP_sha256(), digest, &size), 1);
  ASSERT_EQ(size, 32u);
  char first[3];
  std::snprintf(first, sizeof first, "%02X", digest[0]);
  EXPECT_EQ(fingerprint.substr(0, 2), first);
  char last[3];
  std::snprintf(last, sizeof last, "%02X", digest[31]);
  EXPECT_EQ(fingerprint.substr(fingerprint.size() - 2), last);
  EXPECT_EQ(X509_get_version(presented), X509_VERSION_3);
  EXPECT_EQ(EVP_PKEY_get_base_id(X509_get0_pubkey(presented)), EVP_PKEY_EC);

  EXPECT_EQ(CertificateFingerprint(dir_.sub("missing.pem")).status().code(), StatusCode::kNotFound);
}

TEST_F(HttpServerTest, KeyFileIsMode0600) {
  struct stat st {};
  ASSERT_EQ(::stat(key_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // Written again over an existing, looser file: still 0600.
  ASSERT_EQ(::chmod(key_.c_str(), 0644), 0);
  ASSERT_OK(MakeSelfSignedCertificate(cert_, key_, "jinjiang/cizao", 3650));
  ASSERT_EQ(::stat(key_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_OK(CertificateFingerprint(cert_));
}

TEST_F(HttpServerTest, MismatchedKeyIsRefusedAtStart) {
  const std::string other_cert = dir_.sub("other-cert.pem");
  const std::string other_key = dir_.sub("other-key.pem");
  ASSERT_OK(MakeSelfSignedCertificate(other_cert, other_key, "localhost", 1));
  HttpServerConfig config = TlsConfig();
  config.private_key_path = other_key;
  auto started = HttpServer::Start(io_, config, [](const Request&) { return Response{}; });
  EXPECT_EQ(started.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace fulei::web
