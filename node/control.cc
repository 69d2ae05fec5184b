#include "node/control.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cerrno>
#include <cstring>
#include <string>

namespace fulei::node {
namespace asio = boost::asio;
namespace json = boost::json;
using Local = asio::local::stream_protocol;

struct ControlServer::State : std::enable_shared_from_this<State> {
  State(asio::io_context& io, Local::acceptor a, std::filesystem::path p, Handler h)
      : acceptor(std::move(a)), path(std::move(p)), handler(std::move(h)) {
    (void)io;
  }
  Local::acceptor acceptor;
  std::filesystem::path path;
  Handler handler;
  bool stopped = false;
};

namespace {

json::object Fail(std::string_view code, std::string message) {
  return json::object{{"ok", false}, {"code", code}, {"error", std::move(message)}};
}

asio::awaitable<void> Serve(std::shared_ptr<ControlServer::State> state, Local::socket socket) {
  boost::system::error_code ec;
  asio::streambuf buffer(kMaxControlRequest);
  const size_t n = co_await asio::async_read_until(socket, buffer, '\n',
                                                   asio::redirect_error(asio::use_awaitable, ec));
  json::object answer;
  if (ec && n == 0) {
    answer = Fail("InvalidArgument", ec == asio::error::not_found ? "request too long"
                                                                  : "no request: " + ec.message());
  } else {
    std::string line(asio::buffers_begin(buffer.data()),
                     asio::buffers_begin(buffer.data()) + static_cast<std::ptrdiff_t>(n));
    boost::system::error_code pec;
    json::value request = json::parse(line, pec);
    if (pec || !request.is_object()) {
      answer = Fail("InvalidArgument", "请求不是 JSON 对象 / the request is not a JSON object");
    } else if (state->stopped) {
      answer = Fail("Unavailable", "the daemon is stopping");
    } else {
      answer = co_await state->handler(std::move(request.as_object()));
    }
  }
  std::string out = json::serialize(answer) + "\n";
  co_await asio::async_write(socket, asio::buffer(out),
                             asio::redirect_error(asio::use_awaitable, ec));
  socket.close(ec);
}

asio::awaitable<void> Accept(std::shared_ptr<ControlServer::State> state) {
  for (;;) {
    boost::system::error_code ec;
    Local::socket socket =
        co_await state->acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (state->stopped || ec == asio::error::operation_aborted) co_return;
    if (ec) continue;
    asio::co_spawn(state->acceptor.get_executor(), Serve(state, std::move(socket)), asio::detached);
  }
}

}  // namespace

Result<std::unique_ptr<ControlServer>> ControlServer::Start(asio::io_context& io,
                                                            const std::filesystem::path& path,
                                                            Handler handler) {
  std::error_code fec;
  std::filesystem::remove(path, fec);  // a dead daemon's socket; the lock says none runs
  boost::system::error_code ec;
  Local::acceptor acceptor(io);
  acceptor.open(Local(), ec);
  // umask so that the socket is never, even briefly, reachable by others.
  const mode_t old = ::umask(0177);
  if (!ec) acceptor.bind(Local::endpoint(path.string()), ec);
  ::umask(old);
  if (!ec) acceptor.listen(16, ec);
  if (ec) return IoError("control socket " + path.string() + ": " + ec.message());
  ::chmod(path.c_str(), 0600);
  auto state = std::make_shared<State>(io, std::move(acceptor), path, std::move(handler));
  asio::co_spawn(io, Accept(state), asio::detached);
  return std::unique_ptr<ControlServer>(new ControlServer(std::move(state)));
}

ControlServer::~ControlServer() {
  state_->stopped = true;
  boost::system::error_code ec;
  state_->acceptor.close(ec);
  std::error_code fec;
  std::filesystem::remove(state_->path, fec);
}

Result<json::object> CallDaemon(const std::filesystem::path& path, const json::object& request,
                                std::chrono::milliseconds timeout) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return IoError(std::string("socket: ") + std::strerror(errno));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::string p = path.string();
  if (p.size() >= sizeof addr.sun_path) {
    ::close(fd);
    return InvalidArgument("control socket path too long: " + p);
  }
  std::memcpy(addr.sun_path, p.c_str(), p.size() + 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    const int err = errno;
    ::close(fd);
    return Unavailable("no daemon at " + p + ": " + std::strerror(err));
  }
  const std::string out = json::serialize(request) + "\n";
  size_t sent = 0;
  while (sent < out.size()) {
    const ssize_t w = ::send(fd, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
    if (w <= 0) {
      ::close(fd);
      return Unavailable("the daemon closed the control socket");
    }
    sent += static_cast<size_t>(w);
  }
  std::string in;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[65536];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      ::close(fd);
      return Unavailable("the daemon did not answer within " + std::to_string(timeout.count()) +
                         " ms");
    }
    pollfd pfd{fd, POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) continue;
    const ssize_t r = ::read(fd, buf, sizeof buf);
    if (r <= 0) break;
    in.append(buf, static_cast<size_t>(r));
    if (!in.empty() && in.back() == '\n') break;
  }
  ::close(fd);
  boost::system::error_code ec;
  json::value answer = json::parse(in, ec);
  if (ec || !answer.is_object()) return Corruption("the daemon's answer is not a JSON object");
  return std::move(answer.as_object());
}

}  // namespace fulei::node
