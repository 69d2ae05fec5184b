// The compact wire encoding of a batch's ops (format: docs/protocol.md#packed-ops), used by
// sync/messages.cc for OpsBatch. Internal to sync/: the rest of the code sees OpsBatch::ops as
// canonical op bytes (crdt/codec.h) and never this encoding.
//
// PackOps groups the ops into runs of one (scope, origin) with consecutive seqs, sends scope,
// origin and first seq once per run, stamps as deltas, strings (author, type, record id, field
// names) and origins through per-batch dictionaries, and leaves out every hash the receiver can
// recompute: the body hash of an unerased op, and the prev hash of every op but a run's first.
// A hash is sent whenever it differs from what the receiver would compute, and an op whose bytes
// are not the canonical encoding of a decodable op is sent verbatim, as is an erased op that
// carries its erasure authorisation (crdt::Op::erasure), so PackOps is lossless for any input:
// UnpackOps(PackOps(ops)) == ops, byte for byte.
//
// UnpackOps reads untrusted bytes: every count and length is bounded (kMaxOpsPerBatch ops, the
// crdt limits per op, kMaxUnpackedBytes of rebuilt ops in all) and anything malformed is
// kCorruption (or kInvalidArgument for a rebuilt op that fails crdt::ValidateOp), never a crash.
// A sender that leaves out a hash cannot forge anything with it: the rebuilt op's hashes are the
// ones its content implies, and the chain check against the origin's signed head
// (crypto/op_chain.h) fails for any op that differs from what the origin signed.
// Thread-safe (no shared state).
#ifndef FULEI_SYNC_OP_PACK_H_
#define FULEI_SYNC_OP_PACK_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "crdt/status.h"

namespace fulei::sync {

// The format byte that opens a packed batch.
inline constexpr uint8_t kOpPackFormat = 1;

// Largest total of rebuilt canonical op bytes UnpackOps produces from one batch (bounds the
// expansion of dictionary references).
inline constexpr size_t kMaxUnpackedBytes = 32u << 20;

std::string PackOps(const std::vector<std::string>& ops);
Result<std::vector<std::string>> UnpackOps(std::string_view packed);

}  // namespace fulei::sync

#endif  // FULEI_SYNC_OP_PACK_H_
