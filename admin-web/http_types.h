// The admin web's requests and answers as plain values, between the HTTP transport
// (http_server.h, Boost.Beast) and the API (api.h, sans-I/O): the API never sees a socket, so
// tests and the fuzz target call it directly with a Request.
#ifndef FULEI_ADMIN_WEB_HTTP_TYPES_H_
#define FULEI_ADMIN_WEB_HTTP_TYPES_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fulei::web {

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and query as sent: "/api/v1/records/child?unit=jinjiang%2Fcizao"
  // Header names in lower case, values as sent, in order.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string peer;     // the client's address ("127.0.0.1"), for the audit log and throttling
  bool secure = false;  // came over TLS (cookies are then Secure)

  // The first header named `name` (lower case), or "" when absent.
  std::string_view Header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
      if (k == name) return v;
    }
    return {};
  }
};

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;  // Content-Type among them
  std::string body;
  // Set for GET /api/v1/events: the transport keeps the connection open as a Server-Sent Events
  // stream (text/event-stream) and writes each published Event for which this returns true (the
  // event's unit is one the person may see), and a comment line every 15 s, until the client
  // leaves or the server stops. `body` is then ignored.
  std::function<bool(std::string_view unit)> event_filter;
};

// One Server-Sent Event: "event: <name>\ndata: <data>\n\n". `data` is one line of JSON that
// names no person (ids and units only).
struct Event {
  std::string name;  // "report", "record", "sync"
  std::string unit;  // the unit (scope) it concerns; "" for every listener
  std::string data;
};

}  // namespace fulei::web

#endif  // FULEI_ADMIN_WEB_HTTP_TYPES_H_
