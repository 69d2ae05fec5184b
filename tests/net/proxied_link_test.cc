// Links through the userspace LinkProxy (a slow, delayed, dropping network path): an urgent
// message sent while a bulk backlog saturates the path arrives before the backlog completes
// (and, as a control, after it in FIFO mode); a link cut by the path is redialled and carries on.
#include <gtest/gtest.h>

#include <algorithm>

#include "net/dialer.h"
#include "net/listener.h"
#include "tests/net/link_proxy.h"
#include "tests/net/net_fixture.h"
#include "tests/support/status_matchers.h"

namespace fulei::net {
namespace {

namespace asio = boost::asio;
using crypto::Role;
using std::chrono::milliseconds;
using sync::Priority;
using testing::FactoryFor;
using testing::Recorder;
using testing::RunUntil;

class NetProxiedLinkTest : public ::testing::Test {
 protected:
  // Stops everything and lets the links finish, so nothing outlives the io_context.
  void TearDown() override {
    if (dialer_) dialer_->Stop();
    if (listener_) listener_->Stop();
    RunUntil(
        io_, [&] { return !town_handler_->link && !village_handler_->link; },
        std::chrono::seconds(5));
    town_handler_->link.reset();
    village_handler_->link.reset();
  }

  void Start(bool fifo, testing::ProxyConfig path) {
    LinkConfig c;
    c.chunk_bytes = 1024;
    c.send_buffer_bytes = 8 * 1024;
    c.fifo = fifo;
    c.log = testing::CollectLog(&log_);
    ASSERT_OK_AND_ASSIGN(listener_,
                         Listener::Start(io_, testing::kAnyLoopback, ListenerConfig{c, {}},
                                         FactoryFor(town_, trust_, town_random_),
                                         [this](const Tcp::endpoint&) { return town_handler_; }));
    proxy_ = std::make_unique<testing::LinkProxy>(io_, listener_->local_endpoint(), path);
    DialerConfig dc{c, {milliseconds(10), milliseconds(100)}};
    dialer_ =
        std::make_unique<Dialer>(io_, std::vector<Tcp::endpoint>{proxy_->endpoint()}, dc,
                                 FactoryFor(village_, trust_, village_random_), village_handler_);
    dialer_->Start();
  }

  // Queues a bulk backlog, waits until it flows, sends one urgent message; returns how many
  // bulk messages arrived after the urgent one.
  long UrgentDuringBacklog() {
    constexpr int kBulk = 40;
    village_handler_->on_established = [](Link& s) {
      for (int i = 0; i < kBulk; ++i) {
        EXPECT_OK(s.Send(Priority::kBulk, static_cast<uint32_t>(i % 4), std::string(8192, 'b')));
      }
    };
    EXPECT_TRUE(RunUntil(io_, [&] { return town_handler_->messages.size() >= 3; }));
    EXPECT_TRUE(village_handler_->link);
    if (!village_handler_->link) return -1;
    EXPECT_OK(village_handler_->link->Send(Priority::kUrgent, 7, "强制报告"));
    EXPECT_TRUE(RunUntil(io_, [&] { return town_handler_->messages.size() == kBulk + 1; }));
    const auto& got = town_handler_->messages;
    auto urgent = std::find_if(got.begin(), got.end(), [](const LinkMessage& m) {
      return m.priority == Priority::kUrgent;
    });
    EXPECT_NE(urgent, got.end());
    return static_cast<long>(got.end() - urgent) - 1;
  }

  asio::io_context io_;
  testing::TestPki pki_{5};
  testing::TestNode town_ = pki_.MakeNode("jinjiang/cizao", Role::kTown, nullptr, true);
  testing::TestNode village_ = pki_.MakeNode("jinjiang/cizao/v001", Role::kVillage, &town_);
  crypto::TrustStore trust_ = pki_.Trust();
  crypto::DeterministicRandom town_random_{1}, village_random_{2};
  std::shared_ptr<Recorder> town_handler_ = std::make_shared<Recorder>();
  std::shared_ptr<Recorder> village_handler_ = std::make_shared<Recorder>();
  std::unique_ptr<Listener> listener_;
  std::unique_ptr<testing::LinkProxy> proxy_;
  std::unique_ptr<Dialer> dialer_;
  std::vector<std::string> log_;
};

testing::ProxyConfig SlowPath() {
  testing::ProxyConfig path;
  path.bits_per_second = 2'000'000;
  path.delay = milliseconds(20);
  path.jitter = milliseconds(5);
  path.queue_bytes = 4096;
  return path;
}

TEST_F(NetProxiedLinkTest, UrgentOvertakesASaturatingBulkBacklog) {
  Start(/*fifo=*/false, SlowPath());
  const long after = UrgentDuringBacklog();
  // 320 KB of backlog at 2 Mbit/s is over a second; the urgent message waits behind the few
  // KB in the kernel and on the path, so most of the backlog arrives after it.
  EXPECT_GE(after, 20) << "bulk messages arriving after the urgent one";
}

TEST_F(NetProxiedLinkTest, FifoModeLetsTheBacklogGoFirst) {
  Start(/*fifo=*/true, SlowPath());
  EXPECT_EQ(UrgentDuringBacklog(), 0);
}

TEST_F(NetProxiedLinkTest, LinkCutByThePathIsRedialledAndCarriesOn) {
  Start(false, SlowPath());
  ASSERT_TRUE(RunUntil(io_, [&] { return village_handler_->link && town_handler_->link; }));
  proxy_->DropAll();
  ASSERT_TRUE(
      RunUntil(io_, [&] { return village_handler_->closed == 1 && town_handler_->closed == 1; }));
  ASSERT_TRUE(RunUntil(io_, [&] { return village_handler_->link && town_handler_->link; }));
  EXPECT_EQ(village_handler_->established, 2);
  ASSERT_OK(village_handler_->link->Send(Priority::kUrgent, 1, "求助"));
  ASSERT_TRUE(RunUntil(io_, [&] { return !town_handler_->messages.empty(); }));
  EXPECT_EQ(town_handler_->messages[0].body, "求助");
}

TEST_F(NetProxiedLinkTest, RandomDropsNeverWedgeTheDialer) {
  testing::ProxyConfig path = SlowPath();
  path.mean_lifetime = milliseconds(150);
  path.seed = 77;
  Start(false, path);
  ASSERT_TRUE(RunUntil(io_, [&] { return proxy_->drops() >= 5; }));
  ASSERT_TRUE(RunUntil(io_, [&] { return village_handler_->established >= 5; }));
  // Some links die in their handshake; every established one but the latest has closed.
  EXPECT_GE(village_handler_->closed, village_handler_->established - 1);
}

}  // namespace
}  // namespace fulei::net
