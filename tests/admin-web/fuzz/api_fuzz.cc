// libFuzzer target for the admin web's API (admin-web/api.h): request targets (paths, queries,
// percent-encoding), routing, cookies, headers and JSON bodies, answered by web::Api over a real
// store. The input is an HTTP-like text: "METHOD TARGET\n", header lines "name: value\n", a
// blank line, then the body. When the first byte is odd the request carries the session cookie
// and CSRF token of a town office person (so the routes behind the login are reached). Writes
// are refused by the stub node (the store only grows by audit entries). Never crashes; every
// answer is a status in 100..599 and, for /api/, a JSON body or an event stream.
#include <sodium.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "admin-web/api.h"
#include "store/store.h"

namespace {

struct Fixture {
  std::unique_ptr<fulei::store::Store> store;
  std::unique_ptr<fulei::web::Api> api;
  std::string cookie, csrf;
};

Fixture& Get() {
  static Fixture* f = [] {
    auto* fx = new Fixture;
    const std::string dir =
        (std::filesystem::temp_directory_path() / ("fulei-api-fuzz-" + std::to_string(::getpid())))
            .string();
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    fulei::store::StoreOptions options;
    options.initial_map_bytes = size_t{64} << 20;
    auto s = fulei::store::Store::Open(dir, options);
    if (!s.ok()) std::abort();
    fx->store = std::move(*s);
    fulei::web::ApiConfig c;
    c.store = fx->store.get();
    c.unit = "jinjiang/cizao";
    c.node_id = "00000000000000aa";
    c.now_ms = [] { return uint64_t{1'780'000'000'000}; };
    c.write_as = [](const fulei::programme::Viewer&, const std::vector<fulei::store::LocalChange>&,
                    bool) -> fulei::Result<std::vector<fulei::crdt::Op>> {
      return fulei::PermissionDenied("fuzz: writes refused");
    };
    c.scratch_dir = dir;
    auto api = fulei::web::Api::Create(std::move(c));
    if (!api.ok()) std::abort();
    fx->api = std::move(*api);
    auto [token, csrf] = fx->api->OpenSession(
        fulei::programme::Viewer(fulei::programme::Role::kTownOffice, "jinjiang/cizao", "u-1"),
        "office", "");
    fx->cookie = "fulei_session=" + token;
    fx->csrf = csrf;
    return fx;
  }();
  return *f;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Fixture& f = Get();
  std::string_view in(reinterpret_cast<const char*>(data), size);
  const bool logged_in = size > 0 && (data[0] & 1) != 0;
  fulei::web::Request r;
  r.peer = "127.0.0.1";
  const size_t eol = in.find('\n');
  std::string_view line = in.substr(0, eol);
  in = eol == std::string_view::npos ? std::string_view() : in.substr(eol + 1);
  const size_t space = line.find(' ');
  r.method = std::string(line.substr(0, space));
  r.target = space == std::string_view::npos ? "/" : std::string(line.substr(space + 1));
  while (!in.empty()) {
    const size_t end = in.find('\n');
    std::string_view h = in.substr(0, end);
    in = end == std::string_view::npos ? std::string_view() : in.substr(end + 1);
    if (h.empty()) break;
    const size_t colon = h.find(':');
    if (colon == std::string_view::npos) continue;
    std::string name(h.substr(0, colon));
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string_view value = h.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    r.headers.emplace_back(std::move(name), std::string(value));
  }
  r.body = std::string(in);
  if (logged_in) {
    r.headers.emplace_back("cookie", f.cookie);
    r.headers.emplace_back("x-csrf-token", f.csrf);
  }
  fulei::web::Response out = f.api->Handle(r);
  if (out.status < 100 || out.status > 599) std::abort();
  if (r.target.rfind("/api/", 0) == 0 && !out.event_filter && out.status != 204 &&
      r.target.find("/exports/") == std::string::npos) {
    boost::system::error_code ec;
    (void)boost::json::parse(out.body, ec);
    if (ec) std::abort();
  }
  return 0;
}
