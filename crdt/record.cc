#include "crdt/record.h"

#include <algorithm>
#include <tuple>

namespace fulei::crdt {

namespace {

// Entries and tombstones are identified by (op id, key); the key is the element for set tags
// and empty for register values and log entries.
std::string_view KeyOf(WriteKind kind, std::string_view value) {
  return (kind == WriteKind::kAdd || kind == WriteKind::kRemove) ? value : std::string_view();
}
std::string_view KeyOf(const Entry& e) { return KeyOf(e.kind, e.value); }

bool EntryLess(const Entry& a, const OpId& id, std::string_view key) {
  if (a.id != id) return a.id < id;
  return KeyOf(a) < key;
}

bool TombstoneLess(const Tombstone& t, const OpId& id, std::string_view key) {
  if (t.id != id) return t.id < id;
  return std::string_view(t.key) < key;
}

}  // namespace

bool FieldState::EntryFollows(const Entry& last, const OpId& id, WriteKind kind,
                              std::string_view value) {
  return EntryLess(last, id, KeyOf(kind, value));
}

bool FieldState::TombstoneFollows(const Tombstone& last, const OpId& id, std::string_view key) {
  return TombstoneLess(last, id, key);
}

bool FieldState::IsDead(const OpId& id, std::string_view key) const {
  auto it = std::lower_bound(tombstones_.begin(), tombstones_.end(), 0,
                             [&](const Tombstone& t, int) { return TombstoneLess(t, id, key); });
  return it != tombstones_.end() && it->id == id && it->key == key;
}

void FieldState::Bury(const OpId& id, std::string_view key) {
  Tombstone t{id, std::string(key)};
  auto it = std::lower_bound(tombstones_.begin(), tombstones_.end(), t);
  if (it == tombstones_.end() || !(*it == t)) tombstones_.insert(it, std::move(t));
  auto e = std::lower_bound(entries_.begin(), entries_.end(), 0,
                            [&](const Entry& x, int) { return EntryLess(x, id, key); });
  // Log entries are never removed: a tombstone only marks them covered.
  if (e != entries_.end() && e->id == id && KeyOf(*e) == key && e->kind != WriteKind::kAppend) {
    entries_.erase(e);
  }
}

void FieldState::Insert(Entry e) {
  const std::string_view key = KeyOf(e);
  if (e.kind != WriteKind::kAppend && IsDead(e.id, key)) return;
  auto it = std::lower_bound(entries_.begin(), entries_.end(), 0,
                             [&](const Entry& x, int) { return EntryLess(x, e.id, key); });
  if (it != entries_.end() && it->id == e.id && KeyOf(*it) == key) return;  // already held
  entries_.insert(it, std::move(e));
}

std::vector<const Entry*> FieldState::values() const {
  std::vector<const Entry*> out;
  for (const Entry& e : entries_) {
    if (e.kind == WriteKind::kSet) out.push_back(&e);
  }
  return out;
}

bool FieldState::conflict() const {
  return std::count_if(entries_.begin(), entries_.end(),
                       [](const Entry& e) { return e.kind == WriteKind::kSet; }) > 1;
}

const Entry* FieldState::Winner() const {
  for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
    if (it->kind == WriteKind::kSet) return &*it;
  }
  return nullptr;
}

std::vector<std::string> FieldState::Elements() const {
  std::vector<std::string> out;
  for (const Entry& e : entries_) {
    if (e.kind == WriteKind::kAdd) out.push_back(e.value);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<OpId> FieldState::TagsOf(std::string_view element) const {
  std::vector<OpId> out;
  for (const Entry& e : entries_) {
    if (e.kind == WriteKind::kAdd && e.value == element) out.push_back(e.id);
  }
  return out;
}

std::vector<const Entry*> FieldState::LogEntries() const {
  std::vector<const Entry*> out;
  for (const Entry& e : entries_) {
    if (e.kind == WriteKind::kAppend) out.push_back(&e);
  }
  return out;
}

bool FieldState::Covered(const Entry& e) const { return IsDead(e.id, KeyOf(e)); }

bool FieldState::empty() const {
  for (const Entry& e : entries_) {
    if (e.kind != WriteKind::kAppend || !Covered(e)) return false;
  }
  return true;
}

void RecordState::Apply(const Op& op) {
  const OpId id = op.id();
  if (!has_ops()) {
    created_ = updated_ = id;
  } else {
    created_ = std::min(created_, id);
    updated_ = std::max(updated_, id);
  }
  if (op.erased) return;
  for (const FieldWrite& w : op.writes) {
    FieldState& field = fields_[w.field];
    const std::string_view key = KeyOf(w.kind, w.value);
    for (const OpId& s : w.supersedes) field.Bury(s, key);
    if (w.kind != WriteKind::kRemove) field.Insert(Entry{id, w.kind, w.value});
  }
}

const FieldState* RecordState::Field(std::string_view name) const {
  auto it = fields_.find(name);
  return it == fields_.end() ? nullptr : &it->second;
}

std::optional<std::string> RecordState::Get(std::string_view field) const {
  const FieldState* f = Field(field);
  if (f == nullptr) return std::nullopt;
  const Entry* w = f->Winner();
  if (w == nullptr) return std::nullopt;
  return w->value;
}

std::vector<std::string> RecordState::Conflicts() const {
  std::vector<std::string> out;
  for (const auto& [name, f] : fields_) {
    if (name != kDeletedField && f.conflict()) out.push_back(name);
  }
  return out;
}

bool RecordState::AnyLiveValue() const {
  for (const auto& [name, f] : fields_) {
    if (name != kDeletedField && !f.empty()) return true;
  }
  return false;
}

bool RecordState::deleted() const {
  const FieldState* marker = Field(kDeletedField);
  return marker != nullptr && !marker->Elements().empty() && !AnyLiveValue();
}

bool RecordState::delete_conflict() const {
  const FieldState* marker = Field(kDeletedField);
  return marker != nullptr && !marker->Elements().empty() && AnyLiveValue();
}

namespace {
std::vector<OpId> RegisterIds(const RecordState& state, std::string_view field) {
  std::vector<OpId> ids;
  if (const FieldState* f = state.Field(field)) {
    for (const Entry* e : f->values()) ids.push_back(e->id);
  }
  return ids;
}
}  // namespace

FieldWrite SetWrite(const RecordState& state, std::string field, std::string value) {
  std::vector<OpId> ids = RegisterIds(state, field);
  return FieldWrite{std::move(field), WriteKind::kSet, std::move(value), std::move(ids)};
}

FieldWrite ClearWrite(const RecordState& state, std::string field) {
  std::vector<OpId> ids = RegisterIds(state, field);
  return FieldWrite{std::move(field), WriteKind::kRemove, "", std::move(ids)};
}

FieldWrite AddWrite(std::string field, std::string element) {
  return FieldWrite{std::move(field), WriteKind::kAdd, std::move(element), {}};
}

std::optional<FieldWrite> RemoveWrite(const RecordState& state, std::string field,
                                      std::string element) {
  const FieldState* f = state.Field(field);
  if (f == nullptr) return std::nullopt;
  std::vector<OpId> tags = f->TagsOf(element);
  if (tags.empty()) return std::nullopt;
  return FieldWrite{std::move(field), WriteKind::kRemove, std::move(element), std::move(tags)};
}

FieldWrite AppendWrite(std::string field, std::string entry) {
  return FieldWrite{std::move(field), WriteKind::kAppend, std::move(entry), {}};
}

std::vector<FieldWrite> DeleteWrites(const RecordState& state) {
  std::vector<FieldWrite> out;
  out.push_back(AddWrite(std::string(kDeletedField), ""));
  for (const auto& [name, f] : state.fields()) {
    if (name == kDeletedField) continue;
    // One removal per (field, key): register values and uncovered log entries share key "".
    std::map<std::string, std::vector<OpId>> by_key;
    for (const Entry& e : f.entries()) {
      if (e.kind == WriteKind::kAdd) {
        by_key[e.value].push_back(e.id);
      } else if (e.kind == WriteKind::kSet || !f.Covered(e)) {
        by_key[""].push_back(e.id);
      }
    }
    for (auto& [key, ids] : by_key) {
      out.push_back(FieldWrite{name, WriteKind::kRemove, key, std::move(ids)});
    }
  }
  return out;
}

std::vector<FieldWrite> RestoreWrites(const RecordState& state) {
  std::vector<FieldWrite> out;
  if (auto w = RemoveWrite(state, std::string(kDeletedField), "")) out.push_back(std::move(*w));
  return out;
}

}  // namespace fulei::crdt
