// LocalWriter: how a node makes its own ops — hash-chained, signed at each commit, durable.
//
// Write() runs ONE store transaction (store::Store::WriteLocal): each new op gets its seq, HLC
// stamp, prev_hash and body_hash (crypto/op_chain.h); the head of each (scope) chain the commit
// touched is signed with the node's key and stored with the ops; urgent ops are queued in the
// given outboxes. When Write returns OK, everything is durable and ready to sync.
//
// Thread-compatible: one owner. REQUIRES: store, key and clock outlive the writer.
#ifndef FULEI_SYNC_LOCAL_WRITER_H_
#define FULEI_SYNC_LOCAL_WRITER_H_

#include <span>
#include <string>
#include <vector>

#include "crdt/hlc.h"
#include "crdt/op.h"
#include "crdt/status.h"
#include "crypto/signing.h"
#include "store/store.h"

namespace fulei::sync {

class LocalWriter {
 public:
  LocalWriter(store::Store& store, const crypto::SigningKey& key, crdt::HybridClock& clock)
      : store_(store), key_(key), clock_(clock) {}

  Result<std::vector<crdt::Op>> Write(std::span<const store::LocalChange> changes, uint64_t wall_ms,
                                      const std::vector<std::string>& outbox_peers = {});

 private:
  store::Store& store_;
  const crypto::SigningKey& key_;
  crdt::HybridClock& clock_;
};

}  // namespace fulei::sync

#endif  // FULEI_SYNC_LOCAL_WRITER_H_
