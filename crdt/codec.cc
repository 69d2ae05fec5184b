#include "crdt/codec.h"

#include <capnp/message.h>
#include <kj/exception.h>

#include <algorithm>
#include <cstring>

#include "crdt/internal/canonical.h"
#include "crdt/op.capnp.h"
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

// Bounds of DecodeOp: one op of at most kMaxEncodedOpBytes, in canonical (one-segment) form.
constexpr CapnpLimits kOpLimits{.max_bytes = kMaxEncodedOpBytes,
                                .traversal_per_word = 4,
                                .traversal_slack = 64,
                                .nesting_limit = 16};

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
  CanonicalWriter w(OpSizeHint(op) + op.erasure.size());
  // Root Op: data word `erased` (truncated when false); pointers header, body (null when
  // erased), erasure (null, so truncated, when empty; a null body before it stays as a zero
  // word).
  const size_t dw = op.erased ? 1 : 0;
  const size_t pc = !op.erasure.empty() ? 3 : op.erased ? 1 : 2;
  size_t root = w.Struct(0, dw, pc);
  if (op.erased) w.Word(root, 1);
  const size_t p = root + dw;
  WriteHeader(w, p, op);
  if (!op.erased) WriteBody(w, p + 1, op);
  if (!op.erasure.empty()) w.Blob(p + 2, op.erasure, false);
  return w.Take();
}

namespace internal {
std::string EncodeOpWithBuilder(const Op& op) {
  capnp::MallocMessageBuilder message;
  auto root = message.initRoot<schema_ns::Op>();
  FillHeader(root.initHeader(), op);
  root.setErased(op.erased);
  if (!op.erased) FillBody(root.initBody(), op);
  if (!op.erasure.empty()) root.setErasure(Bytes(op.erasure));
  return Canonical(root.asReader());
}
}  // namespace internal

Result<Op> DecodeOp(std::string_view bytes) {
  Op op;
  auto read = [&](capnp::MessageReader& reader) -> Status {
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
    FULEI_RETURN_IF_ERROR(ReadHash(h.getPrevHash(), op.prev_hash, "prev_hash"));
    FULEI_RETURN_IF_ERROR(ReadHash(h.getBodyHash(), op.body_hash, "body_hash"));
    if (root.hasErasure()) {
      // A present but empty authorisation would re-encode without it: not the one encoding.
      auto erasure = root.getErasure();
      if (erasure.size() == 0) KJ_FAIL_REQUIRE("op carries an empty erasure authorisation");
      if (erasure.size() > kMaxErasureBytes) KJ_FAIL_REQUIRE("erasure authorisation too long");
      op.erasure = ToString(erasure);
    }
    if (op.erased) {
      if (root.hasBody()) KJ_FAIL_REQUIRE("erased op carries a body");
      return Status::Ok();
    }
    auto writes = root.getBody().getWrites();
    if (writes.size() > kMaxWritesPerOp) KJ_FAIL_REQUIRE("too many writes");
    op.writes.reserve(writes.size());
    for (auto w : writes) {
      FieldWrite fw;
      fw.field = w.getField();
      const auto kind = static_cast<uint16_t>(w.getKind());
      if (kind > static_cast<uint16_t>(WriteKind::kAppend)) {
        KJ_FAIL_REQUIRE("unknown write kind");
      }
      fw.kind = static_cast<WriteKind>(kind);
      fw.value = ToString(w.getValue());
      auto sup = w.getSupersedes();
      if (sup.size() > kMaxSupersedesPerWrite) KJ_FAIL_REQUIRE("too many supersedes");
      fw.supersedes.reserve(sup.size());
      for (auto s : sup) fw.supersedes.push_back(ReadId(s));
      op.writes.push_back(std::move(fw));
    }
    return Status::Ok();
  };
  FULEI_RETURN_IF_ERROR(
      ReadUntrustedCapnp(bytes, CapnpFraming::kSingleSegment, kOpLimits, "op", read));
  FULEI_RETURN_IF_ERROR(ValidateOp(op));
  return op;
}

}  // namespace fulei::crdt
