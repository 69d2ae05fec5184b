// RecordState: the merged state of one record, built by applying ops in any order.
//
// Each field holds entries written by ops:
//   - kSet entries form a multi-value register: concurrent writes are all kept and the field
//     reports a conflict until a write that saw them all supersedes them. Winner() gives a
//     deterministic single value (highest OpId: stamp, then origin) for reads that need one.
//   - kAdd entries form an observed-remove set: an element is present while any of its add tags
//     is live; a remove drops only the tags it observed, so a concurrent add survives.
//   - kAppend entries form an append-only log (contacts, receipts): entries are never removed;
//     an entry a remove or a delete saw is marked covered, but stays in the history.
// Superseded (id, key) pairs are remembered as tombstones, so an op that arrives after the op
// that superseded it stays dead: Apply is commutative, associative and idempotent, and Encode()
// of two states that applied the same set of ops is byte-identical whatever the order.
//
// Deletion: the reserved OR-set field "$deleted". A delete op adds its marker and removes every
// value it saw (DeleteWrites). The record is deleted while a marker is live and no uncovered
// value remains; a write that did not see the delete keeps the record alive and sets
// delete_conflict() so a person can decide. RestoreWrites() removes the observed markers.
//
// Thread-compatible value type. Views returned by accessors are valid until the next Apply()
// or until the RecordState is destroyed.
#ifndef FULEI_CRDT_RECORD_H_
#define FULEI_CRDT_RECORD_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crdt/op.h"
#include "crdt/status.h"

namespace fulei::crdt {

struct Entry {
  OpId id;
  WriteKind kind = WriteKind::kSet;  // kSet, kAdd or kAppend
  std::string value;                 // register value, set element, or log entry

  friend bool operator==(const Entry&, const Entry&) = default;
};

struct Tombstone {
  OpId id;
  std::string key;  // the set element for set tags; empty for registers and log entries

  friend auto operator<=>(const Tombstone&, const Tombstone&) = default;
  friend bool operator==(const Tombstone&, const Tombstone&) = default;
};

class FieldState {
 public:
  // Register values (kSet entries), oldest id first. More than one means a conflict.
  std::vector<const Entry*> values() const;
  bool conflict() const;
  // The deterministic winner among the register values, or nullptr when there is none.
  const Entry* Winner() const;

  // Set elements present (each with at least one live tag), sorted, without duplicates.
  std::vector<std::string> Elements() const;
  // Live tags of one element (the ids a remove must name).
  std::vector<OpId> TagsOf(std::string_view element) const;

  // Log entries, oldest id first, covered ones included.
  std::vector<const Entry*> LogEntries() const;
  bool Covered(const Entry& e) const;

  // True when no register value, set element or uncovered log entry is live.
  bool empty() const;

  // All entries: register values, live set tags, and log entries (covered ones included),
  // sorted by (id, value). Used by the codec and by indexes.
  const std::vector<Entry>& entries() const { return entries_; }
  const std::vector<Tombstone>& tombstones() const { return tombstones_; }

 private:
  friend class RecordState;
  friend struct RecordCodec;
  bool IsDead(const OpId& id, std::string_view key) const;
  // Whether an entry (id, kind, value) / a tombstone (id, key) may follow `last` in the sorted
  // order the encodings keep (the decoders check it).
  static bool EntryFollows(const Entry& last, const OpId& id, WriteKind kind,
                           std::string_view value);
  static bool TombstoneFollows(const Tombstone& last, const OpId& id, std::string_view key);
  void Bury(const OpId& id, std::string_view key);
  void Insert(Entry e);

  std::vector<Entry> entries_;         // sorted by (id, key)
  std::vector<Tombstone> tombstones_;  // sorted
};

class RecordState {
 public:
  RecordState() = default;

  // Applies an op to this record. Idempotent; commutative with every other op.
  // REQUIRES: op.key is this record's key (the caller routes ops by key); ValidateOp(op) is OK.
  // An erased op (no body) only updates created/updated.
  void Apply(const Op& op);

  // The field, or nullptr when nothing was ever written to it. Valid until the next Apply().
  const FieldState* Field(std::string_view name) const;
  const std::map<std::string, FieldState, std::less<>>& fields() const { return fields_; }

  // Convenience: the winner value of a register field, if any.
  std::optional<std::string> Get(std::string_view field) const;

  // Fields (not "$deleted") whose register has concurrent values.
  std::vector<std::string> Conflicts() const;

  // Deletion state (see the header comment).
  bool deleted() const;
  bool delete_conflict() const;

  // Lowest and highest op id applied (including erased ops); zero ids when none was applied.
  OpId created() const { return created_; }
  OpId updated() const { return updated_; }
  bool has_ops() const { return updated_.origin != 0; }

  // Canonical bytes: same set of applied ops => same bytes. See docs/formats.md.
  std::string Encode() const;
  // Reads bytes written by Encode(); kCorruption on anything else. require_canonical = false
  // is for bytes an authenticated store wrote itself: it skips the canonical-form check (about
  // a third of decoding) but still checks bounds, kinds and order, so bad bytes give an error,
  // never undefined behaviour.
  static Result<RecordState> Decode(std::string_view bytes, bool require_canonical = true);

  // Compact form: the store's on-disk form of a state (docs/formats.md). Lengths and varints,
  // no pointers or padding: about half the canonical bytes and several times cheaper to write
  // and read. One state has one compact form, but it is not the canonical encoding: equality,
  // hashes and the wire use Encode(). DecodeCompact reads untrusted bytes: every length and
  // count is bounded by the bytes left, varints must be minimal, kinds and orders are checked
  // as in Decode(bytes, false); anything else gives kCorruption.
  std::string EncodeCompact() const;
  static Result<RecordState> DecodeCompact(std::string_view bytes);

  friend bool operator==(const RecordState& a, const RecordState& b) {
    return a.Encode() == b.Encode();
  }

 private:
  friend struct RecordCodec;
  bool AnyLiveValue() const;

  std::map<std::string, FieldState, std::less<>> fields_;
  OpId created_;
  OpId updated_;
};

// Write builders: the writes a careful client makes against what it currently sees.

// Sets a register field, superseding every value currently there (this resolves a conflict).
FieldWrite SetWrite(const RecordState& state, std::string field, std::string value);
// Clears a register field (supersedes all its values, writes none).
FieldWrite ClearWrite(const RecordState& state, std::string field);
// Adds an element to a set field.
FieldWrite AddWrite(std::string field, std::string element);
// Removes an element from a set field (its observed tags). Returns nullopt when absent.
std::optional<FieldWrite> RemoveWrite(const RecordState& state, std::string field,
                                      std::string element);
// Appends an entry to a log field.
FieldWrite AppendWrite(std::string field, std::string entry);
// A delete: the marker plus removal of every live value the state shows.
std::vector<FieldWrite> DeleteWrites(const RecordState& state);
// Undoes a delete: removes the live deletion markers.
std::vector<FieldWrite> RestoreWrites(const RecordState& state);

}  // namespace fulei::crdt

#endif  // FULEI_CRDT_RECORD_H_
