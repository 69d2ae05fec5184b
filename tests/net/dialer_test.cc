// Dialing over real loopback TCP. DialOnce: one attempt, reported once — a Link on success
// (whose handler sees its handshake fail as OnClosed), on_failed for a refused, unanswered or
// channel-less connect, never synchronously — and Cancel, after which nothing is called or the
// started Link closes. Dialer: redials after the listener restarts, falls back to the next
// endpoint.
#include "net/dialer.h"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "net/listener.h"
#include "tests/net/net_fixture.h"
#include "tests/support/status_matchers.h"

namespace fulei::net {
namespace {

namespace asio = boost::asio;
using std::chrono::milliseconds;
using sync::Priority;
using testing::FactoryFor;
using testing::kAnyLoopback;
using testing::RunUntil;

// A loopback port nobody listens on: connecting there is refused at once.
Tcp::endpoint ClosedPort(asio::io_context& io) {
  Tcp::acceptor probe(io, kAnyLoopback);
  return probe.local_endpoint();
}

// A listening socket that never accepts, its accept queue full: the kernel drops the SYN of a
// further connect, which then gets no answer while this object lives.
class Unanswered {
 public:
  explicit Unanswered(asio::io_context& io) : acceptor_(io) {
    acceptor_.open(Tcp::v4());
    acceptor_.bind(kAnyLoopback);
    acceptor_.listen(0);
    for (int i = 0; i < 4; ++i) {  // connect(2) without waiting, as a dropped SYN never returns
      Tcp::socket& s = fillers_.emplace_back(io);
      s.open(Tcp::v4());
      s.non_blocking(true);
      const Tcp::endpoint to = acceptor_.local_endpoint();
      (void)::connect(s.native_handle(), to.data(), static_cast<socklen_t>(to.size()));
    }
  }
  Tcp::endpoint endpoint() const { return acceptor_.local_endpoint(); }

 private:
  Tcp::acceptor acceptor_;
  std::vector<Tcp::socket> fillers_;
};

class NetDialOnceTest : public testing::LinkPairTest {
 protected:
  // DialOnce as the village, reporting failures into failures_; TearDown cancels it.
  std::shared_ptr<DialAttempt> Dial(std::vector<Tcp::endpoint> endpoints, size_t first,
                                    DialOnceConfig config = {}) {
    config.link = Quiet(config.link);
    auto attempt = DialOnce(io_, std::move(endpoints), first, std::move(config),
                            FactoryFor(village_, trust_, village_random_), village_handler_,
                            [this](Status failed) { failures_.push_back(std::move(failed)); });
    attempts_.push_back(attempt);
    return attempt;
  }

  // Runs the loop until it has no work left (true) or `limit` passed (false): with no listener,
  // that is once every attempt has ended.
  bool RunUntilIdle(milliseconds limit = milliseconds(10'000)) {
    io_.restart();
    io_.run_for(limit);
    return io_.stopped();
  }

  std::vector<Status> failures_;
};

TEST_F(NetDialOnceTest, RefusedConnectFailsWithUnavailableOnTheLoop) {
  Dial({ClosedPort(io_)}, 0);
  EXPECT_TRUE(failures_.empty());  // never from inside DialOnce
  ASSERT_TRUE(RunUntil(io_, [&] { return !failures_.empty(); }));
  ASSERT_TRUE(RunUntilIdle());
  ASSERT_EQ(failures_.size(), 1u);
  EXPECT_EQ(failures_[0].code(), StatusCode::kUnavailable) << failures_[0].ToString();
  EXPECT_EQ(village_handler_->established, 0);
  EXPECT_EQ(village_handler_->closed, 0);
}

TEST_F(NetDialOnceTest, ConnectStartsALinkToTheChosenEndpoint) {
  ASSERT_NO_FATAL_FAILURE(StartTown());
  // endpoints[3 % 2]: the town, not the closed port.
  Dial({ClosedPort(io_), listener_->local_endpoint()}, 3);
  ASSERT_TRUE(BothEstablished());
  EXPECT_EQ(village_handler_->link->peer_certificate()->org_unit, "jinjiang/cizao");
  ASSERT_OK(village_handler_->link->Send(Priority::kUrgent, 1, "report"));
  ASSERT_TRUE(RunUntil(io_, [&] { return !town_handler_->messages.empty(); }));
  EXPECT_EQ(town_handler_->messages[0].body, "report");
  EXPECT_TRUE(failures_.empty());
  EXPECT_EQ(village_handler_->established, 1);
}

TEST_F(NetDialOnceTest, UnansweredConnectTimesOut) {
  Unanswered nobody(io_);
  Dial({nobody.endpoint()}, 0, DialOnceConfig{.link = {}, .connect_timeout = milliseconds(100)});
  ASSERT_TRUE(RunUntil(io_, [&] { return !failures_.empty(); }));
  EXPECT_EQ(failures_[0].code(), StatusCode::kUnavailable);
  EXPECT_NE(failures_[0].message().find("no answer within 100 ms"), std::string::npos)
      << failures_[0].ToString();
  EXPECT_EQ(village_handler_->closed, 0);
}

TEST_F(NetDialOnceTest, ChannelFactoryErrorIsTheFailure) {
  ASSERT_NO_FATAL_FAILURE(StartTown());
  auto attempt = DialOnce(
      io_, {listener_->local_endpoint()}, 0, DialOnceConfig{.link = Quiet()},
      [](bool) -> Result<crypto::Channel> { return FailedPrecondition("not enrolled yet"); },
      village_handler_, [this](Status failed) { failures_.push_back(std::move(failed)); });
  attempts_.push_back(attempt);
  ASSERT_TRUE(RunUntil(io_, [&] { return !failures_.empty(); }));
  EXPECT_EQ(failures_[0], FailedPrecondition("not enrolled yet"));
  EXPECT_EQ(village_handler_->established, 0);
  EXPECT_EQ(village_handler_->closed, 0);
}

TEST_F(NetDialOnceTest, CancelWhileConnectingCallsNothing) {
  Unanswered nobody(io_);
  auto attempt = Dial({nobody.endpoint()}, 0,
                      DialOnceConfig{.link = {}, .connect_timeout = milliseconds(60'000)});
  io_.poll();  // the connect is in flight, unanswered
  EXPECT_TRUE(failures_.empty());
  attempt->Cancel();
  ASSERT_TRUE(RunUntilIdle()) << "the cancelled attempt did not end";
  EXPECT_TRUE(failures_.empty());
  EXPECT_EQ(village_handler_->established, 0);
  EXPECT_EQ(village_handler_->closed, 0);
}

TEST_F(NetDialOnceTest, CancelBeforeTheLoopRanCallsNothing) {
  auto attempt = Dial({ClosedPort(io_)}, 0);  // would fail at once if it ran
  attempt->Cancel();
  ASSERT_TRUE(RunUntilIdle());
  EXPECT_TRUE(failures_.empty());
  EXPECT_EQ(village_handler_->closed, 0);
  attempt->Cancel();  // a second time: no effect
}

// A peer that accepts the TCP connection and then reads what the village's Link sends.
class MutePeer {
 public:
  explicit MutePeer(asio::io_context& io) : acceptor_(io, kAnyLoopback), socket_(io) {
    acceptor_.async_accept(socket_, [this](const boost::system::error_code& ec) {
      if (ec) return;
      accepted_ = true;
      socket_.async_read_some(asio::buffer(buffer_), [this](const boost::system::error_code& e,
                                                            size_t n) { heard_ = !e && n > 0; });
    });
  }
  Tcp::endpoint endpoint() const { return acceptor_.local_endpoint(); }
  bool accepted() const { return accepted_; }
  // True once the village's Link started: its first handshake message arrived.
  bool heard() const { return heard_; }
  void Close() {
    boost::system::error_code ignored;
    socket_.close(ignored);
    acceptor_.close(ignored);
  }

 private:
  Tcp::acceptor acceptor_;
  Tcp::socket socket_;
  char buffer_[512];
  bool accepted_ = false, heard_ = false;
};

TEST_F(NetDialOnceTest, CancelAfterTheLinkStartedClosesItUnestablished) {
  MutePeer peer(io_);
  auto attempt = Dial({peer.endpoint()}, 0);
  ASSERT_TRUE(RunUntil(io_, [&] { return peer.heard(); }));
  attempt->Cancel();
  ASSERT_TRUE(RunUntil(io_, [&] { return village_handler_->closed == 1; }));
  EXPECT_EQ(village_handler_->reasons[0], Aborted("dial cancelled"));
  EXPECT_EQ(village_handler_->established, 0);
  EXPECT_TRUE(failures_.empty());
  peer.Close();
}

TEST_F(NetDialOnceTest, HandshakeThatFailsClosesTheLinkNotTheAttempt) {
  MutePeer peer(io_);
  Dial({peer.endpoint()}, 0);
  ASSERT_TRUE(RunUntil(io_, [&] { return peer.heard(); }));
  peer.Close();  // the peer hangs up in the middle of the handshake
  ASSERT_TRUE(RunUntil(io_, [&] { return village_handler_->closed == 1; }));
  // The channel reports a stream that ends inside its handshake as kCorruption.
  EXPECT_EQ(village_handler_->reasons[0].code(), StatusCode::kCorruption)
      << village_handler_->reasons[0].ToString();
  EXPECT_EQ(village_handler_->established, 0);
  EXPECT_TRUE(failures_.empty());
}

class NetDialerTest : public testing::LinkPairTest {};

TEST_F(NetDialerTest, ReconnectsAfterTheListenerRestarts) {
  StartPair();
  ASSERT_TRUE(BothEstablished());
  const Tcp::endpoint at = listener_->local_endpoint();
  listener_.reset();  // the town reboots
  ASSERT_TRUE(RunUntil(io_, [&] { return village_handler_->closed == 1; }));
  EXPECT_EQ(village_handler_->reasons[0].code(), StatusCode::kUnavailable);
  // Dial attempts fail while it is down.
  const uint64_t attempts = dialer_->stats().attempts;
  ASSERT_TRUE(RunUntil(io_, [&] { return dialer_->stats().attempts >= attempts + 2; }));
  ASSERT_OK_AND_ASSIGN(
      listener_,
      Listener::Start(io_, at, ListenerConfig{Quiet(), {}}, FactoryFor(town_, trust_, town_random_),
                      [this](const Tcp::endpoint&) { return town_handler_; }));
  ASSERT_TRUE(
      RunUntil(io_, [&] { return village_handler_->established == 2 && town_handler_->link; }));
  ASSERT_TRUE(dialer_->link());
  ASSERT_OK(dialer_->link()->Send(Priority::kUrgent, 1, "after reboot"));
  ASSERT_TRUE(RunUntil(io_, [&] { return !town_handler_->messages.empty(); }));
  EXPECT_EQ(town_handler_->messages[0].body, "after reboot");
}

TEST_F(NetDialerTest, FallsBackToTheNextEndpoint) {
  ASSERT_NO_FATAL_FAILURE(StartTown());
  const Tcp::endpoint dead = ClosedPort(io_);
  DialerConfig dc{Quiet(), {milliseconds(10), milliseconds(50)}};
  dialer_ =
      std::make_unique<Dialer>(io_, std::vector<Tcp::endpoint>{dead, listener_->local_endpoint()},
                               dc, FactoryFor(village_, trust_, village_random_), village_handler_);
  dialer_->Start();
  ASSERT_TRUE(BothEstablished());
  EXPECT_EQ(dialer_->stats().attempts, 2u);
}

}  // namespace
}  // namespace fulei::net
