// Link: one encrypted TCP connection to a peer node, with priority classes — the transport
// under one sync::Session (node/ pairs them; "link" is net/'s word, "session" is sync/'s).
//
// The link drives a crypto::Channel over its socket: the Noise handshake first (bounded by
// LinkConfig::handshake_timeout), then every application message is cut into chunks by a
// scheduler (urgent > control > normal > bulk, round-robin by stream within a class; chunk
// format in docs/net.md#chunks), each chunk sealed as one channel frame, and reassembled on the
// other side within ReassemblyLimits.
//
// Shape (docs/net.md#link): one reader coroutine, one writer coroutine and a watchdog (sends
// a keepalive after keepalive_interval of silence, closes after dead_peer_timeout without a
// byte from the peer, or with the writer unable to hand the kernel a frame for that long). The
// writer waits until the socket is writable (TCP_NOTSENT_LOWAT keeps that to about one frame of
// unsent data) before it picks the next chunk, so an urgent message queues behind at most about one
// chunk, not behind everything already queued. Whichever of them finishes first ends the link
// and the others are cancelled.
//
// Anything the peer gets wrong — bad bytes, a failed certificate check, a broken chunk
// sequence, a bound exceeded, silence — closes this link with a logged reason, never
// anything else on the node.
//
// Threading: every member function must be called on the thread running the link's
// io_context (one event loop per node). Handler callbacks run on that thread too.
// Lifetime: the link keeps itself alive while it runs; OnClosed is its last callback, after
// which it drops its handler. To shut a node down, close its links (Listener/Dialer::Stop,
// DialAttempt::Cancel) and run the io_context until their OnClosed ran, before destroying the
// io_context.
#ifndef FULEI_NET_LINK_H_
#define FULEI_NET_LINK_H_

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crdt/status.h"
#include "crypto/channel.h"
#include "net/link_config.h"
#include "net/link_message.h"
#include "sync/priority.h"

namespace fulei::net {

using Tcp = boost::asio::ip::tcp;
class Link;
namespace internal {
class Reassembler;
class Scheduler;
}  // namespace internal

// What the application (the node's sync glue) sees of a link.
class LinkHandler {
 public:
  virtual ~LinkHandler() = default;
  // The handshake completed and link->peer_certificate() was verified by the channel.
  // Send() may be called from here.
  virtual void OnEstablished(const std::shared_ptr<Link>& link) = 0;
  // One whole message from the peer.
  virtual void OnMessage(Link& link, LinkMessage message) = 0;
  // The link ended (exactly once for every started link, established or not, and
  // always last). `reason` says why: kUnavailable for a peer that went away or went silent,
  // kCorruption / kUnauthenticated / kPermissionDenied / kResourceExhausted for a peer that
  // broke the rules, or the status passed to Close().
  virtual void OnClosed(Link& link, const Status& reason) = 0;
};

class Link : public std::enable_shared_from_this<Link> {
 public:
  struct Stats {
    uint64_t frames_sent = 0, frames_received = 0;
    uint64_t bytes_sent = 0, bytes_received = 0;  // on the wire, handshake included
    uint64_t keepalives_sent = 0;
  };

  // REQUIRES: `socket` is connected; `channel` is fresh and made for this side's role
  // (initiator for the dialer); handler is not null; config.chunk_bytes within bounds.
  static std::shared_ptr<Link> Create(Tcp::socket socket, crypto::Channel channel, bool initiator,
                                      LinkConfig config, std::shared_ptr<LinkHandler> handler);
  ~Link();

  // Starts the handshake. REQUIRES: called once.
  void Start();

  // Queues one whole message. Allowed before the link is established (it is sent once
  // it is). kFailedPrecondition once closing, kInvalidArgument for a message longer than
  // config.reassembly.max_message_bytes, kResourceExhausted for a normal or bulk message
  // while max_queued_bytes are queued.
  Status Send(sync::Priority priority, uint32_t stream, std::string message);

  // Ends the link: queued messages are dropped, OnClosed(reason) follows on the loop.
  // No effect once closing.
  void Close(Status reason);

  bool established() const { return established_; }
  bool closing() const { return stopping_; }
  // Valid once established (nullopt for an unenrolled peer the responder allowed).
  const std::optional<crypto::Certificate>& peer_certificate() const {
    return channel_.peer_certificate();
  }
  // Valid once established: the channel's peer static key and handshake hash (enrolment binds
  // its request to them, crypto/join_token.h).
  const crypto::Channel& channel() const { return channel_; }
  const Tcp::endpoint& remote_endpoint() const { return remote_; }
  // Message bytes queued by Send and not yet cut into chunks.
  size_t queued_bytes() const;
  const Stats& stats() const { return stats_; }

 private:
  using Clock = std::chrono::steady_clock;
  Link(Tcp::socket socket, crypto::Channel channel, bool initiator, LinkConfig config,
       std::shared_ptr<LinkHandler> handler);

  boost::asio::awaitable<void> Run();
  boost::asio::awaitable<Status> Main();
  boost::asio::awaitable<Status> Handshake();
  boost::asio::awaitable<Status> Reader();
  boost::asio::awaitable<Status> Writer();
  boost::asio::awaitable<Status> Watchdog();
  boost::asio::awaitable<Status> WaitStopped();
  boost::asio::awaitable<Status> Timeout(std::chrono::milliseconds after, Status reason);
  boost::asio::awaitable<Status> WaitWritable();
  boost::asio::awaitable<Status> WriteAll(const std::string& bytes);
  Status Deliver(const std::string& chunk);
  void Finish(Status reason);

  Tcp::socket socket_;
  crypto::Channel channel_;
  bool initiator_;
  LinkConfig config_;
  std::shared_ptr<LinkHandler> handler_;
  Tcp::endpoint remote_;
  std::unique_ptr<internal::Scheduler> scheduler_;
  std::unique_ptr<internal::Reassembler> reassembler_;
  boost::asio::steady_timer wake_;  // the writer sleeps on it; Send and the watchdog cancel it
  boost::asio::steady_timer stop_;  // WaitStopped sleeps on it; Close cancels it
  std::vector<std::string> early_;  // messages that arrived with the last handshake bytes
  std::string read_buffer_;
  Clock::time_point last_send_, last_receive_;
  std::optional<Clock::time_point> blocked_since_;  // the writer waits on the socket since
  bool started_ = false, established_ = false, stopping_ = false, finished_ = false;
  bool keepalive_due_ = false;
  Status close_reason_;
  Stats stats_;
};

}  // namespace fulei::net

#endif  // FULEI_NET_LINK_H_
