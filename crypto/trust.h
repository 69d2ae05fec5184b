// TrustStore: what a node believes about its network — the root key it was enrolled under and
// the newest revocation list it has seen — and the one function that decides whether a peer's
// certificate chain is good. See docs/crypto.md#trust-chain.
//
// Chain rule: a chain is leaf first, at most 3 certificates. Each certificate must be inside its
// validity window at `now_ms` (passed in, never read), not revoked, and signed by the next
// certificate's key, the last by the root. A certificate that signs another must have can_issue
// (which only the root may grant: an issued issuer is refused), the org unit it signs for must
// lie strictly below its own, and so must the role it signs for (RoleIsBelow: village < town <
// city). So a town can enrol villages of its own subtree while the city is unreachable, but
// cannot mint a town, a city or anything outside its subtree. The root may certify any role.
//
// Thread-compatible: concurrent const calls are fine; InstallRevocations needs exclusive access.
#ifndef FULEI_CRYPTO_TRUST_H_
#define FULEI_CRYPTO_TRUST_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crdt/status.h"
#include "crypto/certificate.h"
#include "crypto/revocation.h"

namespace fulei::crypto {

// True when a certificate of `issuer`'s role may certify `subject`: village < town < city. The
// rule of VerifyChain, and of every issuer (crypto::Enroller) before it signs.
constexpr bool RoleIsBelow(Role subject, Role issuer) {
  return static_cast<uint8_t>(subject) < static_cast<uint8_t>(issuer);
}

// What a node expects of a peer, beyond a valid chain: the peer's org unit lies in `subtree`
// (empty: anywhere in the network) and its role is in `roles` (empty: any role).
struct PeerExpectation {
  std::string subtree;
  std::vector<Role> roles;
};

class TrustStore {
 public:
  explicit TrustStore(const SigningPublicKey& root) : root_(root) {}

  const SigningPublicKey& root() const { return root_; }

  // Installs a newer revocation list. kUnauthenticated / kCorruption for a bad list (nothing
  // changes); kAlreadyExists when its version is not newer than the installed one.
  Status InstallRevocations(std::string_view encoded);
  // The installed list's version (0: none); it rises with every list installed, so a cache of
  // verified chains that compares it (sync/cert_directory.h) sees every change of the list.
  uint64_t revocation_version() const { return revocations_.version; }
  bool IsRevoked(NodeId id) const;
  // True when the installed list revokes the node of `leaf` or the node that issued it (a town
  // that enrolled it): what a node checks of an established session's peer after installing a
  // newer list. The root key itself is never revoked.
  bool RevokesCertificate(const Certificate& leaf) const;

  // Verifies `chain` at `now_ms` and returns its leaf. kUnauthenticated for a bad signature,
  // unknown issuer or broken chain rule, kPermissionDenied for a revoked certificate,
  // kOutOfRange for a certificate outside its validity window.
  Result<Certificate> VerifyChain(const CertChain& chain, uint64_t now_ms) const;

 private:
  SigningPublicKey root_;
  RevocationList revocations_;
};

// kPermissionDenied when `leaf` does not meet `expect`.
Status CheckExpectation(const Certificate& leaf, const PeerExpectation& expect);

}  // namespace fulei::crypto

#endif  // FULEI_CRYPTO_TRUST_H_
