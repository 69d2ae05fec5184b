// Issue 14, defect 3 ("one bad value stops a village"), at the store: values flipped on disk
// (bit rot on an SD card) are read around and quarantined — never returned, never a reason for
// a whole read or batch to fail. An urgent outbox with one unreadable op still yields the
// others; a record state that does not read is replayed from the op log; another origin's op is
// dropped with its chain's later ops so that sync fetches them again; the node's own op is kept,
// reported, and its seq never issued again (docs/store.md, "Faults and quarantine").
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "crdt/codec.h"
#include "crdt/hlc.h"
#include "store/internal/keys.h"
#include "store/store.h"
#include "tests/store/raw_lmdb.h"
#include "tests/store/test_util.h"

namespace fulei::store {
namespace {

using crdt::Op;
using ::fulei::testing::TempDir;
using testing::MakeOp;
using testing::OpenOrDie;
using testing::Set;
using testing::TestOptions;

constexpr crdt::NodeId kSelf = 0x51;  // TestOptions' node
constexpr crdt::NodeId kA = 0xa1;
constexpr crdt::NodeId kB = 0xb2;
constexpr uint64_t kWall = 1'700'000'000'000;

void Flip(const std::string& dir, const char* db, const std::string& key) {
  testing::RawFlip(dir, db, key);
}

std::string OpKeyOf(const Op& op) { return internal::OpKey(op.key.scope, op.origin, op.seq); }

LocalChange Change(const std::string& id, const std::string& value, uint32_t flags = 0) {
  return LocalChange{{"v", flags != 0 ? "report" : "child", id}, {Set("n", value)}, "u1", flags};
}

// The quarantine entry of `key` in `db`, failing the test when there is none.
QuarantineEntry EntryFor(Store& store, const std::string& db, const std::string& key) {
  auto q = store.Quarantined();
  EXPECT_OK(q);
  if (q.ok()) {
    for (const QuarantineEntry& e : q->entries) {
      if (e.db == db && e.key == key) return e;
    }
  }
  ADD_FAILURE() << "no quarantine entry for " << db << " " << key;
  return QuarantineEntry{};
}

std::string Described(const Op& op) {
  return op.key.scope + "/" + std::to_string(op.origin) + "/" + std::to_string(op.seq);
}

std::vector<crdt::OpId> Ids(const std::vector<OutboxEntry>& entries) {
  std::vector<crdt::OpId> out;
  for (const OutboxEntry& e : entries) out.push_back(e.id);
  return out;
}

class SealedAndChecked : public ::testing::TestWithParam<bool> {
 protected:
  const Sealer* sealer() { return GetParam() ? &sealer_ : nullptr; }
  testing::DataKeySealer sealer_;
};

TEST_P(SealedAndChecked, OneUnreadableOutboxEntryDoesNotStopUrgentReports) {
  TempDir dir;
  crdt::HybridClock clock;
  LocalOptions up;
  up.outbox_peers = {"up"};
  std::vector<Op> own;  // three urgent reports of this node
  Op relayed = MakeOp(kA, "v", 1, "report", "a1", {Set("n", "from below")}, crdt::kOpFlagUrgent);
  {
    auto store = OpenOrDie(dir.path(), TestOptions(sealer()));
    for (const char* id : {"r1", "r2", "r3"}) {
      auto ops = store->WriteLocal(
          std::vector<LocalChange>{Change(id, "harm", crdt::kOpFlagUrgent)}, clock, kWall, up);
      ASSERT_OK(ops);
      own.push_back(ops->front());
    }
    ApplyOptions ao;
    ao.outbox_peers = {"up"};
    ASSERT_OK(store->ApplyBatch(std::vector<Op>{relayed}, ao));
    ASSERT_EQ(store->Outbox("up")->size(), 4u);
  }
  Flip(dir.path(), "ops", OpKeyOf(own[1]));   // this node's own report r2
  Flip(dir.path(), "ops", OpKeyOf(relayed));  // a report relayed from below
  auto store = OpenOrDie(dir.path(), TestOptions(sealer()));

  auto outbox = store->Outbox("up");
  ASSERT_OK(outbox);  // before: kCorruption, and every upstream session closed on it
  EXPECT_EQ(Ids(*outbox), (std::vector<crdt::OpId>{own[0].id(), own[2].id()}));
  EXPECT_EQ((*outbox)[1].bytes, crdt::EncodeOp(own[2]));

  // Both are quarantined, marked urgent: this node's own is kept (and reported), the relayed
  // one dropped to be fetched again. Neither is ever returned.
  QuarantineEntry mine = EntryFor(*store, "ops", Described(own[1]));
  EXPECT_EQ(mine.action, QuarantineAction::kKept);
  EXPECT_TRUE(mine.urgent);
  QuarantineEntry theirs = EntryFor(*store, "ops", Described(relayed));
  EXPECT_EQ(theirs.action, QuarantineAction::kRefetch);
  EXPECT_TRUE(theirs.urgent);
  EXPECT_FALSE(store->GetOp("v", kSelf, own[1].seq)->has_value());
  EXPECT_EQ(store->GetVersionVector("v")->at(kSelf), 3u);
  EXPECT_EQ(store->GetVersionVector("v")->count(kA), 0u);

  // Urgent reports written after it still go, and the entries stay queued: the relayed report
  // goes on once sync has brought it again, and the own one if a copy ever comes back.
  auto r4 = store->WriteLocal(std::vector<LocalChange>{Change("r4", "harm", crdt::kOpFlagUrgent)},
                              clock, kWall, up);
  ASSERT_OK(r4);
  EXPECT_EQ(r4->front().seq, 4u);  // seq 2 is never issued again
  ASSERT_OK(store->ApplyBatch(std::vector<Op>{relayed}));
  ASSERT_OK(store->ApplyBatch(std::vector<Op>{own[1]}));  // a copy (from a backup) repairs it
  EXPECT_EQ(EntryFor(*store, "ops", Described(own[1])).action, QuarantineAction::kRepaired);
  outbox = store->Outbox("up");
  ASSERT_OK(outbox);
  EXPECT_EQ(outbox->size(), 5u);
  auto report = store->CheckIntegrity();
  ASSERT_OK(report);
  EXPECT_TRUE(report->ok()) << report->problems.front();
  EXPECT_EQ(report->quarantined, 2u);
}

// Counts active children per (type, scope), like programme/'s aggregates: an index whose
// `before` matters, so a rebuilt state must not be counted twice.
class CountIndexer : public Indexer {
 public:
  std::string_view name() const override { return "count"; }
  Status OnChange(const crdt::RecordKey& key, const crdt::RecordState* before,
                  const crdt::RecordState& after, IndexWriter& writer) override {
    const bool was = before != nullptr && before->Get("status") == "active";
    const bool is = after.Get("status") == "active";
    if (was == is) return Status::Ok();
    const std::string k = key.type + "|" + key.scope;
    FULEI_ASSIGN_OR_RETURN(auto cur, writer.Get(k));
    const int n = (cur ? std::stoi(*cur) : 0) + (is ? 1 : -1);
    if (n == 0) return writer.Delete(k);
    return writer.Put(k, std::to_string(n));
  }
};

TEST_P(SealedAndChecked, CorruptStateIsRebuiltFromTheOpLog) {
  TempDir dir, reference_dir;
  CountIndexer index, reference_index;
  StoreOptions options = TestOptions(sealer());
  options.indexers = {&index};
  StoreOptions reference_options = TestOptions(sealer());
  reference_options.indexers = {&reference_index};
  const crdt::RecordKey c1{"v", "child", "c1"};
  std::vector<Op> ops = {
      MakeOp(kA, "v", 1, "child", "c1", {Set("status", "active"), Set("name", "x")}),
      MakeOp(kA, "v", 2, "child", "c2", {Set("status", "active")}),
      MakeOp(kB, "v", 1, "child", "c1", {Set("school", "s1")}),
      // urgent and held pending (seq 2 missing): merged into the state at once
      MakeOp(kA, "v", 4, "child", "c1", {Set("flag", "raised")}, crdt::kOpFlagUrgent),
  };
  ops.push_back(MakeOp(kA, "v", 3, "child", "c1", {Set("name", "y", {ops[0].id()})}));
  const Op later = MakeOp(kB, "v", 2, "child", "c1", {Set("status", "closed", {ops[0].id()})});
  {
    auto store = OpenOrDie(dir.path(), options);
    ASSERT_OK(store->ApplyBatch(std::vector<Op>(ops.begin(), ops.begin() + 4)));
  }
  Flip(dir.path(), "state", internal::StateKey(c1));
  auto store = OpenOrDie(dir.path(), options);
  auto reference = OpenOrDie(reference_dir.path(), reference_options);
  ASSERT_OK(reference->ApplyBatch(ops));
  ASSERT_OK(reference->ApplyBatch(std::vector<Op>{later}));

  // Every batch touching c1 failed before, for ever; now the state is replayed from its ops
  // (those in the op log and the urgent pending one), merged with the batch, and quarantined.
  ASSERT_OK(store->ApplyBatch(std::vector<Op>{ops[4]}));  // releases seq 4 as well
  ASSERT_OK(store->ApplyBatch(std::vector<Op>{later}));
  for (const auto& key : {c1, crdt::RecordKey{"v", "child", "c2"}}) {
    auto got = store->Get(key);
    ASSERT_OK(got);
    ASSERT_TRUE(got->has_value()) << key.ToString();
    EXPECT_EQ((*got)->Encode(), (*reference->Get(key))->Encode()) << key.ToString();
  }
  EXPECT_EQ(EntryFor(*store, "state", c1.ToString()).action, QuarantineAction::kRebuilt);
  auto report = store->CheckIntegrity();  // the index equals a rebuild from the states too
  ASSERT_OK(report);
  EXPECT_TRUE(report->ok()) << report->problems.front();
  std::map<std::string, std::string> counts, reference_counts;
  ASSERT_OK(store->ScanIndex("count", "", [&](std::string_view k, std::string_view v) {
    counts[std::string(k)] = std::string(v);
    return true;
  }));
  ASSERT_OK(reference->ScanIndex("count", "", [&](std::string_view k, std::string_view v) {
    reference_counts[std::string(k)] = std::string(v);
    return true;
  }));
  EXPECT_EQ(counts, reference_counts);
}

TEST_P(SealedAndChecked, UnreadableStateReadsAsItsReplayAndIsRewritten) {
  TempDir dir;
  std::vector<Op> ops = {MakeOp(kA, "v", 1, "child", "c1", {Set("n", "x")}),
                         MakeOp(kA, "v", 2, "child", "c2", {Set("n", "y")}),
                         MakeOp(kA, "v", 3, "child", "c1", {Set("m", "z")})};
  crdt::RecordState c1;
  c1.Apply(ops[0]);
  c1.Apply(ops[2]);
  {
    auto store = OpenOrDie(dir.path(), TestOptions(sealer()));
    ASSERT_OK(store->ApplyBatch(ops));
  }
  const std::string key = internal::StateKey(ops[0].key);
  Flip(dir.path(), "state", key);
  const auto damaged = testing::RawGet(dir.path(), "state", key);
  {
    auto store = OpenOrDie(dir.path(), TestOptions(sealer()));
    size_t seen = 0;
    ASSERT_OK(
        store->ForEach("child", "v", [&](const crdt::RecordKey& k, const crdt::RecordState& state) {
          if (k == ops[0].key) {
            EXPECT_EQ(state.Encode(), c1.Encode());
          }
          ++seen;
          return true;
        }));
    EXPECT_EQ(seen, 2u);
    auto got = store->Get(ops[0].key);
    ASSERT_OK(got);
    ASSERT_TRUE(got->has_value());
    EXPECT_EQ((*got)->Encode(), c1.Encode());
    auto report = store->CheckIntegrity();
    ASSERT_OK(report);
    EXPECT_TRUE(report->ok()) << report->problems.front();
  }
  const auto rewritten = testing::RawGet(dir.path(), "state", key);
  ASSERT_TRUE(rewritten.has_value());
  EXPECT_NE(rewritten, damaged);
}

TEST_P(SealedAndChecked, UnreadableOpIsFetchedAgainFromUpstream) {
  TempDir dir, upstream_dir;
  std::vector<Op> ops;
  for (uint64_t seq = 1; seq <= 10; ++seq) {
    ops.push_back(MakeOp(kA, "v", seq, "child", "c" + std::to_string(seq % 3),
                         {Set("n" + std::to_string(seq), "x")}));
  }
  for (uint64_t seq = 1; seq <= 3; ++seq) {
    ops.push_back(MakeOp(kB, "v", seq, "child", "b", {Set("m" + std::to_string(seq), "y")}));
  }
  auto upstream = OpenOrDie(upstream_dir.path(), TestOptions(sealer()));
  ASSERT_OK(upstream->ApplyBatch(ops));
  {
    auto store = OpenOrDie(dir.path(), TestOptions(sealer()));
    ASSERT_OK(store->ApplyBatch(ops));
  }
  Flip(dir.path(), "ops", OpKeyOf(ops[3]));  // kA seq 4
  auto store = OpenOrDie(dir.path(), TestOptions(sealer()));

  // Sending to a peer that lacks everything: kA's run stops before seq 4, kB's goes on.
  auto chunk = store->OpsSince("v", {});
  ASSERT_OK(chunk);  // before: kCorruption, and the session closed on it
  std::map<crdt::NodeId, uint64_t> sent;
  for (const OpBytes& op : chunk->ops) sent[op.origin] = std::max(sent[op.origin], op.seq);
  EXPECT_EQ(sent, (std::map<crdt::NodeId, uint64_t>{{kA, 3}, {kB, 3}}));

  // Quarantined: seq 4 and the rest of kA's chain are dropped, the vector lowered to 3.
  EXPECT_EQ(EntryFor(*store, "ops", Described(ops[3])).action, QuarantineAction::kRefetch);
  auto vv = store->GetVersionVector("v");
  ASSERT_OK(vv);
  EXPECT_EQ(*vv, (VersionVector{{kA, 3}, {kB, 3}}));
  for (uint64_t seq = 4; seq <= 10; ++seq) EXPECT_FALSE(store->GetOp("v", kA, seq)->has_value());

  // The next sync: the upstream sends what the lowered vector lacks, and all is whole again.
  auto again = upstream->OpsSince("v", *vv);
  ASSERT_OK(again);
  ASSERT_EQ(again->ops.size(), 7u);
  std::vector<Op> decoded;
  std::vector<std::string> bytes;
  for (const OpBytes& op : again->ops) {
    auto d = crdt::DecodeOp(op.bytes);
    ASSERT_OK(d);
    decoded.push_back(*d);
    bytes.push_back(op.bytes);
  }
  auto applied = store->ApplyDecoded(decoded, bytes);
  ASSERT_OK(applied);
  EXPECT_EQ(applied->applied, 7u);
  EXPECT_EQ(*store->GetVersionVector("v"), *upstream->GetVersionVector("v"));
  for (const Op& op : ops) {
    EXPECT_EQ(*store->GetOp("v", op.origin, op.seq), std::optional(crdt::EncodeOp(op)));
    EXPECT_EQ((*store->Get(op.key))->Encode(), (*upstream->Get(op.key))->Encode());
  }
  auto report = store->CheckIntegrity();
  ASSERT_OK(report);
  EXPECT_TRUE(report->ok()) << report->problems.front();
}

TEST_P(SealedAndChecked, UnreadableOwnOpIsQuarantinedAndItsSeqNeverReused) {
  TempDir dir;
  crdt::HybridClock clock;
  std::vector<Op> own;
  {
    auto store = OpenOrDie(dir.path(), TestOptions(sealer()));
    for (int i = 1; i <= 5; ++i) {
      auto ops = store->WriteLocal(std::vector<LocalChange>{Change("c" + std::to_string(i), "x")},
                                   clock, kWall);
      ASSERT_OK(ops);
      own.push_back(ops->front());
    }
  }
  Flip(dir.path(), "ops", OpKeyOf(own[2]));  // seq 3
  auto store = OpenOrDie(dir.path(), TestOptions(sealer()));
  auto chunk = store->OpsSince("v", {});
  ASSERT_OK(chunk);
  ASSERT_EQ(chunk->ops.size(), 2u);  // the chain cannot be sent past a hole
  QuarantineEntry e = EntryFor(*store, "ops", Described(own[2]));
  EXPECT_EQ(e.action, QuarantineAction::kKept);
  EXPECT_FALSE(e.urgent);
  EXPECT_NE(e.reason.find("ops"), std::string::npos) << e.reason;
  // Kept, not dropped: the vector stays, and the next own op is seq 6, never 3 again.
  EXPECT_EQ(store->GetVersionVector("v")->at(kSelf), 5u);
  auto next = store->WriteLocal(std::vector<LocalChange>{Change("c6", "x")}, clock, kWall);
  ASSERT_OK(next);
  EXPECT_EQ(next->front().seq, 6u);
  auto report = store->CheckIntegrity();  // still damaged, and says so
  ASSERT_OK(report);
  EXPECT_FALSE(report->ok());
  // A copy of it (a backup, a peer) repairs it in place.
  auto repaired = store->ApplyBatch(std::vector<Op>{own[2]});
  ASSERT_OK(repaired);
  EXPECT_EQ(repaired->duplicate, 1u);
  EXPECT_EQ(*store->GetOp("v", kSelf, 3), std::optional(crdt::EncodeOp(own[2])));
  EXPECT_EQ(store->OpsSince("v", {})->ops.size(), 6u);
  EXPECT_EQ(EntryFor(*store, "ops", Described(own[2])).action, QuarantineAction::kRepaired);
  report = store->CheckIntegrity();
  ASSERT_OK(report);
  EXPECT_TRUE(report->ok()) << report->problems.front();
}

TEST_P(SealedAndChecked, UnreadablePendingOpIsDroppedUntilItComesAgain) {
  TempDir dir;
  std::vector<Op> ops;
  for (uint64_t seq = 1; seq <= 4; ++seq) {
    ops.push_back(MakeOp(kA, "v", seq, "child", "c1", {Set("n" + std::to_string(seq), "x")}));
  }
  {
    auto store = OpenOrDie(dir.path(), TestOptions(sealer()));
    ASSERT_OK(store->ApplyBatch(std::vector<Op>{ops[0], ops[2], ops[3]}));
  }
  Flip(dir.path(), "pending", OpKeyOf(ops[2]));
  auto store = OpenOrDie(dir.path(), TestOptions(sealer()));
  auto r = store->ApplyBatch(std::vector<Op>{ops[1]});  // would release seq 3: it does not read
  ASSERT_OK(r);
  EXPECT_EQ(store->GetVersionVector("v")->at(kA), 2u);
  EXPECT_EQ(EntryFor(*store, "pending", Described(ops[2])).action, QuarantineAction::kDropped);
  EXPECT_EQ(*store->PendingCount(), 1u);  // seq 4 waits
  r = store->ApplyBatch(std::vector<Op>{ops[2]});
  ASSERT_OK(r);
  EXPECT_EQ(r->released, 1u);
  EXPECT_EQ(store->GetVersionVector("v")->at(kA), 4u);
  auto report = store->CheckIntegrity();
  ASSERT_OK(report);
  EXPECT_TRUE(report->ok()) << report->problems.front();
}

TEST_P(SealedAndChecked, UnreadableVersionVectorIsRecountedNeverLowered) {
  TempDir dir;
  crdt::HybridClock clock;
  std::vector<Op> theirs;
  for (uint64_t seq = 1; seq <= 5; ++seq) {
    theirs.push_back(MakeOp(kA, "v", seq, "child", "c1", {Set("n" + std::to_string(seq), "x")}));
  }
  {
    auto store = OpenOrDie(dir.path(), TestOptions(sealer()));
    ASSERT_OK(store->ApplyBatch(theirs));
    for (int i = 0; i < 3; ++i) {
      ASSERT_OK(store->WriteLocal(std::vector<LocalChange>{Change("c2", std::to_string(i))}, clock,
                                  kWall));
    }
  }
  Flip(dir.path(), "vv", internal::ChainKey("v", kA));
  Flip(dir.path(), "vv", internal::ChainKey("v", kSelf));
  auto store = OpenOrDie(dir.path(), TestOptions(sealer()));
  auto vv = store->GetVersionVector("v");
  ASSERT_OK(vv);  // before: kCorruption, and no session could start (its digest needs it)
  EXPECT_EQ(*vv, (VersionVector{{kA, 5}, {kSelf, 3}}));
  auto next = store->WriteLocal(std::vector<LocalChange>{Change("c2", "3")}, clock, kWall);
  ASSERT_OK(next);
  EXPECT_EQ(next->front().seq, 4u);
  ASSERT_OK(
      store->ApplyBatch(std::vector<Op>{MakeOp(kA, "v", 6, "child", "c1", {Set("n6", "x")})}));
  EXPECT_EQ(*store->GetVersionVector("v"), (VersionVector{{kA, 6}, {kSelf, 4}}));
  EXPECT_EQ(EntryFor(*store, "vv", "v/" + std::to_string(kA)).action, QuarantineAction::kRebuilt);
  auto report = store->CheckIntegrity();
  ASSERT_OK(report);
  EXPECT_TRUE(report->ok()) << report->problems.front();
}

TEST_P(SealedAndChecked, UnreadableChainHeadIsPassedOver) {
  TempDir dir;
  std::vector<Op> ops;
  for (uint64_t seq = 1; seq <= 6; ++seq) {
    ops.push_back(MakeOp(kA, "v", seq, "child", "c1", {Set("n" + std::to_string(seq), "x")}));
  }
  {
    auto store = OpenOrDie(dir.path(), TestOptions(sealer()));
    ApplyOptions ao;
    for (uint64_t seq : {2, 4, 6}) ao.heads.push_back(ChainHead{"v", kA, seq, "head"});
    ASSERT_OK(store->ApplyBatch(ops, ao));
  }
  Flip(dir.path(), "heads", internal::OpKey("v", kA, 4));
  auto store = OpenOrDie(dir.path(), TestOptions(sealer()));
  auto above = store->HeadAtOrAbove("v", kA, 3);
  ASSERT_OK(above);
  ASSERT_TRUE(above->has_value());
  EXPECT_EQ((*above)->seq, 6u);
  auto below = store->HeadAtOrBelow("v", kA, 5);
  ASSERT_OK(below);
  ASSERT_TRUE(below->has_value());
  EXPECT_EQ((*below)->seq, 2u);
  EXPECT_EQ(EntryFor(*store, "heads", Described(ops[3])).action, QuarantineAction::kDropped);
}

TEST_P(SealedAndChecked, ScrubQuarantinesEveryUnreadableValue) {
  TempDir dir;
  crdt::HybridClock clock;
  std::vector<Op> ops = {MakeOp(kA, "v", 1, "child", "c1", {Set("n", "x")}),
                         MakeOp(kA, "v", 2, "child", "c2", {Set("n", "y")}),
                         MakeOp(kB, "v", 1, "child", "c3", {Set("n", "z")}),
                         MakeOp(kB, "v", 3, "child", "c3", {Set("m", "z")})};
  Op own;
  {
    auto store = OpenOrDie(dir.path(), TestOptions(sealer()));
    ASSERT_OK(store->ApplyBatch(ops));
    auto written = store->WriteLocal(std::vector<LocalChange>{Change("c4", "w")}, clock, kWall);
    ASSERT_OK(written);
    own = written->front();
  }
  Flip(dir.path(), "ops", OpKeyOf(ops[1]));
  Flip(dir.path(), "ops", OpKeyOf(own));
  Flip(dir.path(), "pending", OpKeyOf(ops[3]));
  Flip(dir.path(), "state", internal::StateKey(ops[2].key));
  Flip(dir.path(), "vv", internal::ChainKey("v", kB));
  auto store = OpenOrDie(dir.path(), TestOptions(sealer()));
  auto q = store->Scrub();
  ASSERT_OK(q);
  std::map<std::pair<std::string, std::string>, QuarantineAction> got;
  for (const QuarantineEntry& e : q->entries) got[{e.db, e.key}] = e.action;
  EXPECT_EQ(got, (std::map<std::pair<std::string, std::string>, QuarantineAction>{
                     {{"ops", Described(ops[1])}, QuarantineAction::kRefetch},
                     {{"ops", Described(own)}, QuarantineAction::kKept},
                     {{"pending", Described(ops[3])}, QuarantineAction::kDropped},
                     {{"state", ops[2].key.ToString()}, QuarantineAction::kRebuilt},
                     {{"vv", "v/" + std::to_string(kB)}, QuarantineAction::kRebuilt},
                 }));
  EXPECT_EQ(q->count, 5u);
  EXPECT_EQ(*store->GetVersionVector("v"), (VersionVector{{kA, 1}, {kB, 1}, {kSelf, 1}}));
  // A second scrub finds nothing new; clearing empties the list.
  EXPECT_EQ(store->Scrub()->count, 5u);
  ASSERT_OK(store->ClearQuarantine());
  EXPECT_EQ(store->Quarantined()->count, 0u);
}

INSTANTIATE_TEST_SUITE_P(StoreQuarantine, SealedAndChecked, ::testing::Bool(),
                         [](const auto& p) { return p.param ? "Sealed" : "Checked"; });

}  // namespace
}  // namespace fulei::store
