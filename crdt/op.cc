#include "crdt/op.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <tuple>
#include <vector>

namespace fulei::crdt {

std::string OpId::ToString() const {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s@%016" PRIx64, stamp.ToString().c_str(), origin);
  return buf;
}

std::string RecordKey::ToString() const { return scope + "|" + type + "|" + id; }

namespace {

Status CheckKeyPart(std::string_view what, std::string_view part) {
  if (part.empty()) return InvalidArgument(std::string(what) + " is empty");
  if (part.size() > kMaxKeyPartBytes) {
    return InvalidArgument(std::string(what) + " is longer than " +
                           std::to_string(kMaxKeyPartBytes) + " bytes");
  }
  for (char c : part) {
    // Keys sort and print in the store and in logs: no control characters, no separator '|'.
    if (static_cast<unsigned char>(c) < 0x20 || c == '|') {
      return InvalidArgument(std::string(what) + " holds a control character or '|'");
    }
  }
  return Status::Ok();
}

}  // namespace

Status ValidateOp(const Op& op) {
  if (op.origin == 0) return InvalidArgument("op.origin is 0");
  if (op.seq == 0) return InvalidArgument("op.seq is 0 (sequences start at 1)");
  FULEI_RETURN_IF_ERROR(CheckKeyPart("op.key.scope", op.key.scope));
  FULEI_RETURN_IF_ERROR(CheckKeyPart("op.key.type", op.key.type));
  FULEI_RETURN_IF_ERROR(CheckKeyPart("op.key.id", op.key.id));
  if (op.author.size() > kMaxKeyPartBytes) return InvalidArgument("op.author is too long");
  if (op.erased && !op.writes.empty()) return InvalidArgument("erased op carries writes");
  if (!op.erased && !op.erasure.empty()) {
    return InvalidArgument("op carries an erasure authorisation but is not erased");
  }
  if (op.erasure.size() > kMaxErasureBytes) {
    return InvalidArgument("op erasure authorisation is too long");
  }
  if (op.writes.size() > kMaxWritesPerOp) return InvalidArgument("op has too many writes");

  const OpId self = op.id();
  // Names write i in an error (built only on error: this runs for every op received).
  auto where = [&](size_t i) { return "op write to field '" + op.writes[i].field + "'"; };
  // One value-writing kind per field; kSet at most once; each (field, element) added or
  // removed at most once; one append per field. Checked on the sorted slots below (a sort, not
  // sets or a scan per write: an op may hold kMaxWritesPerOp writes).
  struct Slot {
    std::string_view field;
    WriteKind kind;
    std::string_view element;  // the set element for kAdd / kRemove, else empty
    size_t index;
    auto Key() const { return std::tie(field, kind, element, index); }
  };
  std::vector<Slot> slots;
  slots.reserve(op.writes.size());
  for (size_t i = 0; i < op.writes.size(); ++i) {
    const FieldWrite& w = op.writes[i];
    if (w.field.empty()) return InvalidArgument("op write has an empty field name");
    if (w.field.size() > kMaxFieldNameBytes) return InvalidArgument(where(i) + ": name too long");
    if (w.value.size() > kMaxValueBytes) return InvalidArgument(where(i) + ": value too large");
    if (w.supersedes.size() > kMaxSupersedesPerWrite) {
      return InvalidArgument(where(i) + ": supersedes too many values");
    }
    if (w.kind != WriteKind::kSet && w.kind != WriteKind::kAdd && w.kind != WriteKind::kRemove &&
        w.kind != WriteKind::kAppend) {
      return InvalidArgument(where(i) + ": unknown write kind");
    }
    for (const OpId& s : w.supersedes) {
      if (!(s < self)) {
        return InvalidArgument(where(i) + ": supersedes " + s.ToString() +
                               ", which is not older than the op itself");
      }
      if (s.origin == 0) return InvalidArgument(where(i) + ": supersedes an id with origin 0");
    }
    const bool element = w.kind == WriteKind::kAdd || w.kind == WriteKind::kRemove;
    slots.push_back(Slot{w.field, w.kind, element ? std::string_view(w.value) : "", i});
  }
  std::sort(slots.begin(), slots.end(),
            [](const Slot& a, const Slot& b) { return a.Key() < b.Key(); });
  for (size_t g = 0; g < slots.size();) {  // each group: the writes to one field
    size_t end = g + 1;
    while (end < slots.size() && slots[end].field == slots[g].field) ++end;
    const Slot* writer = nullptr;  // the group's value-writing kind (kSet, kAdd or kAppend)
    for (size_t k = g; k < end; ++k) {
      const Slot& x = slots[k];
      if (k > g && x.kind == slots[k - 1].kind && x.element == slots[k - 1].element) {
        return InvalidArgument(where(x.index) + (x.kind == WriteKind::kAppend
                                                     ? ": appended twice in one op"
                                                     : ": written twice in one op"));
      }
      if (x.kind == WriteKind::kRemove) continue;
      if (writer != nullptr && writer->kind != x.kind) {
        return InvalidArgument(where(std::max(writer->index, x.index)) +
                               ": written with two different kinds");
      }
      writer = &x;
    }
    g = end;
  }
  return Status::Ok();
}

}  // namespace fulei::crdt
