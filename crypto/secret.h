// Secret<N>: a fixed-size secret (key, seed) in a move-only type that wipes itself.
//
// The bytes are zeroed with sodium_memzero on destruction and when moved from, so a key never
// lingers in freed memory. Copies are impossible; use Clone() where a second owner is really
// needed. Compare with ConstantTimeEquals (sodium_memcmp), never with ==.
// Thread-compatible value type. See docs/crypto.md.
#ifndef FULEI_CRYPTO_SECRET_H_
#define FULEI_CRYPTO_SECRET_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace fulei::crypto {
namespace internal {
// sodium_memzero / sodium_memcmp, kept out of this header so that users of crypto/ do not
// include libsodium.
void Wipe(void* p, size_t n);
bool ConstantTimeEquals(const void* a, const void* b, size_t n);
}  // namespace internal

template <size_t N>
class Secret {
 public:
  Secret() { bytes_.fill(0); }
  ~Secret() { internal::Wipe(bytes_.data(), N); }
  Secret(Secret&& other) noexcept : bytes_(other.bytes_) { internal::Wipe(other.bytes_.data(), N); }
  Secret& operator=(Secret&& other) noexcept {
    if (this != &other) {
      bytes_ = other.bytes_;
      internal::Wipe(other.bytes_.data(), N);
    }
    return *this;
  }
  Secret(const Secret&) = delete;
  Secret& operator=(const Secret&) = delete;

  // REQUIRES: p points at N readable bytes.
  static Secret FromBytes(const uint8_t* p) {
    Secret s;
    std::memcpy(s.bytes_.data(), p, N);
    return s;
  }
  Secret Clone() const { return FromBytes(bytes_.data()); }

  uint8_t* data() { return bytes_.data(); }
  const uint8_t* data() const { return bytes_.data(); }
  static constexpr size_t size() { return N; }
  bool ConstantTimeEquals(const Secret& other) const {
    return internal::ConstantTimeEquals(bytes_.data(), other.bytes_.data(), N);
  }

 private:
  std::array<uint8_t, N> bytes_;
};

// A variable-length secret (a passphrase, a decrypted key file, a join token's text) wiped on
// destruction. Its bytes never leave a copy in freed memory:
//   - they always live in a heap buffer of at least kMinCapacity bytes (never in std::string's
//     small-string buffer), so a move hands the buffer over instead of copying the bytes;
//   - growing (Append, Resize, Reserve) moves them to a larger buffer and wipes the old one
//     before it is freed, and shrinking wipes the bytes cut off;
//   - destruction, Clear() and being moved from wipe the whole buffer, up to its capacity.
// Build a secret in place (Resize, then write through data()) or with Append; there is no
// access to the underlying std::string, whose own growth would not wipe.
// Move-only, thread-compatible value type.
class SecretString {
 public:
  static constexpr size_t kMinCapacity = 32;  // above every std::string small-buffer size

  SecretString() = default;
  explicit SecretString(std::string_view s) { Append(s); }
  ~SecretString() { Clear(); }
  SecretString(SecretString&& other) noexcept : s_(std::move(other.s_)) { other.Clear(); }
  SecretString& operator=(SecretString&& other) noexcept {
    if (this != &other) {
      Clear();
      s_ = std::move(other.s_);
      other.Clear();
    }
    return *this;
  }
  SecretString(const SecretString&) = delete;
  SecretString& operator=(const SecretString&) = delete;

  std::string_view view() const { return s_; }
  char* data() { return s_.data(); }
  const char* data() const { return s_.data(); }
  size_t size() const { return s_.size(); }
  bool empty() const { return s_.empty(); }

  // Makes room for `n` bytes without moving them again (wiping the buffer they leave).
  void Reserve(size_t n) {
    if (n <= s_.capacity() && s_.capacity() >= kMinCapacity) return;
    std::string grown;
    grown.reserve(n < kMinCapacity ? kMinCapacity : n);
    grown.append(s_);
    Clear();
    s_ = std::move(grown);  // a heap buffer: the move hands it over
  }
  // Appends `bytes`, growing the buffer geometrically (each old buffer wiped).
  void Append(std::string_view bytes) {
    if (s_.size() + bytes.size() > s_.capacity() || s_.capacity() < kMinCapacity) {
      Reserve(s_.size() + bytes.size() > 2 * s_.size() ? s_.size() + bytes.size() : 2 * s_.size());
    }
    s_.append(bytes);
  }
  void Append(const uint8_t* p, size_t n) {
    Append(std::string_view(reinterpret_cast<const char*>(p), n));
  }
  // Grows with zero bytes, or shrinks wiping the bytes cut off.
  void Resize(size_t n) {
    if (n < s_.size()) {
      internal::Wipe(s_.data() + n, s_.size() - n);
    } else {
      Reserve(n);
    }
    s_.resize(n);
  }
  // Wipes every byte of the buffer (up to its capacity) and empties the string.
  void Clear() {
    s_.resize(s_.capacity());  // never reallocates; makes the whole buffer addressable
    internal::Wipe(s_.data(), s_.size());
    s_.clear();
  }

 private:
  std::string s_;
};

}  // namespace fulei::crypto

#endif  // FULEI_CRYPTO_SECRET_H_
