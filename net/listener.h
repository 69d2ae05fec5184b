// Listener: the parent side of fulei's links (towns and the city listen; villages dial). Accepts
// connections on one endpoint and runs a responder Link for each, with the handler the
// HandlerFactory makes for that connection.
//
// Admission (docs/net.md#listener-admission): before any cryptography, a connection must pass the
// HandshakeLimiter (token bucket and pending handshakes per source — an IPv4 address or an
// IPv6 /64 —, pending handshakes from unknown sources, and a separate pool for known ones)
// and the max_links bound; a refused connection is closed at once. An admitted connection
// must then deliver its whole first handshake message within LinkConfig::first_message_timeout
// (else it is closed, no cryptography spent) and complete the handshake within
// handshake_timeout. A peer whose handshake completed with a certificate makes its source
// known to the limiter, so it keeps a slot while any number of unknown addresses flood the
// listener. An accept error (say EMFILE) pauses accepting briefly; it never stops the
// listener.
//
// Threading: create, use and destroy on the io_context's thread. Stop() (and the destructor)
// stop accepting and close every link; their OnClosed callbacks run later on the loop, so
// handlers must not depend on the Listener object still existing.
#ifndef FULEI_NET_LISTENER_H_
#define FULEI_NET_LISTENER_H_

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstddef>
#include <functional>
#include <memory>

#include "crdt/status.h"
#include "net/handshake_limiter.h"
#include "net/link.h"
#include "net/link_config.h"

namespace fulei::net {

struct ListenerConfig {
  LinkConfig link;
  HandshakeLimits handshakes;
  size_t max_links = 1024;  // waiting for a first message, handshaking and established together
};

// Makes the handler of one accepted connection (before its handshake); null refuses it.
using HandlerFactory = std::function<std::shared_ptr<LinkHandler>(const Tcp::endpoint&)>;

class Listener {
 public:
  struct Stats {
    uint64_t accepted = 0;  // admitted to a handshake (a link started)
    uint64_t refused = 0;   // closed by admission control or the HandlerFactory
    uint64_t silent = 0;    // closed: no whole first message within first_message_timeout
  };

  // Binds `endpoint` (port 0 picks a free one) and starts accepting. kIoError when the
  // address cannot be bound (in use, not local).
  static Result<std::unique_ptr<Listener>> Start(boost::asio::io_context& io,
                                                 const Tcp::endpoint& endpoint,
                                                 ListenerConfig config, ChannelFactory channels,
                                                 HandlerFactory handlers);
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  Tcp::endpoint local_endpoint() const;
  void Stop();
  // Links running (handshaking or established).
  size_t links() const;
  // Admitted connections still waiting for their first handshake message.
  size_t waiting() const;
  // True when a handshake from `remote`'s source completed with a certificate (it then uses
  // the known sources' pool; HandshakeLimiter::Learn).
  bool known(const Tcp::endpoint& remote) const;
  Stats stats() const;

  struct State;  // shared with the accept coroutine and the links' handlers

 private:
  explicit Listener(std::shared_ptr<State> state) : state_(std::move(state)) {}
  std::shared_ptr<State> state_;
};

}  // namespace fulei::net

#endif  // FULEI_NET_LISTENER_H_
