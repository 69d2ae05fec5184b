// Store read calls. Each runs in one read transaction (Impl::RunRead).
#include <sys/stat.h>

#include "crdt/codec.h"
#include "store/internal/batch.h"
#include "store/internal/keys.h"
#include "store/internal/quarantine.h"
#include "store/internal/store_impl.h"
#include "store/internal/value_codec.h"
#include "store/store.h"

namespace fulei::store {

using internal::Cursor;
using internal::Txn;

namespace {

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

Result<uint64_t> ReadSeqValue(std::string_view db, std::string_view key, std::string_view stored) {
  FULEI_ASSIGN_OR_RETURN(std::string_view plain, internal::Unchecked(db, key, stored));
  internal::KeyReader r(plain);
  FULEI_ASSIGN_OR_RETURN(uint64_t seq, r.ReadU64());
  FULEI_RETURN_IF_ERROR(r.ExpectDone());
  return seq;
}

// The state stored under `state_key`, or, when it does not read, its replay from the op log
// (noted: the quarantine rewrites it). nullopt when no op held makes the record.
Result<std::optional<crdt::RecordState>> ReadState(Store::Impl& s, Txn& txn,
                                                   std::string_view state_key,
                                                   std::string_view stored,
                                                   const crdt::RecordKey& key) {
  Result<crdt::RecordState> state = internal::DecodeState(s, state_key, stored);
  if (state.ok()) return std::optional<crdt::RecordState>(std::move(*state));
  if (state.status().code() != StatusCode::kCorruption) return state.status();
  s.Note(internal::kStateDb, state_key, state.status());
  return internal::ReplayRecord(s, txn, key);
}

// The op stored in `db` under `key`, as canonical bytes; nullopt (noted) when it does not read.
Result<std::optional<std::string>> ReadOp(Store::Impl& s, std::string_view db, std::string_view key,
                                          std::string_view stored, bool urgent = false) {
  std::string bytes;
  Result<crdt::Op> op = internal::DecodeStoredOp(s, db, key, stored, &bytes);
  if (!op.ok()) {
    if (op.status().code() != StatusCode::kCorruption) return op.status();
    s.Note(db, key, op.status(), urgent);
    return std::optional<std::string>();
  }
  return std::optional<std::string>(std::move(bytes));
}

}  // namespace

Result<std::optional<crdt::RecordState>> Store::Get(const crdt::RecordKey& key) {
  std::optional<crdt::RecordState> out;
  std::string sk = internal::StateKey(key);
  Status txn_status = impl_->RunRead([&](Txn& txn) -> Status {
    FULEI_ASSIGN_OR_RETURN(auto stored, txn.Get(impl_->dbs.state, sk));
    if (!stored) return Status::Ok();
    FULEI_ASSIGN_OR_RETURN(out, ReadState(*impl_, txn, sk, *stored, key));
    return Status::Ok();
  });
  FULEI_RETURN_IF_ERROR(txn_status);
  return out;
}

Status Store::ForEach(
    std::string_view type, std::string_view scope_prefix,
    const std::function<bool(const crdt::RecordKey&, const crdt::RecordState&)>& fn) {
  // Ranges: the scope itself (prefix + terminator), then its subtree (prefix + "/").
  std::string base;
  internal::AppendString(&base, type);
  std::vector<std::string> ranges;
  if (scope_prefix.empty()) {
    ranges.push_back(base);
  } else {
    std::string exact = base, below = base;
    internal::AppendString(&exact, scope_prefix);
    internal::AppendStringBody(&below, scope_prefix);
    below.push_back('/');
    ranges.push_back(std::move(exact));
    ranges.push_back(std::move(below));
  }
  return impl_->RunRead([&](Txn& txn) -> Status {
    for (const auto& prefix : ranges) {
      Cursor cur(txn, impl_->dbs.state);
      FULEI_ASSIGN_OR_RETURN(bool more, cur.Seek(prefix));
      while (more && StartsWith(cur.key(), prefix)) {
        FULEI_ASSIGN_OR_RETURN(crdt::RecordKey key, internal::ParseStateKey(cur.key()));
        FULEI_ASSIGN_OR_RETURN(std::optional<crdt::RecordState> state,
                               ReadState(*impl_, txn, cur.key(), cur.value(), key));
        if (state && !fn(key, *state)) return Status::Ok();
        FULEI_ASSIGN_OR_RETURN(more, cur.Next());
      }
    }
    return Status::Ok();
  });
}

Result<VersionVector> Store::GetVersionVector(std::string_view scope) {
  VersionVector vv;
  std::string prefix;
  internal::AppendString(&prefix, scope);
  Status txn_status = impl_->RunRead([&](Txn& txn) -> Status {
    Cursor cur(txn, impl_->dbs.vv);
    FULEI_ASSIGN_OR_RETURN(bool more, cur.Seek(prefix));
    while (more && StartsWith(cur.key(), prefix)) {
      FULEI_ASSIGN_OR_RETURN(auto parts, internal::ParseChainKey(cur.key()));
      Result<uint64_t> seq = ReadSeqValue(internal::kVvDb, cur.key(), cur.value());
      if (!seq.ok()) {  // recounted from the op log (and rewritten by the quarantine)
        impl_->Note(internal::kVvDb, cur.key(), seq.status());
        seq = internal::RecountChain(*impl_, txn, parts.scope, parts.origin);
        FULEI_RETURN_IF_ERROR(seq.status());
      }
      if (*seq != 0) vv[parts.origin] = *seq;
      FULEI_ASSIGN_OR_RETURN(more, cur.Next());
    }
    return Status::Ok();
  });
  FULEI_RETURN_IF_ERROR(txn_status);
  return vv;
}

Result<std::vector<std::string>> Store::Scopes() {
  std::vector<std::string> scopes;
  Status txn_status = impl_->RunRead([&](Txn& txn) -> Status {
    Cursor cur(txn, impl_->dbs.vv);
    FULEI_ASSIGN_OR_RETURN(bool more, cur.First());
    while (more) {
      FULEI_ASSIGN_OR_RETURN(auto parts, internal::ParseChainKey(cur.key()));
      std::string next;  // the first key after every (scope, *) key
      internal::AppendStringBody(&next, parts.scope);
      next.push_back('\0');
      next.push_back('\x02');
      scopes.push_back(std::move(parts.scope));
      FULEI_ASSIGN_OR_RETURN(more, cur.Seek(next));
    }
    return Status::Ok();
  });
  FULEI_RETURN_IF_ERROR(txn_status);
  return scopes;
}

Result<OpsChunk> Store::OpsSince(std::string_view scope, const VersionVector& theirs,
                                 size_t max_ops, size_t max_bytes) {
  OpsChunk chunk;
  size_t bytes = 0;
  // The vector and the ops in one read transaction: what the vector counts is there.
  Status txn_status = impl_->RunRead([&](Txn& txn) -> Status {
    FULEI_ASSIGN_OR_RETURN(VersionVector ours, GetVersionVector(scope));
    for (const auto& [origin, have] : ours) {
      auto it = theirs.find(origin);
      uint64_t from = (it == theirs.end() ? 0 : it->second) + 1;
      if (from > have) continue;
      std::string chain = internal::ChainKey(scope, origin);
      Cursor cur(txn, impl_->dbs.ops);
      FULEI_ASSIGN_OR_RETURN(bool more, cur.Seek(internal::OpKey(scope, origin, from)));
      uint64_t expect = from;
      while (expect <= have) {
        if (chunk.ops.size() >= max_ops || (bytes >= max_bytes && !chunk.ops.empty())) {
          chunk.more = true;
          return Status::Ok();
        }
        // An op missing or unreadable below the vector ends this origin's run here (noted:
        // docs/store.md, "Faults and quarantine"); the other origins go on.
        const std::string key = internal::OpKey(scope, origin, expect);
        if (!more || cur.key() != key) {
          impl_->Note(internal::kOpsDb, key, Corruption("op log misses an op below the vector"));
          break;
        }
        Result<std::string> plain = impl_->codec.Unwrap(internal::kOpsDb, cur.key(), cur.value());
        if (!plain.ok()) {
          impl_->Note(internal::kOpsDb, key, plain.status());
          break;
        }
        bytes += plain->size();
        chunk.ops.push_back(OpBytes{origin, expect, std::move(*plain)});
        ++expect;
        FULEI_ASSIGN_OR_RETURN(more, cur.Next());
      }
    }
    return Status::Ok();
  });
  FULEI_RETURN_IF_ERROR(txn_status);
  return chunk;
}

Result<std::optional<std::string>> Store::GetOp(std::string_view scope, crdt::NodeId origin,
                                                uint64_t seq) {
  std::optional<std::string> out;
  std::string k = internal::OpKey(scope, origin, seq);
  Status txn_status = impl_->RunRead([&](Txn& txn) -> Status {
    FULEI_ASSIGN_OR_RETURN(auto stored, txn.Get(impl_->dbs.ops, k));
    std::string_view db = internal::kOpsDb;
    if (!stored) {
      FULEI_ASSIGN_OR_RETURN(stored, txn.Get(impl_->dbs.pending, k));
      db = internal::kPendingDb;
    }
    if (!stored) return Status::Ok();
    FULEI_ASSIGN_OR_RETURN(out, ReadOp(*impl_, db, k, *stored));
    return Status::Ok();
  });
  FULEI_RETURN_IF_ERROR(txn_status);
  return out;
}

Result<std::vector<std::string>> Store::GetOps(std::string_view scope, crdt::NodeId origin,
                                               uint64_t first, uint64_t last) {
  std::vector<std::string> out;
  Status txn_status = impl_->RunRead([&](Txn& txn) -> Status {
    out.clear();
    for (uint64_t seq = first; seq <= last && seq != 0; ++seq) {
      std::string k = internal::OpKey(scope, origin, seq);
      FULEI_ASSIGN_OR_RETURN(auto stored, txn.Get(impl_->dbs.ops, k));
      std::string_view db = internal::kOpsDb;
      if (!stored) {
        FULEI_ASSIGN_OR_RETURN(stored, txn.Get(impl_->dbs.pending, k));
        db = internal::kPendingDb;
      }
      if (!stored) break;
      FULEI_ASSIGN_OR_RETURN(std::optional<std::string> bytes, ReadOp(*impl_, db, k, *stored));
      if (!bytes) break;  // unreadable (noted): the ops from here on are not held for the caller
      out.push_back(std::move(*bytes));
    }
    return Status::Ok();
  });
  FULEI_RETURN_IF_ERROR(txn_status);
  return out;
}

Result<uint64_t> Store::PendingCount() {
  uint64_t n = 0;
  Status txn_status = impl_->RunRead([&](Txn& txn) -> Status {
    FULEI_ASSIGN_OR_RETURN(n, txn.Entries(impl_->dbs.pending));
    return Status::Ok();
  });
  FULEI_RETURN_IF_ERROR(txn_status);
  return n;
}

Result<std::vector<OutboxEntry>> Store::Outbox(std::string_view peer, size_t limit) {
  std::vector<OutboxEntry> out;
  std::string prefix;
  internal::AppendString(&prefix, peer);
  Status txn_status = impl_->RunRead([&](Txn& txn) -> Status {
    Cursor cur(txn, impl_->dbs.outbox);
    FULEI_ASSIGN_OR_RETURN(bool more, cur.Seek(prefix));
    // An entry that cannot be sent is left out and stays queued; the others go (docs/store.md,
    // "Faults and quarantine"): one unreadable op must not hold back every urgent report.
    auto take = [&]() -> Status {
      FULEI_ASSIGN_OR_RETURN(auto parts, internal::ParseOutboxKey(cur.key()));
      Result<std::string_view> ref =
          internal::Unchecked(internal::kOutboxDb, cur.key(), cur.value());
      if (!ref.ok()) {
        impl_->Note(internal::kOutboxDb, cur.key(), ref.status());
        return Status::Ok();
      }
      std::string_view db = internal::kOpsDb;
      FULEI_ASSIGN_OR_RETURN(auto stored, txn.Get(impl_->dbs.ops, *ref));
      if (!stored) {
        db = internal::kPendingDb;
        FULEI_ASSIGN_OR_RETURN(stored, txn.Get(impl_->dbs.pending, *ref));
      }
      if (!stored) return Status::Ok();  // dropped to be fetched again: queued until it is back
      std::string bytes;
      Result<crdt::Op> op = internal::DecodeStoredOp(*impl_, db, *ref, *stored, &bytes);
      if (!op.ok()) {
        impl_->Note(db, *ref, op.status(), /*urgent=*/true);
        return Status::Ok();
      }
      if (op->id() != parts.id) {
        impl_->Note(internal::kOutboxDb, cur.key(), Corruption("outbox entry names another op"));
        return Status::Ok();
      }
      out.push_back(OutboxEntry{parts.id, std::move(bytes)});
      return Status::Ok();
    };
    while (more && StartsWith(cur.key(), prefix) && out.size() < limit) {
      FULEI_RETURN_IF_ERROR(take());
      FULEI_ASSIGN_OR_RETURN(more, cur.Next());
    }
    return Status::Ok();
  });
  FULEI_RETURN_IF_ERROR(txn_status);
  return out;
}

namespace {

// Reads the head at the cursor if it belongs to (scope, origin). One that does not read is noted
// and `*unreadable` set: the caller moves on to the next one.
Result<std::optional<ChainHead>> HeadAt(Store::Impl& s, internal::Cursor& cur,
                                        std::string_view chain, std::string_view scope,
                                        crdt::NodeId origin, bool* unreadable) {
  *unreadable = false;
  if (cur.key().substr(0, chain.size()) != chain) return std::optional<ChainHead>();
  Result<std::string_view> plain = internal::Unchecked(internal::kHeadsDb, cur.key(), cur.value());
  if (!plain.ok() || plain->size() < 8) {
    s.Note(internal::kHeadsDb, cur.key(),
           plain.ok() ? Corruption("heads value too short") : plain.status());
    *unreadable = true;
    return std::optional<ChainHead>();
  }
  internal::KeyReader r(*plain);
  ChainHead h;
  h.scope = std::string(scope);
  h.origin = origin;
  FULEI_ASSIGN_OR_RETURN(h.seq, r.ReadU64());
  h.head = std::string(plain->substr(8));
  return std::optional<ChainHead>(std::move(h));
}

}  // namespace

Result<std::optional<ChainHead>> Store::HeadAtOrAbove(std::string_view scope, crdt::NodeId origin,
                                                      uint64_t seq) {
  std::optional<ChainHead> out;
  const std::string chain = internal::ChainKey(scope, origin);
  Status txn_status = impl_->RunRead([&](Txn& txn) -> Status {
    internal::Cursor cur(txn, impl_->dbs.heads);
    FULEI_ASSIGN_OR_RETURN(bool found, cur.Seek(internal::OpKey(scope, origin, seq)));
    for (bool unreadable = true; found && unreadable;) {
      FULEI_ASSIGN_OR_RETURN(out, HeadAt(*impl_, cur, chain, scope, origin, &unreadable));
      if (unreadable) {
        FULEI_ASSIGN_OR_RETURN(found, cur.Next());
      }
    }
    return Status::Ok();
  });
  FULEI_RETURN_IF_ERROR(txn_status);
  return out;
}

Result<std::optional<ChainHead>> Store::HeadAtOrBelow(std::string_view scope, crdt::NodeId origin,
                                                      uint64_t seq) {
  std::optional<ChainHead> out;
  const std::string chain = internal::ChainKey(scope, origin);
  Status txn_status = impl_->RunRead([&](Txn& txn) -> Status {
    internal::Cursor cur(txn, impl_->dbs.heads);
    // The first key at or above (scope, origin, seq); unless it is that very key, one step
    // back (or the last key of the database when none is above).
    const std::string key = internal::OpKey(scope, origin, seq);
    FULEI_ASSIGN_OR_RETURN(bool found, cur.Seek(key));
    if (found && cur.key() != key) {
      FULEI_ASSIGN_OR_RETURN(found, cur.Prev());
    } else if (!found) {
      FULEI_ASSIGN_OR_RETURN(found, cur.Last());
    }
    for (bool unreadable = true; found && unreadable;) {
      FULEI_ASSIGN_OR_RETURN(out, HeadAt(*impl_, cur, chain, scope, origin, &unreadable));
      if (unreadable) {
        FULEI_ASSIGN_OR_RETURN(found, cur.Prev());
      }
    }
    return Status::Ok();
  });
  FULEI_RETURN_IF_ERROR(txn_status);
  return out;
}

Result<std::optional<ChainHead>> Store::GetHead(std::string_view scope, crdt::NodeId origin) {
  return HeadAtOrBelow(scope, origin, UINT64_MAX);
}

namespace {

Result<std::optional<std::string>> GetSealed(Store::Impl& impl, MDB_dbi dbi, std::string_view db,
                                             const std::string& key) {
  std::optional<std::string> out;
  Status txn_status = impl.RunRead([&](Txn& txn) -> Status {
    FULEI_ASSIGN_OR_RETURN(auto stored, txn.Get(dbi, key));
    if (!stored) return Status::Ok();
    FULEI_ASSIGN_OR_RETURN(out, impl.codec.Unwrap(db, key, *stored));
    return Status::Ok();
  });
  FULEI_RETURN_IF_ERROR(txn_status);
  return out;
}

}  // namespace

Result<std::optional<std::string>> Store::Identity() {
  return GetSealed(*impl_, impl_->dbs.meta, internal::kMetaDb, "identity");
}

Result<std::optional<std::string>> Store::GetPeer(std::string_view peer) {
  std::string k;
  internal::AppendString(&k, peer);
  return GetSealed(*impl_, impl_->dbs.peers, internal::kPeersDb, k);
}

Result<std::vector<std::pair<uint64_t, std::string>>> Store::ReadAudit(uint64_t from,
                                                                       size_t limit) {
  std::vector<std::pair<uint64_t, std::string>> out;
  Status txn_status = impl_->RunRead([&](Txn& txn) -> Status {
    Cursor cur(txn, impl_->dbs.audit);
    FULEI_ASSIGN_OR_RETURN(bool more, cur.Seek(internal::AuditKey(from)));
    while (more && out.size() < limit) {
      internal::KeyReader r(cur.key());
      FULEI_ASSIGN_OR_RETURN(uint64_t n, r.ReadU64());
      FULEI_ASSIGN_OR_RETURN(std::string entry,
                             impl_->codec.Unwrap(internal::kAuditDb, cur.key(), cur.value()));
      out.emplace_back(n, std::move(entry));
      FULEI_ASSIGN_OR_RETURN(more, cur.Next());
    }
    return Status::Ok();
  });
  FULEI_RETURN_IF_ERROR(txn_status);
  return out;
}

Result<crdt::Stamp> Store::HlcHighWater() {
  crdt::Stamp stamp;
  Status txn_status = impl_->RunRead([&](Txn& txn) -> Status {
    FULEI_ASSIGN_OR_RETURN(auto stored, txn.Get(impl_->dbs.meta, "hlc"));
    if (!stored) return Status::Ok();
    FULEI_ASSIGN_OR_RETURN(std::string_view plain,
                           internal::Unchecked(internal::kMetaDb, "hlc", *stored));
    internal::KeyReader r(plain);
    FULEI_ASSIGN_OR_RETURN(stamp.ms, r.ReadU64());
    FULEI_ASSIGN_OR_RETURN(stamp.logical, r.ReadU32());
    return r.ExpectDone();
  });
  FULEI_RETURN_IF_ERROR(txn_status);
  return stamp;
}

Status Store::ScanIndex(
    std::string_view name, std::string_view prefix,
    const std::function<bool(std::string_view key, std::string_view value)>& fn) {
  const internal::IndexSlot* slot = nullptr;
  for (const auto& s : impl_->indexes) {
    if (s.indexer->name() == name) slot = &s;
  }
  if (slot == nullptr) return NotFound("no index named " + std::string(name));
  return impl_->RunRead([&](Txn& txn) -> Status {
    Cursor cur(txn, slot->dbi);
    FULEI_ASSIGN_OR_RETURN(bool more, prefix.empty() ? cur.First() : cur.Seek(prefix));
    while (more && StartsWith(cur.key(), prefix)) {
      FULEI_ASSIGN_OR_RETURN(std::string_view value,
                             internal::Unchecked(slot->db_name, cur.key(), cur.value()));
      if (!fn(cur.key(), value)) return Status::Ok();
      FULEI_ASSIGN_OR_RETURN(more, cur.Next());
    }
    return Status::Ok();
  });
}

Result<StoreStats> Store::Stats() {
  StoreStats stats;
  Status txn_status = impl_->RunRead([&](Txn&) -> Status {
    MDB_envinfo info{};
    MDB_stat st{};
    int rc = mdb_env_info(impl_->env, &info);
    if (rc == 0) rc = mdb_env_stat(impl_->env, &st);
    if (rc != 0) return internal::LmdbStatus(rc, "mdb_env_info");
    stats.map_bytes = info.me_mapsize;
    stats.used_bytes = uint64_t{info.me_last_pgno + 1} * st.ms_psize;
    return Status::Ok();
  });
  FULEI_RETURN_IF_ERROR(txn_status);
  struct stat fst {};
  if (::stat((impl_->dir + "/data.mdb").c_str(), &fst) == 0) {
    stats.file_bytes = static_cast<uint64_t>(fst.st_size);
  }
  stats.reserve_held = impl_->reserve_held;
  stats.map_growths = impl_->map_growths;
  stats.env_reopens = impl_->env_reopens;
  return stats;
}

}  // namespace fulei::store
