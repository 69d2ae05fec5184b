#include "sync/op_pack.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <unordered_map>

#include "crdt/codec.h"
#include "crdt/op.h"
#include "crypto/op_chain.h"
#include "sync/messages.h"

namespace fulei::sync {

namespace {

// Run tags.
constexpr uint8_t kRunChain = 0;  // a run of one (scope, origin) with consecutive seqs
constexpr uint8_t kRunRaw = 1;    // one op sent verbatim (canonical op bytes)

// Op control byte: the common case of an op in one byte.
constexpr uint8_t kSameAuthor = 1u << 0;  // author of the previous op; no author follows
constexpr uint8_t kSameType = 1u << 1;    // record type of the previous op; no type follows
constexpr uint8_t kNextStamp = 1u << 2;   // stamp = previous stamp + 1 logical; no stamp follows
constexpr uint8_t kOneWrite = 1u << 3;    // exactly one write; no write count follows
constexpr uint8_t kExtended = 1u << 4;    // an extension byte follows
constexpr uint8_t kCtrlReserved = 0xe0;

// Extension byte (absent: not erased, prev hash chained, body hash implicit, flags 0).
constexpr uint8_t kErased = 1u << 0;
constexpr uint8_t kPrevShift = 1;  // two bits: how prev_hash is sent
constexpr uint8_t kPrevMask = 3u << kPrevShift;
constexpr uint8_t kPrevChained = 0;   // header hash of the run's previous op (not sent)
constexpr uint8_t kPrevZero = 1;      // 32 zero bytes (not sent)
constexpr uint8_t kPrevExplicit = 2;  // 32 bytes follow
constexpr uint8_t kBodyExplicit = 1u << 3;
constexpr uint8_t kHasFlags = 1u << 4;
constexpr uint8_t kExtReserved = 0xe0;

// Write byte: kind in the low two bits, supersedes count in the high six (63: more follow).
// Left out for a "simple" write (kSet superseding nothing), flagged in the field token.
constexpr uint8_t kSupInline = 63;

// New string: varint (prefix << 3 | min(suffix length, 7)); 7: varint (suffix length - 7).
constexpr uint64_t kSuffixInline = 7;

// Bytes a superseded id adds to a rebuilt op (a struct of three words), and a fixed allowance
// per write and per op, used to bound the rebuilt size while reading.
constexpr size_t kSupCost = 24;
constexpr size_t kWriteCost = 48;
constexpr size_t kOpCost = 160;

constexpr size_t kMaxStringBytes = crdt::kMaxKeyPartBytes;  // scope, author, type, id, field

uint64_t ZigZag(uint64_t delta) {  // delta is a two's-complement int64
  return (delta << 1) ^ (0 - (delta >> 63));
}
uint64_t UnZigZag(uint64_t z) { return (z >> 1) ^ (0 - (z & 1)); }

bool IsZero(const crdt::Hash& h) {
  return std::all_of(h.begin(), h.end(), [](uint8_t b) { return b == 0; });
}

// ------------------------------------------------------------------------------------------
// Encoder.

class Packer {
 public:
  std::string Pack(const std::vector<std::string>& ops) {
    out_.push_back(static_cast<char>(kOpPackFormat));
    Varint(ops.size());
    // Decode every op; one that is not the canonical encoding of a valid op travels verbatim,
    // and so does an erased op with its erasure authorisation (rare; the packed form has no
    // place for it).
    std::vector<std::optional<crdt::Op>> decoded(ops.size());
    for (size_t i = 0; i < ops.size(); ++i) {
      auto op = crdt::DecodeOp(ops[i]);
      if (op.ok() && op->erasure.empty() && crdt::EncodeOp(*op) == ops[i]) {
        decoded[i] = std::move(*op);
      }
    }
    for (size_t i = 0; i < ops.size();) {
      if (!decoded[i]) {
        out_.push_back(static_cast<char>(kRunRaw));
        Varint(ops[i].size());
        out_.append(ops[i]);
        ++i;
        continue;
      }
      size_t j = i + 1;
      while (j < ops.size() && decoded[j] && decoded[j]->origin == decoded[i]->origin &&
             decoded[j]->key.scope == decoded[i]->key.scope &&
             decoded[j - 1]->seq + 1 == decoded[j]->seq) {
        ++j;
      }
      out_.push_back(static_cast<char>(kRunChain));
      String(decoded[i]->key.scope);
      Origin(decoded[i]->origin);
      Varint(decoded[i]->seq);
      Varint(j - i);
      for (size_t k = i; k < j; ++k) {
        Op(*decoded[k], k == i ? nullptr : &*decoded[k - 1]);
      }
      i = j;
    }
    return std::move(out_);
  }

 private:
  void Varint(uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }

  // A string token: varint (ref << 1 | bit) where ref 0 is a new string, ref k > 0 the
  // dictionary's k-th string. `bit` is a flag of the caller's (0 where it has none).
  void String(const std::string& s, uint64_t bit = 0) {
    auto it = strings_.find(s);
    if (it != strings_.end()) {
      Varint((uint64_t{it->second} + 1) << 1 | bit);
      return;
    }
    // New string: the length of the prefix it shares with the last new string, then the rest.
    size_t prefix = 0;
    while (prefix < s.size() && prefix < last_new_.size() && s[prefix] == last_new_[prefix]) {
      ++prefix;
    }
    const uint64_t suffix = s.size() - prefix;
    Varint(bit);
    Varint(uint64_t{prefix} << 3 | std::min(suffix, kSuffixInline));
    if (suffix >= kSuffixInline) Varint(suffix - kSuffixInline);
    out_.append(s, prefix);
    const auto index = static_cast<uint32_t>(strings_.size());
    strings_.emplace(s, index);
    last_new_ = s;
  }

  void Origin(crdt::NodeId origin) {
    auto it = origins_.find(origin);
    if (it != origins_.end()) {
      Varint(it->second + 1);
      return;
    }
    Varint(0);
    for (int i = 0; i < 8; ++i) out_.push_back(static_cast<char>((origin >> (8 * i)) & 0xff));
    const auto index = static_cast<uint32_t>(origins_.size());
    origins_.emplace(origin, index);
  }

  void Hash(const crdt::Hash& h) { out_.append(reinterpret_cast<const char*>(h.data()), h.size()); }

  void Op(const crdt::Op& op, const crdt::Op* before) {
    uint8_t ext = 0;
    if (op.erased) ext |= kErased;
    uint8_t prev = kPrevExplicit;
    if (before != nullptr && crypto::OpHeaderHash(*before) == op.prev_hash) {
      prev = kPrevChained;
    } else if (IsZero(op.prev_hash)) {
      prev = kPrevZero;
    }
    ext |= static_cast<uint8_t>(prev << kPrevShift);
    const bool body_explicit = op.erased || crypto::OpBodyHash(op) != op.body_hash;
    if (body_explicit) ext |= kBodyExplicit;
    if (op.flags != 0) ext |= kHasFlags;

    uint8_t ctrl = 0;
    if (last_author_ && *last_author_ == op.author) ctrl |= kSameAuthor;
    if (last_type_ && *last_type_ == op.key.type) ctrl |= kSameType;
    const bool next_stamp = have_stamp_ && op.stamp.ms == last_stamp_.ms &&
                            last_stamp_.logical != UINT32_MAX &&
                            op.stamp.logical == last_stamp_.logical + 1;
    if (next_stamp) ctrl |= kNextStamp;
    if (!op.erased && op.writes.size() == 1) ctrl |= kOneWrite;
    if (ext != 0) ctrl |= kExtended;
    out_.push_back(static_cast<char>(ctrl));
    if (ext != 0) out_.push_back(static_cast<char>(ext));

    if (!next_stamp) {
      const uint64_t ms_delta = op.stamp.ms - last_stamp_.ms;
      Varint(ZigZag(ms_delta));
      const uint32_t base = ms_delta == 0 ? last_stamp_.logical : 0;
      const auto logical_delta = static_cast<int32_t>(op.stamp.logical - base);
      Varint(ZigZag(static_cast<uint64_t>(static_cast<int64_t>(logical_delta))));
    }
    last_stamp_ = op.stamp;
    have_stamp_ = true;

    if (!(ctrl & kSameAuthor)) String(op.author);
    if (!(ctrl & kSameType)) String(op.key.type);
    String(op.key.id);
    last_author_ = op.author;
    last_type_ = op.key.type;
    if (op.flags != 0) Varint(op.flags);
    if (prev == kPrevExplicit) Hash(op.prev_hash);
    if (body_explicit) Hash(op.body_hash);
    if (op.erased) return;

    if (!(ctrl & kOneWrite)) Varint(op.writes.size());
    for (const crdt::FieldWrite& w : op.writes) {
      const size_t sups = w.supersedes.size();
      const bool simple = w.kind == crdt::WriteKind::kSet && sups == 0;
      String(w.field, simple ? 1 : 0);
      if (!simple) {
        const auto inline_count = static_cast<uint8_t>(std::min<size_t>(sups, kSupInline));
        out_.push_back(static_cast<char>(static_cast<uint8_t>(w.kind) | (inline_count << 2)));
        if (inline_count == kSupInline) Varint(sups - kSupInline);
      }
      Varint(w.value.size());
      out_.append(w.value);
      for (const crdt::OpId& sup : w.supersedes) {
        Origin(sup.origin);
        Varint(op.stamp.ms - sup.stamp.ms);  // never negative in a valid op; wraps otherwise
        Varint(sup.stamp.logical);
      }
    }
  }

  std::string out_;
  std::unordered_map<std::string, uint32_t> strings_;
  std::string last_new_;
  std::unordered_map<crdt::NodeId, uint32_t> origins_;
  crdt::Stamp last_stamp_;
  bool have_stamp_ = false;
  std::optional<std::string> last_author_, last_type_;
};

// ------------------------------------------------------------------------------------------
// Decoder.

class Unpacker {
 public:
  explicit Unpacker(std::string_view in) : in_(in) {}

  Result<std::vector<std::string>> Unpack() {
    uint8_t format = 0;
    FULEI_RETURN_IF_ERROR(Byte(&format, "format"));
    if (format != kOpPackFormat) {
      return Fail("unknown format " + std::to_string(format));
    }
    uint64_t total = 0;
    FULEI_RETURN_IF_ERROR(Bounded(&total, kMaxOpsPerBatch, "op count"));
    std::vector<std::string> ops;
    ops.reserve(total);
    while (ops.size() < total) {
      uint8_t tag = 0;
      FULEI_RETURN_IF_ERROR(Byte(&tag, "run tag"));
      if (tag == kRunRaw) {
        uint64_t len = 0;
        FULEI_RETURN_IF_ERROR(Bounded(&len, crdt::kMaxEncodedOpBytes, "verbatim op length"));
        std::string_view bytes;
        FULEI_RETURN_IF_ERROR(Take(len, &bytes, "verbatim op"));
        FULEI_RETURN_IF_ERROR(Expand(bytes.size()));
        ops.emplace_back(bytes);
        continue;
      }
      if (tag != kRunChain) return Fail("unknown run tag " + std::to_string(tag));
      std::string scope;
      crdt::NodeId origin = 0;
      uint64_t first_seq = 0, count = 0;
      FULEI_RETURN_IF_ERROR(String(&scope, "run scope"));
      FULEI_RETURN_IF_ERROR(Origin(&origin, "run origin"));
      FULEI_RETURN_IF_ERROR(Varint(&first_seq, "run first seq"));
      FULEI_RETURN_IF_ERROR(Bounded(&count, total - ops.size(), "run length"));
      if (count == 0) return Fail("empty run");
      if (first_seq > UINT64_MAX - (count - 1)) return Fail("run seq overflows");
      std::optional<crdt::Hash> before_head;
      for (uint64_t k = 0; k < count; ++k) {
        crdt::Op op;
        op.origin = origin;
        op.seq = first_seq + k;
        op.key.scope = scope;
        FULEI_RETURN_IF_ERROR(Op(&op, before_head ? &*before_head : nullptr));
        Status valid = crdt::ValidateOp(op);
        if (!valid.ok()) {
          return InvalidArgument("packed ops: op " + std::to_string(ops.size()) + ": " +
                                 valid.message());
        }
        std::string bytes = crdt::EncodeOp(op);
        if (bytes.size() > crdt::kMaxEncodedOpBytes) return Fail("rebuilt op is too large");
        FULEI_RETURN_IF_ERROR(Expand(bytes.size()));
        if (k + 1 < count) before_head = crypto::OpHeaderHash(op);
        ops.push_back(std::move(bytes));
      }
    }
    if (pos_ != in_.size()) {
      return Fail(std::to_string(in_.size() - pos_) + " bytes after the last op");
    }
    return ops;
  }

 private:
  Status Fail(const std::string& why) const {
    return Corruption("packed ops at byte " + std::to_string(pos_) + ": " + why);
  }

  Status Byte(uint8_t* out, const char* what) {
    if (pos_ >= in_.size()) return Fail(std::string("truncated before ") + what);
    *out = static_cast<uint8_t>(in_[pos_++]);
    return Status::Ok();
  }

  Status Varint(uint64_t* out, const char* what) {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      uint8_t b = 0;
      FULEI_RETURN_IF_ERROR(Byte(&b, what));
      if (shift == 63 && b > 1) return Fail(std::string(what) + " overflows 64 bits");
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) {
        *out = v;
        return Status::Ok();
      }
    }
    return Fail(std::string(what) + " overflows 64 bits");
  }

  Status Bounded(uint64_t* out, uint64_t max, const char* what) {
    FULEI_RETURN_IF_ERROR(Varint(out, what));
    if (*out > max) {
      return Fail(std::string(what) + " " + std::to_string(*out) + " exceeds " +
                  std::to_string(max));
    }
    return Status::Ok();
  }

  Status Take(uint64_t n, std::string_view* out, const char* what) {
    if (n > in_.size() - pos_) return Fail(std::string("truncated inside ") + what);
    *out = in_.substr(pos_, static_cast<size_t>(n));
    pos_ += static_cast<size_t>(n);
    return Status::Ok();
  }

  Status Expand(size_t bytes) {
    expanded_ += bytes;
    if (expanded_ > kMaxUnpackedBytes) {
      return Fail("rebuilt ops exceed " + std::to_string(kMaxUnpackedBytes) + " bytes");
    }
    return Status::Ok();
  }

  // A string token (see Packer::String); *bit receives the caller's flag, or the token must
  // carry none when bit is null.
  Status String(std::string* out, const char* what, bool* bit = nullptr) {
    uint64_t token = 0;
    FULEI_RETURN_IF_ERROR(Varint(&token, what));
    if (bit != nullptr) {
      *bit = (token & 1) != 0;
    } else if (token & 1) {
      return Fail(std::string(what) + " carries a flag");
    }
    const uint64_t ref = token >> 1;
    if (ref > strings_.size()) {
      return Fail(std::string(what) + " names string " + std::to_string(ref) + " of " +
                  std::to_string(strings_.size()));
    }
    if (ref > 0) {
      *out = strings_[static_cast<size_t>(ref - 1)];
      return Status::Ok();
    }
    uint64_t lengths = 0;
    FULEI_RETURN_IF_ERROR(Varint(&lengths, what));
    const uint64_t prefix = lengths >> 3;
    uint64_t suffix = lengths & 7;
    if (prefix > last_new_.size()) return Fail(std::string(what) + " prefix is too long");
    if (suffix == kSuffixInline) {
      uint64_t more = 0;
      FULEI_RETURN_IF_ERROR(Bounded(&more, kMaxStringBytes, what));
      suffix += more;
    }
    if (prefix + suffix > kMaxStringBytes) return Fail(std::string(what) + " is too long");
    std::string_view rest;
    FULEI_RETURN_IF_ERROR(Take(suffix, &rest, what));
    std::string s = last_new_.substr(0, static_cast<size_t>(prefix));
    s.append(rest);
    strings_.push_back(s);
    last_new_ = s;
    *out = std::move(s);
    return Status::Ok();
  }

  Status Origin(crdt::NodeId* out, const char* what) {
    uint64_t ref = 0;
    FULEI_RETURN_IF_ERROR(Bounded(&ref, origins_.size(), what));
    if (ref > 0) {
      *out = origins_[static_cast<size_t>(ref - 1)];
      return Status::Ok();
    }
    std::string_view raw;
    FULEI_RETURN_IF_ERROR(Take(8, &raw, what));
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(raw[static_cast<size_t>(i)]);
    origins_.push_back(v);
    *out = v;
    return Status::Ok();
  }

  Status HashBytes(crdt::Hash* out, const char* what) {
    std::string_view raw;
    FULEI_RETURN_IF_ERROR(Take(out->size(), &raw, what));
    std::memcpy(out->data(), raw.data(), out->size());
    return Status::Ok();
  }

  // Reads one op of a run into *op (origin, seq and scope already set). `before_head` is the
  // header hash of the run's previous op, or null for the run's first.
  Status Op(crdt::Op* op, const crdt::Hash* before_head) {
    uint8_t ctrl = 0, ext = 0;
    FULEI_RETURN_IF_ERROR(Byte(&ctrl, "op control byte"));
    if (ctrl & kCtrlReserved) return Fail("op control byte has reserved bits set");
    if (ctrl & kExtended) {
      FULEI_RETURN_IF_ERROR(Byte(&ext, "op extension byte"));
      if (ext & kExtReserved) return Fail("op extension byte has reserved bits set");
    }
    op->erased = (ext & kErased) != 0;
    const uint8_t prev = static_cast<uint8_t>((ext & kPrevMask) >> kPrevShift);
    if (prev > kPrevExplicit) return Fail("unknown prev hash mode");
    if (prev == kPrevChained && before_head == nullptr) {
      return Fail("the first op of a run must carry its prev hash");
    }
    if (op->erased && !(ext & kBodyExplicit)) return Fail("erased op without its body hash");
    if (op->erased && (ctrl & kOneWrite)) return Fail("erased op with a write");
    if ((ctrl & kSameAuthor) && !last_author_) return Fail("no previous author to repeat");
    if ((ctrl & kSameType) && !last_type_) return Fail("no previous type to repeat");

    if (ctrl & kNextStamp) {
      if (!have_stamp_ || last_stamp_.logical == UINT32_MAX) {
        return Fail("no previous stamp to follow");
      }
      op->stamp = crdt::Stamp{last_stamp_.ms, last_stamp_.logical + 1};
    } else {
      uint64_t ms_zz = 0, logical_zz = 0;
      FULEI_RETURN_IF_ERROR(Varint(&ms_zz, "stamp"));
      FULEI_RETURN_IF_ERROR(Bounded(&logical_zz, UINT32_MAX, "stamp logical"));
      const uint64_t ms_delta = UnZigZag(ms_zz);
      op->stamp.ms = last_stamp_.ms + ms_delta;
      const uint32_t base = ms_delta == 0 ? last_stamp_.logical : 0;
      op->stamp.logical = base + static_cast<uint32_t>(UnZigZag(logical_zz));
    }
    last_stamp_ = op->stamp;
    have_stamp_ = true;

    if (ctrl & kSameAuthor) {
      op->author = *last_author_;
    } else {
      FULEI_RETURN_IF_ERROR(String(&op->author, "author"));
    }
    if (ctrl & kSameType) {
      op->key.type = *last_type_;
    } else {
      FULEI_RETURN_IF_ERROR(String(&op->key.type, "record type"));
    }
    FULEI_RETURN_IF_ERROR(String(&op->key.id, "record id"));
    last_author_ = op->author;
    last_type_ = op->key.type;
    if (ext & kHasFlags) {
      uint64_t flags = 0;
      FULEI_RETURN_IF_ERROR(Bounded(&flags, UINT32_MAX, "flags"));
      op->flags = static_cast<uint32_t>(flags);
    }
    if (prev == kPrevExplicit) FULEI_RETURN_IF_ERROR(HashBytes(&op->prev_hash, "prev hash"));
    if (prev == kPrevChained) op->prev_hash = *before_head;  // kPrevZero: already zero
    if (ext & kBodyExplicit) FULEI_RETURN_IF_ERROR(HashBytes(&op->body_hash, "body hash"));
    FULEI_RETURN_IF_ERROR(
        Expand(kOpCost + op->author.size() + op->key.type.size() + op->key.id.size()));
    if (op->erased) return Status::Ok();

    uint64_t writes = 1;
    if (!(ctrl & kOneWrite)) {
      FULEI_RETURN_IF_ERROR(Bounded(&writes, crdt::kMaxWritesPerOp, "write count"));
    }
    op->writes.reserve(static_cast<size_t>(writes));
    for (uint64_t i = 0; i < writes; ++i) {
      crdt::FieldWrite w;
      bool simple = false;
      FULEI_RETURN_IF_ERROR(String(&w.field, "field name", &simple));
      uint64_t sups = 0;
      if (!simple) {
        uint8_t kind_sups = 0;
        FULEI_RETURN_IF_ERROR(Byte(&kind_sups, "write kind"));
        w.kind = static_cast<crdt::WriteKind>(kind_sups & 3);
        sups = kind_sups >> 2;
        if (sups == kSupInline) {
          uint64_t more = 0;
          FULEI_RETURN_IF_ERROR(
              Bounded(&more, crdt::kMaxSupersedesPerWrite - kSupInline, "supersedes count"));
          sups += more;
        }
      }
      uint64_t value_len = 0;
      FULEI_RETURN_IF_ERROR(Bounded(&value_len, crdt::kMaxValueBytes, "value length"));
      std::string_view value;
      FULEI_RETURN_IF_ERROR(Take(value_len, &value, "value"));
      w.value = std::string(value);
      // Bound what this write adds before building its supersedes list.
      FULEI_RETURN_IF_ERROR(Expand(kWriteCost + w.field.size() + w.value.size() + kSupCost * sups));
      w.supersedes.reserve(static_cast<size_t>(sups));
      for (uint64_t k = 0; k < sups; ++k) {
        crdt::OpId sup;
        uint64_t back = 0, logical = 0;
        FULEI_RETURN_IF_ERROR(Origin(&sup.origin, "superseded origin"));
        FULEI_RETURN_IF_ERROR(Varint(&back, "superseded stamp"));
        FULEI_RETURN_IF_ERROR(Bounded(&logical, UINT32_MAX, "superseded stamp logical"));
        sup.stamp.ms = op->stamp.ms - back;
        sup.stamp.logical = static_cast<uint32_t>(logical);
        w.supersedes.push_back(sup);
      }
      op->writes.push_back(std::move(w));
    }
    if (!(ext & kBodyExplicit)) op->body_hash = crypto::OpBodyHash(*op);
    return Status::Ok();
  }

  std::string_view in_;
  size_t pos_ = 0;
  size_t expanded_ = 0;
  std::vector<std::string> strings_;
  std::string last_new_;
  std::vector<crdt::NodeId> origins_;
  crdt::Stamp last_stamp_;
  bool have_stamp_ = false;
  std::optional<std::string> last_author_, last_type_;
};

}  // namespace

std::string PackOps(const std::vector<std::string>& ops) { return Packer().Pack(ops); }

Result<std::vector<std::string>> UnpackOps(std::string_view packed) {
  return Unpacker(packed).Unpack();
}

}  // namespace fulei::sync
