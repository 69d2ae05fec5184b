#include "net/link.h"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <variant>

#include "net/internal/chunk.h"
#include "net/internal/log.h"
#include "net/internal/reassembler.h"
#include "net/internal/scheduler.h"
#include "net/internal/socket_options.h"

namespace fulei::net {
namespace asio = boost::asio;
using asio::awaitable;
using namespace asio::experimental::awaitable_operators;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr size_t kReadBufferBytes = 16 * 1024;

// True when the coroutine running this was cancelled (by the || that started it).
awaitable<bool> Cancelled() {
  auto state = co_await asio::this_coro::cancellation_state;
  co_return state.cancelled() != asio::cancellation_type::none;
}

template <typename Variant>
Status Take(Variant&& v) {
  return std::visit([](auto&& s) -> Status { return std::move(s); }, std::forward<Variant>(v));
}

std::string Millis(std::chrono::milliseconds d) { return std::to_string(d.count()) + " ms"; }

}  // namespace

std::shared_ptr<Link> Link::Create(Tcp::socket socket, crypto::Channel channel, bool initiator,
                                   LinkConfig config, std::shared_ptr<LinkHandler> handler) {
  FULEI_CHECK(handler != nullptr);
  return std::shared_ptr<Link>(new Link(std::move(socket), std::move(channel), initiator,
                                        std::move(config), std::move(handler)));
}

Link::Link(Tcp::socket socket, crypto::Channel channel, bool initiator, LinkConfig config,
           std::shared_ptr<LinkHandler> handler)
    : socket_(std::move(socket)),
      channel_(std::move(channel)),
      initiator_(initiator),
      config_(std::move(config)),
      handler_(std::move(handler)),
      scheduler_(std::make_unique<internal::Scheduler>(
          internal::SchedulerConfig{config_.chunk_bytes, config_.fifo})),
      reassembler_(std::make_unique<internal::Reassembler>(config_.reassembly)),
      wake_(socket_.get_executor()),
      stop_(socket_.get_executor()),
      read_buffer_(kReadBufferBytes, '\0') {
  boost::system::error_code ec;
  remote_ = socket_.remote_endpoint(ec);
}

Link::~Link() = default;

size_t Link::queued_bytes() const { return scheduler_->queued_bytes(); }

void Link::Start() {
  FULEI_CHECK(!started_);
  started_ = true;
  asio::co_spawn(
      socket_.get_executor(), [self = shared_from_this()] { return self->Run(); }, asio::detached);
}

Status Link::Send(sync::Priority priority, uint32_t stream, std::string message) {
  if (stopping_) return FailedPrecondition("link is closing");
  if (message.size() > config_.reassembly.max_message_bytes) {
    return InvalidArgument("message of " + std::to_string(message.size()) +
                           " bytes exceeds the limit of " +
                           std::to_string(config_.reassembly.max_message_bytes));
  }
  const bool bounded = priority == sync::Priority::kNormal || priority == sync::Priority::kBulk;
  if (bounded && scheduler_->queued_bytes() + message.size() > config_.max_queued_bytes) {
    return ResourceExhausted("send queue full");
  }
  scheduler_->Push(priority, stream, std::move(message));
  wake_.cancel();
  return Status::Ok();
}

void Link::Close(Status reason) {
  if (stopping_) return;
  stopping_ = true;
  close_reason_ = std::move(reason);
  stop_.cancel();
}

awaitable<void> Link::Run() {
  auto self = shared_from_this();  // keeps the link alive until Finish
  Status reason;
  try {
    reason = co_await Main();
  } catch (const std::exception& e) {
    reason = Internal(std::string("link failed: ") + e.what());
  }
  Finish(std::move(reason));
}

awaitable<Status> Link::Main() {
  const Status options = internal::ApplySocketOptions(socket_.native_handle(), config_);
  if (!options.ok()) co_return options;
  last_send_ = last_receive_ = Clock::now();
  auto handshake_or_timeout =
      Handshake() ||
      Timeout(config_.handshake_timeout,
              Unavailable("handshake not complete after " + Millis(config_.handshake_timeout))) ||
      WaitStopped();
  auto handshake_result = co_await std::move(handshake_or_timeout);
  Status handshake = Take(std::move(handshake_result));
  if (!handshake.ok()) co_return handshake;
  if (stopping_) co_return close_reason_;
  established_ = true;
  handler_->OnEstablished(shared_from_this());
  for (const std::string& chunk : early_) {
    if (stopping_) co_return close_reason_;
    Status s = Deliver(chunk);
    if (!s.ok()) co_return s;
  }
  early_.clear();
  if (stopping_) co_return close_reason_;
  auto running = Reader() || Writer() || Watchdog() || WaitStopped();
  auto ended = co_await std::move(running);
  co_return Take(std::move(ended));
}

awaitable<Status> Link::WriteAll(const std::string& bytes) {
  auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(bytes), kTuple);
  if (ec) co_return Unavailable("write: " + ec.message());
  stats_.bytes_sent += n;
  last_send_ = Clock::now();
  co_return Status::Ok();
}

awaitable<Status> Link::Handshake() {
  if (initiator_) {
    auto start = channel_.Start();
    if (!start.ok()) co_return start.status();
    Status s = co_await WriteAll(*start);
    if (!s.ok()) co_return s;
  }
  std::string to_send;
  while (!channel_.established()) {
    auto [ec, n] = co_await socket_.async_read_some(asio::buffer(read_buffer_), kTuple);
    if (ec == asio::error::eof) {
      Status s = channel_.Finish();
      co_return s.ok() ? Unavailable("peer closed the connection during the handshake") : s;
    }
    if (ec) co_return Unavailable("read: " + ec.message());
    stats_.bytes_received += n;
    last_receive_ = Clock::now();
    to_send.clear();
    Status s = channel_.Feed(std::string_view(read_buffer_.data(), n), &to_send, &early_);
    if (!s.ok()) co_return s;
    if (!to_send.empty()) {
      s = co_await WriteAll(to_send);
      if (!s.ok()) co_return s;
    }
  }
  co_return Status::Ok();
}

Status Link::Deliver(const std::string& chunk) {
  ++stats_.frames_received;
  auto message = reassembler_->Feed(chunk);
  if (!message.ok()) return message.status();
  if (message->has_value()) handler_->OnMessage(*this, std::move(**message));
  return Status::Ok();
}

awaitable<Status> Link::Reader() {
  try {
    std::vector<std::string> frames;
    for (;;) {
      auto [ec, n] = co_await socket_.async_read_some(asio::buffer(read_buffer_), kTuple);
      if (ec == asio::error::eof) {
        Status s = channel_.Finish();
        co_return s.ok() ? Unavailable("peer closed the connection") : s;
      }
      if (ec) co_return Unavailable("read: " + ec.message());
      stats_.bytes_received += n;
      last_receive_ = Clock::now();
      frames.clear();
      std::string to_send;
      // Authenticated frames that precede a bad one are still delivered; the bad one closes.
      Status fed = channel_.Feed(std::string_view(read_buffer_.data(), n), &to_send, &frames);
      for (const std::string& chunk : frames) {
        if (stopping_) co_return close_reason_;
        Status s = Deliver(chunk);
        if (!s.ok()) co_return s;
      }
      if (!fed.ok()) co_return fed;
      if (stopping_) co_return close_reason_;
    }
  } catch (const std::exception& e) {
    co_return Aborted(std::string("reader stopped: ") + e.what());
  }
}

awaitable<Status> Link::WaitWritable() {
  for (;;) {
    auto writable = internal::IsWritable(socket_.native_handle());
    if (!writable.ok()) co_return writable.status();
    if (*writable) co_return Status::Ok();
    auto [ec] = co_await socket_.async_wait(Tcp::socket::wait_write, kTuple);
    if (ec) co_return Unavailable("wait for writability: " + ec.message());
  }
}

awaitable<Status> Link::Writer() {
  try {
    std::string chunk;
    for (;;) {
      while (scheduler_->empty() && !keepalive_due_) {
        wake_.expires_at(asio::steady_timer::time_point::max());
        co_await wake_.async_wait(kTuple);  // cancelled by Send or the watchdog
        const bool cancelled = co_await Cancelled();
        if (cancelled) co_return Aborted("writer cancelled");
      }
      // Pick the chunk only once the kernel can take it: until then a more urgent message
      // may still arrive and go first.
      blocked_since_ = Clock::now();
      Status s = co_await WaitWritable();
      if (!s.ok()) co_return s;
      chunk.clear();
      const bool keepalive = keepalive_due_;
      if (keepalive) {
        chunk = internal::KeepaliveChunk();
        keepalive_due_ = false;
        ++stats_.keepalives_sent;
      } else {
        scheduler_->NextChunk(&chunk);
      }
      auto frame = channel_.Seal(chunk);
      if (!frame.ok()) co_return frame.status();
      s = co_await WriteAll(*frame);
      if (!s.ok()) co_return s;
      blocked_since_.reset();
      ++stats_.frames_sent;
    }
  } catch (const std::exception& e) {
    co_return Aborted(std::string("writer stopped: ") + e.what());
  }
}

awaitable<Status> Link::Watchdog() {
  using std::chrono::milliseconds;
  const milliseconds keepalive = config_.keepalive_interval;
  const milliseconds dead = config_.dead_peer_timeout;
  try {
    asio::steady_timer timer(socket_.get_executor());
    for (;;) {
      // Sleep until the next moment something can be due, not on a fixed tick: an idle link
      // on a Pi wakes once per keepalive, not every second. Every deadline only moves later
      // (last_send_ and last_receive_ only advance; blocked_since_ + dead is never before
      // last_receive_ + dead once set), so waking at an old one and recomputing is enough.
      auto now = Clock::now();
      Clock::time_point next = now + std::chrono::hours(1);
      if (dead.count() > 0) {
        next = std::min(next, last_receive_ + dead);
        if (blocked_since_) next = std::min(next, *blocked_since_ + dead);
      }
      if (keepalive.count() > 0) {
        next = std::min(next, (keepalive_due_ ? now : last_send_) + keepalive);
      }
      timer.expires_at(std::max(next, now + milliseconds(1)));
      co_await timer.async_wait(kTuple);
      const bool cancelled = co_await Cancelled();
      if (cancelled) co_return Aborted("watchdog cancelled");
      now = Clock::now();
      if (dead.count() > 0 && now - last_receive_ >= dead) {
        co_return Unavailable("nothing received from the peer for " + Millis(dead));
      }
      // A peer that talks but never reads would block the writer forever.
      if (dead.count() > 0 && blocked_since_ && now - *blocked_since_ >= dead) {
        co_return Unavailable("the peer has not read for " + Millis(dead));
      }
      if (keepalive.count() > 0 && now - last_send_ >= keepalive && !keepalive_due_) {
        keepalive_due_ = true;
        wake_.cancel();
      }
    }
  } catch (const std::exception& e) {
    co_return Aborted(std::string("watchdog stopped: ") + e.what());
  }
}

awaitable<Status> Link::Timeout(std::chrono::milliseconds after, Status reason) {
  asio::steady_timer timer(socket_.get_executor());
  timer.expires_after(after);
  auto [ec] = co_await timer.async_wait(kTuple);
  if (ec) co_return Aborted("timer cancelled");
  co_return reason;
}

awaitable<Status> Link::WaitStopped() {
  while (!stopping_) {
    stop_.expires_at(asio::steady_timer::time_point::max());
    co_await stop_.async_wait(kTuple);
    const bool cancelled = co_await Cancelled();
    if (cancelled) co_return Aborted("stop wait cancelled");
  }
  co_return close_reason_;
}

void Link::Finish(Status reason) {
  FULEI_CHECK(!finished_);
  finished_ = true;
  stopping_ = true;
  boost::system::error_code ignored;
  socket_.shutdown(Tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  wake_.cancel();
  stop_.cancel();
  channel_.Close();
  std::string peer = remote_.address().to_string() + ":" + std::to_string(remote_.port());
  if (channel_.peer_certificate()) peer += " (" + channel_.peer_certificate()->org_unit + ")";
  internal::Log(config_.log, "link with " + peer + " closed: " + reason.ToString());
  std::shared_ptr<LinkHandler> handler = std::move(handler_);
  handler->OnClosed(*this, reason);
}

}  // namespace fulei::net
