// Store read calls. Each runs in one read transaction (Impl::RunRead).
#include <sys/stat.h>

#include "crdt/codec.h"
#include "store/internal/batch.h"
#include "store/internal/keys.h"
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

}  // namespace

Result<std::optional<crdt::RecordState>> Store::Get(const crdt::RecordKey& key) {
  std::optional<crdt::RecordState> out;
  std::string sk = internal::StateKey(key);
  Status txn_status = impl_->RunRead([&](Txn& txn) -> Status {
    FULEI_ASSIGN_OR_RETURN(auto stored, txn.Get(impl_->dbs.state, sk));
    if (!stored) return Status::Ok();
    FULEI_ASSIGN_OR_RETURN(out, internal::DecodeState(*impl_, sk, *stored));
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
        FULEI_ASSIGN_OR_RETURN(crdt::RecordState state,
                               internal::DecodeState(*impl_, cur.key(), cur.value()));
        if (!fn(key, state)) return Status::Ok();
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
      FULEI_ASSIGN_OR_RETURN(uint64_t seq, ReadSeqValue(internal::kVvDb, cur.key(), cur.value()));
      vv[parts.origin] = seq;
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
  FULEI_ASSIGN_OR_RETURN(VersionVector ours, GetVersionVector(scope));
  OpsChunk chunk;
  size_t bytes = 0;
  // vv and ops were read in separate read transactions; ops below our vv never disappear, so
  // the second one sees at least every op the first one counted.
  Status txn_status = impl_->RunRead([&](Txn& txn) -> Status {
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
        if (!more || !StartsWith(cur.key(), chain)) {
          return Corruption("op log misses ops below the version vector");
        }
        FULEI_ASSIGN_OR_RETURN(auto parts, internal::ParseOpKey(cur.key()));
        if (parts.seq != expect) return Corruption("op log has a gap below the version vector");
        FULEI_ASSIGN_OR_RETURN(std::string plain,
                               impl_->codec.Unwrap(internal::kOpsDb, cur.key(), cur.value()));
        bytes += plain.size();
        chunk.ops.push_back(OpBytes{origin, expect, std::move(plain)});
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
    std::string bytes;
    FULEI_RETURN_IF_ERROR(internal::DecodeStoredOp(*impl_, db, k, *stored, &bytes).status());
    out = std::move(bytes);
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
      std::string bytes;
      FULEI_RETURN_IF_ERROR(internal::DecodeStoredOp(*impl_, db, k, *stored, &bytes).status());
      out.push_back(std::move(bytes));
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
    while (more && StartsWith(cur.key(), prefix) && out.size() < limit) {
      FULEI_ASSIGN_OR_RETURN(auto parts, internal::ParseOutboxKey(cur.key()));
      FULEI_ASSIGN_OR_RETURN(std::string_view ref,
                             internal::Unchecked(internal::kOutboxDb, cur.key(), cur.value()));
      std::string_view db = internal::kOpsDb;
      FULEI_ASSIGN_OR_RETURN(auto stored, txn.Get(impl_->dbs.ops, ref));
      if (!stored) {
        db = internal::kPendingDb;
        FULEI_ASSIGN_OR_RETURN(stored, txn.Get(impl_->dbs.pending, ref));
      }
      if (!stored) return Corruption("outbox names an op that is not held");
      std::string bytes;
      FULEI_ASSIGN_OR_RETURN(crdt::Op op,
                             internal::DecodeStoredOp(*impl_, db, ref, *stored, &bytes));
      if (op.id() != parts.id) return Corruption("outbox entry names another op");
      out.push_back(OutboxEntry{parts.id, std::move(bytes)});
      FULEI_ASSIGN_OR_RETURN(more, cur.Next());
    }
    return Status::Ok();
  });
  FULEI_RETURN_IF_ERROR(txn_status);
  return out;
}

namespace {

// Reads the head at the cursor if it belongs to (scope, origin).
Result<std::optional<ChainHead>> HeadAt(internal::Cursor& cur, std::string_view chain,
                                        std::string_view scope, crdt::NodeId origin) {
  if (cur.key().substr(0, chain.size()) != chain) return std::optional<ChainHead>();
  FULEI_ASSIGN_OR_RETURN(std::string_view plain,
                         internal::Unchecked(internal::kHeadsDb, cur.key(), cur.value()));
  internal::KeyReader r(plain);
  ChainHead h;
  h.scope = std::string(scope);
  h.origin = origin;
  FULEI_ASSIGN_OR_RETURN(h.seq, r.ReadU64());
  h.head = std::string(plain.substr(8));
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
    if (!found) return Status::Ok();
    FULEI_ASSIGN_OR_RETURN(out, HeadAt(cur, chain, scope, origin));
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
    if (!found) return Status::Ok();
    FULEI_ASSIGN_OR_RETURN(out, HeadAt(cur, chain, scope, origin));
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
