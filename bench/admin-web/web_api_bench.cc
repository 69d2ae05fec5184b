// Figures of the admin web (issue 17), run by hand, never part of the tests:
//   - a town of 5,000 children in 20 villages with 100,000 contacts (pairings, helpers, reports)
//     written to a real LMDB store through Store::WriteLocal with the dashboard counters kept,
//     as a town node holds them (unsealed: a benchmark);
//   - web::Api::Handle, as the transport calls it, timed per request: the town dashboard
//     (GET /api/v1/stats, with each village's figures; goal <= 100 ms) and a child's record with
//     its field history (GET /api/v1/records/child/{id}, audited: one write per read), p50, p99
//     and max over FULEI_BENCH_REQUESTS requests (default 500);
//   - the same two over real HTTP on loopback through web::HttpServer (a client thread, one
//     connection per request), p50 and p99;
//   - the resident memory the API and the HTTP server add to the process (VmRSS before the
//     server starts and after the HTTP requests), and the bytes of the embedded UI.
// Usage: build/default/bench/admin-web/web_api_bench   (FULEI_BENCH_CONTACTS=100000)
#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <future>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "admin-web/api.h"
#include "admin-web/http_server.h"
#include "admin-web/static_files.h"
#include "programme/aggregate.h"
#include "tests/support/temp_dir.h"

namespace {
using namespace fulei;

constexpr char kTown[] = "jinjiang/cizao";
constexpr int kVillages = 20;
constexpr int kChildren = 5000;

std::string Village(int v) { return std::string(kTown) + "/v" + std::to_string(v); }

long RssKb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return 0;
}

struct Percentiles {
  double p50 = 0, p99 = 0, max = 0;
};

Percentiles Of(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  Percentiles p;
  p.p50 = ms[ms.size() / 2];
  p.p99 = ms[std::min(ms.size() - 1, ms.size() * 99 / 100)];
  p.max = ms.back();
  return p;
}

}  // namespace

int main() {
  const fulei::testing::TempDir dir;
  programme::AggregateIndexer indexer;
  store::StoreOptions options;
  options.node_id = 1;
  options.reserve_bytes = 0;
  options.indexers = {&indexer};
  auto opened = store::Store::Open(dir.path(), options);
  if (!opened.ok()) {
    std::fprintf(stderr, "open: %s\n", opened.status().ToString().c_str());
    return 1;
  }
  std::unique_ptr<store::Store> store = std::move(*opened);
  const char* env = std::getenv("FULEI_BENCH_CONTACTS");
  const int contacts = env ? std::atoi(env) : 100'000;
  const char* req_env = std::getenv("FULEI_BENCH_REQUESTS");
  const int requests = req_env ? std::atoi(req_env) : 500;

  // ---- the town's records ----
  std::mt19937 rng(17);
  auto R = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
  crdt::HybridClock clock;
  uint64_t wall = 1'764'400'000'000;
  std::vector<store::LocalChange> batch;
  auto flush = [&] {
    if (batch.empty()) return;
    auto ops = store->WriteLocal(batch, clock, wall += 1000);
    if (!ops.ok()) {
      std::fprintf(stderr, "write: %s\n", ops.status().ToString().c_str());
      std::exit(1);
    }
    batch.clear();
  };
  auto put = [&](std::string scope, std::string type, std::string id,
                 std::vector<std::pair<std::string, std::string>> fields) {
    store::LocalChange change{
        crdt::RecordKey{std::move(scope), std::move(type), std::move(id)}, {}, "u-bench", 0};
    for (auto& [name, value] : fields) {
      change.writes.push_back(crdt::FieldWrite{name, crdt::WriteKind::kSet, value, {}});
    }
    batch.push_back(std::move(change));
    if (batch.size() == 2000) flush();
  };
  const auto t0 = std::chrono::steady_clock::now();
  static const char* kCats[] = {"left_behind", "left_behind", "in_difficulty", "orphan",
                                "de_facto_unsupported"};
  for (int c = 0; c < kChildren; ++c) {
    const int v = c % kVillages;
    const std::string id = "c" + std::to_string(c);
    const std::string cat = kCats[R(5)];
    put(Village(v), "child", id,
        {{"name", "儿童" + std::to_string(c)},
         {"gender", R(2) ? "male" : "female"},
         {"birth_date", std::to_string(2010 + R(12)) + "-0" + std::to_string(1 + R(9)) + "-1" +
                            std::to_string(R(9))},
         {"category", cat},
         {"consent_on", "2024-01-01"}});
    // A few edits, so the record has a history.
    put(Village(v), "child", id, {{"address", "地址" + std::to_string(R(1000))}});
    put(Village(v), "child", id, {{"phone", "13" + std::to_string(100000000 + R(899999999))}});
    if (cat == "left_behind") {
      put(Village(v), "pairing", "p" + std::to_string(c),
          {{"helper", "h" + std::to_string(v) + "-" + std::to_string(c % 5)},
           {"child", id},
           {"kind", "family_care"},
           {"start_date", "2025-01-01"}});
    }
  }
  for (int v = 0; v < kVillages; ++v) {
    for (int h = 0; h < 5; ++h) {
      put(Village(v), "helper", "h" + std::to_string(v) + "-" + std::to_string(h),
          {{"kind", "volunteer"}, {"loving_parent", "true"}});
    }
  }
  static const char* kKinds[] = {"talk", "talk", "home_visit", "video_call"};
  for (int i = 0; i < contacts; ++i) {
    const int c = R(kChildren);
    const int v = c % kVillages;
    put(Village(v), "contact", "k" + std::to_string(i),
        {{"kind", kKinds[R(4)]},
         {"child", "c" + std::to_string(c)},
         {"helper", "h" + std::to_string(v) + "-" + std::to_string(c % 5)},
         {"date", "2026-" + std::to_string(10 + R(2)) + "-1" + std::to_string(R(9))}});
  }
  for (int r = 0; r < 200; ++r) {
    put(Village(R(kVillages)), "report", "r" + std::to_string(r),
        {{"reported_at", "2026-11-0" + std::to_string(1 + R(9)) + "T08:00:00Z"},
         {"status", "open"}});
  }
  flush();
  std::printf("setup: %d children, %d contacts in %d villages written in %.1f s\n", kChildren,
              contacts, kVillages,
              std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());

  // ---- the API, as the transport calls it ----
  const long rss_before = RssKb();
  web::ApiConfig config;
  config.store = store.get();
  config.unit = kTown;
  config.node_id = "0000000000000001";
  config.now_ms = [] { return uint64_t{1'796'000'000'000}; };  // 2026-11-30
  config.write_as = [](const programme::Viewer&, const std::vector<store::LocalChange>&,
                       bool) -> Result<std::vector<crdt::Op>> {
    return PermissionDenied("bench: no writes");
  };
  config.scratch_dir = dir.path();
  auto api = web::Api::Create(std::move(config));
  if (!api.ok()) return 1;
  auto [token, csrf] = (*api)->OpenSession(
      programme::Viewer(programme::Role::kTownSupervisor, kTown, "u-super"), "super", "");
  auto request = [&](std::string target) {
    web::Request r;
    r.method = "GET";
    r.target = std::move(target);
    r.headers = {{"cookie", "fulei_session=" + token}};
    r.peer = "127.0.0.1";
    return r;
  };
  auto time_api = [&](const char* what, const std::function<std::string(int)>& target) {
    std::vector<double> ms;
    size_t bytes = 0;
    for (int i = 0; i < requests; ++i) {
      const web::Request r = request(target(i));
      const auto s = std::chrono::steady_clock::now();
      web::Response out = (*api)->Handle(r);
      ms.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - s).count());
      if (out.status != 200) {
        std::fprintf(stderr, "%s: %d %s\n", what, out.status, out.body.c_str());
        std::exit(1);
      }
      bytes = out.body.size();
    }
    const Percentiles p = Of(ms);
    std::printf("Api::Handle %-40s p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms  (%zu B answer)\n",
                what, p.p50, p.p99, p.max, bytes);
  };
  {
    const web::Response first = (*api)->Handle(request("/api/v1/stats?unit=jinjiang%2Fcizao"));
    std::printf("the town's dashboard: %.160s...\n", first.body.c_str());
  }
  time_api("GET stats (town, 20 villages)",
           [](int) { return "/api/v1/stats?unit=jinjiang%2Fcizao"; });
  time_api("GET child record with history", [](int i) {
    const int c = (i * 37) % kChildren;
    return "/api/v1/records/child/c" + std::to_string(c) + "?unit=" + Village(c % kVillages);
  });
  time_api("GET children list, first page",
           [](int) { return "/api/v1/records/child?unit=jinjiang%2Fcizao%2Fv3&limit=50"; });

  // ---- over HTTP on loopback ----
  boost::asio::io_context io;
  web::HttpServerConfig hc;
  hc.address = "127.0.0.1";
  auto server =
      web::HttpServer::Start(io, hc, [&](const web::Request& r) { return (*api)->Handle(r); });
  if (!server.ok()) return 1;
  const uint16_t port = (*server)->port();
  auto time_http = [&](const char* what, const std::function<std::string(int)>& target) {
    auto done = std::async(std::launch::async, [&] {
      namespace http = boost::beast::http;
      std::vector<double> ms;
      boost::asio::io_context cio;
      boost::asio::ip::tcp::resolver resolver(cio);
      const auto endpoints = resolver.resolve("127.0.0.1", std::to_string(port));
      for (int i = 0; i < requests; ++i) {
        const auto s = std::chrono::steady_clock::now();
        boost::beast::tcp_stream stream(cio);
        stream.connect(endpoints);
        http::request<http::empty_body> req{http::verb::get, target(i), 11};
        req.set(http::field::host, "127.0.0.1");
        req.set(http::field::cookie, "fulei_session=" + token);
        http::write(stream, req);
        boost::beast::flat_buffer buffer;
        http::response_parser<http::string_body> parser;
        parser.body_limit(64 << 20);
        http::read(stream, buffer, parser);
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - s)
                         .count());
        boost::beast::error_code ec;
        stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
      }
      return Of(ms);
    });
    while (done.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
      io.run_for(std::chrono::milliseconds(2));
    }
    const Percentiles p = done.get();
    std::printf("HTTP loopback %-38s p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms\n", what, p.p50,
                p.p99, p.max);
  };
  time_http("GET stats (town, 20 villages)",
            [](int) { return "/api/v1/stats?unit=jinjiang%2Fcizao"; });
  time_http("GET child record with history", [](int i) {
    const int c = (i * 53) % kChildren;
    return "/api/v1/records/child/c" + std::to_string(c) + "?unit=" + Village(c % kVillages);
  });
  const long rss_after = RssKb();
  std::printf("resident memory: %ld kB before the API, %ld kB after %d HTTP requests (+%ld kB)\n",
              rss_before, rss_after, 2 * requests, rss_after - rss_before);
  std::printf("embedded UI: %zu B (%zu B gzip, as stored in the binary)\n", web::EmbeddedUiBytes(),
              web::EmbeddedUiGzipBytes());
  (*server)->Stop();
  return 0;
}
