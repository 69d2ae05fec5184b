// The store's key encodings: byte order is the order of the parts, and parsing refuses garbage.
#include "store/internal/keys.h"

#include <gtest/gtest.h>

#include "tests/support/status_matchers.h"

namespace fulei::store::internal {
namespace {

TEST(StoreKeys, EncodingsSortLikeTheirParts) {
  EXPECT_LT(OpKey("v01", 5, 9), OpKey("v012", 1, 1));  // a scope sorts before its extensions
  EXPECT_LT(OpKey("v01", 5, 9), OpKey("v01", 6, 1));   // then origin
  EXPECT_LT(OpKey("v01", 5, 9), OpKey("v01", 5, 10));  // then seq, numerically
  EXPECT_LT(OpKey("v01", 5, 255), OpKey("v01", 5, 256));
  EXPECT_LT(StateKey({"a/b", "child", "z"}), StateKey({"a/b/c", "child", "a"}));
  EXPECT_LT(StateKey({"z", "child", "z"}), StateKey({"a", "contact", "a"}));  // type first
  ASSERT_OK_AND_ASSIGN(crdt::RecordKey parsed, ParseStateKey(StateKey({"a/b", "child", "c-1"})));
  EXPECT_EQ(parsed, (crdt::RecordKey{"a/b", "child", "c-1"}));
  EXPECT_EQ(ParseOpKey("garbage").status().code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace fulei::store::internal
