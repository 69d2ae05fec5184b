// The daemon's control socket: DIR/control.sock, a Unix stream socket of mode 0600 (only the
// node's own user may talk to it), through which `fulei status`, `record`, `report` and
// `invite` reach a running daemon. One request per connection: a JSON object on one line (at
// most kMaxControlRequest bytes), answered by one JSON object on one line
// (node/operations.h; docs/cli.md#control-socket).
//
// Threading: ControlServer lives on the daemon's io_context thread; its handler is a coroutine
// that starts there (it may hand long work, such as a backup's copy, to another executor and
// come back, so that sync never waits on it). CallDaemon blocks the calling thread.
#ifndef FULEI_NODE_CONTROL_H_
#define FULEI_NODE_CONTROL_H_

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>

#include "crdt/status.h"

namespace fulei::node {

inline constexpr size_t kMaxControlRequest = 4u << 20;

class ControlServer {
 public:
  using Handler =
      std::function<boost::asio::awaitable<boost::json::object>(boost::json::object request)>;
  // Binds `path` (a stale socket file left by a dead daemon is replaced; the caller holds the
  // data directory's lock) with mode 0600 and serves requests with `handler`.
  static Result<std::unique_ptr<ControlServer>> Start(boost::asio::io_context& io,
                                                      const std::filesystem::path& path,
                                                      Handler handler);
  ~ControlServer();  // stops accepting and removes the socket file
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  struct State;

 private:
  explicit ControlServer(std::shared_ptr<State> state) : state_(std::move(state)) {}
  std::shared_ptr<State> state_;
};

// Sends `request` to the daemon at `path` and returns its answer. kUnavailable when no daemon
// listens there (no socket, or nobody accepting); kDeadlineExceeded... reported as kUnavailable
// after `timeout`; kCorruption for an answer that is not a JSON object.
Result<boost::json::object> CallDaemon(
    const std::filesystem::path& path, const boost::json::object& request,
    std::chrono::milliseconds timeout = std::chrono::seconds(60));

}  // namespace fulei::node

#endif  // FULEI_NODE_CONTROL_H_
