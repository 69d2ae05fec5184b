// A small test network: a root key, and helpers to make nodes with certificates (direct from the
// root, or from a town allowed to issue), trust stores and channel configs.
#ifndef FULEI_TESTS_CRYPTO_PKI_FIXTURE_H_
#define FULEI_TESTS_CRYPTO_PKI_FIXTURE_H_

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crypto/certificate.h"
#include "crypto/channel.h"
#include "crypto/identity.h"
#include "crypto/random.h"
#include "crypto/trust.h"
#include "tests/support/status_matchers.h"

namespace fulei::crypto::testing {

inline constexpr uint64_t kNow = 1'764'000'000'000;  // late 2025, in ms
inline constexpr uint64_t kDay = 86'400'000;

struct TestNode {
  NodeIdentity identity;
  CertChain chain;
  NodeId id() const { return identity.node_id(); }
};

class TestPki {
 public:
  explicit TestPki(uint64_t seed = 1) : random_(seed), root_(SigningKey::Generate(random_)) {}

  Random& random() { return random_; }
  const SigningKey& root() const { return root_; }
  TrustStore Trust() const { return TrustStore(root_.public_key()); }

  // A node certified for `org_unit` by the root, or by `issuer` (whose chain is appended).
  TestNode MakeNode(const std::string& org_unit, Role role, const TestNode* issuer = nullptr,
                    bool can_issue = false, uint64_t not_before = kNow - kDay,
                    uint64_t not_after = kNow + 365 * kDay) {
    TestNode n{NodeIdentity::Generate(random_), {}};
    const SigningKey& key = issuer ? issuer->identity.signing_key() : root_;
    auto cert = CertifyNode(n.identity, role, org_unit, not_before, not_after, key, can_issue);
    EXPECT_OK(cert);
    n.chain.push_back(std::move(cert).value());
    if (issuer) n.chain.insert(n.chain.end(), issuer->chain.begin(), issuer->chain.end());
    return n;
  }

 private:
  DeterministicRandom random_;
  SigningKey root_;
};

inline ChannelConfig ConfigFor(const TestNode& node, const TrustStore& trust,
                               PeerExpectation expect = {}) {
  ChannelConfig c;
  c.static_key = node.identity.dh_key().Clone();
  c.certificates = node.chain;
  c.trust = &trust;
  c.now_ms = kNow;
  c.expect = std::move(expect);
  return c;
}

// Pumps bytes between two channels until neither has anything to send. Returns the first
// error each side saw (OK when none); delivered messages are appended per side.
struct PumpResult {
  Status initiator, responder;
  std::vector<std::string> to_initiator, to_responder;
};

inline PumpResult Handshake(Channel& initiator, Channel& responder) {
  PumpResult r;
  auto start = initiator.Start();
  if (!start.ok()) {
    r.initiator = start.status();
    return r;
  }
  std::string to_r = std::move(start).value(), to_i;
  for (int round = 0; round < 8 && (!to_r.empty() || !to_i.empty()); ++round) {
    if (!to_r.empty()) {
      std::string in = std::move(to_r);
      to_r.clear();
      Status s = responder.Feed(in, &to_i, &r.to_responder);
      if (!s.ok() && r.responder.ok()) r.responder = s;
    }
    if (!to_i.empty()) {
      std::string in = std::move(to_i);
      to_i.clear();
      Status s = initiator.Feed(in, &to_r, &r.to_initiator);
      if (!s.ok() && r.initiator.ok()) r.initiator = s;
    }
  }
  return r;
}

}  // namespace fulei::crypto::testing

#endif  // FULEI_TESTS_CRYPTO_PKI_FIXTURE_H_
