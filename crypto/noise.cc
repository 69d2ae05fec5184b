#include "crypto/noise.h"

#include <sodium.h>

#include <cstring>
#include <limits>

#include "crypto/internal/bytes.h"

namespace fulei::crypto::noise {
namespace {

using internal::U8Ptr;
constexpr size_t kBlockLen = 128;  // BLAKE2b block length (HMAC)

void Blake2b(std::initializer_list<std::string_view> parts, uint8_t* out) {
  crypto_generichash_state st;
  FULEI_CHECK(crypto_generichash_init(&st, nullptr, 0, kHashLen) == 0);
  for (std::string_view p : parts) {
    FULEI_CHECK(crypto_generichash_update(&st, U8Ptr(p), p.size()) == 0);
  }
  FULEI_CHECK(crypto_generichash_final(&st, out, kHashLen) == 0);
  sodium_memzero(&st, sizeof st);
}

std::string_view View(const uint8_t* p, size_t n) {
  return std::string_view(reinterpret_cast<const char*>(p), n);
}

// HMAC-BLAKE2b (RFC 2104 with HASHLEN 64, BLOCKLEN 128). REQUIRES: key_len <= kBlockLen.
void Hmac(const uint8_t* key, size_t key_len, std::string_view data, uint8_t* out) {
  FULEI_CHECK(key_len <= kBlockLen);
  Secret<kBlockLen> ipad, opad;
  std::memcpy(ipad.data(), key, key_len);
  std::memcpy(opad.data(), key, key_len);
  for (size_t i = 0; i < kBlockLen; ++i) {
    ipad.data()[i] ^= 0x36;
    opad.data()[i] ^= 0x5c;
  }
  Secret<kHashLen> inner;
  Blake2b({View(ipad.data(), kBlockLen), data}, inner.data());
  Blake2b({View(opad.data(), kBlockLen), View(inner.data(), kHashLen)}, out);
}

// HKDF(chaining_key, ikm) with two or three outputs (spec section 4.3).
void Hkdf(const uint8_t* ck, const uint8_t* ikm, size_t ikm_len, uint8_t* out1, uint8_t* out2,
          uint8_t* out3) {
  Secret<kHashLen> temp;
  Hmac(ck, kHashLen, View(ikm, ikm_len), temp.data());
  uint8_t one = 1;
  Hmac(temp.data(), kHashLen, View(&one, 1), out1);
  Secret<kHashLen + 1> in;
  std::memcpy(in.data(), out1, kHashLen);
  in.data()[kHashLen] = 2;
  Hmac(temp.data(), kHashLen, View(in.data(), kHashLen + 1), out2);
  if (out3 != nullptr) {
    std::memcpy(in.data(), out2, kHashLen);
    in.data()[kHashLen] = 3;
    Hmac(temp.data(), kHashLen, View(in.data(), kHashLen + 1), out3);
  }
}

// ChaChaPoly nonce: 32 bits of zeros then the 64-bit counter little-endian (spec section 12.3).
std::array<uint8_t, crypto_aead_chacha20poly1305_ietf_NPUBBYTES> Nonce(uint64_t n) {
  std::array<uint8_t, crypto_aead_chacha20poly1305_ietf_NPUBBYTES> nonce{};
  for (int i = 0; i < 8; ++i) nonce[4 + i] = static_cast<uint8_t>(n >> (8 * i));
  return nonce;
}

}  // namespace

KeyPair KeyPair::Generate(Random& random) {
  Secret<kDhLen> priv;
  random.Fill(priv.data(), kDhLen);
  return FromPrivate(priv.data());
}

KeyPair KeyPair::FromPrivate(const uint8_t* private_key) {
  KeyPair kp;
  kp.private_key = Secret<kDhLen>::FromBytes(private_key);
  FULEI_CHECK(crypto_scalarmult_base(kp.public_key.data(), kp.private_key.data()) == 0);
  return kp;
}

Status Dh(const KeyPair& own, const PublicKey& remote, Secret<kDhLen>* out) {
  if (crypto_scalarmult(out->data(), own.private_key.data(), remote.data()) != 0) {
    return Unauthenticated("X25519 with a low-order public key");
  }
  return Status::Ok();
}

void CipherState::InitializeKey(const uint8_t* key) {
  k_ = Secret<kKeyLen>::FromBytes(key);
  has_key_ = true;
  n_ = 0;
}

Status CipherState::EncryptWithAd(std::string_view ad, std::string_view plaintext,
                                  std::string* out) {
  if (!has_key_) {
    out->append(plaintext);
    return Status::Ok();
  }
  if (n_ == std::numeric_limits<uint64_t>::max()) return OutOfRange("cipher nonce exhausted");
  auto nonce = Nonce(n_);
  size_t old = out->size();
  out->resize(old + plaintext.size() + kTagLen);
  unsigned long long clen = 0;
  if (crypto_aead_chacha20poly1305_ietf_encrypt(U8Ptr(*out) + old, &clen, U8Ptr(plaintext),
                                                plaintext.size(), U8Ptr(ad), ad.size(), nullptr,
                                                nonce.data(), k_.data()) != 0) {
    out->resize(old);
    return Internal("chacha20poly1305 encrypt failed");
  }
  ++n_;
  return Status::Ok();
}

Status CipherState::DecryptWithAd(std::string_view ad, std::string_view ciphertext,
                                  std::string* out) {
  if (!has_key_) {
    out->append(ciphertext);
    return Status::Ok();
  }
  if (n_ == std::numeric_limits<uint64_t>::max()) return OutOfRange("cipher nonce exhausted");
  if (ciphertext.size() < kTagLen) return Corruption("ciphertext shorter than its tag");
  auto nonce = Nonce(n_);
  size_t old = out->size();
  out->resize(old + ciphertext.size() - kTagLen);
  unsigned long long mlen = 0;
  if (crypto_aead_chacha20poly1305_ietf_decrypt(U8Ptr(*out) + old, &mlen, nullptr,
                                                U8Ptr(ciphertext), ciphertext.size(), U8Ptr(ad),
                                                ad.size(), nonce.data(), k_.data()) != 0) {
    sodium_memzero(U8Ptr(*out) + old, out->size() - old);
    out->resize(old);
    return Corruption("authentication tag mismatch");
  }
  ++n_;
  return Status::Ok();
}

void CipherState::Rekey() {
  FULEI_CHECK(has_key_);
  auto nonce = Nonce(std::numeric_limits<uint64_t>::max());
  uint8_t zeros[kKeyLen] = {};
  Secret<kKeyLen + kTagLen> out;
  unsigned long long clen = 0;
  FULEI_CHECK(crypto_aead_chacha20poly1305_ietf_encrypt(out.data(), &clen, zeros, kKeyLen, nullptr,
                                                        0, nullptr, nonce.data(), k_.data()) == 0);
  k_ = Secret<kKeyLen>::FromBytes(out.data());
}

SymmetricState::SymmetricState(std::string_view protocol_name) {
  if (protocol_name.size() <= kHashLen) {
    std::memcpy(h_.data(), protocol_name.data(), protocol_name.size());
  } else {
    Blake2b({protocol_name}, h_.data());
  }
  ck_ = Secret<kHashLen>::FromBytes(h_.data());
}

void SymmetricState::MixKey(const uint8_t* ikm, size_t len) {
  Secret<kHashLen> ck, temp_k;
  Hkdf(ck_.data(), ikm, len, ck.data(), temp_k.data(), nullptr);
  ck_ = std::move(ck);
  cipher_.InitializeKey(temp_k.data());  // truncated to 32 bytes
}

void SymmetricState::MixHash(std::string_view data) {
  Hash h;
  Blake2b({View(h_.data(), kHashLen), data}, h.data());
  h_ = h;
}

Status SymmetricState::EncryptAndHash(std::string_view plaintext, std::string* out) {
  size_t old = out->size();
  FULEI_RETURN_IF_ERROR(cipher_.EncryptWithAd(View(h_.data(), kHashLen), plaintext, out));
  MixHash(std::string_view(*out).substr(old));
  return Status::Ok();
}

Status SymmetricState::DecryptAndHash(std::string_view ciphertext, std::string* out) {
  FULEI_RETURN_IF_ERROR(cipher_.DecryptWithAd(View(h_.data(), kHashLen), ciphertext, out));
  MixHash(ciphertext);
  return Status::Ok();
}

std::pair<CipherState, CipherState> SymmetricState::Split() {
  Secret<kHashLen> k1, k2;
  Hkdf(ck_.data(), nullptr, 0, k1.data(), k2.data(), nullptr);
  std::pair<CipherState, CipherState> out;
  out.first.InitializeKey(k1.data());
  out.second.InitializeKey(k2.data());
  return out;
}

Result<HandshakePattern> PatternByName(std::string_view name) {
  using T = Token;
  using M = std::vector<std::vector<Token>>;
  const std::vector<Token> none;
  const std::vector<Token> s{T::kS};
  auto make = [&](std::vector<Token> ipre, std::vector<Token> rpre, M msgs) {
    return HandshakePattern{std::string(name), std::move(ipre), std::move(rpre), std::move(msgs)};
  };
  if (name == "NN") return make(none, none, M{{T::kE}, {T::kE, T::kEE}});
  if (name == "KN") return make(s, none, M{{T::kE}, {T::kE, T::kEE, T::kSE}});
  if (name == "NK") return make(none, s, M{{T::kE, T::kES}, {T::kE, T::kEE}});
  if (name == "KK") return make(s, s, M{{T::kE, T::kES, T::kSS}, {T::kE, T::kEE, T::kSE}});
  if (name == "NX") return make(none, none, M{{T::kE}, {T::kE, T::kEE, T::kS, T::kES}});
  if (name == "KX") return make(s, none, M{{T::kE}, {T::kE, T::kEE, T::kSE, T::kS, T::kES}});
  if (name == "XN") return make(none, none, M{{T::kE}, {T::kE, T::kEE}, {T::kS, T::kSE}});
  if (name == "IN") return make(none, none, M{{T::kE, T::kS}, {T::kE, T::kEE, T::kSE}});
  if (name == "XK") {
    return make(none, s, M{{T::kE, T::kES}, {T::kE, T::kEE}, {T::kS, T::kSE}});
  }
  if (name == "IK") {
    return make(none, s, M{{T::kE, T::kES, T::kS, T::kSS}, {T::kE, T::kEE, T::kSE}});
  }
  if (name == "XX") {
    return make(none, none, M{{T::kE}, {T::kE, T::kEE, T::kS, T::kES}, {T::kS, T::kSE}});
  }
  if (name == "IX") {
    return make(none, none, M{{T::kE, T::kS}, {T::kE, T::kEE, T::kSE, T::kS, T::kES}});
  }
  return InvalidArgument("unknown handshake pattern " + std::string(name));
}

Result<HandshakePattern> PatternFromProtocolName(std::string_view protocol_name) {
  constexpr std::string_view kPrefix = "Noise_";
  constexpr std::string_view kSuffix = "_25519_ChaChaPoly_BLAKE2b";
  if (protocol_name.size() <= kPrefix.size() + kSuffix.size() ||
      protocol_name.substr(0, kPrefix.size()) != kPrefix ||
      protocol_name.substr(protocol_name.size() - kSuffix.size()) != kSuffix) {
    return InvalidArgument("unsupported protocol " + std::string(protocol_name));
  }
  return PatternByName(
      protocol_name.substr(kPrefix.size(), protocol_name.size() - kPrefix.size() - kSuffix.size()));
}

std::string ProtocolName(const HandshakePattern& pattern) {
  return "Noise_" + pattern.name + "_25519_ChaChaPoly_BLAKE2b";
}

HandshakeState::HandshakeState(HandshakePattern pattern, bool initiator, Random& random)
    : pattern_(std::move(pattern)),
      initiator_(initiator),
      random_(&random),
      symmetric_(ProtocolName(pattern_)) {}

Result<HandshakeState> HandshakeState::Create(HandshakeConfig config, Random& random) {
  EnsureSodium();
  HandshakeState hs(std::move(config.pattern), config.initiator, random);
  hs.s_ = std::move(config.static_keys);
  hs.rs_ = config.remote_static;
  hs.fixed_ephemeral_ = std::move(config.fixed_ephemeral);
  hs.symmetric_.MixHash(config.prologue);
  // Pre-messages: the initiator's first, then the responder's (spec section 7.1).
  auto pre = [&](const std::vector<Token>& tokens, bool own) -> Status {
    for (Token t : tokens) {
      if (t != Token::kS) return InvalidArgument("unsupported pre-message token");
      if (own) {
        if (!hs.s_) return InvalidArgument("pattern needs our static key");
        hs.symmetric_.MixHash(View(hs.s_->public_key.data(), kDhLen));
      } else {
        if (!hs.rs_) return InvalidArgument("pattern needs the remote static key");
        hs.symmetric_.MixHash(View(hs.rs_->data(), kDhLen));
      }
    }
    return Status::Ok();
  };
  FULEI_RETURN_IF_ERROR(pre(hs.pattern_.initiator_premessage, hs.initiator_));
  FULEI_RETURN_IF_ERROR(pre(hs.pattern_.responder_premessage, !hs.initiator_));
  // A side that will send its static key must have one.
  for (size_t i = 0; i < hs.pattern_.messages.size(); ++i) {
    bool mine = (i % 2 == 0) == hs.initiator_;
    for (Token t : hs.pattern_.messages[i]) {
      if (mine && t == Token::kS && !hs.s_) return InvalidArgument("pattern sends our static key");
    }
  }
  return hs;
}

bool HandshakeState::IsMyTurnToWrite() const {
  return !finished() && !failed_ && ((next_message_ % 2 == 0) == initiator_);
}

Status HandshakeState::MixDh(const std::optional<KeyPair>& own,
                             const std::optional<PublicKey>& remote) {
  if (!own || !remote) return FailedPrecondition("handshake key missing for DH");
  Secret<kDhLen> shared;
  FULEI_RETURN_IF_ERROR(Dh(*own, *remote, &shared));
  symmetric_.MixKey(shared.data(), kDhLen);
  return Status::Ok();
}

Status HandshakeState::WriteMessage(std::string_view payload, std::string* message) {
  if (failed_) return FailedPrecondition("handshake already failed");
  if (!IsMyTurnToWrite()) return FailedPrecondition("not our turn to write");
  message->clear();
  for (Token t : pattern_.messages[next_message_]) {
    Status s;
    switch (t) {
      case Token::kE:
        e_ = fixed_ephemeral_ ? fixed_ephemeral_->Clone() : KeyPair::Generate(*random_);
        message->append(View(e_->public_key.data(), kDhLen));
        symmetric_.MixHash(View(e_->public_key.data(), kDhLen));
        break;
      case Token::kS:
        s = symmetric_.EncryptAndHash(View(s_->public_key.data(), kDhLen), message);
        break;
      case Token::kEE:
        s = MixDh(e_, re_);
        break;
      case Token::kES:
        s = initiator_ ? MixDh(e_, rs_) : MixDh(s_, re_);
        break;
      case Token::kSE:
        s = initiator_ ? MixDh(s_, re_) : MixDh(e_, rs_);
        break;
      case Token::kSS:
        s = MixDh(s_, rs_);
        break;
    }
    if (!s.ok()) return Fail(s);
  }
  Status s = symmetric_.EncryptAndHash(payload, message);
  if (!s.ok()) return Fail(s);
  if (message->size() > kMaxMessageLen) return Fail(InvalidArgument("handshake message too long"));
  ++next_message_;
  return Status::Ok();
}

Status HandshakeState::ReadMessage(std::string_view message, std::string* payload) {
  if (failed_) return FailedPrecondition("handshake already failed");
  if (finished() || IsMyTurnToWrite()) return Fail(FailedPrecondition("not our turn to read"));
  if (message.size() > kMaxMessageLen) return Fail(InvalidArgument("handshake message too long"));
  internal::Reader in(message);
  for (Token t : pattern_.messages[next_message_]) {
    Status s;
    switch (t) {
      case Token::kE: {
        PublicKey re;
        if (!in.Array(&re)) return Fail(Corruption("handshake message truncated (e)"));
        re_ = re;
        symmetric_.MixHash(View(re.data(), kDhLen));
        break;
      }
      case Token::kS: {
        std::string_view enc;
        size_t len = kDhLen + (symmetric_.HasKey() ? kTagLen : 0);
        if (!in.Bytes(len, &enc)) return Fail(Corruption("handshake message truncated (s)"));
        std::string plain;
        s = symmetric_.DecryptAndHash(enc, &plain);
        if (s.ok()) {
          PublicKey rs;
          std::memcpy(rs.data(), plain.data(), kDhLen);
          rs_ = rs;
        }
        break;
      }
      case Token::kEE:
        s = MixDh(e_, re_);
        break;
      case Token::kES:
        s = initiator_ ? MixDh(e_, rs_) : MixDh(s_, re_);
        break;
      case Token::kSE:
        s = initiator_ ? MixDh(s_, re_) : MixDh(e_, rs_);
        break;
      case Token::kSS:
        s = MixDh(s_, rs_);
        break;
    }
    if (!s.ok()) return Fail(s);
  }
  payload->clear();
  Status s = symmetric_.DecryptAndHash(in.rest(), payload);
  if (!s.ok()) return Fail(s);
  ++next_message_;
  return Status::Ok();
}

Result<SplitResult> HandshakeState::Split() {
  if (failed_ || !finished()) return FailedPrecondition("handshake not finished");
  auto [c1, c2] = symmetric_.Split();
  SplitResult out;
  out.handshake_hash = symmetric_.handshake_hash();
  if (initiator_) {
    out.send = std::move(c1);
    out.receive = std::move(c2);
  } else {
    out.send = std::move(c2);
    out.receive = std::move(c1);
  }
  return out;
}

}  // namespace fulei::crypto::noise
