// Certificates: canonical encoding, org unit rules, and that no single-bit change of an encoded
// certificate or chain still verifies. Certifying a node identity (CertifyNode) is in
// identity_test.cc.
#include "crypto/certificate.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/crypto/pki_fixture.h"
#include "tests/support/status_matchers.h"

namespace fulei::crypto {
namespace {

using testing::kNow;
using testing::TestNode;
using testing::TestPki;

TEST(OrgUnitTest, Rules) {
  EXPECT_OK(ValidateOrgUnit("jinjiang"));
  EXPECT_OK(ValidateOrgUnit("jinjiang/cizao/v012"));
  EXPECT_OK(ValidateOrgUnit("a_b-c/0"));
  for (const char* bad : {"", "/a", "a/", "a//b", "A", "a b", "a/b/c/d/e/f/g/h/i", "..", "a/.."}) {
    EXPECT_EQ(ValidateOrgUnit(bad).code(), StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_EQ(ValidateOrgUnit(std::string(33, 'a')).code(), StatusCode::kInvalidArgument);
}

TEST(CertificateTest, EncodingRoundTripsAndIsBounded) {
  TestPki pki;
  TestNode town = pki.MakeNode("jinjiang/cizao", Role::kTown, nullptr, true);
  TestNode v = pki.MakeNode("jinjiang/cizao/v012", Role::kVillage, &town);
  std::string enc = EncodeCertificate(v.chain.front());
  EXPECT_LE(enc.size(), kMaxCertificateBytes);
  auto dec = DecodeCertificate(enc);
  ASSERT_OK(dec);
  EXPECT_EQ(*dec, v.chain.front());
  EXPECT_EQ(EncodeCertificate(*dec), enc);
  auto chain = DecodeChain(EncodeChain(v.chain));
  ASSERT_OK(chain);
  EXPECT_EQ(*chain, v.chain);
  EXPECT_EQ(DecodeCertificate(enc + "x").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(DecodeCertificate(enc.substr(0, enc.size() - 1)).status().code(),
            StatusCode::kCorruption);
  EXPECT_EQ(DecodeChain("").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(DecodeChain(std::string(1, '\x04')).status().code(), StatusCode::kCorruption);
}

TEST(CertificateTest, EveryBitFlipOfAChainFailsVerification) {
  TestPki pki;
  TestNode town = pki.MakeNode("jinjiang/cizao", Role::kTown, nullptr, true);
  TestNode v = pki.MakeNode("jinjiang/cizao/v012", Role::kVillage, &town);
  TrustStore trust = pki.Trust();
  std::string enc = EncodeChain(v.chain);
  ASSERT_OK(trust.VerifyChain(*DecodeChain(enc), kNow));
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
  EXPECT_OK(IssueCertificate(tbs, pki.root()));
  Certificate wrong_id = tbs;
  wrong_id.node_id ^= 1;
  EXPECT_EQ(IssueCertificate(wrong_id, pki.root()).status().code(), StatusCode::kInvalidArgument);
  Certificate village_issuer = tbs;
  village_issuer.can_issue = true;
  EXPECT_EQ(IssueCertificate(village_issuer, pki.root()).status().code(),
            StatusCode::kInvalidArgument);
  Certificate empty_window = tbs;
  empty_window.not_before_ms = 3;
  EXPECT_EQ(IssueCertificate(empty_window, pki.root()).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace fulei::crypto
