// The quarantine of unreadable values (docs/store.md, "Faults and quarantine"): the `quarantine`
// database, what is done with each kind of value, and the replays that read around them.
// Implemented in store/maintenance.cc. Not a public header.
//
// `quarantine` key: S(db) ‖ the value's key in db. Value (checked frame): u8 action
// (QuarantineAction) ‖ u8 flags (bit 0: urgent) ‖ reason (UTF-8, at most 512 bytes).
//
// Every function runs inside the caller's transaction; those that write need a write
// transaction. Values they find unreadable on the way are noted (Impl::Note), never returned.
#ifndef FULEI_STORE_INTERNAL_QUARANTINE_H_
#define FULEI_STORE_INTERNAL_QUARANTINE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "crdt/op.h"
#include "crdt/record.h"
#include "crdt/status.h"
#include "store/internal/store_impl.h"
#include "store/store.h"

namespace fulei::store::internal {

// Writes (or rewrites) the quarantine entry of (db, key).
Status PutQuarantine(Store::Impl& s, Txn& txn, std::string_view db, std::string_view key,
                     QuarantineAction action, bool urgent, std::string_view why);

// Deals with one noted value: re-reads it (one that reads well now, or that a drop before it
// already removed, is left alone), then drops, rebuilds or keeps it and writes its quarantine
// entry. Sets *states_rebuilt when it rewrote a record state (the indexes must be rebuilt).
// Returns the action taken, nullopt when none was needed.
Result<std::optional<QuarantineAction>> QuarantineValue(Store::Impl& s, Txn& txn,
                                                        const Unreadable& u, bool* states_rebuilt);

// The state of record `key` replayed from the op log: its ops in `ops` and its urgent ops in
// `pending` (store.h). Ops that do not read are noted and left out. nullopt when no op held
// makes the record. Time: every op of the record's scope is read.
Result<std::optional<crdt::RecordState>> ReplayRecord(Store::Impl& s, Txn& txn,
                                                      const crdt::RecordKey& key);

// The vv entry of (scope, origin) recounted from the op log: the contiguous seqs held from 1.
// For the node's own chain, the highest seq held in `ops` or `heads` instead, so that a seq is
// never issued twice.
Result<uint64_t> RecountChain(Store::Impl& s, Txn& txn, std::string_view scope,
                              crdt::NodeId origin);

// Deletes the ops of (scope, origin) from seq `from` on.
Status DropOpsFrom(Store::Impl& s, Txn& txn, std::string_view scope, crdt::NodeId origin,
                   uint64_t from);

// Empties every index and rebuilds it from the states (unreadable states are noted, skipped).
Status RebuildIndexes(Store::Impl& s, Txn& txn);

}  // namespace fulei::store::internal

#endif  // FULEI_STORE_INTERNAL_QUARANTINE_H_
