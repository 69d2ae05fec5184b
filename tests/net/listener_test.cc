// The listener's admission over real loopback TCP: a handshake flood from one address does not
// starve a valid peer from another, and the application may refuse a connection.
#include "net/listener.h"

#include <gtest/gtest.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/write.hpp>
#include <memory>
#include <string>
#include <vector>

#include "net/dialer.h"
#include "tests/net/net_fixture.h"
#include "tests/support/status_matchers.h"

namespace fulei::net {
namespace {

namespace asio = boost::asio;
using std::chrono::milliseconds;
using testing::FactoryFor;
using testing::kAnyLoopback;
using testing::RunUntil;

class NetListenerTest : public testing::LinkPairTest {};

TEST_F(NetListenerTest, HandshakeFloodFromOneAddressDoesNotStarveAValidPeer) {
  HandshakeLimits limits{.per_second = 1, .burst = 4, .max_pending_per_address = 2};
  LinkConfig town_config;
  town_config.handshake_timeout = milliseconds(5000);
  ASSERT_NO_FATAL_FAILURE(StartTown(town_config, limits));
  // 60 stalled handshakes from 127.0.0.2: each connects, sends half a message, stays open.
  std::vector<std::unique_ptr<Tcp::socket>> flood;
  for (int i = 0; i < 60; ++i) {
    auto s = std::make_unique<Tcp::socket>(io_);
    s->open(asio::ip::tcp::v4());
    s->bind(Tcp::endpoint(asio::ip::make_address("127.0.0.2"), 0));
    s->connect(listener_->local_endpoint());
    boost::system::error_code ignored;
    asio::write(*s, asio::buffer(std::string("\x00\x40partial", 9)), ignored);
    flood.push_back(std::move(s));
  }
  ASSERT_TRUE(RunUntil(
      io_, [&] { return listener_->stats().accepted + listener_->stats().refused == 60; }));
  EXPECT_LE(listener_->stats().accepted, 2u);
  // The valid village, from 127.0.0.1, gets in while the flood holds its sockets open.
  DialerConfig dc{Quiet(), {milliseconds(10), milliseconds(100)}};
  dialer_ =
      std::make_unique<Dialer>(io_, std::vector<Tcp::endpoint>{listener_->local_endpoint()}, dc,
                               FactoryFor(village_, trust_, village_random_), village_handler_);
  dialer_->Start();
  ASSERT_TRUE(RunUntil(io_, [&] { return village_handler_->link && town_handler_->link; }));
  EXPECT_EQ(dialer_->stats().attempts, 1u);
}

TEST_F(NetListenerTest, ApplicationCanRefuseAConnection) {
  ListenerConfig lc{Quiet(), {}};
  ASSERT_OK_AND_ASSIGN(
      listener_, Listener::Start(io_, kAnyLoopback, lc, FactoryFor(town_, trust_, town_random_),
                                 [](const Tcp::endpoint&) { return nullptr; }));
  DialerConfig dc{Quiet(), {milliseconds(10), milliseconds(50)}};
  dialer_ =
      std::make_unique<Dialer>(io_, std::vector<Tcp::endpoint>{listener_->local_endpoint()}, dc,
                               FactoryFor(village_, trust_, village_random_), village_handler_);
  dialer_->Start();
  ASSERT_TRUE(RunUntil(io_, [&] { return listener_->stats().refused >= 2; }));
  EXPECT_EQ(village_handler_->established, 0);
}

}  // namespace
}  // namespace fulei::net
