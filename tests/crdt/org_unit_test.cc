// Org unit paths (crdt/org_unit.h): at or below compares whole segments, and the empty unit is
// the root of nothing.
#include "crdt/org_unit.h"

#include <gtest/gtest.h>

#include <string>

namespace fulei::crdt {
namespace {

TEST(OrgUnit, AChildIsBelowItsParent) {
  EXPECT_TRUE(IsAtOrBelow("a/b", "a"));
  EXPECT_TRUE(IsAtOrBelow("a/b/c", "a"));
  EXPECT_TRUE(IsAtOrBelow("jinjiang/cizao/v012", "jinjiang/cizao"));
  EXPECT_TRUE(IsBelow("a/b", "a"));
  EXPECT_TRUE(IsBelow("a/b/c", "a/b"));
  EXPECT_TRUE(IsBelow("jinjiang/cizao/v012", "jinjiang/cizao"));
}

TEST(OrgUnit, AUnitIsAtItselfButNotBelowItself) {
  EXPECT_TRUE(IsAtOrBelow("a", "a"));
  EXPECT_TRUE(IsAtOrBelow("jinjiang/cizao", "jinjiang/cizao"));
  EXPECT_FALSE(IsBelow("a", "a"));
  EXPECT_FALSE(IsBelow("jinjiang/cizao", "jinjiang/cizao"));
}

TEST(OrgUnit, ASharedPrefixIsNotASharedSegment) {
  EXPECT_FALSE(IsAtOrBelow("ab", "a"));
  EXPECT_FALSE(IsAtOrBelow("a/bc", "a/b"));
  EXPECT_FALSE(IsAtOrBelow("jinjiang/cizaox", "jinjiang/cizao"));
  EXPECT_FALSE(IsAtOrBelow("jinjiang/cizao2", "jinjiang/cizao"));
  EXPECT_FALSE(IsBelow("ab", "a"));
  EXPECT_FALSE(IsBelow("a/bc", "a/b"));
  EXPECT_FALSE(IsBelow("jinjiang/cizaox", "jinjiang/cizao"));
}

TEST(OrgUnit, AParentIsNotBelowItsChildNorASiblingBelowASibling) {
  EXPECT_FALSE(IsAtOrBelow("a", "a/b"));
  EXPECT_FALSE(IsAtOrBelow("jinjiang", "jinjiang/cizao"));
  EXPECT_FALSE(IsAtOrBelow("a/c", "a/b"));
  EXPECT_FALSE(IsBelow("a", "a/b"));
}

TEST(OrgUnit, TheEmptyUnitIsTheRootOfNothing) {
  EXPECT_FALSE(IsAtOrBelow("a", ""));
  EXPECT_FALSE(IsAtOrBelow("jinjiang", ""));
  EXPECT_FALSE(IsAtOrBelow("/a", ""));
  EXPECT_FALSE(IsAtOrBelow("", ""));
  EXPECT_FALSE(IsBelow("a", ""));
  EXPECT_FALSE(IsBelow("jinjiang", ""));
  EXPECT_FALSE(IsBelow("", ""));
}

TEST(OrgUnit, TheEmptyPathIsBelowNothing) {
  EXPECT_FALSE(IsAtOrBelow("", "a"));
  EXPECT_FALSE(IsBelow("", "a"));
}

TEST(OrgUnit, ParentIsOneLevelUp) {
  EXPECT_EQ(ParentUnit("a/b/c"), "a/b");
  EXPECT_EQ(ParentUnit("jinjiang/cizao/v012"), "jinjiang/cizao");
  EXPECT_EQ(ParentUnit("jinjiang"), "");  // a top-level unit has no parent
  EXPECT_EQ(ParentUnit(""), "");
  const std::string unit = "jinjiang/cizao/v012";
  EXPECT_TRUE(IsBelow(unit, ParentUnit(unit)));
}

}  // namespace
}  // namespace fulei::crdt
