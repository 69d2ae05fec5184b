#include "net/listener.h"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "net/internal/log.h"

namespace fulei::net {
namespace asio = boost::asio;
using asio::awaitable;
using namespace asio::experimental::awaitable_operators;

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
  // Admitted connections waiting for their first handshake message (no link yet); Stop closes
  // them. The sockets live in their coroutines' frames.
  std::map<uint64_t, Tcp::socket*> waiting;
  uint64_t next_waiting = 0;
  Stats stats;
  bool stopped = false;

  void Log(const std::string& line) const { internal::Log(config.link.log, line); }
};

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// Wraps the application's handler to give handshake slots back, learn the addresses of
// certified peers, and track live links.
class AdmittedHandler final : public LinkHandler {
 public:
  AdmittedHandler(std::shared_ptr<Listener::State> state, std::string address,
                  HandshakeLimiter::Slot slot, std::shared_ptr<LinkHandler> inner)
      : state_(std::move(state)),
        address_(std::move(address)),
        slot_(std::move(slot)),
        inner_(std::move(inner)) {}

  void OnEstablished(const std::shared_ptr<Link>& link) override {
    ReleaseSlot();
    // A certified peer came from this address: it keeps a slot in the known pool from now on.
    if (link->peer_certificate()) {
      state_->limiter.Learn(address_, HandshakeLimiter::Clock::now());
    }
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
    state_->limiter.Done(slot_);
  }
  std::shared_ptr<Listener::State> state_;
  std::string address_;
  HandshakeLimiter::Slot slot_;
  std::shared_ptr<LinkHandler> inner_;
  bool released_ = false;
};

enum class FirstMessageIs { kHere, kLate, kGone };

// Waits until the peer's first handshake message has arrived whole: its 2-byte big-endian
// length prefix and the bytes it declares (docs/crypto.md#channel). The bytes are only peeked;
// the link reads them. kLate when `limit` passed first, kGone when the peer closed the
// connection or the socket failed.
awaitable<FirstMessageIs> FirstMessage(Tcp::socket& socket, std::chrono::milliseconds limit) {
  // While part of the message is there the socket stays readable, so a wait for readability
  // would return at once: the rest is looked for again after this pause.
  constexpr std::chrono::milliseconds kRecheck(20);
  asio::steady_timer deadline(socket.get_executor(), limit);
  asio::steady_timer recheck(socket.get_executor());
  boost::system::error_code ec;
  socket.non_blocking(true, ec);  // the peeks below never block
  if (ec) co_return FirstMessageIs::kGone;
  for (;;) {
    std::array<unsigned char, 2> prefix{};
    const size_t n = socket.receive(asio::buffer(prefix), Tcp::socket::message_peek, ec);
    std::variant<std::tuple<boost::system::error_code>, std::tuple<boost::system::error_code>> woke;
    if (ec == asio::error::would_block) {  // nothing yet: wait for the first bytes
      woke = co_await (socket.async_wait(Tcp::socket::wait_read, kTuple) ||
                       deadline.async_wait(kTuple));
    } else if (ec) {
      co_return FirstMessageIs::kGone;  // closed (end of stream) or failed
    } else {
      if (n == prefix.size()) {
        const size_t declared = (size_t{prefix[0]} << 8) | prefix[1];
        const size_t available = socket.available(ec);
        if (ec) co_return FirstMessageIs::kGone;
        if (available >= prefix.size() + declared) break;
      }
      recheck.expires_after(kRecheck);
      woke = co_await (recheck.async_wait(kTuple) || deadline.async_wait(kTuple));
    }
    if (woke.index() == 1) co_return FirstMessageIs::kLate;
    auto [wait_ec] = std::get<0>(woke);
    if (wait_ec) co_return FirstMessageIs::kGone;
  }
  socket.non_blocking(false, ec);
  co_return ec ? FirstMessageIs::kGone : FirstMessageIs::kHere;
}

// Starts the responder link of an admitted connection whose first message has arrived; the
// slot goes back when its handshake ends (AdmittedHandler).
void StartLink(const std::shared_ptr<Listener::State>& state, Tcp::socket socket,
               const Tcp::endpoint& remote, HandshakeLimiter::Slot slot) {
  boost::system::error_code ignored;
  auto channel = state->channels(/*initiator=*/false);
  if (!channel.ok()) {
    state->Log("cannot make a channel: " + channel.status().ToString());
    state->limiter.Done(slot);
    socket.close(ignored);
    return;
  }
  std::shared_ptr<LinkHandler> inner = state->handlers(remote);
  if (!inner) {  // the application refuses this peer
    ++state->stats.refused;
    state->limiter.Done(slot);
    socket.close(ignored);
    return;
  }
  ++state->stats.accepted;
  auto handler = std::make_shared<AdmittedHandler>(state, remote.address().to_string(),
                                                   std::move(slot), std::move(inner));
  auto link = Link::Create(std::move(socket), std::move(channel).value(),
                           /*initiator=*/false, state->config.link, handler);
  state->links.emplace(link.get(), link);
  link->Start();
}

// One admitted connection: waits for its first handshake message (within
// first_message_timeout), then starts its link; a silent one is closed with nothing spent.
awaitable<void> Admit(std::shared_ptr<Listener::State> state, Tcp::socket socket,
                      Tcp::endpoint remote, HandshakeLimiter::Slot slot) {
  std::optional<HandshakeLimiter::Slot> held = std::move(slot);
  boost::system::error_code ignored;
  try {
    const auto limit = state->config.link.first_message_timeout;
    if (limit.count() > 0) {
      const uint64_t id = state->next_waiting++;
      state->waiting.emplace(id, &socket);
      const FirstMessageIs first = co_await FirstMessage(socket, limit);
      state->waiting.erase(id);
      if (first != FirstMessageIs::kHere || state->stopped) {
        if (first == FirstMessageIs::kLate) ++state->stats.silent;
        state->limiter.Done(*held);
        socket.close(ignored);
        co_return;
      }
    }
    if (state->stopped) {
      state->limiter.Done(*held);
      socket.close(ignored);
      co_return;
    }
    HandshakeLimiter::Slot s = std::move(*held);
    held.reset();
    StartLink(state, std::move(socket), remote, std::move(s));
  } catch (const std::exception& e) {
    state->Log(std::string("admission failed: ") + e.what());
    if (held) state->limiter.Done(*held);
    socket.close(ignored);
  }
}

awaitable<void> Accept(std::shared_ptr<Listener::State> state) {
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
      std::optional<HandshakeLimiter::Slot> slot;
      if (state->links.size() + state->waiting.size() < state->config.max_links) {
        slot =
            state->limiter.TryStart(remote.address().to_string(), HandshakeLimiter::Clock::now());
      }
      if (!slot) {
        ++state->stats.refused;
        socket.close(ignored);
        continue;
      }
      asio::co_spawn(state->acceptor.get_executor(),
                     Admit(state, std::move(socket), remote, std::move(*slot)), asio::detached);
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
  // Connections still waiting for their first message: their coroutines end on the loop.
  for (auto& [id, socket] : state_->waiting) socket->close(ignored);
  auto links = state_->links;  // Close may not call back synchronously, but be safe
  for (auto& [raw, weak] : links) {
    if (auto s = weak.lock()) s->Close(Aborted("listener stopped"));
  }
}

size_t Listener::links() const { return state_->links.size(); }
size_t Listener::waiting() const { return state_->waiting.size(); }
bool Listener::known(const Tcp::endpoint& remote) const {
  return state_->limiter.known(remote.address().to_string());
}
Listener::Stats Listener::stats() const { return state_->stats; }

}  // namespace fulei::net
