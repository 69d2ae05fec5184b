// Visibility by role (redact.h): the reporter's identity only for the town supervisor and the
// city bureau over the case, and the director of the unit where it was filed; case content for
// case handlers; auditors see the process, caring parents (爱心家长) no case at all and only their
// own pairings, counsellors counselling records whole and no other case.
#include "programme/redact.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string_view>
#include <vector>

#include "tests/support/status_matchers.h"

namespace fulei::programme {
namespace {

const std::string kVillage = "jinjiang/cizao/v001";

Fields Report() {
  return Fields{
      {"harm", {"abuse"}},
      {"child", {"c-0001"}},
      {"reporter_role", {"teacher"}},
      {"reporter_name", {"李老师"}},
      {"reporter_org", {"磁灶镇中心小学"}},
      {"reporter_phone", {"13800000000"}},
      {"reported_at", {"2026-11-29T01:40:00Z"}},
      {"description", {"身上多处淤青"}},
      {"location", {"某村"}},
      {"police_informed", {"yes"}},
      {"police_reported_at", {"2026-11-29T01:35:00Z"}},
      {"police_reported_by", {"李老师"}},
      {"police_receipt_no", {"J123"}},
      {"acks", {"2026-11-29T01:45:00Z\tu-7\tjinjiang/cizao"}},
      {"escalated_at", {"2026-11-29T02:10:00Z"}},
      {"nickname", {"not in the schema"}},
  };
}

const char* kIdentity[] = {"reporter_name", "reporter_org", "reporter_phone", "police_reported_by"};
const char* kContent[] = {"harm", "description", "location", "police_receipt_no"};
const char* kProcess[] = {
    "reported_at",  "reporter_role", "police_informed", "police_reported_at", "acks",
    "escalated_at", "child"};

Redacted See(Role role, std::string unit, std::string_view type = "report",
             const Fields& f = Report(), std::string_view scope = kVillage) {
  auto r = RedactRecord(type, scope, f, Viewer{role, std::move(unit)});
  EXPECT_OK(r);
  return r.ok() ? *r : Redacted{};
}

bool Has(const Redacted& r, const char* field) { return r.fields.count(field) > 0; }
bool Hidden(const Redacted& r, const char* field) {
  return std::find(r.hidden.begin(), r.hidden.end(), field) != r.hidden.end();
}

void ExpectSees(const Redacted& r, bool identity, bool content) {
  for (const char* f : kIdentity) {
    EXPECT_EQ(Has(r, f), identity) << f;
    EXPECT_EQ(Hidden(r, f), !identity) << f;
  }
  for (const char* f : kContent) EXPECT_EQ(Has(r, f), content) << f;
  for (const char* f : kProcess) EXPECT_TRUE(Has(r, f)) << f;
  EXPECT_TRUE(Hidden(r, "nickname"));  // not in the schema: never shown
}

TEST(RedactTest, VillageDirectorOfTheFilingUnitSeesAll) {
  ExpectSees(See(Role::kVillageDirector, kVillage), true, true);
}

TEST(RedactTest, TownSupervisorSeesAllOfItsTownOnly) {
  ExpectSees(See(Role::kTownSupervisor, "jinjiang/cizao"), true, true);
  auto other =
      RedactRecord("report", kVillage, Report(), Viewer{Role::kTownSupervisor, "jinjiang/chidian"});
  EXPECT_EQ(other.status().code(), StatusCode::kPermissionDenied);
  // A prefix that is not an ancestor ("jinjiang/ciz") is not the town.
  auto prefix =
      RedactRecord("report", kVillage, Report(), Viewer{Role::kTownSupervisor, "jinjiang/ciz"});
  EXPECT_EQ(prefix.status().code(), StatusCode::kPermissionDenied);
}

TEST(RedactTest, TownOfficeActsWithoutTheReportersIdentity) {
  ExpectSees(See(Role::kTownOffice, "jinjiang/cizao"), false, true);
}

TEST(RedactTest, CityBureauSeesAll) { ExpectSees(See(Role::kCityBureau, "jinjiang"), true, true); }

TEST(RedactTest, AuditorSeesTheProcessOnly) {
  const Redacted r = See(Role::kAuditor, "jinjiang");
  ExpectSees(r, false, false);
  EXPECT_TRUE(Hidden(r, "harm"));
  EXPECT_TRUE(Hidden(r, "description"));
}

TEST(RedactTest, CaringParentsAndOtherUnitsAreDenied) {
  for (const char* type : {"report", "help_request", "intervention", "referral", "counselling"}) {
    auto r = RedactRecord(type, kVillage, {}, Viewer{Role::kCaringParent, kVillage, "h-1"}, true);
    EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied) << type;
    EXPECT_NE(r.status().message().find("爱心家长"), std::string::npos);
  }
  auto other = RedactRecord("report", kVillage, Report(),
                            Viewer{Role::kVillageDirector, "jinjiang/cizao/v002"});
  EXPECT_EQ(other.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(other.status().message().find(" | "), std::string::npos);
  // A director bound (wrongly) to the town sees the case but not who reported it.
  ExpectSees(See(Role::kVillageDirector, "jinjiang/cizao"), false, true);
  // Case records of an ancestor's scope are not shown below it.
  auto up =
      RedactRecord("report", "jinjiang/cizao", Report(), Viewer{Role::kVillageDirector, kVillage});
  EXPECT_EQ(up.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(
      RedactRecord("kid", kVillage, {}, Viewer{Role::kCityBureau, "jinjiang"}).status().code(),
      StatusCode::kInvalidArgument);
}

TEST(RedactTest, HelpRequestRequesterIdentity) {
  const Fields h{{"channel", {"hotline"}},       {"requester", {"neighbour"}},
                 {"requester_name", {"陈阿姨"}}, {"requester_phone", {"13900000000"}},
                 {"need", {"safety"}},           {"reported_at", {"2026-11-29T01:40:00Z"}}};
  for (Role role : {Role::kTownSupervisor, Role::kCityBureau}) {
    const Redacted r =
        See(role, role == Role::kCityBureau ? "jinjiang" : "jinjiang/cizao", "help_request", h);
    EXPECT_TRUE(Has(r, "requester_name")) << RoleCode(role);
  }
  const Redacted office = See(Role::kTownOffice, "jinjiang/cizao", "help_request", h);
  EXPECT_FALSE(Has(office, "requester_name"));
  EXPECT_FALSE(Has(office, "requester_phone"));
  EXPECT_TRUE(Has(office, "need"));
  EXPECT_TRUE(Has(office, "requester"));
  const Redacted audit = See(Role::kAuditor, "jinjiang/cizao", "help_request", h);
  EXPECT_FALSE(Has(audit, "need"));
  EXPECT_TRUE(Has(audit, "channel"));
}

TEST(RedactTest, RegistriesOfAncestorsAndVolunteersOnOrdinaryRecords) {
  const Fields helper{{"name", {"李老师"}}, {"kind", {"teacher"}}, {"phone", {"13800000000"}}};
  // A town's helper registry, read in a village: handlers see contact details, others not.
  const Redacted dir = See(Role::kVillageDirector, kVillage, "helper", helper, "jinjiang/cizao");
  EXPECT_TRUE(Has(dir, "name"));
  EXPECT_TRUE(Has(dir, "phone"));
  const Redacted aud = See(Role::kAuditor, kVillage, "helper", helper, "jinjiang/cizao");
  EXPECT_TRUE(Has(aud, "kind"));
  EXPECT_FALSE(Has(aud, "name"));
  EXPECT_FALSE(Has(aud, "phone"));
  // A caring parent reads no registry.
  EXPECT_EQ(
      MaySeeRecord("helper", "jinjiang/cizao", Viewer{Role::kCaringParent, kVillage, "h-1"}).code(),
      StatusCode::kPermissionDenied);
}

// A town's own child and guardian records belong in its office scope (scope.h), which no village
// holds; wherever they were written, a viewer below the town never sees them, while the town's
// registries stay readable there.
TEST(RedactTest, OfficeOnlyRecordsOfAnAncestorAreNeverShownBelowIt) {
  const Fields child{{"name", {"王小明"}}, {"gender", {"male"}}, {"category", {"orphan"}}};
  const Fields guardian{{"name", {"王阿嬷"}}, {"relation", {"grandparent"}}};
  for (const char* scope :
       {"jinjiang/cizao", "jinjiang/cizao/~office", "jinjiang", "jinjiang/~office"}) {
    for (Role role : {Role::kVillageDirector, Role::kCaringParent, Role::kAuditor}) {
      EXPECT_EQ(RedactRecord("child", scope, child, Viewer{role, kVillage}).status().code(),
                StatusCode::kPermissionDenied)
          << scope << " " << RoleCode(role);
      EXPECT_EQ(RedactRecord("guardian", scope, guardian, Viewer{role, kVillage}).status().code(),
                StatusCode::kPermissionDenied)
          << scope << " " << RoleCode(role);
      EXPECT_EQ(MaySeeRecord("pairing", scope, Viewer{role, kVillage}).code(),
                StatusCode::kPermissionDenied);
    }
  }
  // The town's own staff and the city see the town's office records.
  const Redacted town =
      See(Role::kTownOffice, "jinjiang/cizao", "child", child, "jinjiang/cizao/~office");
  EXPECT_TRUE(Has(town, "name"));
  const Redacted city =
      See(Role::kCityBureau, "jinjiang", "child", child, "jinjiang/cizao/~office");
  EXPECT_TRUE(Has(city, "name"));
  EXPECT_EQ(RedactRecord("child", "jinjiang/cizao/~office", child,
                         Viewer{Role::kTownOffice, "jinjiang/chidian"})
                .status()
                .code(),
            StatusCode::kPermissionDenied);
  // Nobody is bound to an office: such a viewer sees nothing.
  EXPECT_EQ(RedactRecord("child", "jinjiang/cizao/~office", child,
                         Viewer{Role::kCityBureau, "jinjiang/cizao/~office"})
                .status()
                .code(),
            StatusCode::kPermissionDenied);
  // A town's registry is still read below it.
  const Fields helper{{"name", {"李老师"}}, {"kind", {"teacher"}}};
  EXPECT_TRUE(
      Has(See(Role::kVillageDirector, kVillage, "helper", helper, "jinjiang/cizao"), "name"));
}

TEST(RedactTest, RoleCodes) {
  ASSERT_EQ(AllRoles().size(), 7u);
  std::vector<std::string_view> labels;
  for (Role r : AllRoles()) {
    auto parsed = ParseRole(RoleCode(r));
    ASSERT_OK(parsed);
    EXPECT_EQ(*parsed, r);
    EXPECT_FALSE(RoleZh(r).empty());
    labels.push_back(RoleZh(r));
  }
  std::sort(labels.begin(), labels.end());
  EXPECT_EQ(std::adjacent_find(labels.begin(), labels.end()), labels.end());  // one label each
  EXPECT_EQ(RoleZh(Role::kCaringParent), "爱心家长");
  EXPECT_EQ(RoleCode(Role::kCaringParent), "caring_parent");
  EXPECT_EQ(RoleCode(Role::kCounsellor), "counsellor");
  // The former code of the caring parent still parses, to the caring parent.
  ASSERT_OK_AND_ASSIGN(Role legacy, ParseRole("volunteer"));
  EXPECT_EQ(legacy, Role::kCaringParent);
  EXPECT_EQ(ParseRole("admin").status().code(), StatusCode::kInvalidArgument);
}

// Counselling notes and assessments go to the counsellor, not to the case handlers; the
// counsellor sees no other case.
TEST(RedactTest, CounsellingNotesAreTheCounsellors) {
  const Fields session{{"child", {"c-1"}},
                       {"counsellor", {"h-9"}},
                       {"kind", {"guidance"}},
                       {"date", {"2026-11-28"}},
                       {"notes", {"谈话记录"}},
                       {"assessment", {"焦虑"}},
                       {"guardian_informed_on", {"2026-11-29"}}};
  const std::string office = "jinjiang/cizao/~office";
  const Redacted c = See(Role::kCounsellor, "jinjiang/cizao", "counselling", session, office);
  EXPECT_TRUE(Has(c, "notes"));
  EXPECT_TRUE(Has(c, "assessment"));
  EXPECT_TRUE(Has(c, "kind"));
  for (Role role :
       {Role::kVillageDirector, Role::kTownSupervisor, Role::kTownOffice, Role::kCityBureau}) {
    const std::string unit = role == Role::kCityBureau ? "jinjiang" : "jinjiang/cizao";
    const Redacted h = See(role, unit, "counselling", session, office);
    EXPECT_FALSE(Has(h, "notes")) << RoleCode(role);
    EXPECT_TRUE(Hidden(h, "assessment")) << RoleCode(role);
    EXPECT_TRUE(Has(h, "kind")) << RoleCode(role);  // that a session took place, and its kind
    EXPECT_TRUE(Has(h, "guardian_informed_on")) << RoleCode(role);
  }
  const Redacted a = See(Role::kAuditor, "jinjiang", "counselling", session, office);
  EXPECT_FALSE(Has(a, "notes"));
  EXPECT_FALSE(Has(a, "kind"));
  EXPECT_TRUE(Has(a, "date"));
  // No other case; the child's and the guardian's personal data, for informing the guardian.
  for (const char* type : {"report", "help_request", "intervention", "referral"}) {
    EXPECT_EQ(MaySeeRecord(type, office, Viewer{Role::kCounsellor, "jinjiang/cizao"}).code(),
              StatusCode::kPermissionDenied)
        << type;
  }
  const Fields guardian{
      {"name", {"王阿嬷"}}, {"relation", {"grandparent"}}, {"phone", {"13805951234"}}};
  EXPECT_TRUE(Has(See(Role::kCounsellor, "jinjiang/cizao", "guardian", guardian, office), "name"));
  const Redacted elsewhere = See(Role::kCounsellor, "jinjiang/cizao", "pairing",
                                 Fields{{"helper", {"h-1"}}, {"card_needs", {"学费"}}}, office);
  EXPECT_TRUE(Has(elsewhere, "helper"));
  EXPECT_FALSE(Has(elsewhere, "card_needs"));
  EXPECT_EQ(RedactRecord("counselling", "jinjiang/chidian/~office", session,
                         Viewer{Role::kCounsellor, "jinjiang/cizao"})
                .status()
                .code(),
            StatusCode::kPermissionDenied);
}

// A caring parent sees a record only when the caller found it theirs (reader.h decides), and
// then only the child's name and gender, the pairing's plain fields, their contacts whole.
TEST(RedactTest, CaringParentSeesTheirOwnOnly) {
  const Viewer parent{Role::kCaringParent, kVillage, "h-1"};
  const Fields child{{"name", {"王小明"}},
                     {"gender", {"male"}},
                     {"category", {"left_behind"}},
                     {"address", {"某村12号"}}};
  EXPECT_EQ(RedactRecord("child", kVillage, child, parent).status().code(),
            StatusCode::kPermissionDenied);
  ASSERT_OK_AND_ASSIGN(Redacted own, RedactRecord("child", kVillage, child, parent, true));
  EXPECT_TRUE(Has(own, "name"));
  EXPECT_TRUE(Has(own, "gender"));
  EXPECT_TRUE(Hidden(own, "category"));
  EXPECT_TRUE(Hidden(own, "address"));
  // No helper id: nothing is theirs.
  EXPECT_EQ(RedactRecord("child", kVillage, child, Viewer{Role::kCaringParent, kVillage}, true)
                .status()
                .code(),
            StatusCode::kPermissionDenied);
  // Outside their unit, even if said to be theirs.
  EXPECT_EQ(RedactRecord("child", "jinjiang/cizao/v002", child, parent, true).status().code(),
            StatusCode::kPermissionDenied);
  ASSERT_OK_AND_ASSIGN(
      Redacted pairing,
      RedactRecord("pairing", kVillage,
                   Fields{{"helper", {"h-1"}}, {"kind", {"family_care"}}, {"card_needs", {"x"}}},
                   parent, true));
  EXPECT_TRUE(Has(pairing, "kind"));
  EXPECT_FALSE(Has(pairing, "card_needs"));
}

}  // namespace
}  // namespace fulei::programme
