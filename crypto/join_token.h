// Enrolment by one-time join token (as with kubeadm or tailscale). Format and flow:
// docs/crypto.md#join-tokens.
//
// An administrator of the parent node (the city with the root key, or a town allowed to issue)
// creates a token for one org unit and role; it expires and works once. The token text is
//   fulei1-<base64url(version, token id, role, expiry, secret, root key, issuer node id,
//                     org unit, checksum)>
// The new node (1) pins the root key and the issuer node id from the token, (2) opens a Channel
// to the parent with no certificate (the parent's responder allows an unenrolled peer for this
// exchange only) and checks the parent is that issuer, (3) sends MakeEnrolmentRequest(): its
// public keys, a MAC under the token secret and its own signature, both bound to the channel's
// handshake hash, so a request cannot be replayed on another channel or carry another key
// than the one that did the handshake; (4) checks the returned chain with
// AcceptEnrolmentResponse. The issuer's Enroller checks expiry, the MAC, the signature and the
// key binding, marks the token used in its TokenLedger durably, and only then issues the
// certificate — the org unit and role come from the issuer's ledger, never from the request, and
// an issued issuer (a town) certifies only roles and org units below its own, as
// TrustStore::VerifyChain requires.
//
// Secrets: token text, token secrets and the ledger's plaintext live only in Secret /
// SecretString buffers, wiped when freed (crypto/secret.h). The ledger on disk is sealed under a
// key derived from the issuing node's signing key (TokenLedgerKey).
//
// Thread-compatible. REQUIRES: the Enroller's SigningKey and TokenLedger outlive it.
#ifndef FULEI_CRYPTO_JOIN_TOKEN_H_
#define FULEI_CRYPTO_JOIN_TOKEN_H_

#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "crdt/status.h"
#include "crypto/certificate.h"
#include "crypto/identity.h"
#include "crypto/noise.h"
#include "crypto/random.h"
#include "crypto/secret.h"
#include "crypto/secret_file.h"
#include "crypto/signing.h"

namespace fulei::crypto {

using TokenId = std::array<uint8_t, 16>;

struct JoinToken {
  TokenId id{};
  Role role = Role::kVillage;
  uint64_t expires_ms = 0;
  Secret<32> secret;
  SigningPublicKey root_key{};
  NodeId issuer = 0;  // node id of the parent that will answer the enrolment
  std::string org_unit;
};

// The token text; a secret (it carries the token secret), so it comes in a wiped buffer.
SecretString FormatJoinToken(const JoinToken& token);
// kInvalidArgument for a malformed or mistyped token (the checksum catches typos).
Result<JoinToken> ParseJoinToken(std::string_view text);

// What the issuer remembers of a token it created.
struct TokenRecord {
  TokenId id{};
  Role role = Role::kVillage;
  uint64_t expires_ms = 0;
  Secret<32> secret;
  std::string org_unit;
  bool used = false;

  TokenRecord Clone() const {
    return TokenRecord{id, role, expires_ms, secret.Clone(), org_unit, used};
  }
};

// The issuer's memory of tokens. MarkUsed must be durable before it returns OK.
class TokenLedger {
 public:
  virtual ~TokenLedger() = default;
  virtual Status Put(const TokenRecord& record) = 0;       // kAlreadyExists for a known id
  virtual Result<TokenRecord> Get(const TokenId& id) = 0;  // kNotFound
  virtual Status MarkUsed(const TokenId& id) = 0;          // kAlreadyExists when already used
};

class MemoryTokenLedger : public TokenLedger {
 public:
  Status Put(const TokenRecord& record) override;
  Result<TokenRecord> Get(const TokenId& id) override;
  Status MarkUsed(const TokenId& id) override;

 protected:
  std::map<TokenId, TokenRecord> records_;
};

// The key that seals the join-token ledger of the node whose signing key is `node_key` (the
// node that keeps the ledger and answers enrolments): libsodium's crypto_kdf (keyed BLAKE2b) of
// the Ed25519 seed, context "fulei-tl", subkey 1. The seed is already the node's most guarded
// secret (node.key, under the node's passphrase or key file), so the ledger is as well protected
// as the key that signs certificates, and needs no key of its own to keep.
// See docs/crypto.md#join-token-ledger.
Secret<32> TokenLedgerKey(const SigningKey& node_key);

// A ledger kept in one 0600 secret file (purpose "token-ledger") sealed under `ledger_key`
// (XChaCha20-Poly1305, as a key-file protected secret file), rewritten atomically on every
// change. Tokens are few and short-lived, so the whole file stays small.
class FileTokenLedger final : public MemoryTokenLedger {
 public:
  // Opens (or starts, when `path` does not exist) the ledger at `path`, sealed under
  // `ledger_key` (normally TokenLedgerKey(node's signing key)). kUnauthenticated for another
  // key or a damaged file; kFailedPrecondition for a file that is not sealed (an unsealed
  // ledger is refused, never read); kCorruption for malformed content; kPermissionDenied for a
  // file readable by others. REQUIRES: random outlives the ledger.
  static Result<FileTokenLedger> Open(std::filesystem::path path, const Secret<32>& ledger_key,
                                      Random& random);
  Status Put(const TokenRecord& record) override;
  Status MarkUsed(const TokenId& id) override;

 private:
  FileTokenLedger(std::filesystem::path path, KeyProtection protection, Random& random)
      : path_(std::move(path)), protection_(std::move(protection)), random_(&random) {}
  Status Flush();
  std::filesystem::path path_;
  KeyProtection protection_;  // KeyFile(ledger key)
  Random* random_;
};

struct EnrolmentPolicy {
  uint64_t certificate_validity_ms = 2 * 365 * 86'400'000ull;
  uint64_t max_token_ttl_ms = 7 * 86'400'000ull;
};

class Enroller {
 public:
  // issuer_chain empty: `issuer_key` is the root key. Otherwise issuer_chain is the issuing
  // town's chain (leaf first) and `issuer_key` its signing key. `answering_node` is the node id
  // of the node whose channel answers enrolments, written into tokens for pinning; 0 means the
  // issuing key's own node id (right for a town). With the root key pass the city node's id:
  // 0 would pin the root key's id, which no channel presents, so enrolment would fail closed.
  Enroller(const SigningKey& issuer_key, CertChain issuer_chain, const SigningPublicKey& root_key,
           TokenLedger& ledger, EnrolmentPolicy policy = {}, NodeId answering_node = 0);

  // A new token's text (a secret: show it once) for `org_unit` and `role`. kPermissionDenied
  // when this issuer may not certify that org unit or role (an issued issuer: only roles below
  // its own, org units strictly below its own); kInvalidArgument for a bad org unit or ttl.
  Result<SecretString> CreateToken(std::string_view org_unit, Role role, uint64_t now_ms,
                                   uint64_t ttl_ms, Random& random);

  // Handles one enrolment request received on a channel whose peer is unenrolled.
  // channel_binding = Channel::handshake_hash(), peer_static = Channel::peer_static_key().
  // Returns the encoded certificate chain to send back. kPermissionDenied for an unknown,
  // expired or used token, or a ledger record this issuer may not certify (a role at or above
  // its own, an org unit not below its own: nothing is used up); kUnauthenticated for a bad
  // MAC, signature or key binding.
  Result<std::string> HandleRequest(std::string_view request, const noise::Hash& channel_binding,
                                    const noise::PublicKey& peer_static, uint64_t now_ms);

 private:
  const SigningKey* key_;
  CertChain chain_;
  NodeId answering_node_;
  SigningPublicKey root_;
  TokenLedger* ledger_;
  EnrolmentPolicy policy_;
};

// The token an enrolment request names (read before answering it, so the issuer can pick the
// Enroller whose key may certify what the ledger says: the root key for a town at the city).
// kInvalidArgument for a malformed request. Nothing is verified.
Result<TokenId> EnrolmentRequestTokenId(std::string_view request);

// The new node's side.

// Checks that an established enrolment channel leads to the token's issuer: the peer presented
// a certificate (verified by the channel against the token's root) whose node id is
// token.issuer. kUnauthenticated otherwise. Call before sending the request.
Status CheckEnrolmentPeer(const std::optional<Certificate>& peer, const JoinToken& token);
std::string MakeEnrolmentRequest(const JoinToken& token, const NodeIdentity& identity,
                                 const noise::Hash& channel_binding);
// Decodes the issuer's answer and checks it: chains to the token's root at now_ms, certifies
// exactly this identity's keys, for the token's org unit and role.
Result<CertChain> AcceptEnrolmentResponse(std::string_view response, const JoinToken& token,
                                          const NodeIdentity& identity, uint64_t now_ms);

}  // namespace fulei::crypto

#endif  // FULEI_CRYPTO_JOIN_TOKEN_H_
