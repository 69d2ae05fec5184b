#include "crypto/data_key.h"

#include <pthread.h>
#include <sodium.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <vector>

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

constexpr size_t kPrefix = crypto_core_hchacha20_INPUTBYTES;  // 16; the rest is the counter
static_assert(kPrefix + 8 == kNonce);
static_assert(crypto_core_hchacha20_OUTPUTBYTES == crypto_aead_chacha20poly1305_ietf_KEYBYTES);
// Associated data up to this size is assembled on the stack (the store's are under 600 bytes).
constexpr size_t kStackAd = 1024;

// Counts the child processes this process image has become through fork(): a DataKey used on
// both sides of a fork() must not continue the same (prefix, counter) sequence in both, so it
// draws a new prefix when the generation it drew under is not the current one. A process-wide
// counter is the one global here: fork() is process-wide too.
std::atomic<uint64_t> g_fork_generation{0};
void OnForkChild() { g_fork_generation.fetch_add(1, std::memory_order_relaxed); }
void WatchForks() {
  static std::once_flag once;
  std::call_once(once, [] { FULEI_CHECK(pthread_atfork(nullptr, nullptr, &OnForkChild) == 0); });
}

// ChaCha20-Poly1305-IETF (RFC 8439, section 2.8), byte for byte what libsodium's
// crypto_aead_chacha20poly1305_ietf_{encrypt,decrypt}_detached compute, made of libsodium's
// ChaCha20 and Poly1305. The difference is one ChaCha20 pass, over [64 zero bytes || text ||
// zero padding]: block 0 gives the Poly1305 key, blocks 1... the keystream. libsodium's
// vectorised ChaCha20 does a whole 512-byte run in about the time of two single blocks of a
// ragged tail, so a tail of more than two blocks is padded up to a whole run; and its AEAD makes
// the Poly1305 key in a call of its own. For the store's values (a few hundred bytes) this costs
// about half. tests/crypto/data_key_test.cc checks it against libsodium's AEAD for every length
// to 1,100 bytes.
constexpr size_t kChachaRun = 512;

size_t KeystreamSpan(size_t len) {
  size_t span = (64 + len + 63) / 64 * 64;
  const size_t tail = span % kChachaRun;
  if (tail > 128) span += kChachaRun - tail;
  return span;
}

// Scratch for the keystream pass, wiped by the caller after every use: a per-thread buffer up to
// kKeptScratch bytes, above that `own` (freed when the call ends, so a thread that once sealed
// a large value does not keep its size).
constexpr size_t kKeptScratch = size_t{64} << 10;
uint8_t* Scratch(size_t n, std::vector<uint8_t>& own) {
  if (n > kKeptScratch) {
    own.assign(n, 0);
    return own.data();
  }
  thread_local std::vector<uint8_t> buffer;
  if (buffer.size() < n) {
    sodium_memzero(buffer.data(), buffer.size());
    buffer.assign(n, 0);
  }
  return buffer.data();
}

void Poly1305Tag(uint8_t tag[kTag], const uint8_t poly_key[32], const uint8_t* ad, size_t ad_len,
                 const uint8_t* c, size_t c_len) {
  static const uint8_t kZeros[16] = {};
  crypto_onetimeauth_poly1305_state st;
  crypto_onetimeauth_poly1305_init(&st, poly_key);
  crypto_onetimeauth_poly1305_update(&st, ad, ad_len);
  crypto_onetimeauth_poly1305_update(&st, kZeros, (16 - ad_len % 16) % 16);
  crypto_onetimeauth_poly1305_update(&st, c, c_len);
  crypto_onetimeauth_poly1305_update(&st, kZeros, (16 - c_len % 16) % 16);
  uint8_t lengths[16];
  for (int i = 0; i < 8; ++i) {
    lengths[i] = static_cast<uint8_t>(static_cast<uint64_t>(ad_len) >> (8 * i));
    lengths[8 + i] = static_cast<uint8_t>(static_cast<uint64_t>(c_len) >> (8 * i));
  }
  crypto_onetimeauth_poly1305_update(&st, lengths, sizeof(lengths));
  crypto_onetimeauth_poly1305_final(&st, tag);
  sodium_memzero(&st, sizeof(st));
}

// XORs `in` (len bytes) with the keystream from block 1 into bytes 64... of the returned
// scratch and leaves the Poly1305 key in its first 32 bytes; the caller wipes `span` bytes of it.
uint8_t* KeystreamPass(const uint8_t* in, size_t len, const uint8_t nonce[12], const uint8_t* key,
                       size_t* span, std::vector<uint8_t>& own) {
  *span = KeystreamSpan(len);
  uint8_t* buf = Scratch(*span, own);
  std::memset(buf, 0, 64);
  if (len > 0) std::memcpy(buf + 64, in, len);
  std::memset(buf + 64 + len, 0, *span - 64 - len);
  crypto_stream_chacha20_ietf_xor_ic(buf, buf, *span, nonce, 0, key);
  return buf;
}

void AeadEncrypt(uint8_t* c, uint8_t tag[kTag], const uint8_t* m, size_t len, const uint8_t* ad,
                 size_t ad_len, const uint8_t nonce[12], const uint8_t* key) {
  size_t span = 0;
  std::vector<uint8_t> own;
  uint8_t* buf = KeystreamPass(m, len, nonce, key, &span, own);
  if (len > 0) std::memcpy(c, buf + 64, len);
  Poly1305Tag(tag, buf, ad, ad_len, c, len);
  sodium_memzero(buf, span);
}

// False (and nothing written to m) when the tag does not verify.
bool AeadDecrypt(uint8_t* m, const uint8_t* c, size_t len, const uint8_t tag[kTag],
                 const uint8_t* ad, size_t ad_len, const uint8_t nonce[12], const uint8_t* key) {
  size_t span = 0;
  std::vector<uint8_t> own;
  uint8_t* buf = KeystreamPass(c, len, nonce, key, &span, own);
  uint8_t computed[kTag];
  Poly1305Tag(computed, buf, ad, ad_len, c, len);
  const bool ok = crypto_verify_16(computed, tag) == 0;
  if (ok && len > 0) std::memcpy(m, buf + 64, len);
  sodium_memzero(buf, span);
  return ok;
}

}  // namespace

// Nonce = prefix || counter (u64 little-endian). XChaCha20-Poly1305 with that nonce is
// ChaCha20-Poly1305-IETF under subkey = HChaCha20(key, prefix) with nonce 0^4 || counter, so
// the subkey is derived once per prefix (libsodium's xchacha20poly1305_ietf does exactly this
// per call). See the header for why nonces never repeat.
struct DataKey::NonceState {
  std::mutex mu;
  bool drawn = false;
  uint64_t generation = 0;
  uint64_t counter = 0;
  uint8_t prefix[kPrefix] = {};
  Secret<32> subkey;
};

DataKey::DataKey(uint32_t id, Secret<32> key)
    : id_(id), key_(std::move(key)), nonce_(std::make_unique<NonceState>()) {
  EnsureSodium();
  WatchForks();
}
DataKey::DataKey(DataKey&&) noexcept = default;
DataKey& DataKey::operator=(DataKey&&) noexcept = default;
DataKey::~DataKey() = default;

DataKey DataKey::Generate(uint32_t id, Random& random) {
  Secret<32> k;
  random.Fill(k.data(), k.size());
  return DataKey(id, std::move(k));
}

DataKey DataKey::FromBytes(uint32_t id, const Secret<32>& key) { return DataKey(id, key.Clone()); }

std::string DataKey::Seal(std::string_view plaintext, std::string_view associated_data) const {
  FULEI_CHECK(nonce_ != nullptr);  // a moved-from DataKey
  std::string out(kHeader + kNonce + plaintext.size() + kTag, '\0');
  uint8_t* o = U8Ptr(out);
  o[0] = kVersion;
  for (int i = 0; i < 4; ++i) o[1 + i] = static_cast<uint8_t>(id_ >> (24 - 8 * i));
  Secret<32> subkey;
  {
    std::lock_guard<std::mutex> lock(nonce_->mu);
    NonceState& n = *nonce_;
    const uint64_t generation = g_fork_generation.load(std::memory_order_relaxed);
    if (!n.drawn || n.generation != generation || n.counter == UINT64_MAX) {
      randombytes_buf(n.prefix, kPrefix);
      FULEI_CHECK(crypto_core_hchacha20(n.subkey.data(), n.prefix, key_.data(), nullptr) == 0);
      n.counter = 0;
      n.generation = generation;
      n.drawn = true;
    }
    const uint64_t c = n.counter++;
    std::memcpy(o + kHeader, n.prefix, kPrefix);
    for (int i = 0; i < 8; ++i) o[kHeader + kPrefix + i] = static_cast<uint8_t>(c >> (8 * i));
    std::memcpy(subkey.data(), n.subkey.data(), subkey.size());
  }
  uint8_t ietf_nonce[crypto_aead_chacha20poly1305_ietf_NPUBBYTES] = {};
  std::memcpy(ietf_nonce + 4, o + kHeader + kPrefix, 8);
  // ad = header || caller ad, on the stack when it fits.
  uint8_t stack_ad[kStackAd];
  std::string heap_ad;
  const uint8_t* ad = stack_ad;
  const size_t ad_len = kHeader + associated_data.size();
  if (ad_len <= kStackAd) {
    std::memcpy(stack_ad, o, kHeader);
    if (!associated_data.empty()) {
      std::memcpy(stack_ad + kHeader, associated_data.data(), associated_data.size());
    }
  } else {
    heap_ad = Ad(std::string_view(out).substr(0, kHeader), associated_data);
    ad = U8Ptr(heap_ad);
  }
  uint8_t* c = o + kHeader + kNonce;
  AeadEncrypt(c, c + plaintext.size(), U8Ptr(plaintext), plaintext.size(), ad, ad_len, ietf_nonce,
              subkey.data());
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
  FULEI_CHECK(nonce_ != nullptr);  // a moved-from DataKey
  FULEI_ASSIGN_OR_RETURN(uint32_t id, SealedKeyId(sealed));
  if (id != id_) return NotFound("sealed under data key " + std::to_string(id));
  const uint8_t* nonce = U8Ptr(sealed) + kHeader;
  std::string_view ct = sealed.substr(kHeader + kNonce);
  std::string out(ct.size() - kTag, '\0');
  // A value sealed under this instance's prefix opens with the subkey derived for it
  // (ChaCha20-Poly1305-IETF, as in Seal); any other with a fresh HChaCha20 derivation.
  Secret<32> subkey;
  {
    std::lock_guard<std::mutex> lock(nonce_->mu);
    if (nonce_->drawn && std::memcmp(nonce_->prefix, nonce, kPrefix) == 0) {
      std::memcpy(subkey.data(), nonce_->subkey.data(), subkey.size());
    } else {
      FULEI_CHECK(crypto_core_hchacha20(subkey.data(), nonce, key_.data(), nullptr) == 0);
    }
  }
  uint8_t ietf_nonce[crypto_aead_chacha20poly1305_ietf_NPUBBYTES] = {};
  std::memcpy(ietf_nonce + 4, nonce + kPrefix, 8);
  uint8_t stack_ad[kStackAd];
  std::string heap_ad;
  const uint8_t* ad = stack_ad;
  const size_t ad_len = kHeader + associated_data.size();
  if (ad_len <= kStackAd) {
    std::memcpy(stack_ad, sealed.data(), kHeader);
    if (!associated_data.empty()) {
      std::memcpy(stack_ad + kHeader, associated_data.data(), associated_data.size());
    }
  } else {
    heap_ad = Ad(sealed.substr(0, kHeader), associated_data);
    ad = U8Ptr(heap_ad);
  }
  if (!AeadDecrypt(U8Ptr(out), U8Ptr(ct), ct.size() - kTag, U8Ptr(ct) + ct.size() - kTag, ad,
                   ad_len, ietf_nonce, subkey.data())) {
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

Result<SecretString> KeyRing::Wrap(const KeyProtection& protection, Random& random) const {
  SecretString plain;
  plain.Reserve(4 + keys_.size() * 36);
  std::string n;
  internal::PutU32(n, static_cast<uint32_t>(keys_.size()));
  plain.Append(n);
  for (const DataKey& k : keys_) {
    std::string id;
    internal::PutU32(id, k.id());
    plain.Append(id);
    plain.Append(k.key().data(), 32);
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
  FULEI_ASSIGN_OR_RETURN(SecretString wrapped, Wrap(protection, random));
  return WritePrivateFile(data_dir / kDataKeysFileName, wrapped.view());
}

Result<KeyRing> KeyRing::Load(const std::filesystem::path& data_dir,
                              const KeyProtection& protection) {
  FULEI_ASSIGN_OR_RETURN(SecretString wrapped,
                         ReadPrivateFile(data_dir / kDataKeysFileName, 1 << 20));
  return Unwrap(wrapped.view(), protection);
}

}  // namespace fulei::crypto
