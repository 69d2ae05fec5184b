#include "crdt/record.h"

#include <gtest/gtest.h>

namespace fulei::crdt {
namespace {

const RecordKey kKey{"jinjiang/cizao/v001", "child", "c1"};

Op MakeOp(NodeId origin, uint64_t seq, uint64_t ms, std::vector<FieldWrite> writes) {
  Op op;
  op.origin = origin;
  op.seq = seq;
  op.stamp = Stamp{ms, 0};
  op.author = "u1";
  op.key = kKey;
  op.writes = std::move(writes);
  return op;
}

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

TEST(Record, DecodeRejectsGarbage) {
  EXPECT_EQ(RecordState::Decode("").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(RecordState::Decode("12345678").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(RecordState::Decode("1234567").status().code(), StatusCode::kCorruption);
}

TEST(ValidateOp, RejectsBadShapes) {
  Op good = MakeOp(1, 1, 10, {AddWrite("tags", "x")});
  EXPECT_TRUE(ValidateOp(good).ok());

  Op op = good;
  op.origin = 0;
  EXPECT_EQ(ValidateOp(op).code(), StatusCode::kInvalidArgument);
  op = good;
  op.seq = 0;
  EXPECT_EQ(ValidateOp(op).code(), StatusCode::kInvalidArgument);
  op = good;
  op.key.scope = "";
  EXPECT_NE(ValidateOp(op).message().find("scope"), std::string::npos);
  op = good;
  op.key.id = "a|b";
  EXPECT_FALSE(ValidateOp(op).ok());
  op = good;
  op.writes.push_back(FieldWrite{"", WriteKind::kSet, "v", {}});
  EXPECT_FALSE(ValidateOp(op).ok());
  op = good;
  op.writes.push_back(FieldWrite{"tags", WriteKind::kSet, "v", {}});  // two kinds, one field
  EXPECT_FALSE(ValidateOp(op).ok());
  op = good;
  op.writes = {FieldWrite{"a", WriteKind::kSet, "1", {}},
               FieldWrite{"a", WriteKind::kSet, "2", {}}};
  EXPECT_FALSE(ValidateOp(op).ok());
  op = good;
  // Superseding the future (or itself) is refused: causality only points backwards.
  op.writes = {FieldWrite{"a", WriteKind::kSet, "1", {OpId{{10, 0}, 1}}}};
  EXPECT_FALSE(ValidateOp(op).ok());
  op.writes = {FieldWrite{"a", WriteKind::kSet, "1", {OpId{{11, 0}, 5}}}};
  EXPECT_FALSE(ValidateOp(op).ok());
  op.writes = {FieldWrite{"a", WriteKind::kSet, "1", {OpId{{9, 7}, 5}}}};
  EXPECT_TRUE(ValidateOp(op).ok());
  op = good;
  op.erased = true;
  EXPECT_FALSE(ValidateOp(op).ok());
  op = good;
  op.writes = {FieldWrite{"a", static_cast<WriteKind>(9), "1", {}}};
  EXPECT_FALSE(ValidateOp(op).ok());
  op = good;
  op.writes = {FieldWrite{"big", WriteKind::kSet, std::string(kMaxValueBytes + 1, 'x'), {}}};
  EXPECT_FALSE(ValidateOp(op).ok());
}

TEST(ValidateOp, OneKindPerFieldAndNoWriteTwice) {
  auto check = [](std::vector<FieldWrite> writes) {
    return ValidateOp(MakeOp(1, 1, 10, std::move(writes)));
  };
  auto w = [](std::string field, WriteKind kind, std::string value) {
    return FieldWrite{std::move(field), kind, std::move(value), {}};
  };
  // Allowed: distinct elements, an add and a remove of one element, a register set and clear of
  // other fields, writes to many fields in any order.
  EXPECT_TRUE(check({w("tags", WriteKind::kAdd, "a"), w("tags", WriteKind::kAdd, "b"),
                     w("tags", WriteKind::kRemove, "a"), w("note", WriteKind::kAppend, "x"),
                     w("name", WriteKind::kSet, "n"), w("phone", WriteKind::kRemove, "")})
                  .ok());
  Status s = check({w("tags", WriteKind::kAdd, "a"), w("x", WriteKind::kSet, "1"),
                    w("tags", WriteKind::kAppend, "b")});
  EXPECT_NE(s.message().find("'tags': written with two different kinds"), std::string::npos)
      << s.ToString();
  s = check({w("tags", WriteKind::kAdd, "a"), w("tags", WriteKind::kRemove, "b"),
             w("tags", WriteKind::kSet, "c")});  // a remove between the two kinds
  EXPECT_NE(s.message().find("two different kinds"), std::string::npos) << s.ToString();
  s = check({w("tags", WriteKind::kAdd, "a"), w("tags", WriteKind::kAdd, "a")});
  EXPECT_NE(s.message().find("'tags': written twice"), std::string::npos) << s.ToString();
  s = check({w("tags", WriteKind::kRemove, "a"), w("tags", WriteKind::kRemove, "a")});
  EXPECT_NE(s.message().find("written twice"), std::string::npos) << s.ToString();
  s = check({w("log", WriteKind::kAppend, "a"), w("log", WriteKind::kAppend, "b")});
  EXPECT_NE(s.message().find("'log': appended twice"), std::string::npos) << s.ToString();
  // The most writes an op may hold, all to distinct fields: valid (and checked by a sort, not a
  // scan per write); one more duplicate at the end is found.
  std::vector<FieldWrite> many;
  for (size_t i = 0; i < kMaxWritesPerOp - 1; ++i) {
    many.push_back(w("f" + std::to_string(i), WriteKind::kSet, "v"));
  }
  EXPECT_TRUE(check(many).ok());
  many.push_back(w("f17", WriteKind::kSet, "again"));
  EXPECT_NE(check(many).message().find("'f17': written twice"), std::string::npos);
}

}  // namespace
}  // namespace fulei::crdt
