// Socket options that keep the kernel's send queue short (docs/net.md#socket-options):
// TCP_NODELAY, a bounded SO_SNDBUF, TCP_NOTSENT_LOWAT and optional SO_MAX_PACING_RATE; and
// IsWritable(), a level-triggered check used before the writer picks its next chunk. Linux only.
#ifndef FULEI_NET_INTERNAL_SOCKET_OPTIONS_H_
#define FULEI_NET_INTERNAL_SOCKET_OPTIONS_H_

#include "crdt/status.h"
#include "net/link_config.h"

namespace fulei::net::internal {

// kIoError naming the option the kernel refused.
Status ApplySocketOptions(int fd, const LinkConfig& config);

// True when send(2) would accept bytes now (or the socket has an error to report), without
// waiting. A socket found not writable is marked by the kernel to signal the next change,
// so a following asynchronous wait for writability cannot miss it.
Result<bool> IsWritable(int fd);

}  // namespace fulei::net::internal

#endif  // FULEI_NET_INTERNAL_SOCKET_OPTIONS_H_
