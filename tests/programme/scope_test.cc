// Where records live (programme/scope.h): a town's or the city's own records about a child, a
// family or a case go to its office scope; registries and a village's records stay in the
// unit's own scope.
#include "programme/scope.h"

#include <gtest/gtest.h>

#include "programme/schema.h"

namespace fulei::programme {
namespace {

constexpr char kCity[] = "jinjiang";
constexpr char kTown[] = "jinjiang/cizao";
constexpr char kVillage[] = "jinjiang/cizao/v012";

TEST(ScopeTest, TownAndCityCaseRecordsGoToTheOffice) {
  for (std::string_view type : {kChild, kGuardian, kPairing, kContact, kCounselling, kReport,
                                kHelpRequest, kIntervention, kReferral, kPatrol, kTransfer}) {
    EXPECT_TRUE(IsOfficeOnlyType(type)) << type;
    EXPECT_EQ(RecordScope(type, kTown, UnitLevel::kTown), "jinjiang/cizao/~office") << type;
    EXPECT_EQ(RecordScope(type, kCity, UnitLevel::kCity), "jinjiang/~office") << type;
    EXPECT_EQ(RecordScope(type, kVillage, UnitLevel::kVillage), kVillage) << type;
  }
}

TEST(ScopeTest, RegistriesStayWhereTheUnitsBelowReadThem) {
  for (std::string_view type : {kHelper, kTraining, kActivity, kOrganisation, kMeeting}) {
    EXPECT_FALSE(IsOfficeOnlyType(type)) << type;
    EXPECT_EQ(RecordScope(type, kTown, UnitLevel::kTown), kTown) << type;
    EXPECT_EQ(RecordScope(type, kCity, UnitLevel::kCity), kCity) << type;
  }
  // Every type of the schema is one or the other; an unknown type is kept in the office.
  for (const RecordTypeSpec& t : RecordTypes()) {
    EXPECT_EQ(IsOfficeOnlyType(t.name), t.office_only) << t.name;
  }
  EXPECT_TRUE(IsOfficeOnlyType("kid"));
  EXPECT_EQ(RecordScope("kid", kTown, UnitLevel::kTown), "jinjiang/cizao/~office");
}

TEST(ScopeTest, OfficeScopesAndTheirOwners) {
  EXPECT_EQ(OfficeScope(kTown), "jinjiang/cizao/~office");
  EXPECT_TRUE(IsOfficeScope("jinjiang/cizao/~office"));
  EXPECT_TRUE(IsOfficeScope("jinjiang/~office"));
  EXPECT_FALSE(IsOfficeScope("~office"));
  EXPECT_FALSE(IsOfficeScope("/~office"));
  EXPECT_FALSE(IsOfficeScope("jinjiang/cizao/x~office"));
  EXPECT_FALSE(IsOfficeScope(kTown));
  EXPECT_EQ(OwnerUnit("jinjiang/cizao/~office"), kTown);
  EXPECT_EQ(OwnerUnit(kVillage), kVillage);
  EXPECT_EQ(OwnerUnit("jinjiang/cizao/x~office"), "jinjiang/cizao/x~office");
}

}  // namespace
}  // namespace fulei::programme
