// The revocation list as a replicated record (sync/revocations.h): written at the city, carried
// by ordinary sync sessions through the town to a village, installed there from the store; an
// older, forged or damaged list carried the same way is ignored; concurrent lists: the highest
// version wins; only the city may publish, and only a newer, root-signed list.
#include "sync/revocations.h"

#include <gtest/gtest.h>

#include <span>
#include <string>
#include <vector>

#include "crypto/revocation.h"
#include "tests/support/status_matchers.h"
#include "tests/sync/sync_fixture.h"

namespace fulei::sync {
namespace {

using testing::kCity;
using testing::kNow;
using testing::kTown;
using testing::kVillage;
using testing::SyncTest;
using testing::TestNode;

class RevocationSyncTest : public SyncTest {
 protected:
  std::string SignedList(uint64_t version, std::vector<crdt::NodeId> revoked,
                         const crypto::SigningKey* key = nullptr) {
    auto bytes =
        crypto::SignRevocationList({version, kNow, std::move(revoked)}, key ? *key : root_);
    EXPECT_OK(bytes);
    return bytes.ok() ? *bytes : std::string();
  }

  // Writes `value` into the revocation field at `node` without Publish's checks (a buggy or
  // hostile writer). `supersede`: over every value the node holds (else concurrent to none).
  void RawWrite(TestNode& node, const std::string& value, bool supersede = true) {
    store::LocalChange change;
    change.key = RevocationKey(kCity);
    change.author = "tester";
    auto state = node.store->Get(change.key);
    ASSERT_OK(state);
    crdt::FieldWrite w =
        crdt::SetWrite(state->value_or(crdt::RecordState()), kRevocationField, value);
    if (!supersede) w.supersedes.clear();
    change.writes.push_back(std::move(w));
    auto ops = node.writer->Write(std::span<const store::LocalChange>(&change, 1), kNow);
    ASSERT_OK(ops);
  }

  // city -> town -> village, each pair synced until quiet.
  void Propagate(TestNode& city, TestNode& town, TestNode& village) {
    {
      auto [c, p] = Connect(town, city);
      ASSERT_OK(Pipe(*c, *p));
    }
    auto [c, p] = Connect(village, town);
    ASSERT_OK(Pipe(*c, *p));
  }
};

TEST(RevocationRecord, RootScopeAndKey) {
  EXPECT_EQ(RootScope("jinjiang/cizao/v012"), "jinjiang");
  EXPECT_EQ(RootScope("jinjiang/cizao"), "jinjiang");
  EXPECT_EQ(RootScope("jinjiang"), "jinjiang");
  EXPECT_EQ(RevocationKey("jinjiang"), (crdt::RecordKey{"jinjiang", "$revocations", "list"}));
}

TEST_F(RevocationSyncTest, ListWrittenAtTheCityIsInstalledAtTheVillage) {
  auto& city = AddNode(kCity, crypto::Role::kCity);
  auto& town = AddNode(kTown, crypto::Role::kTown);
  auto& village = AddNode(kVillage, crypto::Role::kVillage);
  crypto::TrustStore city_trust(root_.public_key()), village_trust(root_.public_key());
  const crdt::NodeId revoked = 0x1234;

  auto ops = PublishRevocations(*city.store, *city.writer, kCity, city_trust,
                                SignedList(1, {revoked}), kNow);
  ASSERT_OK(ops);
  ASSERT_EQ(ops->size(), 1u);
  EXPECT_EQ((*ops)[0].origin, city.id());  // an ordinary op of the city, chained and signed
  EXPECT_EQ((*ops)[0].key, RevocationKey(kCity));

  // Nothing there yet: installing is a no-op.
  auto none = InstallRevocationsFromStore(*village.store, kCity, village_trust);
  ASSERT_OK(none);
  EXPECT_FALSE(none->installed);
  EXPECT_EQ(none->values, 0u);

  Propagate(city, town, village);
  auto got = InstallRevocationsFromStore(*village.store, kCity, village_trust);
  ASSERT_OK(got);
  EXPECT_TRUE(got->installed);
  EXPECT_EQ(got->version, 1u);
  EXPECT_TRUE(got->rejected.empty());
  EXPECT_TRUE(village_trust.IsRevoked(revoked));
  // Installing again changes nothing.
  auto again = InstallRevocationsFromStore(*village.store, kCity, village_trust);
  ASSERT_OK(again);
  EXPECT_FALSE(again->installed);
  EXPECT_EQ(again->version, 1u);

  // A second, newer list replaces the first everywhere.
  ASSERT_OK(InstallRevocationsFromStore(*city.store, kCity, city_trust));
  ASSERT_OK(PublishRevocations(*city.store, *city.writer, kCity, city_trust,
                               SignedList(2, {revoked, 0x99}), kNow));
  Propagate(city, town, village);
  auto v2 = InstallRevocationsFromStore(*village.store, kCity, village_trust);
  ASSERT_OK(v2);
  EXPECT_TRUE(v2->installed);
  EXPECT_EQ(v2->values, 1u);  // the new write superseded the old value
  EXPECT_EQ(village_trust.revocation_version(), 2u);
  EXPECT_TRUE(village_trust.IsRevoked(0x99));
}

TEST_F(RevocationSyncTest, OlderListCarriedTheSameWayIsIgnored) {
  auto& city = AddNode(kCity, crypto::Role::kCity);
  auto& town = AddNode(kTown, crypto::Role::kTown);
  auto& village = AddNode(kVillage, crypto::Role::kVillage);
  crypto::TrustStore village_trust(root_.public_key());
  const std::string v1 = SignedList(1, {0x10});
  const std::string v2 = SignedList(2, {0x10, 0x20});

  RawWrite(city, v2);
  Propagate(city, town, village);
  ASSERT_OK(InstallRevocationsFromStore(*village.store, kCity, village_trust));
  ASSERT_EQ(village_trust.revocation_version(), 2u);

  // Publish refuses to go back...
  crypto::TrustStore city_trust(root_.public_key());
  EXPECT_EQ(
      PublishRevocations(*city.store, *city.writer, kCity, city_trust, v1, kNow).status().code(),
      StatusCode::kAlreadyExists);
  EXPECT_EQ(
      PublishRevocations(*city.store, *city.writer, kCity, city_trust, v2, kNow).status().code(),
      StatusCode::kAlreadyExists);
  // ...and an old list written anyway (superseding v2) does not roll the village back.
  RawWrite(city, v1);
  Propagate(city, town, village);
  auto got = InstallRevocationsFromStore(*village.store, kCity, village_trust);
  ASSERT_OK(got);
  EXPECT_FALSE(got->installed);
  EXPECT_EQ(got->values, 1u);
  EXPECT_EQ(village_trust.revocation_version(), 2u);
  EXPECT_TRUE(village_trust.IsRevoked(0x20));
}

TEST_F(RevocationSyncTest, ForgedOrDamagedListIsReportedAndIgnored) {
  auto& city = AddNode(kCity, crypto::Role::kCity);
  auto& town = AddNode(kTown, crypto::Role::kTown);
  auto& village = AddNode(kVillage, crypto::Role::kVillage);
  crypto::TrustStore village_trust(root_.public_key()), city_trust(root_.public_key());
  crypto::DeterministicRandom other_random(99);
  crypto::SigningKey other_root = crypto::SigningKey::Generate(other_random);
  const std::string forged = SignedList(9, {0x30}, &other_root);

  // Publish refuses a list that is not the root's, or not a list at all; nothing is written.
  EXPECT_EQ(PublishRevocations(*city.store, *city.writer, kCity, city_trust, forged, kNow)
                .status()
                .code(),
            StatusCode::kUnauthenticated);
  EXPECT_EQ(PublishRevocations(*city.store, *city.writer, kCity, city_trust, "garbage", kNow)
                .status()
                .code(),
            StatusCode::kCorruption);
  EXPECT_TRUE(Vv(city, kCity).empty());

  // Written anyway, concurrently with a genuine v1, plus a damaged copy of a genuine v5.
  std::string damaged = SignedList(5, {0x40});
  damaged[6] = static_cast<char>(damaged[6] ^ 1);
  RawWrite(city, SignedList(1, {0x50}));
  RawWrite(city, forged, /*supersede=*/false);
  RawWrite(city, damaged, /*supersede=*/false);
  Propagate(city, town, village);
  auto got = InstallRevocationsFromStore(*village.store, kCity, village_trust);
  ASSERT_OK(got);
  EXPECT_EQ(got->values, 3u);
  EXPECT_EQ(got->rejected.size(), 2u);
  EXPECT_TRUE(got->installed);
  EXPECT_EQ(village_trust.revocation_version(), 1u);  // the genuine one, despite lower version
  EXPECT_TRUE(village_trust.IsRevoked(0x50));
  EXPECT_FALSE(village_trust.IsRevoked(0x30));
  EXPECT_FALSE(village_trust.IsRevoked(0x40));
}

TEST_F(RevocationSyncTest, ConcurrentListsHighestVersionWins) {
  // Two city nodes (say, the bureau's node and its restored spare) publish without seeing each
  // other's list: the village holds both values (a conflict) and installs the higher version.
  auto& city = AddNode(kCity, crypto::Role::kCity);
  auto& spare = AddNode(kCity, crypto::Role::kCity);
  auto& town = AddNode(kTown, crypto::Role::kTown);
  auto& village = AddNode(kVillage, crypto::Role::kVillage);
  crypto::TrustStore city_trust(root_.public_key()), village_trust(root_.public_key());
  ASSERT_OK(PublishRevocations(*city.store, *city.writer, kCity, city_trust, SignedList(4, {0x61}),
                               kNow));
  ASSERT_OK(PublishRevocations(*spare.store, *spare.writer, kCity, city_trust,
                               SignedList(3, {0x62}), kNow));
  Propagate(spare, town, village);
  Propagate(city, town, village);
  auto got = InstallRevocationsFromStore(*village.store, kCity, village_trust);
  ASSERT_OK(got);
  EXPECT_EQ(got->values, 2u);
  EXPECT_TRUE(got->rejected.empty());
  EXPECT_EQ(village_trust.revocation_version(), 4u);
  EXPECT_TRUE(village_trust.IsRevoked(0x61));
  EXPECT_FALSE(village_trust.IsRevoked(0x62));
}

// A town that still holds ops a village wrote before it was revoked does not offer them to
// the city (which would refuse the whole batch and close the session, again on every
// reconnect): the town-city link keeps working for everything else.
TEST_F(RevocationSyncTest, RelayHoldingARevokedOriginsOpsKeepsSyncingUpstream) {
  auto& city = AddNode(kCity, crypto::Role::kCity);
  auto& town = AddNode(kTown, crypto::Role::kTown);
  auto& village = AddNode(kVillage, crypto::Role::kVillage);
  for (int i = 0; i < 5; ++i) village.Set(kVillage, "child", "c" + std::to_string(i), "name", "x");
  {
    auto [c, p] = Connect(village, town);
    ASSERT_OK(Pipe(*c, *p));
  }
  ASSERT_EQ(Vv(town, kVillage)[village.id()], 5u);
  // The list reaches town and city (here: both share the fixture's trust store).
  ASSERT_OK(trust_.InstallRevocations(SignedList(1, {village.id()})));
  town.Set(kTown, "org", "o1", "name", "town volunteers");
  town.Set(kVillage, "child", "c0", "note", "town's edit");

  auto [c, p] = Connect(town, city);
  Status st = Pipe(*c, *p);
  ASSERT_OK(st);
  EXPECT_EQ(Vv(city, kTown)[town.id()], 1u);        // the town's own op went up
  EXPECT_EQ(Vv(city, kVillage)[town.id()], 1u);     // and its edit of the village's record
  EXPECT_EQ(Vv(city, kVillage)[village.id()], 0u);  // the revoked origin's ops did not
}

TEST_F(RevocationSyncTest, OnlyTheCityPublishes) {
  auto& town = AddNode(kTown, crypto::Role::kTown);
  crypto::TrustStore trust(root_.public_key());
  auto st = PublishRevocations(*town.store, *town.writer, kTown, trust, SignedList(1, {1}), kNow);
  EXPECT_EQ(st.status().code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(Vv(town, kCity).empty());
  EXPECT_TRUE(Vv(town, kTown).empty());
}

}  // namespace
}  // namespace fulei::sync
