#include "crdt/op.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <set>
#include <tuple>

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
  if (op.writes.size() > kMaxWritesPerOp) return InvalidArgument("op has too many writes");

  const OpId self = op.id();
  // One value-writing kind per field; kSet at most once; each (field, element) added or
  // removed at most once.
  std::set<std::pair<std::string_view, WriteKind>> kinds;
  std::set<std::tuple<std::string_view, WriteKind, std::string_view>> seen;
  for (const FieldWrite& w : op.writes) {
    const std::string where = "op write to field '" + w.field + "'";
    if (w.field.empty()) return InvalidArgument("op write has an empty field name");
    if (w.field.size() > kMaxFieldNameBytes) return InvalidArgument(where + ": name too long");
    if (w.value.size() > kMaxValueBytes) return InvalidArgument(where + ": value too large");
    if (w.supersedes.size() > kMaxSupersedesPerWrite) {
      return InvalidArgument(where + ": supersedes too many values");
    }
    switch (w.kind) {
      case WriteKind::kSet:
      case WriteKind::kAdd:
      case WriteKind::kAppend:
        for (const auto& [f, k] : kinds) {
          if (f == w.field && k != w.kind) {
            return InvalidArgument(where + ": written with two different kinds");
          }
        }
        kinds.emplace(w.field, w.kind);
        break;
      case WriteKind::kRemove:
        break;
      default:
        return InvalidArgument(where + ": unknown write kind");
    }
    const std::string_view element = (w.kind == WriteKind::kAdd || w.kind == WriteKind::kRemove)
                                         ? std::string_view(w.value)
                                         : std::string_view();
    const WriteKind slot = w.kind == WriteKind::kAppend ? WriteKind::kAppend : w.kind;
    if (w.kind != WriteKind::kAppend && !seen.emplace(w.field, slot, element).second) {
      return InvalidArgument(where + ": written twice in one op");
    }
    if (w.kind == WriteKind::kAppend && !seen.emplace(w.field, slot, std::string_view()).second) {
      return InvalidArgument(where + ": appended twice in one op");
    }
    for (const OpId& s : w.supersedes) {
      if (!(s < self)) {
        return InvalidArgument(where + ": supersedes " + s.ToString() +
                               ", which is not older than the op itself");
      }
      if (s.origin == 0) return InvalidArgument(where + ": supersedes an id with origin 0");
    }
  }
  return Status::Ok();
}

}  // namespace fulei::crdt
