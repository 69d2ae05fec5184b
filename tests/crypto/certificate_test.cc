// Certificates: canonical encoding, org unit rules, and that no single-bit change of an encoded
// certificate or chain still verifies.
#include "crypto/certificate.h"

#include <gtest/gtest.h>

#include "tests/crypto/pki_fixture.h"

namespace fulei::crypto {
namespace {

using testing::kNow;
using testing::TestNode;
using testing::TestPki;

TEST(OrgUnitTest, Rules) {
  EXPECT_TRUE(ValidateOrgUnit("jinjiang").ok());
  EXPECT_TRUE(ValidateOrgUnit("jinjiang/cizao/v012").ok());
  EXPECT_TRUE(ValidateOrgUnit("a_b-c/0").ok());
  for (const char* bad : {"", "/a", "a/", "a//b", "A", "a b", "a/b/c/d/e/f/g/h/i", "..", "a/.."}) {
    EXPECT_FALSE(ValidateOrgUnit(bad).ok()) << bad;
  }
  EXPECT_FALSE(ValidateOrgUnit(std::string(33, 'a')).ok());
  EXPECT_TRUE(IsUnderOrgUnit("jinjiang/cizao/v012", "jinjiang/cizao"));
  EXPECT_TRUE(IsUnderOrgUnit("jinjiang/cizao", "jinjiang/cizao"));
  EXPECT_FALSE(IsUnderOrgUnit("jinjiang/cizaox", "jinjiang/cizao"));
  EXPECT_FALSE(IsUnderOrgUnit("jinjiang", "jinjiang/cizao"));
  EXPECT_FALSE(IsUnderOrgUnit("jinjiang", ""));
}

TEST(CertificateTest, EncodingRoundTripsAndIsBounded) {
  TestPki pki;
  TestNode town = pki.MakeNode("jinjiang/cizao", Role::kTown, nullptr, true);
  TestNode v = pki.MakeNode("jinjiang/cizao/v012", Role::kVillage, &town);
  std::string enc = EncodeCertificate(v.chain.front());
  EXPECT_LE(enc.size(), kMaxCertificateBytes);
  auto dec = DecodeCertificate(enc);
  ASSERT_TRUE(dec.ok()) << dec.status().ToString();
  EXPECT_EQ(*dec, v.chain.front());
  EXPECT_EQ(EncodeCertificate(*dec), enc);
  auto chain = DecodeChain(EncodeChain(v.chain));
  ASSERT_TRUE(chain.ok());
  EXPECT_EQ(*chain, v.chain);
  EXPECT_FALSE(DecodeCertificate(enc + "x").ok());
  EXPECT_FALSE(DecodeCertificate(enc.substr(0, enc.size() - 1)).ok());
  EXPECT_FALSE(DecodeChain("").ok());
  EXPECT_FALSE(DecodeChain(std::string(1, '\x04')).ok());
}

TEST(CertificateTest, EveryBitFlipOfAChainFailsVerification) {
  TestPki pki;
  TestNode town = pki.MakeNode("jinjiang/cizao", Role::kTown, nullptr, true);
  TestNode v = pki.MakeNode("jinjiang/cizao/v012", Role::kVillage, &town);
  TrustStore trust = pki.Trust();
  std::string enc = EncodeChain(v.chain);
  ASSERT_TRUE(trust.VerifyChain(*DecodeChain(enc), kNow).ok());
  for (size_t bit = 0; bit < enc.size() * 8; ++bit) {
    std::string t = enc;
    t[bit / 8] = static_cast<char>(t[bit / 8] ^ (1 << (bit % 8)));
    auto chain = DecodeChain(t);
    if (chain.ok()) {
      EXPECT_FALSE(trust.VerifyChain(*chain, kNow).ok()) << "bit " << bit;
    }
  }
}

TEST(CertificateTest, IssueRefusesInconsistentCertificates) {
  TestPki pki;
  NodeIdentity id = NodeIdentity::Generate(pki.random());
  Certificate tbs;
  tbs.node_id = id.node_id();
  tbs.signing_key = id.signing_key().public_key();
  tbs.dh_key = id.dh_key().public_key;
  tbs.org_unit = "jinjiang/cizao/v012";
  tbs.not_before_ms = 1;
  tbs.not_after_ms = 2;
  EXPECT_TRUE(IssueCertificate(tbs, pki.root()).ok());
  Certificate wrong_id = tbs;
  wrong_id.node_id ^= 1;
  EXPECT_FALSE(IssueCertificate(wrong_id, pki.root()).ok());
  Certificate village_issuer = tbs;
  village_issuer.can_issue = true;
  EXPECT_FALSE(IssueCertificate(village_issuer, pki.root()).ok());
  Certificate empty_window = tbs;
  empty_window.not_before_ms = 3;
  EXPECT_FALSE(IssueCertificate(empty_window, pki.root()).ok());
}

TEST(NodeIdTest, DerivedFromSigningKeyAndNeverZero) {
  TestPki pki;
  NodeIdentity a = NodeIdentity::Generate(pki.random());
  NodeIdentity b = NodeIdentity::Generate(pki.random());
  EXPECT_NE(a.node_id(), 0u);
  EXPECT_NE(a.node_id(), b.node_id());
  EXPECT_EQ(a.node_id(), NodeIdFromKey(a.signing_key().public_key()));
}

}  // namespace
}  // namespace fulei::crypto
