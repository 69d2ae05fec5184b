// Big-endian integer encoding and a bounded reader for crypto/'s fixed binary formats.
// Internal to crypto/. Thread-compatible.
#ifndef FULEI_CRYPTO_INTERNAL_BYTES_H_
#define FULEI_CRYPTO_INTERNAL_BYTES_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace fulei::crypto::internal {

inline void PutU8(std::string& out, uint8_t v) { out.push_back(static_cast<char>(v)); }
inline void PutU16(std::string& out, uint16_t v) {
  PutU8(out, static_cast<uint8_t>(v >> 8));
  PutU8(out, static_cast<uint8_t>(v));
}
inline void PutU32(std::string& out, uint32_t v) {
  PutU16(out, static_cast<uint16_t>(v >> 16));
  PutU16(out, static_cast<uint16_t>(v));
}
inline void PutU64(std::string& out, uint64_t v) {
  PutU32(out, static_cast<uint32_t>(v >> 32));
  PutU32(out, static_cast<uint32_t>(v));
}
inline void PutBytes(std::string& out, const uint8_t* p, size_t n) {
  out.append(reinterpret_cast<const char*>(p), n);
}
template <size_t N>
void PutArray(std::string& out, const std::array<uint8_t, N>& a) {
  PutBytes(out, a.data(), N);
}

inline const uint8_t* U8Ptr(std::string_view s) {
  return reinterpret_cast<const uint8_t*>(s.data());
}
inline uint8_t* U8Ptr(std::string& s) { return reinterpret_cast<uint8_t*>(s.data()); }

inline uint64_t LoadU64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return v;
}

// Reads fields off untrusted bytes; every read checks the remaining length first.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool U8(uint8_t* v) {
    if (in_.size() < 1) return false;
    *v = static_cast<uint8_t>(in_[0]);
    in_.remove_prefix(1);
    return true;
  }
  bool U16(uint16_t* v) {
    uint8_t a, b;
    if (in_.size() < 2 || !U8(&a) || !U8(&b)) return false;
    *v = static_cast<uint16_t>((a << 8) | b);
    return true;
  }
  bool U32(uint32_t* v) {
    uint16_t a, b;
    if (in_.size() < 4 || !U16(&a) || !U16(&b)) return false;
    *v = (static_cast<uint32_t>(a) << 16) | b;
    return true;
  }
  bool U64(uint64_t* v) {
    uint32_t a, b;
    if (in_.size() < 8 || !U32(&a) || !U32(&b)) return false;
    *v = (static_cast<uint64_t>(a) << 32) | b;
    return true;
  }
  bool Bytes(size_t n, std::string_view* out) {
    if (in_.size() < n) return false;
    *out = in_.substr(0, n);
    in_.remove_prefix(n);
    return true;
  }
  template <size_t N>
  bool Array(std::array<uint8_t, N>* out) {
    if (in_.size() < N) return false;
    std::memcpy(out->data(), in_.data(), N);
    in_.remove_prefix(N);
    return true;
  }
  size_t remaining() const { return in_.size(); }
  std::string_view rest() const { return in_; }
  bool done() const { return in_.empty(); }

 private:
  std::string_view in_;
};

}  // namespace fulei::crypto::internal

#endif  // FULEI_CRYPTO_INTERNAL_BYTES_H_
