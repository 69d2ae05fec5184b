// Transfer through real CRDT record states: the plan's writes, applied as ops, re-home the child
// and its history and leave a redirect; the aggregation indexer follows the move.
#include "programme/transfer.h"

#include <gtest/gtest.h>

#include "programme/aggregate.h"
#include "programme/memory_index.h"
#include "programme/validate.h"
#include "tests/support/status_matchers.h"

namespace fulei::programme {
namespace {

class OpMaker {
 public:
  crdt::Op Make(const crdt::RecordKey& key, std::vector<crdt::FieldWrite> writes,
                crdt::NodeId origin = 7) {
    crdt::Op op;
    op.origin = origin;
    op.seq = ++seq_[{origin, key.scope}];
    op.stamp = crdt::Stamp{++ms_, 0};
    op.author = "u-director";
    op.key = key;
    op.writes = std::move(writes);
    return op;
  }
  // Applies to the state map and runs the aggregation indexer as the store would.
  void Apply(std::map<crdt::RecordKey, crdt::RecordState>& db, MemoryIndex& idx,
             const crdt::RecordKey& key, std::vector<crdt::FieldWrite> writes,
             crdt::NodeId origin = 7) {
    crdt::Op op = Make(key, std::move(writes), origin);
    Status valid = crdt::ValidateOp(op);
    ASSERT_OK(valid);
    auto it = db.find(key);
    std::optional<crdt::RecordState> before;
    if (it != db.end()) before = it->second;
    crdt::RecordState& s = db[key];
    s.Apply(op);
    AggregateIndexer indexer;
    ASSERT_OK(indexer.OnChange(key, before ? &*before : nullptr, s, idx));
  }

 private:
  std::map<std::pair<crdt::NodeId, std::string>, uint64_t> seq_;
  uint64_t ms_ = 1'764'000'000'000;
};

crdt::FieldWrite Set(std::string f, std::string v) {
  return crdt::FieldWrite{std::move(f), crdt::WriteKind::kSet, std::move(v), {}};
}

const std::string kOld = "jinjiang/cizao/v001";
const std::string kNew = "jinjiang/chidian/v004";
const Date kToday{2026, 11, 29};

class TransferTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_.Apply(db_, idx_, child_,
             {Set("name", "王小明"), Set("gender", "male"), Set("birth_date", "2015-03-12"),
              Set("id_number", "350582201503121238"), Set("category", "left_behind"),
              Set("consent_on", "2025-01-01"), crdt::AddWrite("living_support", "education_aid"),
              crdt::AddWrite("living_support", "medical_assistance")});
    m_.Apply(db_, idx_, pairing_,
             {Set("helper", "h1"), Set("child", "c1"), Set("kind", "family_care"),
              Set("start_date", "2026-01-01"),
              crdt::AppendWrite("assistance", "2026-02-01\tgoods\t\t书包")});
    m_.Apply(db_, idx_, pairing_,
             {crdt::AppendWrite("assistance", "2026-06-01\tmoney\t200\t学费")});
    m_.Apply(db_, idx_, contact_,
             {Set("kind", "talk"), Set("child", "c1"), Set("helper", "h1"),
              Set("date", "2026-11-03"), Set("notes", "谈学习")});
  }

  TransferRequest Request() {
    return TransferRequest{
        RecordRef{child_, &db_.at(child_)},
        {RecordRef{pairing_, &db_.at(pairing_)}, RecordRef{contact_, &db_.at(contact_)}},
        kNew,
        "t-0001",
        kToday,
        "随父母迁居"};
  }

  OpMaker m_;
  std::map<crdt::RecordKey, crdt::RecordState> db_;
  MemoryIndex idx_;
  crdt::RecordKey child_{kOld, "child", "c1"};
  crdt::RecordKey pairing_{kOld, "pairing", "p1"};
  crdt::RecordKey contact_{kOld, "contact", "k1"};
};

TEST_F(TransferTest, RehomesChildAndHistoryAndLeavesARedirect) {
  const Fields old_child = *ReadFields(db_.at(child_));
  const Fields old_pairing = *ReadFields(db_.at(pairing_));
  const Fields old_contact = *ReadFields(db_.at(contact_));
  auto plan = PlanTransfer(Request());
  ASSERT_OK(plan);
  // child, pairing (2 ops: two log entries), contact, transfer record, redirect, 2 deletes
  ASSERT_EQ(plan->size(), 8u);
  for (const PlannedChange& c : *plan) m_.Apply(db_, idx_, c.key, c.writes);

  Fields expected_child = old_child;
  expected_child["moved_from"] = {kOld};
  EXPECT_EQ(*ReadFields(db_.at({kNew, "child", "c1"})), expected_child);
  EXPECT_EQ(*ReadFields(db_.at({kNew, "pairing", "p1"})), old_pairing);
  EXPECT_EQ(All(*ReadFields(db_.at({kNew, "pairing", "p1"})), "assistance").size(), 2u);
  EXPECT_EQ(*ReadFields(db_.at({kNew, "contact", "k1"})), old_contact);
  // The redirect holds nothing personal.
  const Fields redirect = *ReadFields(db_.at(child_));
  EXPECT_EQ(redirect, (Fields{{"moved_to", {kNew}}, {"programme_status", {"transferred"}}}));
  EXPECT_TRUE(db_.at(pairing_).deleted());
  EXPECT_TRUE(db_.at(contact_).deleted());
  // Every written record still validates.
  EXPECT_OK(ValidateRecord("child", expected_child, kToday));
  Status t = ValidateRecord("transfer", *ReadFields(db_.at({kNew, "transfer", "t-0001"})), kToday);
  EXPECT_OK(t);

  // The counters moved with the child: same city total, old village empty, new village has it.
  auto city = ReadDashboard(idx_, "jinjiang", kToday, 0);
  EXPECT_EQ(city->children, 1);
  EXPECT_EQ(city->family_care_children, 1);
  EXPECT_EQ(city->talked_this_month, 1);
  EXPECT_EQ(ReadDashboard(idx_, kOld, kToday, 0)->children, 0);
  EXPECT_EQ(ReadDashboard(idx_, "jinjiang/cizao", kToday, 0)->family_care_children, 0);
  EXPECT_EQ(ReadDashboard(idx_, kNew, kToday, 0)->children, 1);
  EXPECT_EQ(ReadDashboard(idx_, kNew, kToday, 0)->talked_this_month, 1);

  // A second transfer of the redirect is refused.
  auto again = PlanTransfer(TransferRequest{
      RecordRef{child_, &db_.at(child_)}, {}, "jinjiang/anhai/v001", "t-0002", kToday, ""});
  EXPECT_EQ(again.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(TransferTest, RefusedWhileAConflictIsOpen) {
  // Two nodes set the name concurrently (neither saw the other).
  const crdt::RecordState snapshot = db_.at(child_);
  m_.Apply(db_, idx_, child_, {crdt::SetWrite(snapshot, "name", "王晓明")}, 7);
  m_.Apply(db_, idx_, child_, {crdt::SetWrite(snapshot, "name", "王小鸣")}, 9);
  ASSERT_FALSE(db_.at(child_).Conflicts().empty());
  auto plan = PlanTransfer(Request());
  EXPECT_EQ(plan.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(plan.status().message().find("conflict in field name"), std::string::npos);
}

TEST_F(TransferTest, RejectsBadTargets) {
  TransferRequest r = Request();
  r.to_scope = kOld;
  EXPECT_EQ(PlanTransfer(r).status().code(), StatusCode::kInvalidArgument);
  r.to_scope = "Jinjiang//x";
  EXPECT_EQ(PlanTransfer(r).status().code(), StatusCode::kInvalidArgument);
  r = Request();
  r.history[0].key.scope = "jinjiang/cizao/v002";
  EXPECT_EQ(PlanTransfer(r).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace fulei::programme
