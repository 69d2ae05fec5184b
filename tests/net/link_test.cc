// Sessions through the userspace LinkProxy (slow, delayed, dropping link): an urgent message
// sent while a bulk backlog saturates the link arrives before the backlog completes (and, as a
// control, after it in FIFO mode); a session cut by the link is redialled and carries on.
#include <gtest/gtest.h>

#include <algorithm>

#include "net/dialer.h"
#include "net/listener.h"
#include "tests/net/link_proxy.h"
#include "tests/net/net_fixture.h"

namespace fulei::net {
namespace {

namespace asio = boost::asio;
using crypto::Role;
using std::chrono::milliseconds;
using sync::Priority;
using testing::FactoryFor;
using testing::Recorder;
using testing::RunUntil;

class NetLinkTest : public ::testing::Test {
 protected:
  // Stops everything and lets the sessions finish, so nothing outlives the io_context.
  void TearDown() override {
    if (dialer_) dialer_->Stop();
    if (listener_) listener_->Stop();
    RunUntil(
        io_, [&] { return !town_handler_->session && !village_handler_->session; },
        std::chrono::seconds(5));
    town_handler_->session.reset();
    village_handler_->session.reset();
  }

  void Start(bool fifo, testing::LinkConfig link) {
    SessionConfig c;
    c.chunk_bytes = 1024;
    c.send_buffer_bytes = 8 * 1024;
    c.fifo = fifo;
    c.log = testing::CollectLog(&log_);
    auto listener = Listener::Start(io_, Tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0),
                                    ListenerConfig{c, {}}, FactoryFor(town_, trust_, town_random_),
                                    [this](const Tcp::endpoint&) { return town_handler_; });
    ASSERT_TRUE(listener.ok());
    listener_ = std::move(listener).value();
    proxy_ = std::make_unique<testing::LinkProxy>(io_, listener_->local_endpoint(), link);
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
    village_handler_->on_established = [](Session& s) {
      for (int i = 0; i < kBulk; ++i) {
        EXPECT_TRUE(
            s.Send(Priority::kBulk, static_cast<uint32_t>(i % 4), std::string(8192, 'b')).ok());
      }
    };
    EXPECT_TRUE(RunUntil(io_, [&] { return town_handler_->messages.size() >= 3; }));
    EXPECT_TRUE(village_handler_->session);
    if (!village_handler_->session) return -1;
    EXPECT_TRUE(village_handler_->session->Send(Priority::kUrgent, 7, "强制报告").ok());
    EXPECT_TRUE(RunUntil(io_, [&] { return town_handler_->messages.size() == kBulk + 1; }));
    const auto& got = town_handler_->messages;
    auto urgent = std::find_if(got.begin(), got.end(),
                               [](const Message& m) { return m.priority == Priority::kUrgent; });
    EXPECT_NE(urgent, got.end());
    return static_cast<long>(got.end() - urgent) - 1;
  }

  asio::io_context io_;
  testing::TestPki pki_{5};
  testing::TestNode town_ = pki_.MakeNode("jinjiang/cizao", Role::kTown, nullptr, true);
  testing::TestNode village_ = pki_.MakeNode("jinjiang/cizao/v001", Role::kVillage, &town_);
  crypto::TrustStore trust_ = pki_.Trust();
  crypto::testing::SeededRandom town_random_{1}, village_random_{2};
  std::shared_ptr<Recorder> town_handler_ = std::make_shared<Recorder>();
  std::shared_ptr<Recorder> village_handler_ = std::make_shared<Recorder>();
  std::unique_ptr<Listener> listener_;
  std::unique_ptr<testing::LinkProxy> proxy_;
  std::unique_ptr<Dialer> dialer_;
  std::vector<std::string> log_;
};

testing::LinkConfig SlowLink() {
  testing::LinkConfig link;
  link.bits_per_second = 2'000'000;
  link.delay = milliseconds(20);
  link.jitter = milliseconds(5);
  link.queue_bytes = 4096;
  return link;
}

TEST_F(NetLinkTest, UrgentOvertakesASaturatingBulkBacklog) {
  Start(/*fifo=*/false, SlowLink());
  const long after = UrgentDuringBacklog();
  // 320 KB of backlog at 2 Mbit/s is over a second; the urgent message waits behind the few
  // KB in the kernel and the link, so most of the backlog arrives after it.
  EXPECT_GE(after, 20) << "bulk messages arriving after the urgent one";
}

TEST_F(NetLinkTest, FifoModeLetsTheBacklogGoFirst) {
  Start(/*fifo=*/true, SlowLink());
  EXPECT_EQ(UrgentDuringBacklog(), 0);
}

TEST_F(NetLinkTest, SessionCutByTheLinkIsRedialledAndCarriesOn) {
  testing::LinkConfig link = SlowLink();
  Start(false, link);
  ASSERT_TRUE(RunUntil(io_, [&] { return village_handler_->session && town_handler_->session; }));
  proxy_->DropAll();
  ASSERT_TRUE(
      RunUntil(io_, [&] { return village_handler_->closed == 1 && town_handler_->closed == 1; }));
  ASSERT_TRUE(RunUntil(io_, [&] { return village_handler_->session && town_handler_->session; }));
  EXPECT_EQ(village_handler_->established, 2);
  ASSERT_TRUE(village_handler_->session->Send(Priority::kUrgent, 1, "求助").ok());
  ASSERT_TRUE(RunUntil(io_, [&] { return !town_handler_->messages.empty(); }));
  EXPECT_EQ(town_handler_->messages[0].body, "求助");
}

TEST_F(NetLinkTest, RandomDropsNeverWedgeTheDialer) {
  testing::LinkConfig link = SlowLink();
  link.mean_lifetime = milliseconds(150);
  link.seed = 77;
  Start(false, link);
  ASSERT_TRUE(RunUntil(io_, [&] { return proxy_->drops() >= 5; }));
  ASSERT_TRUE(RunUntil(io_, [&] { return village_handler_->established >= 5; }));
  // Some sessions die in their handshake; every established one but the latest has closed.
  EXPECT_GE(village_handler_->closed, village_handler_->established - 1);
}

}  // namespace
}  // namespace fulei::net
