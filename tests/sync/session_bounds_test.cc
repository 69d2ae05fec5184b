// What one enrolled peer can make a session keep (issue 14, defect 5): a hostile village
// drives its town's session with hand-made messages — vectors for every scope it may name,
// vectors again, entries of origins nobody knows, acks naming them, empty batches of ever new
// scopes — and the session's tracked state stays bounded (sync/session.h, "Bounded per peer").
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "crypto/certificate.h"
#include "sync/messages.h"
#include "sync/session.h"
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

class SessionBoundsTest : public SyncTest {
 protected:
  void SetUp() override {
    village_ = &AddNode(kVillage, crypto::Role::kVillage);
    town_ = &AddNode(kTown, crypto::Role::kTown);
  }

  // The town's session with the (hostile) village, started; its own messages dropped.
  std::unique_ptr<Session> TownSession() {
    auto s = MakeSession(*town_, *village_, /*peer_is_upstream=*/false);
    EXPECT_OK(s->Start(kNow));
    s->TakeOutgoing();
    return s;
  }
  Status Feed(Session& s, const Message& m) { return s.OnMessage(EncodeMessage(m), kNow); }
  Status Hello(Session& s) {
    return Feed(s, sync::Hello{kProtocolVersion, village_->id(), kVillage, kNow});
  }
  // A digest whose hashes differ from anything the town holds, for `scopes`.
  static Digest DifferingDigest(const std::vector<std::string>& scopes) {
    Digest d;
    for (size_t i = 0; i < scopes.size(); ++i) {
      ScopeDigest sd{scopes[i], {}};
      for (size_t k = 0; k < sd.hash.size(); ++k) sd.hash[k] = static_cast<uint8_t>(i * 31 + k);
      d.scopes.push_back(sd);
    }
    return d;
  }
  // Origin ids nobody enrolled.
  static std::vector<VvEntry> Strangers(size_t n, uint64_t salt) {
    std::vector<VvEntry> out;
    for (size_t i = 0; i < n; ++i) out.push_back(VvEntry{0x5000'0000'0000'0000 + salt * n + i, 9});
    return out;
  }

  TestNode* village_ = nullptr;
  TestNode* town_ = nullptr;
};

// A peer could send Vectors again and again, each time adding to the session's state.
TEST_F(SessionBoundsTest, SecondVectorsForAScopeIsRefused) {
  for (int i = 0; i < 3; ++i) village_->Set(kVillage, "child", "c" + std::to_string(i), "n", "x");
  town_->Set(kVillage, "child", "c0", "note", "town's edit");
  auto c = MakeSession(*village_, *town_, /*peer_is_upstream=*/true);
  auto p = MakeSession(*town_, *village_, false);
  ASSERT_OK(c->Start(kNow));
  ASSERT_OK(p->Start(kNow));
  ASSERT_OK(Pipe(*c, *p));  // an honest exchange: one Vectors each way for the village scope
  ASSERT_TRUE(p->idle());
  const Vectors again{{ScopeVector{kVillage, {VvEntry{village_->id(), 1}}}}};
  Status st = Feed(*p, again);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << st.ToString();
  EXPECT_NE(st.message().find("not due"), std::string::npos) << st.ToString();

  // A scope whose digests matched is not due either, nor one named twice in one message.
  auto p2 = TownSession();
  ASSERT_OK(Hello(*p2));
  ASSERT_OK(Feed(*p2, DifferingDigest({kVillage})));
  EXPECT_EQ(Feed(*p2, Vectors{{ScopeVector{kTown, {}}}}).code(), StatusCode::kInvalidArgument);
  auto p3 = TownSession();
  ASSERT_OK(Hello(*p3));
  ASSERT_OK(Feed(*p3, DifferingDigest({kVillage})));
  const ScopeVector v{kVillage, {VvEntry{village_->id(), 1}}};
  EXPECT_EQ(Feed(*p3, Vectors{{v, v}}).code(), StatusCode::kInvalidArgument);
  ASSERT_OK(Feed(*p3, Vectors{{v}}));  // the refused message kept nothing: it is still due
}

// Each Vectors entry became state of the session, whatever origin it named.
TEST_F(SessionBoundsTest, VectorsOfUnknownOriginsAreNotKept) {
  // The town holds the city's certificate (the city may write the village's scope) and a
  // sibling village's (which may not), but no op of either in the village's scope.
  auto& city = AddNode(kCity, crypto::Role::kCity);
  auto& sibling = AddNode("jinjiang/cizao/v013", crypto::Role::kVillage);
  ASSERT_OK(town_->certs->Add(crypto::EncodeChain({city.cert}), trust_, kNow));
  ASSERT_OK(town_->certs->Add(crypto::EncodeChain({sibling.cert}), trust_, kNow));
  town_->Set(kVillage, "child", "c0", "note", "town's edit");

  auto vectors_of = [&](std::vector<VvEntry> entries) {
    auto s = TownSession();
    EXPECT_OK(Hello(*s));
    EXPECT_OK(Feed(*s, DifferingDigest({kVillage})));
    EXPECT_OK(Feed(*s, Vectors{{ScopeVector{kVillage, std::move(entries)}}}));
    s->TakeOutgoing();
    return s->tracked_bytes();
  };
  const VvEntry peer{village_->id(), 3}, town{town_->id(), 1}, by_cert{city.id(), 4};
  // (The town's own entry in each, so that it has nothing to send in any of them.)
  const size_t peer_only = vectors_of({peer, town});
  const size_t known = vectors_of({peer, town, by_cert});
  EXPECT_GT(known, peer_only);  // the city's entry is kept: its certificate may write there
  std::vector<VvEntry> with_strangers = Strangers(10'000, 1);
  with_strangers.push_back(peer);
  with_strangers.push_back(town);
  with_strangers.push_back(by_cert);
  with_strangers.push_back(VvEntry{sibling.id(), 7});  // certified, but not for this scope
  EXPECT_EQ(vectors_of(with_strangers), known);
}

TEST_F(SessionBoundsTest, PeerStateStaysBounded) {
  // The town has ops of the village's scope to send, so batches are in flight to be acked.
  for (int i = 0; i < 200; ++i) town_->Set(kVillage, "child", "c" + std::to_string(i), "n", "x");
  auto s = TownSession();
  ASSERT_OK(Hello(*s));
  // The biggest digest a peer may send: its own scope and 4095 scopes below it, all differing.
  std::vector<std::string> scopes{kVillage};
  for (size_t i = 1; i < kMaxScopesPerMessage; ++i) {
    scopes.push_back(std::string(kVillage) + "/f" + std::to_string(i));
  }
  ASSERT_OK(Feed(*s, DifferingDigest(scopes)));
  s->TakeOutgoing();
  // What this test allows: 512 bytes for each scope the peer may name (the documented bound:
  // a few map nodes and the scope's name each), whatever else comes.
  const size_t bound = kMaxScopesPerMessage * 512;
  EXPECT_LE(s->tracked_bytes(), bound);

  // Vectors for all of them, as many entries as a session takes, nearly all of strangers.
  Vectors vectors;
  for (size_t i = 0; i < scopes.size(); ++i) {
    std::vector<VvEntry> entries = Strangers(kMaxVectorEntries / scopes.size() - 1, i);
    entries.push_back(VvEntry{village_->id(), 1});
    vectors.scopes.push_back(ScopeVector{scopes[i], std::move(entries)});
  }
  ASSERT_OK(Feed(*s, vectors));
  EXPECT_LE(s->tracked_bytes(), bound);
  const size_t after_vectors = s->tracked_bytes();

  // Every batch the town sends is acked with the most entries an ack may carry, of strangers.
  size_t acks = 0;
  for (int round = 0; round < 100; ++round) {
    std::vector<Outgoing> out = s->TakeOutgoing();
    if (out.empty()) break;
    for (const Outgoing& o : out) {
      ASSERT_OK_AND_ASSIGN(Message m, DecodeMessage(o.bytes));
      if (!std::holds_alternative<OpsBatch>(m)) continue;
      const OpsBatch& b = std::get<OpsBatch>(m);
      ASSERT_OK(Feed(*s, Ack{b.batch, b.scope, Strangers(kMaxVectorEntries, 100 + acks++)}));
      EXPECT_LE(s->tracked_bytes(), bound);
    }
  }
  EXPECT_GE(acks, 4u);
  // Empty batches of ever new scopes below the village: each is acked, none is remembered.
  for (int i = 0; i < 10'000; ++i) {
    OpsBatch b;
    b.batch = static_cast<uint64_t>(i) + 1;
    b.scope = std::string(kVillage) + "/g" + std::to_string(i);
    ASSERT_OK(Feed(*s, b));
    s->TakeOutgoing();
  }
  EXPECT_LE(s->tracked_bytes(), after_vectors + 1024);
  EXPECT_LE(s->tracked_bytes(), bound);
  std::printf("tracked: %zu bytes after the vectors, %zu at the end (bound %zu)\n", after_vectors,
              s->tracked_bytes(), bound);
  // And one more Vectors closes the session instead of adding to it.
  EXPECT_FALSE(Feed(*s, Vectors{{ScopeVector{kVillage, Strangers(1000, 9)}}}).ok());
}

}  // namespace
}  // namespace fulei::sync
