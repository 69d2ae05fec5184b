// node_urgent_sync_latency: urgent report latency between real nodes (node::Node) while bulk
// *sync* saturates the link (issue 6). Not a test; prints figures.
//
// Part 1 (needs root and `ip netns`; skipped with the reason otherwise): a town and a village in
// two network namespaces joined by a veth pair shaped by `tc ... tbf rate 256kbit` (both ends),
// with the userspace link proxy adding `--delay-ms` one way (tests/node/netns_fixture.h).
// The village holds a backlog of `--backlog` ops that sync pushes through the link (batches of
// 1,000 ops). After `--warm-ms`, the village writes a report (urgent op, durable outbox) every
// `--interval-ms`; latency is Write() called at the village → the op held (stored durably) in the
// town's store, polled every millisecond. The same build runs, each on a fresh link:
//   priority                   1 KiB frames, SO_SNDBUF 8 KiB (docs/net.md#tuning)
//   priority + pacing          the same plus SO_MAX_PACING_RATE at --pacing-pct of the link
//   priority, 4 KiB frames     the default frame size, for comparison
//   FIFO                       net::LinkConfig::fifo (classes off), 1 KiB frames
// The backlog must still be incomplete when the last report is written (printed), or the link
// was not saturated throughout. Keep --backlog under the store's max_pending_per_chain (10,000):
// a report further ahead of the town's contiguous seq than that is refused and, as built, the
// town closes the session each time it is resent, so nothing moves (see docs/net.md).
//
// Part 2: village → town → city over plain loopback, the village writing ordinary ops all along
// so that sync loads both hops; report latency Write() at the village → held at the city;
// priority vs FIFO.
//
// Usage: node_urgent_sync_latency [--backlog=9000] [--samples=30] [--interval-ms=400]
//          [--warm-ms=2000] [--delay-ms=100] [--tbf-latency-ms=400] [--pacing-pct=95]
//          [--hop2-ahead=8000] [--hop2-samples=40] [--hop2-interval-ms=50]
//          [--netns=0 skips part 1] [--hop2=0 skips part 2] [--only=NAME runs one variant]
#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/node/netns_fixture.h"
#include "tests/node/test_network.h"
#include "tests/node/write_helpers.h"

namespace fulei::node {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using namespace testing;  // NOLINT: the fixture's helpers

std::map<std::string, std::string> g_args;
long Arg(const char* name, long fallback) {
  auto it = g_args.find(name);
  return it == g_args.end() ? fallback : std::strtol(it->second.c_str(), nullptr, 10);
}
std::string StrArg(const char* name) {
  auto it = g_args.find(name);
  return it == g_args.end() ? "" : it->second;
}

double Percentile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())));
  return v[i];
}

struct Sampled {
  std::vector<double> ms;
  uint64_t backlog_at_last = 0;  // the receiver's contiguous seq when the last report was written
  bool complete = true;          // every report arrived
};

// Writes `samples` reports at `writer` every `interval` after `warm`, and measures until each is
// held at `receiver` (the io_context is driven in 1 ms slices). Stops waiting after `limit`.
// `tick`, when set, runs once per loop iteration (a load generator).
Sampled Sample(boost::asio::io_context& io, Node& writer, Node& receiver, long samples,
               milliseconds interval, milliseconds warm, milliseconds limit,
               const std::function<void()>& tick = nullptr) {
  Sampled out;
  RunUntil(
      io, [] { return false; }, warm, milliseconds(1));
  struct Pending {
    crdt::Op op;
    Clock::time_point written;
    bool done = false;
  };
  std::vector<Pending> reports;
  auto next = Clock::now();
  long arrived = 0;
  const std::string scope = writer.unit();
  RunUntil(
      io,
      [&] {
        if (tick) tick();
        const auto now = Clock::now();
        if (static_cast<long>(reports.size()) < samples && now >= next) {
          const auto t0 = Clock::now();
          auto op = WriteReport(writer, "lat" + std::to_string(reports.size()));
          if (!op.ok()) {
            std::fprintf(stderr, "write: %s\n", op.status().ToString().c_str());
            std::exit(1);
          }
          reports.push_back({*op, t0});
          if (static_cast<long>(reports.size()) == samples) {
            out.backlog_at_last = SeqAt(receiver, scope, writer.node_id());
          }
          next += interval;
        }
        for (Pending& p : reports) {
          if (!p.done && Holds(receiver, p.op)) {
            p.done = true;
            ++arrived;
            out.ms.push_back(
                std::chrono::duration<double, std::milli>(Clock::now() - p.written).count());
          }
        }
        return arrived == samples;
      },
      limit, milliseconds(1));
  out.complete = arrived == samples;
  return out;
}

void Print(const char* name, const Sampled& s, uint64_t backlog, long samples) {
  if (s.ms.empty()) {
    std::printf("%-28s no report arrived\n", name);
    return;
  }
  std::printf(
      "%-28s n=%zu/%ld p50=%7.0f ms p99=%7.0f ms max=%7.0f ms  backlog at last write "
      "%llu/%llu%s\n",
      name, s.ms.size(), samples, Percentile(s.ms, 0.5), Percentile(s.ms, 0.99),
      *std::max_element(s.ms.begin(), s.ms.end()),
      static_cast<unsigned long long>(s.backlog_at_last), static_cast<unsigned long long>(backlog),
      s.backlog_at_last >= backlog ? "  (NOT saturated to the end)" : "");
  std::fflush(stdout);
}

struct Variant {
  const char* name;
  bool fifo;
  bool pacing;
  size_t chunk;
};

double NetnsRun(const Variant& v) {
  NetnsLinkConfig link;
  link.delay = milliseconds(Arg("delay-ms", 100));
  link.tbf.latency = std::to_string(Arg("tbf-latency-ms", 400)) + "ms";
  NetnsPair pair("urgent-bench", link);
  if (!pair.ok()) {
    std::printf("netns part skipped: %s\n", pair.why().c_str());
    return -1;
  }
  auto knobs = [&](NodeConfig c) {
    c.link.fifo = v.fifo;
    c.link.chunk_bytes = v.chunk;
    if (v.pacing) {
      c.link.pacing_bytes_per_second =
          static_cast<uint32_t>(256'000 / 8 * Arg("pacing-pct", 95) / 100);
    }
    c.sync_max_batch_ops = 1000;
    if (std::getenv("FULEI_TEST_LOG") == nullptr) c.log = [](std::string_view) {};
    return c;
  };
  if (!pair.StartTown(knobs(pair.TownConfig())).ok() ||
      !pair.StartVillage(knobs(pair.VillageConfig())).ok()) {
    std::fprintf(stderr, "start failed\n");
    std::exit(1);
  }
  const long backlog = Arg("backlog", 9000);
  if (!WriteBacklog(pair.village(), 0, static_cast<int>(backlog)).ok()) std::exit(1);
  const long samples = Arg("samples", 30);
  Sampled s =
      Sample(pair.io(), pair.village(), pair.town(), samples, milliseconds(Arg("interval-ms", 400)),
             milliseconds(Arg("warm-ms", 2000)), milliseconds(180'000));
  Print(v.name, s, static_cast<uint64_t>(backlog), samples);
  return s.ms.empty() ? -1 : Percentile(s.ms, 0.99);
}

// Village -> town -> city on loopback under load: the village starts with a backlog and keeps
// writing ordinary ops (500 per commit) whenever fewer than `--hop2-ahead` of its ops are
// missing at the city, so both hops carry sync the whole time while the gap stays under the
// store's max_pending_per_chain.
void TwoHopRun(bool fifo) {
  boost::asio::io_context io;
  TestNetwork net(fifo ? "hop2-fifo" : "hop2-priority");
  net.Add("jinjiang", crypto::Role::kCity);
  net.Add("jinjiang/cizao", crypto::Role::kTown);
  net.Add("jinjiang/cizao/v001", crypto::Role::kVillage);
  auto knobs = [&](NodeConfig c) {
    c.link.fifo = fifo;
    c.initial_map_bytes = size_t{256} << 20;
    if (std::getenv("FULEI_TEST_LOG") == nullptr) c.log = [](std::string_view) {};
    return c;
  };
  auto city = net.Start(io, knobs(net.Config("jinjiang", true, 0)));
  if (!city.ok()) std::exit(1);
  auto town = net.Start(io, knobs(net.Config("jinjiang/cizao", true, (*city)->listen_port())));
  if (!town.ok()) std::exit(1);
  auto village =
      net.Start(io, knobs(net.Config("jinjiang/cizao/v001", false, (*town)->listen_port())));
  if (!village.ok()) std::exit(1);
  Node& v = **village;
  Node& c = **city;
  const uint64_t ahead = static_cast<uint64_t>(Arg("hop2-ahead", 8000));
  int written = 0;
  auto load = [&] {
    while (static_cast<uint64_t>(written) < SeqAt(c, v.unit(), v.node_id()) + ahead) {
      if (!WriteBacklog(v, written, 500, 500).ok()) std::exit(1);
      written += 500;
    }
  };
  load();
  const long samples = Arg("hop2-samples", 40);
  const auto t0 = Clock::now();
  // Warm-up: until the city holds the first ops (both hops carry the backlog).
  RunUntil(
      io,
      [&] {
        load();
        return SeqAt(c, v.unit(), v.node_id()) > 0;
      },
      milliseconds(60'000), milliseconds(1));
  Node& t = **town;
  const uint64_t city_at_start = SeqAt(c, v.unit(), v.node_id());
  const uint64_t town_at_start = SeqAt(t, v.unit(), v.node_id());
  Sampled s = Sample(io, v, c, samples, milliseconds(Arg("hop2-interval-ms", 50)), milliseconds(0),
                     milliseconds(120'000), load);
  const double sample_s = std::chrono::duration<double>(Clock::now() - t0).count();
  const uint64_t synced = SeqAt(c, v.unit(), v.node_id()) - city_at_start;
  const uint64_t at_town = SeqAt(t, v.unit(), v.node_id()) - town_at_start;
  char name[64];
  std::snprintf(name, sizeof name, "two hops, %s", fifo ? "FIFO" : "priority");
  Print(name, s, static_cast<uint64_t>(written), samples);
  std::printf(
      "%-28s meanwhile %llu ops reached the town and %llu the city (%.0f ops/s through "
      "two hops, while writing them)\n",
      "", static_cast<unsigned long long>(at_town), static_cast<unsigned long long>(synced),
      static_cast<double>(synced) / sample_s);
  village->reset();
  town->reset();
  city->reset();
}

}  // namespace
}  // namespace fulei::node

int main(int argc, char** argv) {
  using namespace fulei::node;  // NOLINT
  for (int i = 1; i < argc; ++i) {
    const char* a = argv[i];
    if (std::strncmp(a, "--", 2) != 0 || std::strchr(a, '=') == nullptr) {
      std::fprintf(stderr,
                   "usage: see the comment at the top of bench/node/urgent_sync_latency.cc\n");
      return 2;
    }
    const char* eq = std::strchr(a, '=');
    g_args[std::string(a + 2, eq)] = eq + 1;
  }
  const std::string only = StrArg("only");
  if (Arg("netns", 1) != 0) {
    std::printf(
        "urgent report latency, town <- village over a tbf 256 kbit/s veth + %ld ms "
        "delay (tbf latency %ld ms), backlog %ld ops syncing in 1,000-op batches:\n",
        Arg("delay-ms", 100), Arg("tbf-latency-ms", 400), Arg("backlog", 9000));
    const Variant variants[] = {
        {"priority", false, false, 1024},
        {"priority + pacing", false, true, 1024},
        {"priority, 4 KiB frames", false, false, 4096},
        {"FIFO", true, false, 1024},
    };
    std::map<std::string, double> p99;
    for (const Variant& v : variants) {
      if (!only.empty() && only != v.name) continue;
      p99[v.name] = NetnsRun(v);
      if (p99[v.name] < 0 && !fulei::net::testing::NetnsUnavailableReason().empty()) break;
    }
    if (p99.count("FIFO") && p99["FIFO"] > 0) {
      for (const char* n : {"priority", "priority + pacing"}) {
        if (p99.count(n) && p99[n] > 0) {
          std::printf("FIFO p99 / %s p99 = %.1fx\n", n, p99["FIFO"] / p99[n]);
        }
      }
    }
  }
  if (Arg("hop2", 1) != 0) {
    std::printf("two hops on loopback, village -> town -> city, sync loading both hops:\n");
    TwoHopRun(false);
    TwoHopRun(true);
  }
  return 0;
}
