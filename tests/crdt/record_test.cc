#include "crdt/record.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/crdt/make_op.h"

namespace fulei::crdt {
namespace {

using testing::MakeOp;

TEST(Record, RegisterSetAndOverwrite) {
  RecordState s;
  s.Apply(MakeOp(1, 1, 10, {SetWrite(s, "name", "张三")}));
  EXPECT_EQ(s.Get("name"), "张三");
  s.Apply(MakeOp(1, 2, 11, {SetWrite(s, "name", "张小三")}));
  EXPECT_EQ(s.Get("name"), "张小三");
  EXPECT_FALSE(s.Field("name")->conflict());
  EXPECT_EQ(s.Field("name")->tombstones().size(), 1u);
  EXPECT_EQ(s.created(), (OpId{{10, 0}, 1}));
  EXPECT_EQ(s.updated(), (OpId{{11, 0}, 1}));
}

TEST(Record, SupersedingOpArrivingFirstKeepsTheOldValueDead) {
  RecordState writer;
  Op a = MakeOp(1, 1, 10, {SetWrite(writer, "name", "old")});
  writer.Apply(a);
  Op b = MakeOp(2, 1, 20, {SetWrite(writer, "name", "new")});
  RecordState s;
  s.Apply(b);
  s.Apply(a);
  EXPECT_EQ(s.Get("name"), "new");
  EXPECT_FALSE(s.Field("name")->conflict());
}

TEST(Record, ClearRemovesRegisterValues) {
  RecordState s;
  s.Apply(MakeOp(1, 1, 10, {SetWrite(s, "school", "一中")}));
  s.Apply(MakeOp(1, 2, 11, {ClearWrite(s, "school")}));
  EXPECT_EQ(s.Get("school"), std::nullopt);
  EXPECT_TRUE(s.Field("school")->empty());
}

TEST(Record, ObservedRemoveSetKeepsConcurrentAdd) {
  RecordState s;
  s.Apply(MakeOp(1, 1, 10, {AddWrite("tags", "orphan")}));
  RecordState seen_by_remover = s;
  // Replica 2 adds the same element concurrently with replica 1's removal.
  s.Apply(MakeOp(2, 1, 12, {AddWrite("tags", "orphan")}));
  auto remove = RemoveWrite(seen_by_remover, "tags", "orphan");
  ASSERT_TRUE(remove.has_value());
  s.Apply(MakeOp(1, 2, 13, {*remove}));
  EXPECT_EQ(s.Field("tags")->Elements(), std::vector<std::string>{"orphan"});
  EXPECT_EQ(s.Field("tags")->TagsOf("orphan").size(), 1u);
  // Removing what is seen now empties it.
  s.Apply(MakeOp(1, 3, 14, {*RemoveWrite(s, "tags", "orphan")}));
  EXPECT_TRUE(s.Field("tags")->Elements().empty());
  EXPECT_EQ(RemoveWrite(s, "tags", "orphan"), std::nullopt);
}

TEST(Record, RemovingOneElementLeavesTheOthersAddedByTheSameOp) {
  RecordState s;
  s.Apply(MakeOp(1, 1, 10, {AddWrite("members", "a"), AddWrite("members", "b")}));
  s.Apply(MakeOp(1, 2, 11, {*RemoveWrite(s, "members", "a")}));
  EXPECT_EQ(s.Field("members")->Elements(), std::vector<std::string>{"b"});
}

TEST(Record, LogIsAppendOnly) {
  RecordState s;
  s.Apply(MakeOp(2, 1, 20, {AppendWrite("receipts", "town 10:02:03")}));
  s.Apply(MakeOp(1, 1, 10, {AppendWrite("receipts", "village 10:02:01")}));
  s.Apply(MakeOp(1, 1, 10, {AppendWrite("receipts", "village 10:02:01")}));  // duplicate
  auto entries = s.Field("receipts")->LogEntries();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0]->value, "village 10:02:01");  // ordered by op id, not arrival
  EXPECT_EQ(entries[1]->value, "town 10:02:03");
}

TEST(Record, DeleteThenConcurrentEditIsFlaggedAndKeepsRecordAlive) {
  RecordState base;
  base.Apply(MakeOp(1, 1, 10, {SetWrite(base, "name", "李四")}));
  base.Apply(MakeOp(1, 2, 11, {AppendWrite("contacts", "talk")}));

  RecordState del = base;
  del.Apply(MakeOp(1, 3, 20, DeleteWrites(base)));
  EXPECT_TRUE(del.deleted());
  EXPECT_FALSE(del.delete_conflict());
  // History stays: the contact log entry is covered, not removed.
  ASSERT_EQ(del.Field("contacts")->LogEntries().size(), 1u);
  EXPECT_TRUE(del.Field("contacts")->Covered(*del.Field("contacts")->LogEntries()[0]));

  // A write that did not see the delete.
  Op edit = MakeOp(2, 1, 21, {SetWrite(base, "school", "二中")});
  RecordState merged = del;
  merged.Apply(edit);
  EXPECT_FALSE(merged.deleted());
  EXPECT_TRUE(merged.delete_conflict());
  EXPECT_EQ(merged.Get("school"), "二中");
  EXPECT_EQ(merged.Get("name"), std::nullopt);

  // Restoring clears the marker; the record is live and not in conflict any more.
  merged.Apply(MakeOp(1, 4, 30, RestoreWrites(merged)));
  EXPECT_FALSE(merged.deleted());
  EXPECT_FALSE(merged.delete_conflict());
}

TEST(Record, ErasedOpOnlyMovesTimestamps) {
  RecordState s;
  Op op = MakeOp(1, 1, 10, {});
  op.erased = true;
  s.Apply(op);
  EXPECT_TRUE(s.has_ops());
  EXPECT_TRUE(s.fields().empty());
}

}  // namespace
}  // namespace fulei::crdt
