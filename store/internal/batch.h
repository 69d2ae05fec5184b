// Batch: the work of one write transaction that holds ops — the core of ApplyBatch and
// WriteLocal. Not a public header.
//
// Hold() takes one op (with its canonical bytes) and decides: duplicate (held already, bytes
// compared), applied (next in its chain: op log + state), or pending (a gap before it). After an
// op is applied, ops that earlier batches left pending are released while they are contiguous.
// Erased copies (docs/store.md, "Erased ops"): a copy of a held op with the same header is no
// equivocation. An erased copy that carries its erasure authorisation replaces a held body (the
// record's state is then rebuilt from its op log); nothing replaces an erased op's missing body.
// Finish() writes the touched version vectors and record states and runs the indexers — all in
// the same transaction. Everything read is cached for the transaction's lifetime only.
//
// Record states are merged in Finish: Hold() only notes which ops change which record. Finish
// reads each touched state once, then opens, decodes, applies, encodes and seals them (the half
// of that work that needs no LMDB) on two threads for a large batch, then puts them in order.
#ifndef FULEI_STORE_INTERNAL_BATCH_H_
#define FULEI_STORE_INTERNAL_BATCH_H_

#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "crdt/op.h"
#include "crdt/record.h"
#include "store/internal/store_impl.h"
#include "store/store.h"

namespace fulei::store::internal {

// From this many values on, a batch packs and seals on a helper thread beside the caller's (the
// op log values while states merge; half the record states in Finish). Below it (an urgent
// report, a receipt) everything is inline: starting a thread costs about as much as sealing a
// few dozen values. Sealer implementations are thread-safe (store/sealer.h).
inline constexpr size_t kHelperThreadMinValues = 64;

class Batch {
 public:
  Batch(Store::Impl& store, Txn& txn, const std::vector<std::string>& outbox_peers);

  // REQUIRES: ValidateOp(op) is OK; bytes == EncodeOp(op); op outlives the Batch, and so do
  // the bytes when op log puts are deferred.
  // `sealed_slot`, when given, is where the caller (a helper thread of its) puts the op's `ops`
  // value, ValueCodec::Wrap(kOpsDb, op key, bytes), by the time Finish's `await_sealed` returns.
  Result<Outcome> Hold(const crdt::Op& op, const std::string& bytes,
                       const std::string* sealed_slot = nullptr);
  // From now on the op log values of applied ops are put in Finish instead of at once, and
  // sealed there (beside the states, on two threads for a large batch) unless Hold was given
  // their slot.
  void DeferOpPuts() { defer_op_puts_ = true; }
  // Highest contiguous seq of (scope, origin) as of this transaction.
  Result<uint64_t> Contiguous(const std::string& scope, crdt::NodeId origin);
  // The held op (scope, origin, seq) from the op log, decoded; kNotFound when absent.
  Result<crdt::Op> LoadOp(const std::string& scope, crdt::NodeId origin, uint64_t seq);
  // Writes vv, op log values Hold deferred, states, indexes. Call once, last. `await_sealed` (if
  // any) is called before the first deferred op log put: it waits for the sealed slots.
  Status Finish(std::vector<crdt::RecordKey>* changed,
                const std::function<void()>& await_sealed = nullptr);

  size_t released() const { return released_; }
  // Hint: the next op Hold() will see is (scope, origin, seq); lets Hold skip a pending probe.
  void set_next(const crdt::Op* next) { next_ = next; }
  // True when the hint says the next op is op's successor in its chain.
  bool SuccessorNext(const crdt::Op& op) const {
    return next_ != nullptr && next_->origin == op.origin && next_->seq == op.seq + 1 &&
           next_->key.scope == op.key.scope;
  }

 private:
  struct Record {
    const crdt::RecordKey* key;        // of its first op
    std::vector<const crdt::Op*> ops;  // to apply, in Hold order
    // The state value held before this batch: a view into the transaction, valid because no
    // put happens between Finish's reads and the merges that use them.
    std::optional<std::string_view> stored;
    std::optional<crdt::RecordState> before;
    crdt::RecordState after;
    // An erasure replaced the body of one of its held ops: the state is rebuilt from `replay`
    // (its ops in the op log, and its urgent pending ones), then `ops`, not from `stored`.
    bool rebuild = false;
    std::vector<const crdt::Op*> replay;
    // Why the stored state did not read (bit rot), when it did not: Finish replays it from the
    // op log and quarantines it (docs/store.md, "Faults and quarantine").
    std::string unreadable;
  };
  // How an op received again relates to the copy held under its key.
  enum class Copy {
    kSame,        // the same bytes
    kKeepHeld,    // same header; the held copy stays (it is erased, or came first in this batch)
    kErasesHeld,  // same header; the op is an authorised erased copy of a held body
  };
  // Decodes, merges, encodes and seals one record (no LMDB: runs on either thread).
  Result<std::string> MergeRecord(const std::string& state_key, Record& rec) const;
  Status Apply(const crdt::Op& op, const std::string& bytes, const std::string& op_key,
               bool deferrable, const std::string* sealed_slot);
  Status Release(const std::string& scope, crdt::NodeId origin);
  void Merge(const crdt::Op& op);
  // Compares `op` with the copy held under `op_key` in `db`; kInvalidArgument for an
  // equivocation (another header at the same (scope, origin, seq)). `held_out`, when given,
  // receives the held copy's bytes.
  Result<Copy> AsHeld(std::string_view db, MDB_dbi dbi, const std::string& op_key,
                      const crdt::Op& op, const std::string& bytes,
                      std::string* held_out = nullptr);
  // Puts the erased copy `op` in place of the held body under `op_key` in `db` and rebuilds
  // the record's state when the held body was merged into it.
  Status EraseHeld(std::string_view db, MDB_dbi dbi, const std::string& op_key, const crdt::Op& op,
                   const std::string& bytes, bool merged);
  // Marks op's record for a rebuild from its op log (Record::rebuild).
  Status Rebuild(const crdt::Op& op);
  Record& RecordOf(const crdt::Op& op);
  Status QueueOutbox(const crdt::Op& op);
  // The copy held under `op_key` in `db` does not read (bit rot) or is missing below the vector:
  // `op`, received again, takes its place (merged again: a state replayed meanwhile lacks it).
  Status RepairHeld(std::string_view db, MDB_dbi dbi, const std::string& op_key, const crdt::Op& op,
                    const std::string& bytes, const Status& why);

  Store::Impl& store_;
  Txn& txn_;
  const std::vector<std::string>& outbox_peers_;
  struct Chain {
    uint64_t seq = 0;    // contiguous seq as of this transaction
    bool dirty = false;  // advanced by this batch: written by Finish
    std::string scope;
    crdt::NodeId origin = 0;
  };
  // The chain's entry in vv_ (read from `vv` the first time); stable until the Batch ends.
  Result<Chain*> ChainOf(const std::string& scope, crdt::NodeId origin);
  std::unordered_map<std::string, Chain> vv_;  // by chain key
  Chain* last_chain_ = nullptr;                // the one ChainOf returned last
  std::map<std::string, Record> records_;      // by state key
  std::deque<crdt::Op> released_ops_;          // pending ops this batch released (Merge points in)
  std::deque<crdt::Op> replayed_ops_;          // ops read back for rebuilds (Record::replay)
  bool pending_checked_ = false;
  bool pending_possible_ = true;
  size_t released_ = 0;
  bool pending_added_ = false;  // this batch held a new pending op (the total bound applies)
  const crdt::Op* next_ = nullptr;
  bool defer_op_puts_ = false;
  std::unordered_map<std::string, const std::string*> deferred_;  // op key -> op bytes
  struct DeferredOp {
    const std::string* key;  // in deferred_
    const std::string* bytes;
    const std::string* sealed;  // the caller's slot, or null: Finish seals
  };
  std::vector<DeferredOp> deferred_order_;  // Hold order (the op log's key order for ApplyBatch)
};

// Builds index `slot` from every record state when it has never been built (meta marker).
Status BuildIndexIfNew(Store::Impl& store, Txn& txn, const IndexSlot& slot);
// The state value stored under `state_key` (the compact form, sealed or checked as is), and
// back.
Result<crdt::RecordState> DecodeState(const Store::Impl& store, std::string_view state_key,
                                      std::string_view stored);
std::string EncodeState(const Store::Impl& store, std::string_view state_key,
                        const crdt::RecordState& state);
// Schema 1 kept states in the canonical form, packed: rewrites every one in the compact form
// (one that does not open or decode is left as it is, unreadable as before).
Status MigrateStatesFromV1(Store::Impl& store, Txn& txn);
// Decodes and checks the op stored in `db` under `op_key`.
Result<crdt::Op> DecodeStoredOp(const Store::Impl& store, std::string_view db,
                                std::string_view op_key, std::string_view stored,
                                std::string* bytes_out = nullptr);

// The IndexWriter handed to indexers: checked frames in "idx:<name>".
class IndexWriterImpl : public IndexWriter {
 public:
  IndexWriterImpl(Txn& txn, const IndexSlot& slot) : txn_(txn), slot_(slot) {}
  Status Put(std::string_view key, std::string_view value) override;
  Status Delete(std::string_view key) override;
  Result<std::optional<std::string>> Get(std::string_view key) override;

 private:
  Txn& txn_;
  const IndexSlot& slot_;
};

}  // namespace fulei::store::internal

#endif  // FULEI_STORE_INTERNAL_BATCH_H_
