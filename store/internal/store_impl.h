// The Store's private state and its LMDB plumbing, shared by store/*.cc. Not a public header.
//
// Txn wraps one MDB_txn and remembers the first LMDB error code it saw, so the write loop can
// tell "grow the map and retry" (MDB_MAP_FULL), "disk full" and "reopen" (MDB_PANIC) from an
// error of the batch itself. Views returned by Txn::Get are valid until the transaction ends.
// Thread-compatible, like Store.
#ifndef FULEI_STORE_INTERNAL_STORE_IMPL_H_
#define FULEI_STORE_INTERNAL_STORE_IMPL_H_

#include <lmdb.h>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crdt/status.h"
#include "store/internal/value_codec.h"
#include "store/store.h"

namespace fulei::store::internal {

// Database names (docs/store.md).
inline constexpr std::string_view kOpsDb = "ops";
inline constexpr std::string_view kVvDb = "vv";
inline constexpr std::string_view kPendingDb = "pending";
inline constexpr std::string_view kStateDb = "state";
inline constexpr std::string_view kHeadsDb = "heads";
inline constexpr std::string_view kMetaDb = "meta";
inline constexpr std::string_view kOutboxDb = "outbox";
inline constexpr std::string_view kPeersDb = "peers";
inline constexpr std::string_view kAuditDb = "audit";
inline constexpr std::string_view kQuarantineDb = "quarantine";

inline constexpr uint32_t kSchemaVersion = 2;

// Maps an LMDB / errno code to a Status naming `what`.
Status LmdbStatus(int rc, std::string_view what);

inline MDB_val Val(std::string_view s) {
  return MDB_val{s.size(), const_cast<char*>(s.data())};  // LMDB never writes through it
}
inline std::string_view View(const MDB_val& v) {
  return std::string_view(static_cast<const char*>(v.mv_data), v.mv_size);
}

class Txn {
 public:
  explicit Txn(MDB_txn* txn) : txn_(txn) {}
  MDB_txn* raw() const { return txn_; }
  int lmdb_error() const { return rc_; }

  Status Put(MDB_dbi dbi, std::string_view key, std::string_view value, unsigned flags = 0);
  Status Del(MDB_dbi dbi, std::string_view key);  // OK when absent
  Result<std::optional<std::string_view>> Get(MDB_dbi dbi, std::string_view key);
  Result<uint64_t> Entries(MDB_dbi dbi);
  // Records an LMDB failure and returns its status.
  Status Fail(int rc, std::string_view what);

 private:
  MDB_txn* txn_;
  int rc_ = 0;
};

// RAII MDB_cursor.
class Cursor {
 public:
  Cursor(Txn& txn, MDB_dbi dbi);
  ~Cursor();
  Cursor(const Cursor&) = delete;
  Cursor& operator=(const Cursor&) = delete;
  Status status() const { return status_; }
  // Positions at the first key >= `key`. Returns false at the end.
  Result<bool> Seek(std::string_view key);
  Result<bool> First();
  Result<bool> Next();
  Result<bool> Last();
  Result<bool> Prev();
  std::string_view key() const { return View(k_); }
  std::string_view value() const { return View(v_); }

 private:
  Result<bool> Move(MDB_cursor_op op);
  Txn& txn_;
  MDB_cursor* cur_ = nullptr;
  MDB_val k_{}, v_{};
  Status status_;
};

struct Dbs {
  MDB_dbi ops = 0, vv = 0, pending = 0, state = 0, heads = 0, meta = 0, outbox = 0, peers = 0,
          audit = 0, quarantine = 0;
};

// A value a read found unreadable (or missing below the version vector), waiting to be
// quarantined by Impl::QuarantineNoted (store/maintenance.cc; docs/store.md).
struct Unreadable {
  std::string db;  // kOpsDb, kPendingDb, kStateDb, kVvDb, kHeadsDb or kOutboxDb
  std::string key;
  std::string why;
  bool urgent = false;  // an op an outbox names
};

struct IndexSlot {
  Indexer* indexer = nullptr;
  std::string db_name;  // "idx:<name>"
  MDB_dbi dbi = 0;
};

// Which ops a write attempt may take: all, or (disk full, reserve released) urgent ones only.
enum class WriteMode { kAll, kUrgentOnly };

}  // namespace fulei::store::internal

namespace fulei::store {

struct Store::Impl {
  Impl(std::string dir_in, StoreOptions options_in)
      : dir(std::move(dir_in)), options(std::move(options_in)), codec(options.sealer) {}
  ~Impl();

  // Environment lifecycle.
  Status OpenEnv();
  void CloseEnv();
  Status Reopen();
  Status GrowMap();
  Status Init();  // meta checks and index builds, at open

  // Runs `body` in a write transaction and commits it, handling map growth, disk full, and
  // MDB_PANIC as the Store contract says. `has_urgent`: whether the work holds urgent ops.
  Status RunWrite(bool has_urgent,
                  const std::function<Status(internal::Txn&, internal::WriteMode)>& body);
  // RunWrite without the quarantine of what the body noted.
  Status RunWriteAttempts(bool has_urgent,
                          const std::function<Status(internal::Txn&, internal::WriteMode)>& body);
  // Runs `fn` in a read transaction (nested calls share one).
  Status RunRead(const std::function<Status(internal::Txn&)>& fn);

  // Unreadable values (docs/store.md, "Faults and quarantine"; store/maintenance.cc).
  // Notes one for QuarantineNoted; a value already quarantined in place is not noted again.
  void Note(std::string_view db, std::string_view key, const Status& why, bool urgent = false);
  // Quarantines the noted values in a write transaction of its own, when no transaction is open
  // (called at the end of RunRead and RunWrite). A failed attempt keeps them for the next one.
  Status QuarantineNoted();

  // Disk-full reserve.
  std::string ReservePath() const { return dir + "/reserve"; }
  void EnsureReserve();
  void ReleaseReserve();
  bool LooksLikeDiskFull(int rc) const;

  std::string dir;
  StoreOptions options;
  internal::ValueCodec codec;
  MDB_env* env = nullptr;
  internal::Dbs dbs;
  std::vector<internal::IndexSlot> indexes;
  size_t map_bytes = 0;
  MDB_txn* read_txn = nullptr;  // cached (reset between reads, renewed on the next)
  int read_depth = 0;
  bool reserve_held = false;
  uint64_t map_growths = 0;
  uint64_t env_reopens = 0;
  // Noted unreadable values by (db, key), at most kMaxNoted (more are found again later).
  std::map<std::pair<std::string, std::string>, internal::Unreadable> noted;
  // Own ops quarantined in place (kKept) this session, with their urgent flag: not noted again.
  std::map<std::pair<std::string, std::string>, bool> kept;
  bool in_write = false;      // a RunWrite body is running
  bool quarantining = false;  // QuarantineNoted is running
  static constexpr size_t kMaxNoted = 10'000;
};

}  // namespace fulei::store

#endif  // FULEI_STORE_INTERNAL_STORE_IMPL_H_
