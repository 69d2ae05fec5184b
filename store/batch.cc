#include "store/internal/batch.h"

#include <algorithm>
#include <atomic>
#include <future>
#include <system_error>

#include "crdt/codec.h"
#include "store/internal/keys.h"
#include "store/internal/quarantine.h"
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
  bool dirty = false;
  if (stored) {
    Result<uint64_t> read = [&]() -> Result<uint64_t> {
      FULEI_ASSIGN_OR_RETURN(std::string_view plain, Unchecked(kVvDb, ck, *stored));
      KeyReader r(plain);
      FULEI_ASSIGN_OR_RETURN(uint64_t value, r.ReadU64());
      FULEI_RETURN_IF_ERROR(r.ExpectDone());
      return value;
    }();
    if (read.ok()) {
      seq = *read;
    } else {  // bit rot: recounted from the op log, written back by Finish (docs/store.md)
      FULEI_ASSIGN_OR_RETURN(seq, RecountChain(store_, txn_, scope, origin));
      const bool own = store_.options.node_id != 0 && origin == store_.options.node_id;
      if (!own) FULEI_RETURN_IF_ERROR(DropOpsFrom(store_, txn_, scope, origin, seq + 1));
      FULEI_RETURN_IF_ERROR(PutQuarantine(store_, txn_, kVvDb, ck, QuarantineAction::kRebuilt,
                                          false, read.status().ToString()));
      dirty = true;
    }
  }
  return last_chain_ = &vv_.emplace(std::move(ck), Chain{seq, dirty, scope, origin}).first->second;
}

Result<crdt::Op> Batch::LoadOp(const std::string& scope, crdt::NodeId origin, uint64_t seq) {
  std::string k = OpKey(scope, origin, seq);
  FULEI_ASSIGN_OR_RETURN(auto stored, txn_.Get(store_.dbs.ops, k));
  if (!stored) return NotFound("op not held");
  return DecodeStoredOp(store_, kOpsDb, k, *stored);
}

Result<Batch::Copy> Batch::AsHeld(std::string_view db, MDB_dbi dbi, const std::string& op_key,
                                  const crdt::Op& op, const std::string& bytes,
                                  std::string* held_out) {
  std::string held;
  bool this_batch = false;
  if (dbi == store_.dbs.ops) {
    if (auto it = deferred_.find(op_key); it != deferred_.end()) {  // held by this very batch
      held = *it->second;
      this_batch = true;
    }
  }
  if (!this_batch) {
    FULEI_ASSIGN_OR_RETURN(auto stored, txn_.Get(dbi, op_key));
    Result<std::string> opened =
        stored ? store_.codec.Unwrap(db, op_key, *stored)
               : Result<std::string>(
                     Corruption(std::string(db) + ": an op below the version vector is missing"));
    if (!opened.ok()) {  // bit rot: the copy received takes its place
      FULEI_RETURN_IF_ERROR(RepairHeld(db, dbi, op_key, op, bytes, opened.status()));
      return Copy::kSame;
    }
    held = std::move(*opened);
  }
  if (held == bytes) return Copy::kSame;
  // Other bytes: the same op erased (or not) is no equivocation; another header is.
  Result<crdt::Op> held_op = crdt::DecodeOp(held);
  if (!held_op.ok()) {
    return Corruption(std::string(db) + " value does not decode: " + held_op.status().ToString());
  }
  if (crdt::EncodeOpHeader(*held_op) != crdt::EncodeOpHeader(op)) {
    return InvalidArgument(
        "equivocation: an op with the same (scope, origin, seq) but other bytes is held");
  }
  if (held_out != nullptr) *held_out = std::move(held);
  // An erasure is never undone: the body that arrives after it stays out.
  if (held_op->erased) return Copy::kKeepHeld;
  if (!op.erased) {
    return InvalidArgument("equivocation: an op with the same header but another body is held");
  }
  if (op.erasure.empty()) {
    return InvalidArgument(
        "an erased copy without its erasure authorisation cannot replace a held body");
  }
  // Twice in one batch: the first copy stays (a later batch may bring the erasure again).
  return this_batch ? Copy::kKeepHeld : Copy::kErasesHeld;
}

Batch::Record& Batch::RecordOf(const crdt::Op& op) {
  std::string sk = StateKey(op.key);
  auto it = records_.find(sk);
  if (it == records_.end()) {
    it = records_.emplace(std::move(sk), Record{}).first;
    it->second.key = &op.key;
  }
  return it->second;
}

Status Batch::Rebuild(const crdt::Op& op) {
  Record& rec = RecordOf(op);
  rec.rebuild = true;
  // A copy of the erased op this batch released from pending must not bring its body back.
  std::erase_if(rec.ops, [&](const crdt::Op* o) {
    return o != &op && o->origin == op.origin && o->seq == op.seq && o->key.scope == op.key.scope;
  });
  // Every op of the record: a scan of its scope's op log (and, as in the state itself, its
  // urgent pending ops). Costly for a large scope, but erasures are rare.
  rec.replay.clear();
  std::string prefix;
  AppendString(&prefix, op.key.scope);
  for (const bool pending : {false, true}) {
    const std::string_view db = pending ? kPendingDb : kOpsDb;
    Cursor cur(txn_, pending ? store_.dbs.pending : store_.dbs.ops);
    FULEI_ASSIGN_OR_RETURN(bool more, cur.Seek(prefix));
    while (more && cur.key().starts_with(prefix)) {
      FULEI_ASSIGN_OR_RETURN(crdt::Op held, DecodeStoredOp(store_, db, cur.key(), cur.value()));
      if (held.key == op.key && (!pending || held.urgent())) {
        replayed_ops_.push_back(std::move(held));
        rec.replay.push_back(&replayed_ops_.back());
      }
      FULEI_ASSIGN_OR_RETURN(more, cur.Next());
    }
  }
  return Status::Ok();
}

Status Batch::EraseHeld(std::string_view db, MDB_dbi dbi, const std::string& op_key,
                        const crdt::Op& op, const std::string& bytes, bool merged) {
  FULEI_RETURN_IF_ERROR(txn_.Put(dbi, op_key, store_.codec.Wrap(db, op_key, bytes)));
  return merged ? Rebuild(op) : Status::Ok();
}

Status Batch::RepairHeld(std::string_view db, MDB_dbi dbi, const std::string& op_key,
                         const crdt::Op& op, const std::string& bytes, const Status& why) {
  FULEI_RETURN_IF_ERROR(txn_.Put(dbi, op_key, store_.codec.Wrap(db, op_key, bytes)));
  if (dbi == store_.dbs.ops || op.urgent()) Merge(op);  // what the state holds of it
  return PutQuarantine(store_, txn_, db, op_key, QuarantineAction::kRepaired, false,
                       why.ToString());
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

void Batch::Merge(const crdt::Op& op) { RecordOf(op).ops.push_back(&op); }

Result<std::string> Batch::MergeRecord(const std::string& state_key, Record& rec) const {
  // A rebuilt state needs the stored one only for the indexers' `before`.
  if (rec.stored && (!rec.rebuild || !store_.indexes.empty())) {
    Result<crdt::RecordState> stored = DecodeState(store_, state_key, *rec.stored);
    if (!stored.ok()) {
      // Bit rot: Finish replays it from the op log on its own thread (that reads LMDB).
      rec.unreadable = stored.status().ToString();
      rec.stored.reset();
      if (!rec.rebuild) return std::string();
    } else {
      rec.after = std::move(*stored);
      if (!store_.indexes.empty()) rec.before = rec.after;  // only indexers look at `before`
    }
  }
  rec.stored.reset();
  if (rec.rebuild) {
    rec.after = crdt::RecordState();
    for (const crdt::Op* op : rec.replay) rec.after.Apply(*op);
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
    Result<crdt::Op> op = DecodeStoredOp(store_, kPendingDb, k, *stored, &bytes);
    FULEI_RETURN_IF_ERROR(txn_.Del(store_.dbs.pending, k));
    if (!op.ok()) {  // bit rot: dropped, so the chain waits for it to come again (docs/store.md)
      return PutQuarantine(store_, txn_, kPendingDb, k, QuarantineAction::kDropped, false,
                           op.status().ToString());
    }
    released_ops_.push_back(std::move(*op));
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
    FULEI_ASSIGN_OR_RETURN(Copy copy, AsHeld(kOpsDb, store_.dbs.ops, k, op, bytes));
    if (copy != Copy::kErasesHeld) return Outcome::kDuplicate;
    FULEI_RETURN_IF_ERROR(EraseHeld(kOpsDb, store_.dbs.ops, k, op, bytes, /*merged=*/true));
    return Outcome::kApplied;
  }
  if (op.seq == have + 1) {
    bool was_pending = false;
    if (pending_possible_) {  // it may have come earlier, ahead of a gap that is now filled
      FULEI_ASSIGN_OR_RETURN(auto held, txn_.Get(store_.dbs.pending, k));
      if (held) {
        std::string held_bytes;
        FULEI_ASSIGN_OR_RETURN(Copy copy,
                               AsHeld(kPendingDb, store_.dbs.pending, k, op, bytes, &held_bytes));
        FULEI_RETURN_IF_ERROR(txn_.Del(store_.dbs.pending, k));
        was_pending = true;
        if (copy == Copy::kKeepHeld) {
          // The erased copy held pending is what goes into the op log, not this body.
          FULEI_ASSIGN_OR_RETURN(crdt::Op erased, crdt::DecodeOp(held_bytes));
          released_ops_.push_back(std::move(erased));
          FULEI_RETURN_IF_ERROR(Apply(released_ops_.back(), held_bytes, k, /*deferrable=*/false,
                                      /*sealed_slot=*/nullptr));
          ++released_;
          if (!SuccessorNext(op)) FULEI_RETURN_IF_ERROR(Release(scope, op.origin));
          return Outcome::kDuplicate;
        }
        // An urgent body held pending was merged at once: the erasure rebuilds its record.
        if (copy == Copy::kErasesHeld && op.urgent()) FULEI_RETURN_IF_ERROR(Rebuild(op));
      }
    }
    FULEI_RETURN_IF_ERROR(Apply(op, bytes, k, /*deferrable=*/true, sealed_slot));
    // Queued once, when first held: an entry already acknowledged must not come back.
    if (!was_pending) FULEI_RETURN_IF_ERROR(QueueOutbox(op));
    if (!SuccessorNext(op)) FULEI_RETURN_IF_ERROR(Release(scope, op.origin));
    return Outcome::kApplied;
  }
  if (pending_possible_) {
    FULEI_ASSIGN_OR_RETURN(auto held, txn_.Get(store_.dbs.pending, k));
    if (held) {
      FULEI_ASSIGN_OR_RETURN(Copy copy, AsHeld(kPendingDb, store_.dbs.pending, k, op, bytes));
      if (copy != Copy::kErasesHeld) return Outcome::kDuplicate;
      FULEI_RETURN_IF_ERROR(
          EraseHeld(kPendingDb, store_.dbs.pending, k, op, bytes, /*merged=*/op.urgent()));
      return Outcome::kPending;
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
  // States that did not read are replayed from the op log (no put has happened since the reads
  // above), then get this batch's ops; every index is rebuilt after the puts, as their `before`
  // is lost (docs/store.md, "Faults and quarantine").
  bool states_rebuilt = false;
  for (size_t i = 0; i < recs.size(); ++i) {
    Record& rec = *recs[i].second;
    if (rec.unreadable.empty()) continue;
    states_rebuilt = true;
    if (rec.rebuild) continue;  // replayed by MergeRecord already
    FULEI_ASSIGN_OR_RETURN(std::optional<crdt::RecordState> replayed,
                           ReplayRecord(store_, txn_, *rec.key));
    rec.after = replayed ? std::move(*replayed) : crdt::RecordState();
    for (const crdt::Op* op : rec.ops) rec.after.Apply(*op);
    state_values[i] = EncodeState(store_, *recs[i].first, rec.after);
  }
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
    if (!rec.unreadable.empty()) {
      FULEI_RETURN_IF_ERROR(PutQuarantine(store_, txn_, kStateDb, sk, QuarantineAction::kRebuilt,
                                          false, rec.unreadable));
    }
    if (changed != nullptr) changed->push_back(*rec.key);
    if (states_rebuilt) continue;  // all indexes are rebuilt below
    for (const auto& slot : store_.indexes) {
      IndexWriterImpl writer(txn_, slot);
      FULEI_RETURN_IF_ERROR(
          slot.indexer->OnChange(*rec.key, rec.before ? &*rec.before : nullptr, rec.after, writer));
    }
  }
  if (states_rebuilt) FULEI_RETURN_IF_ERROR(RebuildIndexes(store_, txn_));
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
    Result<crdt::RecordState> state = DecodeState(store, cur.key(), cur.value());
    if (state.ok()) {
      IndexWriterImpl writer(txn, slot);
      FULEI_RETURN_IF_ERROR(slot.indexer->OnChange(key, nullptr, *state, writer));
    } else {  // bit rot: quarantined after the open (the state rebuilt, the indexes with it)
      store.Note(kStateDb, cur.key(), state.status());
    }
    FULEI_ASSIGN_OR_RETURN(more, cur.Next());
  }
  return txn.Put(store.dbs.meta, marker, Checked(kMetaDb, marker, "built"));
}

}  // namespace fulei::store::internal
