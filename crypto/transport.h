// Transport: the sans-I/O frame codec of an established Noise session (bytes in, bytes out).
//
// Frame = 4-byte big-endian length L, then L bytes of ChaCha20-Poly1305 ciphertext (message and
// 16-byte tag) under the session's counter nonce, with the 4 length bytes as associated data.
// L is bounded: 16 <= L <= kMaxFramePayload + 16; a longer message is refused by Seal (never
// truncated) and a longer length field closes the session. Nonces are implicit counters, so a
// replayed, reordered, dropped, truncated or bit-flipped frame fails its tag. The first failure
// closes the session for good: Feed never yields another byte. Format: docs/crypto.md#frames.
//
// Rekey: after rekey.max_messages messages or rekey.max_bytes plaintext bytes in one direction,
// both ends apply Noise Rekey() to that direction's key at the same message boundary (the
// counts are deterministic), so a later key compromise does not expose earlier traffic.
//
// Thread-compatible: one owner (the session's event loop). Messages returned by Feed are owned
// by the caller.
#ifndef FULEI_CRYPTO_TRANSPORT_H_
#define FULEI_CRYPTO_TRANSPORT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crdt/status.h"
#include "crypto/noise.h"

namespace fulei::crypto {

inline constexpr size_t kMaxFramePayload = 64 * 1024;
inline constexpr size_t kFrameHeaderBytes = 4;
inline constexpr size_t kFrameOverhead = kFrameHeaderBytes + noise::kTagLen;

struct RekeyPolicy {
  uint64_t max_messages = 1u << 16;
  uint64_t max_bytes = 256ull << 20;
};

class Transport {
 public:
  Transport(noise::CipherState send, noise::CipherState receive, RekeyPolicy rekey);
  Transport(Transport&&) = default;
  Transport& operator=(Transport&&) = default;

  // Appends one frame carrying `message` to *out. kInvalidArgument for a message longer than
  // kMaxFramePayload, kFailedPrecondition once closed, kOutOfRange on nonce exhaustion.
  Status SealTo(std::string_view message, std::string* out);
  Result<std::string> Seal(std::string_view message);

  // Consumes received bytes; appends each complete, authenticated message to *messages. A
  // partial frame waits for more bytes (at most one frame is buffered). Any bad frame returns
  // kCorruption and closes the session; every later call fails with kFailedPrecondition.
  Status Feed(std::string_view bytes, std::vector<std::string>* messages);

  // The peer's stream ended: kCorruption (and closed) when a partial frame is left over.
  Status Finish();

  void Close();
  bool closed() const { return closed_; }
  uint64_t rekeys_sent() const { return rekeys_sent_; }
  uint64_t rekeys_received() const { return rekeys_received_; }

 private:
  Status CloseWith(Status s) {
    Close();
    return s;
  }

  noise::CipherState send_, receive_;
  RekeyPolicy rekey_;
  uint64_t sent_messages_ = 0, sent_bytes_ = 0, recv_messages_ = 0, recv_bytes_ = 0;
  uint64_t rekeys_sent_ = 0, rekeys_received_ = 0;
  std::string buffer_;
  bool closed_ = false;
};

}  // namespace fulei::crypto

#endif  // FULEI_CRYPTO_TRANSPORT_H_
