#include "net/listener.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <map>
#include <string>

#include "net/internal/log.h"

namespace fulei::net {
namespace asio = boost::asio;
using asio::awaitable;

struct Listener::State {
  State(asio::io_context& io, ListenerConfig c, ChannelFactory ch, HandlerFactory h)
      : acceptor(io),
        config(std::move(c)),
        channels(std::move(ch)),
        handlers(std::move(h)),
        limiter(config.handshakes) {}
  Tcp::acceptor acceptor;
  ListenerConfig config;
  ChannelFactory channels;
  HandlerFactory handlers;
  HandshakeLimiter limiter;
  std::map<Link*, std::weak_ptr<Link>> links;
  Stats stats;
  bool stopped = false;

  void Log(const std::string& line) const { internal::Log(config.link.log, line); }
};

namespace {

// Wraps the application's handler to give handshake slots back and track live links.
class AdmittedHandler final : public LinkHandler {
 public:
  AdmittedHandler(std::shared_ptr<Listener::State> state, std::string address,
                  std::shared_ptr<LinkHandler> inner)
      : state_(std::move(state)), address_(std::move(address)), inner_(std::move(inner)) {}

  void OnEstablished(const std::shared_ptr<Link>& link) override {
    ReleaseSlot();
    inner_->OnEstablished(link);
  }
  void OnMessage(Link& link, LinkMessage message) override {
    inner_->OnMessage(link, std::move(message));
  }
  void OnClosed(Link& link, const Status& reason) override {
    ReleaseSlot();
    state_->links.erase(&link);
    inner_->OnClosed(link, reason);
  }

 private:
  void ReleaseSlot() {
    if (released_) return;
    released_ = true;
    state_->limiter.Done(address_);
  }
  std::shared_ptr<Listener::State> state_;
  std::string address_;
  std::shared_ptr<LinkHandler> inner_;
  bool released_ = false;
};

awaitable<void> Accept(std::shared_ptr<Listener::State> state) {
  constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
  try {
    while (!state->stopped) {
      auto [ec, socket] = co_await state->acceptor.async_accept(kTuple);
      if (state->stopped) co_return;
      if (ec) {
        // Out of descriptors or memory, a connection reset before accept: pause, carry on.
        state->Log("accept: " + ec.message());
        asio::steady_timer pause(state->acceptor.get_executor(), std::chrono::milliseconds(100));
        co_await pause.async_wait(kTuple);
        continue;
      }
      boost::system::error_code ignored;
      const Tcp::endpoint remote = socket.remote_endpoint(ignored);
      const std::string address = remote.address().to_string();
      if (state->links.size() >= state->config.max_links ||
          !state->limiter.TryStart(address, HandshakeLimiter::Clock::now())) {
        ++state->stats.refused;
        socket.close(ignored);
        continue;
      }
      auto channel = state->channels(/*initiator=*/false);
      if (!channel.ok()) {
        state->Log("cannot make a channel: " + channel.status().ToString());
        state->limiter.Done(address);
        socket.close(ignored);
        continue;
      }
      std::shared_ptr<LinkHandler> inner = state->handlers(remote);
      if (!inner) {  // the application refuses this peer
        ++state->stats.refused;
        state->limiter.Done(address);
        socket.close(ignored);
        continue;
      }
      ++state->stats.accepted;
      auto handler = std::make_shared<AdmittedHandler>(state, address, std::move(inner));
      auto link = Link::Create(std::move(socket), std::move(channel).value(),
                               /*initiator=*/false, state->config.link, handler);
      state->links.emplace(link.get(), link);
      link->Start();
    }
  } catch (const std::exception& e) {
    state->Log(std::string("listener stopped: ") + e.what());
  }
}

}  // namespace

Result<std::unique_ptr<Listener>> Listener::Start(asio::io_context& io,
                                                  const Tcp::endpoint& endpoint,
                                                  ListenerConfig config, ChannelFactory channels,
                                                  HandlerFactory handlers) {
  auto state =
      std::make_shared<State>(io, std::move(config), std::move(channels), std::move(handlers));
  boost::system::error_code ec;
  state->acceptor.open(endpoint.protocol(), ec);
  if (!ec) state->acceptor.set_option(Tcp::acceptor::reuse_address(true), ec);
  if (!ec) state->acceptor.bind(endpoint, ec);
  if (!ec) state->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return IoError("listen on " + endpoint.address().to_string() + ":" +
                   std::to_string(endpoint.port()) + ": " + ec.message());
  }
  asio::co_spawn(io, Accept(state), asio::detached);
  return std::unique_ptr<Listener>(new Listener(std::move(state)));
}

Listener::~Listener() { Stop(); }

Tcp::endpoint Listener::local_endpoint() const {
  boost::system::error_code ignored;
  return state_->acceptor.local_endpoint(ignored);
}

void Listener::Stop() {
  if (state_->stopped) return;
  state_->stopped = true;
  boost::system::error_code ignored;
  state_->acceptor.close(ignored);
  auto links = state_->links;  // Close may not call back synchronously, but be safe
  for (auto& [raw, weak] : links) {
    if (auto s = weak.lock()) s->Close(Aborted("listener stopped"));
  }
}

size_t Listener::links() const { return state_->links.size(); }
Listener::Stats Listener::stats() const { return state_->stats; }

}  // namespace fulei::net
