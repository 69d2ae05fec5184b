// net_urgent_latency: what the priority classes buy on a village's 4G link (issue 6).
//
// A village link dials its town through the userspace LinkProxy (default 256 kbit/s, 100 ms
// one-way delay, 8 KiB link buffer). A producer keeps `--window` bytes of bulk queued in the
// net::Link at all times, so the link is saturated; every `--interval` ms the village sends a
// 200-byte urgent message stamped with the steady clock, and the town records its latency
// (send to delivery, both ends in this process, the link's delay included). The same run
// measures three variants: priority scheduler, priority with SO_MAX_PACING_RATE just below the
// link rate, and FIFO (classes off). Then raw channel and net::Link throughput over plain
// loopback, and urgent latency village -> town -> city over loopback under bulk load.
//
// Usage: net_urgent_latency [--kbit=256] [--delay-ms=100] [--queue=8192] [--chunk=1024]
//          [--sndbuf=8192] [--window=131072] [--samples=60] [--interval-ms=250]
//          [--throughput-mb=256] [--latency=0 skips the link runs]
#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "net/dialer.h"
#include "net/listener.h"
#include "tests/crypto/pki_fixture.h"
#include "tests/net/link_proxy.h"
#include "tests/net/net_fixture.h"

namespace fulei::net {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using crypto::Role;
using std::chrono::milliseconds;
using sync::Priority;

std::map<std::string, long> g_args;
long Arg(const char* name, long fallback) {
  auto it = g_args.find(name);
  return it == g_args.end() ? fallback : it->second;
}

struct Pki {
  testing::TestPki pki{3};
  testing::TestNode town = pki.MakeNode("jinjiang/cizao", Role::kTown, nullptr, true);
  testing::TestNode village = pki.MakeNode("jinjiang/cizao/v001", Role::kVillage, &town);
  crypto::TrustStore trust = pki.Trust();
  crypto::DeterministicRandom town_random{1}, village_random{2};
};

struct Pair {
  std::shared_ptr<testing::Recorder> town = std::make_shared<testing::Recorder>();
  std::shared_ptr<testing::Recorder> village = std::make_shared<testing::Recorder>();
  std::unique_ptr<Listener> listener;
  std::unique_ptr<testing::LinkProxy> proxy;
  std::unique_ptr<Dialer> dialer;
};

void StartPair(asio::io_context& io, Pki& pki, Pair& p, LinkConfig c,
               const testing::ProxyConfig* link) {
  c.log = [](std::string_view) {};
  auto listener = Listener::Start(io, Tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0),
                                  ListenerConfig{c, {}},
                                  testing::FactoryFor(pki.town, pki.trust, pki.town_random),
                                  [&p](const Tcp::endpoint&) { return p.town; });
  if (!listener.ok()) {
    std::fprintf(stderr, "listen: %s\n", listener.status().ToString().c_str());
    std::exit(1);
  }
  p.listener = std::move(listener).value();
  Tcp::endpoint target = p.listener->local_endpoint();
  if (link) {
    p.proxy = std::make_unique<testing::LinkProxy>(io, target, *link);
    target = p.proxy->endpoint();
  }
  p.dialer = std::make_unique<Dialer>(
      io, std::vector<Tcp::endpoint>{target},
      DialerConfig{c, {milliseconds(10), milliseconds(100)}},
      testing::FactoryFor(pki.village, pki.trust, pki.village_random), p.village);
  p.dialer->Start();
  if (!testing::RunUntil(io, [&] { return p.village->link && p.town->link; })) {
    std::fprintf(stderr, "no link\n");
    std::exit(1);
  }
}

double Percentile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())));
  return v[i];
}

void LatencyRun(const char* name, bool fifo, bool pacing) {
  asio::io_context io;
  Pki pki;
  Pair p;
  testing::ProxyConfig link;
  link.bits_per_second = static_cast<double>(Arg("kbit", 256)) * 1000;
  link.delay = milliseconds(Arg("delay-ms", 100));
  link.queue_bytes = static_cast<size_t>(Arg("queue", 8192));
  LinkConfig c;
  c.chunk_bytes = static_cast<size_t>(Arg("chunk", 1024));
  c.send_buffer_bytes = static_cast<int>(Arg("sndbuf", 8192));
  c.fifo = fifo;
  if (pacing) c.pacing_bytes_per_second = static_cast<uint32_t>(link.bits_per_second / 8 * 0.95);
  std::vector<double> latencies;
  uint64_t bulk_bytes = 0;
  p.town->on_message = [&](Link&, const LinkMessage& m) {
    if (m.priority == Priority::kUrgent) {
      int64_t sent = 0;
      std::memcpy(&sent, m.body.data(), sizeof(sent));
      const int64_t now = Clock::now().time_since_epoch().count();
      latencies.push_back(static_cast<double>(now - sent) / 1e6);
    } else {
      bulk_bytes += m.body.size();
    }
  };
  StartPair(io, pki, p, c, &link);
  const size_t window = static_cast<size_t>(Arg("window", 128 * 1024));
  const long samples = Arg("samples", 60);
  const milliseconds interval(Arg("interval-ms", 250));
  uint32_t stream = 0;
  auto top_up = [&] {
    auto s = p.village->link;
    while (s && s->queued_bytes() < window) {
      (void)s->Send(Priority::kBulk, stream++ % 4, std::string(16 * 1024, 'b'));
    }
  };
  // Saturate first, then sample.
  top_up();
  const auto warm = Clock::now() + milliseconds(2000);
  testing::RunUntil(
      io,
      [&] {
        top_up();
        return Clock::now() >= warm;
      },
      milliseconds(3000));
  const auto start = Clock::now();
  const uint64_t bulk_at_start = bulk_bytes;
  long sent = 0;
  auto next = Clock::now();
  testing::RunUntil(
      io,
      [&] {
        top_up();
        if (sent < samples && Clock::now() >= next && p.village->link) {
          std::string body(200, 'u');
          const int64_t now = Clock::now().time_since_epoch().count();
          std::memcpy(body.data(), &now, sizeof(now));
          (void)p.village->link->Send(Priority::kUrgent, 1, std::move(body));
          ++sent;
          next += interval;
        }
        return static_cast<long>(latencies.size()) >= samples;
      },
      milliseconds(samples * interval.count() + 60'000));
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (latencies.empty()) {
    std::printf("%-18s no samples arrived\n", name);
    return;
  }
  std::printf("%-18s n=%zu p50=%7.0f ms p99=%7.0f ms max=%7.0f ms  bulk goodput %.1f kbit/s\n",
              name, latencies.size(), Percentile(latencies, 0.5), Percentile(latencies, 0.99),
              *std::max_element(latencies.begin(), latencies.end()),
              static_cast<double>(bulk_bytes - bulk_at_start) * 8 / 1000 / seconds);
  std::fflush(stdout);
}

void ThroughputRun(size_t chunk) {
  asio::io_context io;
  Pki pki;
  Pair p;
  LinkConfig c;
  c.chunk_bytes = chunk;
  c.send_buffer_bytes = 0;  // kernel autotuning on a fast link
  uint64_t received = 0;
  p.town->on_message = [&](Link&, const LinkMessage& m) { received += m.body.size(); };
  StartPair(io, pki, p, c, nullptr);
  const uint64_t total = static_cast<uint64_t>(Arg("throughput-mb", 256)) << 20;
  uint64_t queued = 0;
  const std::string block(1 << 20, 'x');
  const auto start = Clock::now();
  testing::RunUntil(
      io,
      [&] {
        auto s = p.village->link;
        while (s && queued < total && s->queued_bytes() < (8u << 20)) {
          (void)s->Send(Priority::kBulk, 0, block);
          queued += block.size();
        }
        return received >= total;
      },
      milliseconds(300'000));
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf(
      "loopback link throughput, %5zu-byte chunks: %.1f MB/s (%.0f MB in %.2f s, "
      "both ends on one thread)\n",
      chunk, static_cast<double>(received) / 1e6 / seconds, static_cast<double>(received) / 1e6,
      seconds);
}

void ChannelThroughput() {
  Pki pki;
  auto a =
      crypto::Channel::Create(testing::ConfigFor(pki.village, pki.trust), true, pki.village_random);
  auto b = crypto::Channel::Create(testing::ConfigFor(pki.town, pki.trust), false, pki.town_random);
  auto r = crypto::testing::Handshake(*a, *b);
  if (!r.initiator.ok() || !r.responder.ok()) std::exit(1);
  const std::string chunk(4096, 'x');
  std::string out;
  std::vector<std::string> got;
  const uint64_t total = 256u << 20;
  const auto start = Clock::now();
  for (uint64_t n = 0; n < total; n += chunk.size()) {
    auto f = a->Seal(chunk);
    got.clear();
    if (!f.ok() || !b->Feed(*f, &out, &got).ok()) std::exit(1);
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("crypto::Channel Seal+Feed in memory, 4096-byte frames: %.1f MB/s\n",
              static_cast<double>(total) / 1e6 / seconds);
}

// Village -> town -> city over plain loopback, all three nodes on this one thread. The village
// keeps `window` bytes of bulk queued towards the town, which forwards every message upstream
// in its class (bulk it cannot queue is dropped, as a real town would defer it). Urgent
// latency is measured at the city.
void TwoHopRun() {
  asio::io_context io;
  testing::TestPki pki(9);
  testing::TestNode city = pki.MakeNode("jinjiang", Role::kCity, nullptr, true);
  testing::TestNode town = pki.MakeNode("jinjiang/cizao", Role::kTown, nullptr, true);
  testing::TestNode village = pki.MakeNode("jinjiang/cizao/v001", Role::kVillage, &town);
  crypto::TrustStore trust = pki.Trust();
  crypto::DeterministicRandom r1(1), r2(2), r3(3), r4(4);
  LinkConfig c;
  c.log = [](std::string_view) {};
  auto at_city = std::make_shared<testing::Recorder>();
  auto town_up = std::make_shared<testing::Recorder>();
  auto town_down = std::make_shared<testing::Recorder>();
  auto at_village = std::make_shared<testing::Recorder>();
  const Tcp::endpoint loopback(asio::ip::make_address("127.0.0.1"), 0);
  auto city_listener =
      Listener::Start(io, loopback, ListenerConfig{c, {}}, testing::FactoryFor(city, trust, r1),
                      [&](const Tcp::endpoint&) { return at_city; });
  auto town_listener =
      Listener::Start(io, loopback, ListenerConfig{c, {}}, testing::FactoryFor(town, trust, r2),
                      [&](const Tcp::endpoint&) { return town_down; });
  if (!city_listener.ok() || !town_listener.ok()) std::exit(1);
  Dialer town_dialer(io, {(*city_listener)->local_endpoint()}, DialerConfig{c, {}},
                     testing::FactoryFor(town, trust, r3), town_up);
  Dialer village_dialer(io, {(*town_listener)->local_endpoint()}, DialerConfig{c, {}},
                        testing::FactoryFor(village, trust, r4), at_village);
  town_dialer.Start();
  village_dialer.Start();
  testing::RunUntil(io, [&] { return town_up->link && at_village->link; });
  if (!town_up->link || !at_village->link) std::exit(1);
  uint64_t forwarded_bulk = 0, dropped_bulk = 0;
  town_down->on_message = [&](Link&, const LinkMessage& m) {
    if (!town_up->link) return;
    Status s = town_up->link->Send(m.priority, m.stream, m.body);
    if (m.priority == Priority::kBulk) (s.ok() ? forwarded_bulk : dropped_bulk) += m.body.size();
  };
  std::vector<double> latencies;
  uint64_t city_bulk = 0;
  at_city->on_message = [&](Link&, const LinkMessage& m) {
    if (m.priority != Priority::kUrgent) {
      city_bulk += m.body.size();
      return;
    }
    int64_t sent = 0;
    std::memcpy(&sent, m.body.data(), sizeof(sent));
    latencies.push_back(static_cast<double>(Clock::now().time_since_epoch().count() - sent) / 1e6);
  };
  const size_t window = 4u << 20;
  const long samples = 200;
  const milliseconds interval(20);
  long sent = 0;
  auto next = Clock::now() + milliseconds(500);
  const auto start = Clock::now();
  testing::RunUntil(
      io,
      [&] {
        auto s = at_village->link;
        while (s && s->queued_bytes() < window) {
          (void)s->Send(Priority::kBulk, 0, std::string(64 * 1024, 'b'));
        }
        if (sent < samples && Clock::now() >= next && s) {
          std::string body(200, 'u');
          const int64_t now = Clock::now().time_since_epoch().count();
          std::memcpy(body.data(), &now, sizeof(now));
          (void)s->Send(Priority::kUrgent, 1, std::move(body));
          ++sent;
          next += interval;
        }
        return static_cast<long>(latencies.size()) >= samples;
      },
      milliseconds(120'000));
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (latencies.empty()) {
    std::printf("two-hop: no samples\n");
    return;
  }
  std::printf(
      "two-hop village->town->city on loopback under load: n=%zu p50=%.2f ms "
      "p99=%.2f ms max=%.2f ms; bulk reaching the city %.1f MB/s\n",
      latencies.size(), Percentile(latencies, 0.5), Percentile(latencies, 0.99),
      *std::max_element(latencies.begin(), latencies.end()),
      static_cast<double>(city_bulk) / 1e6 / seconds);
  village_dialer.Stop();
  town_dialer.Stop();
  (*town_listener)->Stop();
  (*city_listener)->Stop();
  testing::RunUntil(
      io, [&] { return !at_city->link && !town_down->link; }, milliseconds(5000));
  at_village->link.reset();
  town_up->link.reset();
}

}  // namespace
}  // namespace fulei::net

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--", 0) != 0 || a.find('=') == std::string::npos) {
      std::fprintf(stderr, "bad argument %s\n", argv[i]);
      return 2;
    }
    fulei::net::g_args[a.substr(2, a.find('=') - 2)] = std::atol(a.c_str() + a.find('=') + 1);
  }
  using fulei::net::Arg;
  std::printf(
      "link %ld kbit/s, %ld ms one way, %ld B link buffer; chunk %ld B, SO_SNDBUF %ld, "
      "bulk window %ld B\n",
      Arg("kbit", 256), Arg("delay-ms", 100), Arg("queue", 8192), Arg("chunk", 1024),
      Arg("sndbuf", 8192), Arg("window", 128 * 1024));
  if (Arg("latency", 1)) {
    fulei::net::LatencyRun("priority", false, false);
    fulei::net::LatencyRun("priority+pacing", false, true);
    fulei::net::LatencyRun("fifo", true, false);
  }
  fulei::net::ChannelThroughput();
  fulei::net::ThroughputRun(4096);
  fulei::net::ThroughputRun(16 * 1024);
  fulei::net::TwoHopRun();
  return 0;
}
