// Channel: handshake between two in-memory peers, certificate checks, message exchange, rekey,
// and the hostile peers of issue 4 (no certificate, another root, expired, revoked, wrong org
// unit, a stolen certificate): none of them completes a session or receives an application byte.
#include "crypto/channel.h"

#include <gtest/gtest.h>

#include "crypto/revocation.h"
#include "tests/crypto/pki_fixture.h"
#include "tests/support/status_matchers.h"

namespace fulei::crypto {
namespace {

using testing::ConfigFor;
using testing::Handshake;
using testing::kDay;
using testing::kNow;
using testing::TestNode;
using testing::TestPki;

Channel MakeChannel(ChannelConfig config, bool initiator, Random& random) {
  auto c = Channel::Create(std::move(config), initiator, random);
  EXPECT_OK(c);
  return std::move(c).value();
}

// Expects that neither side is established with the other and that no application message
// crosses, even when the side that thinks it is done tries to send one.
void ExpectNoSession(Channel& initiator, Channel& responder, const testing::PumpResult& r) {
  EXPECT_FALSE(r.initiator.ok() && r.responder.ok()) << "both sides reported success";
  EXPECT_FALSE(initiator.established() && responder.established());
  EXPECT_TRUE(r.to_initiator.empty());
  EXPECT_TRUE(r.to_responder.empty());
  for (Channel* sender : {&initiator, &responder}) {
    Channel* receiver = sender == &initiator ? &responder : &initiator;
    auto frame = sender->Seal("child record: 张三");
    if (!frame.ok()) continue;
    std::string out;
    std::vector<std::string> got;
    (void)receiver->Feed(*frame, &out, &got);
    EXPECT_TRUE(got.empty()) << "an application byte reached an unverified peer";
  }
}

TEST(ChannelTest, VillageAndTownEstablishAndExchange) {
  TestPki pki;
  TestNode town = pki.MakeNode("jinjiang/cizao", Role::kTown, nullptr, true);
  TestNode village = pki.MakeNode("jinjiang/cizao/v012", Role::kVillage, &town);
  TrustStore trust = pki.Trust();
  Channel i =
      MakeChannel(ConfigFor(village, trust, {"jinjiang/cizao", {Role::kTown}}), true, pki.random());
  Channel r = MakeChannel(ConfigFor(town, trust, {"jinjiang/cizao", {Role::kVillage}}), false,
                          pki.random());
  auto res = Handshake(i, r);
  ASSERT_OK(res.initiator);
  ASSERT_OK(res.responder);
  ASSERT_TRUE(i.established());
  ASSERT_TRUE(r.established());
  ASSERT_TRUE(i.peer_certificate().has_value());
  ASSERT_TRUE(r.peer_certificate().has_value());
  EXPECT_EQ(i.peer_certificate()->node_id, town.id());
  EXPECT_EQ(r.peer_certificate()->node_id, village.id());
  EXPECT_EQ(r.peer_certificate()->org_unit, "jinjiang/cizao/v012");
  EXPECT_EQ(i.handshake_hash(), r.handshake_hash());

  std::string out;
  std::vector<std::string> got;
  auto f1 = i.Seal("hello town");
  auto f2 = i.Seal(std::string(kMaxFramePayload, 'x'));
  ASSERT_OK(f1);
  ASSERT_OK(f2);
  // Deliver byte by byte: the decoder must reassemble frames from any split.
  std::string stream = *f1 + *f2;
  for (char c : stream) ASSERT_OK(r.Feed(std::string_view(&c, 1), &out, &got));
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], "hello town");
  EXPECT_EQ(got[1].size(), kMaxFramePayload);
  auto back = r.Seal("");
  ASSERT_OK(back);
  got.clear();
  ASSERT_OK(i.Feed(*back, &out, &got));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], "");
  EXPECT_TRUE(out.empty());
  // Too large: refused, not truncated, and the channel stays usable.
  auto big = i.Seal(std::string(kMaxFramePayload + 1, 'x'));
  EXPECT_EQ(big.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(i.established());
}

TEST(ChannelTest, RekeysAfterBoundedMessagesAndBytes) {
  TestPki pki;
  TestNode a = pki.MakeNode("jinjiang/cizao", Role::kTown);
  TestNode b = pki.MakeNode("jinjiang/cizao/v001", Role::kVillage);
  TrustStore trust = pki.Trust();
  ChannelConfig ca = ConfigFor(a, trust), cb = ConfigFor(b, trust);
  ca.rekey = cb.rekey = RekeyPolicy{5, 1000};
  Channel i = MakeChannel(std::move(ca), true, pki.random());
  Channel r = MakeChannel(std::move(cb), false, pki.random());
  auto res = Handshake(i, r);
  ASSERT_OK(res.initiator);
  ASSERT_OK(res.responder);
  std::string out;
  std::vector<std::string> got;
  for (int n = 0; n < 40; ++n) {
    SCOPED_TRACE("message " + std::to_string(n));
    auto f = i.Seal(std::string(static_cast<size_t>(n * 17), static_cast<char>('a' + n % 26)));
    ASSERT_OK(f);
    ASSERT_OK(r.Feed(*f, &out, &got));
  }
  ASSERT_EQ(got.size(), 40u);
  EXPECT_EQ(got[39], std::string(39 * 17, static_cast<char>('a' + 39 % 26)));
}

TEST(ChannelTest, UnenrolledPeerOnlyWhereAllowed) {
  TestPki pki;
  TestNode town = pki.MakeNode("jinjiang/cizao", Role::kTown, nullptr, true);
  TestNode fresh{NodeIdentity::Generate(pki.random()), {}};
  TrustStore trust = pki.Trust();
  ChannelConfig rc = ConfigFor(town, trust);
  rc.accept_unenrolled_peer = true;
  Channel i = MakeChannel(ConfigFor(fresh, trust), true, pki.random());
  Channel r = MakeChannel(std::move(rc), false, pki.random());
  auto res = Handshake(i, r);
  ASSERT_OK(res.initiator);
  ASSERT_OK(res.responder);
  EXPECT_TRUE(r.established());
  EXPECT_FALSE(r.peer_certificate().has_value());
  EXPECT_EQ(r.peer_static_key(), fresh.identity.dh_key().public_key);
  EXPECT_EQ(i.peer_certificate()->node_id, town.id());
}

class HostileChannelTest : public ::testing::Test {
 protected:
  TestPki pki_{7};
  TestNode town_ = pki_.MakeNode("jinjiang/cizao", Role::kTown, nullptr, true);
  TrustStore trust_ = pki_.Trust();

  // Runs `peer` against the town in both roles; no session may complete either way.
  void ExpectRejectedBothWays(const TestNode& peer, const TrustStore& peer_trust,
                              PeerExpectation town_expects = {}) {
    {
      SCOPED_TRACE("hostile peer initiates");
      Channel i = MakeChannel(ConfigFor(peer, peer_trust), true, pki_.random());
      Channel r = MakeChannel(ConfigFor(town_, trust_, town_expects), false, pki_.random());
      auto res = Handshake(i, r);
      // The town either rejects the peer, or (another network's prologue) never hears from
      // it again because the peer could not read the town's reply.
      EXPECT_FALSE(r.established());
      EXPECT_TRUE(r.closed() || !res.initiator.ok());
      ExpectNoSession(i, r, res);
    }
    if (!peer.chain.empty()) {
      SCOPED_TRACE("hostile peer responds");
      Channel i = MakeChannel(ConfigFor(town_, trust_, town_expects), true, pki_.random());
      Channel r = MakeChannel(ConfigFor(peer, peer_trust), false, pki_.random());
      auto res = Handshake(i, r);
      EXPECT_FALSE(res.initiator.ok());
      EXPECT_FALSE(i.established());
      EXPECT_TRUE(i.closed());
      ExpectNoSession(i, r, res);
    }
  }
};

TEST_F(HostileChannelTest, PeerWithoutCertificate) {
  TestNode anon{NodeIdentity::Generate(pki_.random()), {}};
  ExpectRejectedBothWays(anon, trust_);
}

TEST_F(HostileChannelTest, CertificateFromAnotherRoot) {
  TestPki other(99);
  TestNode rogue = other.MakeNode("jinjiang/cizao/v012", Role::kVillage);
  // The rogue knows our root key (it is public) and uses it in its prologue.
  ExpectRejectedBothWays(rogue, trust_);
  // And with its own network's prologue.
  TrustStore other_trust = other.Trust();
  ExpectRejectedBothWays(rogue, other_trust);
}

TEST_F(HostileChannelTest, ExpiredAndNotYetValidCertificates) {
  TestNode expired = pki_.MakeNode("jinjiang/cizao/v012", Role::kVillage, nullptr, false,
                                   kNow - 30 * kDay, kNow - 1);
  ExpectRejectedBothWays(expired, trust_);
  TestNode future =
      pki_.MakeNode("jinjiang/cizao/v012", Role::kVillage, nullptr, false, kNow + 1, kNow + kDay);
  ExpectRejectedBothWays(future, trust_);
}

TEST_F(HostileChannelTest, RevokedCertificate) {
  TestNode v = pki_.MakeNode("jinjiang/cizao/v012", Role::kVillage);
  auto list = SignRevocationList({1, kNow, {v.id()}}, pki_.root());
  ASSERT_OK(list);
  ASSERT_OK(trust_.InstallRevocations(*list));
  ExpectRejectedBothWays(v, trust_);
}

TEST_F(HostileChannelTest, RevokedIssuerRevokesItsSubtree) {
  TestNode v = pki_.MakeNode("jinjiang/cizao/v012", Role::kVillage, &town_);
  TestNode other_town = pki_.MakeNode("jinjiang/other", Role::kTown);
  auto list = SignRevocationList({1, kNow, {town_.id()}}, pki_.root());
  ASSERT_OK(list);
  TrustStore trust = pki_.Trust();
  ASSERT_OK(trust.InstallRevocations(*list));
  Channel i = MakeChannel(ConfigFor(v, trust), true, pki_.random());
  Channel r = MakeChannel(ConfigFor(other_town, trust), false, pki_.random());
  auto res = Handshake(i, r);
  EXPECT_FALSE(res.responder.ok());
  ExpectNoSession(i, r, res);
}

TEST_F(HostileChannelTest, WrongOrgUnitOrRole) {
  TestNode elsewhere = pki_.MakeNode("jinjiang/anhai/v001", Role::kVillage);
  ExpectRejectedBothWays(elsewhere, trust_, {"jinjiang/cizao", {Role::kVillage}});
  TestNode wrong_role = pki_.MakeNode("jinjiang/cizao/v002", Role::kTown);
  ExpectRejectedBothWays(wrong_role, trust_, {"jinjiang/cizao", {Role::kVillage}});
}

TEST_F(HostileChannelTest, StolenCertificateWithOwnKey) {
  TestNode victim = pki_.MakeNode("jinjiang/cizao/v012", Role::kVillage);
  NodeIdentity thief = NodeIdentity::Generate(pki_.random());
  // Channel::Create refuses a chain that does not match the static key...
  ChannelConfig forged = testing::ConfigFor(victim, trust_);
  forged.static_key = thief.dh_key().Clone();
  EXPECT_EQ(Channel::Create(std::move(forged), true, pki_.random()).status().code(),
            StatusCode::kInvalidArgument);
  // ...so the thief speaks raw Noise XX with the right prologue and the stolen chain.
  noise::HandshakeConfig hc;
  hc.pattern = *noise::PatternByName("XX");
  hc.initiator = true;
  hc.prologue = "fulei-channel-v1";
  hc.prologue.append(reinterpret_cast<const char*>(pki_.root().public_key().data()), 32);
  hc.static_keys = thief.dh_key().Clone();
  auto hs = noise::HandshakeState::Create(std::move(hc), pki_.random());
  ASSERT_OK(hs);
  Channel r = MakeChannel(testing::ConfigFor(town_, trust_), false, pki_.random());
  auto framed = [](const std::string& m) {
    std::string out;
    out.push_back(static_cast<char>(m.size() >> 8));
    out.push_back(static_cast<char>(m.size() & 0xff));
    return out + m;
  };
  std::string m1, m2_framed, m2_payload, m3;
  std::vector<std::string> got;
  ASSERT_OK(hs->WriteMessage("", &m1));
  ASSERT_OK(r.Feed(framed(m1), &m2_framed, &got));
  ASSERT_OK(hs->ReadMessage(std::string_view(m2_framed).substr(2), &m2_payload));
  ASSERT_OK(hs->WriteMessage(EncodeChain(victim.chain), &m3));
  std::string out;
  Status s = r.Feed(framed(m3), &out, &got);
  EXPECT_EQ(s.code(), StatusCode::kUnauthenticated) << s.ToString();
  EXPECT_FALSE(r.established());
  EXPECT_TRUE(r.closed());
  EXPECT_TRUE(got.empty());
  EXPECT_TRUE(out.empty());
}

TEST_F(HostileChannelTest, TownCannotIssueOutsideItsSubtreeOrGrantIssuing) {
  TestNode outside = pki_.MakeNode("jinjiang/anhai/v001", Role::kVillage, &town_);
  ExpectRejectedBothWays(outside, trust_);
  TestNode sibling_town = pki_.MakeNode("jinjiang/cizao", Role::kTown, &town_);
  ExpectRejectedBothWays(sibling_town, trust_);
  TestNode sub_issuer = pki_.MakeNode("jinjiang/cizao/v003", Role::kTown, &town_, true);
  ExpectRejectedBothWays(sub_issuer, trust_);
  TestNode village_issuer = pki_.MakeNode("jinjiang/cizao/v004", Role::kTown, nullptr, false);
  TestNode child = pki_.MakeNode("jinjiang/cizao/v004/x", Role::kVillage, &village_issuer);
  ExpectRejectedBothWays(child, trust_);
}

}  // namespace
}  // namespace fulei::crypto
