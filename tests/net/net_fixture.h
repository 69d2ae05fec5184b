// Helpers for net/ tests and benchmarks over real sockets: a small PKI (certificates made by
// crypto::CertifyNode, keys from crypto::DeterministicRandom), channel factories, a handler that
// records what it sees, RunUntil, which drives an io_context until a condition holds or a
// deadline passes (no sleeps), and LinkPairTest, a fixture with a town listening and a village
// dialing it.
#ifndef FULEI_TESTS_NET_NET_FIXTURE_H_
#define FULEI_TESTS_NET_NET_FIXTURE_H_

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/certificate.h"
#include "crypto/channel.h"
#include "crypto/identity.h"
#include "crypto/random.h"
#include "crypto/signing.h"
#include "crypto/trust.h"
#include "net/dialer.h"
#include "net/link.h"
#include "net/link_config.h"
#include "net/listener.h"
#include "tests/support/status_matchers.h"

namespace fulei::net::testing {

inline constexpr uint64_t kNow = 1'764'000'000'000;  // late 2025, in ms: the channels' clock
inline constexpr uint64_t kDay = 86'400'000;

struct TestNode {
  crypto::NodeIdentity identity;
  crypto::CertChain chain;  // leaf first
};

// A root key and the nodes it (or a town allowed to issue) certified; everything replays from
// the seed.
class TestPki {
 public:
  explicit TestPki(uint64_t seed) : random_(seed), root_(crypto::SigningKey::Generate(random_)) {}

  crypto::TrustStore Trust() const { return crypto::TrustStore(root_.public_key()); }

  // A node certified for `org_unit`, valid from a day before kNow for a year, by the root or
  // by `issuer` (whose chain is appended).
  TestNode MakeNode(const std::string& org_unit, crypto::Role role,
                    const TestNode* issuer = nullptr, bool can_issue = false) {
    TestNode n{crypto::NodeIdentity::Generate(random_), {}};
    auto cert = crypto::CertifyNode(n.identity, role, org_unit, kNow - kDay, kNow + 365 * kDay,
                                    issuer ? issuer->identity.signing_key() : root_, can_issue);
    EXPECT_OK(cert);
    if (cert.ok()) n.chain.push_back(std::move(cert).value());
    if (issuer) n.chain.insert(n.chain.end(), issuer->chain.begin(), issuer->chain.end());
    return n;
  }

 private:
  crypto::DeterministicRandom random_;
  crypto::SigningKey root_;
};

// The channel configuration of `node` at kNow; trust must outlive the channel.
inline crypto::ChannelConfig ConfigFor(const TestNode& node, const crypto::TrustStore& trust,
                                       crypto::PeerExpectation expect = {}) {
  crypto::ChannelConfig c;
  c.static_key = node.identity.dh_key().Clone();
  c.certificates = node.chain;
  c.trust = &trust;
  c.now_ms = kNow;
  c.expect = std::move(expect);
  return c;
}

// Drives `io` until done() holds; false when `limit` passed first.
inline bool RunUntil(boost::asio::io_context& io, const std::function<bool()>& done,
                     std::chrono::milliseconds limit = std::chrono::seconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    io.run_one_for(std::chrono::milliseconds(5));
    if (io.stopped()) io.restart();
  }
  return true;
}

// A channel factory for `node`; node, trust and random must outlive the factory.
inline ChannelFactory FactoryFor(const TestNode& node, const crypto::TrustStore& trust,
                                 crypto::Random& random, crypto::PeerExpectation expect = {}) {
  return [&node, &trust, &random, expect](bool initiator) {
    return crypto::Channel::Create(ConfigFor(node, trust, expect), initiator, random);
  };
}

// Records every callback; optional hooks run on establishment and on each message.
class Recorder final : public LinkHandler {
 public:
  void OnEstablished(const std::shared_ptr<Link>& l) override {
    ++established;
    link = l;
    if (on_established) on_established(*l);
  }
  void OnMessage(Link& l, LinkMessage message) override {
    messages.push_back(message);
    if (on_message) on_message(l, messages.back());
  }
  void OnClosed(Link& l, const Status& reason) override {
    ++closed;
    reasons.push_back(reason);
    if (link.get() == &l) link.reset();
  }

  int established = 0, closed = 0;
  std::shared_ptr<Link> link;  // the latest established one, until it closes
  std::vector<LinkMessage> messages;
  std::vector<Status> reasons;
  std::function<void(Link&)> on_established;
  std::function<void(Link&, const LinkMessage&)> on_message;
};

// Quiet logs for tests that provoke failures on purpose; collected for assertions.
inline std::function<void(std::string_view)> CollectLog(std::vector<std::string>* lines) {
  return [lines](std::string_view line) { lines->emplace_back(line); };
}

inline const Tcp::endpoint kAnyLoopback(boost::asio::ip::make_address("127.0.0.1"), 0);

// A town (org unit jinjiang/cizao) and a village it certified (jinjiang/cizao/v012), each with
// its Recorder; StartPair has the town listen on loopback and the village dial it. TearDown
// stops everything and lets the links finish, so nothing outlives the io_context.
// (net::LinkConfig spelled out: testing::LinkConfig is an old name of the proxy's ProxyConfig.)
class LinkPairTest : public ::testing::Test {
 protected:
  void TearDown() override {
    for (const auto& attempt : attempts_) attempt->Cancel();
    if (dialer_) dialer_->Stop();
    if (listener_) listener_->Stop();
    RunUntil(
        io_, [&] { return !town_handler_->link && !village_handler_->link; },
        std::chrono::seconds(5));
    town_handler_->link.reset();
    village_handler_->link.reset();
  }

  // `c` with its log collected in log_.
  net::LinkConfig Quiet(net::LinkConfig c = {}) {
    c.log = CollectLog(&log_);
    return c;
  }

  // The town listening on loopback, with town_handler_ for every connection.
  void StartTown(net::LinkConfig town_config = {}, HandshakeLimits limits = {}) {
    ListenerConfig lc{Quiet(town_config), limits};
    ASSERT_OK_AND_ASSIGN(
        listener_, Listener::Start(io_, kAnyLoopback, lc, FactoryFor(town_, trust_, town_random_),
                                   [this](const Tcp::endpoint&) { return town_handler_; }));
  }

  // The village dialing `upstreams` with village_handler_.
  void StartVillage(std::vector<Tcp::endpoint> upstreams, net::LinkConfig village_config = {}) {
    DialerConfig dc{Quiet(village_config),
                    {std::chrono::milliseconds(10), std::chrono::milliseconds(100)}};
    dc.seed = 3;
    dialer_ =
        std::make_unique<Dialer>(io_, std::move(upstreams), dc,
                                 FactoryFor(village_, trust_, village_random_), village_handler_);
    dialer_->Start();
  }

  // A town listening and a village dialing it.
  void StartPair(net::LinkConfig town_config = {}, net::LinkConfig village_config = {},
                 HandshakeLimits limits = {}) {
    ASSERT_NO_FATAL_FAILURE(StartTown(town_config, limits));
    StartVillage({listener_->local_endpoint()}, village_config);
  }

  bool BothEstablished() {
    return RunUntil(io_, [&] { return town_handler_->link && village_handler_->link; });
  }

  boost::asio::io_context io_;
  TestPki pki_{11};
  TestNode town_ = pki_.MakeNode("jinjiang/cizao", crypto::Role::kTown, nullptr, true);
  TestNode village_ = pki_.MakeNode("jinjiang/cizao/v012", crypto::Role::kVillage, &town_);
  crypto::TrustStore trust_ = pki_.Trust();
  crypto::DeterministicRandom town_random_{101}, village_random_{202};
  std::shared_ptr<Recorder> town_handler_ = std::make_shared<Recorder>();
  std::shared_ptr<Recorder> village_handler_ = std::make_shared<Recorder>();
  std::unique_ptr<Listener> listener_;
  std::unique_ptr<Dialer> dialer_;
  std::vector<std::shared_ptr<DialAttempt>> attempts_;  // cancelled by TearDown
  std::vector<std::string> log_;
};

}  // namespace fulei::net::testing

#endif  // FULEI_TESTS_NET_NET_FIXTURE_H_
