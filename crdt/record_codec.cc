// RecordState's two encodings (declared in crdt/record.h): the canonical Cap'n Proto bytes
// (Encode, Decode; docs/formats.md) and the compact form the store keeps on disk (EncodeCompact,
// DecodeCompact). The record algebra itself is in crdt/record.cc; the op codec, which shares the
// canonical writer, in crdt/codec.cc.
#include <capnp/message.h>
#include <kj/exception.h>

#include <string>
#include <string_view>

#include "crdt/codec.h"  // internal::EncodeRecordWithBuilder
#include "crdt/internal/canonical.h"
#include "crdt/op.capnp.h"
#include "crdt/record.h"
#include "crdt/untrusted_capnp.h"

namespace fulei::crdt {

namespace schema_ns = ::fulei::crdt::schema;
using internal::Bytes;
using internal::Canonical;
using internal::CanonicalWriter;
using internal::FillId;
using internal::ReadId;
using internal::ToString;

namespace {

// Bounds of Decode: a record state the store or a peer hands over, in canonical (one-segment)
// form. Larger than an op: a state accumulates every live value of every op applied to it.
constexpr size_t kMaxEncodedRecordBytes = 256u << 20;
constexpr CapnpLimits kRecordLimits{.max_bytes = kMaxEncodedRecordBytes,
                                    .traversal_per_word = 4,
                                    .traversal_slack = 64,
                                    .nesting_limit = 16};

}  // namespace

struct RecordCodec {
  static std::string Encode(const RecordState& state) {
    size_t hint = 128;
    for (const auto& [name, f] : state.fields_) {
      hint += 48 + name.size() + f.entries_.size() * 56 + f.tombstones_.size() * 48;
      for (const Entry& e : f.entries_) hint += e.value.size();
      for (const Tombstone& t : f.tombstones_) hint += t.key.size();
    }
    CanonicalWriter w(hint);
    size_t root = w.Struct(0, 0, 3);
    size_t fe = w.StructList(root, state.fields_.size(), 0, 3);
    for (const auto& [name, f] : state.fields_) {
      w.Blob(fe, name, true);
      size_t dw = 0;
      for (const Entry& e : f.entries_) {
        if (e.kind != WriteKind::kSet) dw = 1;
      }
      size_t ee = w.StructList(fe + 1, f.entries_.size(), dw, 2);
      for (const Entry& e : f.entries_) {
        if (dw > 0) w.Word(ee, static_cast<uint64_t>(e.kind));
        w.IdStruct(ee + dw, e.id);
        w.Blob(ee + dw + 1, e.value, false);
        ee += dw + 2;
      }
      size_t te = w.StructList(fe + 2, f.tombstones_.size(), 0, 2);
      for (const Tombstone& t : f.tombstones_) {
        w.IdStruct(te, t.id);
        w.Blob(te + 1, t.key, false);
        te += 2;
      }
      fe += 3;
    }
    w.IdStruct(root + 1, state.created_);
    w.IdStruct(root + 2, state.updated_);
    return w.Take();
  }

  static std::string EncodeWithBuilder(const RecordState& state) {
    capnp::MallocMessageBuilder message;
    auto root = message.initRoot<schema_ns::RecordState>();
    FillId(root.initCreated(), state.created_);
    FillId(root.initUpdated(), state.updated_);
    auto fields = root.initFields(static_cast<unsigned>(state.fields_.size()));
    unsigned i = 0;
    for (const auto& [name, f] : state.fields_) {
      auto fb = fields[i++];
      fb.setName(name);
      auto entries = fb.initEntries(static_cast<unsigned>(f.entries_.size()));
      for (unsigned j = 0; j < f.entries_.size(); ++j) {
        const Entry& e = f.entries_[j];
        FillId(entries[j].initId(), e.id);
        entries[j].setKind(static_cast<schema_ns::WriteKind>(e.kind));
        entries[j].setValue(Bytes(e.value));
      }
      auto tombs = fb.initTombstones(static_cast<unsigned>(f.tombstones_.size()));
      for (unsigned j = 0; j < f.tombstones_.size(); ++j) {
        FillId(tombs[j].initId(), f.tombstones_[j].id);
        tombs[j].setKey(Bytes(f.tombstones_[j].key));
      }
    }
    return Canonical(root.asReader());
  }

  static Result<RecordState> Decode(std::string_view bytes, bool require_canonical) {
    RecordState state;
    auto read = [&](capnp::MessageReader& reader) -> Status {
      if (require_canonical && !reader.isCanonical()) {
        KJ_FAIL_REQUIRE("record state encoding is not canonical");
      }
      auto root = reader.getRoot<schema_ns::RecordState>();
      state.created_ = ReadId(root.getCreated());
      state.updated_ = ReadId(root.getUpdated());
      const std::string* previous = nullptr;
      for (auto fr : root.getFields()) {
        std::string name = fr.getName();
        if (previous != nullptr && !(*previous < name)) {
          return Corruption("record state: fields out of order");
        }
        auto [it, inserted] = state.fields_.emplace(std::move(name), FieldState());
        previous = &it->first;
        FieldState& f = it->second;
        for (auto er : fr.getEntries()) {
          const auto kind = static_cast<uint16_t>(er.getKind());
          if (kind > static_cast<uint16_t>(WriteKind::kAppend) ||
              kind == static_cast<uint16_t>(WriteKind::kRemove)) {
            return Corruption("record state: bad entry kind");
          }
          Entry e{ReadId(er.getId()), static_cast<WriteKind>(kind), ToString(er.getValue())};
          if (!f.entries_.empty() &&
              !FieldState::EntryFollows(f.entries_.back(), e.id, e.kind, e.value)) {
            return Corruption("record state: entries out of order");
          }
          f.entries_.push_back(std::move(e));
        }
        for (auto tr : fr.getTombstones()) {
          Tombstone t{ReadId(tr.getId()), ToString(tr.getKey())};
          if (!f.tombstones_.empty() && !(f.tombstones_.back() < t)) {
            return Corruption("record state: tombstones out of order");
          }
          f.tombstones_.push_back(std::move(t));
        }
      }
      return Status::Ok();
    };
    FULEI_RETURN_IF_ERROR(ReadUntrustedCapnp(bytes, CapnpFraming::kSingleSegment, kRecordLimits,
                                             "record state", read));
    return state;
  }
};

// ---------------------------------------------------------------------------------------------
// Record state, compact form (docs/formats.md): what the store keeps on disk.

namespace {

constexpr uint8_t kCompactFormat = 1;

class CompactWriter {
 public:
  explicit CompactWriter(size_t reserve_bytes) { out_.reserve(reserve_bytes); }
  std::string Take() { return std::move(out_); }
  void Byte(uint8_t b) { out_.push_back(static_cast<char>(b)); }
  void Varint(uint64_t v) {
    char buf[10];
    size_t n = 0;
    while (v >= 0x80) {
      buf[n++] = static_cast<char>((v & 0x7f) | 0x80);
      v >>= 7;
    }
    buf[n++] = static_cast<char>(v);
    out_.append(buf, n);
  }
  void Id(const OpId& id) {
    Varint(id.stamp.ms);
    Varint(id.stamp.logical);
    char buf[8];
    for (int i = 0; i < 8; ++i) buf[i] = static_cast<char>(id.origin >> (8 * i));
    out_.append(buf, 8);
  }
  void Bytes(std::string_view b) {
    Varint(b.size());
    out_.append(b);
  }

 private:
  std::string out_;
};

// Reads what CompactWriter wrote; every read is bounds-checked, varints must be minimal (one
// state, one compact form), and the first problem sticks.
class CompactReader {
 public:
  explicit CompactReader(std::string_view in) : p_(in.data()), end_(in.data() + in.size()) {}
  bool ok() const { return problem_ == nullptr; }
  const char* problem() const { return problem_; }
  bool done() const { return p_ == end_; }
  uint8_t Byte() {
    if (!ok() || p_ == end_) return Fail("truncated"), 0;
    return static_cast<uint8_t>(*p_++);
  }
  uint64_t Varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (!ok() || p_ == end_) return Fail("truncated"), 0;
      auto b = static_cast<uint8_t>(*p_++);
      if (shift == 63 && b > 1) return Fail("varint overflows"), 0;
      v |= uint64_t{b & 0x7fu} << shift;
      if ((b & 0x80) == 0) {
        if (b == 0 && shift > 0) return Fail("varint not minimal"), 0;
        return v;
      }
    }
    return Fail("varint too long"), 0;
  }
  OpId Id() {
    OpId id;
    id.stamp.ms = Varint();
    uint64_t logical = Varint();
    if (logical > UINT32_MAX) return Fail("logical clock out of range"), id;
    id.stamp.logical = static_cast<uint32_t>(logical);
    if (!ok() || end_ - p_ < 8) return Fail("truncated"), id;
    for (int i = 0; i < 8; ++i) id.origin |= uint64_t{static_cast<uint8_t>(p_[i])} << (8 * i);
    p_ += 8;
    return id;
  }
  // A length and that many bytes; bounded by the bytes left only (see DecodeCompact).
  std::string_view Bytes() {
    uint64_t n = Varint();
    if (!ok()) return {};
    if (n > static_cast<uint64_t>(end_ - p_)) return Fail("truncated"), std::string_view();
    std::string_view b(p_, static_cast<size_t>(n));
    p_ += n;
    return b;
  }
  // A count of items that each take at least `min_bytes`: bounded by what is left.
  size_t Count(size_t min_bytes) {
    uint64_t n = Varint();
    if (ok() && n > static_cast<uint64_t>(end_ - p_) / min_bytes) {
      return Fail("count exceeds the bytes left"), 0;
    }
    return static_cast<size_t>(n);
  }
  void Fail(const char* problem) {
    if (problem_ == nullptr) problem_ = problem;
  }

 private:
  const char* p_;
  const char* end_;
  const char* problem_ = nullptr;
};

}  // namespace

std::string RecordState::EncodeCompact() const {
  size_t hint = 48;
  for (const auto& [name, f] : fields_) {
    hint += 8 + name.size() + f.entries_.size() * 24 + f.tombstones_.size() * 22;
    for (const Entry& e : f.entries_) hint += e.value.size();
    for (const Tombstone& t : f.tombstones_) hint += t.key.size();
  }
  CompactWriter w(hint);
  w.Byte(kCompactFormat);
  w.Id(created_);
  w.Id(updated_);
  w.Varint(fields_.size());
  for (const auto& [name, f] : fields_) {
    w.Bytes(name);
    w.Varint(f.entries_.size());
    for (const Entry& e : f.entries_) {
      w.Byte(static_cast<uint8_t>(e.kind));
      w.Id(e.id);
      w.Bytes(e.value);
    }
    w.Varint(f.tombstones_.size());
    for (const Tombstone& t : f.tombstones_) {
      w.Id(t.id);
      w.Bytes(t.key);
    }
  }
  return w.Take();
}

Result<RecordState> RecordState::DecodeCompact(std::string_view bytes) {
  constexpr size_t kMinId = 10;  // two one-byte varints and the origin
  // Like Decode(bytes, false), structure only: names and values are bounded by the bytes left,
  // not by what ValidateOp allows an op (a state the store wrote decodes whatever it holds).
  CompactReader r(bytes);
  RecordState state;
  if (r.Byte() != kCompactFormat && r.ok()) r.Fail("unknown compact format");
  state.created_ = r.Id();
  state.updated_ = r.Id();
  const size_t nfields = r.Count(3);
  for (size_t i = 0; i < nfields && r.ok(); ++i) {
    std::string_view name = r.Bytes();
    if (!r.ok()) break;
    if (name.find('\0') != std::string_view::npos) {  // a Text in the canonical encoding
      r.Fail("field name holds a NUL byte");
      break;
    }
    if (!state.fields_.empty() && !(std::string_view(state.fields_.rbegin()->first) < name)) {
      r.Fail("fields out of order");
      break;
    }
    FieldState& f = state.fields_.emplace_hint(state.fields_.end(), name, FieldState())->second;
    const size_t nentries = r.Count(1 + kMinId + 1);
    f.entries_.reserve(nentries);
    for (size_t j = 0; j < nentries && r.ok(); ++j) {
      const uint8_t kind = r.Byte();
      if (kind > static_cast<uint8_t>(WriteKind::kAppend) ||
          kind == static_cast<uint8_t>(WriteKind::kRemove)) {
        r.Fail("bad entry kind");
        break;
      }
      OpId id = r.Id();
      std::string_view value = r.Bytes();
      if (!r.ok()) break;
      if (!f.entries_.empty() &&
          !FieldState::EntryFollows(f.entries_.back(), id, static_cast<WriteKind>(kind), value)) {
        r.Fail("entries out of order");
        break;
      }
      f.entries_.push_back(Entry{id, static_cast<WriteKind>(kind), std::string(value)});
    }
    const size_t ntombs = r.Count(kMinId + 1);
    f.tombstones_.reserve(ntombs);
    for (size_t j = 0; j < ntombs && r.ok(); ++j) {
      OpId id = r.Id();
      std::string_view key = r.Bytes();
      if (!r.ok()) break;
      if (!f.tombstones_.empty() && !FieldState::TombstoneFollows(f.tombstones_.back(), id, key)) {
        r.Fail("tombstones out of order");
        break;
      }
      f.tombstones_.push_back(Tombstone{id, std::string(key)});
    }
  }
  if (r.ok() && !r.done()) r.Fail("trailing bytes");
  if (!r.ok()) return Corruption(std::string("record state (compact form): ") + r.problem());
  return state;
}

std::string RecordState::Encode() const { return RecordCodec::Encode(*this); }

namespace internal {
std::string EncodeRecordWithBuilder(const RecordState& state) {
  return RecordCodec::EncodeWithBuilder(state);
}
}  // namespace internal

Result<RecordState> RecordState::Decode(std::string_view bytes, bool require_canonical) {
  return RecordCodec::Decode(bytes, require_canonical);
}

}  // namespace fulei::crdt
