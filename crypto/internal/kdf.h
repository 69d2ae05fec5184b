// The passphrase key derivation shared by secret files and sealed streams (argon2id13, bounded
// parameters). Internal to crypto/.
#ifndef FULEI_CRYPTO_INTERNAL_KDF_H_
#define FULEI_CRYPTO_INTERNAL_KDF_H_

#include <cstdint>
#include <string_view>

#include "crdt/status.h"
#include "crypto/secret.h"
#include "crypto/secret_file.h"

namespace fulei::crypto::internal {

// 32 bytes from `passphrase` and a 16-byte salt. kInvalidArgument when `params` fall outside
// [libsodium's minimum, kMaxArgon2Opslimit / kMaxArgon2Memlimit] (a tampered header).
Status DerivePassphraseKey(std::string_view passphrase, const uint8_t* salt,
                           const Argon2Params& params, Secret<32>* out);

}  // namespace fulei::crypto::internal

#endif  // FULEI_CRYPTO_INTERNAL_KDF_H_
