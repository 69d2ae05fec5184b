#include "crypto/trust.h"

#include <algorithm>

#include "crdt/org_unit.h"

namespace fulei::crypto {

Status TrustStore::InstallRevocations(std::string_view encoded) {
  FULEI_ASSIGN_OR_RETURN(RevocationList list, VerifyRevocationList(encoded, root_));
  if (list.version <= revocations_.version) {
    return AlreadyExists("revocation list version " + std::to_string(list.version) +
                         " is not newer than " + std::to_string(revocations_.version));
  }
  revocations_ = std::move(list);
  return Status::Ok();
}

bool TrustStore::IsRevoked(NodeId id) const {
  return std::binary_search(revocations_.revoked.begin(), revocations_.revoked.end(), id);
}

bool TrustStore::RevokesCertificate(const Certificate& leaf) const {
  if (IsRevoked(leaf.node_id)) return true;
  return leaf.issuer_key != root_ && IsRevoked(NodeIdFromKey(leaf.issuer_key));
}

Result<Certificate> TrustStore::VerifyChain(const CertChain& chain, uint64_t now_ms) const {
  if (chain.empty() || chain.size() > kMaxChainLength) {
    return Unauthenticated("certificate chain: bad length");
  }
  for (size_t i = 0; i < chain.size(); ++i) {
    const Certificate& c = chain[i];
    bool last = i + 1 == chain.size();
    const SigningPublicKey& issuer_key = last ? root_ : chain[i + 1].signing_key;
    if (c.issuer_key != issuer_key) {
      return Unauthenticated("certificate of node " + std::to_string(c.node_id) +
                             " is not issued by the next key in the chain");
    }
    if (!VerifySignature(issuer_key, CertificateSignedBytes(c), c.signature)) {
      return Unauthenticated("certificate signature does not verify");
    }
    if (now_ms < c.not_before_ms || now_ms > c.not_after_ms) {
      return OutOfRange("certificate of " + c.org_unit + " is not valid at this time");
    }
    if (IsRevoked(c.node_id)) {
      return PermissionDenied("certificate of node " + std::to_string(c.node_id) + " is revoked");
    }
    if (!last) {
      const Certificate& issuer = chain[i + 1];
      if (!issuer.can_issue) return Unauthenticated("issuer may not issue certificates");
      if (c.can_issue) return Unauthenticated("only the root may grant can_issue");
      if (!crdt::IsBelow(c.org_unit, issuer.org_unit)) {
        return Unauthenticated("issuer " + issuer.org_unit + " may not certify " + c.org_unit);
      }
      if (!RoleIsBelow(c.role, issuer.role)) {
        return Unauthenticated("issuer " + issuer.org_unit + " (" +
                               std::string(RoleName(issuer.role)) + ") may not certify a " +
                               std::string(RoleName(c.role)));
      }
    }
  }
  return chain.front();
}

Status CheckExpectation(const Certificate& leaf, const PeerExpectation& expect) {
  // An empty subtree is no constraint (PeerExpectation), not crdt's empty unit (no subtree).
  if (!expect.subtree.empty() && !crdt::IsAtOrBelow(leaf.org_unit, expect.subtree)) {
    return PermissionDenied("peer org unit " + leaf.org_unit + " is not under " + expect.subtree);
  }
  if (!expect.roles.empty() &&
      std::find(expect.roles.begin(), expect.roles.end(), leaf.role) == expect.roles.end()) {
    return PermissionDenied("peer role " + std::string(RoleName(leaf.role)) + " not expected");
  }
  return Status::Ok();
}

}  // namespace fulei::crypto
