// Receipts of urgent ops: who durably holds a report or help request, and since when.
//
// When a node durably holds an urgent op written by another node (a mandatory report, a help
// request, a status change of one), it writes one receipt record into the op's own scope:
//   scope = the op's scope, type = "receipt",
//   id    = "<origin hex>.<seq>@<receiving node hex>"   (one record per (op, receiving node)),
// with register fields report_type, report_id, origin (hex), seq, node (hex), unit and
// received_ms (the receiving node's wall clock, never before its HLC, in ms since the epoch).
// The receipt op is itself urgent and travels back towards the op's origin ahead of any backlog
// (docs/protocol.md, "Urgent ops and receipts"). Receipts never get receipts, a node never writes
// a receipt for its own op or for an erased one (a body it does not hold), and the id being
// fixed by (op, node) makes the write idempotent: a node that crashed between holding the op
// and writing its receipt writes it when the op is sent to it again (the sender resends until
// it sees the UrgentAck, which follows the receipt).
//
// Pure functions plus one store read; thread-compatible (the store's rules apply).
#ifndef FULEI_SYNC_RECEIPTS_H_
#define FULEI_SYNC_RECEIPTS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crdt/op.h"
#include "crdt/status.h"
#include "store/store.h"

namespace fulei::sync {

inline constexpr char kReceiptType[] = "receipt";

// One receipt as read back from the store.
struct Receipt {
  std::string report_type, report_id;  // the record the op changed
  crdt::NodeId origin = 0;             // the op's origin and seq in its scope
  uint64_t seq = 0;
  crdt::NodeId node = 0;  // the receiving node
  std::string unit;       // its org unit
  uint64_t received_ms = 0;
  friend bool operator==(const Receipt&, const Receipt&) = default;
};

// True when holding `op` at node `self` (unit `self_unit`) calls for a receipt: the op is urgent,
// carries its body (is not erased: no receipt is ever written for a body that was not
// received), is not itself a receipt, was written by another node, and `self_unit` may write
// its scope. (The session also writes none when the copy it holds is erased.)
bool WantsReceipt(const crdt::Op& op, crdt::NodeId self, std::string_view self_unit);

// The record key of the receipt `self` writes for `op`.
crdt::RecordKey ReceiptKey(const crdt::Op& op, crdt::NodeId self);

// The local change that records `self`'s receipt of `op` (urgent flag set).
store::LocalChange ReceiptChange(const crdt::Op& op, crdt::NodeId self, std::string_view self_unit,
                                 uint64_t received_ms);

// Every receipt held for record (scope, type, id), oldest first (by received_ms, then unit).
// Receipts whose fields do not parse are skipped (a receipt is display data, never trusted for
// anything else). Errors: the store's.
Result<std::vector<Receipt>> ReceiptsFor(store::Store& store, std::string_view scope,
                                         std::string_view type, std::string_view id);

// Lower-case 16-digit hex of a node id, as used in receipt ids and fields.
std::string NodeHex(crdt::NodeId id);

}  // namespace fulei::sync

#endif  // FULEI_SYNC_RECEIPTS_H_
