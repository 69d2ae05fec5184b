// User accounts (users.h) and their rules: argon2id password hashes, the user record's
// validation, where it lives, who may write it (write_policy.h) and who sees it (redact.h), and
// finding an account by login in a store.
#include "programme/users.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crdt/hlc.h"
#include "programme/redact.h"
#include "programme/schema.h"
#include "programme/scope.h"
#include "programme/validate.h"
#include "programme/write_policy.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace fulei::programme {
namespace {

const std::string kCity = "jinjiang";
const std::string kTown = "jinjiang/cizao";
const std::string kVillage = "jinjiang/cizao/v001";
const std::string kOtherTown = "jinjiang/chidian";
const std::string kOtherVillage = "jinjiang/chidian/v002";
const Date kToday{2026, 11, 29};

// One hash for the tests that need a valid one (argon2id takes a while; compute it once).
const std::string& AHash() {
  static const std::string hash = [] {
    auto h = HashPassword("correct horse");
    return h.ok() ? *h : std::string();
  }();
  return hash;
}

// A complete user record for `login` at `unit` with `role`.
Fields UserFields(const std::string& login, const std::string& unit, const std::string& role) {
  Fields f{{"login", {login}},
           {"display_name", {"陈主任"}},
           {"role", {role}},
           {"unit", {unit}},
           {"password_hash", {AHash()}},
           {"disabled", {"false"}},
           {"password_changed_at", {"2026-11-28T01:00:00Z"}}};
  if (role == "caring_parent") f["helper"] = {"h-7"};
  return f;
}

crdt::RecordKey Key(const std::string& login, const std::string& unit) {
  auto k = UserKey(login, unit);
  EXPECT_OK(k);
  return k.ok() ? *k : crdt::RecordKey{};
}

// The stored state of a user record written once with `fields`.
crdt::RecordState Stored(const crdt::RecordKey& key, const Fields& fields) {
  store::LocalChange c = UserChange(key, std::nullopt, fields);
  crdt::Op op;
  op.origin = 9;
  op.seq = 1;
  op.stamp = crdt::Stamp{1000, 0};
  op.key = key;
  op.writes = c.writes;
  crdt::RecordState s;
  s.Apply(op);
  return s;
}

// CheckChange of `values` written to the record `key` (`current`: as stored, if any).
Status Change(const Viewer& writer, const crdt::RecordKey& key,
              const std::optional<crdt::RecordState>& current, const Fields& values,
              const WriteContext& context = {}) {
  store::LocalChange c = UserChange(key, current, values);
  return CheckChange(writer, key, current, c.writes, kToday, context).status();
}

// ---- passwords ---------------------------------------------------------------------------------

TEST(UsersTest, HashIsArgon2idAndVerifiesItsPassword) {
  ASSERT_OK_AND_ASSIGN(std::string hash, HashPassword("correct horse"));
  EXPECT_TRUE(hash.starts_with("$argon2id$")) << hash;
  // libsodium's interactive costs: 64 MiB, 2 passes.
  EXPECT_NE(hash.find("m=65536,t=2,p=1"), std::string::npos) << hash;
  EXPECT_TRUE(VerifyPassword(hash, "correct horse"));
  EXPECT_FALSE(PasswordNeedsRehash(hash));
}

TEST(UsersTest, WrongPasswordFails) {
  const std::string& hash = AHash();
  ASSERT_FALSE(hash.empty());
  EXPECT_FALSE(VerifyPassword(hash, "correct horsE"));
  EXPECT_FALSE(VerifyPassword(hash, "correct hors"));
  EXPECT_FALSE(VerifyPassword(hash, ""));
  // A hash that is not argon2id, or not a hash at all, verifies nothing.
  std::string argon2i = hash;
  argon2i.replace(0, 10, "$argon2i$");
  EXPECT_FALSE(VerifyPassword(argon2i, "correct horse"));
  EXPECT_FALSE(VerifyPassword("", "correct horse"));
  EXPECT_FALSE(VerifyPassword("correct horse", "correct horse"));
  EXPECT_FALSE(VerifyPassword(hash.substr(0, hash.size() - 4), "correct horse"));
}

TEST(UsersTest, SamePasswordHashesDifferentlyEachTime) {
  ASSERT_OK_AND_ASSIGN(std::string a, HashPassword("same password"));
  ASSERT_OK_AND_ASSIGN(std::string b, HashPassword("same password"));
  EXPECT_NE(a, b);  // a fresh salt each time
  EXPECT_TRUE(VerifyPassword(a, "same password"));
  EXPECT_TRUE(VerifyPassword(b, "same password"));
}

TEST(UsersTest, ShortPasswordIsRefusedInBothLanguages) {
  const Status s = HashPassword("1234567").status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("密码太短，至少 8 个字符"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find(" / the password is too short"), std::string::npos) << s.message();
  // Characters, not bytes: seven Chinese characters (21 bytes) are too few, eight are enough.
  EXPECT_EQ(CheckNewPassword("福蕾行动计划好").code(), StatusCode::kInvalidArgument);
  EXPECT_OK(CheckNewPassword("福蕾行动计划很好"));
  EXPECT_OK(CheckNewPassword("12345678"));
  // Not text, or absurdly long.
  EXPECT_EQ(CheckNewPassword("abcdefg\xff").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckNewPassword(std::string(kMaxPasswordBytes + 1, 'a')).code(),
            StatusCode::kInvalidArgument);
}

TEST(UsersTest, HashWithOtherCostsNeedsRehash) {
  std::string hash = AHash();
  const size_t t = hash.find(",t=2,");
  ASSERT_NE(t, std::string::npos) << hash;
  hash.replace(t, 5, ",t=3,");
  EXPECT_TRUE(PasswordNeedsRehash(hash));
  EXPECT_TRUE(PasswordNeedsRehash(""));
  EXPECT_TRUE(PasswordNeedsRehash("$argon2i$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA"));
}

// ---- the record ---------------------------------------------------------------------------------

TEST(UsersTest, UserKeyLivesAtTheUnitWithAnOpaqueIdFromTheLogin) {
  ASSERT_OK_AND_ASSIGN(crdt::RecordKey k, UserKey("chen.li", kVillage));
  EXPECT_EQ(k.scope, kVillage);
  EXPECT_EQ(k.type, "user");
  EXPECT_EQ(k.id, UserId("chen.li"));
  EXPECT_TRUE(k.id.starts_with("u-"));
  EXPECT_EQ(k.id.size(), 18u);
  EXPECT_EQ(k.id.find("chen"), std::string::npos);  // never the login itself
  EXPECT_EQ(UserId("chen.li"), UserId("chen.li"));
  EXPECT_NE(UserId("chen.li"), UserId("chen.lj"));
  // The same scope a writer gets from RecordScope at every level: a registry, never an office.
  EXPECT_FALSE(IsOfficeOnlyType(kUser));
  EXPECT_EQ(RecordScope(kUser, kTown, UnitLevel::kTown), kTown);
  EXPECT_EQ(RecordScope(kUser, kCity, UnitLevel::kCity), kCity);
  EXPECT_EQ(RecordScope(kUser, kVillage, UnitLevel::kVillage), kVillage);
}

TEST(UsersTest, UserKeyRefusesBadLoginsAndUnits) {
  for (const char* login : {"ab", "Chen", "chen li", "陈丽", "a/b", "x@y", ""}) {
    EXPECT_EQ(UserKey(login, kVillage).status().code(), StatusCode::kInvalidArgument) << login;
  }
  EXPECT_EQ(UserKey(std::string(33, 'a'), kVillage).status().code(), StatusCode::kInvalidArgument);
  EXPECT_OK(UserKey(std::string(32, 'a'), kVillage));
  EXPECT_OK(UserKey("a.b-c_9", kVillage));
  for (const char* unit : {"", "/jinjiang", "jinjiang/", "Jinjiang", "jinjiang/cizao/~office"}) {
    EXPECT_EQ(UserKey("chen.li", unit).status().code(), StatusCode::kInvalidArgument) << unit;
  }
}

TEST(UsersTest, RoleListIsRedactsRoles) {
  ASSERT_EQ(UserRoleValues().size(), AllRoles().size());
  for (Role r : AllRoles()) {
    const EnumValue* v = FindEnum(UserRoleValues(), RoleCode(r));
    ASSERT_NE(v, nullptr) << RoleCode(r);
    EXPECT_EQ(v->zh, RoleZh(r));
  }
}

TEST(UsersTest, ValidationOfLoginRoleUnitAndHash) {
  EXPECT_OK(ValidateRecord(kUser, UserFields("chen.li", kVillage, "director"), kToday));
  EXPECT_OK(ValidateRecord(kUser, UserFields("li.ma", kVillage, "caring_parent"), kToday));
  auto with = [](std::string field, std::string value) {
    Fields f = UserFields("chen.li", kVillage, "director");
    f[field] = {std::move(value)};
    return f;
  };
  struct Bad {
    std::string field, value, english;
  };
  const std::vector<Bad> bad = {
      {"login", "Chen.Li", "user.login: must be 3..32 of a-z 0-9 . _ -"},
      {"login", "cl", "user.login: must be 3..32 of a-z 0-9 . _ -"},
      {"role", "volunteer_helper", "user.role: unknown value 'volunteer_helper'"},
      {"role", "admin", "user.role: unknown value 'admin'"},
      {"unit", "jinjiang/cizao/~office", "user.unit: 'jinjiang/cizao/~office' is not"},
      {"password_hash", "correct horse", "user.password_hash: is not an argon2id hash"},
      {"password_hash", "$argon2i$v=19$m=4096,t=3,p=1$c2FsdA$aGFzaA",
       "user.password_hash: is not an argon2id hash"},
      {"password_changed_at", "2027-01-01T00:00:00Z", "user.password_changed_at: "},
      {"disabled", "yes", "user.disabled: 'yes' is not true or false"},
  };
  for (const Bad& b : bad) {
    const Status s = ValidateRecord(kUser, with(b.field, b.value), kToday);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << b.field << "=" << b.value;
    EXPECT_TRUE(EnglishPart(s.message()).starts_with(b.english)) << s.message();
  }
  // Required: login, role, unit, password hash.
  for (const char* field : {"login", "role", "unit", "password_hash"}) {
    Fields f = UserFields("chen.li", kVillage, "director");
    f.erase(field);
    EXPECT_EQ(EnglishPart(ValidateRecord(kUser, f, kToday).message()),
              "user." + std::string(field) + ": is required");
  }
  // A caring parent names their helper record.
  Fields parent = UserFields("li.ma", kVillage, "caring_parent");
  parent.erase("helper");
  EXPECT_TRUE(EnglishPart(ValidateRecord(kUser, parent, kToday).message())
                  .starts_with("user.helper: required for a caring_parent"));
}

// ---- who may write
// -------------------------------------------------------------------------------

TEST(UsersTest, TownOfficeAddsADirectorAtItsVillageButNotElsewhere) {
  const Viewer office{Role::kTownOffice, kTown, "u-office"};
  EXPECT_OK(Change(office, Key("chen.li", kVillage), std::nullopt,
                   UserFields("chen.li", kVillage, "director")));
  EXPECT_OK(Change(office, Key("wang.du", kTown), std::nullopt,
                   UserFields("wang.du", kTown, "supervisor")));
  // Not in another town, and not at the city.
  const Status other = Change(office, Key("zhao.yi", kOtherVillage), std::nullopt,
                              UserFields("zhao.yi", kOtherVillage, "director"));
  EXPECT_EQ(other.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(other.message().find(" / "), std::string::npos) << other.message();
  EXPECT_EQ(
      Change(office, Key("zhao.er", kCity), std::nullopt, UserFields("zhao.er", kCity, "auditor"))
          .code(),
      StatusCode::kPermissionDenied);
  // Nor a city bureau account bound to its own town (a role above the unit's level).
  const Status above = Change(office, Key("sun.qi", kTown), std::nullopt,
                              UserFields("sun.qi", kTown, "city_bureau"));
  EXPECT_EQ(above.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(above.message().find("应属于市单位"), std::string::npos) << above.message();
}

TEST(UsersTest, CityBureauAddsAnywhereInTheCity) {
  const Viewer bureau{Role::kCityBureau, kCity, "u-bureau"};
  EXPECT_OK(Change(bureau, Key("zhao.yi", kOtherVillage), std::nullopt,
                   UserFields("zhao.yi", kOtherVillage, "director")));
  EXPECT_OK(Change(bureau, Key("qian.san", kOtherTown), std::nullopt,
                   UserFields("qian.san", kOtherTown, "town_office")));
  EXPECT_OK(Change(bureau, Key("sun.qi", kCity), std::nullopt,
                   UserFields("sun.qi", kCity, "city_bureau")));
  EXPECT_OK(
      Change(bureau, Key("audit.1", kCity), std::nullopt, UserFields("audit.1", kCity, "auditor")));
  // Not in another city.
  EXPECT_EQ(Change(bureau, Key("x.y.z", "quanzhou/v1"), std::nullopt,
                   UserFields("x.y.z", "quanzhou/v1", "auditor"))
                .code(),
            StatusCode::kPermissionDenied);
  // A director belongs to a village; a town office to a town.
  EXPECT_EQ(
      Change(bureau, Key("zhou.wu", kTown), std::nullopt, UserFields("zhou.wu", kTown, "director"))
          .code(),
      StatusCode::kInvalidArgument);
  EXPECT_EQ(Change(bureau, Key("zhou.liu", kVillage), std::nullopt,
                   UserFields("zhou.liu", kVillage, "town_office"))
                .code(),
            StatusCode::kInvalidArgument);
}

TEST(UsersTest, OnlyTheKeepersAddUsers) {
  const Fields f = UserFields("new.one", kVillage, "director");
  const crdt::RecordKey key = Key("new.one", kVillage);
  for (Role role : AllRoles()) {
    const Status s = Change(Viewer{role, kVillage, "u-someone"}, key, std::nullopt, f);
    if (role == Role::kTownOffice || role == Role::kCityBureau) {
      // Their unit is above the village in real life; bound to the village here, the scope
      // check passes and only the role decides.
      EXPECT_TRUE(s.ok()) << RoleCode(role) << ": " << s.message();
    } else {
      EXPECT_EQ(s.code(), StatusCode::kPermissionDenied) << RoleCode(role);
      EXPECT_NE(s.message().find("无权填写用户记录"), std::string::npos) << s.message();
    }
  }
  EXPECT_FALSE(RoleMayWrite(Role::kVillageDirector, kUser));
  EXPECT_TRUE(RoleMayWrite(Role::kTownOffice, kUser));
}

TEST(UsersTest, DirectorChangesOnlyTheirOwnPassword) {
  const crdt::RecordKey key = Key("chen.li", kVillage);
  const crdt::RecordState stored = Stored(key, UserFields("chen.li", kVillage, "director"));
  const Viewer self{Role::kVillageDirector, kVillage, key.id};
  ASSERT_OK_AND_ASSIGN(std::string fresh, HashPassword("a new password"));
  const Fields password{{"password_hash", {fresh}},
                        {"password_changed_at", {"2026-11-29T01:00:00Z"}}};
  EXPECT_OK(Change(self, key, stored, password));
  EXPECT_OK(Change(self, key, stored, {{"password_hash", {fresh}}}));
  // Nothing else of their own record: not their role, not "enabled", not deleting it.
  for (const Fields& other :
       std::vector<Fields>{{{"role", {"town_office"}}},
                           {{"password_hash", {fresh}}, {"role", {"supervisor"}}},
                           {{"disabled", {"false"}}},
                           {{"display_name", {"陈主任"}}}}) {
    const Status s = Change(self, key, stored, other);
    EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
    EXPECT_NE(s.message().find("只能修改自己的密码"), std::string::npos) << s.message();
  }
  const std::vector<crdt::FieldWrite> del = crdt::DeleteWrites(stored);
  EXPECT_EQ(CheckChange(self, key, stored, del, kToday).status().code(),
            StatusCode::kPermissionDenied);
  // Still a valid hash.
  EXPECT_EQ(Change(self, key, stored, {{"password_hash", {"plain text"}}}).code(),
            StatusCode::kInvalidArgument);
  // Not another person's password, even at the same village.
  const crdt::RecordKey other_key = Key("wu.er", kVillage);
  const crdt::RecordState other_stored =
      Stored(other_key, UserFields("wu.er", kVillage, "director"));
  EXPECT_EQ(Change(self, other_key, other_stored, password).code(), StatusCode::kPermissionDenied);
  // Not with another person's id, nor bound to another unit.
  EXPECT_EQ(
      Change(Viewer{Role::kVillageDirector, kVillage, "u-other"}, key, stored, password).code(),
      StatusCode::kPermissionDenied);
  // Not an account that does not exist yet (that is an add).
  EXPECT_EQ(Change(self, key, std::nullopt, UserFields("chen.li", kVillage, "director")).code(),
            StatusCode::kPermissionDenied);
  // Not while the account is disabled.
  Fields disabled = UserFields("chen.li", kVillage, "director");
  disabled["disabled"] = {"true"};
  const Status off = Change(self, key, Stored(key, disabled), password);
  EXPECT_EQ(off.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(off.message().find("账户已停用"), std::string::npos) << off.message();
}

TEST(UsersTest, CaringParentChangesTheirOwnPasswordAsTheirHelper) {
  const crdt::RecordKey key = Key("li.ma", kVillage);
  const crdt::RecordState stored = Stored(key, UserFields("li.ma", kVillage, "caring_parent"));
  const Fields password{{"password_hash", {AHash()}},
                        {"password_changed_at", {"2026-11-29T01:00:00Z"}}};
  // Logged in, a caring parent's user id is their helper record id (ViewerFor).
  EXPECT_OK(Change(Viewer{Role::kCaringParent, kVillage, "h-7"}, key, stored, password));
  EXPECT_EQ(Change(Viewer{Role::kCaringParent, kVillage, "h-8"}, key, stored, password).code(),
            StatusCode::kPermissionDenied);
}

TEST(UsersTest, KeepersDisableAndResetAccounts) {
  const crdt::RecordKey key = Key("chen.li", kVillage);
  const crdt::RecordState stored = Stored(key, UserFields("chen.li", kVillage, "director"));
  const Viewer office{Role::kTownOffice, kTown, "u-office"};
  EXPECT_OK(Change(office, key, stored, {{"disabled", {"true"}}}));
  EXPECT_OK(Change(office, key, stored, {{"password_hash", {AHash()}}}));
  EXPECT_EQ(
      Change(Viewer{Role::kTownOffice, kOtherTown, "u-o2"}, key, stored, {{"disabled", {"true"}}})
          .code(),
      StatusCode::kPermissionDenied);
  // The supersedes make a disable replace the stored value rather than sit beside it.
  store::LocalChange c = UserChange(key, stored, {{"disabled", {"true"}}});
  ASSERT_EQ(c.writes.size(), 1u);
  EXPECT_EQ(c.writes[0].supersedes.size(), 1u);
  ASSERT_OK_AND_ASSIGN(crdt::RecordState after, CheckChange(office, key, stored, c.writes, kToday));
  EXPECT_FALSE(after.Field("disabled")->conflict());
  EXPECT_EQ(after.Get("disabled"), "true");
}

TEST(UsersTest, AUserRecordLivesAtItsUnitUnderItsLoginsId) {
  const Viewer bureau{Role::kCityBureau, kCity, "u-bureau"};
  // Its `unit` is its scope.
  EXPECT_EQ(Change(bureau, Key("chen.li", kVillage), std::nullopt,
                   UserFields("chen.li", kOtherVillage, "director"))
                .code(),
            StatusCode::kInvalidArgument);
  // Its id is the login's: another id (or a changed login) is refused.
  crdt::RecordKey wrong = Key("chen.li", kVillage);
  wrong.id = "u-1";
  EXPECT_EQ(Change(bureau, wrong, std::nullopt, UserFields("chen.li", kVillage, "director")).code(),
            StatusCode::kInvalidArgument);
  const crdt::RecordKey key = Key("chen.li", kVillage);
  const Status renamed =
      Change(bureau, key, Stored(key, UserFields("chen.li", kVillage, "director")),
             {{"login", {"chen.li2"}}});
  EXPECT_EQ(renamed.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(renamed.message().find("登录名不能修改"), std::string::npos) << renamed.message();
  // Never in an office scope.
  crdt::RecordKey office_scope = Key("wang.du", kTown);
  office_scope.scope = OfficeScope(kTown);
  EXPECT_EQ(
      Change(bureau, office_scope, std::nullopt, UserFields("wang.du", kTown, "supervisor")).code(),
      StatusCode::kInvalidArgument);
}

TEST(UsersTest, ALoginHeldElsewhereIsRefusedWhenTheCallerCanTell) {
  const Viewer bureau{Role::kCityBureau, kCity, "u-bureau"};
  WriteContext context;
  std::vector<std::string> asked;
  context.login_taken = [&](std::string_view login, const crdt::RecordKey&) {
    asked.emplace_back(login);
    return login == "chen.li";
  };
  const Status s = Change(bureau, Key("chen.li", kOtherVillage), std::nullopt,
                          UserFields("chen.li", kOtherVillage, "director"), context);
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists);
  EXPECT_NE(s.message().find("登录名chen.li已被其他用户使用"), std::string::npos) << s.message();
  EXPECT_OK(Change(bureau, Key("chen.li2", kOtherVillage), std::nullopt,
                   UserFields("chen.li2", kOtherVillage, "director"), context));
  EXPECT_EQ(asked, (std::vector<std::string>{"chen.li", "chen.li2"}));
}

// ---- who sees it
// ---------------------------------------------------------------------------------

TEST(UsersTest, PasswordHashIsHiddenFromEveryRole) {
  const crdt::RecordKey key = Key("chen.li", kVillage);
  const Fields f = UserFields("chen.li", kVillage, "director");
  const FieldSpec* hash = FindRecordType(kUser)->Find("password_hash");
  ASSERT_NE(hash, nullptr);
  EXPECT_TRUE(hash->secret);
  for (Role role : AllRoles()) {
    for (const std::string& unit : {kCity, kTown, kVillage}) {
      const Viewer v{role, unit, role == Role::kCaringParent ? "h-7" : key.id};
      EXPECT_FALSE(MaySeeField(kUser, *hash, key.scope, v)) << RoleCode(role) << " " << unit;
      auto r = RedactRecord(kUser, key.scope, f, v, /*own=*/true);
      if (!r.ok()) continue;  // not theirs to see at all
      EXPECT_EQ(r->fields.count("password_hash"), 0u) << RoleCode(role) << " " << unit;
      EXPECT_NE(std::find(r->hidden.begin(), r->hidden.end(), "password_hash"), r->hidden.end());
    }
  }
  // The city bureau sees the rest.
  ASSERT_OK_AND_ASSIGN(Redacted city,
                       RedactRecord(kUser, key.scope, f, Viewer{Role::kCityBureau, kCity}));
  EXPECT_EQ(OneOr(city.fields, "display_name"), "陈主任");
  EXPECT_EQ(OneOr(city.fields, "login"), "chen.li");
  EXPECT_EQ(city.hidden, std::vector<std::string>{"password_hash"});
}

TEST(UsersTest, AccountsAreSeenByTheirKeepersAndThePersonOnly) {
  const crdt::RecordKey key = Key("chen.li", kVillage);
  const Fields f = UserFields("chen.li", kVillage, "director");
  // The town office of the village's town: yes; of another town: no.
  ASSERT_OK_AND_ASSIGN(Redacted town,
                       RedactRecord(kUser, key.scope, f, Viewer{Role::kTownOffice, kTown}));
  EXPECT_EQ(OneOr(town.fields, "role"), "director");
  EXPECT_EQ(MaySeeRecord(kUser, key.scope, Viewer{Role::kTownOffice, kOtherTown}).code(),
            StatusCode::kPermissionDenied);
  // The supervisor and the auditor of the town: no.
  for (Role role : {Role::kTownSupervisor, Role::kAuditor, Role::kCounsellor}) {
    EXPECT_EQ(RedactRecord(kUser, key.scope, f, Viewer{role, kTown, "u-x"}).status().code(),
              StatusCode::kPermissionDenied)
        << RoleCode(role);
  }
  // The person: their own account, when the caller found it theirs.
  const Viewer self{Role::kVillageDirector, kVillage, key.id};
  EXPECT_TRUE(IsOwnUserRecord(key, f, self));
  ASSERT_OK_AND_ASSIGN(Redacted mine, RedactRecord(kUser, key.scope, f, self, /*own=*/true));
  EXPECT_EQ(OneOr(mine.fields, "display_name"), "陈主任");
  EXPECT_EQ(mine.fields.count("password_hash"), 0u);
  EXPECT_EQ(RedactRecord(kUser, key.scope, f, self, /*own=*/false).status().code(),
            StatusCode::kPermissionDenied);
  // Another director of the village is not the person.
  EXPECT_FALSE(IsOwnUserRecord(key, f, Viewer{Role::kVillageDirector, kVillage, "u-other"}));
  // A village never reads its town's staff accounts, although they are held there.
  const crdt::RecordKey town_user = Key("wang.du", kTown);
  EXPECT_EQ(MaySeeRecord(kUser, town_user.scope, self).code(), StatusCode::kPermissionDenied);
  EXPECT_FALSE(IsOwnUserRecord(town_user, UserFields("wang.du", kTown, "supervisor"), self));
  // A caring parent is their helper record.
  const crdt::RecordKey parent = Key("li.ma", kVillage);
  const Fields pf = UserFields("li.ma", kVillage, "caring_parent");
  EXPECT_TRUE(IsOwnUserRecord(parent, pf, Viewer{Role::kCaringParent, kVillage, "h-7"}));
  EXPECT_FALSE(IsOwnUserRecord(parent, pf, Viewer{Role::kCaringParent, kVillage, "h-8"}));
}

// ---- accounts in a store ------------------------------------------------------------------------

class UserStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::StoreOptions options;
    options.node_id = 1;
    options.reserve_bytes = 0;
    ASSERT_OK_AND_ASSIGN(store_, store::Store::Open(dir_.path(), options));
  }

  void Put(const crdt::RecordKey& key, const Fields& fields) {
    std::vector<store::LocalChange> changes{UserChange(key, std::nullopt, fields)};
    EXPECT_OK(store_->WriteLocal(changes, clock_, wall_ms_ += 1000));
  }

  fulei::testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  crdt::HybridClock clock_;
  uint64_t wall_ms_ = 1'764'381'600'000;
};

TEST_F(UserStoreTest, FindsAnAccountByLoginAndLogsInAsIt) {
  Put(Key("chen.li", kVillage), UserFields("chen.li", kVillage, "director"));
  Put(Key("li.ma", kVillage), UserFields("li.ma", kVillage, "caring_parent"));
  Put(Key("wang.du", kTown), UserFields("wang.du", kTown, "supervisor"));
  ASSERT_OK_AND_ASSIGN(std::optional<UserAccount> a, FindUser(*store_, "chen.li"));
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->key, Key("chen.li", kVillage));
  EXPECT_EQ(a->role, Role::kVillageDirector);
  EXPECT_EQ(a->unit, kVillage);
  EXPECT_FALSE(a->disabled);
  EXPECT_TRUE(VerifyPassword(a->password_hash, "correct horse"));
  EXPECT_EQ(ViewerFor(*a), (Viewer{Role::kVillageDirector, kVillage, a->key.id}));
  ASSERT_OK_AND_ASSIGN(std::optional<UserAccount> p, FindUser(*store_, "li.ma"));
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(ViewerFor(*p), (Viewer{Role::kCaringParent, kVillage, "h-7"}));
  ASSERT_OK_AND_ASSIGN(std::optional<UserAccount> none, FindUser(*store_, "nobody"));
  EXPECT_FALSE(none.has_value());
  // Taken elsewhere, not by the record itself.
  ASSERT_OK_AND_ASSIGN(bool taken, LoginTaken(*store_, "chen.li", Key("chen.li", kOtherVillage)));
  EXPECT_TRUE(taken);
  ASSERT_OK_AND_ASSIGN(bool self, LoginTaken(*store_, "chen.li", Key("chen.li", kVillage)));
  EXPECT_FALSE(self);
}

TEST_F(UserStoreTest, ALoginHeldTwiceLogsNobodyIn) {
  // Made on two nodes cut off from each other: neither may log in until one is deleted.
  Put(Key("chen.li", kVillage), UserFields("chen.li", kVillage, "director"));
  Put(Key("chen.li", kOtherVillage), UserFields("chen.li", kOtherVillage, "director"));
  const Status s = FindUser(*store_, "chen.li").status();
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("2 个账户"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace fulei::programme
