// The Noise protocol framework (revision 34) for Noise_*_25519_ChaChaPoly_BLAKE2b, on libsodium.
//
// CipherState, SymmetricState and HandshakeState follow the specification's section 5 names.
// HandshakeState is a generic pattern engine: it runs any of the twelve two-way base patterns
// (NN, KN, NK, KK, NX, KX, XN, IN, XK, IK, XX, IX) without PSK; fulei's channel uses XX
// (see crypto/channel.h and docs/crypto.md). All of it reproduces the cacophony test vectors
// byte for byte (tests/crypto/noise_test.cc).
//
// Errors: a failed decryption, a low-order DH result, a malformed or oversized message, or any
// call after such a failure returns a non-OK Status; a HandshakeState that failed once stays
// failed (it never continues from a half-processed message). Nonce exhaustion is kOutOfRange.
// Thread-compatible: one owner each. Keys held here are wiped on destruction.
#ifndef FULEI_CRYPTO_NOISE_H_
#define FULEI_CRYPTO_NOISE_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crdt/status.h"
#include "crypto/random.h"
#include "crypto/secret.h"

namespace fulei::crypto::noise {

inline constexpr size_t kDhLen = 32;
inline constexpr size_t kHashLen = 64;
inline constexpr size_t kKeyLen = 32;
inline constexpr size_t kTagLen = 16;
inline constexpr size_t kMaxMessageLen = 65535;

using PublicKey = std::array<uint8_t, kDhLen>;
using Hash = std::array<uint8_t, kHashLen>;

// An X25519 key pair.
struct KeyPair {
  Secret<kDhLen> private_key;
  PublicKey public_key{};

  static KeyPair Generate(Random& random);
  static KeyPair FromPrivate(const uint8_t* private_key);  // REQUIRES: 32 readable bytes
  KeyPair Clone() const { return FromPrivate(private_key.data()); }
};

// DH(): X25519; fails (kUnauthenticated) when the result is all zero (a low-order point).
Status Dh(const KeyPair& own, const PublicKey& remote, Secret<kDhLen>* out);

class CipherState {
 public:
  CipherState() = default;
  CipherState(CipherState&&) = default;
  CipherState& operator=(CipherState&&) = default;

  void InitializeKey(const uint8_t* key);  // REQUIRES: 32 readable bytes
  bool HasKey() const { return has_key_; }
  void SetNonce(uint64_t n) { n_ = n; }
  uint64_t nonce() const { return n_; }

  // Appends ciphertext (plaintext + 16-byte tag) to *out; with no key appends the plaintext.
  Status EncryptWithAd(std::string_view ad, std::string_view plaintext, std::string* out);
  // Appends plaintext to *out. On failure *out is unchanged and the nonce does not advance.
  Status DecryptWithAd(std::string_view ad, std::string_view ciphertext, std::string* out);
  // Rekey(): k = ENCRYPT(k, 2^64-1, "", zeros)[0..32] (spec section 11.3).
  void Rekey();

 private:
  Secret<kKeyLen> k_;
  bool has_key_ = false;
  uint64_t n_ = 0;
};

class SymmetricState {
 public:
  explicit SymmetricState(std::string_view protocol_name);
  void MixKey(const uint8_t* ikm, size_t len);
  void MixHash(std::string_view data);
  Status EncryptAndHash(std::string_view plaintext, std::string* out);
  Status DecryptAndHash(std::string_view ciphertext, std::string* out);
  // Returns (initiator→responder, responder→initiator) cipher states.
  std::pair<CipherState, CipherState> Split();
  const Hash& handshake_hash() const { return h_; }
  bool HasKey() const { return cipher_.HasKey(); }

 private:
  CipherState cipher_;
  Secret<kHashLen> ck_;
  Hash h_{};
};

enum class Token : uint8_t { kE, kS, kEE, kES, kSE, kSS };

struct HandshakePattern {
  std::string name;                          // "XX"
  std::vector<Token> initiator_premessage;   // empty or {kS}
  std::vector<Token> responder_premessage;   // empty or {kS}
  std::vector<std::vector<Token>> messages;  // alternating, initiator first
};

// One of the twelve base patterns by name ("XX"), or kInvalidArgument.
Result<HandshakePattern> PatternByName(std::string_view name);
// Parses "Noise_XX_25519_ChaChaPoly_BLAKE2b"; other primitives are kInvalidArgument.
Result<HandshakePattern> PatternFromProtocolName(std::string_view protocol_name);
std::string ProtocolName(const HandshakePattern& pattern);

struct HandshakeConfig {
  HandshakePattern pattern;
  bool initiator = true;
  std::string prologue;
  std::optional<KeyPair> static_keys;      // s, when the pattern sends or pre-shares it
  std::optional<PublicKey> remote_static;  // rs, when the pattern pre-shares it
  // Test vectors only: a fixed ephemeral key instead of one drawn from Random.
  std::optional<KeyPair> fixed_ephemeral;
};

struct SplitResult {
  CipherState send;
  CipherState receive;
  Hash handshake_hash{};
};

class HandshakeState {
 public:
  // REQUIRES: random outlives this object. Fails when the config lacks a key the pattern needs.
  static Result<HandshakeState> Create(HandshakeConfig config, Random& random);

  HandshakeState(HandshakeState&&) = default;
  HandshakeState& operator=(HandshakeState&&) = default;

  // Whose turn it is; false once finished.
  bool IsMyTurnToWrite() const;
  bool finished() const { return next_message_ >= pattern_.messages.size(); }
  bool failed() const { return failed_; }

  // Writes the next handshake message carrying `payload` into *message (replacing it).
  Status WriteMessage(std::string_view payload, std::string* message);
  // Reads the next handshake message; on success *payload holds its decrypted payload.
  Status ReadMessage(std::string_view message, std::string* payload);

  // REQUIRES: finished() and not failed(). Returns the transport ciphers for this side.
  Result<SplitResult> Split();

  // The remote static key once received or pre-shared.
  const std::optional<PublicKey>& remote_static() const { return rs_; }
  const Hash& handshake_hash() const { return symmetric_.handshake_hash(); }

 private:
  HandshakeState(HandshakePattern pattern, bool initiator, Random& random);
  Status MixDh(const std::optional<KeyPair>& own, const std::optional<PublicKey>& remote);
  Status Fail(Status s) {
    failed_ = true;
    return s;
  }

  HandshakePattern pattern_;
  bool initiator_;
  Random* random_;
  SymmetricState symmetric_;
  std::optional<KeyPair> s_, e_;
  std::optional<PublicKey> rs_, re_;
  std::optional<KeyPair> fixed_ephemeral_;
  size_t next_message_ = 0;
  bool failed_ = false;
};

}  // namespace fulei::crypto::noise

#endif  // FULEI_CRYPTO_NOISE_H_
