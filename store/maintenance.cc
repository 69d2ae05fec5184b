// Store maintenance: the integrity check and hot backup.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <vector>

#include "store/internal/batch.h"
#include "store/internal/keys.h"
#include "store/internal/store_impl.h"
#include "store/internal/value_codec.h"
#include "store/store.h"

namespace fulei::store {

using internal::Cursor;
using internal::Txn;

namespace {

constexpr size_t kMaxProblems = 100;

class Checker {
 public:
  Checker(Store::Impl& s, Txn& txn, IntegrityReport& report) : s_(s), txn_(txn), r_(report) {}

  void Problem(std::string what) {
    if (r_.problems.size() < kMaxProblems) r_.problems.push_back(std::move(what));
  }
  // Records a failed status as a problem; returns false when it did.
  bool Check(const Status& st, std::string_view where) {
    if (st.ok()) return true;
    Problem(std::string(where) + ": " + st.ToString());
    return false;
  }

  Status Run() {
    FULEI_RETURN_IF_ERROR(LoadVv());
    FULEI_RETURN_IF_ERROR(WalkOps());
    FULEI_RETURN_IF_ERROR(WalkState());
    FULEI_RETURN_IF_ERROR(WalkPending());
    FULEI_RETURN_IF_ERROR(WalkOutbox());
    FULEI_RETURN_IF_ERROR(WalkOpaque());
    for (const auto& slot : s_.indexes) FULEI_RETURN_IF_ERROR(CheckIndex(slot));
    return Status::Ok();
  }

 private:
  // LMDB-level failures (not bad bytes) stop the check: they are returned, not listed.
  Status LoadVv() {
    Cursor cur(txn_, s_.dbs.vv);
    FULEI_ASSIGN_OR_RETURN(bool more, cur.First());
    while (more) {
      auto parts = internal::ParseChainKey(cur.key());
      auto plain = internal::Unchecked(internal::kVvDb, cur.key(), cur.value());
      if (Check(parts.status(), "vv key") && Check(plain.status(), "vv value")) {
        internal::KeyReader rd(*plain);
        auto seq = rd.ReadU64();
        if (Check(seq.status(), "vv value")) vv_[std::string(cur.key())] = *seq;
      }
      FULEI_ASSIGN_OR_RETURN(more, cur.Next());
    }
    r_.chains = vv_.size();
    return Status::Ok();
  }

  void FinishChain() {
    if (chain_.empty()) return;
    auto it = vv_.find(chain_);
    uint64_t vv = it == vv_.end() ? 0 : it->second;
    if (vv != chain_last_) {
      Problem("chain " + chain_scope_ + "/" + std::to_string(chain_origin_) + ": ops reach seq " +
              std::to_string(chain_last_) + " but vv says " + std::to_string(vv));
    }
    seen_chains_[chain_] = true;
    chain_.clear();
  }

  // Urgent pending ops are merged into state when first held (store.h): the replay includes
  // them. Loaded before the op log is walked; each scope's are applied as the scope finishes.
  Status LoadUrgentPending() {
    Cursor cur(txn_, s_.dbs.pending);
    FULEI_ASSIGN_OR_RETURN(bool more, cur.First());
    while (more) {
      auto op = internal::DecodeStoredOp(s_, internal::kPendingDb, cur.key(), cur.value());
      if (op.ok() && op->urgent()) urgent_pending_[op->key.scope].push_back(std::move(*op));
      FULEI_ASSIGN_OR_RETURN(more, cur.Next());
    }
    return Status::Ok();
  }

  Status FinishScope() {
    auto urgent = urgent_pending_.find(scope_);
    if (urgent != urgent_pending_.end()) {
      for (const crdt::Op& op : urgent->second) {
        std::string sk = internal::StateKey(op.key);
        replay_[sk].Apply(op);
        replay_keys_[sk] = op.key;
      }
      urgent_pending_.erase(urgent);
    }
    // Compare the replay of this scope's op log with the stored states.
    for (const auto& [sk, replayed] : replay_) {
      FULEI_ASSIGN_OR_RETURN(auto stored, txn_.Get(s_.dbs.state, sk));
      if (!stored) {
        Problem("record without state: " + replay_keys_[sk].ToString());
        continue;
      }
      auto state = internal::DecodeState(s_, sk, *stored);
      if (!Check(state.status(), "state " + replay_keys_[sk].ToString())) continue;
      if (state->Encode() != replayed.Encode()) {
        Problem("state differs from the replay of the op log: " + replay_keys_[sk].ToString());
      }
    }
    replayed_per_scope_[scope_] = replay_.size();
    replay_.clear();
    replay_keys_.clear();
    return Status::Ok();
  }

  Status WalkOps() {
    FULEI_RETURN_IF_ERROR(LoadUrgentPending());
    Cursor cur(txn_, s_.dbs.ops);
    FULEI_ASSIGN_OR_RETURN(bool more, cur.First());
    bool any_scope = false;
    while (more) {
      ++r_.ops;
      auto parts = internal::ParseOpKey(cur.key());
      if (Check(parts.status(), "ops key")) {
        std::string chain = internal::ChainKey(parts->scope, parts->origin);
        if (!any_scope || parts->scope != scope_) {
          FinishChain();
          if (any_scope) FULEI_RETURN_IF_ERROR(FinishScope());
          scope_ = parts->scope;
          any_scope = true;
        }
        if (chain != chain_) {
          FinishChain();
          chain_ = chain;
          chain_scope_ = parts->scope;
          chain_origin_ = parts->origin;
          chain_last_ = 0;
        }
        if (parts->seq != chain_last_ + 1) {
          Problem("chain " + parts->scope + "/" + std::to_string(parts->origin) + ": seq " +
                  std::to_string(parts->seq) + " follows " + std::to_string(chain_last_));
        }
        chain_last_ = parts->seq;
        auto op = internal::DecodeStoredOp(s_, internal::kOpsDb, cur.key(), cur.value());
        if (Check(op.status(), "op " + parts->scope + "/" + std::to_string(parts->origin) + "/" +
                                   std::to_string(parts->seq))) {
          std::string sk = internal::StateKey(op->key);
          replay_[sk].Apply(*op);
          replay_keys_[sk] = op->key;
        }
      }
      FULEI_ASSIGN_OR_RETURN(more, cur.Next());
    }
    FinishChain();
    if (any_scope) FULEI_RETURN_IF_ERROR(FinishScope());
    // Scopes whose only ops are urgent ones held ahead of a gap.
    while (!urgent_pending_.empty()) {
      scope_ = urgent_pending_.begin()->first;
      FULEI_RETURN_IF_ERROR(FinishScope());
    }
    for (const auto& [chain, seq] : vv_) {
      if (seq != 0 && !seen_chains_.count(chain)) {
        auto parts = internal::ParseChainKey(chain);
        Problem("vv names ops that are missing: " + (parts.ok() ? parts->scope : "?") + "/" +
                (parts.ok() ? std::to_string(parts->origin) : "?"));
      }
    }
    return Status::Ok();
  }

  Status WalkState() {
    std::map<std::string, uint64_t> per_scope;
    Cursor cur(txn_, s_.dbs.state);
    FULEI_ASSIGN_OR_RETURN(bool more, cur.First());
    while (more) {
      ++r_.records;
      auto key = internal::ParseStateKey(cur.key());
      if (Check(key.status(), "state key")) {
        ++per_scope[key->scope];
        Check(internal::DecodeState(s_, cur.key(), cur.value()).status(),
              "state " + key->ToString());
      }
      FULEI_ASSIGN_OR_RETURN(more, cur.Next());
    }
    for (const auto& [scope, n] : per_scope) {
      auto it = replayed_per_scope_.find(scope);
      uint64_t replayed = it == replayed_per_scope_.end() ? 0 : it->second;
      if (n != replayed) {
        Problem("scope " + scope + " holds " + std::to_string(n) + " record states but its op " +
                "log makes " + std::to_string(replayed));
      }
    }
    return Status::Ok();
  }

  Status WalkPending() {
    Cursor cur(txn_, s_.dbs.pending);
    FULEI_ASSIGN_OR_RETURN(bool more, cur.First());
    while (more) {
      ++r_.pending;
      auto parts = internal::ParseOpKey(cur.key());
      if (Check(parts.status(), "pending key")) {
        auto it = vv_.find(internal::ChainKey(parts->scope, parts->origin));
        uint64_t vv = it == vv_.end() ? 0 : it->second;
        if (parts->seq <= vv + 1) {
          Problem("pending op " + std::to_string(parts->seq) +
                  " is not beyond vv + 1 = " + std::to_string(vv + 1) + " in " + parts->scope);
        }
        Check(internal::DecodeStoredOp(s_, internal::kPendingDb, cur.key(), cur.value()).status(),
              "pending op");
      }
      FULEI_ASSIGN_OR_RETURN(more, cur.Next());
    }
    return Status::Ok();
  }

  Status WalkOutbox() {
    Cursor cur(txn_, s_.dbs.outbox);
    FULEI_ASSIGN_OR_RETURN(bool more, cur.First());
    while (more) {
      ++r_.outbox;
      auto parts = internal::ParseOutboxKey(cur.key());
      auto ref = internal::Unchecked(internal::kOutboxDb, cur.key(), cur.value());
      if (Check(parts.status(), "outbox key") && Check(ref.status(), "outbox value")) {
        FULEI_ASSIGN_OR_RETURN(auto in_ops, txn_.Get(s_.dbs.ops, *ref));
        FULEI_ASSIGN_OR_RETURN(auto in_pending, txn_.Get(s_.dbs.pending, *ref));
        if (!in_ops && !in_pending) Problem("outbox names an op that is not held");
      }
      FULEI_ASSIGN_OR_RETURN(more, cur.Next());
    }
    return Status::Ok();
  }

  Status WalkOpaque() {
    {
      Cursor cur(txn_, s_.dbs.heads);
      FULEI_ASSIGN_OR_RETURN(bool more, cur.First());
      while (more) {
        Check(internal::ParseOpKey(cur.key()).status(), "heads key");
        Check(internal::Unchecked(internal::kHeadsDb, cur.key(), cur.value()).status(), "head");
        FULEI_ASSIGN_OR_RETURN(more, cur.Next());
      }
    }
    for (auto [dbi, name] : {std::pair{s_.dbs.peers, internal::kPeersDb},
                             std::pair{s_.dbs.audit, internal::kAuditDb}}) {
      Cursor cur(txn_, dbi);
      FULEI_ASSIGN_OR_RETURN(bool more, cur.First());
      while (more) {
        Check(s_.codec.Unwrap(name, cur.key(), cur.value()).status(), std::string(name));
        FULEI_ASSIGN_OR_RETURN(more, cur.Next());
      }
    }
    FULEI_ASSIGN_OR_RETURN(auto identity, txn_.Get(s_.dbs.meta, "identity"));
    if (identity) {
      Check(s_.codec.Unwrap(internal::kMetaDb, "identity", *identity).status(), "identity");
    }
    return Status::Ok();
  }

  // An index must equal what its indexer builds from the current states.
  class MemoryWriter : public IndexWriter {
   public:
    Status Put(std::string_view key, std::string_view value) override {
      entries[std::string(key)] = std::string(value);
      return Status::Ok();
    }
    Status Delete(std::string_view key) override {
      entries.erase(std::string(key));
      return Status::Ok();
    }
    Result<std::optional<std::string>> Get(std::string_view key) override {
      auto it = entries.find(std::string(key));
      if (it == entries.end()) return std::optional<std::string>();
      return std::optional<std::string>(it->second);
    }
    std::map<std::string, std::string> entries;
  };

  Status CheckIndex(const internal::IndexSlot& slot) {
    MemoryWriter rebuilt;
    {
      Cursor cur(txn_, s_.dbs.state);
      FULEI_ASSIGN_OR_RETURN(bool more, cur.First());
      while (more) {
        auto key = internal::ParseStateKey(cur.key());
        auto state = internal::DecodeState(s_, cur.key(), cur.value());
        if (key.ok() && state.ok()) {
          Check(slot.indexer->OnChange(*key, nullptr, *state, rebuilt), slot.db_name);
        }
        FULEI_ASSIGN_OR_RETURN(more, cur.Next());
      }
    }
    std::map<std::string, std::string> stored;
    {
      Cursor cur(txn_, slot.dbi);
      FULEI_ASSIGN_OR_RETURN(bool more, cur.First());
      while (more) {
        ++r_.index_entries;
        auto plain = internal::Unchecked(slot.db_name, cur.key(), cur.value());
        if (Check(plain.status(), slot.db_name)) {
          stored[std::string(cur.key())] = std::string(*plain);
        }
        FULEI_ASSIGN_OR_RETURN(more, cur.Next());
      }
    }
    if (stored != rebuilt.entries) {
      Problem(slot.db_name + " differs from a rebuild from the record states (" +
              std::to_string(stored.size()) + " entries stored, " +
              std::to_string(rebuilt.entries.size()) + " rebuilt)");
    }
    return Status::Ok();
  }

  Store::Impl& s_;
  Txn& txn_;
  IntegrityReport& r_;
  std::map<std::string, uint64_t> vv_;
  std::map<std::string, bool> seen_chains_;
  std::map<std::string, uint64_t> replayed_per_scope_;
  std::string scope_;
  std::string chain_, chain_scope_;
  crdt::NodeId chain_origin_ = 0;
  uint64_t chain_last_ = 0;
  std::map<std::string, crdt::RecordState> replay_;              // one scope at a time
  std::map<std::string, std::vector<crdt::Op>> urgent_pending_;  // scope -> urgent pending ops
  std::map<std::string, crdt::RecordKey> replay_keys_;
};

Status ErrnoStatus(std::string_view what) {
  int e = errno;
  std::string msg = std::string(what) + ": " + std::strerror(e);
  if (e == ENOSPC || e == EDQUOT) return ResourceExhausted(std::move(msg));
  return IoError(std::move(msg));
}

}  // namespace

Result<IntegrityReport> Store::CheckIntegrity() {
  IntegrityReport report;
  Status txn_status = impl_->RunRead([&](Txn& txn) -> Status {
    Checker checker(*impl_, txn, report);
    return checker.Run();
  });
  FULEI_RETURN_IF_ERROR(txn_status);
  return report;
}

Status Store::Backup(const std::string& dir) {
  FULEI_CHECK(impl_->read_depth == 0);
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return ErrnoStatus("mkdir " + dir);
  std::string final_path = dir + "/data.mdb";
  std::string tmp_path = dir + "/data.mdb.tmp";
  struct stat st {};
  if (::stat(final_path.c_str(), &st) == 0) return AlreadyExists(final_path + " exists");
  ::unlink(tmp_path.c_str());  // left over from an interrupted backup
  int fd = ::open(tmp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return ErrnoStatus("open " + tmp_path);
  int rc = mdb_env_copyfd2(impl_->env, fd, MDB_CP_COMPACT);
  if (rc != 0) {
    ::close(fd);
    ::unlink(tmp_path.c_str());
    return internal::LmdbStatus(rc, "mdb_env_copyfd2");
  }
  if (::fsync(fd) != 0) {
    Status s = ErrnoStatus("fsync " + tmp_path);
    ::close(fd);
    ::unlink(tmp_path.c_str());
    return s;
  }
  ::close(fd);
  if (::rename(tmp_path.c_str(), final_path.c_str()) != 0) return ErrnoStatus("rename backup");
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return ErrnoStatus("open " + dir);
  rc = ::fsync(dfd);
  ::close(dfd);
  if (rc != 0) return ErrnoStatus("fsync " + dir);
  return Status::Ok();
}

}  // namespace fulei::store
