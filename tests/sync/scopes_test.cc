// Which scopes a node holds and which an origin may write (sync/scopes.h).
#include "sync/scopes.h"

#include <gtest/gtest.h>

namespace fulei::sync {
namespace {

constexpr char kCity[] = "jinjiang";
constexpr char kTown[] = "jinjiang/cizao";
constexpr char kVillage[] = "jinjiang/cizao/v012";

TEST(Scopes, HoldsAndMayWrite) {
  EXPECT_TRUE(Holds(kVillage, kVillage));
  EXPECT_TRUE(Holds(kVillage, kTown));  // an ancestor's own registry
  EXPECT_TRUE(Holds(kVillage, kCity));
  EXPECT_FALSE(Holds(kVillage, "jinjiang/cizao/v013"));  // a sibling
  EXPECT_FALSE(Holds(kVillage, "jinjiang/chidian"));
  EXPECT_TRUE(Holds(kTown, kVillage));
  EXPECT_FALSE(Holds("jinjiang/ciza", kVillage));  // prefix of a name is not a parent
  EXPECT_TRUE(MayWrite(kTown, kVillage));
  EXPECT_TRUE(MayWrite(kVillage, kVillage));
  EXPECT_FALSE(MayWrite(kVillage, kTown));
  EXPECT_FALSE(MayWrite(kVillage, "jinjiang/cizao/v013"));
  EXPECT_FALSE(MayWrite("jinjiang/chidian", kVillage));
}

TEST(Scopes, AnEmptyUnitHoldsAndMayWriteNothing) {
  EXPECT_FALSE(Holds("", kVillage));
  EXPECT_FALSE(Holds(kVillage, ""));
  EXPECT_FALSE(Holds("", ""));
  EXPECT_FALSE(MayWrite("", kVillage));
  EXPECT_FALSE(MayWrite("", ""));
}

}  // namespace
}  // namespace fulei::sync
