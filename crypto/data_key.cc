#include "crypto/data_key.h"

#include <sodium.h>

#include "crypto/internal/bytes.h"

namespace fulei::crypto {
namespace {

using internal::U8Ptr;
constexpr uint8_t kVersion = 1;
constexpr size_t kHeader = 1 + 4;
constexpr size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr size_t kTag = crypto_aead_xchacha20poly1305_ietf_ABYTES;
constexpr std::string_view kPurpose = "data-keys";
constexpr size_t kMaxKeys = 4096;

std::string Ad(std::string_view header, std::string_view caller) {
  std::string ad;
  ad.reserve(header.size() + caller.size());
  ad.append(header);
  ad.append(caller);
  return ad;
}

}  // namespace

DataKey DataKey::Generate(uint32_t id, Random& random) {
  Secret<32> k;
  random.Fill(k.data(), k.size());
  return DataKey(id, std::move(k));
}

DataKey DataKey::FromBytes(uint32_t id, const Secret<32>& key) { return DataKey(id, key.Clone()); }

std::string DataKey::Seal(std::string_view plaintext, std::string_view associated_data) const {
  std::string out;
  out.reserve(kSealOverhead + plaintext.size());
  internal::PutU8(out, kVersion);
  internal::PutU32(out, id_);
  out.resize(kHeader + kNonce);
  randombytes_buf(U8Ptr(out) + kHeader, kNonce);
  std::string ad = Ad(std::string_view(out).substr(0, kHeader), associated_data);
  out.resize(kHeader + kNonce + plaintext.size() + kTag);
  unsigned long long clen = 0;
  FULEI_CHECK(crypto_aead_xchacha20poly1305_ietf_encrypt(
                  U8Ptr(out) + kHeader + kNonce, &clen, U8Ptr(plaintext), plaintext.size(),
                  U8Ptr(ad), ad.size(), nullptr, U8Ptr(out) + kHeader, key_.data()) == 0);
  return out;
}

Result<uint32_t> SealedKeyId(std::string_view sealed) {
  internal::Reader in(sealed);
  uint8_t version = 0;
  uint32_t id = 0;
  if (sealed.size() < kSealOverhead || !in.U8(&version) || version != kVersion || !in.U32(&id)) {
    return Corruption("sealed value: too short or unknown version");
  }
  return id;
}

Result<std::string> DataKey::Open(std::string_view sealed, std::string_view associated_data) const {
  FULEI_ASSIGN_OR_RETURN(uint32_t id, SealedKeyId(sealed));
  if (id != id_) return NotFound("sealed under data key " + std::to_string(id));
  std::string ad = Ad(sealed.substr(0, kHeader), associated_data);
  std::string_view ct = sealed.substr(kHeader + kNonce);
  std::string out(ct.size() - kTag, '\0');
  unsigned long long mlen = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(U8Ptr(out), &mlen, nullptr, U8Ptr(ct), ct.size(),
                                                 U8Ptr(ad), ad.size(), U8Ptr(sealed) + kHeader,
                                                 key_.data()) != 0) {
    sodium_memzero(out.data(), out.size());
    return Corruption("sealed value failed authentication");
  }
  return out;
}

KeyRing KeyRing::Create(Random& random) {
  KeyRing ring;
  ring.keys_.push_back(DataKey::Generate(1, random));
  return ring;
}

uint32_t KeyRing::Rotate(Random& random) {
  uint32_t id = current_id() + 1;
  FULEI_CHECK(id != 0);
  keys_.push_back(DataKey::Generate(id, random));
  return id;
}

std::string KeyRing::Seal(std::string_view plaintext, std::string_view associated_data) const {
  return keys_.back().Seal(plaintext, associated_data);
}

Result<std::string> KeyRing::Open(std::string_view sealed, std::string_view associated_data) const {
  FULEI_ASSIGN_OR_RETURN(uint32_t id, SealedKeyId(sealed));
  for (const DataKey& k : keys_) {
    if (k.id() == id) return k.Open(sealed, associated_data);
  }
  return NotFound("no data key " + std::to_string(id) + " in this node's key ring");
}

Result<std::string> KeyRing::Wrap(const KeyProtection& protection, Random& random) const {
  SecretString plain;
  internal::PutU32(plain.mutable_string(), static_cast<uint32_t>(keys_.size()));
  for (const DataKey& k : keys_) {
    internal::PutU32(plain.mutable_string(), k.id());
    internal::PutBytes(plain.mutable_string(), k.key().data(), 32);
  }
  return SealSecret(kPurpose, plain.view(), protection, random);
}

Result<KeyRing> KeyRing::Unwrap(std::string_view wrapped, const KeyProtection& protection) {
  FULEI_ASSIGN_OR_RETURN(SecretString plain, OpenSecret(kPurpose, wrapped, protection));
  internal::Reader in(plain.view());
  uint32_t n = 0;
  if (!in.U32(&n) || n == 0 || n > kMaxKeys || in.remaining() != size_t{n} * 36) {
    return Corruption("key ring: malformed");
  }
  KeyRing ring;
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t id = 0;
    std::string_view key;
    (void)in.U32(&id);
    (void)in.Bytes(32, &key);
    if (!ring.keys_.empty() && id <= ring.keys_.back().id()) {
      return Corruption("key ring: ids not ascending");
    }
    ring.keys_.push_back(DataKey::FromBytes(id, Secret<32>::FromBytes(U8Ptr(key))));
  }
  return ring;
}

Status KeyRing::Save(const std::filesystem::path& data_dir, const KeyProtection& protection,
                     Random& random) const {
  FULEI_ASSIGN_OR_RETURN(std::string wrapped, Wrap(protection, random));
  return WritePrivateFile(data_dir / kDataKeysFileName, wrapped);
}

Result<KeyRing> KeyRing::Load(const std::filesystem::path& data_dir,
                              const KeyProtection& protection) {
  FULEI_ASSIGN_OR_RETURN(SecretString wrapped,
                         ReadPrivateFile(data_dir / kDataKeysFileName, 1 << 20));
  return Unwrap(wrapped.view(), protection);
}

}  // namespace fulei::crypto
