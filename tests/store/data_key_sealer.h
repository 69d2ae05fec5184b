// DataKeySealer for the store's tests and benchmarks: the node's own sealer
// (node/core/data_key_sealer.h, crypto::KeyRing through the store's Sealer interface) with a
// fresh random key ring per instance. store/ itself cannot include crypto/; its tests seal
// through exactly the class the node wires.
#ifndef FULEI_TESTS_STORE_DATA_KEY_SEALER_H_
#define FULEI_TESTS_STORE_DATA_KEY_SEALER_H_

#include "crypto/data_key.h"
#include "crypto/random.h"
#include "node/core/data_key_sealer.h"

namespace fulei::store::testing {

class DataKeySealer : public node::DataKeySealer {
 public:
  DataKeySealer() : node::DataKeySealer(FreshRing()) {}

 private:
  static crypto::KeyRing FreshRing() {
    crypto::SystemRandom random;
    return crypto::KeyRing::Create(random);
  }
};

}  // namespace fulei::store::testing

#endif  // FULEI_TESTS_STORE_DATA_KEY_SEALER_H_
