// LinkProxy: a userspace TCP forwarder that behaves like a slow, far, unreliable link, for the
// net/ and sync tests and benchmarks (netem is absent from these kernels). Each direction is a
// serializer at `bits_per_second` fed by a queue of at most `queue_bytes` (a modem's buffer),
// followed by a propagation `delay` plus seeded `jitter` (order kept, like one TCP path).
// The proxy reads from a sender only while the queue has room and keeps its own socket buffers
// small, so back-pressure reaches the sender's kernel as it would on the real link.
// Connection drops: DropAll() resets every connection (like a 4G cell change); with
// mean_lifetime set, each connection is reset after a seeded random, exponentially distributed
// lifetime.
// In front of a tbf-shaped veth (tests/net/shaped_link.h) use bits_per_second = 0: the proxy is
// then a pure delay line after the bottleneck, and tbf does the serialising.
// Threading: create, use and destroy on the io_context's thread.
#ifndef FULEI_TESTS_NET_LINK_PROXY_H_
#define FULEI_TESTS_NET_LINK_PROXY_H_

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace fulei::net::testing {

// The path the proxy imitates. (Not net::LinkConfig, which configures a net::Link.)
struct ProxyConfig {
  double bits_per_second = 256'000;  // 0: unlimited
  std::chrono::microseconds delay{0};
  std::chrono::microseconds jitter{0};
  size_t queue_bytes = 8 * 1024;
  int socket_buffer_bytes = 4 * 1024;
  size_t packet_bytes = 1448;
  std::chrono::milliseconds mean_lifetime{0};  // 0: connections are never dropped at random
  uint64_t seed = 1;
  // Address the proxy listens on (its namespace is the creating thread's).
  std::string listen_address = "127.0.0.1";
  // When set (a namespace file such as /var/run/netns/NAME), the proxy opens its connections to
  // `upstream` inside that namespace, whatever namespace the io thread is in at the time.
  std::string connect_netns;
};

class LinkProxy {
 public:
  // Listens on config.listen_address (ephemeral port) and forwards every connection to `upstream`.
  LinkProxy(boost::asio::io_context& io, boost::asio::ip::tcp::endpoint upstream,
            ProxyConfig config);
  ~LinkProxy();
  LinkProxy(const LinkProxy&) = delete;
  LinkProxy& operator=(const LinkProxy&) = delete;

  boost::asio::ip::tcp::endpoint endpoint() const;
  void DropAll();
  size_t connections() const;
  uint64_t drops() const;

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace fulei::net::testing

#endif  // FULEI_TESTS_NET_LINK_PROXY_H_
