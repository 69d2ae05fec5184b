// Backups of a node's store (`fulei backup`, `fulei restore`): one file, sealed under a
// passphrase, holding a compacted copy of the store (Store::Backup), the data-key ring that opens
// its values, and a BLAKE2b-256 checksum of the copy. Format: docs/cli.md#backup-files.
//
// A backup restores into a node newly enrolled for the same unit (`fulei join`, or `fulei init
// --root-key` at the city), never over the node that made it: that node's own ops would be
// numbered again from where the backup stopped, and its peers, which hold the later ones, would
// refuse them as equivocation. The restored node keeps its new identity and holds the old node's
// ops as any other origin's, sending on what never reached its upstream.
//
// Thread-compatible.
#ifndef FULEI_NODE_BACKUP_H_
#define FULEI_NODE_BACKUP_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "crdt/status.h"
#include "crypto/data_key.h"
#include "crypto/random.h"
#include "crypto/secret_file.h"

namespace fulei::node {

// What a backup says of itself (its first frame; JSON).
struct BackupManifest {
  std::string unit;          // the unit of the node that made it
  std::string node;          // its node id, 16 hex digits
  uint64_t created_ms = 0;   // when the copy was taken (wall clock)
  uint64_t store_bytes = 0;  // the size of the store copy
};

// (bytes done, bytes in all); called every frame.
using BackupProgress = std::function<void(uint64_t, uint64_t)>;

// Writes `out` (refusing to replace a file) from the store copy `store_file` and `ring`.
// Returns the size of `out`.
Result<uint64_t> WriteBackup(const std::filesystem::path& out,
                             const std::filesystem::path& store_file, const crypto::KeyRing& ring,
                             const BackupManifest& manifest, std::string_view passphrase,
                             crypto::Random& random, const BackupProgress& progress = {},
                             crypto::Argon2Params params = {});

struct OpenedBackup {
  BackupManifest manifest;
  crypto::KeyRing ring;
};

// Reads only the manifest and the ring (checks the passphrase; reads none of the store).
Result<OpenedBackup> ReadBackupHead(const std::filesystem::path& from, std::string_view passphrase);

// Reads all of `from`, writing its store copy to `store_file` (which must not exist) and
// checking its size and checksum; on any error `store_file` is removed. kUnauthenticated for a
// wrong passphrase; kCorruption for a damaged or truncated file; kInvalidArgument for a file that
// is no backup.
Result<OpenedBackup> ReadBackup(const std::filesystem::path& from, std::string_view passphrase,
                                const std::filesystem::path& store_file,
                                const BackupProgress& progress = {});

}  // namespace fulei::node

#endif  // FULEI_NODE_BACKUP_H_
