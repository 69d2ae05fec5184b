// Batch: the work of one write transaction that holds ops — the core of ApplyBatch and
// WriteLocal. Not a public header.
//
// Hold() takes one op (with its canonical bytes) and decides: duplicate (held already, bytes
// compared), applied (next in its chain: op log + state), or pending (a gap before it). After an
// op is applied, ops that earlier batches left pending are released while they are contiguous.
// Finish() writes the touched version vectors and record states and runs the indexers — all in
// the same transaction. Everything read is cached for the transaction's lifetime only.
#ifndef FULEI_STORE_INTERNAL_BATCH_H_
#define FULEI_STORE_INTERNAL_BATCH_H_

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

class Batch {
 public:
  Batch(Store::Impl& store, Txn& txn, const std::vector<std::string>& outbox_peers);

  // REQUIRES: ValidateOp(op) is OK; bytes == EncodeOp(op).
  Result<Outcome> Hold(const crdt::Op& op, const std::string& bytes);
  // Highest contiguous seq of (scope, origin) as of this transaction.
  Result<uint64_t> Contiguous(const std::string& scope, crdt::NodeId origin);
  // The held op (scope, origin, seq) from the op log, decoded; kNotFound when absent.
  Result<crdt::Op> LoadOp(const std::string& scope, crdt::NodeId origin, uint64_t seq);
  // Writes vv, states, indexes. Call once, last.
  Status Finish(std::vector<crdt::RecordKey>* changed);

  size_t released() const { return released_; }
  // Hint: the next op Hold() will see is (scope, origin, seq); lets Hold skip a pending probe.
  void set_next(const crdt::Op* next) { next_ = next; }

 private:
  struct Record {
    crdt::RecordKey key;
    std::optional<crdt::RecordState> before;
    crdt::RecordState after;
  };
  Status Apply(const crdt::Op& op, const std::string& bytes, const std::string& op_key);
  Status Release(const std::string& scope, crdt::NodeId origin);
  Status Merge(const crdt::Op& op);
  Status SameAsHeld(std::string_view db, MDB_dbi dbi, const std::string& op_key,
                    const std::string& bytes);
  Status QueueOutbox(const crdt::Op& op);

  Store::Impl& store_;
  Txn& txn_;
  const std::vector<std::string>& outbox_peers_;
  struct Chain {
    uint64_t seq = 0;    // contiguous seq as of this transaction
    bool dirty = false;  // advanced by this batch: written by Finish
  };
  std::unordered_map<std::string, Chain> vv_;  // by chain key
  std::map<std::string, Record> records_;      // by state key
  bool pending_checked_ = false;
  bool pending_possible_ = true;
  size_t released_ = 0;
  bool pending_added_ = false;  // this batch held a new pending op (the total bound applies)
  const crdt::Op* next_ = nullptr;
};

// Builds index `slot` from every record state when it has never been built (meta marker).
Status BuildIndexIfNew(Store::Impl& store, Txn& txn, const IndexSlot& slot);
// Decodes the state value stored under `state_key`.
Result<crdt::RecordState> DecodeState(const Store::Impl& store, std::string_view state_key,
                                      std::string_view stored);
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
