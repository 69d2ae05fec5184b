// Op validation (crdt/op.cc): every shape an op must not have is refused with
// kInvalidArgument, before it reaches a record, a store or a signature check.
#include "crdt/op.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crdt/record.h"
#include "tests/crdt/make_op.h"
#include "tests/support/status_matchers.h"

namespace fulei::crdt {
namespace {

using testing::MakeOp;

TEST(ValidateOp, RejectsBadShapes) {
  Op good = MakeOp(1, 1, 10, {AddWrite("tags", "x")});
  EXPECT_OK(ValidateOp(good));

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
  EXPECT_EQ(ValidateOp(op).code(), StatusCode::kInvalidArgument);
  op = good;
  op.writes.push_back(FieldWrite{"", WriteKind::kSet, "v", {}});
  EXPECT_EQ(ValidateOp(op).code(), StatusCode::kInvalidArgument);
  op = good;
  op.writes.push_back(FieldWrite{"tags", WriteKind::kSet, "v", {}});  // two kinds, one field
  EXPECT_EQ(ValidateOp(op).code(), StatusCode::kInvalidArgument);
  op = good;
  op.writes = {FieldWrite{"a", WriteKind::kSet, "1", {}},
               FieldWrite{"a", WriteKind::kSet, "2", {}}};
  EXPECT_EQ(ValidateOp(op).code(), StatusCode::kInvalidArgument);
  op = good;
  // Superseding the future (or itself) is refused: causality only points backwards.
  op.writes = {FieldWrite{"a", WriteKind::kSet, "1", {OpId{{10, 0}, 1}}}};
  EXPECT_EQ(ValidateOp(op).code(), StatusCode::kInvalidArgument);
  op.writes = {FieldWrite{"a", WriteKind::kSet, "1", {OpId{{11, 0}, 5}}}};
  EXPECT_EQ(ValidateOp(op).code(), StatusCode::kInvalidArgument);
  op.writes = {FieldWrite{"a", WriteKind::kSet, "1", {OpId{{9, 7}, 5}}}};
  EXPECT_OK(ValidateOp(op));
  op = good;
  op.erased = true;
  EXPECT_EQ(ValidateOp(op).code(), StatusCode::kInvalidArgument);
  op = good;
  op.erasure = "an erasure authorisation on an op that is not erased";
  EXPECT_EQ(ValidateOp(op).code(), StatusCode::kInvalidArgument);
  op.writes.clear();
  op.erased = true;
  EXPECT_OK(ValidateOp(op));
  op.erasure.assign(kMaxErasureBytes + 1, 'x');
  EXPECT_EQ(ValidateOp(op).code(), StatusCode::kInvalidArgument);
  op = good;
  op.writes = {FieldWrite{"a", static_cast<WriteKind>(9), "1", {}}};
  EXPECT_EQ(ValidateOp(op).code(), StatusCode::kInvalidArgument);
  op = good;
  op.writes = {FieldWrite{"big", WriteKind::kSet, std::string(kMaxValueBytes + 1, 'x'), {}}};
  EXPECT_EQ(ValidateOp(op).code(), StatusCode::kInvalidArgument);
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
  EXPECT_OK(check({w("tags", WriteKind::kAdd, "a"), w("tags", WriteKind::kAdd, "b"),
                   w("tags", WriteKind::kRemove, "a"), w("note", WriteKind::kAppend, "x"),
                   w("name", WriteKind::kSet, "n"), w("phone", WriteKind::kRemove, "")}));
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
  EXPECT_OK(check(many));
  many.push_back(w("f17", WriteKind::kSet, "again"));
  EXPECT_NE(check(many).message().find("'f17': written twice"), std::string::npos);
}

}  // namespace
}  // namespace fulei::crdt
