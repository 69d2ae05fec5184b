#include "tests/net/link_proxy.h"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cstdlib>
#include <deque>
#include <map>
#include <random>
#include <string>

namespace fulei::net::testing {
namespace asio = boost::asio;
using asio::awaitable;
using Tcp = asio::ip::tcp;
using Clock = asio::steady_timer::clock_type;

namespace {
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

struct Packet {
  std::string bytes;
  Clock::time_point due;
};

struct Connection;

// One direction of a connection.
struct Pipe {
  Pipe(Connection& c, Tcp::socket& f, Tcp::socket& t);
  Connection& conn;
  Tcp::socket& from;
  Tcp::socket& to;
  std::deque<Packet> waiting;  // for the serializer
  size_t waiting_bytes = 0;
  std::deque<Packet> flying;  // serialized, propagating
  asio::steady_timer reader_wake, serializer_wake, delivery_wake;
  Clock::time_point link_free{}, last_due{};
};

}  // namespace

struct LinkProxy::State {
  State(asio::io_context& context, Tcp::endpoint up, ProxyConfig c)
      : io(context), acceptor(context), upstream(up), config(c), random(c.seed) {}
  asio::io_context& io;
  Tcp::acceptor acceptor;
  Tcp::endpoint upstream;
  ProxyConfig config;
  std::mt19937_64 random;
  std::map<Connection*, std::shared_ptr<Connection>> connections;
  uint64_t drops = 0;
  bool stopped = false;
};

namespace {

struct Connection {
  Connection(std::shared_ptr<LinkProxy::State> s, Tcp::socket client)
      : state(std::move(s)),
        a(std::move(client)),
        b(state->io),
        up(*this, a, b),
        down(*this, b, a),
        lifetime(state->io) {}
  void Close(bool reset) {
    if (closed) return;
    closed = true;
    boost::system::error_code ignored;
    for (Tcp::socket* s : {&a, &b}) {
      if (reset) s->set_option(asio::socket_base::linger(true, 0), ignored);
      s->close(ignored);
    }
    for (Pipe* p : {&up, &down}) {
      p->reader_wake.cancel();
      p->serializer_wake.cancel();
      p->delivery_wake.cancel();
    }
    lifetime.cancel();
    state->connections.erase(this);
  }
  std::shared_ptr<LinkProxy::State> state;
  Tcp::socket a, b;
  Pipe up, down;
  asio::steady_timer lifetime;
  bool closed = false;
};

Pipe::Pipe(Connection& c, Tcp::socket& f, Tcp::socket& t)
    : conn(c),
      from(f),
      to(t),
      reader_wake(f.get_executor()),
      serializer_wake(f.get_executor()),
      delivery_wake(f.get_executor()) {}

awaitable<void> Park(asio::steady_timer& t) {
  t.expires_at(Clock::time_point::max());
  co_await t.async_wait(kTuple);
}

awaitable<void> SleepUntil(asio::steady_timer& t, Clock::time_point when) {
  t.expires_at(when);
  co_await t.async_wait(kTuple);
}

awaitable<void> ReadLoop(std::shared_ptr<Connection> c, Pipe& p) {
  const ProxyConfig& cfg = c->state->config;
  std::string buffer(cfg.packet_bytes, '\0');
  while (!c->closed) {
    if (p.waiting_bytes >= cfg.queue_bytes) {
      co_await Park(p.reader_wake);
      continue;
    }
    const size_t room = std::min(cfg.packet_bytes, cfg.queue_bytes - p.waiting_bytes);
    auto [ec, n] = co_await p.from.async_read_some(asio::buffer(buffer.data(), room), kTuple);
    if (c->closed) co_return;
    if (ec) {
      // Let what is queued drain before closing the other side, like a FIN behind data.
      while (!c->closed && (!p.waiting.empty() || !p.flying.empty())) {
        co_await SleepUntil(p.reader_wake, Clock::now() + std::chrono::milliseconds(5));
      }
      c->Close(false);
      co_return;
    }
    p.waiting.push_back({buffer.substr(0, n), {}});
    p.waiting_bytes += n;
    p.serializer_wake.cancel();
  }
}

awaitable<void> SerializeLoop(std::shared_ptr<Connection> c, Pipe& p) {
  const ProxyConfig& cfg = c->state->config;
  while (!c->closed) {
    if (p.waiting.empty()) {
      co_await Park(p.serializer_wake);
      continue;
    }
    Packet& packet = p.waiting.front();
    if (cfg.bits_per_second > 0) {
      if (packet.due == Clock::time_point{}) {  // its transmission starts now
        p.link_free = std::max(p.link_free, Clock::now()) +
                      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
                          static_cast<double>(packet.bytes.size()) * 8.0 / cfg.bits_per_second));
        packet.due = p.link_free;
      }
      if (Clock::now() < packet.due) {
        co_await SleepUntil(p.serializer_wake, packet.due);
        continue;  // re-checked: woken early by a new packet, or closed
      }
    } else {
      p.link_free = std::max(p.link_free, Clock::now());
    }
    Clock::duration extra = cfg.delay;
    if (cfg.jitter.count() > 0) {
      std::uniform_int_distribution<int64_t> pick(0, cfg.jitter.count());
      extra += std::chrono::microseconds(pick(c->state->random));
    }
    packet.due = std::max(p.link_free + extra, p.last_due);
    p.last_due = packet.due;
    p.waiting_bytes -= packet.bytes.size();
    p.flying.push_back(std::move(packet));
    p.waiting.pop_front();
    p.reader_wake.cancel();
    p.delivery_wake.cancel();
  }
}

awaitable<void> DeliverLoop(std::shared_ptr<Connection> c, Pipe& p) {
  while (!c->closed) {
    if (p.flying.empty()) {
      co_await Park(p.delivery_wake);
      continue;
    }
    if (Clock::now() < p.flying.front().due) {
      co_await SleepUntil(p.delivery_wake, p.flying.front().due);
      continue;
    }
    std::string bytes = std::move(p.flying.front().bytes);
    p.flying.pop_front();
    auto [ec, n] = co_await asio::async_write(p.to, asio::buffer(bytes), kTuple);
    if (ec) {
      c->Close(false);
      co_return;
    }
  }
}

void SetBuffers(Tcp::socket& s, int bytes) {
  boost::system::error_code ignored;
  s.set_option(asio::socket_base::receive_buffer_size(bytes), ignored);
  s.set_option(asio::socket_base::send_buffer_size(bytes), ignored);
  s.set_option(Tcp::no_delay(true), ignored);
}

// Opens `s` inside the namespace file `netns` (empty: the thread's own namespace).
bool OpenIn(const std::string& netns, const Tcp& protocol, Tcp::socket& s) {
  boost::system::error_code ec;
  if (netns.empty()) {
    s.open(protocol, ec);
    return !ec;
  }
  const int original = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  const int target = open(netns.c_str(), O_RDONLY | O_CLOEXEC);
  bool ok = original >= 0 && target >= 0 && setns(target, CLONE_NEWNET) == 0;
  if (ok) {
    s.open(protocol, ec);
    ok = !ec;
    if (setns(original, CLONE_NEWNET) != 0) std::abort();  // the thread would be left astray
  }
  if (original >= 0) close(original);
  if (target >= 0) close(target);
  return ok;
}

awaitable<void> Run(std::shared_ptr<Connection> c) {
  auto& st = *c->state;
  if (!OpenIn(st.config.connect_netns, st.upstream.protocol(), c->b)) {
    c->Close(true);
    co_return;
  }
  SetBuffers(c->b, st.config.socket_buffer_bytes);
  SetBuffers(c->a, st.config.socket_buffer_bytes);
  auto [ec] = co_await c->b.async_connect(st.upstream, kTuple);
  if (ec || c->closed) {
    c->Close(true);
    co_return;
  }
  auto ex = c->a.get_executor();
  for (Pipe* p : {&c->up, &c->down}) {
    asio::co_spawn(ex, ReadLoop(c, *p), asio::detached);
    asio::co_spawn(ex, SerializeLoop(c, *p), asio::detached);
    asio::co_spawn(ex, DeliverLoop(c, *p), asio::detached);
  }
  if (st.config.mean_lifetime.count() > 0) {
    std::exponential_distribution<double> life(
        1.0 / static_cast<double>(st.config.mean_lifetime.count()));
    c->lifetime.expires_after(std::chrono::milliseconds(static_cast<int64_t>(life(st.random)) + 1));
    auto [lec] = co_await c->lifetime.async_wait(kTuple);
    if (!lec && !c->closed) {
      ++st.drops;
      c->Close(true);
    }
  }
}

awaitable<void> Accept(std::shared_ptr<LinkProxy::State> state) {
  while (!state->stopped) {
    auto [ec, socket] = co_await state->acceptor.async_accept(kTuple);
    if (ec || state->stopped) co_return;
    auto c = std::make_shared<Connection>(state, std::move(socket));
    state->connections.emplace(c.get(), c);
    asio::co_spawn(state->io, Run(c), asio::detached);
  }
}

}  // namespace

LinkProxy::LinkProxy(asio::io_context& io, Tcp::endpoint upstream, ProxyConfig config)
    : state_(std::make_shared<State>(io, upstream, config)) {
  auto& acceptor = state_->acceptor;
  acceptor.open(Tcp::v4());
  acceptor.set_option(asio::socket_base::receive_buffer_size(config.socket_buffer_bytes));
  acceptor.bind(Tcp::endpoint(asio::ip::make_address(config.listen_address), 0));
  acceptor.listen();
  asio::co_spawn(io, Accept(state_), asio::detached);
}

LinkProxy::~LinkProxy() {
  state_->stopped = true;
  boost::system::error_code ignored;
  state_->acceptor.close(ignored);
  DropAll();
}

Tcp::endpoint LinkProxy::endpoint() const { return state_->acceptor.local_endpoint(); }

void LinkProxy::DropAll() {
  auto all = state_->connections;
  for (auto& [raw, c] : all) {
    ++state_->drops;
    c->Close(true);
  }
}

size_t LinkProxy::connections() const { return state_->connections.size(); }
uint64_t LinkProxy::drops() const { return state_->drops; }

}  // namespace fulei::net::testing
