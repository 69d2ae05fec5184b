#include "store/internal/batch.h"

#include <algorithm>
#include <atomic>
#include <future>
#include <system_error>

#include "crdt/codec.h"
#include "store/internal/keys.h"
#include "store/internal/value_codec.h"

namespace fulei::store::internal {
namespace {

std::string SeqValue(uint64_t seq) {
  std::string v;
  AppendU64(&v, seq);
  return v;
}

}  // namespace

Result<crdt::RecordState> DecodeState(const Store::Impl& store, std::string_view state_key,
                                      std::string_view stored) {
  FULEI_ASSIGN_OR_RETURN(std::string plain,
                         store.codec.Unwrap(kStateDb, state_key, stored, Packing::kAsIs));
  Result<crdt::RecordState> state = crdt::RecordState::DecodeCompact(plain);
  if (!state.ok()) return Corruption("state value does not decode: " + state.status().ToString());
  return state;
}

std::string EncodeState(const Store::Impl& store, std::string_view state_key,
                        const crdt::RecordState& state) {
  return store.codec.Wrap(kStateDb, state_key, state.EncodeCompact(), Packing::kAsIs);
}

Status MigrateStatesFromV1(Store::Impl& store, Txn& txn) {
  Cursor cur(txn, store.dbs.state);
  FULEI_ASSIGN_OR_RETURN(bool more, cur.First());
  std::vector<std::pair<std::string, std::string>> rewritten;
  while (more) {
    std::string key(cur.key());
    // A value that does not open or decode is left as it is: it was unreadable before and stays
    // so (reads and the integrity check report it), rather than keeping the store shut.
    Result<std::string> plain = store.codec.Unwrap(kStateDb, key, cur.value());
    if (plain.ok()) {
      auto state = crdt::RecordState::Decode(*plain, /*require_canonical=*/false);
      if (state.ok()) rewritten.emplace_back(key, EncodeState(store, key, *state));
    }
    FULEI_ASSIGN_OR_RETURN(more, cur.Next());
  }
  for (const auto& [key, value] : rewritten) {
    FULEI_RETURN_IF_ERROR(txn.Put(store.dbs.state, key, value));
  }
  return Status::Ok();
}

Result<crdt::Op> DecodeStoredOp(const Store::Impl& store, std::string_view db,
                                std::string_view op_key, std::string_view stored,
                                std::string* bytes_out) {
  FULEI_ASSIGN_OR_RETURN(std::string bytes, store.codec.Unwrap(db, op_key, stored));
  Result<crdt::Op> op = crdt::DecodeOp(bytes);
  if (!op.ok()) {
    return Corruption(std::string(db) + " value does not decode: " + op.status().ToString());
  }
  if (OpKey(op->key.scope, op->origin, op->seq) != op_key) {
    return Corruption(std::string(db) + " holds an op under another op's key");
  }
  if (bytes_out != nullptr) *bytes_out = std::move(bytes);
  return op;
}

Batch::Batch(Store::Impl& store, Txn& txn, const std::vector<std::string>& outbox_peers)
    : store_(store), txn_(txn), outbox_peers_(outbox_peers) {}

Result<uint64_t> Batch::Contiguous(const std::string& scope, crdt::NodeId origin) {
  FULEI_ASSIGN_OR_RETURN(Chain * chain, ChainOf(scope, origin));
  return chain->seq;
}

Result<Batch::Chain*> Batch::ChainOf(const std::string& scope, crdt::NodeId origin) {
  // A sorted batch asks about one chain many times in a row.
  if (last_chain_ != nullptr && last_chain_->origin == origin && last_chain_->scope == scope) {
    return last_chain_;
  }
  std::string ck = ChainKey(scope, origin);
  if (auto it = vv_.find(ck); it != vv_.end()) return last_chain_ = &it->second;
  FULEI_ASSIGN_OR_RETURN(auto stored, txn_.Get(store_.dbs.vv, ck));
  uint64_t seq = 0;
  if (stored) {
    FULEI_ASSIGN_OR_RETURN(std::string_view plain, Unchecked(kVvDb, ck, *stored));
    KeyReader r(plain);
    FULEI_ASSIGN_OR_RETURN(seq, r.ReadU64());
    FULEI_RETURN_IF_ERROR(r.ExpectDone());
  }
  return last_chain_ = &vv_.emplace(std::move(ck), Chain{seq, false, scope, origin}).first->second;
}

Result<crdt::Op> Batch::LoadOp(const std::string& scope, crdt::NodeId origin, uint64_t seq) {
  std::string k = OpKey(scope, origin, seq);
  FULEI_ASSIGN_OR_RETURN(auto stored, txn_.Get(store_.dbs.ops, k));
  if (!stored) return NotFound("op not held");
  return DecodeStoredOp(store_, kOpsDb, k, *stored);
}

Status Batch::SameAsHeld(std::string_view db, MDB_dbi dbi, const std::string& op_key,
                         const std::string& bytes) {
  if (dbi == store_.dbs.ops) {
    if (auto it = deferred_.find(op_key); it != deferred_.end()) {  // held by this very batch
      if (*it->second != bytes) {
        return InvalidArgument(
            "equivocation: an op with the same (scope, origin, seq) but other bytes is held");
      }
      return Status::Ok();
    }
  }
  FULEI_ASSIGN_OR_RETURN(auto stored, txn_.Get(dbi, op_key));
  if (!stored) return Corruption(std::string(db) + ": an op below the version vector is missing");
  FULEI_ASSIGN_OR_RETURN(std::string held, store_.codec.Unwrap(db, op_key, *stored));
  if (held != bytes) {
    return InvalidArgument(
        "equivocation: an op with the same (scope, origin, seq) but other bytes is held");
  }
  return Status::Ok();
}

Status Batch::QueueOutbox(const crdt::Op& op) {
  if (!op.urgent()) return Status::Ok();
  std::string ref = OpKey(op.key.scope, op.origin, op.seq);
  for (const auto& peer : outbox_peers_) {
    std::string k = OutboxKey(peer, op.id());
    FULEI_RETURN_IF_ERROR(txn_.Put(store_.dbs.outbox, k, Checked(kOutboxDb, k, ref)));
  }
  return Status::Ok();
}

void Batch::Merge(const crdt::Op& op) {
  std::string sk = StateKey(op.key);
  auto it = records_.find(sk);
  if (it == records_.end()) {
    it = records_.emplace(std::move(sk), Record{}).first;
    it->second.key = &op.key;
  }
  it->second.ops.push_back(&op);
}

Result<std::string> Batch::MergeRecord(const std::string& state_key, Record& rec) const {
  if (rec.stored) {
    FULEI_ASSIGN_OR_RETURN(rec.after, DecodeState(store_, state_key, *rec.stored));
    if (!store_.indexes.empty()) rec.before = rec.after;  // only indexers look at `before`
    rec.stored.reset();
  }
  for (const crdt::Op* op : rec.ops) rec.after.Apply(*op);
  std::string value = EncodeState(store_, state_key, rec.after);
  // Only indexers look at the merged state after this: without them it is freed here, on the
  // thread that merged it, rather than by the caller's thread when the batch ends.
  if (store_.indexes.empty()) rec.after = crdt::RecordState();
  return value;
}

Status Batch::Apply(const crdt::Op& op, const std::string& bytes, const std::string& op_key,
                    bool deferrable, const std::string* sealed_slot) {
  if (deferrable && defer_op_puts_) {
    auto [it, inserted] = deferred_.emplace(op_key, &bytes);
    FULEI_CHECK(inserted);  // an op key is applied once per batch
    deferred_order_.push_back(DeferredOp{&it->first, &bytes, sealed_slot});
  } else {
    FULEI_RETURN_IF_ERROR(
        txn_.Put(store_.dbs.ops, op_key, store_.codec.Wrap(kOpsDb, op_key, bytes)));
  }
  Merge(op);
  FULEI_ASSIGN_OR_RETURN(Chain * chain, ChainOf(op.key.scope, op.origin));
  FULEI_CHECK(chain->seq + 1 == op.seq);
  chain->seq = op.seq;
  chain->dirty = true;
  return Status::Ok();
}

Status Batch::Release(const std::string& scope, crdt::NodeId origin) {
  if (pending_checked_ && !pending_possible_) return Status::Ok();
  for (;;) {
    FULEI_ASSIGN_OR_RETURN(uint64_t have, Contiguous(scope, origin));
    std::string k = OpKey(scope, origin, have + 1);
    FULEI_ASSIGN_OR_RETURN(auto stored, txn_.Get(store_.dbs.pending, k));
    if (!stored) return Status::Ok();
    std::string bytes;
    FULEI_ASSIGN_OR_RETURN(crdt::Op op, DecodeStoredOp(store_, kPendingDb, k, *stored, &bytes));
    FULEI_RETURN_IF_ERROR(txn_.Del(store_.dbs.pending, k));
    released_ops_.push_back(std::move(op));
    FULEI_RETURN_IF_ERROR(
        Apply(released_ops_.back(), bytes, k, /*deferrable=*/false, /*sealed_slot=*/nullptr));
    ++released_;
  }
}

Result<Outcome> Batch::Hold(const crdt::Op& op, const std::string& bytes,
                            const std::string* sealed_slot) {
  if (!pending_checked_) {  // an empty pending db (the common case) needs no probes
    FULEI_ASSIGN_OR_RETURN(uint64_t n, txn_.Entries(store_.dbs.pending));
    pending_possible_ = n > 0;
    pending_checked_ = true;
  }
  const std::string& scope = op.key.scope;
  FULEI_ASSIGN_OR_RETURN(uint64_t have, Contiguous(scope, op.origin));
  std::string k = OpKey(scope, op.origin, op.seq);
  if (op.seq <= have) {
    FULEI_RETURN_IF_ERROR(SameAsHeld(kOpsDb, store_.dbs.ops, k, bytes));
    return Outcome::kDuplicate;
  }
  if (op.seq == have + 1) {
    bool was_pending = false;
    if (pending_possible_) {  // it may have come earlier, ahead of a gap that is now filled
      FULEI_ASSIGN_OR_RETURN(auto held, txn_.Get(store_.dbs.pending, k));
      if (held) {
        FULEI_RETURN_IF_ERROR(SameAsHeld(kPendingDb, store_.dbs.pending, k, bytes));
        FULEI_RETURN_IF_ERROR(txn_.Del(store_.dbs.pending, k));
        was_pending = true;
      }
    }
    FULEI_RETURN_IF_ERROR(Apply(op, bytes, k, /*deferrable=*/true, sealed_slot));
    // Queued once, when first held: an entry already acknowledged must not come back.
    if (!was_pending) FULEI_RETURN_IF_ERROR(QueueOutbox(op));
    bool successor_next = next_ != nullptr && next_->origin == op.origin &&
                          next_->seq == op.seq + 1 && next_->key.scope == scope;
    if (!successor_next) FULEI_RETURN_IF_ERROR(Release(scope, op.origin));
    return Outcome::kApplied;
  }
  if (pending_possible_) {
    FULEI_ASSIGN_OR_RETURN(auto held, txn_.Get(store_.dbs.pending, k));
    if (held) {
      FULEI_RETURN_IF_ERROR(SameAsHeld(kPendingDb, store_.dbs.pending, k, bytes));
      return Outcome::kDuplicate;
    }
  }
  // Urgent ops are exempt from the per-chain bound (only the total bounds them): a report filed
  // by a village far behind its upstream travels ahead of the backlog and must be held, not
  // refused on every reconnect (which would stall both the report and the backlog for ever).
  const uint64_t ahead_limit = store_.options.max_pending_per_chain;
  if (ahead_limit != 0 && !op.urgent() && op.seq - have > ahead_limit) {
    return ResourceExhausted("pending: op " + std::to_string(op.seq) + " of chain (" + scope +
                             ", " + std::to_string(op.origin) + ") is " +
                             std::to_string(op.seq - have) + " ahead of the contiguous seq " +
                             std::to_string(have) + "; max_pending_per_chain is " +
                             std::to_string(ahead_limit));
  }
  FULEI_RETURN_IF_ERROR(txn_.Put(store_.dbs.pending, k, store_.codec.Wrap(kPendingDb, k, bytes)));
  pending_possible_ = true;
  pending_added_ = true;
  // An urgent op is merged into state at once, ahead of the gap: the town officer must see a
  // report as soon as it is held, not when the village's backlog has caught up. Merging is
  // commutative and idempotent, so merging it again when the gap fills changes nothing; the
  // version vector still advances only over contiguous ops.
  if (op.urgent()) Merge(op);
  FULEI_RETURN_IF_ERROR(QueueOutbox(op));
  return Outcome::kPending;
}

Status Batch::Finish(std::vector<crdt::RecordKey>* changed,
                     const std::function<void()>& await_sealed) {
  if (pending_added_ && store_.options.max_pending_ops != 0) {
    FULEI_ASSIGN_OR_RETURN(uint64_t held, txn_.Entries(store_.dbs.pending));
    if (held > store_.options.max_pending_ops) {
      return ResourceExhausted("pending: the batch would leave " + std::to_string(held) +
                               " ops pending; max_pending_ops is " +
                               std::to_string(store_.options.max_pending_ops));
    }
  }
  std::vector<const std::pair<const std::string, Chain>*> dirty;
  for (const auto& entry : vv_) {
    if (entry.second.dirty) dirty.push_back(&entry);
  }
  std::sort(dirty.begin(), dirty.end(),
            [](const auto* a, const auto* b) { return a->first < b->first; });
  for (const auto* entry : dirty) {
    const std::string& ck = entry->first;
    FULEI_RETURN_IF_ERROR(
        txn_.Put(store_.dbs.vv, ck, Checked(kVvDb, ck, SeqValue(entry->second.seq))));
  }
  // Each touched state is read here, once. Sealing the deferred op log values and merging,
  // encoding and sealing the states need nothing from the transaction: with many of them a
  // helper thread takes a share while this one does the rest. The puts follow, in key order,
  // after all of that: LMDB keeps a value's view valid only until the transaction's next update.
  std::vector<std::pair<const std::string*, Record*>> recs;
  recs.reserve(records_.size());
  for (auto& [sk, rec] : records_) {
    FULEI_ASSIGN_OR_RETURN(rec.stored, txn_.Get(store_.dbs.state, sk));
    recs.emplace_back(&sk, &rec);
  }
  std::vector<const DeferredOp*> to_seal;  // deferred op log values without a sealed slot
  for (const DeferredOp& d : deferred_order_) {
    if (d.sealed == nullptr) to_seal.push_back(&d);
  }
  const size_t n_ops = to_seal.size();
  std::vector<std::string> op_values(n_ops);
  std::vector<std::string> state_values(recs.size());
  // Task t < n_ops seals op log value t; task n_ops + r merges record r. Both threads take runs
  // of tasks from one counter until none is left (or one failed), so neither waits long for the
  // other whatever the tasks cost.
  const size_t tasks = n_ops + recs.size();
  constexpr size_t kRun = 8;
  std::atomic<size_t> next_task{0};
  std::atomic<bool> failed{false};
  auto run = [&]() -> Status {
    for (;;) {
      const size_t from = next_task.fetch_add(kRun, std::memory_order_relaxed);
      if (from >= tasks || failed.load(std::memory_order_relaxed)) return Status::Ok();
      for (size_t t = from; t < std::min(from + kRun, tasks); ++t) {
        if (t < n_ops) {
          op_values[t] = store_.codec.Wrap(kOpsDb, *to_seal[t]->key, *to_seal[t]->bytes);
          continue;
        }
        const auto& [sk, rec] = recs[t - n_ops];
        Result<std::string> value = MergeRecord(*sk, *rec);
        if (!value.ok()) {
          failed.store(true, std::memory_order_relaxed);
          return value.status();
        }
        state_values[t - n_ops] = std::move(*value);
      }
    }
  };
  std::future<Status> helper;
  if (tasks >= kHelperThreadMinValues) {
    try {
      helper = std::async(std::launch::async, run);
    } catch (const std::system_error&) {
      // no thread to be had: all on this one
    }
  }
  Status mine = run();
  Status theirs = helper.valid() ? helper.get() : Status::Ok();
  FULEI_RETURN_IF_ERROR(mine);
  FULEI_RETURN_IF_ERROR(theirs);
  if (await_sealed) await_sealed();
  size_t next_sealed = 0;
  for (const DeferredOp& d : deferred_order_) {
    const std::string& value = d.sealed != nullptr ? *d.sealed : op_values[next_sealed++];
    FULEI_RETURN_IF_ERROR(txn_.Put(store_.dbs.ops, *d.key, value));
  }
  for (size_t i = 0; i < recs.size(); ++i) {
    const std::string& sk = *recs[i].first;
    const Record& rec = *recs[i].second;
    FULEI_RETURN_IF_ERROR(txn_.Put(store_.dbs.state, sk, state_values[i]));
    for (const auto& slot : store_.indexes) {
      IndexWriterImpl writer(txn_, slot);
      FULEI_RETURN_IF_ERROR(
          slot.indexer->OnChange(*rec.key, rec.before ? &*rec.before : nullptr, rec.after, writer));
    }
    if (changed != nullptr) changed->push_back(*rec.key);
  }
  // records_ is in state-key order (type, scope, id): already sorted when one type is touched.
  if (changed != nullptr && !std::is_sorted(changed->begin(), changed->end())) {
    std::sort(changed->begin(), changed->end());
  }
  return Status::Ok();
}

Status IndexWriterImpl::Put(std::string_view key, std::string_view value) {
  if (key.empty() || key.size() > 480) return InvalidArgument("index key must be 1..480 bytes");
  return txn_.Put(slot_.dbi, key, Checked(slot_.db_name, key, value));
}

Status IndexWriterImpl::Delete(std::string_view key) {
  if (key.empty() || key.size() > 480) return Status::Ok();
  return txn_.Del(slot_.dbi, key);
}

Result<std::optional<std::string>> IndexWriterImpl::Get(std::string_view key) {
  if (key.empty() || key.size() > 480) return std::optional<std::string>();
  FULEI_ASSIGN_OR_RETURN(auto stored, txn_.Get(slot_.dbi, key));
  if (!stored) return std::optional<std::string>();
  FULEI_ASSIGN_OR_RETURN(std::string_view plain, Unchecked(slot_.db_name, key, *stored));
  return std::optional<std::string>(std::string(plain));
}

Status BuildIndexIfNew(Store::Impl& store, Txn& txn, const IndexSlot& slot) {
  std::string marker = "index:" + slot.db_name.substr(4);
  FULEI_ASSIGN_OR_RETURN(auto built, txn.Get(store.dbs.meta, marker));
  if (built) return Status::Ok();
  int rc = mdb_drop(txn.raw(), slot.dbi, 0);  // start from empty (a half-built index is not kept)
  if (rc != 0) return txn.Fail(rc, "mdb_drop " + slot.db_name);
  Cursor cur(txn, store.dbs.state);
  FULEI_ASSIGN_OR_RETURN(bool more, cur.First());
  while (more) {
    FULEI_ASSIGN_OR_RETURN(crdt::RecordKey key, ParseStateKey(cur.key()));
    FULEI_ASSIGN_OR_RETURN(crdt::RecordState state, DecodeState(store, cur.key(), cur.value()));
    IndexWriterImpl writer(txn, slot);
    FULEI_RETURN_IF_ERROR(slot.indexer->OnChange(key, nullptr, state, writer));
    FULEI_ASSIGN_OR_RETURN(more, cur.Next());
  }
  return txn.Put(store.dbs.meta, marker, Checked(kMetaDb, marker, "built"));
}

}  // namespace fulei::store::internal
