#include "store/internal/value_codec.h"

#include <cstring>

#include "store/internal/crc32c.h"
#include "store/internal/keys.h"
#include "store/internal/packing.h"

namespace fulei::store::internal {
namespace {

// db || 00 || key, assembled on the stack when it fits (every key the store makes does).
class AssociatedData {
 public:
  AssociatedData(std::string_view db, std::string_view key) {
    const size_t n = db.size() + 1 + key.size();
    char* p = buf_;
    if (n > sizeof(buf_)) {
      heap_.resize(n);
      p = heap_.data();
    }
    std::memcpy(p, db.data(), db.size());
    p[db.size()] = '\0';
    if (!key.empty()) std::memcpy(p + db.size() + 1, key.data(), key.size());
    view_ = std::string_view(p, n);
  }
  AssociatedData(const AssociatedData&) = delete;
  AssociatedData& operator=(const AssociatedData&) = delete;
  std::string_view view() const { return view_; }

 private:
  char buf_[768];
  std::string heap_;
  std::string_view view_;
};

uint32_t FrameCrc(std::string_view db, std::string_view key, std::string_view plaintext) {
  uint32_t crc = Crc32cExtend(0, db);
  crc = Crc32cExtend(crc, std::string_view("\0", 1));
  crc = Crc32cExtend(crc, key);
  return Crc32cExtend(crc, plaintext);
}

// Names a value in an error message without its contents (keys hold no names).
std::string Where(std::string_view db, std::string_view key) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(db);
  out += " key ";
  for (size_t i = 0; i < key.size() && i < 64; ++i) {
    auto b = static_cast<uint8_t>(key[i]);
    if (b >= 0x20 && b < 0x7f && b != '\\') {
      out.push_back(static_cast<char>(b));
    } else {
      out += "\\x";
      out.push_back(kHex[b >> 4]);
      out.push_back(kHex[b & 15]);
    }
  }
  return out;
}

}  // namespace

std::string Checked(std::string_view db, std::string_view key, std::string_view plaintext) {
  std::string out;
  out.reserve(plaintext.size() + 4);
  out.append(plaintext);
  AppendU32(&out, FrameCrc(db, key, plaintext));
  return out;
}

Result<std::string_view> Unchecked(std::string_view db, std::string_view key,
                                   std::string_view stored) {
  if (stored.size() < 4) return Corruption("truncated value in " + Where(db, key));
  std::string_view plain = stored.substr(0, stored.size() - 4);
  KeyReader r(stored.substr(stored.size() - 4));
  FULEI_ASSIGN_OR_RETURN(uint32_t crc, r.ReadU32());
  if (crc != FrameCrc(db, key, plain)) return Corruption("checksum mismatch in " + Where(db, key));
  return plain;
}

std::string ValueCodec::Wrap(std::string_view db, std::string_view key, std::string_view plaintext,
                             Packing packing) const {
  std::string packed;
  if (packing == Packing::kPacked) {
    packed = Pack(plaintext);
    plaintext = packed;
  }
  if (sealer_ == nullptr) return Checked(db, key, plaintext);
  return sealer_->Seal(plaintext, AssociatedData(db, key).view());
}

Result<std::string> ValueCodec::Unwrap(std::string_view db, std::string_view key,
                                       std::string_view stored, Packing packing) const {
  if (sealer_ == nullptr) {
    FULEI_ASSIGN_OR_RETURN(std::string_view payload, Unchecked(db, key, stored));
    if (packing == Packing::kAsIs) return std::string(payload);
    return Unpack(payload);
  }
  Result<std::string> opened = sealer_->Open(stored, AssociatedData(db, key).view());
  if (!opened.ok()) {
    return Corruption("sealed value fails to open in " + Where(db, key) + " (" +
                      opened.status().ToString() + ")");
  }
  if (packing == Packing::kAsIs) return opened;
  return Unpack(*opened);
}

}  // namespace fulei::store::internal
