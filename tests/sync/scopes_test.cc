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

// A town's office scope (programme/scope.h) is held by the town and the city, written by them,
// and neither held nor written by a village: what the town keeps there never goes down.
TEST(Scopes, OfficeScopeIsHeldByItsTownAndTheCityNeverByAVillage) {
  constexpr char kOffice[] = "jinjiang/cizao/~office";
  constexpr char kCityOffice[] = "jinjiang/~office";
  EXPECT_TRUE(Holds(kTown, kOffice));
  EXPECT_TRUE(Holds(kCity, kOffice));
  EXPECT_FALSE(Holds(kVillage, kOffice));
  EXPECT_FALSE(Holds("jinjiang/chidian", kOffice));
  EXPECT_TRUE(MayWrite(kTown, kOffice));
  EXPECT_TRUE(MayWrite(kCity, kOffice));
  EXPECT_FALSE(MayWrite(kVillage, kOffice));
  EXPECT_FALSE(MayWrite("jinjiang/chidian", kOffice));
  // The city's own office: the city only.
  EXPECT_TRUE(Holds(kCity, kCityOffice));
  EXPECT_FALSE(Holds(kTown, kCityOffice));
  EXPECT_FALSE(Holds(kVillage, kCityOffice));
  EXPECT_FALSE(MayWrite(kTown, kCityOffice));
  // A village's own records stay where its town and the city hold them.
  EXPECT_TRUE(Holds(kTown, kVillage));
  EXPECT_TRUE(Holds(kCity, kVillage));
}

TEST(Scopes, NoNodeIsAnOffice) {
  // '~' is never in a certificate's unit; a unit with one holds and writes nothing.
  EXPECT_FALSE(Holds("jinjiang/cizao/~office", "jinjiang/cizao/~office"));
  EXPECT_FALSE(Holds("jinjiang/cizao/~office", kTown));
  EXPECT_FALSE(MayWrite("jinjiang/cizao/~office", "jinjiang/cizao/~office"));
  EXPECT_FALSE(MayWrite("jinjiang/~office", "jinjiang/~office/x"));
}

// Urgent ops have a way down only towards scopes a node below may hold: the city's receipt on a
// town's office record goes down to the town; at the town it goes no further.
TEST(Scopes, HeldBelowLeavesOutTheNodesOwnOffice) {
  EXPECT_TRUE(HeldBelow(kTown, kVillage));
  EXPECT_TRUE(HeldBelow(kCity, kVillage));
  EXPECT_TRUE(HeldBelow(kCity, "jinjiang/cizao/~office"));
  EXPECT_FALSE(HeldBelow(kTown, "jinjiang/cizao/~office"));
  EXPECT_FALSE(HeldBelow(kCity, "jinjiang/~office"));
  EXPECT_FALSE(HeldBelow(kTown, kTown));
  EXPECT_FALSE(HeldBelow(kVillage, kTown));
  EXPECT_FALSE(HeldBelow(kTown, "jinjiang/chidian/v001"));
  EXPECT_FALSE(HeldBelow("", kVillage));
}

}  // namespace
}  // namespace fulei::sync
