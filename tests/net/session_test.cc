// Sessions over real loopback TCP with real certificates: handshake, messages both ways, large
// messages, class order on the wire, hostile peers (another root, garbage, broken chunks,
// silence, a handshake flood), reconnect after the listener restarts, keepalive.
#include "net/session.h"

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "net/chunk.h"
#include "net/dialer.h"
#include "net/listener.h"
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

const Tcp::endpoint kAnyLoopback(asio::ip::make_address("127.0.0.1"), 0);

class NetSessionTest : public ::testing::Test {
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

  SessionConfig Quiet(SessionConfig c = {}) {
    c.log = testing::CollectLog(&log_);
    return c;
  }

  // A town listening and a village dialing it, each with its Recorder.
  void StartPair(SessionConfig town_config = {}, SessionConfig village_config = {},
                 HandshakeLimits limits = {}) {
    ListenerConfig lc{Quiet(town_config), limits};
    auto listener = Listener::Start(io_, kAnyLoopback, lc, FactoryFor(town_, trust_, town_random_),
                                    [this](const Tcp::endpoint&) { return town_handler_; });
    ASSERT_TRUE(listener.ok()) << listener.status().ToString();
    listener_ = std::move(listener).value();
    DialerConfig dc{Quiet(village_config), {milliseconds(10), milliseconds(100)}};
    dc.seed = 3;
    dialer_ =
        std::make_unique<Dialer>(io_, std::vector<Tcp::endpoint>{listener_->local_endpoint()}, dc,
                                 FactoryFor(village_, trust_, village_random_), village_handler_);
    dialer_->Start();
  }

  bool BothEstablished() {
    return RunUntil(io_, [&] { return town_handler_->session && village_handler_->session; });
  }

  asio::io_context io_;
  testing::TestPki pki_{11};
  testing::TestNode town_ = pki_.MakeNode("jinjiang/cizao", Role::kTown, nullptr, true);
  testing::TestNode village_ = pki_.MakeNode("jinjiang/cizao/v012", Role::kVillage, &town_);
  crypto::TrustStore trust_ = pki_.Trust();
  crypto::testing::SeededRandom town_random_{101}, village_random_{202};
  std::shared_ptr<Recorder> town_handler_ = std::make_shared<Recorder>();
  std::shared_ptr<Recorder> village_handler_ = std::make_shared<Recorder>();
  std::unique_ptr<Listener> listener_;
  std::unique_ptr<Dialer> dialer_;
  std::vector<std::string> log_;
};

TEST_F(NetSessionTest, EstablishesWithCertificatesAndExchangesBothWays) {
  village_handler_->on_established = [](Session& s) {
    ASSERT_TRUE(s.Send(Priority::kControl, 1, "hello town").ok());
    ASSERT_TRUE(s.Send(Priority::kNormal, 2, "ops").ok());
  };
  town_handler_->on_message = [](Session& s, const Message& m) {
    ASSERT_TRUE(s.Send(m.priority, m.stream, "ack " + m.body).ok());
  };
  StartPair();
  ASSERT_TRUE(RunUntil(io_, [&] { return village_handler_->messages.size() == 2; }));
  ASSERT_TRUE(town_handler_->session && village_handler_->session);
  EXPECT_EQ(town_handler_->session->peer_certificate()->org_unit, "jinjiang/cizao/v012");
  EXPECT_EQ(village_handler_->session->peer_certificate()->org_unit, "jinjiang/cizao");
  ASSERT_EQ(town_handler_->messages.size(), 2u);
  EXPECT_EQ(town_handler_->messages[0].body, "hello town");
  EXPECT_EQ(town_handler_->messages[0].priority, Priority::kControl);
  EXPECT_EQ(town_handler_->messages[1].stream, 2u);
  EXPECT_EQ(village_handler_->messages[0].body, "ack hello town");
  EXPECT_EQ(village_handler_->messages[1].body, "ack ops");
  EXPECT_EQ(dialer_->stats().established, 1u);
}

TEST_F(NetSessionTest, LargeMessagesOnManyStreamsArriveWhole) {
  std::vector<std::string> sent;
  for (int i = 0; i < 6; ++i) {
    std::string m(static_cast<size_t>(300'000 * (i + 1)), '\0');
    for (size_t j = 0; j < m.size(); ++j)
      m[j] = static_cast<char>((j * 7 + static_cast<size_t>(i)) % 253);
    sent.push_back(std::move(m));
  }
  village_handler_->on_established = [&](Session& s) {
    for (size_t i = 0; i < sent.size(); ++i) {
      ASSERT_TRUE(
          s.Send(i % 2 ? Priority::kBulk : Priority::kNormal, static_cast<uint32_t>(i), sent[i])
              .ok());
    }
  };
  SessionConfig small;
  small.chunk_bytes = 1024;
  StartPair(small, small);
  ASSERT_TRUE(RunUntil(io_, [&] { return town_handler_->messages.size() == sent.size(); }));
  for (const Message& m : town_handler_->messages) {
    ASSERT_LT(m.stream, sent.size());
    EXPECT_TRUE(m.body == sent[m.stream]) << "stream " << m.stream;
  }
}

// Everything is queued before the first chunk leaves, so the order on the wire is the
// scheduler's alone: urgent first with classes, arrival order in FIFO mode.
void QueueBacklogThenUrgent(Session& s) {
  for (uint32_t i = 0; i < 50; ++i)
    ASSERT_TRUE(s.Send(Priority::kBulk, i % 3, std::string(20'000, 'b')).ok());
  ASSERT_TRUE(s.Send(Priority::kUrgent, 99, "report").ok());
}

TEST_F(NetSessionTest, UrgentQueuedBehindBulkBacklogArrivesFirst) {
  village_handler_->on_established = QueueBacklogThenUrgent;
  StartPair();
  ASSERT_TRUE(RunUntil(io_, [&] { return town_handler_->messages.size() == 51; }));
  EXPECT_EQ(town_handler_->messages.front().priority, Priority::kUrgent);
  EXPECT_EQ(town_handler_->messages.front().body, "report");
}

TEST_F(NetSessionTest, FifoModeKeepsArrivalOrder) {
  village_handler_->on_established = QueueBacklogThenUrgent;
  SessionConfig fifo;
  fifo.fifo = true;
  StartPair({}, fifo);
  ASSERT_TRUE(RunUntil(io_, [&] { return town_handler_->messages.size() == 51; }));
  EXPECT_EQ(town_handler_->messages.back().priority, Priority::kUrgent);
}

TEST_F(NetSessionTest, PeerFromAnotherRootGetsNothing) {
  testing::TestPki other(99);
  testing::TestNode impostor = other.MakeNode("jinjiang/cizao/v012", Role::kVillage);
  crypto::TrustStore other_trust = other.Trust();
  town_handler_->on_established = [](Session& s) {
    ASSERT_TRUE(s.Send(Priority::kUrgent, 1, "child record").ok());
  };
  ListenerConfig lc{Quiet(), {}};
  auto listener = Listener::Start(io_, kAnyLoopback, lc, FactoryFor(town_, trust_, town_random_),
                                  [this](const Tcp::endpoint&) { return town_handler_; });
  ASSERT_TRUE(listener.ok());
  // The impostor trusts the real root (so it accepts the town) but holds a foreign chain.
  auto bad = std::make_shared<Recorder>();
  bad->on_established = [](Session& s) { (void)s.Send(Priority::kUrgent, 1, "fake report"); };
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
      io_, [&] { return !bad->session; }, std::chrono::seconds(5));
  bad->session.reset();
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
    auto frame = channel.Seal(KeepaliveChunk());
    if (!frame.ok()) co_return;
    auto [wec, wn] = co_await asio::async_write(socket, asio::buffer(*frame), kTuple);
    if (wec) co_return;
  }
}

std::string DataChunk(Priority p, uint32_t stream, bool first, bool last, uint32_t length,
                      std::string_view payload) {
  std::string out;
  AppendChunkHeader(p, stream, first, last, length, &out);
  out.append(payload);
  return out;
}

TEST_F(NetSessionTest, BadBytesCloseOnlyThatSession) {
  town_handler_->on_message = [](Session& s, const Message& m) {
    ASSERT_TRUE(s.Send(Priority::kNormal, 0, "ack " + m.body).ok());
  };
  SessionConfig town_config;
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
      crypto::Channel::Create(crypto::testing::ConfigFor(village_, trust_), true, village_random_);
  auto greedy_channel =
      crypto::Channel::Create(crypto::testing::ConfigFor(village_, trust_), true, village_random_);
  ASSERT_TRUE(broken_channel.ok() && greedy_channel.ok());
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
  // Each closed with a logged reason, and the good session still works.
  EXPECT_GE(log_.size(), 3u);
  ASSERT_TRUE(village_handler_->session);
  ASSERT_TRUE(village_handler_->session->Send(Priority::kNormal, 0, "still here").ok());
  ASSERT_TRUE(RunUntil(io_, [&] { return !village_handler_->messages.empty(); }));
  EXPECT_EQ(village_handler_->messages[0].body, "ack still here");
  EXPECT_EQ(village_handler_->closed, 0);
}

TEST_F(NetSessionTest, ReconnectsAfterTheListenerRestarts) {
  StartPair();
  ASSERT_TRUE(BothEstablished());
  const Tcp::endpoint at = listener_->local_endpoint();
  listener_.reset();  // the town reboots
  ASSERT_TRUE(RunUntil(io_, [&] { return village_handler_->closed == 1; }));
  EXPECT_EQ(village_handler_->reasons[0].code(), StatusCode::kUnavailable);
  // Dial attempts fail while it is down.
  const uint64_t attempts = dialer_->stats().attempts;
  ASSERT_TRUE(RunUntil(io_, [&] { return dialer_->stats().attempts >= attempts + 2; }));
  auto listener =
      Listener::Start(io_, at, ListenerConfig{Quiet(), {}}, FactoryFor(town_, trust_, town_random_),
                      [this](const Tcp::endpoint&) { return town_handler_; });
  ASSERT_TRUE(listener.ok()) << listener.status().ToString();
  listener_ = std::move(listener).value();
  ASSERT_TRUE(
      RunUntil(io_, [&] { return village_handler_->established == 2 && town_handler_->session; }));
  ASSERT_TRUE(dialer_->session());
  ASSERT_TRUE(dialer_->session()->Send(Priority::kUrgent, 1, "after reboot").ok());
  ASSERT_TRUE(RunUntil(io_, [&] { return !town_handler_->messages.empty(); }));
  EXPECT_EQ(town_handler_->messages[0].body, "after reboot");
}

TEST_F(NetSessionTest, KeepalivesHoldAnIdleSessionAndASilentPeerIsDropped) {
  SessionConfig fast;
  fast.keepalive_interval = milliseconds(20);
  fast.dead_peer_timeout = milliseconds(200);
  StartPair(fast, fast);
  ASSERT_TRUE(BothEstablished());
  // Idle for several dead-peer timeouts: keepalives keep it up.
  ASSERT_TRUE(
      RunUntil(io_, [&] { return village_handler_->session->stats().keepalives_sent >= 40; }));
  EXPECT_EQ(village_handler_->closed, 0);
  EXPECT_EQ(town_handler_->closed, 0);
  EXPECT_GE(town_handler_->session->stats().keepalives_sent, 20u);

  // A certified peer that completes its handshake and then says nothing is dropped.
  Tcp::socket silent(io_);
  auto channel =
      crypto::Channel::Create(crypto::testing::ConfigFor(village_, trust_), true, village_random_);
  ASSERT_TRUE(channel.ok());
  bool up = false;
  asio::co_spawn(io_, RawPeer(silent, listener_->local_endpoint(), *channel, {}, &up),
                 asio::detached);
  ASSERT_TRUE(RunUntil(io_, [&] { return town_handler_->closed == 1; }));
  EXPECT_TRUE(up);
  EXPECT_EQ(town_handler_->reasons[0].code(), StatusCode::kUnavailable);
  EXPECT_NE(town_handler_->reasons[0].message().find("nothing received"), std::string::npos);
  EXPECT_EQ(village_handler_->closed, 0);
}

TEST_F(NetSessionTest, HandshakeFloodFromOneAddressDoesNotStarveAValidPeer) {
  HandshakeLimits limits{.per_second = 1, .burst = 4, .max_pending_per_address = 2};
  SessionConfig town_config;
  town_config.handshake_timeout = milliseconds(5000);
  ListenerConfig lc{Quiet(town_config), limits};
  auto listener = Listener::Start(io_, kAnyLoopback, lc, FactoryFor(town_, trust_, town_random_),
                                  [this](const Tcp::endpoint&) { return town_handler_; });
  ASSERT_TRUE(listener.ok());
  listener_ = std::move(listener).value();
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
  ASSERT_TRUE(RunUntil(io_, [&] { return village_handler_->session && town_handler_->session; }));
  EXPECT_EQ(dialer_->stats().attempts, 1u);
}

TEST_F(NetSessionTest, PeerThatTalksButNeverReadsIsDropped) {
  SessionConfig town_config;
  town_config.dead_peer_timeout = milliseconds(300);
  town_config.keepalive_interval = milliseconds(50);
  town_handler_->on_established = [](Session& s) {
    for (int i = 0; i < 30; ++i)
      ASSERT_TRUE(s.Send(Priority::kBulk, 0, std::string(1 << 20, 'x')).ok());
  };
  ListenerConfig lc{Quiet(town_config), {}};
  auto listener = Listener::Start(io_, kAnyLoopback, lc, FactoryFor(town_, trust_, town_random_),
                                  [this](const Tcp::endpoint&) { return town_handler_; });
  ASSERT_TRUE(listener.ok());
  listener_ = std::move(listener).value();
  Tcp::socket deaf(io_);
  auto channel =
      crypto::Channel::Create(crypto::testing::ConfigFor(village_, trust_), true, village_random_);
  ASSERT_TRUE(channel.ok());
  bool up = false;
  asio::co_spawn(io_,
                 RawPeer(deaf, listener_->local_endpoint(), *channel, {}, &up, milliseconds(20)),
                 asio::detached);
  ASSERT_TRUE(RunUntil(io_, [&] { return town_handler_->closed == 1; }));
  EXPECT_TRUE(up);
  EXPECT_NE(town_handler_->reasons[0].message().find("has not read"), std::string::npos)
      << town_handler_->reasons[0].ToString();
}

TEST_F(NetSessionTest, SilentConnectionHitsTheHandshakeTimeout) {
  SessionConfig town_config;
  town_config.handshake_timeout = milliseconds(100);
  StartPair(town_config);
  ASSERT_TRUE(BothEstablished());
  Tcp::socket silent(io_);
  silent.connect(listener_->local_endpoint());
  ASSERT_TRUE(RunUntil(io_, [&] { return town_handler_->closed == 1; }));
  EXPECT_EQ(town_handler_->reasons[0].code(), StatusCode::kUnavailable);
  EXPECT_NE(town_handler_->reasons[0].message().find("handshake"), std::string::npos);
  EXPECT_EQ(listener_->sessions(), 1u);  // the village's
}

TEST_F(NetSessionTest, SendRefusesWhatItCannotCarry) {
  SessionConfig village_config;
  village_config.reassembly.max_message_bytes = 1000;
  village_config.max_queued_bytes = 2500;
  std::vector<Status> results;
  village_handler_->on_established = [&](Session& s) {
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
  EXPECT_TRUE(results[1].ok() && results[2].ok());
  EXPECT_EQ(results[3].code(), StatusCode::kResourceExhausted);
  EXPECT_TRUE(results[4].ok());
  EXPECT_EQ(town_handler_->messages[0].priority, Priority::kUrgent);
  village_handler_->session->Close(Aborted("village shutting down"));
  EXPECT_EQ(village_handler_->session->Send(Priority::kUrgent, 0, "late").code(),
            StatusCode::kFailedPrecondition);
}

TEST_F(NetSessionTest, CloseReachesBothSidesWithItsReason) {
  StartPair();
  ASSERT_TRUE(BothEstablished());
  village_handler_->session->Close(Aborted("operator restart"));
  ASSERT_TRUE(
      RunUntil(io_, [&] { return village_handler_->closed == 1 && town_handler_->closed == 1; }));
  EXPECT_EQ(village_handler_->reasons[0], Aborted("operator restart"));
  EXPECT_EQ(town_handler_->reasons[0].code(), StatusCode::kUnavailable);
}

TEST_F(NetSessionTest, DialerFallsBackToTheNextEndpoint) {
  ListenerConfig lc{Quiet(), {}};
  auto listener = Listener::Start(io_, kAnyLoopback, lc, FactoryFor(town_, trust_, town_random_),
                                  [this](const Tcp::endpoint&) { return town_handler_; });
  ASSERT_TRUE(listener.ok());
  listener_ = std::move(listener).value();
  Tcp::endpoint dead;
  {
    Tcp::acceptor probe(io_, kAnyLoopback);  // a port nobody listens on once closed
    dead = probe.local_endpoint();
  }
  DialerConfig dc{Quiet(), {milliseconds(10), milliseconds(50)}};
  dialer_ =
      std::make_unique<Dialer>(io_, std::vector<Tcp::endpoint>{dead, listener_->local_endpoint()},
                               dc, FactoryFor(village_, trust_, village_random_), village_handler_);
  dialer_->Start();
  ASSERT_TRUE(BothEstablished());
  EXPECT_EQ(dialer_->stats().attempts, 2u);
}

TEST_F(NetSessionTest, ApplicationCanRefuseAConnection) {
  ListenerConfig lc{Quiet(), {}};
  auto listener = Listener::Start(io_, kAnyLoopback, lc, FactoryFor(town_, trust_, town_random_),
                                  [](const Tcp::endpoint&) { return nullptr; });
  ASSERT_TRUE(listener.ok());
  listener_ = std::move(listener).value();
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
