// NodeIdentity: a node's long-term keys — an Ed25519 signing key (certificates, op chain heads,
// enrolment) and a separate X25519 static key (the Noise channel) — and their file in the
// node's data directory. Format and rationale: docs/crypto.md#identity.
//
// The two keys are independent random keys (not one derived from the other): no key is used
// by two algorithms, and the certificate binds both. NodeId comes from the signing key
// (signing.h). The identity file `node.key` holds the 32-byte Ed25519 seed and the 32-byte
// X25519 private key as a secret file (secret_file.h, purpose "node-identity"), mode 0600,
// optionally sealed under a passphrase or key file.
// Move-only (secrets wipe themselves); thread-compatible.
#ifndef FULEI_CRYPTO_IDENTITY_H_
#define FULEI_CRYPTO_IDENTITY_H_

#include <cstdint>
#include <filesystem>
#include <string_view>

#include "crdt/status.h"
#include "crypto/certificate.h"
#include "crypto/noise.h"
#include "crypto/random.h"
#include "crypto/secret_file.h"
#include "crypto/signing.h"

namespace fulei::crypto {

inline constexpr char kIdentityFileName[] = "node.key";

class NodeIdentity {
 public:
  static NodeIdentity Generate(Random& random);
  NodeIdentity(NodeIdentity&&) = default;
  NodeIdentity& operator=(NodeIdentity&&) = default;

  const SigningKey& signing_key() const { return signing_; }
  const noise::KeyPair& dh_key() const { return dh_; }
  NodeId node_id() const { return signing_.node_id(); }

  // Writes <data_dir>/node.key (0600, atomically). kAlreadyExists when one is there: an
  // identity is never overwritten by accident.
  Status Save(const std::filesystem::path& data_dir, const KeyProtection& protection,
              Random& random) const;
  // Reads <data_dir>/node.key. kNotFound, kPermissionDenied (loose mode), kUnauthenticated
  // (wrong passphrase), kFailedPrecondition (other protection), kCorruption.
  static Result<NodeIdentity> Load(const std::filesystem::path& data_dir,
                                   const KeyProtection& protection);

 private:
  NodeIdentity(SigningKey s, noise::KeyPair dh) : signing_(std::move(s)), dh_(std::move(dh)) {}
  SigningKey signing_;
  noise::KeyPair dh_;
};

// The certificate that binds `node`'s two public keys to `org_unit` in `role` for
// [not_before_ms, not_after_ms], signed by `issuer` (the root, or a town allowed to issue).
// The one way the project certifies a node: enrolment, `fulei init`, tests, benches and the
// simulator. Errors as IssueCertificate (invalid org unit, role or window).
Result<Certificate> CertifyNode(const NodeIdentity& node, Role role, std::string_view org_unit,
                                uint64_t not_before_ms, uint64_t not_after_ms,
                                const SigningKey& issuer, bool can_issue = false);

// The network's root signing key (city node or offline admin machine): a secret file with
// purpose "root-key" holding the Ed25519 seed. Protect it with a passphrase. Save never
// overwrites (kAlreadyExists); Load fails like NodeIdentity::Load.
Status SaveRootKey(const std::filesystem::path& path, const SigningKey& root,
                   const KeyProtection& protection, Random& random);
Result<SigningKey> LoadRootKey(const std::filesystem::path& path, const KeyProtection& protection);

}  // namespace fulei::crypto

#endif  // FULEI_CRYPTO_IDENTITY_H_
