// Store: environment lifecycle, the write/read transaction loops and fault policies.
// Batches: apply.cc. Reads: read.cc. Integrity check and backup: maintenance.cc.
#include "store/store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "store/internal/batch.h"
#include "store/internal/keys.h"
#include "store/internal/store_impl.h"
#include "store/internal/value_codec.h"

namespace fulei::store {
namespace internal {

Status LmdbStatus(int rc, std::string_view what) {
  std::string msg = std::string(what) + ": " + mdb_strerror(rc);
  switch (rc) {
    case 0:
      return Status::Ok();
    case MDB_MAP_FULL:
    case MDB_TXN_FULL:
    case MDB_READERS_FULL:
    case ENOSPC:
    case EDQUOT:
      return ResourceExhausted(std::move(msg));
    case MDB_CORRUPTED:
    case MDB_PAGE_NOTFOUND:
    case MDB_INVALID:
    case MDB_VERSION_MISMATCH:
      return Corruption(std::move(msg));
    case MDB_BAD_VALSIZE:
      return InvalidArgument(std::move(msg));
    default:
      return IoError(std::move(msg));
  }
}

Status Txn::Fail(int rc, std::string_view what) {
  if (rc_ == 0) rc_ = rc;
  return LmdbStatus(rc, what);
}

Status Txn::Put(MDB_dbi dbi, std::string_view key, std::string_view value, unsigned flags) {
  MDB_val k = Val(key), v = Val(value);
  int rc = mdb_put(txn_, dbi, &k, &v, flags);
  if (rc != 0) return Fail(rc, "mdb_put");
  return Status::Ok();
}

Status Txn::Del(MDB_dbi dbi, std::string_view key) {
  MDB_val k = Val(key);
  int rc = mdb_del(txn_, dbi, &k, nullptr);
  if (rc != 0 && rc != MDB_NOTFOUND) return Fail(rc, "mdb_del");
  return Status::Ok();
}

Result<std::optional<std::string_view>> Txn::Get(MDB_dbi dbi, std::string_view key) {
  MDB_val k = Val(key), v{};
  int rc = mdb_get(txn_, dbi, &k, &v);
  if (rc == MDB_NOTFOUND) return std::optional<std::string_view>();
  if (rc != 0) return Fail(rc, "mdb_get");
  return std::optional<std::string_view>(View(v));
}

Result<uint64_t> Txn::Entries(MDB_dbi dbi) {
  MDB_stat st{};
  int rc = mdb_stat(txn_, dbi, &st);
  if (rc != 0) return Fail(rc, "mdb_stat");
  return uint64_t{st.ms_entries};
}

Cursor::Cursor(Txn& txn, MDB_dbi dbi) : txn_(txn) {
  int rc = mdb_cursor_open(txn.raw(), dbi, &cur_);
  if (rc != 0) {
    cur_ = nullptr;
    status_ = txn_.Fail(rc, "mdb_cursor_open");
  }
}

Cursor::~Cursor() {
  if (cur_ != nullptr) mdb_cursor_close(cur_);
}

Result<bool> Cursor::Move(MDB_cursor_op op) {
  FULEI_RETURN_IF_ERROR(status_);
  int rc = mdb_cursor_get(cur_, &k_, &v_, op);
  if (rc == MDB_NOTFOUND) return false;
  if (rc != 0) return txn_.Fail(rc, "mdb_cursor_get");
  return true;
}

Result<bool> Cursor::Seek(std::string_view key) {
  k_ = Val(key);
  return Move(MDB_SET_RANGE);
}
Result<bool> Cursor::First() { return Move(MDB_FIRST); }
Result<bool> Cursor::Next() { return Move(MDB_NEXT); }
Result<bool> Cursor::Last() { return Move(MDB_LAST); }
Result<bool> Cursor::Prev() { return Move(MDB_PREV); }

namespace {

constexpr std::string_view kFormatKey = "format";
constexpr std::string_view kSealCheckKey = "seal_check";
constexpr std::string_view kNodeIdKey = "node_id";
constexpr std::string_view kSealCheckText = "fulei store seal check v1";
constexpr size_t kGiB = size_t{1} << 30;
constexpr int kMaxWriteAttempts = 64;

Status Errno(std::string_view what) {
  int e = errno;
  std::string msg = std::string(what) + ": " + std::strerror(e);
  if (e == ENOSPC || e == EDQUOT) return ResourceExhausted(std::move(msg));
  return IoError(std::move(msg));
}

Status FsyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno("open " + dir);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Errno("fsync " + dir);
  return Status::Ok();
}

}  // namespace
}  // namespace internal

using internal::Txn;
using internal::WriteMode;

Store::Impl::~Impl() { CloseEnv(); }

Status Store::Impl::OpenEnv() {
  int rc = mdb_env_create(&env);
  if (rc != 0) {
    env = nullptr;
    return internal::LmdbStatus(rc, "mdb_env_create");
  }
  auto fail = [&](int code, std::string_view what) {
    mdb_env_close(env);
    env = nullptr;
    return internal::LmdbStatus(code, what);
  };
  if ((rc = mdb_env_set_maxdbs(env, 64)) != 0) return fail(rc, "mdb_env_set_maxdbs");
  if ((rc = mdb_env_set_mapsize(env, map_bytes)) != 0) return fail(rc, "mdb_env_set_mapsize");
  // MDB_NOTLS: read transactions are not tied to a thread (the store is thread-compatible).
  // No MDB_NOSYNC / MDB_NOMETASYNC / MDB_MAPASYNC / MDB_WRITEMAP: every commit is durable.
  // (MDB_NOSYNC only for the power-cut test's proof that it notices; store.h.)
  const unsigned flags = MDB_NOTLS | (options.test_only_no_sync ? MDB_NOSYNC : 0u);
  if ((rc = mdb_env_open(env, dir.c_str(), flags, 0600)) != 0) {
    return fail(rc, "mdb_env_open " + dir);
  }
  int dead = 0;
  if ((rc = mdb_reader_check(env, &dead)) != 0) return fail(rc, "mdb_reader_check");
  MDB_envinfo info{};
  if ((rc = mdb_env_info(env, &info)) != 0) return fail(rc, "mdb_env_info");
  map_bytes = info.me_mapsize;  // LMDB raises it to the file size of an existing store

  MDB_txn* raw = nullptr;
  if ((rc = mdb_txn_begin(env, nullptr, 0, &raw)) != 0) return fail(rc, "mdb_txn_begin");
  struct Named {
    std::string_view name;
    MDB_dbi* dbi;
  } named[] = {{internal::kOpsDb, &dbs.ops},         {internal::kVvDb, &dbs.vv},
               {internal::kPendingDb, &dbs.pending}, {internal::kStateDb, &dbs.state},
               {internal::kHeadsDb, &dbs.heads},     {internal::kMetaDb, &dbs.meta},
               {internal::kOutboxDb, &dbs.outbox},   {internal::kPeersDb, &dbs.peers},
               {internal::kAuditDb, &dbs.audit},     {internal::kQuarantineDb, &dbs.quarantine}};
  for (auto& n : named) {
    std::string name(n.name);
    if ((rc = mdb_dbi_open(raw, name.c_str(), MDB_CREATE, n.dbi)) != 0) {
      mdb_txn_abort(raw);
      return fail(rc, "mdb_dbi_open " + name);
    }
  }
  for (auto& slot : indexes) {
    if ((rc = mdb_dbi_open(raw, slot.db_name.c_str(), MDB_CREATE, &slot.dbi)) != 0) {
      mdb_txn_abort(raw);
      return fail(rc, "mdb_dbi_open " + slot.db_name);
    }
  }
  if ((rc = mdb_txn_commit(raw)) != 0) return fail(rc, "commit (open databases)");
  return Status::Ok();
}

void Store::Impl::CloseEnv() {
  if (read_txn != nullptr) {
    mdb_txn_abort(read_txn);
    read_txn = nullptr;
  }
  if (env != nullptr) {
    mdb_env_close(env);
    env = nullptr;
  }
}

Status Store::Impl::Reopen() {
  FULEI_CHECK(read_depth == 0);
  CloseEnv();
  ++env_reopens;
  return OpenEnv();
}

Status Store::Impl::GrowMap() {
  FULEI_CHECK(read_depth == 0);
  if (read_txn != nullptr) {  // mdb_env_set_mapsize needs no transaction in this process
    mdb_txn_abort(read_txn);
    read_txn = nullptr;
  }
  if (map_bytes >= options.max_map_bytes) {
    return ResourceExhausted("store map is full at max_map_bytes = " +
                             std::to_string(options.max_map_bytes));
  }
  size_t grown = map_bytes < internal::kGiB ? map_bytes * 2 : map_bytes + internal::kGiB;
  if (grown > options.max_map_bytes) grown = options.max_map_bytes;
  int rc = mdb_env_set_mapsize(env, grown);
  if (rc != 0) return internal::LmdbStatus(rc, "mdb_env_set_mapsize");
  map_bytes = grown;
  ++map_growths;
  return Status::Ok();
}

bool Store::Impl::LooksLikeDiskFull(int rc) const {
  if (rc == ENOSPC || rc == EDQUOT) return true;
  if (rc != EIO) return false;
  // LMDB reports a short write as EIO: decide by the space left on the file system.
  struct statvfs vfs {};
  if (::statvfs(dir.c_str(), &vfs) != 0) return false;
  uint64_t free_bytes = uint64_t{vfs.f_bavail} * vfs.f_frsize;
  return free_bytes < (uint64_t{1} << 20);
}

void Store::Impl::EnsureReserve() {
  if (options.reserve_bytes == 0) {
    reserve_held = true;  // no reserve configured: nothing to fall back on, never refuse early
    return;
  }
  std::string path = ReservePath();
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 &&
      static_cast<uint64_t>(st.st_blocks) * 512 >= options.reserve_bytes) {
    reserve_held = true;
    return;
  }
  // Recreate only when it leaves as much again free, so ordinary writes have room to resume.
  struct statvfs vfs {};
  if (::statvfs(dir.c_str(), &vfs) == 0 &&
      uint64_t{vfs.f_bavail} * vfs.f_frsize < 2 * options.reserve_bytes) {
    reserve_held = false;
    return;
  }
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    reserve_held = false;
    return;
  }
  int rc = ::posix_fallocate(fd, 0, static_cast<off_t>(options.reserve_bytes));
  if (rc == 0) rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) {
    ::unlink(path.c_str());
    reserve_held = false;
    return;
  }
  internal::FsyncDir(dir)
      .IgnoreError();  // the reserve is advisory; a lost one is recreated at open
  reserve_held = true;
}

void Store::Impl::ReleaseReserve() {
  ::unlink(ReservePath().c_str());
  internal::FsyncDir(dir).IgnoreError();
  reserve_held = false;
}

Status Store::Impl::RunWrite(bool has_urgent, const std::function<Status(Txn&, WriteMode)>& body) {
  Status status = RunWriteAttempts(has_urgent, body);
  // What the body found unreadable, in a transaction of its own (kept for later if it fails).
  QuarantineNoted().IgnoreError();
  return status;
}

Status Store::Impl::RunWriteAttempts(bool has_urgent,
                                     const std::function<Status(Txn&, WriteMode)>& body) {
  FULEI_CHECK(read_depth == 0);  // a write from inside a read callback is a caller bug
  if (env == nullptr) FULEI_RETURN_IF_ERROR(OpenEnv());
  if (read_txn != nullptr) {  // keep the process free of transactions for map growth
    mdb_txn_abort(read_txn);
    read_txn = nullptr;
  }
  if (!reserve_held) EnsureReserve();
  WriteMode mode = reserve_held ? WriteMode::kAll : WriteMode::kUrgentOnly;
  if (mode == WriteMode::kUrgentOnly && !has_urgent) {
    return ResourceExhausted(
        "disk full: the store's reserve is in use, only urgent ops are accepted until space is "
        "freed in " +
        dir);
  }
  bool reopened = false;
  for (int attempt = 0; attempt < internal::kMaxWriteAttempts; ++attempt) {
    if (env == nullptr) FULEI_RETURN_IF_ERROR(OpenEnv());
    MDB_txn* raw = nullptr;
    int rc = mdb_txn_begin(env, nullptr, 0, &raw);
    if (rc == MDB_MAP_RESIZED) {  // another process (a tool) grew the map
      if ((rc = mdb_env_set_mapsize(env, 0)) != 0) {
        return internal::LmdbStatus(rc, "mdb_env_set_mapsize");
      }
      continue;
    }
    if (rc == MDB_PANIC) {
      if (reopened) return internal::LmdbStatus(rc, "mdb_txn_begin after reopen");
      reopened = true;
      FULEI_RETURN_IF_ERROR(Reopen());
      continue;
    }
    if (rc != 0) return internal::LmdbStatus(rc, "mdb_txn_begin");

    Txn txn(raw);
    in_write = true;
    Status status = body(txn, mode);
    in_write = false;
    int err = txn.lmdb_error();
    if (status.ok()) {
      rc = mdb_txn_commit(raw);
      if (rc == 0) return Status::Ok();
      err = rc;
      status = internal::LmdbStatus(rc, "mdb_txn_commit");
    } else {
      mdb_txn_abort(raw);
    }
    if (err == MDB_MAP_FULL) {
      FULEI_RETURN_IF_ERROR(GrowMap());
      continue;
    }
    if (err == MDB_PANIC) {
      if (reopened) return status;
      reopened = true;
      FULEI_RETURN_IF_ERROR(Reopen());
      continue;
    }
    if (err != 0 && LooksLikeDiskFull(err)) {
      if (mode == WriteMode::kAll && has_urgent && options.reserve_bytes > 0 && reserve_held) {
        ReleaseReserve();
        mode = WriteMode::kUrgentOnly;
        continue;
      }
      return ResourceExhausted("disk full writing the store in " + dir + " (" + status.ToString() +
                               ")");
    }
    return status;
  }
  return Aborted("store write retried too often");
}

Status Store::Impl::RunRead(const std::function<Status(Txn&)>& fn) {
  if (read_depth == 0) {
    if (env == nullptr) FULEI_RETURN_IF_ERROR(OpenEnv());
    for (int attempt = 0;; ++attempt) {
      int rc = read_txn != nullptr ? mdb_txn_renew(read_txn)
                                   : mdb_txn_begin(env, nullptr, MDB_RDONLY, &read_txn);
      if (rc == 0) break;
      if (read_txn != nullptr) {
        mdb_txn_abort(read_txn);
        read_txn = nullptr;
      }
      if (attempt > 0) return internal::LmdbStatus(rc, "begin read transaction");
      if (rc == MDB_MAP_RESIZED) {
        if ((rc = mdb_env_set_mapsize(env, 0)) != 0) {
          return internal::LmdbStatus(rc, "mdb_env_set_mapsize");
        }
      } else if (rc == MDB_PANIC) {
        FULEI_RETURN_IF_ERROR(Reopen());
      } else {
        return internal::LmdbStatus(rc, "begin read transaction");
      }
    }
  }
  ++read_depth;
  Txn txn(read_txn);
  Status status = fn(txn);
  if (--read_depth == 0) {
    mdb_txn_reset(read_txn);
    // What the read found unreadable, in a write transaction of its own (kept for later if it
    // fails: the read itself succeeded).
    QuarantineNoted().IgnoreError();
  }
  return status;
}

Status Store::Impl::Init() {
  // Counts as urgent: opening must work on a full disk (it writes only on a new store).
  return RunWrite(true, [&](Txn& txn, WriteMode) -> Status {
    using internal::Checked;
    using internal::kMetaDb;
    FULEI_ASSIGN_OR_RETURN(auto format, txn.Get(dbs.meta, internal::kFormatKey));
    if (!format) {
      std::string f;
      internal::AppendU32(&f, internal::kSchemaVersion);
      f.push_back(codec.sealed() ? '\x01' : '\x00');
      FULEI_RETURN_IF_ERROR(
          txn.Put(dbs.meta, internal::kFormatKey, Checked(kMetaDb, internal::kFormatKey, f)));
      if (codec.sealed()) {
        FULEI_RETURN_IF_ERROR(
            txn.Put(dbs.meta, internal::kSealCheckKey,
                    codec.Wrap(kMetaDb, internal::kSealCheckKey, internal::kSealCheckText)));
      }
    } else {
      FULEI_ASSIGN_OR_RETURN(std::string_view f,
                             internal::Unchecked(kMetaDb, internal::kFormatKey, *format));
      internal::KeyReader r(f);
      FULEI_ASSIGN_OR_RETURN(uint32_t version, r.ReadU32());
      const bool migrate = version == 1 && f.size() == 5;  // states to the compact form
      if ((version != internal::kSchemaVersion && !migrate) || f.size() != 5) {
        return FailedPrecondition("store schema version " + std::to_string(version) +
                                  " is not the supported " +
                                  std::to_string(internal::kSchemaVersion));
      }
      bool was_sealed = f[4] == '\x01';
      if (was_sealed != codec.sealed()) {
        return FailedPrecondition(was_sealed ? "store is sealed: open it with the node's sealer"
                                             : "store was created without sealing");
      }
      if (was_sealed) {
        FULEI_ASSIGN_OR_RETURN(auto check, txn.Get(dbs.meta, internal::kSealCheckKey));
        if (!check) return Corruption("sealed store lacks its seal check");
        auto opened = codec.Unwrap(kMetaDb, internal::kSealCheckKey, *check);
        if (!opened.ok() || *opened != internal::kSealCheckText) {
          return Unauthenticated("the sealer does not open this store (another data key?)");
        }
      }
      if (migrate) {
        FULEI_RETURN_IF_ERROR(internal::MigrateStatesFromV1(*this, txn));
        std::string updated;
        internal::AppendU32(&updated, internal::kSchemaVersion);
        updated.push_back(f[4]);
        FULEI_RETURN_IF_ERROR(txn.Put(dbs.meta, internal::kFormatKey,
                                      Checked(kMetaDb, internal::kFormatKey, updated)));
      }
    }
    FULEI_ASSIGN_OR_RETURN(auto node, txn.Get(dbs.meta, internal::kNodeIdKey));
    if (node) {
      FULEI_ASSIGN_OR_RETURN(std::string_view n,
                             internal::Unchecked(kMetaDb, internal::kNodeIdKey, *node));
      internal::KeyReader r(n);
      FULEI_ASSIGN_OR_RETURN(uint64_t stored, r.ReadU64());
      if (options.node_id != 0 && stored != options.node_id) {
        return FailedPrecondition("store belongs to node " + std::to_string(stored) + ", not " +
                                  std::to_string(options.node_id));
      }
    } else if (options.node_id != 0) {
      std::string n;
      internal::AppendU64(&n, options.node_id);
      FULEI_RETURN_IF_ERROR(
          txn.Put(dbs.meta, internal::kNodeIdKey, Checked(kMetaDb, internal::kNodeIdKey, n)));
    }
    for (auto& slot : indexes) FULEI_RETURN_IF_ERROR(internal::BuildIndexIfNew(*this, txn, slot));
    return Status::Ok();
  });
}

Result<std::unique_ptr<Store>> Store::Open(const std::string& dir, StoreOptions options) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return internal::Errno("mkdir " + dir);
  }
  auto impl = std::make_unique<Impl>(dir, std::move(options));
  impl->map_bytes = impl->options.initial_map_bytes;
  for (Indexer* indexer : impl->options.indexers) {
    FULEI_CHECK(indexer != nullptr);
    for (const auto& slot : impl->indexes) {
      if (slot.indexer->name() == indexer->name()) {
        return InvalidArgument("two indexers named " + std::string(indexer->name()));
      }
    }
    impl->indexes.push_back({indexer, "idx:" + std::string(indexer->name()), 0});
  }
  FULEI_RETURN_IF_ERROR(impl->OpenEnv());
  impl->EnsureReserve();
  FULEI_RETURN_IF_ERROR(impl->Init());
  return std::unique_ptr<Store>(new Store(std::move(impl)));
}

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;

const std::string& Store::dir() const { return impl_->dir; }

Status Store::Adopt(crdt::NodeId node) {
  if (node == 0) return InvalidArgument("adopt: node id 0");
  if (impl_->options.node_id != 0) {
    return FailedPrecondition("adopt: open the store with node_id 0 (as a tool) to adopt it");
  }
  // The new node must never have written into this store: its next op would reuse a sequence
  // number that its peers already hold with other content (equivocation).
  FULEI_ASSIGN_OR_RETURN(std::vector<std::string> scopes, Scopes());
  for (const std::string& scope : scopes) {
    FULEI_ASSIGN_OR_RETURN(VersionVector vv, GetVersionVector(scope));
    if (vv.count(node)) {
      return FailedPrecondition("adopt: the store already holds ops of node " +
                                std::to_string(node) + " in scope " + scope);
    }
  }
  return impl_->RunWrite(false, [&](internal::Txn& txn, internal::WriteMode) -> Status {
    std::string n;
    internal::AppendU64(&n, node);
    return txn.Put(impl_->dbs.meta, internal::kNodeIdKey,
                   internal::Checked(internal::kMetaDb, internal::kNodeIdKey, n));
  });
}

Result<crdt::Stamp> Store::ResetHlcHighWater(crdt::Stamp to) {
  constexpr std::string_view kHlcKey = "hlc";  // as WriteHlc (apply.cc) and HlcHighWater
  crdt::Stamp old;
  Status undecodable;
  FULEI_RETURN_IF_ERROR(
      impl_->RunWrite(false, [&](internal::Txn& txn, internal::WriteMode) -> Status {
        FULEI_ASSIGN_OR_RETURN(auto stored, txn.Get(impl_->dbs.meta, kHlcKey));
        if (stored) {
          auto plain = internal::Unchecked(internal::kMetaDb, kHlcKey, *stored);
          Status read = plain.status();
          if (read.ok()) {
            internal::KeyReader r(*plain);
            auto ms = r.ReadU64();
            auto logical = r.ReadU32();
            read = !ms.ok() ? ms.status() : !logical.ok() ? logical.status() : r.ExpectDone();
            if (read.ok()) old = crdt::Stamp{*ms, *logical};
          }
          undecodable = read;
        }
        std::string v;
        internal::AppendU64(&v, to.ms);
        internal::AppendU32(&v, to.logical);
        return txn.Put(impl_->dbs.meta, kHlcKey, internal::Checked(internal::kMetaDb, kHlcKey, v));
      }));
  if (!undecodable.ok()) {
    return Corruption("the HLC high-water mark held did not decode (" + undecodable.ToString() +
                      "); it is replaced");
  }
  return old;
}

}  // namespace fulei::store
