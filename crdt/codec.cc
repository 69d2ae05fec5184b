#include "crdt/codec.h"

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/exception.h>

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
  capnp::MallocMessageBuilder message;
  auto root = message.initRoot<schema_ns::Op>();
  FillHeader(root.initHeader(), op);
  root.setErased(op.erased);
  if (!op.erased) FillBody(root.initBody(), op);
  return Canonical(root.asReader());
}

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

  static Result<RecordState> Decode(std::string_view bytes) {
    FULEI_ASSIGN_OR_RETURN(kj::Array<capnp::word> words, AlignedWords(bytes, 256u << 20));
    RecordState state;
    std::string problem;
    kj::Maybe<kj::Exception> failure = kj::runCatchingExceptions([&]() {
      const kj::ArrayPtr<const capnp::word> segments[1] = {words};
      capnp::SegmentArrayMessageReader reader(kj::arrayPtr(segments, 1), Limits(bytes.size()));
      if (!reader.isCanonical()) KJ_FAIL_REQUIRE("record state encoding is not canonical");
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
          if (!f.entries_.empty()) {
            const Entry& last = f.entries_.back();
            const std::string_view lk =
                last.kind == WriteKind::kAdd ? std::string_view(last.value) : std::string_view();
            const std::string_view ek =
                e.kind == WriteKind::kAdd ? std::string_view(e.value) : std::string_view();
            if (!(last.id < e.id || (last.id == e.id && lk < ek))) {
              problem = "entries out of order";
              return;
            }
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

std::string RecordState::Encode() const { return RecordCodec::Encode(*this); }

Result<RecordState> RecordState::Decode(std::string_view bytes) {
  return RecordCodec::Decode(bytes);
}

}  // namespace fulei::crdt
