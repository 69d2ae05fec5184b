// Property tests over thousands of seeded random causal histories: applying the same set of ops
// in any order, any grouping, with duplicates, gives byte-identical record states.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <tuple>

#include "crdt/record.h"
#include "tests/crdt/history.h"
#include "tests/support/status_matchers.h"

namespace fulei::crdt {
namespace {

Op NewOp(NodeId origin, uint64_t seq, Stamp stamp, const RecordKey& key) {
  Op op;
  op.origin = origin;
  op.seq = seq;
  op.stamp = stamp;
  op.author = "u";
  op.key = key;
  return op;
}

using testing::HistoryGenerator;
using testing::Materialize;

constexpr int kSeeds = 2000;

TEST(RecordProperty, AnyOrderWithDuplicatesGivesIdenticalBytes) {
  for (uint64_t seed = 1; seed <= kSeeds; ++seed) {
    HistoryGenerator gen(seed, 3, 3);
    std::vector<Op> ops = gen.Run(40);
    for (const Op& op : ops) ASSERT_OK(ValidateOp(op));
    const auto reference = Materialize(ops);

    // Commutativity: a random permutation.
    std::vector<Op> shuffled = ops;
    std::shuffle(shuffled.begin(), shuffled.end(), gen.rng());
    // Idempotence: duplicates of random ops, anywhere.
    for (int i = 0; i < 10; ++i) shuffled.push_back(ops[gen.Pick(ops.size())]);
    std::shuffle(shuffled.begin(), shuffled.end(), gen.rng());
    ASSERT_EQ(Materialize(shuffled), reference) << "seed " << seed;

    // Reverse order: every superseding op arrives before what it supersedes.
    std::vector<Op> reversed(ops.rbegin(), ops.rend());
    ASSERT_EQ(Materialize(reversed), reference) << "seed " << seed;
  }
}

TEST(RecordProperty, GroupingDoesNotMatterAndDecodeRoundTrips) {
  // Associativity: merging partial states (via their encoded bytes, as the store does) in
  // different groupings gives the same result as one pass.
  for (uint64_t seed = 1; seed <= kSeeds / 4; ++seed) {
    HistoryGenerator gen(seed * 7919, 4, 2);
    std::vector<Op> ops = gen.Run(30);
    const auto reference = Materialize(ops);
    std::map<RecordKey, RecordState> states;
    size_t cut = gen.Pick(ops.size());
    for (size_t i = 0; i < cut; ++i) states[ops[i].key].Apply(ops[i]);
    // Persist and reload halfway, as a node does across a restart.
    for (auto& [k, s] : states) {
      auto decoded = RecordState::Decode(s.Encode());
      ASSERT_OK(decoded);
      ASSERT_EQ(decoded->Encode(), s.Encode());
      s = std::move(*decoded);
    }
    for (size_t i = ops.size(); i-- > cut;) states[ops[i].key].Apply(ops[i]);
    std::map<RecordKey, std::string> got;
    for (const auto& [k, s] : states) got[k] = s.Encode();
    ASSERT_EQ(got, reference) << "seed " << seed;
  }
}

TEST(RecordProperty, ConcurrentSameFieldEditIsAConflictUntilResolved) {
  for (uint64_t seed = 1; seed <= kSeeds; ++seed) {
    std::mt19937_64 rng(seed);
    RecordKey key{"jinjiang/cizao/v001", "child", "c1"};
    RecordState base;
    Op first = NewOp(1, 1, Stamp{1000, 0}, key);
    first.writes.push_back(SetWrite(base, "school", "old"));
    base.Apply(first);

    // Two replicas edit the same field concurrently, both having seen only `first`.
    const uint64_t ta = 2000 + rng() % 50, tb = 2000 + rng() % 50;
    Op a = NewOp(2, 1, Stamp{ta, 0}, key);
    a.writes.push_back(SetWrite(base, "school", "A" + std::to_string(rng() % 9)));
    Op b = NewOp(3, 1, Stamp{tb, 0}, key);
    b.writes.push_back(SetWrite(base, "school", "B" + std::to_string(rng() % 9)));

    RecordState x = base, y = base;
    x.Apply(a);
    x.Apply(b);
    y.Apply(b);
    y.Apply(a);
    ASSERT_EQ(x, y);
    ASSERT_TRUE(x.Field("school")->conflict()) << "seed " << seed;
    ASSERT_EQ(x.Conflicts(), std::vector<std::string>{"school"});
    ASSERT_EQ(x.Field("school")->values().size(), 2u);  // nothing silently dropped
    // Deterministic winner: higher stamp, then higher origin.
    const std::string expected =
        (OpId{{ta, 0}, 2} < OpId{{tb, 0}, 3}) ? b.writes[0].value : a.writes[0].value;
    ASSERT_EQ(x.Get("school"), expected);

    // Another concurrent write that saw only `a` keeps the conflict.
    RecordState only_a = base;
    only_a.Apply(a);
    Op c = NewOp(4, 1, Stamp{3000, 0}, key);
    c.writes.push_back(SetWrite(only_a, "school", "C"));
    RecordState z = x;
    z.Apply(c);
    ASSERT_TRUE(z.Field("school")->conflict());

    // A write that saw everything resolves it.
    Op r = NewOp(1, 2, Stamp{4000, 0}, key);
    r.writes.push_back(SetWrite(z, "school", "resolved"));
    z.Apply(r);
    ASSERT_FALSE(z.Field("school")->conflict());
    ASSERT_EQ(z.Get("school"), "resolved");
  }
}

// Brute-force oracle: a register value or set tag is live exactly when no op in the history
// supersedes it; a log entry is always kept. Checked against RecordState on every history.
TEST(RecordProperty, MatchesBruteForceOracle) {
  int conflicts = 0, deletes = 0, delete_conflicts = 0;
  for (uint64_t seed = 1; seed <= kSeeds; ++seed) {
    HistoryGenerator gen(seed ^ 0x9e3779b97f4a7c15ULL, 3, 2);
    std::vector<Op> ops = gen.Run(40);
    std::map<RecordKey, RecordState> states;
    for (const Op& op : ops) states[op.key].Apply(op);
    for (const auto& [key, state] : states) {
      // (field, id, key) triples that some op superseded.
      std::set<std::tuple<std::string, OpId, std::string>> superseded;
      for (const Op& op : ops) {
        if (op.key != key) continue;
        for (const FieldWrite& w : op.writes) {
          const bool keyed = w.kind == WriteKind::kAdd || w.kind == WriteKind::kRemove;
          for (const OpId& s : w.supersedes) superseded.emplace(w.field, s, keyed ? w.value : "");
        }
      }
      std::map<std::string, std::multiset<std::string>> want_values, want_elements;
      std::map<std::string, size_t> want_log;
      for (const Op& op : ops) {
        if (op.key != key) continue;
        for (const FieldWrite& w : op.writes) {
          if (w.kind == WriteKind::kSet && !superseded.count({w.field, op.id(), ""})) {
            want_values[w.field].insert(w.value);
          } else if (w.kind == WriteKind::kAdd && !superseded.count({w.field, op.id(), w.value})) {
            want_elements[w.field].insert(w.value);
          } else if (w.kind == WriteKind::kAppend) {
            ++want_log[w.field];
          }
        }
      }
      for (const auto& [name, field] : state.fields()) {
        std::multiset<std::string> got_values;
        for (const Entry* e : field.values()) got_values.insert(e->value);
        ASSERT_EQ(got_values, want_values[name]) << "seed " << seed << " field " << name;
        std::set<std::string> want_set(want_elements[name].begin(), want_elements[name].end());
        std::vector<std::string> got_set = field.Elements();
        ASSERT_EQ(std::set<std::string>(got_set.begin(), got_set.end()), want_set);
        ASSERT_EQ(field.LogEntries().size(), want_log[name]);
        ASSERT_EQ(field.conflict(), want_values[name].size() > 1);
        if (field.conflict()) ++conflicts;
      }
      if (state.deleted()) ++deletes;
      if (state.delete_conflict()) ++delete_conflicts;
    }
  }
  // The generator must actually exercise the interesting cases.
  EXPECT_GT(conflicts, 100);
  EXPECT_GT(deletes, 20);
  EXPECT_GT(delete_conflicts, 5);
}

}  // namespace
}  // namespace fulei::crdt
