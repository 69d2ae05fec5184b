// A small HTTPS client for the admin web's tests: one TLS connection per request (Boost.Beast,
// synchronous, on its own io_context), a cookie jar of one session and the CSRF token. Calls
// are made from a thread of the test while the test's own thread runs the nodes' io_context
// (Call in web_api_test.cc), so neither waits on the other.
#ifndef FULEI_TESTS_ADMIN_WEB_WEB_CLIENT_H_
#define FULEI_TESTS_ADMIN_WEB_WEB_CLIENT_H_

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json.hpp>
#include <map>
#include <string>

namespace fulei::web::testing {

struct Reply {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  boost::json::value json() const {
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(body, ec);
    return ec ? boost::json::value() : v;
  }
  std::string error_code() const {
    auto v = json();
    if (!v.is_object() || !v.as_object().contains("error")) return {};
    return std::string(v.at("error").at("code").as_string());
  }
};

class WebClient {
 public:
  explicit WebClient(uint16_t port, bool tls = true) : port_(port), tls_(tls) {}

  // One request; a transport failure gives status 0 and the reason in body.
  Reply Send(const std::string& method, const std::string& target, const std::string& body = "",
             const std::map<std::string, std::string>& extra = {}) {
    namespace beast = boost::beast;
    namespace http = beast::http;
    namespace asio = boost::asio;
    Reply out;
    try {
      asio::io_context io;
      asio::ssl::context ctx(asio::ssl::context::tls_client);
      ctx.set_verify_mode(asio::ssl::verify_none);  // the node's self-signed certificate
      asio::ip::tcp::resolver resolver(io);
      auto endpoints = resolver.resolve("127.0.0.1", std::to_string(port_));
      http::request<http::string_body> req{http::string_to_verb(method), target, 11};
      req.set(http::field::host, "127.0.0.1");
      if (!cookie.empty()) req.set(http::field::cookie, cookie);
      if (!csrf.empty() && method != "GET") req.set("X-CSRF-Token", csrf);
      for (const auto& [k, v] : extra) req.set(k, v);
      if (!body.empty()) {
        req.set(http::field::content_type, "application/json");
        req.body() = body;
      }
      req.prepare_payload();
      beast::flat_buffer buffer;
      http::response_parser<http::string_body> parser;
      parser.body_limit(64 << 20);
      if (tls_) {
        beast::ssl_stream<beast::tcp_stream> stream(io, ctx);
        beast::get_lowest_layer(stream).connect(endpoints);
        stream.handshake(asio::ssl::stream_base::client);
        // A server refusing the body (413) answers and closes before all of it is sent: the
        // answer is read even when the write failed.
        beast::error_code wec;
        http::write(stream, req, wec);
        http::read(stream, buffer, parser);
        beast::error_code ec;
        stream.shutdown(ec);
      } else {
        beast::tcp_stream stream(io);
        stream.connect(endpoints);
        beast::error_code wec;
        http::write(stream, req, wec);
        http::read(stream, buffer, parser);
      }
      auto res = parser.release();
      out.status = static_cast<int>(res.result_int());
      for (const auto& h : res) {
        std::string name(h.name_string());
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        out.headers[name] = std::string(h.value());
      }
      out.body = res.body();
      auto set = out.headers.find("set-cookie");
      if (set != out.headers.end()) cookie = set->second.substr(0, set->second.find(';'));
      auto v = out.json();
      if (v.is_object() && v.as_object().contains("csrf"))
        csrf = std::string(v.at("csrf").as_string());
    } catch (const std::exception& e) {
      out.status = 0;
      out.body = e.what();
    }
    return out;
  }

  std::string cookie;  // "fulei_session=..."
  std::string csrf;

 private:
  uint16_t port_;
  bool tls_;
};

}  // namespace fulei::web::testing

#endif  // FULEI_TESTS_ADMIN_WEB_WEB_CLIENT_H_
