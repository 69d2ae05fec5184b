// A fixed, deterministic network for the crypto/ fuzz targets and their corpus generator:
// the same seeds give the same keys and ephemerals, so a recorded handshake in the corpus leads
// the fuzzer deep into the state machine. Not for production use.
#ifndef FULEI_TESTS_CRYPTO_FUZZ_FUZZ_WORLD_H_
#define FULEI_TESTS_CRYPTO_FUZZ_FUZZ_WORLD_H_

#include <cstdlib>
#include <memory>
#include <string>

#include "crypto/certificate.h"
#include "crypto/channel.h"
#include "crypto/identity.h"
#include "crypto/join_token.h"
#include "crypto/random.h"
#include "crypto/transport.h"
#include "crypto/trust.h"

namespace fulei::crypto::fuzzing {

inline constexpr uint64_t kNow = 1'764'000'000'000;
inline constexpr uint64_t kInitiatorSeed = 101, kResponderSeed = 202;

struct Node {
  NodeIdentity identity;
  CertChain chain;
};

inline Node MakeNode(Random& random, const SigningKey& issuer, const std::string& org_unit,
                     Role role, bool can_issue, const CertChain& issuer_chain) {
  Node n{NodeIdentity::Generate(random), {}};
  auto cert = CertifyNode(n.identity, role, org_unit, kNow - 1000, kNow + 1000, issuer, can_issue);
  if (!cert.ok()) std::abort();
  n.chain.push_back(std::move(cert).value());
  n.chain.insert(n.chain.end(), issuer_chain.begin(), issuer_chain.end());
  return n;
}

struct World {
  DeterministicRandom random{4242};
  SigningKey root = SigningKey::Generate(random);
  Node town = MakeNode(random, root, "jinjiang/cizao", Role::kTown, true, {});
  Node village = MakeNode(random, town.identity.signing_key(), "jinjiang/cizao/v012",
                          Role::kVillage, false, town.chain);
  TrustStore trust{root.public_key()};
};

inline World& TheWorld() {
  static World* world = new World();  // built once per fuzzing process
  return *world;
}

inline ChannelConfig Config(const Node& n, bool accept_unenrolled = false) {
  ChannelConfig c;
  c.static_key = n.identity.dh_key().Clone();
  c.certificates = n.chain;
  c.trust = &TheWorld().trust;
  c.now_ms = kNow;
  c.accept_unenrolled_peer = accept_unenrolled;
  return c;
}

// Fixed transport keys for the frame decoder target.
inline Transport MakeTransport(bool sender) {
  uint8_t k1[32], k2[32];
  for (int i = 0; i < 32; ++i) {
    k1[i] = static_cast<uint8_t>(i);
    k2[i] = static_cast<uint8_t>(100 + i);
  }
  noise::CipherState a, b;
  a.InitializeKey(sender ? k1 : k2);
  b.InitializeKey(sender ? k2 : k1);
  return Transport(std::move(a), std::move(b), RekeyPolicy{3, 200});
}

}  // namespace fulei::crypto::fuzzing

#endif  // FULEI_TESTS_CRYPTO_FUZZ_FUZZ_WORLD_H_
