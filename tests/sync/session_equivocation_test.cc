// Equivocation over sync (issue 14, defect 7): a run is checked against the held op after it
// too, so a fork whose later half arrived first is refused rather than joined; and a detected
// equivocation leaves evidence (sync/equivocation.h) that replicates up to the city, while a
// relay that passes a forked run on is not cut off for it.
#include <gtest/gtest.h>

#include "sync/equivocation.h"
#include "sync/session.h"
#include "tests/support/status_matchers.h"
#include "tests/sync/fork_fixture.h"

namespace fulei::sync {
namespace {

using testing::BatchOf;
using testing::Hold;
using testing::kCity;
using testing::kNow;
using testing::kTown;
using testing::kVillage;
using testing::MakeChain;
using testing::SignedChain;
using testing::SyncTest;
using testing::TestNode;

using SessionEquivocationTest = SyncTest;

TEST_F(SessionEquivocationTest, ForkWhoseLaterHalfArrivesFirstIsRefused) {
  auto& village = AddNode(kVillage, crypto::Role::kVillage);
  auto& town = AddNode(kTown, crypto::Role::kTown);
  const SignedChain a = MakeChain(village, 4, "a");
  const SignedChain b = MakeChain(village, 4, "b", &a, 2);  // forks after seq 2
  auto t = MakeLaneSession(town, village, {});
  ASSERT_OK(
      t->OnMessage(EncodeMessage(Hello{kProtocolVersion, village.id(), village.unit, kNow}), kNow));
  ASSERT_OK(t->OnMessage(EncodeMessage(BatchOf(a, 1, 2, village, 1)), kNow));
  // The later half of fork b first: held pending, its link to b's 3 unchecked for now.
  ASSERT_OK(t->OnMessage(EncodeMessage(BatchOf(b, 4, 4, village, 2)), kNow));
  // Then fork a's 3: it links to the held 2, but b's 4, held after it, names another 3.
  Status st = t->OnMessage(EncodeMessage(BatchOf(a, 3, 3, village, 3)), kNow);
  ASSERT_EQ(st.code(), StatusCode::kInvalidArgument) << "the fork was joined";
  EXPECT_NE(st.message().find("equivocation"), std::string::npos) << st.ToString();
  EXPECT_EQ(Vv(town, kVillage)[village.id()], 2u);
  EXPECT_EQ(t->stats().equivocations, 1u);
  // The detecting town kept the evidence, and it proves the fork on its own.
  ASSERT_OK_AND_ASSIGN(std::vector<Equivocation> evidence, ListEquivocations(*town.store, ""));
  ASSERT_EQ(evidence.size(), 1u);
  EXPECT_EQ(evidence[0].origin, village.id());
  EXPECT_EQ(evidence[0].seq, 3u);
  EXPECT_EQ(evidence[0].unit, kTown);
  EXPECT_EQ(evidence[0].peer, village.id());
  EXPECT_OK(VerifyEquivocation(evidence[0], village.cert));
}

TEST_F(SessionEquivocationTest, EquivocationLeavesEvidenceForTheCity) {
  auto& city = AddNode(kCity, crypto::Role::kCity);
  auto& town = AddNode(kTown, crypto::Role::kTown);
  auto& village = AddNode(kVillage, crypto::Role::kVillage);
  // The village was restored from an old backup and carried on: the town holds one chain, the
  // city (which it reached directly) the other.
  const SignedChain a = MakeChain(village, 3, "a");
  const SignedChain b = MakeChain(village, 4, "b", &a, 2);
  for (TestNode* n : {&town, &city}) {
    auto added = n->certs->Add(crypto::EncodeChain({village.cert}), trust_, kNow);
    ASSERT_OK(added);
  }
  Hold(town, a, 1, 3);
  Hold(city, b, 1, 4);
  town.Set(kTown, "org", "o1", "name", "town volunteers");

  auto tc = MakeLaneSession(town, city, {.upstream = true});
  auto ct = MakeLaneSession(city, town, {});
  ASSERT_OK(Pipe(*tc, *ct));  // a relay of a forked run is not cut off for it
  EXPECT_EQ(tc->stats().equivocations, 1u);
  EXPECT_EQ(Vv(town, kVillage)[village.id()], 3u);                    // the town kept its chain
  EXPECT_EQ(Vv(city, kTown)[town.id()], Vv(town, kTown)[town.id()]);  // and the rest went up

  // The city sees the evidence the town wrote, and can check it with the village's
  // certificate alone.
  ASSERT_OK_AND_ASSIGN(std::vector<Equivocation> evidence, ListEquivocations(*city.store, ""));
  ASSERT_EQ(evidence.size(), 1u);
  EXPECT_EQ(evidence[0].origin, village.id());
  EXPECT_EQ(evidence[0].scope, kVillage);
  EXPECT_EQ(evidence[0].seq, 3u);
  EXPECT_EQ(evidence[0].node, town.id());
  EXPECT_EQ(evidence[0].peer, city.id());
  EXPECT_OK(VerifyEquivocation(evidence[0], village.cert));

  // Next time the same run comes, nothing new is written and the session still goes on.
  auto tc2 = MakeLaneSession(town, city, {.upstream = true});
  auto ct2 = MakeLaneSession(city, town, {});
  ASSERT_OK(Pipe(*tc2, *ct2));
  ASSERT_OK_AND_ASSIGN(evidence, ListEquivocations(*town.store, ""));
  EXPECT_EQ(evidence.size(), 1u);
}

}  // namespace
}  // namespace fulei::sync
