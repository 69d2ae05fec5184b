#include "net/dialer.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <string>
#include <utility>

#include "net/internal/log.h"

namespace fulei::net {
namespace asio = boost::asio;
using asio::awaitable;
using namespace asio::experimental::awaitable_operators;

struct DialAttempt::State {
  State(asio::io_context& context, Tcp::endpoint e, DialOnceConfig c, ChannelFactory ch,
        std::shared_ptr<LinkHandler> h, std::function<void(Status)> f)
      : io(context),
        endpoint(std::move(e)),
        config(std::move(c)),
        channels(std::move(ch)),
        handler(std::move(h)),
        on_failed(std::move(f)),
        cancel(context) {}
  asio::io_context& io;
  Tcp::endpoint endpoint;
  DialOnceConfig config;
  ChannelFactory channels;
  // The caller's callbacks; dropped once used or cancelled, so that a handler holding the
  // attempt's handle makes no cycle.
  std::shared_ptr<LinkHandler> handler;
  std::function<void(Status)> on_failed;
  asio::steady_timer cancel;  // WaitCancelled sleeps on it; Cancel cancels it
  std::weak_ptr<Link> link;   // once started
  bool connecting = true, cancelled = false;

  void Fail(Status status) {
    connecting = false;
    handler.reset();
    std::function<void(Status)> f = std::move(on_failed);
    on_failed = nullptr;
    f(std::move(status));
  }
};

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

std::string Describe(const Tcp::endpoint& e) {
  return e.address().to_string() + ":" + std::to_string(e.port());
}

// Returns once Cancel ran, or when the || that started it cancels it.
awaitable<void> WaitCancelled(DialAttempt::State& s) {
  if (s.cancelled) co_return;
  s.cancel.expires_at(asio::steady_timer::time_point::max());
  co_await s.cancel.async_wait(kTuple);
}

// The one connect path of net/: connect, time out, or be cancelled; then start the Link.
awaitable<void> Attempt(std::shared_ptr<DialAttempt::State> state) {
  DialAttempt::State& s = *state;
  try {
    if (s.cancelled) co_return;
    Tcp::socket socket(s.io);
    asio::steady_timer timeout(s.io, s.config.connect_timeout);
    auto result = co_await (socket.async_connect(s.endpoint, kTuple) ||
                            timeout.async_wait(kTuple) || WaitCancelled(s));
    if (s.cancelled) co_return;
    if (result.index() == 1) {
      s.Fail(Unavailable("connect to " + Describe(s.endpoint) + ": no answer within " +
                         std::to_string(s.config.connect_timeout.count()) + " ms"));
      co_return;
    }
    FULEI_CHECK(result.index() == 0);  // WaitCancelled ends first only after Cancel
    if (auto [ec] = std::get<0>(result); ec) {
      s.Fail(Unavailable("connect to " + Describe(s.endpoint) + ": " + ec.message()));
      co_return;
    }
    auto channel = s.channels(/*initiator=*/true);
    if (!channel.ok()) {
      s.Fail(channel.status());
      co_return;
    }
    s.connecting = false;
    auto link = Link::Create(std::move(socket), std::move(channel).value(), /*initiator=*/true,
                             s.config.link, std::move(s.handler));
    s.link = link;
    link->Start();
  } catch (const std::exception& e) {
    if (!s.cancelled && s.connecting) s.Fail(Internal(std::string("dial failed: ") + e.what()));
  }
}

}  // namespace

void DialAttempt::Cancel() {
  State& s = *state_;
  if (s.cancelled) return;
  s.cancelled = true;
  if (s.connecting) {
    s.connecting = false;
    s.handler.reset();
    s.on_failed = nullptr;
    s.cancel.cancel();
    return;
  }
  if (auto link = s.link.lock()) link->Close(Aborted("dial cancelled"));
}

std::shared_ptr<DialAttempt> DialOnce(asio::io_context& io, std::vector<Tcp::endpoint> endpoints,
                                      size_t first, DialOnceConfig config, ChannelFactory channels,
                                      std::shared_ptr<LinkHandler> handler,
                                      std::function<void(Status)> on_failed) {
  FULEI_CHECK(!endpoints.empty());
  FULEI_CHECK(handler != nullptr);
  FULEI_CHECK(on_failed != nullptr);
  auto state = std::make_shared<DialAttempt::State>(io, endpoints[first % endpoints.size()],
                                                    std::move(config), std::move(channels),
                                                    std::move(handler), std::move(on_failed));
  asio::co_spawn(io, Attempt(state), asio::detached);
  return std::shared_ptr<DialAttempt>(new DialAttempt(std::move(state)));
}

struct Dialer::State : std::enable_shared_from_this<Dialer::State> {
  State(asio::io_context& context, std::vector<Tcp::endpoint> u, DialerConfig c, ChannelFactory ch,
        std::shared_ptr<LinkHandler> h)
      : io(context),
        upstreams(std::move(u)),
        config(std::move(c)),
        channels(std::move(ch)),
        handler(std::move(h)),
        backoff(config.backoff, config.seed),
        retry(context) {}
  asio::io_context& io;
  std::vector<Tcp::endpoint> upstreams;
  DialerConfig config;
  ChannelFactory channels;
  std::shared_ptr<LinkHandler> handler;
  sync::Backoff backoff;
  asio::steady_timer retry;  // the backoff delay before the next attempt; Stop cancels it
  std::shared_ptr<DialAttempt> attempt;  // the latest
  std::shared_ptr<Link> current;         // the established link, until it closes
  size_t next = 0;                       // index of the endpoint to dial next
  bool started = false, stopped = false;
  Stats stats;

  void Attempt();
  // After a failed attempt or a link that ended: waits a backoff delay, then dials again.
  void Retry();
};

namespace {

// Tells the dialer when its link is established and when it ends. Holds the dialer's state
// weakly, so a link that outlives its dialer does not keep it alive in a cycle.
class DialedHandler final : public LinkHandler {
 public:
  explicit DialedHandler(const std::shared_ptr<Dialer::State>& state)
      : state_(state), inner_(state->handler) {}
  void OnEstablished(const std::shared_ptr<Link>& link) override {
    if (auto s = state_.lock()) {
      s->current = link;
      ++s->stats.established;
    }
    inner_->OnEstablished(link);
  }
  void OnMessage(Link& link, LinkMessage message) override {
    inner_->OnMessage(link, std::move(message));
  }
  void OnClosed(Link& link, const Status& reason) override {
    if (auto s = state_.lock()) {
      if (s->current.get() == &link) {
        s->current.reset();
        s->backoff.Reset();  // it got established: the next delay starts from `initial`
      }
      s->Retry();
    }
    inner_->OnClosed(link, reason);
  }

 private:
  std::weak_ptr<Dialer::State> state_;
  std::shared_ptr<LinkHandler> inner_;
};

}  // namespace

void Dialer::State::Attempt() {
  ++stats.attempts;
  std::weak_ptr<State> weak = weak_from_this();
  attempt =
      DialOnce(io, upstreams, next++, DialOnceConfig{config.link, config.connect_timeout}, channels,
               std::make_shared<DialedHandler>(shared_from_this()), [weak](Status failed) {
                 if (auto s = weak.lock()) {
                   internal::Log(s->config.link.log, "dial: " + failed.ToString());
                   s->Retry();
                 }
               });
}

void Dialer::State::Retry() {
  if (stopped) return;
  retry.expires_after(backoff.Next());
  retry.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (!ec && !self->stopped) self->Attempt();
  });
}

Dialer::Dialer(asio::io_context& io, std::vector<Tcp::endpoint> upstreams, DialerConfig config,
               ChannelFactory channels, std::shared_ptr<LinkHandler> handler) {
  FULEI_CHECK(!upstreams.empty());
  FULEI_CHECK(handler != nullptr);
  state_ = std::make_shared<State>(io, std::move(upstreams), std::move(config), std::move(channels),
                                   std::move(handler));
}

Dialer::~Dialer() { Stop(); }

void Dialer::Start() {
  FULEI_CHECK(!state_->started);
  state_->started = true;
  state_->Attempt();
}

void Dialer::Stop() {
  if (state_->stopped) return;
  state_->stopped = true;
  state_->retry.cancel();
  if (state_->current) state_->current->Close(Aborted("dialer stopped"));
  if (state_->attempt) state_->attempt->Cancel();
}

std::shared_ptr<Link> Dialer::link() const { return state_->current; }

Dialer::Stats Dialer::stats() const { return state_->stats; }

}  // namespace fulei::net
