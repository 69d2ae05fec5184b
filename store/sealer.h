// Sealer: authenticated encryption of values at rest, supplied by the node (crypto/ implements it).
//
// The store cannot include crypto/ (layers point down), so it seals through this interface.
// crypto::DataKey (XChaCha20-Poly1305 under the node data key) has exactly these two member
// signatures; the node wires a small adapter. The store seals every value that may hold a
// person's data (op bodies, record states, node identity, peers, audit) with the value's
// location — (database name, key) — as associated data, so a sealed value moved to another key
// fails to open. See docs/store.md.
//
// Contract for implementations:
//   - Seal() never fails and never reuses a nonce under one key (crypto::DataKey: a random
//     prefix per instance and a counter, docs/crypto.md); the output embeds nonce and tag.
//   - Open() returns the plaintext only when `sealed` was produced by Seal() under the same key
//     with the same associated data; anything else (flipped, torn or truncated bytes, another
//     key, other associated data) gives a non-OK status, never garbage.
//   - Both may be called from several threads at once: a large batch seals on a helper thread
//     beside the caller's (crypto::DataKey keeps its nonce counter under a mutex).
#ifndef FULEI_STORE_SEALER_H_
#define FULEI_STORE_SEALER_H_

#include <string>
#include <string_view>

#include "crdt/status.h"

namespace fulei::store {

class Sealer {
 public:
  virtual ~Sealer() = default;
  virtual std::string Seal(std::string_view plaintext, std::string_view associated_data) const = 0;
  virtual Result<std::string> Open(std::string_view sealed,
                                   std::string_view associated_data) const = 0;
};

}  // namespace fulei::store

#endif  // FULEI_STORE_SEALER_H_
