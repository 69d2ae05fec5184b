// Who may write (write_policy.h): the role table for every record type, units and scopes, the
// caring parent's own pairings, validation, and the bilingual refusals.
#include "programme/write_policy.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/status_matchers.h"

namespace fulei::programme {
namespace {

const std::string kCity = "jinjiang";
const std::string kTown = "jinjiang/cizao";
const std::string kVillage = "jinjiang/cizao/v001";
const Date kToday{2026, 11, 29};

// Where the unit at `unit` keeps a record of `type`.
crdt::RecordKey KeyAt(std::string_view type, const std::string& unit) {
  return crdt::RecordKey{RecordScope(type, unit, LevelByDepth(unit)), std::string(type), "r-1"};
}

// Expected: which roles may write which types (the header's table).
struct Row {
  std::string_view type;
  bool director, supervisor, town_office, city_bureau, counsellor, caring_parent, auditor;
};
constexpr Row kTable[] = {
    {"child", true, true, true, true, false, false, false},
    {"guardian", true, true, true, true, false, false, false},
    {"helper", true, true, true, true, false, false, false},
    {"pairing", true, true, true, true, false, false, false},
    {"training", false, true, true, true, false, false, false},
    {"contact", true, true, true, true, false, true, false},
    {"activity", true, true, true, true, false, false, false},
    {"counselling", false, false, false, false, true, false, false},
    {"report", true, true, true, true, true, false, false},
    {"help_request", true, true, true, true, true, false, false},
    {"intervention", true, true, true, true, false, false, false},
    {"referral", true, true, true, true, false, false, false},
    {"patrol", true, true, true, true, false, false, false},
    {"organisation", false, true, true, true, false, false, false},
    {"meeting", false, true, true, true, false, false, false},
    {"transfer", true, true, true, true, false, false, false},
};

bool Expected(const Row& r, Role role) {
  switch (role) {
    case Role::kVillageDirector:
      return r.director;
    case Role::kTownSupervisor:
      return r.supervisor;
    case Role::kTownOffice:
      return r.town_office;
    case Role::kCityBureau:
      return r.city_bureau;
    case Role::kCounsellor:
      return r.counsellor;
    case Role::kCaringParent:
      return r.caring_parent;
    case Role::kAuditor:
      return r.auditor;
  }
  return false;
}

TEST(WritePolicyTest, RoleTableCoversEveryTypeAndRole) {
  // Types added to the schema after this table: never the auditor's, the counsellor's or a
  // caring parent's.
  for (const RecordTypeSpec& t : RecordTypes()) {
    for (Role role : {Role::kAuditor, Role::kCounsellor, Role::kCaringParent}) {
      bool listed = false;
      for (const Row& row : kTable) listed = listed || row.type == t.name;
      if (!listed) {
        EXPECT_FALSE(RoleMayWrite(role, t.name)) << RoleCode(role) << " " << t.name;
      }
    }
  }
  for (const Row& row : kTable) {
    ASSERT_NE(FindRecordType(row.type), nullptr) << row.type;
    for (Role role : AllRoles()) {
      EXPECT_EQ(RoleMayWrite(role, row.type), Expected(row, role))
          << RoleCode(role) << " " << row.type;
      // The key check agrees, for a writer at the village (or the town for town registries).
      const std::string unit =
          (row.type == "training" || row.type == "organisation" || row.type == "meeting")
              ? kTown
              : kVillage;
      const Status s = CheckWriteKey(Viewer{role, unit, "u-1"}, KeyAt(row.type, unit));
      if (Expected(row, role)) {
        EXPECT_TRUE(s.ok()) << RoleCode(role) << " " << row.type << ": " << s.message();
      } else {
        EXPECT_EQ(s.code(), StatusCode::kPermissionDenied) << RoleCode(role) << " " << row.type;
        EXPECT_NE(s.message().find(" / "), std::string::npos) << s.message();
        EXPECT_NE(s.message().find("无权填写"), std::string::npos) << s.message();
      }
    }
  }
  EXPECT_FALSE(RoleMayWrite(Role::kCityBureau, "kid"));
  EXPECT_EQ(CheckWriteKey(Viewer{Role::kCityBureau, kCity}, {kCity, "kid", "x"}).code(),
            StatusCode::kInvalidArgument);
}

TEST(WritePolicyTest, OnlyAtOrBelowTheWritersUnit) {
  const Viewer director{Role::kVillageDirector, kVillage, "u-d"};
  EXPECT_OK(CheckWriteKey(director, KeyAt("child", kVillage)));
  // Another village, the town above, a prefix that is not the unit.
  for (const std::string& unit :
       {std::string("jinjiang/cizao/v002"), kTown, std::string("jinjiang/cizao/v00")}) {
    const Status s = CheckWriteKey(director, KeyAt("child", unit));
    EXPECT_EQ(s.code(), StatusCode::kPermissionDenied) << unit;
    EXPECT_NE(s.message().find("无权填写其他单位"), std::string::npos) << s.message();
  }
  const Viewer town{Role::kTownOffice, kTown, "u-t"};
  EXPECT_OK(CheckWriteKey(town, KeyAt("child", kVillage)));
  EXPECT_OK(CheckWriteKey(town, KeyAt("child", kTown)));
  EXPECT_EQ(
      CheckWriteKey(Viewer{Role::kTownOffice, "jinjiang/chidian"}, KeyAt("child", kTown)).code(),
      StatusCode::kPermissionDenied);
  EXPECT_OK(CheckWriteKey(Viewer{Role::kCityBureau, kCity}, KeyAt("report", kVillage)));
  // Bound to no unit, or to an office scope: nothing.
  for (const std::string& unit : {std::string(), kTown + "/~office"}) {
    EXPECT_EQ(CheckWriteKey(Viewer{Role::kCityBureau, unit}, KeyAt("child", kTown)).code(),
              StatusCode::kPermissionDenied)
        << unit;
  }
}

TEST(WritePolicyTest, OfficeOnlyTypesOnlyInOfficeScopes) {
  const Viewer town{Role::kTownOffice, kTown, "u-t"};
  // A town's child belongs in its office scope, not at the town's own scope.
  const Status at_town = CheckWriteKey(town, {kTown, "child", "c-1"});
  EXPECT_EQ(at_town.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(at_town.message().find("jinjiang/cizao/~office"), std::string::npos);
  EXPECT_OK(CheckWriteKey(town, {kTown + "/~office", "child", "c-1"}));
  // A registry never in an office scope.
  EXPECT_EQ(CheckWriteKey(town, {kTown + "/~office", "helper", "h-1"}).code(),
            StatusCode::kInvalidArgument);
  EXPECT_OK(CheckWriteKey(town, {kTown, "helper", "h-1"}));
  // A village has no office scope.
  EXPECT_EQ(CheckWriteKey(town, {kVillage + "/~office", "child", "c-1"}).code(),
            StatusCode::kInvalidArgument);
  // The city the same.
  const Viewer city{Role::kCityBureau, kCity, "u-c"};
  EXPECT_EQ(CheckWriteKey(city, {kCity, "report", "r-1"}).code(), StatusCode::kInvalidArgument);
  EXPECT_OK(CheckWriteKey(city, {kCity + "/~office", "report", "r-1"}));
  // A context that knows levels otherwise: a two-segment unit that is a village.
  WriteContext ctx;
  ctx.level = [](std::string_view) { return UnitLevel::kVillage; };
  EXPECT_OK(CheckWriteKey(town, {kTown, "child", "c-1"}, ctx));
}

Fields Contact(std::string helper, std::string child) {
  return Fields{{"kind", {"talk"}},
                {"child", {std::move(child)}},
                {"helper", {std::move(helper)}},
                {"date", {"2026-11-20"}}};
}

TEST(WritePolicyTest, CaringParentWritesOnlyContactsOfTheirOwnPairings) {
  const Viewer parent{Role::kCaringParent, kVillage, "h-1"};
  WriteContext ctx;
  ctx.paired = [](std::string_view scope, std::string_view helper, std::string_view child) {
    return scope == "jinjiang/cizao/v001" && helper == "h-1" && child == "c-1";
  };
  const crdt::RecordKey key{kVillage, "contact", "k-1"};
  EXPECT_OK(CheckWrite(parent, key, Contact("h-1", "c-1"), kToday, ctx));
  // Another child, another helper's contact, no pairing known.
  for (const Fields& f : {Contact("h-1", "c-2"), Contact("h-2", "c-1")}) {
    const Status s = CheckWrite(parent, key, f, kToday, ctx);
    EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
    EXPECT_EQ(s.message(),
              "爱心家长只能填写自己结对儿童的联系记录 / a caring parent may write only contacts "
              "of their own pairings");
  }
  EXPECT_EQ(CheckWrite(parent, key, Contact("h-1", "c-1"), kToday).code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(CheckWrite(Viewer{Role::kCaringParent, kVillage}, key, Contact("", "c-1"), kToday, ctx)
                .code(),
            StatusCode::kPermissionDenied);
  // Nothing else: not the child's record, not a report, not a pairing, never a deletion.
  const Fields child{{"name", {"王小明"}}};
  EXPECT_EQ(CheckWrite(parent, {kVillage, "child", "c-1"}, child, kToday, ctx).code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(CheckWriteKey(parent, {kVillage, "pairing", "p-1"}, ctx).code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(CheckDelete(parent, key, ctx).code(), StatusCode::kPermissionDenied);
  // A stored "volunteer" is a caring parent.
  ASSERT_OK_AND_ASSIGN(Role legacy, ParseRole("volunteer"));
  EXPECT_EQ(legacy, Role::kCaringParent);
}

TEST(WritePolicyTest, ValidatesTheRecordAndSaysWhyInChineseThenEnglish) {
  const Viewer director{Role::kVillageDirector, kVillage, "u-d"};
  const crdt::RecordKey key{kVillage, "contact", "k-1"};
  EXPECT_OK(CheckWrite(director, key, Contact("h-1", "c-1"), kToday));
  Fields future = Contact("h-1", "c-1");
  future["date"] = {"2026-12-30"};
  const Status s = CheckWrite(director, key, future, kToday);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  const size_t slash = s.message().find(" / ");
  ASSERT_NE(slash, std::string::npos) << s.message();
  EXPECT_NE(s.message().find("日期"), std::string::npos);
  EXPECT_LT(s.message().find("日期"), slash);  // Chinese first
  EXPECT_NE(s.message().find("contact.date", slash), std::string::npos);
  Fields missing = Contact("h-1", "c-1");
  missing.erase("helper");
  EXPECT_EQ(CheckWrite(director, key, missing, kToday).code(), StatusCode::kInvalidArgument);
  // The role is checked before the content: an auditor's valid record is still refused.
  EXPECT_EQ(CheckWrite(Viewer{Role::kAuditor, kVillage}, key, Contact("h-1", "c-1"), kToday).code(),
            StatusCode::kPermissionDenied);
}

TEST(WritePolicyTest, CounsellorWritesCounselling) {
  const Fields session{{"child", {"c-1"}},
                       {"counsellor", {"h-9"}},
                       {"kind", {"guidance"}},
                       {"date", {"2026-11-28"}},
                       {"notes", {"谈话记录"}}};
  const crdt::RecordKey key = KeyAt("counselling", kTown);
  EXPECT_EQ(key.scope, kTown + "/~office");
  EXPECT_OK(CheckWrite(Viewer{Role::kCounsellor, kTown, "u-c"}, key, session, kToday));
  EXPECT_EQ(CheckWrite(Viewer{Role::kTownOffice, kTown, "u-t"}, key, session, kToday).code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(CheckWriteKey(Viewer{Role::kCounsellor, kTown}, KeyAt("child", kTown)).code(),
            StatusCode::kPermissionDenied);
}

crdt::FieldWrite Set(std::string field, std::string value) {
  return crdt::FieldWrite{std::move(field), crdt::WriteKind::kSet, std::move(value), {}};
}

TEST(WritePolicyTest, ChangesAreMergedWithTheStoredRecord) {
  const Viewer director{Role::kVillageDirector, kVillage, "u-d"};
  const crdt::RecordKey key{kVillage, "contact", "k-1"};
  const std::vector<crdt::FieldWrite> create{Set("kind", "talk"), Set("child", "c-1"),
                                             Set("helper", "h-1"), Set("date", "2026-11-20")};
  ASSERT_OK_AND_ASSIGN(crdt::RecordState stored,
                       CheckChange(director, key, std::nullopt, create, kToday));
  // Editing one field of the stored record: the whole record validates.
  const std::vector<crdt::FieldWrite> edit{Set("minutes", "30")};
  EXPECT_OK(CheckChange(director, key, stored, edit, kToday));
  // The same edit alone, with no record behind it, lacks the required fields.
  EXPECT_EQ(CheckChange(director, key, std::nullopt, edit, kToday).status().code(),
            StatusCode::kInvalidArgument);
  const std::vector<crdt::FieldWrite> bad{Set("kind", "letter")};
  EXPECT_EQ(CheckChange(director, key, stored, bad, kToday).status().code(),
            StatusCode::kInvalidArgument);
  // Reserved fields other than the deletion marker are refused; a deletion is a role check.
  EXPECT_EQ(
      CheckChange(director, key, stored, std::vector{Set("$owner", "x")}, kToday).status().code(),
      StatusCode::kInvalidArgument);
  const std::vector<crdt::FieldWrite> del{
      crdt::FieldWrite{std::string(crdt::kDeletedField), crdt::WriteKind::kAdd, "", {}}};
  EXPECT_OK(CheckChange(director, key, stored, del, kToday));
  EXPECT_EQ(CheckChange(Viewer{Role::kAuditor, kVillage}, key, stored, del, kToday).status().code(),
            StatusCode::kPermissionDenied);
}

// Assistance entries of a kind outside the closed list are refused at entry, saying why in
// Chinese and English; a pairing that holds one stored before the list was closed can still be
// edited.
TEST(WritePolicyTest, AssistanceOfAnUnknownKindIsRefusedOldEntriesStayEditable) {
  const Viewer director{Role::kVillageDirector, kVillage, "u-d"};
  const crdt::RecordKey key{kVillage, "pairing", "p-1"};
  const std::vector<crdt::FieldWrite> create{Set("helper", "h-1"), Set("child", "c-1"),
                                             Set("kind", "assistance"),
                                             Set("start_date", "2026-05-01")};
  ASSERT_OK_AND_ASSIGN(crdt::RecordState stored,
                       CheckChange(director, key, std::nullopt, create, kToday));
  const crdt::FieldWrite odd = crdt::AppendWrite("assistance", "2026-06-01\t书包\t20\t");
  const Status refused = CheckChange(director, key, stored, std::vector{odd}, kToday).status();
  ASSERT_EQ(refused.code(), StatusCode::kInvalidArgument);
  const size_t slash = refused.message().find(" / ");
  ASSERT_NE(slash, std::string::npos) << refused.message();
  EXPECT_LT(refused.message().find("帮扶类型“书包”不在帮扶类型清单中"), slash) << refused.message();
  EXPECT_NE(refused.message().find("assistance kind '书包' is not one of", slash),
            std::string::npos)
      << refused.message();
  EXPECT_OK(CheckChange(director, key, stored,
                        std::vector{crdt::AppendWrite("assistance", "2026-06-01\t物资\t\t书包")},
                        kToday));

  // An entry written before the list was closed (ProposeRecord does not validate): the pairing
  // still takes an end date, and a new entry of a known kind, but no new unknown one.
  ASSERT_OK_AND_ASSIGN(Proposed old, ProposeRecord(stored, key, std::vector{odd}));
  EXPECT_OK(
      CheckChange(director, key, old.state, std::vector{Set("end_date", "2026-11-01")}, kToday));
  EXPECT_OK(CheckChange(director, key, old.state,
                        std::vector{crdt::AppendWrite("assistance", "2026-07-01\tmoney\t50\t")},
                        kToday));
  EXPECT_EQ(CheckChange(director, key, old.state, std::vector{odd}, kToday).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace fulei::programme

// Issue 15's records: inspections, corrections and funds by the town office and the city bureau;
// facilities and posts also by the town's supervisor; nobody else.
namespace fulei::programme {
namespace {

TEST(WritePolicyTest, InspectionFundFacilityAndPostRoles) {
  struct NewRow {
    std::string_view type;
    bool director, supervisor, town_office, city_bureau;
  };
  constexpr NewRow kNew[] = {
      {"inspection", false, false, true, true}, {"correction", false, false, true, true},
      {"fund", false, false, true, true},       {"facility", false, true, true, true},
      {"staff_post", false, true, true, true},  {"legal_consultation", true, true, true, true},
  };
  for (const NewRow& r : kNew) {
    ASSERT_NE(FindRecordType(r.type), nullptr) << r.type;
    EXPECT_EQ(RoleMayWrite(Role::kVillageDirector, r.type), r.director) << r.type;
    EXPECT_EQ(RoleMayWrite(Role::kTownSupervisor, r.type), r.supervisor) << r.type;
    EXPECT_EQ(RoleMayWrite(Role::kTownOffice, r.type), r.town_office) << r.type;
    EXPECT_EQ(RoleMayWrite(Role::kCityBureau, r.type), r.city_bureau) << r.type;
    for (Role role : {Role::kCounsellor, Role::kCaringParent, Role::kAuditor}) {
      EXPECT_FALSE(RoleMayWrite(role, r.type)) << RoleCode(role) << " " << r.type;
    }
  }
  // The city inspects a village (its record lives at the city, a registry) and a town office
  // its own villages, not another town's.
  const Viewer city{Role::kCityBureau, "jinjiang", "u-c"};
  EXPECT_OK(CheckWriteKey(city, {"jinjiang", "inspection", "i-1"}));
  const Viewer town{Role::kTownOffice, "jinjiang/cizao", "u-t"};
  EXPECT_OK(CheckWriteKey(town, {"jinjiang/cizao", "inspection", "i-2"}));
  EXPECT_EQ(CheckWriteKey(town, {"jinjiang/anhai", "inspection", "i-3"}).code(),
            StatusCode::kPermissionDenied);
  // Funds are office records: a town's live in its office scope.
  EXPECT_OK(CheckWriteKey(town, {"jinjiang/cizao/~office", "fund", "f-1"}));
  EXPECT_EQ(CheckWriteKey(town, {"jinjiang/cizao", "fund", "f-2"}).code(),
            StatusCode::kInvalidArgument);
  const Status refused = CheckWriteKey(Viewer{Role::kVillageDirector, "jinjiang/cizao/v001", "u-d"},
                                       {"jinjiang/cizao/v001", "fund", "f-3"});
  EXPECT_EQ(refused.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(refused.message().find("无权填写专项资金记录"), std::string::npos) << refused.message();
}

// The unit a record is about lies at or below the unit holding it: a town office inspects its
// own villages, and may not file an inspection of another town's village in its own scope.
TEST(WritePolicyTest, RecordAboutAUnitNamesOneAtOrBelowItsHolder) {
  const Viewer town{Role::kTownOffice, "jinjiang/cizao", "u-t"};
  auto inspection = [](std::string unit) {
    return Fields{{"unit", {std::move(unit)}},
                  {"date", {"2026-11-20"}},
                  {"inspectors", {"督查组"}},
                  {"findings", {"台账齐全"}}};
  };
  const crdt::RecordKey key{"jinjiang/cizao", "inspection", "i-1"};
  EXPECT_OK(CheckWrite(town, key, inspection("jinjiang/cizao/v001"), kToday));
  EXPECT_OK(CheckWrite(town, key, inspection("jinjiang/cizao"), kToday));
  const Status other = CheckWrite(town, key, inspection("jinjiang/anhai/v001"), kToday);
  EXPECT_EQ(other.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(other.message().find("jinjiang/anhai/v001"), std::string::npos) << other.message();
  EXPECT_EQ(CheckWrite(town, key, inspection("jinjiang"), kToday).code(),
            StatusCode::kPermissionDenied);
  // The city's inspection of a village is held at the city.
  const Viewer city{Role::kCityBureau, "jinjiang", "u-c"};
  EXPECT_OK(CheckWrite(city, {"jinjiang", "inspection", "i-2"}, inspection("jinjiang/anhai/v001"),
                       kToday));
}

}  // namespace
}  // namespace fulei::programme
