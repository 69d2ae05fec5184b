// Dialing: the child side of fulei's links (villages sit behind 4G NAT and dial; the parent
// listens). Two ways to dial an upstream, sharing one connect path:
//
// DialOnce: one attempt at one endpoint, for a caller that decides itself when to redial (the
// node core, with a sync::Backoff). It connects within connect_timeout and on success starts an
// initiator Link with the given handler; it never retries.
//
// Dialer: keeps one link to an upstream alive by itself. It runs DialOnce on the upstream's
// endpoints in turn, and when an attempt fails or a link ends, waits a sync::Backoff delay
// (exponential with full jitter, reset after a link got established) and dials again, for as
// long as it runs. A village with several upstreams (issue 6) runs one Dialer per upstream.
// Behaviour: docs/net.md#dialing-and-backoff.
//
// Threading: call everything here on the io_context's thread; every callback (on_failed and the
// handler's) runs on it too, never synchronously inside the call that started the attempt.
// Lifetime: an attempt, and the Link it starts, keep themselves alive while they run, so the
// caller's callbacks must stay valid until they ran or the attempt was cancelled (a Link's
// handler: until its OnClosed). To shut down, Cancel attempts / Stop dialers and run the
// io_context until the OnClosed of their links ran, before destroying the io_context.
#ifndef FULEI_NET_DIALER_H_
#define FULEI_NET_DIALER_H_

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "crdt/status.h"
#include "net/link.h"
#include "net/link_config.h"
#include "sync/backoff.h"

namespace fulei::net {

struct DialOnceConfig {
  LinkConfig link;
  // The TCP connect must complete within this time, or the attempt fails (kUnavailable).
  std::chrono::milliseconds connect_timeout{10'000};
};

// The handle of one DialOnce attempt.
class DialAttempt {
 public:
  // Abandons the attempt. While it is still connecting, neither on_failed nor the handler is
  // called, ever. Once its Link has started, the Link is closed with kAborted ("dial
  // cancelled"; no effect on a link already closing) and its handler sees OnClosed as usual,
  // later on the loop. No effect after on_failed ran, or a second time.
  void Cancel();

  struct State;  // shared with the attempt's coroutine

 private:
  friend std::shared_ptr<DialAttempt> DialOnce(boost::asio::io_context&, std::vector<Tcp::endpoint>,
                                               size_t, DialOnceConfig, ChannelFactory,
                                               std::shared_ptr<LinkHandler>,
                                               std::function<void(Status)>);
  explicit DialAttempt(std::shared_ptr<State> state) : state_(std::move(state)) {}
  std::shared_ptr<State> state_;
};

// Connects once to endpoints[first % endpoints.size()]. Exactly one of these follows, on the
// loop, unless the attempt is cancelled first:
//   - the connection is made: an initiator Link starts with `handler`, which then sees
//     OnEstablished ... OnClosed as for any Link (OnClosed without OnEstablished when the
//     handshake fails: another root, a timeout, the peer closing);
//   - on_failed(status) runs once: kUnavailable when the connect is refused, fails or does not
//     complete within config.connect_timeout; or the ChannelFactory's error when it cannot make
//     the channel (then no Link starts and `handler` is never called).
// Dropping the returned handle does not cancel the attempt; Cancel() does.
// REQUIRES: endpoints not empty; handler and on_failed not null.
std::shared_ptr<DialAttempt> DialOnce(boost::asio::io_context& io,
                                      std::vector<Tcp::endpoint> endpoints, size_t first,
                                      DialOnceConfig config, ChannelFactory channels,
                                      std::shared_ptr<LinkHandler> handler,
                                      std::function<void(Status)> on_failed);

struct DialerConfig {
  LinkConfig link;
  sync::BackoffConfig backoff;
  std::chrono::milliseconds connect_timeout{10'000};
  uint64_t seed = 0;  // of the backoff jitter; the node passes a random one
};

// The handler sees every link of this dialer in turn (OnEstablished ... OnClosed, then perhaps
// the next one). Stop() (and the destructor) end dialing and close the current link; its
// OnClosed still runs on the loop afterwards.
class Dialer {
 public:
  struct Stats {
    uint64_t attempts = 0;     // connection attempts
    uint64_t established = 0;  // links that completed their handshake
  };

  // REQUIRES: upstreams not empty, handler not null.
  Dialer(boost::asio::io_context& io, std::vector<Tcp::endpoint> upstreams, DialerConfig config,
         ChannelFactory channels, std::shared_ptr<LinkHandler> handler);
  ~Dialer();
  Dialer(const Dialer&) = delete;
  Dialer& operator=(const Dialer&) = delete;

  // Starts dialing. REQUIRES: called once.
  void Start();
  void Stop();

  // The current established link, or null.
  std::shared_ptr<Link> link() const;
  Stats stats() const;

  struct State;  // shared with the retry timer and the links' handlers

 private:
  std::shared_ptr<State> state_;
};

}  // namespace fulei::net

#endif  // FULEI_NET_DIALER_H_
