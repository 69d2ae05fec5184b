#include "crypto/signing.h"

#include <sodium.h>

#include <cstring>

#include "crypto/internal/bytes.h"

namespace fulei::crypto {

using internal::U8Ptr;

std::array<uint8_t, 32> Blake2b256(std::string_view data) {
  std::array<uint8_t, 32> out;
  FULEI_CHECK(crypto_generichash(out.data(), out.size(), U8Ptr(data), data.size(), nullptr, 0) ==
              0);
  return out;
}

struct Blake2b256Stream::State {
  crypto_generichash_state h;
};

Blake2b256Stream::Blake2b256Stream() : state_(std::make_unique<State>()) {
  FULEI_CHECK(crypto_generichash_init(&state_->h, nullptr, 0, 32) == 0);
}
Blake2b256Stream::~Blake2b256Stream() = default;

void Blake2b256Stream::Update(std::string_view data) {
  crypto_generichash_update(&state_->h, U8Ptr(data), data.size());
}

std::array<uint8_t, 32> Blake2b256Stream::Final() {
  std::array<uint8_t, 32> out;
  FULEI_CHECK(crypto_generichash_final(&state_->h, out.data(), out.size()) == 0);
  return out;
}

NodeId NodeIdFromKey(const SigningPublicKey& key) {
  std::string in = "fulei-node-id-v1";
  internal::PutArray(in, key);
  return internal::LoadU64(Blake2b256(in).data());
}

std::array<uint8_t, 16> Fingerprint(const SigningPublicKey& key) {
  std::string in = "fulei-fingerprint-v1";
  internal::PutArray(in, key);
  auto h = Blake2b256(in);
  std::array<uint8_t, 16> out;
  std::memcpy(out.data(), h.data(), out.size());
  return out;
}

Result<SigningKey> SigningKey::FromSeed(const Secret<32>& seed) {
  EnsureSodium();
  SigningKey k;
  k.seed_ = seed.Clone();
  if (crypto_sign_seed_keypair(k.public_key_.data(), k.secret_key_.data(), k.seed_.data()) != 0) {
    return Internal("crypto_sign_seed_keypair failed");
  }
  if (k.node_id() == 0) return InvalidArgument("signing key maps to node id 0");
  return k;
}

SigningKey SigningKey::Generate(Random& random) {
  for (;;) {
    Secret<32> seed;
    random.Fill(seed.data(), seed.size());
    auto k = FromSeed(seed);
    if (k.ok()) return std::move(k).value();
  }
}

NodeId SigningKey::node_id() const { return NodeIdFromKey(public_key_); }

Signature SigningKey::Sign(std::string_view message) const {
  Signature sig;
  FULEI_CHECK(crypto_sign_detached(sig.data(), nullptr, U8Ptr(message), message.size(),
                                   secret_key_.data()) == 0);
  return sig;
}

bool VerifySignature(const SigningPublicKey& key, std::string_view message,
                     const Signature& signature) {
  return crypto_sign_verify_detached(signature.data(), U8Ptr(message), message.size(),
                                     key.data()) == 0;
}

}  // namespace fulei::crypto
