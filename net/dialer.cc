#include "net/dialer.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <iostream>

namespace fulei::net {
namespace asio = boost::asio;
using asio::awaitable;
using namespace asio::experimental::awaitable_operators;

struct Dialer::State {
  State(asio::io_context& context, std::vector<Tcp::endpoint> u, DialerConfig c, ChannelFactory ch,
        std::shared_ptr<SessionHandler> h)
      : io(context),
        upstreams(std::move(u)),
        config(std::move(c)),
        channels(std::move(ch)),
        handler(std::move(h)),
        backoff(config.backoff, config.seed),
        wake(context) {}
  asio::io_context& io;
  std::vector<Tcp::endpoint> upstreams;
  DialerConfig config;
  ChannelFactory channels;
  std::shared_ptr<SessionHandler> handler;
  Backoff backoff;
  asio::steady_timer wake;  // the dial loop sleeps on it; Stop and a closing session cancel it
  std::shared_ptr<Session> current;
  bool current_established = false;
  bool current_closed = false;
  bool started = false, stopped = false;
  Stats stats;

  void Log(const std::string& line) const {
    if (config.session.log) {
      config.session.log(line);
    } else {
      std::cerr << "fulei net: " << line << "\n";
    }
  }
};

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// Tells the dial loop when its session is established and when it ends. Holds the dialer's
// state weakly, so a session that outlives its dialer does not keep it alive in a cycle.
class DialedHandler final : public SessionHandler {
 public:
  explicit DialedHandler(const std::shared_ptr<Dialer::State>& state)
      : state_(state), inner_(state->handler) {}
  void OnEstablished(const std::shared_ptr<Session>& session) override {
    if (auto s = state_.lock()) {
      s->current_established = true;
      ++s->stats.established;
    }
    inner_->OnEstablished(session);
  }
  void OnMessage(Session& session, Message message) override {
    inner_->OnMessage(session, std::move(message));
  }
  void OnClosed(Session& session, const Status& reason) override {
    if (auto s = state_.lock()) {
      s->current_closed = true;
      s->current.reset();
      s->wake.cancel();
    }
    inner_->OnClosed(session, reason);
  }

 private:
  std::weak_ptr<Dialer::State> state_;
  std::shared_ptr<SessionHandler> inner_;
};

// Sleeps until `deadline` or until the loop is woken (Stop, a session closing).
awaitable<void> Sleep(Dialer::State& s, asio::steady_timer::time_point deadline) {
  s.wake.expires_at(deadline);
  co_await s.wake.async_wait(kTuple);
}

awaitable<bool> Connect(Dialer::State& s, Tcp::socket& socket, const Tcp::endpoint& endpoint) {
  asio::steady_timer timeout(s.io, s.config.connect_timeout);
  auto result = co_await (socket.async_connect(endpoint, kTuple) || timeout.async_wait(kTuple) ||
                          Sleep(s, asio::steady_timer::time_point::max()));
  if (result.index() != 0) co_return false;
  auto [ec] = std::get<0>(result);
  if (ec) {
    s.Log("connect to " + endpoint.address().to_string() + ":" + std::to_string(endpoint.port()) +
          ": " + ec.message());
    co_return false;
  }
  co_return true;
}

awaitable<void> Dial(std::shared_ptr<Dialer::State> state) {
  Dialer::State& s = *state;
  try {
    for (size_t next = 0; !s.stopped; ++next) {
      const Tcp::endpoint endpoint = s.upstreams[next % s.upstreams.size()];
      ++s.stats.attempts;
      Tcp::socket socket(s.io);
      if (co_await Connect(s, socket, endpoint) && !s.stopped) {
        auto channel = s.channels(/*initiator=*/true);
        if (!channel.ok()) {
          s.Log("cannot make a channel: " + channel.status().ToString());
        } else {
          s.current_established = false;
          s.current_closed = false;
          s.current = Session::Create(std::move(socket), std::move(channel).value(),
                                      /*initiator=*/true, s.config.session,
                                      std::make_shared<DialedHandler>(state));
          s.current->Start();
          while (!s.current_closed) co_await Sleep(s, asio::steady_timer::time_point::max());
          if (s.current_established) s.backoff.Reset();
        }
      }
      if (s.stopped) break;
      const auto delay = s.backoff.Next();
      const auto deadline = asio::steady_timer::clock_type::now() + delay;
      while (!s.stopped && asio::steady_timer::clock_type::now() < deadline) {
        co_await Sleep(s, deadline);
      }
    }
  } catch (const std::exception& e) {
    s.Log(std::string("dialer stopped: ") + e.what());
  }
}

}  // namespace

Dialer::Dialer(asio::io_context& io, std::vector<Tcp::endpoint> upstreams, DialerConfig config,
               ChannelFactory channels, std::shared_ptr<SessionHandler> handler) {
  FULEI_CHECK(!upstreams.empty());
  FULEI_CHECK(handler != nullptr);
  state_ = std::make_shared<State>(io, std::move(upstreams), std::move(config), std::move(channels),
                                   std::move(handler));
}

Dialer::~Dialer() { Stop(); }

void Dialer::Start() {
  FULEI_CHECK(!state_->started);
  state_->started = true;
  asio::co_spawn(state_->io, Dial(state_), asio::detached);
}

void Dialer::Stop() {
  if (state_->stopped) return;
  state_->stopped = true;
  state_->wake.cancel();
  if (state_->current) state_->current->Close(Aborted("dialer stopped"));
}

std::shared_ptr<Session> Dialer::session() const {
  return state_->current_established ? state_->current : nullptr;
}

Dialer::Stats Dialer::stats() const { return state_->stats; }

}  // namespace fulei::net
