// LinkConfig: the knobs of one net/ link, the bounds on what its peer may make it buffer, and
// the factory that makes its channel. Defaults suit a town or city link; on a 256 kbit/s 4G link
// use chunk_bytes ~1024 and send_buffer_bytes ~8 KiB (docs/net.md#tuning). Plain value types.
#ifndef FULEI_NET_LINK_CONFIG_H_
#define FULEI_NET_LINK_CONFIG_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>

#include "crdt/status.h"
#include "crypto/channel.h"

namespace fulei::net {

// The smallest chunk_bytes a link accepts: room for a chunk header and some payload, so that
// every message makes progress.
inline constexpr size_t kMinChunkBytes = 64;

// Bounds on what the peer may make a link buffer while it reassembles messages
// (docs/net.md#chunks). A peer that exceeds one is closed with kResourceExhausted.
struct ReassemblyLimits {
  size_t max_message_bytes = 16u << 20;     // one whole message
  size_t max_partial_messages = 64;         // messages incomplete at once
  size_t max_reassembly_bytes = 32u << 20;  // declared lengths of the incomplete ones together
};

struct LinkConfig {
  // Plaintext bytes of one chunk (one channel frame), header included; a frame on the wire is
  // chunk_bytes + crypto::kFrameOverhead. kMinChunkBytes..crypto::kMaxFramePayload.
  size_t chunk_bytes = 4096;
  // Sends whole messages in arrival order, ignoring classes (benchmark comparison only).
  bool fifo = false;
  // SO_SNDBUF in bytes (the kernel doubles it); 0 keeps the kernel's autotuning. Bounds the
  // bytes in flight an urgent chunk can queue behind.
  int send_buffer_bytes = 32 * 1024;
  // TCP_NOTSENT_LOWAT in bytes; 0 means one frame (chunk_bytes + kFrameOverhead); -1 leaves
  // the option unset.
  int notsent_lowat_bytes = 0;
  // SO_MAX_PACING_RATE in bytes per second; 0 leaves pacing to the kernel. Pacing just below
  // the link rate keeps the queue in this node's kernel, behind the scheduler, instead of in a
  // 4G modem's buffer where an urgent chunk cannot overtake it.
  uint32_t pacing_bytes_per_second = 0;
  // The handshake must complete within this time, or the link closes (kUnavailable).
  std::chrono::milliseconds handshake_timeout{10'000};
  // Responder side, enforced by net::Listener before the link starts: the peer's first
  // handshake message (its length prefix and every byte it declares) must have arrived within
  // this time of the accept, or the connection is closed before any cryptography runs, so a
  // silent connection holds an admission slot this long, not handshake_timeout; 0 disables.
  // handshake_timeout then runs from the link's start.
  std::chrono::milliseconds first_message_timeout{2'000};
  // A keepalive frame is sent after this long without sending anything; 0 disables.
  std::chrono::milliseconds keepalive_interval{15'000};
  // The link closes (kUnavailable) after this long without receiving a byte, or with a
  // frame it cannot hand to the kernel because the peer does not read; 0 disables.
  std::chrono::milliseconds dead_peer_timeout{45'000};
  // Bounds on what the peer may make us buffer (also the largest message Send accepts).
  ReassemblyLimits reassembly;
  // Send refuses normal and bulk messages (kResourceExhausted) while this many bytes are
  // queued; urgent and control messages are always queued.
  size_t max_queued_bytes = 64u << 20;
  // Where a link reports why it closed (and its Listener or Dialer a failed accept or dial);
  // nullptr writes to stderr.
  std::function<void(std::string_view)> log;
};

// Makes the channel of a new connection: a node builds it from its identity, trust store and
// the current time (crypto::ChannelConfig::now_ms). `initiator` is true on the dialing side.
using ChannelFactory = std::function<Result<crypto::Channel>(bool initiator)>;

}  // namespace fulei::net

#endif  // FULEI_NET_LINK_CONFIG_H_
