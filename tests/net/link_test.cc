// Links over real loopback TCP with real certificates: handshake, messages both ways, large
// messages, class order on the wire, hostile peers (another root, garbage, broken chunks,
// silence, a peer that never reads), keepalive, the handshake timeout, what Send refuses, Close.
#include "net/link.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "net/dialer.h"
#include "net/internal/chunk.h"
#include "net/listener.h"
#include "tests/net/net_fixture.h"
#include "tests/support/status_matchers.h"

namespace fulei::net {
namespace {

namespace asio = boost::asio;
using crypto::Role;
using std::chrono::milliseconds;
using sync::Priority;
using testing::FactoryFor;
using testing::kAnyLoopback;
using testing::Recorder;
using testing::RunUntil;

class NetLinkTest : public testing::LinkPairTest {};

TEST_F(NetLinkTest, EstablishesWithCertificatesAndExchangesBothWays) {
  village_handler_->on_established = [](Link& s) {
    ASSERT_OK(s.Send(Priority::kControl, 1, "hello town"));
    ASSERT_OK(s.Send(Priority::kNormal, 2, "ops"));
  };
  town_handler_->on_message = [](Link& s, const LinkMessage& m) {
    ASSERT_OK(s.Send(m.priority, m.stream, "ack " + m.body));
  };
  StartPair();
  ASSERT_TRUE(RunUntil(io_, [&] { return village_handler_->messages.size() == 2; }));
  ASSERT_TRUE(town_handler_->link && village_handler_->link);
  EXPECT_EQ(town_handler_->link->peer_certificate()->org_unit, "jinjiang/cizao/v012");
  EXPECT_EQ(village_handler_->link->peer_certificate()->org_unit, "jinjiang/cizao");
  ASSERT_EQ(town_handler_->messages.size(), 2u);
  EXPECT_EQ(town_handler_->messages[0].body, "hello town");
  EXPECT_EQ(town_handler_->messages[0].priority, Priority::kControl);
  EXPECT_EQ(town_handler_->messages[1].stream, 2u);
  EXPECT_EQ(village_handler_->messages[0].body, "ack hello town");
  EXPECT_EQ(village_handler_->messages[1].body, "ack ops");
  EXPECT_EQ(dialer_->stats().established, 1u);
}

TEST_F(NetLinkTest, LargeMessagesOnManyStreamsArriveWhole) {
  std::vector<std::string> sent;
  for (int i = 0; i < 6; ++i) {
    std::string m(static_cast<size_t>(300'000 * (i + 1)), '\0');
    for (size_t j = 0; j < m.size(); ++j)
      m[j] = static_cast<char>((j * 7 + static_cast<size_t>(i)) % 253);
    sent.push_back(std::move(m));
  }
  village_handler_->on_established = [&](Link& s) {
    for (size_t i = 0; i < sent.size(); ++i) {
      ASSERT_OK(
          s.Send(i % 2 ? Priority::kBulk : Priority::kNormal, static_cast<uint32_t>(i), sent[i]));
    }
  };
  LinkConfig small;
  small.chunk_bytes = 1024;
  StartPair(small, small);
  ASSERT_TRUE(RunUntil(io_, [&] { return town_handler_->messages.size() == sent.size(); }));
  for (const LinkMessage& m : town_handler_->messages) {
    ASSERT_LT(m.stream, sent.size());
    EXPECT_TRUE(m.body == sent[m.stream]) << "stream " << m.stream;
  }
}

// Everything is queued before the first chunk leaves, so the order on the wire is the
// scheduler's alone: urgent first with classes, arrival order in FIFO mode.
void QueueBacklogThenUrgent(Link& s) {
  for (uint32_t i = 0; i < 50; ++i)
    ASSERT_OK(s.Send(Priority::kBulk, i % 3, std::string(20'000, 'b')));
  ASSERT_OK(s.Send(Priority::kUrgent, 99, "report"));
}

TEST_F(NetLinkTest, UrgentQueuedBehindBulkBacklogArrivesFirst) {
  village_handler_->on_established = QueueBacklogThenUrgent;
  StartPair();
  ASSERT_TRUE(RunUntil(io_, [&] { return town_handler_->messages.size() == 51; }));
  EXPECT_EQ(town_handler_->messages.front().priority, Priority::kUrgent);
  EXPECT_EQ(town_handler_->messages.front().body, "report");
}

TEST_F(NetLinkTest, FifoModeKeepsArrivalOrder) {
  village_handler_->on_established = QueueBacklogThenUrgent;
  LinkConfig fifo;
  fifo.fifo = true;
  StartPair({}, fifo);
  ASSERT_TRUE(RunUntil(io_, [&] { return town_handler_->messages.size() == 51; }));
  EXPECT_EQ(town_handler_->messages.back().priority, Priority::kUrgent);
}

TEST_F(NetLinkTest, PeerFromAnotherRootGetsNothing) {
  testing::TestPki other(99);
  testing::TestNode impostor = other.MakeNode("jinjiang/cizao/v012", Role::kVillage);
  crypto::TrustStore other_trust = other.Trust();
  town_handler_->on_established = [](Link& s) {
    ASSERT_OK(s.Send(Priority::kUrgent, 1, "child record"));
  };
  ListenerConfig lc{Quiet(), {}};
  auto listener = Listener::Start(io_, kAnyLoopback, lc, FactoryFor(town_, trust_, town_random_),
                                  [this](const Tcp::endpoint&) { return town_handler_; });
  ASSERT_OK(listener);
  // The impostor trusts the real root (so it accepts the town) but holds a foreign chain.
  auto bad = std::make_shared<Recorder>();
  bad->on_established = [](Link& s) { (void)s.Send(Priority::kUrgent, 1, "fake report"); };
  DialerConfig dc{Quiet(), {milliseconds(10), milliseconds(50)}};
  Dialer dialer(io_, {(*listener)->local_endpoint()}, dc,
                FactoryFor(impostor, trust_, village_random_), bad);
  dialer.Start();
  ASSERT_TRUE(RunUntil(io_, [&] { return town_handler_->closed >= 3; }));
  EXPECT_EQ(town_handler_->established, 0);
  EXPECT_TRUE(town_handler_->messages.empty());
  EXPECT_TRUE(bad->messages.empty());
  EXPECT_EQ(town_handler_->reasons[0].code(), StatusCode::kUnauthenticated)
      << town_handler_->reasons[0].ToString();
  (void)other_trust;
  dialer.Stop();
  (*listener)->Stop();
  RunUntil(
      io_, [&] { return !bad->link; }, std::chrono::seconds(5));
  bad->link.reset();
}

// Completes a real handshake, then sends each of `chunks` sealed, then either stays silent
// with the socket open or, with keepalive_every set, sends keepalives and never reads.
asio::awaitable<void> RawPeer(Tcp::socket& socket, Tcp::endpoint to, crypto::Channel& channel,
                              std::vector<std::string> chunks, bool* established,
                              milliseconds keepalive_every = milliseconds(0)) {
  constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
  auto [ec] = co_await socket.async_connect(to, kTuple);
  if (ec) co_return;
  auto start = channel.Start();
  if (!start.ok()) co_return;
  co_await asio::async_write(socket, asio::buffer(*start), kTuple);
  std::string buffer(4096, '\0'), to_send;
  std::vector<std::string> ignored;
  while (!channel.established()) {
    auto [rec, n] = co_await socket.async_read_some(asio::buffer(buffer), kTuple);
    if (rec) co_return;
    to_send.clear();
    if (!channel.Feed(std::string_view(buffer.data(), n), &to_send, &ignored).ok()) co_return;
    co_await asio::async_write(socket, asio::buffer(to_send), kTuple);
  }
  *established = true;
  for (const std::string& chunk : chunks) {
    auto frame = channel.Seal(chunk);
    if (!frame.ok()) co_return;
    co_await asio::async_write(socket, asio::buffer(*frame), kTuple);
  }
  // Optionally keep talking (keepalives) while never reading a byte.
  while (keepalive_every.count() > 0) {
    asio::steady_timer t(socket.get_executor(), keepalive_every);
    co_await t.async_wait(kTuple);
    auto frame = channel.Seal(internal::KeepaliveChunk());
    if (!frame.ok()) co_return;
    auto [wec, wn] = co_await asio::async_write(socket, asio::buffer(*frame), kTuple);
    if (wec) co_return;
  }
}

std::string DataChunk(Priority p, uint32_t stream, bool first, bool last, uint32_t length,
                      std::string_view payload) {
  std::string out;
  internal::AppendChunkHeader(p, stream, first, last, length, &out);
  out.append(payload);
  return out;
}

TEST_F(NetLinkTest, BadBytesCloseOnlyThatLink) {
  town_handler_->on_message = [](Link& s, const LinkMessage& m) {
    ASSERT_OK(s.Send(Priority::kNormal, 0, "ack " + m.body));
  };
  LinkConfig town_config;
  town_config.reassembly.max_message_bytes = 1 << 20;
  StartPair(town_config);
  ASSERT_TRUE(BothEstablished());
  const Tcp::endpoint at = listener_->local_endpoint();

  // 1. Garbage instead of a handshake.
  Tcp::socket garbage(io_);
  garbage.connect(at);
  asio::write(garbage, asio::buffer(std::string("\x00\x05hello GET / HTTP/1.1\r\n\r\n", 25)));
  // 2. A certified peer whose chunks break the format, 3. one that declares a huge message.
  Tcp::socket broken(io_), greedy(io_);
  auto broken_channel =
      crypto::Channel::Create(testing::ConfigFor(village_, trust_), true, village_random_);
  auto greedy_channel =
      crypto::Channel::Create(testing::ConfigFor(village_, trust_), true, village_random_);
  ASSERT_OK(broken_channel);
  ASSERT_OK(greedy_channel);
  bool broken_up = false, greedy_up = false;
  asio::co_spawn(io_,
                 RawPeer(broken, at, *broken_channel,
                         {DataChunk(Priority::kBulk, 1, false, true, 0, "orphan")}, &broken_up),
                 asio::detached);
  asio::co_spawn(io_,
                 RawPeer(greedy, at, *greedy_channel,
                         {DataChunk(Priority::kBulk, 1, true, false, 2u << 20, "x")}, &greedy_up),
                 asio::detached);
  ASSERT_TRUE(RunUntil(io_, [&] { return town_handler_->closed == 3; }));
  EXPECT_TRUE(broken_up && greedy_up);
  std::vector<StatusCode> codes;
  for (const Status& s : town_handler_->reasons) codes.push_back(s.code());
  std::string all;
  for (const Status& s : town_handler_->reasons) all += s.ToString() + "; ";
  EXPECT_EQ(std::count(codes.begin(), codes.end(), StatusCode::kCorruption), 2) << all;
  EXPECT_EQ(std::count(codes.begin(), codes.end(), StatusCode::kResourceExhausted), 1);
  // Each closed with a logged reason, and the good link still works.
  EXPECT_GE(log_.size(), 3u);
  ASSERT_TRUE(village_handler_->link);
  ASSERT_OK(village_handler_->link->Send(Priority::kNormal, 0, "still here"));
  ASSERT_TRUE(RunUntil(io_, [&] { return !village_handler_->messages.empty(); }));
  EXPECT_EQ(village_handler_->messages[0].body, "ack still here");
  EXPECT_EQ(village_handler_->closed, 0);
}

TEST_F(NetLinkTest, KeepalivesHoldAnIdleLinkAndASilentPeerIsDropped) {
  LinkConfig fast;
  fast.keepalive_interval = milliseconds(20);
  fast.dead_peer_timeout = milliseconds(200);
  StartPair(fast, fast);
  ASSERT_TRUE(BothEstablished());
  // Idle for several dead-peer timeouts: keepalives keep it up.
  ASSERT_TRUE(RunUntil(io_, [&] { return village_handler_->link->stats().keepalives_sent >= 40; }));
  EXPECT_EQ(village_handler_->closed, 0);
  EXPECT_EQ(town_handler_->closed, 0);
  EXPECT_GE(town_handler_->link->stats().keepalives_sent, 20u);

  // A certified peer that completes its handshake and then says nothing is dropped.
  Tcp::socket silent(io_);
  auto channel =
      crypto::Channel::Create(testing::ConfigFor(village_, trust_), true, village_random_);
  ASSERT_OK(channel);
  bool up = false;
  asio::co_spawn(io_, RawPeer(silent, listener_->local_endpoint(), *channel, {}, &up),
                 asio::detached);
  ASSERT_TRUE(RunUntil(io_, [&] { return town_handler_->closed == 1; }));
  EXPECT_TRUE(up);
  EXPECT_EQ(town_handler_->reasons[0].code(), StatusCode::kUnavailable);
  EXPECT_NE(town_handler_->reasons[0].message().find("nothing received"), std::string::npos);
  EXPECT_EQ(village_handler_->closed, 0);
}

TEST_F(NetLinkTest, PeerThatTalksButNeverReadsIsDropped) {
  LinkConfig town_config;
  town_config.dead_peer_timeout = milliseconds(300);
  town_config.keepalive_interval = milliseconds(50);
  town_handler_->on_established = [](Link& s) {
    for (int i = 0; i < 30; ++i) ASSERT_OK(s.Send(Priority::kBulk, 0, std::string(1 << 20, 'x')));
  };
  ASSERT_NO_FATAL_FAILURE(StartTown(town_config));
  Tcp::socket deaf(io_);
  auto channel =
      crypto::Channel::Create(testing::ConfigFor(village_, trust_), true, village_random_);
  ASSERT_OK(channel);
  bool up = false;
  asio::co_spawn(io_,
                 RawPeer(deaf, listener_->local_endpoint(), *channel, {}, &up, milliseconds(20)),
                 asio::detached);
  ASSERT_TRUE(RunUntil(io_, [&] { return town_handler_->closed == 1; }));
  EXPECT_TRUE(up);
  EXPECT_NE(town_handler_->reasons[0].message().find("has not read"), std::string::npos)
      << town_handler_->reasons[0].ToString();
}

TEST_F(NetLinkTest, SilentConnectionHitsTheHandshakeTimeout) {
  LinkConfig town_config;
  town_config.handshake_timeout = milliseconds(100);
  // The link's own bound, so the listener's earlier one is off (listener_test covers it).
  town_config.first_message_timeout = milliseconds(0);
  StartPair(town_config);
  ASSERT_TRUE(BothEstablished());
  Tcp::socket silent(io_);
  silent.connect(listener_->local_endpoint());
  ASSERT_TRUE(RunUntil(io_, [&] { return town_handler_->closed == 1; }));
  EXPECT_EQ(town_handler_->reasons[0].code(), StatusCode::kUnavailable);
  EXPECT_NE(town_handler_->reasons[0].message().find("handshake"), std::string::npos);
  EXPECT_EQ(listener_->links(), 1u);  // the village's
}

TEST_F(NetLinkTest, SendRefusesWhatItCannotCarry) {
  LinkConfig village_config;
  village_config.reassembly.max_message_bytes = 1000;
  village_config.max_queued_bytes = 2500;
  std::vector<Status> results;
  village_handler_->on_established = [&](Link& s) {
    results.push_back(s.Send(Priority::kBulk, 0, std::string(1001, 'x')));  // too large
    results.push_back(s.Send(Priority::kBulk, 0, std::string(1000, 'x')));
    results.push_back(s.Send(Priority::kNormal, 0, std::string(1000, 'x')));
    results.push_back(s.Send(Priority::kBulk, 0, std::string(1000, 'x')));    // queue full
    results.push_back(s.Send(Priority::kUrgent, 0, std::string(1000, 'u')));  // always queued
  };
  StartPair({}, village_config);
  ASSERT_TRUE(RunUntil(io_, [&] { return town_handler_->messages.size() == 3; }));
  ASSERT_EQ(results.size(), 5u);
  EXPECT_EQ(results[0].code(), StatusCode::kInvalidArgument);
  EXPECT_OK(results[1]);
  EXPECT_OK(results[2]);
  EXPECT_EQ(results[3].code(), StatusCode::kResourceExhausted);
  EXPECT_OK(results[4]);
  EXPECT_EQ(town_handler_->messages[0].priority, Priority::kUrgent);
  village_handler_->link->Close(Aborted("village shutting down"));
  EXPECT_EQ(village_handler_->link->Send(Priority::kUrgent, 0, "late").code(),
            StatusCode::kFailedPrecondition);
}

TEST_F(NetLinkTest, CloseReachesBothSidesWithItsReason) {
  StartPair();
  ASSERT_TRUE(BothEstablished());
  village_handler_->link->Close(Aborted("operator restart"));
  ASSERT_TRUE(
      RunUntil(io_, [&] { return village_handler_->closed == 1 && town_handler_->closed == 1; }));
  EXPECT_EQ(village_handler_->reasons[0], Aborted("operator restart"));
  EXPECT_EQ(town_handler_->reasons[0].code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace fulei::net
