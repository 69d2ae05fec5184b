// Sealing at rest: the node's data keys, and the Seal/Open interface store/ uses for sensitive
// field values. Format: docs/crypto.md#sealing.
//
//   sealed = 0x01 (version) || key id (u32 BE) || nonce (24 random bytes) ||
//            XChaCha20-Poly1305(key[id], nonce, plaintext, ad = version || key id || caller ad)
//
// A DataKey is one random 32-byte key with an id. A KeyRing holds every data key a node has
// had; the newest seals, any of them opens (the key id in the sealed bytes picks it), so a new
// data key can be introduced without re-encrypting old values. The ring is stored in
// <data_dir>/data.keys as a secret file (purpose "data-keys") wrapped under a key-encryption key
// from a key file or a passphrase (argon2id). Rotating the key-encryption key (a new passphrase,
// a new key file) rewrites only that file: no stored value is re-encrypted.
//
// Open returns kCorruption for a bad tag (torn or flipped bytes, wrong associated data, a value
// sealed under another ring) and kNotFound for an unknown key id.
//
// Nonces (docs/crypto.md#sealing-at-rest): nonce = prefix (16 bytes) || counter (u64 LE). Each
// DataKey draws its prefix from libsodium's randombytes_buf at its first Seal (and again in a
// child process after fork(), see data_key.cc) and counts seals from 0. A nonce never repeats:
// within one prefix the counter never wraps (2^64 seals), and two prefixes (two instances, a
// restart, a forked child) collide with probability about n^2 / 2^129 for n prefixes ever drawn
// under one key. The prefix is also XChaCha20's HChaCha20 input, so the subkey is derived once
// per prefix instead of per call; the bytes are plain XChaCha20-Poly1305 (Open is unchanged).
// DataKey and KeyRing are move-only and wipe their keys; const methods are thread-safe.
#ifndef FULEI_CRYPTO_DATA_KEY_H_
#define FULEI_CRYPTO_DATA_KEY_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "crdt/status.h"
#include "crypto/random.h"
#include "crypto/secret.h"
#include "crypto/secret_file.h"

namespace fulei::crypto {

inline constexpr size_t kSealOverhead = 1 + 4 + 24 + 16;
inline constexpr char kDataKeysFileName[] = "data.keys";

class DataKey {
 public:
  static DataKey Generate(uint32_t id, Random& random);
  static DataKey FromBytes(uint32_t id, const Secret<32>& key);
  DataKey(DataKey&&) noexcept;
  DataKey& operator=(DataKey&&) noexcept;
  ~DataKey();

  uint32_t id() const { return id_; }
  const Secret<32>& key() const { return key_; }

  std::string Seal(std::string_view plaintext, std::string_view associated_data) const;
  Result<std::string> Open(std::string_view sealed, std::string_view associated_data) const;

 private:
  struct NonceState;  // prefix, counter and derived subkey, under a mutex (data_key.cc)
  DataKey(uint32_t id, Secret<32> key);
  uint32_t id_;
  Secret<32> key_;
  std::unique_ptr<NonceState> nonce_;  // never null, except in a moved-from DataKey
};

// The key id a sealed value names, or kCorruption when it is too short or another version.
Result<uint32_t> SealedKeyId(std::string_view sealed);

class KeyRing {
 public:
  // A ring with one fresh data key (id 1).
  static KeyRing Create(Random& random);
  KeyRing(KeyRing&&) = default;
  KeyRing& operator=(KeyRing&&) = default;

  // Adds a fresh data key with the next id; it seals from now on. Returns its id.
  uint32_t Rotate(Random& random);
  uint32_t current_id() const { return keys_.back().id(); }
  size_t size() const { return keys_.size(); }

  std::string Seal(std::string_view plaintext, std::string_view associated_data) const;
  Result<std::string> Open(std::string_view sealed, std::string_view associated_data) const;

  // Encoded ring wrapped under `protection` (secret file content; a SecretString, since
  // unprotected content holds the keys) and back.
  Result<SecretString> Wrap(const KeyProtection& protection, Random& random) const;
  static Result<KeyRing> Unwrap(std::string_view wrapped, const KeyProtection& protection);

  // <data_dir>/data.keys; Save replaces the file atomically (used for rotation as well).
  Status Save(const std::filesystem::path& data_dir, const KeyProtection& protection,
              Random& random) const;
  static Result<KeyRing> Load(const std::filesystem::path& data_dir,
                              const KeyProtection& protection);

 private:
  KeyRing() = default;
  std::vector<DataKey> keys_;  // ascending ids; back() is current
};

}  // namespace fulei::crypto

#endif  // FULEI_CRYPTO_DATA_KEY_H_
