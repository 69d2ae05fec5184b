// Ed25519 signing keys, signatures and the NodeId derived from a node's public signing key.
//
// SigningKey is move-only and wipes its secret on destruction. Every signature fulei makes is
// over a domain-separated message (a "fulei-...-v1" context string first; docs/crypto.md), so a
// signature made for one purpose never verifies for another. Thread-compatible; Sign() and
// Verify() are const and may run concurrently on one key.
#ifndef FULEI_CRYPTO_SIGNING_H_
#define FULEI_CRYPTO_SIGNING_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "crdt/op.h"
#include "crdt/status.h"
#include "crypto/random.h"
#include "crypto/secret.h"

namespace fulei::crypto {

using SigningPublicKey = std::array<uint8_t, 32>;
using Signature = std::array<uint8_t, 64>;
using NodeId = crdt::NodeId;

class SigningKey {
 public:
  // A fresh key. Retries in the (2^-64) case that its NodeId would be 0.
  static SigningKey Generate(Random& random);
  // The key whose 32-byte seed is `seed`; kInvalidArgument when its NodeId would be 0.
  static Result<SigningKey> FromSeed(const Secret<32>& seed);

  SigningKey(SigningKey&&) = default;
  SigningKey& operator=(SigningKey&&) = default;

  Signature Sign(std::string_view message) const;
  const SigningPublicKey& public_key() const { return public_key_; }
  const Secret<32>& seed() const { return seed_; }
  NodeId node_id() const;

 private:
  SigningKey() = default;
  Secret<32> seed_;
  Secret<64> secret_key_;  // libsodium's expanded form (seed || public key)
  SigningPublicKey public_key_{};
};

// True when `signature` is a valid Ed25519 signature of `message` by `key`.
[[nodiscard]] bool VerifySignature(const SigningPublicKey& key, std::string_view message,
                                   const Signature& signature);

// NodeId = first 8 bytes (big-endian) of BLAKE2b-256("fulei-node-id-v1" || public key).
// 0 is never a valid NodeId; keys that would map to 0 are never generated.
NodeId NodeIdFromKey(const SigningPublicKey& key);

// BLAKE2b-256 of `data` (op hashes, fingerprints).
std::array<uint8_t, 32> Blake2b256(std::string_view data);

// BLAKE2b-256 of data given in pieces (a checksum of a file read in chunks): the same digest as
// Blake2b256 of the pieces joined.
class Blake2b256Stream {
 public:
  Blake2b256Stream();
  ~Blake2b256Stream();
  Blake2b256Stream(const Blake2b256Stream&) = delete;
  Blake2b256Stream& operator=(const Blake2b256Stream&) = delete;
  void Update(std::string_view data);
  std::array<uint8_t, 32> Final();  // once

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// A short fingerprint of a public key, for pinning the root in a join token:
// BLAKE2b-256("fulei-fingerprint-v1" || key), the first 16 bytes.
std::array<uint8_t, 16> Fingerprint(const SigningPublicKey& key);

}  // namespace fulei::crypto

#endif  // FULEI_CRYPTO_SIGNING_H_
