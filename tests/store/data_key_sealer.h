// DataKeySealer: the store's Sealer over crypto::DataKey (XChaCha20-Poly1305), the same
// adapter shape the node wires; a fresh random data key per instance. For the store's tests and
// benchmarks (store/ itself cannot include crypto/).
#ifndef FULEI_TESTS_STORE_DATA_KEY_SEALER_H_
#define FULEI_TESTS_STORE_DATA_KEY_SEALER_H_

#include <string>
#include <string_view>

#include "crdt/status.h"
#include "crypto/data_key.h"
#include "crypto/random.h"
#include "store/sealer.h"

namespace fulei::store::testing {

class DataKeySealer : public Sealer {
 public:
  DataKeySealer() : key_(crypto::DataKey::Generate(1, random_)) {}
  std::string Seal(std::string_view plaintext, std::string_view ad) const override {
    return key_.Seal(plaintext, ad);
  }
  Result<std::string> Open(std::string_view sealed, std::string_view ad) const override {
    return key_.Open(sealed, ad);
  }

 private:
  crypto::SystemRandom random_;  // declared before key_: it draws the key
  crypto::DataKey key_;
};

}  // namespace fulei::store::testing

#endif  // FULEI_TESTS_STORE_DATA_KEY_SEALER_H_
