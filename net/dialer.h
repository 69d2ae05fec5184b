// Dialer: the child side of fulei's links. Keeps one session to an upstream alive: connects
// (trying the listed endpoints of that upstream in turn), runs an initiator Session with the
// given handler, and when the connection fails or the session ends, waits a Backoff delay
// (exponential with full jitter, reset after a session got established) and dials again, for
// as long as it runs. A village with several upstreams (issue 6) runs one Dialer per upstream.
//
// Threading: create, use and destroy on the io_context's thread. The handler sees every
// session of this dialer in turn (OnEstablished ... OnClosed, then perhaps the next one).
// Stop() (and the destructor) end dialing and close the current session; OnClosed still runs
// on the loop afterwards.
#ifndef FULEI_NET_DIALER_H_
#define FULEI_NET_DIALER_H_

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "net/backoff.h"
#include "net/session.h"
#include "net/session_config.h"

namespace fulei::net {

struct DialerConfig {
  SessionConfig session;
  BackoffConfig backoff;
  std::chrono::milliseconds connect_timeout{10'000};
  uint64_t seed = 0;  // of the backoff jitter; the node passes a random one
};

class Dialer {
 public:
  struct Stats {
    uint64_t attempts = 0;     // connection attempts
    uint64_t established = 0;  // sessions that completed their handshake
  };

  // REQUIRES: upstreams not empty, handler not null.
  Dialer(boost::asio::io_context& io, std::vector<Tcp::endpoint> upstreams, DialerConfig config,
         ChannelFactory channels, std::shared_ptr<SessionHandler> handler);
  ~Dialer();
  Dialer(const Dialer&) = delete;
  Dialer& operator=(const Dialer&) = delete;

  // Starts dialing. REQUIRES: called once.
  void Start();
  void Stop();

  // The current established session, or null.
  std::shared_ptr<Session> session() const;
  Stats stats() const;

  struct State;  // shared with the dial coroutine and the sessions' handlers

 private:
  std::shared_ptr<State> state_;
};

}  // namespace fulei::net

#endif  // FULEI_NET_DIALER_H_
