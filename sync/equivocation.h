// Equivocation: an origin that signed two chains which disagree, and the evidence a node keeps.
//
// Each (scope, origin) log is one hash chain (crypto/op_chain.h): op n names the header hash of
// op n-1. An origin that signs two different ops at one seq has forked its chain — a bug, a
// node restored from an old backup that carried on writing, or a stolen key. Each side of a
// fork verifies on its own; only a node that holds one side and receives the other can see it.
// So the session (sync/session.h) compares every run it verified against what its store holds
// of that chain (FindEquivocation): the op before the run, the run's ops it already holds, and
// the op after the run (held pending when the later half of a fork arrived first). A conflict is
// refused, and the detecting node keeps the two signed sides as evidence the city can see:
//
// Evidence record (docs/protocol.md#equivocation), written once through the node's LocalWriter
// into the detecting node's own unit, a scope that replicates up to the city:
//   key    = (detecting unit, "$equivocation",
//             "<origin hex>.<seq>.<scope digest: 16 hex>@<detecting node hex>")
//   fields = registers: origin (hex), scope, seq (decimal), node (hex), unit, peer (hex: who
//            sent the received side), detected_ms (decimal), and for each side, received_* and
//            held_*: _head (the signed head, crypto::EncodeSignedHead bytes), _from (decimal:
//            the seq of its first op) and _ops (its ops from _from up to the head, each with its
//            body removed — the canonical erased form, so no person's data is copied — as
//            u32 big-endian length || bytes, at most kMaxEvidenceOps of them).
// A side "says" what op `seq` hashes to: the header hash of its first op when _from == seq, that
// op's prev_hash when _from == seq + 1. VerifyEquivocation checks both sides against the
// origin's certificate (each a chain ending at a head the origin signed) and that they differ,
// so the record proves the equivocation to anyone, without trusting the node that wrote it.
//
// Thread-compatible: the store's rules apply.
#ifndef FULEI_SYNC_EQUIVOCATION_H_
#define FULEI_SYNC_EQUIVOCATION_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crdt/op.h"
#include "crdt/status.h"
#include "crypto/certificate.h"
#include "store/store.h"
#include "sync/local_writer.h"

namespace fulei::sync {

inline constexpr char kEquivocationType[] = "$equivocation";
// Ops kept per side. A side whose head lies further from the conflict keeps the first ones
// (the record then names the conflict but cannot prove it alone).
inline constexpr size_t kMaxEvidenceOps = 256;

// One side of a fork: a head the origin signed and its chain's ops from seq `from` up to it,
// each as the canonical bytes of the op with its body removed (erased, no authorisation).
struct SignedSide {
  std::string head;  // crypto::EncodeSignedHead; empty when the holder keeps none
  uint64_t from = 0;
  std::vector<std::string> ops;
  friend bool operator==(const SignedSide&, const SignedSide&) = default;
};

struct Equivocation {
  crdt::NodeId origin = 0;
  std::string scope;
  uint64_t seq = 0;  // the op whose header hash the two sides disagree on
  // Who detected it, from whom the received side came, and when (the detecting node's clock).
  crdt::NodeId node = 0;
  std::string unit;
  crdt::NodeId peer = 0;
  uint64_t detected_ms = 0;
  SignedSide received, held;
  friend bool operator==(const Equivocation&, const Equivocation&) = default;
};

// Compares `run` — contiguous ops of one (scope, origin), already verified to end at the signed
// head `head` (crypto::EncodeSignedHead bytes) — with what `store` holds of that chain: the op
// before it, the highest of its seqs the store holds contiguously, and the op after it. Returns
// the first conflict found (origin, scope, seq and both sides set; who and when left for the
// caller), or nullopt. REQUIRES: run is not empty. Errors: the store's.
Result<std::optional<Equivocation>> FindEquivocation(store::Store& store,
                                                     std::span<const crdt::Op> run,
                                                     std::string_view head);

// The evidence record's key, and the local change that writes it.
crdt::RecordKey EvidenceKey(const Equivocation& e);
store::LocalChange EvidenceChange(const Equivocation& e);

// Writes the evidence record through `writer` unless the store holds it already. Returns true
// when it wrote it. Errors: the store's.
Result<bool> KeepEvidence(store::Store& store, LocalWriter& writer, const Equivocation& e,
                          uint64_t now_ms);

// Every evidence record held in scopes at or below `scope_prefix` ("" for all), oldest
// detection first. Records whose fields do not parse are skipped. For the admin web.
Result<std::vector<Equivocation>> ListEquivocations(store::Store& store,
                                                    std::string_view scope_prefix);

// OK when `e` proves that `origin_cert`'s node signed two chains disagreeing at e.seq: each side
// decodes, is one chain of (e.scope, e.origin) ending at its head, the origin signed each head,
// and the sides say different hashes for op e.seq. kUnauthenticated / kInvalidArgument
// otherwise. REQUIRES: origin_cert was verified by the caller and is e.origin's.
Status VerifyEquivocation(const Equivocation& e, const crypto::Certificate& origin_cert);

// One line for logs and session errors: "origin 00..ab signed two chains of 'scope' that
// disagree at seq 4".
std::string DescribeEquivocation(const Equivocation& e);

}  // namespace fulei::sync

#endif  // FULEI_SYNC_EQUIVOCATION_H_
