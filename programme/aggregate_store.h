// StoreCounterReader: the aggregation's read side over a store::Store, reading index
// "programme.agg" (aggregate.h) through Store::ScanIndex — one read transaction per Scan call.
// Register an AggregateIndexer in StoreOptions::indexers for the index to exist (kNotFound
// otherwise). Same threading as the Store: the node's event loop thread. Does not own the Store.
#ifndef FULEI_PROGRAMME_AGGREGATE_STORE_H_
#define FULEI_PROGRAMME_AGGREGATE_STORE_H_

#include "programme/aggregate.h"
#include "store/store.h"

namespace fulei::programme {

class StoreCounterReader : public CounterReader {
 public:
  explicit StoreCounterReader(store::Store& store) : store_(store) {}
  Status Scan(std::string_view prefix,
              const std::function<bool(std::string_view, std::string_view)>& fn) override {
    return store_.ScanIndex(kAggregateIndexName, prefix, fn);
  }

 private:
  store::Store& store_;
};

}  // namespace fulei::programme

#endif  // FULEI_PROGRAMME_AGGREGATE_STORE_H_
