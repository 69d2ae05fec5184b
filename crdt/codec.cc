#include "crdt/codec.h"

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/exception.h>

#include <algorithm>
#include <cstring>

#include "crdt/op.capnp.h"
#include "crdt/record.h"

namespace fulei::crdt {

namespace schema_ns = ::fulei::crdt::schema;

namespace {

kj::ArrayPtr<const kj::byte> Bytes(std::string_view s) {
  return kj::arrayPtr(reinterpret_cast<const kj::byte*>(s.data()), s.size());
}

std::string ToString(capnp::Data::Reader d) {
  return std::string(reinterpret_cast<const char*>(d.begin()), d.size());
}

// Canonical bytes of the root struct of `message` (capnp::canonicalize: same value, same bytes).
template <typename Reader>
std::string Canonical(Reader reader) {
  kj::Array<capnp::word> words = capnp::canonicalize(reader);
  kj::ArrayPtr<const kj::byte> bytes = words.asBytes();
  return std::string(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
}

// ---------------------------------------------------------------------------------------------
// CanonicalWriter: writes the canonical form of our fixed schema directly, byte for byte what
// capnp::canonicalize() gives for the message the Fill* builders below would make (one
// segment, root pointer first, objects in pre-order, struct data and pointer sections
// truncated, a struct list's sections truncated to the largest of its elements, empty structs
// as offset -1, a zero-length list pointing at the current end). Building a MallocMessage and
// canonicalizing it costs a builder, a size walk, a copy, a canonicity walk and two more copies;
// this is one pass. tests/crdt/codec_test.cc checks it against capnp::canonicalize on random
// ops and record states. Layouts (op.capnp, as compiled): OpId (3 data words, 0 pointers),
// FieldWrite (1, 3), OpHeader (4, 6), OpBody (0, 1), Op (1, 2), Entry (1, 2), Tombstone (0, 2),
// Field (0, 3), RecordState (0, 3).
class CanonicalWriter {
 public:
  explicit CanonicalWriter(size_t reserve_bytes) {
    out_.reserve(reserve_bytes);
    out_.resize(8);  // the root pointer
  }
  std::string Take() { return std::move(out_); }

  // Allocates `words` zero words at the end; returns the index of the first.
  size_t Alloc(size_t words) {
    size_t at = out_.size() / 8;
    out_.resize(out_.size() + words * 8, '\0');
    return at;
  }
  void Word(size_t at, uint64_t v) {
    for (int i = 0; i < 8; ++i) out_[at * 8 + i] = static_cast<char>(v >> (8 * i));
  }
  // A struct pointer in word `ref` to a new body of `dw` data and `pc` pointer words; returns
  // the body's first word (the pointer itself for an empty struct, which gets no body).
  size_t Struct(size_t ref, size_t dw, size_t pc) {
    if (dw == 0 && pc == 0) {
      Word(ref, 0xfffffffcull);  // offset -1, kind struct, 0 words
      return ref;
    }
    size_t body = Alloc(dw + pc);
    Word(ref, Offset(ref, body) | (uint64_t{dw} << 32) | (uint64_t{pc} << 48));
    return body;
  }
  // Text (with its NUL) or Data as a list of bytes in word `ref`.
  void Blob(size_t ref, std::string_view bytes, bool text) {
    size_t n = bytes.size() + (text ? 1 : 0);
    size_t body = Alloc((n + 7) / 8);
    if (!bytes.empty()) std::memcpy(out_.data() + body * 8, bytes.data(), bytes.size());
    Word(ref, Offset(ref, body) | 1u | (uint64_t{2} << 32) | (uint64_t{n} << 35));
  }
  // A struct list of `count` elements of `dw` + `pc` words (both 0 when count is 0); returns
  // the first element's word.
  size_t StructList(size_t ref, size_t count, size_t dw, size_t pc) {
    if (count == 0) dw = pc = 0;
    size_t words = count * (dw + pc);
    size_t tag = Alloc(1 + words);
    Word(ref, Offset(ref, tag) | 1u | (uint64_t{7} << 32) | (uint64_t{words} << 35));
    Word(tag, (uint64_t{count} << 2) | (uint64_t{dw} << 32) | (uint64_t{pc} << 48));
    return tag + 1;
  }

  // OpId data words: stamp.ms, stamp.logical, origin; trailing zero words are truncated.
  static size_t IdWords(const OpId& id) {
    if (id.origin != 0) return 3;
    if (id.stamp.logical != 0) return 2;
    return id.stamp.ms != 0 ? 1 : 0;
  }
  void IdData(size_t at, const OpId& id, size_t dw) {
    const uint64_t w[3] = {id.stamp.ms, id.stamp.logical, id.origin};
    for (size_t i = 0; i < dw; ++i) Word(at + i, w[i]);
  }
  void IdStruct(size_t ref, const OpId& id) {
    size_t dw = IdWords(id);
    size_t body = Struct(ref, dw, 0);
    if (dw > 0) IdData(body, id, dw);
  }

 private:
  static uint64_t Offset(size_t ref, size_t target) {
    auto offset = static_cast<int64_t>(target) - static_cast<int64_t>(ref) - 1;
    return static_cast<uint32_t>(static_cast<uint32_t>(offset) << 2);
  }
  std::string out_;
};

void WriteHeader(CanonicalWriter& w, size_t ref, const Op& op) {
  const uint64_t data[4] = {op.origin, op.seq, op.stamp.ms,
                            uint64_t{op.stamp.logical} | (uint64_t{op.flags} << 32)};
  size_t dw = 4;
  while (dw > 0 && data[dw - 1] == 0) --dw;
  size_t h = w.Struct(ref, dw, 6);
  for (size_t i = 0; i < dw; ++i) w.Word(h + i, data[i]);
  size_t p = h + dw;
  w.Blob(p + 0, op.author, true);
  w.Blob(p + 1, op.key.scope, true);
  w.Blob(p + 2, op.key.type, true);
  w.Blob(p + 3, op.key.id, true);
  auto hash = [](const Hash& x) {
    return std::string_view(reinterpret_cast<const char*>(x.data()), x.size());
  };
  w.Blob(p + 4, hash(op.prev_hash), false);
  w.Blob(p + 5, hash(op.body_hash), false);
}

void WriteBody(CanonicalWriter& w, size_t ref, const Op& op) {
  size_t b = w.Struct(ref, 0, 1);
  size_t dw = 0;
  for (const FieldWrite& fw : op.writes) {
    if (fw.kind != WriteKind::kSet) dw = 1;
  }
  size_t e = w.StructList(b, op.writes.size(), dw, 3);
  for (const FieldWrite& fw : op.writes) {
    if (dw > 0) w.Word(e, static_cast<uint64_t>(fw.kind));
    size_t p = e + dw;
    w.Blob(p + 0, fw.field, true);
    w.Blob(p + 1, fw.value, false);
    size_t sdw = 0;
    for (const OpId& id : fw.supersedes) sdw = std::max(sdw, CanonicalWriter::IdWords(id));
    size_t s = w.StructList(p + 2, fw.supersedes.size(), sdw, 0);
    for (const OpId& id : fw.supersedes) {
      w.IdData(s, id, sdw);
      s += sdw;
    }
    e += dw + 3;
  }
}

size_t OpSizeHint(const Op& op) {
  size_t n = 256 + op.author.size() + op.key.scope.size() + op.key.type.size() + op.key.id.size();
  for (const FieldWrite& fw : op.writes) {
    n += 64 + fw.field.size() + fw.value.size() + 24 * fw.supersedes.size();
  }
  return n;
}

void FillId(schema_ns::OpId::Builder b, const OpId& id) {
  b.setStampMs(id.stamp.ms);
  b.setStampLogical(id.stamp.logical);
  b.setOrigin(id.origin);
}

OpId ReadId(schema_ns::OpId::Reader r) {
  return OpId{Stamp{r.getStampMs(), r.getStampLogical()}, r.getOrigin()};
}

void FillHeader(schema_ns::OpHeader::Builder h, const Op& op) {
  h.setOrigin(op.origin);
  h.setSeq(op.seq);
  h.setStampMs(op.stamp.ms);
  h.setStampLogical(op.stamp.logical);
  h.setAuthor(op.author);
  h.setScope(op.key.scope);
  h.setType(op.key.type);
  h.setId(op.key.id);
  h.setFlags(op.flags);
  h.setPrevHash(kj::arrayPtr(op.prev_hash.data(), op.prev_hash.size()));
  h.setBodyHash(kj::arrayPtr(op.body_hash.data(), op.body_hash.size()));
}

void FillBody(schema_ns::OpBody::Builder b, const Op& op) {
  auto writes = b.initWrites(static_cast<unsigned>(op.writes.size()));
  for (unsigned i = 0; i < op.writes.size(); ++i) {
    const FieldWrite& w = op.writes[i];
    auto wb = writes[i];
    wb.setField(w.field);
    wb.setKind(static_cast<schema_ns::WriteKind>(w.kind));
    wb.setValue(Bytes(w.value));
    auto sup = wb.initSupersedes(static_cast<unsigned>(w.supersedes.size()));
    for (unsigned j = 0; j < w.supersedes.size(); ++j) FillId(sup[j], w.supersedes[j]);
  }
}

Status ReadHash(capnp::Data::Reader d, Hash& out, const char* what) {
  if (d.size() == 0) {
    out.fill(0);
    return Status::Ok();
  }
  if (d.size() != out.size()) {
    return Corruption(std::string("op ") + what + " is " + std::to_string(d.size()) +
                      " bytes, expected 32");
  }
  std::memcpy(out.data(), d.begin(), out.size());
  return Status::Ok();
}

// Copies untrusted bytes into word-aligned memory; kCorruption when not a whole number of words.
Result<kj::Array<capnp::word>> AlignedWords(std::string_view bytes, size_t max_bytes) {
  if (bytes.size() > max_bytes) {
    return Corruption("message of " + std::to_string(bytes.size()) + " bytes exceeds the " +
                      std::to_string(max_bytes) + "-byte limit");
  }
  if (bytes.empty() || bytes.size() % sizeof(capnp::word) != 0) {
    return Corruption("message length " + std::to_string(bytes.size()) +
                      " is not a positive multiple of 8");
  }
  auto words = kj::heapArray<capnp::word>(bytes.size() / sizeof(capnp::word));
  std::memcpy(words.begin(), bytes.data(), bytes.size());
  return words;
}

capnp::ReaderOptions Limits(size_t bytes) {
  capnp::ReaderOptions options;
  // Traversal may visit each word a few times (lists of structs); the bound stops
  // amplification attacks with shared pointers.
  options.traversalLimitInWords = bytes / sizeof(capnp::word) * 4 + 64;
  options.nestingLimit = 16;
  return options;
}

}  // namespace

std::string EncodeOpHeader(const Op& op) {
  capnp::MallocMessageBuilder message;
  FillHeader(message.initRoot<schema_ns::OpHeader>(), op);
  return Canonical(message.getRoot<schema_ns::OpHeader>().asReader());
}

std::string EncodeOpBody(const Op& op) {
  capnp::MallocMessageBuilder message;
  FillBody(message.initRoot<schema_ns::OpBody>(), op);
  return Canonical(message.getRoot<schema_ns::OpBody>().asReader());
}

std::string EncodeOp(const Op& op) {
  CanonicalWriter w(OpSizeHint(op));
  // Root Op: data word `erased` (truncated when false); pointers header, body (null, so
  // truncated, when erased).
  size_t root = op.erased ? w.Struct(0, 1, 1) : w.Struct(0, 0, 2);
  if (op.erased) {
    w.Word(root, 1);
    WriteHeader(w, root + 1, op);
  } else {
    WriteHeader(w, root, op);
    WriteBody(w, root + 1, op);
  }
  return w.Take();
}

namespace internal {
std::string EncodeOpWithBuilder(const Op& op) {
  capnp::MallocMessageBuilder message;
  auto root = message.initRoot<schema_ns::Op>();
  FillHeader(root.initHeader(), op);
  root.setErased(op.erased);
  if (!op.erased) FillBody(root.initBody(), op);
  return Canonical(root.asReader());
}
}  // namespace internal

Result<Op> DecodeOp(std::string_view bytes) {
  FULEI_ASSIGN_OR_RETURN(kj::Array<capnp::word> words, AlignedWords(bytes, kMaxEncodedOpBytes));
  Op op;
  // Cap'n Proto reports structural damage by throwing kj::Exception; it never leaves here.
  kj::Maybe<kj::Exception> failure = kj::runCatchingExceptions([&]() {
    const kj::ArrayPtr<const capnp::word> segments[1] = {words};
    capnp::SegmentArrayMessageReader reader(kj::arrayPtr(segments, 1), Limits(bytes.size()));
    // One op, one encoding: a non-canonical message (padding, reordered pointers, extra
    // segments) is refused so that bytes, hashes and signatures always agree.
    if (!reader.isCanonical()) KJ_FAIL_REQUIRE("op encoding is not canonical");
    auto root = reader.getRoot<schema_ns::Op>();
    if (!root.hasHeader()) KJ_FAIL_REQUIRE("op has no header");
    auto h = root.getHeader();
    op.origin = h.getOrigin();
    op.seq = h.getSeq();
    op.stamp = Stamp{h.getStampMs(), h.getStampLogical()};
    op.author = h.getAuthor();
    op.key.scope = h.getScope();
    op.key.type = h.getType();
    op.key.id = h.getId();
    op.flags = h.getFlags();
    op.erased = root.getErased();
    Status st = ReadHash(h.getPrevHash(), op.prev_hash, "prev_hash");
    if (st.ok()) st = ReadHash(h.getBodyHash(), op.body_hash, "body_hash");
    if (!st.ok()) KJ_FAIL_REQUIRE(st.message().c_str());
    if (op.erased) {
      if (root.hasBody()) KJ_FAIL_REQUIRE("erased op carries a body");
      return;
    }
    auto writes = root.getBody().getWrites();
    if (writes.size() > kMaxWritesPerOp) KJ_FAIL_REQUIRE("too many writes");
    op.writes.reserve(writes.size());
    for (auto w : writes) {
      FieldWrite fw;
      fw.field = w.getField();
      const auto kind = static_cast<uint16_t>(w.getKind());
      if (kind > static_cast<uint16_t>(WriteKind::kAppend)) KJ_FAIL_REQUIRE("unknown write kind");
      fw.kind = static_cast<WriteKind>(kind);
      fw.value = ToString(w.getValue());
      auto sup = w.getSupersedes();
      if (sup.size() > kMaxSupersedesPerWrite) KJ_FAIL_REQUIRE("too many supersedes");
      fw.supersedes.reserve(sup.size());
      for (auto s : sup) fw.supersedes.push_back(ReadId(s));
      op.writes.push_back(std::move(fw));
    }
  });
  KJ_IF_MAYBE (e, failure) {
    return Corruption(std::string("op does not decode: ") + e->getDescription().cStr());
  }
  FULEI_RETURN_IF_ERROR(ValidateOp(op));
  return op;
}

// ---------------------------------------------------------------------------------------------
// Record state encoding (declared in record.h).

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
    FULEI_ASSIGN_OR_RETURN(kj::Array<capnp::word> words, AlignedWords(bytes, 256u << 20));
    RecordState state;
    std::string problem;
    kj::Maybe<kj::Exception> failure = kj::runCatchingExceptions([&]() {
      const kj::ArrayPtr<const capnp::word> segments[1] = {words};
      capnp::SegmentArrayMessageReader reader(kj::arrayPtr(segments, 1), Limits(bytes.size()));
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
          problem = "fields out of order";
          return;
        }
        auto [it, inserted] = state.fields_.emplace(std::move(name), FieldState());
        previous = &it->first;
        FieldState& f = it->second;
        for (auto er : fr.getEntries()) {
          const auto kind = static_cast<uint16_t>(er.getKind());
          if (kind > static_cast<uint16_t>(WriteKind::kAppend) ||
              kind == static_cast<uint16_t>(WriteKind::kRemove)) {
            problem = "bad entry kind";
            return;
          }
          Entry e{ReadId(er.getId()), static_cast<WriteKind>(kind), ToString(er.getValue())};
          if (!f.entries_.empty() &&
              !FieldState::EntryFollows(f.entries_.back(), e.id, e.kind, e.value)) {
            problem = "entries out of order";
            return;
          }
          f.entries_.push_back(std::move(e));
        }
        for (auto tr : fr.getTombstones()) {
          Tombstone t{ReadId(tr.getId()), ToString(tr.getKey())};
          if (!f.tombstones_.empty() && !(f.tombstones_.back() < t)) {
            problem = "tombstones out of order";
            return;
          }
          f.tombstones_.push_back(std::move(t));
        }
      }
    });
    KJ_IF_MAYBE (e, failure) {
      return Corruption(std::string("record state does not decode: ") + e->getDescription().cStr());
    }
    if (!problem.empty()) return Corruption("record state: " + problem);
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
