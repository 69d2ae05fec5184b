// The aggregation indexer inside the real store: counters commit with the records, survive a
// reopen, equal a rebuild (CheckIntegrity), and the dashboard reads them through ScanIndex.
#include "programme/aggregate_store.h"

#include <gtest/gtest.h>

#include "programme/aggregate.h"
#include "store/store.h"
#include "tests/store/test_util.h"
#include "tests/support/status_matchers.h"

namespace fulei::programme {
namespace {

using ::fulei::testing::TempDir;
using store::testing::Set;

TEST(AggregateStoreTest, CountersCommitWithRecordsAndSurviveReopen) {
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  AggregateIndexer indexer;
  store::StoreOptions options;
  options.node_id = 11;
  options.reserve_bytes = 0;
  options.indexers = {&indexer};
  const Date today{2026, 11, 29};
  const std::string v1 = "jinjiang/cizao/v001";
  crdt::HybridClock clock;
  uint64_t wall = 1'764'400'000'000;
  {
    auto st = store::Store::Open(dir.path(), options);
    ASSERT_OK(st);
    store::Store& s = **st;
    std::vector<store::LocalChange> changes;
    for (int i = 0; i < 5; ++i) {
      changes.push_back(store::LocalChange{
          crdt::RecordKey{v1, "child", "c" + std::to_string(i)},
          {Set("gender", i % 2 ? "male" : "female"), Set("birth_date", "2015-03-12"),
           Set("category", i < 3 ? "left_behind" : "orphan")},
          "u-1",
          0});
    }
    changes.push_back(
        store::LocalChange{crdt::RecordKey{v1, "pairing", "p0"},
                           {Set("helper", "h1"), Set("child", "c0"), Set("kind", "family_care"),
                            Set("start_date", "2026-01-01")},
                           "u-1",
                           0});
    changes.push_back(store::LocalChange{
        crdt::RecordKey{v1, "contact", "k0"},
        {Set("kind", "talk"), Set("child", "c0"), Set("helper", "h1"), Set("date", "2026-11-02")},
        "u-1",
        0});
    auto ops = s.WriteLocal(changes, clock, wall);
    ASSERT_OK(ops);

    StoreCounterReader reader(s);
    auto d = ReadDashboard(reader, "jinjiang", today, 0);
    ASSERT_OK(d);
    EXPECT_EQ(d->children, 5);
    EXPECT_EQ(d->by_category.at("left_behind"), 3);
    EXPECT_EQ(d->family_care_children, 1);
    EXPECT_EQ(d->talked_this_month, 1);

    // Delete a child: the counters follow in the same transaction.
    auto state = s.Get(crdt::RecordKey{v1, "child", "c4"});
    ASSERT_OK(state);
    ASSERT_TRUE(state->has_value());
    std::vector<store::LocalChange> del{store::LocalChange{crdt::RecordKey{v1, "child", "c4"},
                                                           crdt::DeleteWrites(**state), "u-1", 0}};
    ASSERT_OK(s.WriteLocal(del, clock, wall + 1000));
    d = ReadDashboard(reader, "jinjiang/cizao", today, 0);
    EXPECT_EQ(d->children, 4);
    EXPECT_EQ(d->by_category.at("orphan"), 1);

    auto integrity = s.CheckIntegrity();
    ASSERT_OK(integrity);
    EXPECT_TRUE(integrity->ok()) << (integrity->problems.empty() ? "" : integrity->problems[0]);
  }
  // Reopen: the counters were durable with the records.
  auto st = store::Store::Open(dir.path(), options);
  ASSERT_OK(st);
  StoreCounterReader reader(**st);
  auto d = ReadDashboard(reader, v1, today, 0);
  ASSERT_OK(d);
  EXPECT_EQ(d->children, 4);
  EXPECT_EQ(d->talked_this_month, 1);
}

}  // namespace
}  // namespace fulei::programme
