// CertDirectory (sync/cert_directory.h): chains are verified once and then answered from the
// verification cache, but only for the exact bytes verified, inside their validity window, and
// only until the trust store installs a newer revocation list.
#include "sync/cert_directory.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "crypto/revocation.h"
#include "tests/support/status_matchers.h"
#include "tests/sync/sync_fixture.h"

namespace fulei::sync {
namespace {

using testing::kNow;
using testing::kTown;
using testing::kVillage;
using testing::SyncTest;

class CertDirectoryTest : public SyncTest {
 protected:
  void Revoke(uint64_t version, std::vector<crdt::NodeId> revoked) {
    auto list = crypto::SignRevocationList({version, kNow, std::move(revoked)}, root_);
    ASSERT_OK(list);
    ASSERT_OK(trust_.InstallRevocations(*list));
  }
};

TEST_F(CertDirectoryTest, CachedChainIsRefusedOnceARevocationListRevokesIt) {
  auto& town = AddNode(kTown, crypto::Role::kTown);
  auto& village = AddNode(kVillage, crypto::Role::kVillage);
  const std::string chain = crypto::EncodeChain({village.cert});
  CertDirectory certs(*town.store);
  auto added = certs.Add(chain, trust_, kNow);
  ASSERT_OK(added);
  EXPECT_EQ(*added, village.id());
  for (int i = 0; i < 3; ++i) {
    auto leaf = certs.Leaf(village.id(), trust_, kNow + static_cast<uint64_t>(i));
    ASSERT_OK(leaf);
    EXPECT_EQ(*leaf, village.cert);
  }
  ASSERT_OK(certs.Add(chain, trust_, kNow));
  EXPECT_EQ(certs.chains_verified(), 1u);  // the rest came from the cache

  Revoke(1, {0x1234});  // a newer list that does not name the village: still good
  EXPECT_OK(certs.Leaf(village.id(), trust_, kNow));
  EXPECT_EQ(certs.chains_verified(), 2u);  // verified afresh under the new list

  Revoke(2, {village.id()});
  EXPECT_EQ(certs.Leaf(village.id(), trust_, kNow).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(certs.Add(chain, trust_, kNow).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(certs.Leaf(village.id(), trust_, kNow).status().code(), StatusCode::kPermissionDenied);
}

TEST_F(CertDirectoryTest, ChainDifferingInOneByteIsNotServedFromTheCache) {
  auto& town = AddNode(kTown, crypto::Role::kTown);
  auto& village = AddNode(kVillage, crypto::Role::kVillage);
  const std::string chain = crypto::EncodeChain({village.cert});
  CertDirectory certs(*town.store);
  ASSERT_OK(certs.Add(chain, trust_, kNow));
  for (size_t i = 0; i < chain.size(); ++i) {
    std::string altered = chain;
    altered[i] = static_cast<char>(altered[i] ^ 0x01);
    const StatusCode code = certs.Add(altered, trust_, kNow).status().code();
    EXPECT_TRUE(code == StatusCode::kCorruption || code == StatusCode::kUnauthenticated)
        << "byte " << i << ": " << StatusCodeName(code);
  }
  // The genuine chain is still known, unchanged, and still answered from the cache.
  const uint64_t verified = certs.chains_verified();
  auto leaf = certs.Leaf(village.id(), trust_, kNow);
  ASSERT_OK(leaf);
  EXPECT_EQ(*leaf, village.cert);
  EXPECT_EQ(certs.chains_verified(), verified);
  auto stored = certs.Get(village.id());
  ASSERT_OK(stored);
  EXPECT_EQ(stored->value_or(""), chain);
}

TEST_F(CertDirectoryTest, CacheAnswersOnlyInsideTheValidityWindowAndForTheSameRoot) {
  auto& town = AddNode(kTown, crypto::Role::kTown);
  auto& village = AddNode(kVillage, crypto::Role::kVillage);
  CertDirectory certs(*town.store);
  ASSERT_OK(certs.Add(crypto::EncodeChain({village.cert}), trust_, kNow));
  EXPECT_EQ(certs.Leaf(village.id(), trust_, village.cert.not_after_ms + 1).status().code(),
            StatusCode::kOutOfRange);
  EXPECT_OK(certs.Leaf(village.id(), trust_, village.cert.not_after_ms));

  crypto::DeterministicRandom random(99);
  crypto::TrustStore other(crypto::SigningKey::Generate(random).public_key());
  EXPECT_EQ(certs.Leaf(village.id(), other, kNow).status().code(), StatusCode::kUnauthenticated);
  EXPECT_OK(certs.Leaf(village.id(), trust_, kNow));
}

// The session's path: a village's chain is verified with its first batch, and its later
// batches in the same session carry no certificate (the directory answers); once a list
// revoking the village is installed, the next batch is refused.
TEST_F(CertDirectoryTest, SessionRefusesLaterBatchesOfAnOriginRevokedMeanwhile) {
  auto& village = AddNode(kVillage, crypto::Role::kVillage);
  auto& town = AddNode(kTown, crypto::Role::kTown);
  village.Set(kVillage, "child", "c1", "name", "x");
  auto [c, p] = Connect(village, town);
  ASSERT_OK(Pipe(*c, *p));
  village.Set(kVillage, "child", "c2", "name", "y");
  ASSERT_OK(c->OnLocalChange(kVillage));
  ASSERT_OK(Pipe(*c, *p));
  EXPECT_EQ(Vv(town, kVillage)[village.id()], 2u);

  Revoke(1, {village.id()});
  village.Set(kVillage, "child", "c3", "name", "z");
  ASSERT_OK(c->OnLocalChange(kVillage));
  Status refused = Pipe(*c, *p);
  EXPECT_EQ(refused.code(), StatusCode::kInvalidArgument);  // the town closes the session
  EXPECT_NE(refused.ToString().find("revoked"), std::string::npos) << refused.ToString();
  EXPECT_EQ(Vv(town, kVillage)[village.id()], 2u);
}

// Issue 14: the directory kept the last chain added, so any peer could put a node's older
// chain (expiring sooner, or from before it moved units) in place of its newer one.
TEST_F(CertDirectoryTest, OlderChainDoesNotReplaceANewerOne) {
  auto& town = AddNode(kTown, crypto::Role::kTown);
  auto& village = AddNode(kVillage, crypto::Role::kVillage);  // expires kNow + 1 year
  ASSERT_OK_AND_ASSIGN(crypto::Certificate renewed,
                       crypto::CertifyNode(*village.identity, crypto::Role::kVillage, kVillage, 0,
                                           kNow + 2 * 86'400'000ull * 365, root_));
  const std::string older = crypto::EncodeChain({village.cert});
  const std::string newer = crypto::EncodeChain({renewed});
  {
    CertDirectory certs(*town.store);
    ASSERT_OK(certs.Add(older, trust_, kNow));
    ASSERT_OK(certs.Add(newer, trust_, kNow));  // a later expiry replaces
    ASSERT_OK_AND_ASSIGN(std::optional<std::string> held, certs.Get(village.id()));
    EXPECT_EQ(held.value_or(""), newer);
    ASSERT_OK(certs.Add(older, trust_, kNow));  // verifies, but does not replace
    ASSERT_OK_AND_ASSIGN(held, certs.Get(village.id()));
    EXPECT_EQ(held.value_or(""), newer);
    ASSERT_OK_AND_ASSIGN(crypto::Certificate leaf, certs.Leaf(village.id(), trust_, kNow));
    EXPECT_EQ(leaf, renewed);
  }
  // What was persisted is the newer one too.
  CertDirectory reopened(*town.store);
  ASSERT_OK_AND_ASSIGN(std::optional<std::string> held, reopened.Get(village.id()));
  EXPECT_EQ(held.value_or(""), newer);
  ASSERT_OK(reopened.Add(older, trust_, kNow));
  ASSERT_OK_AND_ASSIGN(held, CertDirectory(*town.store).Get(village.id()));
  EXPECT_EQ(held.value_or(""), newer);
  // Ops are vouched for by the chain that expires later, the held one or a batch's.
  ASSERT_OK_AND_ASSIGN(crypto::Certificate leaf,
                       reopened.LeafFor(village.id(), trust_, kNow, kNow + 1000, older));
  EXPECT_EQ(leaf, renewed);
  EXPECT_EQ(
      reopened.LeafFor(village.id(), trust_, kNow, renewed.not_after_ms + 1, older).status().code(),
      StatusCode::kOutOfRange);
}

}  // namespace
}  // namespace fulei::sync
