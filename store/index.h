// Secondary indexes that later layers (programme/, sync/) register with the store.
//
// An Indexer is called inside the LMDB write transaction that changes a record, once per changed
// record, with the record's merged state before and after the batch. It keeps its own entries
// (in its own named database, "idx:<name>") through the IndexWriter, so an index is always
// exactly as durable as the records it describes: both commit, or neither does.
//
// Index keys and values are stored unsealed: they must never hold a person's name or any other
// sensitive field value (counts, dates, record ids and categories are fine).
//
// Threading: OnChange runs on the store's writer thread, inside the write transaction; it must
// not call back into the Store. The IndexWriter is valid only during that call.
#ifndef FULEI_STORE_INDEX_H_
#define FULEI_STORE_INDEX_H_

#include <optional>
#include <string>
#include <string_view>

#include "crdt/op.h"
#include "crdt/record.h"
#include "crdt/status.h"

namespace fulei::store {

class IndexWriter {
 public:
  virtual ~IndexWriter() = default;
  virtual Status Put(std::string_view key, std::string_view value) = 0;
  virtual Status Delete(std::string_view key) = 0;  // OK when absent
  // Reads an entry as of this transaction (sees this transaction's own Puts).
  virtual Result<std::optional<std::string>> Get(std::string_view key) = 0;
};

class Indexer {
 public:
  virtual ~Indexer() = default;
  // Stable name; the index lives in LMDB database "idx:<name>".
  virtual std::string_view name() const = 0;
  // `before` is nullptr when the record did not exist before this batch.
  // A non-OK status aborts the whole batch (nothing of it is committed).
  virtual Status OnChange(const crdt::RecordKey& key, const crdt::RecordState* before,
                          const crdt::RecordState& after, IndexWriter& writer) = 0;
};

}  // namespace fulei::store

#endif  // FULEI_STORE_INDEX_H_
