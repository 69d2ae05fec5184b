// The listener's admission over real loopback TCP: a handshake flood from one address does not
// starve a valid peer from another, a connection that stays silent is closed long before the
// handshake timeout, and the application may refuse a connection. (A flood from thousands of
// addresses while a real village syncs: tests/node/node_admission_test.cc.)
#include "net/listener.h"

#include <gtest/gtest.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/read.hpp>
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
  // Each admitted one waits for the rest of its first message (no link, no cryptography yet).
  ASSERT_TRUE(RunUntil(io_, [&] {
    return listener_->stats().accepted + listener_->stats().refused + listener_->waiting() == 60;
  }));
  EXPECT_LE(listener_->stats().accepted + listener_->waiting(), 2u);
  // The valid village, from 127.0.0.1, gets in while the flood holds its sockets open.
  DialerConfig dc{Quiet(), {milliseconds(10), milliseconds(100)}};
  dialer_ =
      std::make_unique<Dialer>(io_, std::vector<Tcp::endpoint>{listener_->local_endpoint()}, dc,
                               FactoryFor(village_, trust_, village_random_), village_handler_);
  dialer_->Start();
  ASSERT_TRUE(RunUntil(io_, [&] { return village_handler_->link && town_handler_->link; }));
  EXPECT_EQ(dialer_->stats().attempts, 1u);
}

// Issue 14, defect 4: a connection that sent nothing held its admission slot for the whole
// handshake timeout (10 s), so a slow trickle of silent connections kept every slot busy.
TEST_F(NetListenerTest, SilentFirstMessageTimesOutQuickly) {
  LinkConfig town_config;
  town_config.handshake_timeout = std::chrono::minutes(10);  // never reached by this test
  town_config.first_message_timeout = milliseconds(200);
  ASSERT_NO_FATAL_FAILURE(StartTown(town_config));
  auto connect = [&](const std::string& data) {
    auto s = std::make_unique<Tcp::socket>(io_);
    s->open(asio::ip::tcp::v4());
    s->bind(Tcp::endpoint(asio::ip::make_address("127.0.0.3"), 0));
    s->connect(listener_->local_endpoint());
    if (!data.empty()) asio::write(*s, asio::buffer(data));
    return s;
  };
  // Silent; and a first message that declares 32 bytes but stops after 10.
  auto silent = connect("");
  auto partial = connect(std::string("\x00\x20", 2) + std::string(10, 'e'));
  // A first message that arrives in two pieces is let through once whole.
  auto pieces = connect(std::string("\x00\x20", 2) + std::string(16, 'e'));
  ASSERT_TRUE(RunUntil(io_, [&] { return listener_->waiting() == 3; }));
  asio::write(*pieces, asio::buffer(std::string(16, 'e')));
  ASSERT_TRUE(RunUntil(io_, [&] { return listener_->stats().accepted == 1; }));
  // The two others are closed after first_message_timeout, well within the handshake timeout,
  // without a link (and so without a Noise handshake) ever being made for them.
  ASSERT_TRUE(RunUntil(io_, [&] { return listener_->stats().silent == 2; }));
  EXPECT_EQ(listener_->waiting(), 0u);
  EXPECT_EQ(listener_->stats().accepted, 1u);
  EXPECT_EQ(listener_->links(), 1u);  // the whole first message: its handshake goes on
  for (auto* s : {silent.get(), partial.get()}) {
    char byte;
    boost::system::error_code ec;
    asio::read(*s, asio::buffer(&byte, 1), ec);
    // Closed by the town (reset when it left bytes unread).
    EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset) << ec.message();
  }
  // The listener goes on admitting: a village gets in.
  StartVillage({listener_->local_endpoint()});
  EXPECT_TRUE(BothEstablished());
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
