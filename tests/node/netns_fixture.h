// A town and a village node (node::Node) on either side of a real shaped link, for the netns
// tests and the node latency benchmark:
//
//   village (netns B) --veth, tbf--> LinkProxy (netns A, 192.0.2.1) --loopback--> town (netns A)
//
// Both veth ends are shaped by tbf (tests/net/shaped_link.h); the userspace LinkProxy sits after
// the bottleneck and adds propagation delay, jitter and connection drops in both directions
// (the kernels here have no netem). Everything runs on the calling thread and one io_context:
// the town's listener and the proxy are created while the thread is in A, then the thread enters
// B, so every socket the village's dialer opens is in B; the proxy opens its connections to the
// town inside A (ProxyConfig::connect_netns). Tear-down (the destructor) stops the nodes, closes
// the proxy, returns the thread to its namespace and deletes both namespaces, pass or fail.
//
// Usage: construct, FULEI_SKIP_UNLESS_AVAILABLE(pair.why()) (tests/support/skip.h: a skip, or
// a failure under CI=true), then StartTown() and StartVillage().
#ifndef FULEI_TESTS_NODE_NETNS_FIXTURE_H_
#define FULEI_TESTS_NODE_NETNS_FIXTURE_H_

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "node/node.h"
#include "tests/net/link_proxy.h"
#include "tests/net/shaped_link.h"
#include "tests/node/test_network.h"

namespace fulei::node::testing {

struct NetnsLinkConfig {
  net::testing::ShapedLinkConfig tbf;
  std::chrono::milliseconds delay{100};  // one way, added by the proxy
  std::chrono::milliseconds jitter{0};
  std::chrono::milliseconds mean_lifetime{0};  // 0: the proxy never drops a connection itself
  uint64_t seed = 1;
};

class NetnsPair {
 public:
  NetnsPair(const std::string& name, const NetnsLinkConfig& config,
            std::string town_unit = "jinjiang/cizao",
            std::string village_unit = "jinjiang/cizao/v003")
      : config_(config), town_unit_(std::move(town_unit)), village_unit_(std::move(village_unit)) {
    why_ = net::testing::NetnsUnavailableReason();
    if (!why_.empty()) return;
    link_.emplace(config.tbf);
    if (!link_->ok()) {
      why_ = link_->error();
      return;
    }
    net_ = std::make_unique<TestNetwork>(name);
    net_->Add(town_unit_, crypto::Role::kTown);
    net_->Add(village_unit_, crypto::Role::kVillage);
  }
  ~NetnsPair() {
    village_.reset();
    town_.reset();
    proxy_.reset();
    io_.run_for(std::chrono::milliseconds(50));  // let closed proxy connections unwind
    ns_.reset();                                 // back to the original namespace
    link_.reset();                               // deletes both namespaces
  }
  NetnsPair(const NetnsPair&) = delete;
  NetnsPair& operator=(const NetnsPair&) = delete;

  bool ok() const { return why_.empty(); }
  const std::string& why() const { return why_; }

  // Transport and sync knobs sized to a 256 kbit/s link (docs/net.md#tuning): ~1 KiB frames,
  // a short kernel queue, small batches so that a dropped connection loses little in flight.
  static void SlowLinkKnobs(NodeConfig& c) {
    c.link.chunk_bytes = 1024;
    c.link.send_buffer_bytes = 8 * 1024;
    c.link.keepalive_interval = std::chrono::seconds(2);
    c.link.dead_peer_timeout = std::chrono::seconds(10);
    c.sync_max_batch_ops = 100;
    c.backoff.initial = std::chrono::milliseconds(50);
    c.backoff.max = std::chrono::milliseconds(500);
  }

  NodeConfig TownConfig() {
    NodeConfig c = net_->Config(town_unit_, true, 0);
    SlowLinkKnobs(c);
    return c;
  }
  NodeConfig VillageConfig() {
    NodeConfig c = net_->Config(village_unit_, false, 0);
    SlowLinkKnobs(c);
    return c;
  }

  // Starts the town in namespace A and the proxy in front of it; leaves the thread in B.
  Status StartTown(NodeConfig config) {
    ns_.emplace();
    if (!ns_->Enter(link_->a())) return Status(StatusCode::kIoError, "cannot enter " + link_->a());
    FULEI_ASSIGN_OR_RETURN(town_, net_->Start(io_, std::move(config)));
    net::testing::ProxyConfig lc;
    lc.bits_per_second = 0;  // tbf serialises; the proxy only delays, jitters and drops
    lc.delay = config_.delay;
    lc.jitter = config_.jitter;
    lc.mean_lifetime = config_.mean_lifetime;
    lc.seed = config_.seed;
    lc.queue_bytes = 64 * 1024;  // never the bottleneck: it sits after tbf
    lc.socket_buffer_bytes = 64 * 1024;
    lc.listen_address = net::testing::ShapedLink::kAddressA;
    lc.connect_netns = net::testing::ShapedLink::Path(link_->a());
    proxy_ = std::make_unique<net::testing::LinkProxy>(
        io_,
        boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"),
                                       town_->listen_port()),
        lc);
    if (!ns_->Enter(link_->b())) return Status(StatusCode::kIoError, "cannot enter " + link_->b());
    return Status::Ok();
  }

  // Starts (or restarts, from its data dir) the village in B, dialing the proxy across the veth.
  Status StartVillage(NodeConfig config) {
    config.upstreams = {
        Upstream{{Endpoint{net::testing::ShapedLink::kAddressA, proxy_->endpoint().port()}}, ""}};
    village_.reset();
    FULEI_ASSIGN_OR_RETURN(village_, net_->Start(io_, std::move(config)));
    return Status::Ok();
  }

  boost::asio::io_context& io() { return io_; }
  TestNetwork& network() { return *net_; }
  Node& town() { return *town_; }
  Node& village() { return *village_; }
  net::testing::LinkProxy& proxy() { return *proxy_; }
  const std::string& town_unit() const { return town_unit_; }
  const std::string& village_unit() const { return village_unit_; }

 private:
  NetnsLinkConfig config_;
  std::string town_unit_, village_unit_;
  std::string why_;
  std::optional<net::testing::ShapedLink> link_;
  std::unique_ptr<TestNetwork> net_;
  boost::asio::io_context io_;
  std::optional<net::testing::InNamespace> ns_;
  std::unique_ptr<net::testing::LinkProxy> proxy_;
  std::unique_ptr<Node> town_, village_;
};

}  // namespace fulei::node::testing

#endif  // FULEI_TESTS_NODE_NETNS_FIXTURE_H_
