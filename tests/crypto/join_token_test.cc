// Enrolment by join token, run over real in-memory channels: a fresh node enrols with a town,
// then opens a normal channel with its new certificate. Expired, reused, mistyped, wrong-unit,
// replayed-on-another-channel and wrong-key requests are refused.
#include "crypto/join_token.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tests/crypto/pki_fixture.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace fulei::crypto {
namespace {

using testing::ConfigFor;
using testing::Handshake;
using testing::kDay;
using testing::kNow;
using testing::TestNode;
using testing::TestPki;

class JoinTokenTest : public ::testing::Test {
 protected:
  struct Session {
    Channel joiner, parent;
  };

  // A fresh node's channel to the town, the town accepting an unenrolled peer.
  Session Connect(const NodeIdentity& fresh, const JoinToken& token) {
    joiner_trust_ = std::make_unique<TrustStore>(token.root_key);
    ChannelConfig jc;
    jc.static_key = fresh.dh_key().Clone();
    jc.trust = joiner_trust_.get();
    jc.now_ms = kNow;
    ChannelConfig pc = ConfigFor(town_, trust_);
    pc.accept_unenrolled_peer = true;
    auto j = Channel::Create(std::move(jc), true, pki_.random());
    auto p = Channel::Create(std::move(pc), false, pki_.random());
    EXPECT_OK(j);
    EXPECT_OK(p);
    Session s{std::move(j).value(), std::move(p).value()};
    auto r = Handshake(s.joiner, s.parent);
    EXPECT_OK(r.initiator);
    EXPECT_OK(r.responder);
    EXPECT_FALSE(s.parent.peer_certificate().has_value());
    EXPECT_OK(CheckEnrolmentPeer(s.joiner.peer_certificate(), token));  // pinned issuer
    return s;
  }

  // Carries the request over the channel and the answer back; returns the joiner's result.
  Result<CertChain> Enrol(Session& s, const NodeIdentity& fresh, const JoinToken& token,
                          uint64_t now = kNow) {
    std::string req = MakeEnrolmentRequest(token, fresh, s.joiner.handshake_hash());
    std::string out;
    std::vector<std::string> at_parent, at_joiner;
    EXPECT_OK(s.parent.Feed(*s.joiner.Seal(req), &out, &at_parent));
    EXPECT_EQ(at_parent.size(), 1u);
    auto resp = enroller_.HandleRequest(at_parent.at(0), s.parent.handshake_hash(),
                                        s.parent.peer_static_key(), now);
    if (!resp.ok()) return resp.status();
    EXPECT_OK(s.joiner.Feed(*s.parent.Seal(*resp), &out, &at_joiner));
    return AcceptEnrolmentResponse(at_joiner.at(0), token, fresh, now);
  }

  TestPki pki_{11};
  TestNode town_ = pki_.MakeNode("jinjiang/cizao", Role::kTown, nullptr, true);
  TrustStore trust_ = pki_.Trust();
  MemoryTokenLedger ledger_;
  Enroller enroller_{town_.identity.signing_key(), town_.chain, pki_.root().public_key(), ledger_};
  std::unique_ptr<TrustStore> joiner_trust_;
};

TEST_F(JoinTokenTest, FreshNodeEnrolsThenConnectsWithItsCertificate) {
  auto text =
      enroller_.CreateToken("jinjiang/cizao/v012", Role::kVillage, kNow, kDay, pki_.random());
  ASSERT_OK(text);
  EXPECT_EQ(text->rfind("fulei1-", 0), 0u);
  auto token = ParseJoinToken(*text);
  ASSERT_OK(token);
  EXPECT_EQ(token->org_unit, "jinjiang/cizao/v012");
  EXPECT_EQ(token->root_key, pki_.root().public_key());
  NodeIdentity fresh = NodeIdentity::Generate(pki_.random());
  Session s = Connect(fresh, *token);
  auto chain = Enrol(s, fresh, *token);
  ASSERT_OK(chain);
  EXPECT_EQ(chain->front().org_unit, "jinjiang/cizao/v012");
  EXPECT_EQ(chain->front().node_id, fresh.node_id());
  EXPECT_FALSE(chain->front().can_issue);
  // The new certificate opens an ordinary channel.
  TestNode enrolled{std::move(fresh), *chain};
  auto i = Channel::Create(ConfigFor(enrolled, trust_, {"jinjiang/cizao", {Role::kTown}}), true,
                           pki_.random());
  auto r = Channel::Create(ConfigFor(town_, trust_, {"jinjiang/cizao", {Role::kVillage}}), false,
                           pki_.random());
  ASSERT_OK(i);
  ASSERT_OK(r);
  auto res = Handshake(*i, *r);
  EXPECT_OK(res.initiator);
  EXPECT_OK(res.responder);
  EXPECT_TRUE(r->established());
}

TEST_F(JoinTokenTest, TokenIsSingleUse) {
  auto token = ParseJoinToken(
      *enroller_.CreateToken("jinjiang/cizao/v012", Role::kVillage, kNow, kDay, pki_.random()));
  ASSERT_OK(token);
  NodeIdentity a = NodeIdentity::Generate(pki_.random());
  Session sa = Connect(a, *token);
  ASSERT_OK(Enrol(sa, a, *token));
  NodeIdentity b = NodeIdentity::Generate(pki_.random());
  Session sb = Connect(b, *token);
  EXPECT_EQ(Enrol(sb, b, *token).status().code(), StatusCode::kPermissionDenied);
  // Not even the same node again.
  Session sa2 = Connect(a, *token);
  EXPECT_EQ(Enrol(sa2, a, *token).status().code(), StatusCode::kPermissionDenied);
}

TEST_F(JoinTokenTest, ExpiredTokenRefused) {
  auto token = ParseJoinToken(
      *enroller_.CreateToken("jinjiang/cizao/v012", Role::kVillage, kNow, 60'000, pki_.random()));
  ASSERT_OK(token);
  NodeIdentity fresh = NodeIdentity::Generate(pki_.random());
  Session s = Connect(fresh, *token);
  EXPECT_EQ(Enrol(s, fresh, *token, kNow + 60'001).status().code(), StatusCode::kPermissionDenied);
}

TEST_F(JoinTokenTest, WrongUnitRefused) {
  // A town cannot create tokens outside its subtree, nor for towns.
  EXPECT_EQ(enroller_.CreateToken("jinjiang/anhai/v001", Role::kVillage, kNow, kDay, pki_.random())
                .status()
                .code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(enroller_.CreateToken("jinjiang/cizao", Role::kVillage, kNow, kDay, pki_.random())
                .status()
                .code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(enroller_.CreateToken("jinjiang/cizao/v9", Role::kTown, kNow, kDay, pki_.random())
                .status()
                .code(),
            StatusCode::kPermissionDenied);
  // A token edited to name another unit: the issuer certifies the unit in its ledger, and the
  // joiner refuses a certificate for another unit than it asked for.
  auto token = ParseJoinToken(
      *enroller_.CreateToken("jinjiang/cizao/v012", Role::kVillage, kNow, kDay, pki_.random()));
  ASSERT_OK(token);
  JoinToken edited{token->id,       token->role,   token->expires_ms,    token->secret.Clone(),
                   token->root_key, token->issuer, "jinjiang/cizao/v013"};
  NodeIdentity fresh = NodeIdentity::Generate(pki_.random());
  Session s = Connect(fresh, edited);
  EXPECT_EQ(Enrol(s, fresh, edited).status().code(), StatusCode::kUnauthenticated);
}

TEST_F(JoinTokenTest, RequestBoundToChannelKeyAndSecret) {
  auto token = ParseJoinToken(
      *enroller_.CreateToken("jinjiang/cizao/v012", Role::kVillage, kNow, kDay, pki_.random()));
  ASSERT_OK(token);
  NodeIdentity fresh = NodeIdentity::Generate(pki_.random());
  Session s1 = Connect(fresh, *token);
  Session s2 = Connect(fresh, *token);
  std::string req = MakeEnrolmentRequest(*token, fresh, s1.joiner.handshake_hash());
  // Replayed on another channel (another handshake hash): refused.
  EXPECT_EQ(
      enroller_.HandleRequest(req, s2.parent.handshake_hash(), s2.parent.peer_static_key(), kNow)
          .status()
          .code(),
      StatusCode::kUnauthenticated);
  // Claims a key other than the one that did the handshake: refused.
  NodeIdentity other = NodeIdentity::Generate(pki_.random());
  EXPECT_EQ(
      enroller_.HandleRequest(req, s1.parent.handshake_hash(), other.dh_key().public_key, kNow)
          .status()
          .code(),
      StatusCode::kUnauthenticated);
  // Wrong secret.
  JoinToken guessed{token->id,       token->role,   token->expires_ms, Secret<32>(),
                    token->root_key, token->issuer, token->org_unit};
  std::string bad = MakeEnrolmentRequest(guessed, fresh, s1.joiner.handshake_hash());
  EXPECT_EQ(
      enroller_.HandleRequest(bad, s1.parent.handshake_hash(), s1.parent.peer_static_key(), kNow)
          .status()
          .code(),
      StatusCode::kUnauthenticated);
  // None of these used the token up.
  EXPECT_OK(
      enroller_.HandleRequest(req, s1.parent.handshake_hash(), s1.parent.peer_static_key(), kNow));
}

TEST_F(JoinTokenTest, JoinerRefusesRogueOrWrongParent) {
  auto token = ParseJoinToken(
      *enroller_.CreateToken("jinjiang/cizao/v012", Role::kVillage, kNow, kDay, pki_.random()));
  ASSERT_OK(token);
  NodeIdentity fresh = NodeIdentity::Generate(pki_.random());
  TrustStore pinned(token->root_key);
  auto joiner_config = [&] {
    ChannelConfig jc;
    jc.static_key = fresh.dh_key().Clone();
    jc.trust = &pinned;
    jc.now_ms = kNow;
    return jc;
  };
  // A rogue "parent" of another network: the handshake fails, nothing is sent.
  TestPki rogue_pki(12);
  TestNode rogue = rogue_pki.MakeNode("jinjiang/cizao", Role::kTown, nullptr, true);
  TrustStore rogue_trust = rogue_pki.Trust();
  ChannelConfig rc = ConfigFor(rogue, rogue_trust);
  rc.accept_unenrolled_peer = true;
  auto j = Channel::Create(joiner_config(), true, pki_.random());
  auto r = Channel::Create(std::move(rc), false, pki_.random());
  ASSERT_OK(j);
  ASSERT_OK(r);
  auto res = Handshake(*j, *r);
  EXPECT_FALSE(res.initiator.ok());
  EXPECT_FALSE(j->established());
  // A genuine node of the network that is not the token's issuer: the channel is fine, but the
  // joiner must not send its request there.
  TestNode other_town = pki_.MakeNode("jinjiang/anhai", Role::kTown, nullptr, true);
  ChannelConfig oc = ConfigFor(other_town, trust_);
  oc.accept_unenrolled_peer = true;
  auto j2 = Channel::Create(joiner_config(), true, pki_.random());
  auto o = Channel::Create(std::move(oc), false, pki_.random());
  ASSERT_OK(j2);
  ASSERT_OK(o);
  auto res2 = Handshake(*j2, *o);
  ASSERT_OK(res2.initiator);
  ASSERT_OK(res2.responder);
  EXPECT_EQ(CheckEnrolmentPeer(j2->peer_certificate(), *token).code(),
            StatusCode::kUnauthenticated);
  EXPECT_EQ(CheckEnrolmentPeer(std::nullopt, *token).code(), StatusCode::kUnauthenticated);
}

TEST_F(JoinTokenTest, TokenTextRejectsTyposAndJunk) {
  auto text =
      *enroller_.CreateToken("jinjiang/cizao/v012", Role::kVillage, kNow, kDay, pki_.random());
  for (size_t i = 7; i < text.size(); ++i) {
    std::string t = text;
    t[i] = t[i] == 'A' ? 'B' : 'A';
    EXPECT_EQ(ParseJoinToken(t).status().code(), StatusCode::kInvalidArgument) << "position " << i;
  }
  EXPECT_EQ(ParseJoinToken("fulei2-" + text.substr(7)).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseJoinToken(text.substr(0, text.size() - 1)).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseJoinToken("").status().code(), StatusCode::kInvalidArgument);
}

TEST_F(JoinTokenTest, RootIssuesTownsThatMayIssue) {
  MemoryTokenLedger ledger;
  TestNode city = pki_.MakeNode("jinjiang", Role::kCity);
  Enroller root_enroller(pki_.root(), {}, pki_.root().public_key(), ledger, {}, city.id());
  auto token = ParseJoinToken(
      *root_enroller.CreateToken("jinjiang/anhai", Role::kTown, kNow, kDay, pki_.random()));
  ASSERT_OK(token);
  EXPECT_EQ(token->issuer, city.id());  // the city node answers, not the offline root key
  EXPECT_OK(CheckEnrolmentPeer(city.chain.front(), *token));
  NodeIdentity fresh = NodeIdentity::Generate(pki_.random());
  noise::Hash binding{};
  binding[0] = 1;
  auto resp = root_enroller.HandleRequest(MakeEnrolmentRequest(*token, fresh, binding), binding,
                                          fresh.dh_key().public_key, kNow);
  ASSERT_OK(resp);
  auto chain = AcceptEnrolmentResponse(*resp, *token, fresh, kNow);
  ASSERT_OK(chain);
  EXPECT_EQ(chain->size(), 1u);
  EXPECT_TRUE(chain->front().can_issue);
  EXPECT_EQ(chain->front().role, Role::kTown);
}

TEST_F(JoinTokenTest, FileLedgerPersistsUse) {
  fulei::testing::TempDir tmp;
  const std::filesystem::path dir = tmp.path();
  std::string text;
  noise::Hash binding{};
  NodeIdentity fresh = NodeIdentity::Generate(pki_.random());
  {
    auto ledger = FileTokenLedger::Open(dir / "tokens", pki_.random());
    ASSERT_OK(ledger);
    Enroller e(town_.identity.signing_key(), town_.chain, pki_.root().public_key(), *ledger);
    text = *e.CreateToken("jinjiang/cizao/v020", Role::kVillage, kNow, kDay, pki_.random());
    auto token = ParseJoinToken(text);
    ASSERT_OK(e.HandleRequest(MakeEnrolmentRequest(*token, fresh, binding), binding,
                              fresh.dh_key().public_key, kNow));
  }
  auto reopened = FileTokenLedger::Open(dir / "tokens", pki_.random());
  ASSERT_OK(reopened);
  Enroller e(town_.identity.signing_key(), town_.chain, pki_.root().public_key(), *reopened);
  auto token = ParseJoinToken(text);
  EXPECT_EQ(e.HandleRequest(MakeEnrolmentRequest(*token, fresh, binding), binding,
                            fresh.dh_key().public_key, kNow)
                .status()
                .code(),
            StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace fulei::crypto
