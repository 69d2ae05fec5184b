// Canonical Cap'n Proto bytes of crdt/op.capnp, shared by the two files that write them:
// crdt/codec.cc (ops) and crdt/record_codec.cc (record states). Private to crdt/.
//
// CanonicalWriter writes the canonical form (capnp::canonicalize) of our fixed schema directly,
// in one pass; the layouts it assumes are those of crdt/op.capnp as compiled, so a change to the
// schema must change it and the writers that use it (see the note in op.capnp).
// Canonical() and the Fill/Read helpers go through Cap'n Proto's own builder and reader: the
// reference the direct writer is tested against (tests/crdt/codec_test.cc), and decoding.
#ifndef FULEI_CRDT_INTERNAL_CANONICAL_H_
#define FULEI_CRDT_INTERNAL_CANONICAL_H_

#include <capnp/message.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

#include "crdt/op.capnp.h"
#include "crdt/op.h"

namespace fulei::crdt::internal {

inline kj::ArrayPtr<const kj::byte> Bytes(std::string_view s) {
  return kj::arrayPtr(reinterpret_cast<const kj::byte*>(s.data()), s.size());
}

inline std::string ToString(capnp::Data::Reader d) {
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
// capnp::canonicalize() gives for the message the Fill* builders would make (one
// segment, root pointer first, objects in pre-order, struct data and pointer sections
// truncated, a struct list's sections truncated to the largest of its elements, empty structs
// as offset -1, a zero-length list pointing at the current end). Building a MallocMessage and
// canonicalizing it costs a builder, a size walk, a copy, a canonicity walk and two more copies;
// this is one pass. tests/crdt/codec_test.cc checks it against capnp::canonicalize on random
// ops and record states. Layouts (op.capnp, as compiled): OpId (3 data words, 0 pointers),
// FieldWrite (1, 3), OpHeader (4, 6), OpBody (0, 1), Op (1, 3), Entry (1, 2), Tombstone (0, 2),
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

// OpId to and from its schema struct.
inline void FillId(schema::OpId::Builder b, const OpId& id) {
  b.setStampMs(id.stamp.ms);
  b.setStampLogical(id.stamp.logical);
  b.setOrigin(id.origin);
}

inline OpId ReadId(schema::OpId::Reader r) {
  return OpId{Stamp{r.getStampMs(), r.getStampLogical()}, r.getOrigin()};
}

}  // namespace fulei::crdt::internal

#endif  // FULEI_CRDT_INTERNAL_CANONICAL_H_
