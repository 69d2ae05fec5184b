// Sync throughput village -> town over real loopback TCP with the encrypted channel, against the
// channel's own raw throughput in the same run.
//
//   sync_loopback_bench [N=100000] [chunk_bytes=4096]
//
// 1. A village node writes N one-field ops (1,000 per commit) while offline.
// 2. A town node starts listening and the village dials it; the clock runs from the village's
//    start until the town's version vector holds all N ops (handshake, digest, vectors, batches,
//    verification, one LMDB transaction per batch on the town, acks).
// 3. Raw: a net::Link pair on loopback (same certificates, same chunk size) carries messages
//    of the sync run's mean batch size, as many bytes in total, with no sync and no store.
// Reports ops/s and MB/s of sync (sync message bytes), the raw MB/s, and their ratio. One
// thread runs both ends, as in the tests. Stores go in $TMPDIR (use /dev/shm to leave the disk
// out: TMPDIR=/dev/shm).
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "crypto/channel.h"
#include "crypto/random.h"
#include "net/dialer.h"
#include "net/link.h"
#include "net/listener.h"
#include "node/node.h"
#include "tests/node/test_network.h"

namespace {

using namespace fulei;  // NOLINT: a benchmark's main
using Clock = std::chrono::steady_clock;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

uint64_t TownHolds(node::Node& town, const std::string& scope, crdt::NodeId origin) {
  auto vv = town.store().GetVersionVector(scope);
  if (!vv.ok()) return 0;
  auto it = vv->find(origin);
  return it == vv->end() ? 0 : it->second;
}

// Counts what arrives; the sending side queues everything once established.
class Sink final : public net::LinkHandler {
 public:
  void OnEstablished(const std::shared_ptr<net::Link>& s) override {
    link = s;
    if (on_established) on_established(*s);
  }
  void OnMessage(net::Link&, net::LinkMessage m) override {
    bytes += m.body.size();
    ++messages;
  }
  void OnClosed(net::Link& s, const fulei::Status&) override {
    if (link.get() == &s) link.reset();
    ++closed;
  }
  std::shared_ptr<net::Link> link;
  std::function<void(net::Link&)> on_established;
  uint64_t bytes = 0, messages = 0;
  int closed = 0;
};

}  // namespace

int main(int argc, char** argv) {
  const uint64_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 100'000;
  const size_t chunk_bytes = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 4096;
  boost::asio::io_context io;
  node::testing::TestNetwork network("loopback-bench");
  const std::string town_unit = "jinjiang/cizao", village_unit = "jinjiang/cizao/v001";
  network.Add(town_unit, crypto::Role::kTown);
  network.Add(village_unit, crypto::Role::kVillage);

  // 1. The village's backlog, written offline.
  uint64_t village_id = 0;
  {
    auto village = network.Start(io, network.Config(village_unit, false, 0));
    if (!village.ok()) {
      std::fprintf(stderr, "village: %s\n", village.status().ToString().c_str());
      return 1;
    }
    village_id = (*village)->node_id();
    const auto start = Clock::now();
    for (uint64_t done = 0; done < n;) {
      std::vector<store::LocalChange> changes;
      for (int i = 0; i < 1000 && done < n; ++i, ++done) {
        store::LocalChange c;
        c.key = {village_unit, "child", "c" + std::to_string(done)};
        c.author = "director";
        c.writes.push_back(crdt::FieldWrite{"grade", crdt::WriteKind::kSet, "grade 4", {}});
        changes.push_back(std::move(c));
      }
      auto ops = (*village)->Write(changes);
      if (!ops.ok()) {
        std::fprintf(stderr, "write: %s\n", ops.status().ToString().c_str());
        return 1;
      }
    }
    std::printf("village wrote %llu ops in %.2f s (1,000 per commit)\n",
                static_cast<unsigned long long>(n), Seconds(Clock::now() - start));
  }

  // 2. Sync to the town.
  node::NodeConfig town_config = network.Config(town_unit, true, 0);
  town_config.link.chunk_bytes = chunk_bytes;
  town_config.link.send_buffer_bytes = 0;  // a fast link: kernel autotuning
  auto town = network.Start(io, town_config);
  if (!town.ok()) {
    std::fprintf(stderr, "town: %s\n", town.status().ToString().c_str());
    return 1;
  }
  node::NodeConfig village_config = network.Config(village_unit, false, (*town)->listen_port());
  village_config.link = town_config.link;
  const auto sync_start = Clock::now();
  auto village = network.Start(io, village_config);
  if (!village.ok()) return 1;
  const bool synced = node::testing::RunUntil(
      io, [&] { return TownHolds(**town, village_unit, village_id) >= n; },
      std::chrono::seconds(600), std::chrono::milliseconds(1));
  const double sync_s = Seconds(Clock::now() - sync_start);
  if (!synced) {
    std::fprintf(stderr, "sync did not finish\n");
    return 1;
  }
  const node::NodeStats vs = (*village)->stats();
  const double sync_mb = static_cast<double>(vs.bytes_sent) / 1e6;
  std::printf(
      "sync  village -> town: %llu ops in %.3f s = %.0f ops/s, %.1f MB of sync messages = "
      "%.1f MB/s (%.1f bytes/op, %llu batches)\n",
      static_cast<unsigned long long>(n), sync_s, static_cast<double>(n) / sync_s, sync_mb,
      sync_mb / sync_s, static_cast<double>(vs.bytes_sent) / static_cast<double>(n),
      static_cast<unsigned long long>(vs.batches_sent));
  (void)(*village)->Stop();
  (void)(*town)->Stop();
  village->reset();
  town->reset();

  // 3. Raw channel: the same bytes as messages of the mean batch size.
  const size_t message_bytes =
      vs.batches_sent == 0 ? 256 << 10 : static_cast<size_t>(vs.bytes_sent / vs.batches_sent);
  const size_t messages = static_cast<size_t>(vs.bytes_sent / message_bytes) + 1;
  auto town_id =
      crypto::NodeIdentity::Load(network.site(town_unit).dir, crypto::KeyProtection::None());
  auto village_key =
      crypto::NodeIdentity::Load(network.site(village_unit).dir, crypto::KeyProtection::None());
  if (!town_id.ok() || !village_key.ok()) return 1;
  const crypto::TrustStore trust(network.root_public());
  crypto::SystemRandom random;
  auto factory = [&](const crypto::NodeIdentity& id, const crypto::CertChain& chain) {
    return [&id, &chain, &trust, &random, &network](bool initiator) {
      crypto::ChannelConfig cc;
      cc.static_key = id.dh_key().Clone();
      cc.certificates = chain;
      cc.trust = &trust;
      cc.now_ms = network.wall();
      return crypto::Channel::Create(std::move(cc), initiator, random);
    };
  };
  net::LinkConfig sc;
  sc.chunk_bytes = chunk_bytes;
  sc.send_buffer_bytes = 0;
  sc.max_queued_bytes = size_t{1} << 30;
  sc.log = [](std::string_view) {};
  auto receiver = std::make_shared<Sink>();
  auto sender = std::make_shared<Sink>();
  Clock::time_point raw_start;
  const std::string payload(message_bytes, 'x');
  sender->on_established = [&](net::Link& s) {
    raw_start = Clock::now();
    for (size_t i = 0; i < messages; ++i) {
      if (!s.Send(sync::Priority::kBulk, 1, payload).ok()) std::abort();
    }
  };
  net::ListenerConfig lc;
  lc.link = sc;
  auto listener =
      net::Listener::Start(io, net::Tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0),
                           lc, factory(*town_id, network.site(town_unit).chain),
                           [&](const net::Tcp::endpoint&) { return receiver; });
  if (!listener.ok()) return 1;
  net::DialerConfig dc;
  dc.link = sc;
  dc.seed = 1;
  auto dialer = std::make_unique<net::Dialer>(
      io, std::vector<net::Tcp::endpoint>{(*listener)->local_endpoint()}, dc,
      factory(*village_key, network.site(village_unit).chain), sender);
  dialer->Start();
  const bool carried = node::testing::RunUntil(
      io, [&] { return receiver->messages >= messages; }, std::chrono::seconds(600),
      std::chrono::milliseconds(1));
  const double raw_s = Seconds(Clock::now() - raw_start);
  if (!carried) {
    std::fprintf(stderr, "raw transfer did not finish\n");
    return 1;
  }
  const double raw_mb = static_cast<double>(receiver->bytes) / 1e6;
  std::printf("raw   net::Link, %zu messages of %zu bytes: %.1f MB in %.3f s = %.1f MB/s\n",
              messages, message_bytes, raw_mb, raw_s, raw_mb / raw_s);
  std::printf("sync reaches %.0f%% of the raw channel's throughput (chunk %zu bytes)\n",
              100.0 * (sync_mb / sync_s) / (raw_mb / raw_s), chunk_bytes);
  dialer->Stop();
  (*listener)->Stop();
  node::testing::RunUntil(
      io, [&] { return receiver->closed > 0 && sender->closed > 0; }, std::chrono::seconds(5));
  return 0;
}
