// Op: one change to one record, the unit of replication. See docs/formats.md for the encoding.
//
// A record is (scope, type, id) -> fields. scope is the org unit that owns the record
// ("jinjiang/cizao/v012"), type a programme record type ("child", "contact", ...).
// An op is written by one origin node, numbered by a per-(origin, scope) sequence (1, 2, ...),
// stamped by the origin's hybrid logical clock, and carries a list of field writes. Each write
// names the values it has seen and supersedes, by the id of the op that wrote them: causality
// comes from these names, never from wall time.
//
// Op ids: OpId{stamp, origin} is unique because an origin's HLC is strictly increasing. OpIds
// order by stamp, then origin: the deterministic winner order of a multi-value register.
//
// Hash chain (filled in by crypto/, opaque here): each (origin, scope) log is a chain; an op's
// header holds the hash of the previous op's header (prev_hash) and of its own body (body_hash).
// An erased op keeps its header (so the chain still verifies) and drops its body (erased=true).
// It carries the signed authorisation of its erasure (`erasure`, crypto/erasure.h; opaque here),
// outside the header: the chain does not cover it, the authorisation's own signature does.
//
// Plain value types; thread-compatible.
#ifndef FULEI_CRDT_OP_H_
#define FULEI_CRDT_OP_H_

#include <array>
#include <compare>
#include <cstdint>
#include <string>
#include <vector>

#include "crdt/hlc.h"
#include "crdt/status.h"

namespace fulei::crdt {

// A node id: 64 bits derived from the node's public key by crypto/ (0 is never a valid node).
using NodeId = uint64_t;

struct OpId {
  Stamp stamp;
  NodeId origin = 0;

  friend auto operator<=>(const OpId&, const OpId&) = default;
  friend bool operator==(const OpId&, const OpId&) = default;
  std::string ToString() const;  // "1732851723123.4@00000000deadbeef"
};

struct RecordKey {
  std::string scope;  // org unit path, e.g. "jinjiang/cizao/v012"; never holds a person's name
  std::string type;   // record type, e.g. "child"
  std::string id;     // record id within (scope, type); opaque, never a person's name

  friend auto operator<=>(const RecordKey&, const RecordKey&) = default;
  friend bool operator==(const RecordKey&, const RecordKey&) = default;
  std::string ToString() const;  // "jinjiang/cizao/v012|child|c-0001"
};

// How a write changes its field. A well-formed field keeps one kind for its whole life (the
// programme schema fixes it). ValidateOp refuses an op that writes one field with two kinds; if
// ops of different kinds still meet in one field (a buggy peer), RecordState keeps every entry
// with its kind, deterministically, so replicas agree and nothing is dropped.
enum class WriteKind : uint8_t {
  kSet = 0,     // multi-value register: value replaces the values named in supersedes
  kAdd = 1,     // observed-remove set: adds element `value` (tagged with this op's id)
  kRemove = 2,  // OR-set removal or register clear: drops the values/tags named in supersedes
  kAppend = 3,  // append-only log: adds entry `value` (identified by this op's id)
};

struct FieldWrite {
  std::string field;
  WriteKind kind = WriteKind::kSet;
  std::string value;             // bytes; empty for kRemove
  std::vector<OpId> supersedes;  // ids of the values this write has seen and replaces

  friend bool operator==(const FieldWrite&, const FieldWrite&) = default;
};

// Op flags.
inline constexpr uint32_t kOpFlagUrgent = 1u << 0;  // urgent report traffic (outbox, priority)

// Reserved field: the record's deletion marker, an OR-set. Deleting adds the element ""; a
// restore removes the observed tags. Names starting with '$' are reserved for the system.
inline constexpr std::string_view kDeletedField = "$deleted";

using Hash = std::array<uint8_t, 32>;

struct Op {
  // Header: kept forever, covered by the chain.
  NodeId origin = 0;
  uint64_t seq = 0;  // 1-based, per (origin, key.scope), contiguous
  Stamp stamp;
  std::string author;  // user id of the person who made the change (not a name)
  RecordKey key;
  uint32_t flags = 0;
  Hash prev_hash{};     // hash of the previous op header in this (origin, scope) chain
  Hash body_hash{};     // hash of the encoded body
  bool erased = false;  // body removed by a lawful erasure; writes is empty
  // Not covered by the chain: the encoded erasure authorisation (crypto/erasure.h) that an
  // erased op carries so every hop can check it; empty on an unerased op.
  std::string erasure;

  // Body.
  std::vector<FieldWrite> writes;

  OpId id() const { return OpId{stamp, origin}; }
  bool urgent() const { return (flags & kOpFlagUrgent) != 0; }

  friend bool operator==(const Op&, const Op&) = default;
};

// Checks an op's shape, independent of any record state: origin != 0, seq >= 1, scope, type and
// id non-empty and within limits, field names non-empty, at most one kSet/kRemove per field,
// value sizes bounded, every superseded id strictly older than the op itself (an op cannot
// supersede the future), kRemove carries no value, an erasure authorisation only on an erased
// op and at most kMaxErasureBytes (whether it is valid is crypto's to check). Returns
// kInvalidArgument naming the problem.
Status ValidateOp(const Op& op);

// Limits applied by ValidateOp and by the decoder.
inline constexpr size_t kMaxKeyPartBytes = 256;
inline constexpr size_t kMaxFieldNameBytes = 128;
inline constexpr size_t kMaxValueBytes = 1 << 20;  // 1 MiB per value
inline constexpr size_t kMaxWritesPerOp = 4096;
inline constexpr size_t kMaxSupersedesPerWrite = 4096;
inline constexpr size_t kMaxErasureBytes = 4096;  // an erasure authorisation with its chain

// Builds a delete op's writes: adds the deletion marker and removes every live value it saw.
// (Helpers for building ops from a RecordState live in record.h.)

}  // namespace fulei::crdt

#endif  // FULEI_CRDT_OP_H_
