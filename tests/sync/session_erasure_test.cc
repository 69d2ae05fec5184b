// Erased ops over sync (issue 14, defect 1): a relay that strips the body of a village's urgent
// report as it forwards it is refused — nothing held, no receipt — and the real report still
// arrives by a second path. An erasure the origin signed travels, is held without a receipt,
// and the real op arriving afterwards is neither refused as an equivocation nor undoes it.
#include <gtest/gtest.h>

#include "crdt/codec.h"
#include "crypto/erasure.h"
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

class SessionErasureTest : public SyncTest {
 protected:
  void SetUp() override {
    city_ = &AddNode(kCity, crypto::Role::kCity);
    town_ = &AddNode(kTown, crypto::Role::kTown);
    village_ = &AddNode(kVillage, crypto::Role::kVillage);
    // An urgent report for both upstreams: the town ("up") and the city ("up:1").
    auto ops = village_->Set(kVillage, "report", "r1", "detail", "what the child said",
                             crdt::kOpFlagUrgent, {"up", "up:1"});
    ASSERT_EQ(ops.size(), 1u);
    report_ = ops[0];
    auto c = MakeLaneSession(*village_, *town_, {.upstream = true});
    auto p = MakeLaneSession(*town_, *village_, {.self_has_upstream = true});
    ASSERT_OK(Pipe(*c, *p));
    ASSERT_EQ(OutboxSize(*town_, "up"), 1u);  // on its way to the city
  }

  // The town forwards its outbox to the city; `rewrite` changes the village's op on the way.
  Status TownToCity(const std::function<void(crdt::Op&)>& rewrite) {
    auto tc = MakeLaneSession(*town_, *city_, {.upstream = true});
    auto ct = MakeLaneSession(*city_, *town_, {});
    return Pipe(*tc, *ct, nullptr, [&](int side, Outgoing& o) {
      auto m = DecodeMessage(o.bytes);
      if (side != 0 || !m.ok() || !std::holds_alternative<OpsBatch>(*m)) return;
      for (std::string& bytes : std::get<OpsBatch>(*m).ops) {
        auto op = crdt::DecodeOp(bytes);
        if (op.ok() && op->origin == village_->id()) {
          rewrite(*op);
          bytes = crdt::EncodeOp(*op);
        }
      }
      o.bytes = EncodeMessage(*m);
    });
  }

  // The village's second upstream: an urgent-only session with the city draining "up:1".
  Status VillageToCity() {
    SessionConfig vc;
    vc.self_node = village_->id();
    vc.self_unit = village_->unit;
    vc.clock = &village_->clock;
    vc.receipts = village_->writer.get();
    vc.outbox_peer = "up:1";
    vc.relay_down = true;
    vc.receipt_outboxes = {"up", "up:1"};
    vc.urgent_only = true;
    Session v(*village_->store, trust_, *village_->certs, vc,
              PeerIdentity{city_->id(), city_->unit});
    FULEI_RETURN_IF_ERROR(v.Start(kNow));
    auto c = MakeLaneSession(*city_, *village_, {});
    return Pipe(v, *c);
  }

  std::optional<crdt::Op> CityHolds() {
    auto held = city_->store->GetOp(kVillage, village_->id(), report_.seq);
    EXPECT_OK(held);
    if (!held.ok() || !held->has_value()) return std::nullopt;
    auto op = crdt::DecodeOp(**held);
    EXPECT_OK(op);
    return op.ok() ? std::optional<crdt::Op>(*op) : std::nullopt;
  }

  // Receipts the city wrote for the report (the town's travel up by ordinary sync).
  size_t CityReceipts() {
    size_t n = 0;
    for (const Receipt& r : Receipts(*city_, "report", "r1")) n += r.node == city_->id() ? 1 : 0;
    return n;
  }

  TestNode* city_ = nullptr;
  TestNode* town_ = nullptr;
  TestNode* village_ = nullptr;
  crdt::Op report_;
};

TEST_F(SessionErasureTest, ErasedBodyForgedByARelayIsRefused) {
  Status st = TownToCity([](crdt::Op& op) {
    op.erased = true;  // the town strips the report's body
    op.writes.clear();
  });
  ASSERT_EQ(st.code(), StatusCode::kInvalidArgument) << st.ToString();
  EXPECT_NE(st.message().find("erasure"), std::string::npos) << st.ToString();
  EXPECT_FALSE(CityHolds()) << "the city stored the empty report";
  EXPECT_EQ(CityReceipts(), 0u) << "the city wrote a receipt for a body it never got";
  EXPECT_EQ(OutboxSize(*town_, "up"), 1u) << "nothing was acknowledged";

  // The real report by the second upstream: held, receipted, no equivocation.
  ASSERT_OK(VillageToCity());
  auto held = CityHolds();
  ASSERT_TRUE(held);
  EXPECT_FALSE(held->erased);
  EXPECT_EQ(Receipts(*village_, "report", "r1").size(), 2u);  // the town's and the city's
}

TEST_F(SessionErasureTest, NoReceiptForAnErasedBody) {
  // The village itself erased its report (a lawful erasure it signed) before the town
  // forwarded it: the city holds the header and the authorisation, and acknowledges them.
  const auto erasure =
      crypto::AuthoriseErasure(report_, village_->identity->signing_key(), kNow + 5);
  ASSERT_OK(TownToCity([&](crdt::Op& op) { op = crypto::EraseOp(op, erasure); }));
  auto held = CityHolds();
  ASSERT_TRUE(held);
  EXPECT_TRUE(held->erased);
  EXPECT_EQ(held->erasure, crypto::EncodeErasure(erasure));
  EXPECT_EQ(OutboxSize(*town_, "up"), 0u);
  EXPECT_EQ(CityReceipts(), 0u);

  // The body comes afterwards by the second upstream: no equivocation, the erasure stands,
  // and still no receipt (the city does not hold the body).
  ASSERT_OK(VillageToCity());
  held = CityHolds();
  ASSERT_TRUE(held);
  EXPECT_TRUE(held->erased) << "the real op undid the erasure";
  EXPECT_EQ(CityReceipts(), 0u);
  EXPECT_EQ(OutboxSize(*village_, "up:1"), 0u) << "the city acknowledged it";
}

TEST_F(SessionErasureTest, CityMayEraseATownMayNot) {
  const auto by_town = crypto::AuthoriseErasure(report_, town_->identity->signing_key(), kNow + 5,
                                                crypto::EncodeChain({town_->cert}));
  Status st = TownToCity([&](crdt::Op& op) { op = crypto::EraseOp(op, by_town); });
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << st.ToString();
  EXPECT_FALSE(CityHolds());
  const auto by_city = crypto::AuthoriseErasure(report_, city_->identity->signing_key(), kNow + 5,
                                                crypto::EncodeChain({city_->cert}));
  ASSERT_OK(TownToCity([&](crdt::Op& op) { op = crypto::EraseOp(op, by_city); }));
  auto held = CityHolds();
  ASSERT_TRUE(held);
  EXPECT_TRUE(held->erased);
}

}  // namespace
}  // namespace fulei::sync
