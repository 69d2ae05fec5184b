// DataKeySealer: the node's store::Sealer. The store seals every value that may hold a person's
// data through it (store/sealer.h, docs/store.md) with the node's data-key ring
// (crypto::KeyRing, crypto/data_key.h): XChaCha20-Poly1305 under the ring's newest key; a value
// opens under whichever key of the ring its sealed bytes name, so a rotated ring still opens
// everything sealed before. Format: docs/crypto.md#sealing.
//
// A node refuses to start without a sealer (CoreConfig::sealer). The daemon builds this one
// from <data_dir>/data.keys (crypto::KeyRing::Load under the node's passphrase or key file);
// tests, benchmarks and the simulator use Generate, a fresh ring that lives only as long as the
// sealer — so values it sealed open only while it lives (keep one per node across restarts).
//
// Header-only, so the store's own tests and benchmarks (which link crypto/ and store/, not the
// node core) seal through this same class.
// Thread-safe: Seal and Open may be called from several threads at once (store/sealer.h; the
// ring's keys keep their nonce state under a mutex). Not copyable or movable: the store and the
// core hold a pointer to it, which must stay valid as long as they live.
#ifndef FULEI_NODE_CORE_DATA_KEY_SEALER_H_
#define FULEI_NODE_CORE_DATA_KEY_SEALER_H_

#include <string>
#include <string_view>
#include <utility>

#include "crdt/status.h"
#include "crypto/data_key.h"
#include "crypto/random.h"
#include "store/sealer.h"

namespace fulei::node {

class DataKeySealer : public store::Sealer {
 public:
  explicit DataKeySealer(crypto::KeyRing ring) : ring_(std::move(ring)) {}
  // A sealer over a fresh ring of one random data key, never written anywhere.
  static DataKeySealer Generate(crypto::Random& random) {
    return DataKeySealer(crypto::KeyRing::Create(random));
  }
  DataKeySealer(const DataKeySealer&) = delete;
  DataKeySealer& operator=(const DataKeySealer&) = delete;

  std::string Seal(std::string_view plaintext, std::string_view associated_data) const override {
    return ring_.Seal(plaintext, associated_data);
  }
  Result<std::string> Open(std::string_view sealed,
                           std::string_view associated_data) const override {
    return ring_.Open(sealed, associated_data);
  }

  // The ring, e.g. to save it (crypto::KeyRing::Save) next to the store it seals.
  const crypto::KeyRing& ring() const { return ring_; }

 private:
  crypto::KeyRing ring_;
};

}  // namespace fulei::node

#endif  // FULEI_NODE_CORE_DATA_KEY_SEALER_H_
