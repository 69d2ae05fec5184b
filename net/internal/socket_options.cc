#include "net/internal/socket_options.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "crypto/transport.h"

namespace fulei::net::internal {
namespace {

Status Set(int fd, int level, int name, int value, const char* what) {
  if (::setsockopt(fd, level, name, &value, sizeof(value)) != 0) {
    return IoError(std::string("setsockopt ") + what + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

}  // namespace

Status ApplySocketOptions(int fd, const LinkConfig& config) {
  FULEI_RETURN_IF_ERROR(Set(fd, IPPROTO_TCP, TCP_NODELAY, 1, "TCP_NODELAY"));
  if (config.send_buffer_bytes > 0) {
    FULEI_RETURN_IF_ERROR(Set(fd, SOL_SOCKET, SO_SNDBUF, config.send_buffer_bytes, "SO_SNDBUF"));
  }
  int lowat = config.notsent_lowat_bytes;
  if (lowat == 0) lowat = static_cast<int>(config.chunk_bytes + crypto::kFrameOverhead);
  if (lowat > 0) {
    FULEI_RETURN_IF_ERROR(Set(fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT, lowat, "TCP_NOTSENT_LOWAT"));
  }
  if (config.pacing_bytes_per_second > 0) {
    const uint32_t rate = config.pacing_bytes_per_second;
    if (::setsockopt(fd, SOL_SOCKET, SO_MAX_PACING_RATE, &rate, sizeof(rate)) != 0) {
      return IoError(std::string("setsockopt SO_MAX_PACING_RATE: ") + std::strerror(errno));
    }
  }
  return Status::Ok();
}

Result<bool> IsWritable(int fd) {
  for (;;) {
    pollfd p{fd, POLLOUT, 0};
    const int r = ::poll(&p, 1, 0);
    if (r >= 0) return r > 0 && (p.revents & (POLLOUT | POLLERR | POLLHUP)) != 0;
    if (errno != EINTR) return IoError(std::string("poll: ") + std::strerror(errno));
  }
}

}  // namespace fulei::net::internal
