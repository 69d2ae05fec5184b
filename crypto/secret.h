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

// A variable-length secret (a passphrase, a decrypted key file) wiped on destruction.
class SecretString {
 public:
  SecretString() = default;
  explicit SecretString(std::string_view s) : s_(s) {}
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
  std::string& mutable_string() { return s_; }
  size_t size() const { return s_.size(); }

 private:
  void Clear() {
    internal::Wipe(s_.data(), s_.size());
    s_.clear();
  }
  std::string s_;
};

}  // namespace fulei::crypto

#endif  // FULEI_CRYPTO_SECRET_H_
