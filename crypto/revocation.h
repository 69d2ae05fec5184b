// Revocation lists: the root's signed, monotonically versioned list of revoked node ids.
// Format: docs/crypto.md#revocation. The list replicates like any record (store/sync carry the
// encoded bytes); TrustStore::InstallRevocations accepts only a list signed by the root with a
// higher version than the one it holds, so an old list can never be replayed to un-revoke.
// A revoked issuer (a town) revokes every chain through it. Plain value types; thread-compatible.
#ifndef FULEI_CRYPTO_REVOCATION_H_
#define FULEI_CRYPTO_REVOCATION_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crdt/status.h"
#include "crypto/signing.h"

namespace fulei::crypto {

struct RevocationList {
  uint64_t version = 0;         // strictly increasing per network
  uint64_t issued_ms = 0;       // informational
  std::vector<NodeId> revoked;  // sorted ascending, no duplicates (SignRevocationList sorts)
};

inline constexpr size_t kMaxRevokedNodes = 100'000;

// Encodes and signs with the root key. kInvalidArgument when too long or version 0.
Result<std::string> SignRevocationList(RevocationList list, const SigningKey& root);
// Decodes untrusted bytes and verifies the root's signature: kCorruption for a malformed list,
// kUnauthenticated for a signature that is not the root's.
Result<RevocationList> VerifyRevocationList(std::string_view bytes, const SigningPublicKey& root);
// The version an encoded list claims, read WITHOUT verifying anything (kCorruption when the
// bytes do not even start like a list). Only for skipping, before the costly verification, a
// list that could not be installed anyway because it claims no newer version; never trust it.
Result<uint64_t> PeekRevocationVersion(std::string_view bytes);

}  // namespace fulei::crypto

#endif  // FULEI_CRYPTO_REVOCATION_H_
