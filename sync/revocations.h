// Revocations through sync: the root's signed revocation list (crypto/revocation.h) travels as
// an ordinary record of the network's root (city) scope, which every node holds, so it reaches
// every node the way any city-wide record does. Format: docs/crypto.md#revocation-lists and
// docs/protocol.md#revocations.
//
//   record  (scope = root scope, e.g. "jinjiang", type = "$revocations", id = "list")
//   field   "signed": a multi-value register whose value is the encoded, root-signed list
//
// Publishing: the city node writes the record through its LocalWriter, so the op is chained and
// signed like any op; the write supersedes every value the city holds. Installing: after a sync
// batch changed the root scope, and at node start, every live value of the field is verified
// against the network root and the highest valid version is installed in the node's TrustStore
// (which never goes back to an older version). A value that fails verification is reported and
// ignored, never fatal; two concurrent values (a conflict) are fine: the highest version wins.
//
// Trust comes from the root's signature on the list, never from who wrote or relayed the op.
//
// Thread-compatible: call from the thread that owns the store (no read transaction held across
// calls). REQUIRES: store, writer and trust outlive each call.
#ifndef FULEI_SYNC_REVOCATIONS_H_
#define FULEI_SYNC_REVOCATIONS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crdt/op.h"
#include "crdt/status.h"
#include "crypto/trust.h"
#include "store/store.h"
#include "sync/local_writer.h"

namespace fulei::sync {

inline constexpr char kRevocationType[] = "$revocations";
inline constexpr char kRevocationId[] = "list";
inline constexpr char kRevocationField[] = "signed";

// The network's root scope: the first segment of `unit` ("jinjiang/cizao/v012" -> "jinjiang").
std::string RootScope(std::string_view unit);
// (root_scope, "$revocations", "list").
crdt::RecordKey RevocationKey(std::string_view root_scope);

// Writes `signed_list` (crypto::SignRevocationList output) as the network's revocation record,
// superseding every value held, in one LocalWriter commit. `self_unit` is the writer's org unit:
// only the city (the root unit) may write the root scope. Nothing is written on error:
//   kPermissionDenied   self_unit is not a root unit;
//   kCorruption / kUnauthenticated  the bytes are not a list signed by trust.root();
//   kAlreadyExists      its version is not newer than every list held or installed;
//   the store's errors.
// Does not install the list: call InstallRevocationsFromStore afterwards.
Result<std::vector<crdt::Op>> PublishRevocations(store::Store& store, LocalWriter& writer,
                                                 std::string_view self_unit,
                                                 const crypto::TrustStore& trust,
                                                 std::string_view signed_list, uint64_t wall_ms,
                                                 std::string_view author = "revocation");

struct RevocationInstall {
  bool installed = false;  // a newer list was installed by this call
  uint64_t version = 0;    // trust.revocation_version() after the call
  size_t values = 0;       // live values of the field seen
  // One line per value that failed verification (ignored), e.g. "value 2 of 3: UNAUTHENTICATED: …".
  std::vector<std::string> rejected;
};

// Reads every live value of the revocation record in `root_scope` and installs the highest
// valid version into `trust` when it is newer than the installed one. Values that do not
// verify are listed in `rejected` and otherwise ignored. A value whose (unverified) header
// claims no newer version than the installed one is skipped without verification, so the
// check after every root-scope batch costs a read, not a signature check over the whole list.
// Errors: only the store's (reading the record); `trust` is unchanged then.
Result<RevocationInstall> InstallRevocationsFromStore(store::Store& store,
                                                      std::string_view root_scope,
                                                      crypto::TrustStore& trust);

}  // namespace fulei::sync

#endif  // FULEI_SYNC_REVOCATIONS_H_
