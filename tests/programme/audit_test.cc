#include "programme/audit.h"

#include <gtest/gtest.h>

#include <string>

#include "programme/date.h"
#include "programme/redact.h"
#include "programme/schema.h"
#include "programme/validate.h"
#include "programme/write_policy.h"
#include "tests/support/status_matchers.h"

namespace fulei::programme {
namespace {

constexpr char kVillage[] = "jinjiang/cizao/v001";

Fields FieldsOf(const store::LocalChange& c) {
  Fields f;
  for (const crdt::FieldWrite& w : c.writes) f[w.field].push_back(w.value);
  return f;
}

TEST(AuditTest, ReadsEachShapeOfEntry) {
  AuditEntry read = ParseAuditEntry(
      "read\t2026-12-07T01:02:03Z\tu-7\tdirector\tjinjiang/cizao/v001\t"
      "jinjiang/cizao/v001/child/c1\t10.0.0.7");
  EXPECT_EQ(read.action, "read");
  EXPECT_EQ(read.at, "2026-12-07T01:02:03Z");
  EXPECT_EQ(read.user, "u-7");
  EXPECT_EQ(read.role, "director");
  EXPECT_EQ(read.unit, kVillage);
  EXPECT_EQ(read.what, "jinjiang/cizao/v001/child/c1");
  EXPECT_EQ(read.from, "10.0.0.7");

  AuditEntry login = ParseAuditEntry("login\t2026-12-07T01:02:03Z\tnobody\t\t\t127.0.0.1\trefused");
  EXPECT_EQ(login.user, "nobody");
  EXPECT_EQ(login.unit, "");
  EXPECT_EQ(login.from, "127.0.0.1");
  EXPECT_EQ(login.what, "refused");

  AuditEntry user = ParseAuditEntry(
      "user.change\t2026-12-07T01:02:03Z\tu-1\ttown_office\tjinjiang/cizao\tdir9\tdisabled=true\t"
      "127.0.0.1");
  EXPECT_EQ(user.what, "dir9 disabled=true");
  EXPECT_EQ(user.from, "127.0.0.1");

  AuditEntry exported = ParseAuditEntry(
      "export\t2026-12-07T01:02:03Z\tu-1\tcity_bureau\tjinjiang\tchildren\tjinjiang\tcsv\t12");
  EXPECT_EQ(exported.what, "children jinjiang csv 12");
  EXPECT_EQ(exported.from, "");

  AuditEntry backup = ParseAuditEntry("backup taken at 2026-12-07T01:02:03Z by the operator");
  EXPECT_EQ(backup.action, "backup");
  EXPECT_EQ(backup.at, "");
  EXPECT_EQ(backup.what, "taken at 2026-12-07T01:02:03Z by the operator");

  // A unit that is not a unit path is left out rather than shown.
  EXPECT_EQ(ParseAuditEntry("read\t2026-12-07T01:02:03Z\tu\tdirector\tNot A Unit\tk\t1").unit, "");
}

TEST(AuditTest, RecordIsValidWhateverTheEntrySays) {
  const int64_t now = *ParseTime("2026-12-07T02:00:00Z");
  const Date today = DateAt(now);
  const std::string hostile = "login\t2026-12-07T01:02:03Z\t\xff\xfe\x01" + std::string(300, 'x') +
                              "\t\t\t\x7f\t" + std::string(9000, 'y');
  for (const std::string& text :
       {hostile, std::string("read\t2026-12-07T01:02:03Z\tu-7\tdirector\t") + kVillage + "\tk\t1",
        std::string(), std::string("\t\t\t"), std::string("backup taken")}) {
    const store::LocalChange c = AuditRecord(kVillage, 0x1234, 7, text, now);
    EXPECT_EQ(c.key.scope, kVillage);
    EXPECT_EQ(c.key.type, kAudit);
    EXPECT_EQ(c.key.id, AuditRecordId(7, text));
    EXPECT_EQ(c.key.id.size(), 18u);
    const Fields f = FieldsOf(c);
    const Status valid = ValidateRecord(kAudit, f, today);
    EXPECT_TRUE(valid.ok()) << valid.ToString() << " for " << text.substr(0, 40);
    const AuditRecordView v = ReadAuditRecord(f);
    EXPECT_EQ(v.node, "0000000000001234");
    EXPECT_EQ(v.seq, 7);
  }
  // The id names the entry: its number and its text.
  EXPECT_NE(AuditRecordId(1, "a"), AuditRecordId(2, "a"));
  EXPECT_NE(AuditRecordId(1, "a"), AuditRecordId(1, "b"));
  EXPECT_EQ(AuditRecordId(1, "a"), AuditRecordId(1, "a"));
  // A number that does not fit stops where it would overflow.
  Fields huge = FieldsOf(AuditRecord(kVillage, 1, 1, "backup", 0));
  huge["seq"] = {"99999999999999999999"};
  EXPECT_EQ(ReadAuditRecord(huge).seq, 999999999999999999);
  // An entry without a time is dated when it is copied.
  const AuditRecordView untimed =
      ReadAuditRecord(FieldsOf(AuditRecord(kVillage, 1, 1, "backup taken", now)));
  EXPECT_EQ(untimed.entry.at, "2026-12-07T02:00:00Z");
  EXPECT_EQ(untimed.entry.action, "backup");
}

TEST(AuditTest, OnlyItsReadersSeeItAndNobodyWritesIt) {
  for (Role role : AllRoles()) {
    const bool reader = role == Role::kCityBureau || role == Role::kTownOffice ||
                        role == Role::kTownSupervisor || role == Role::kAuditor;
    EXPECT_EQ(MayReadAuditLog(role), reader) << RoleCode(role);
    EXPECT_FALSE(RoleMayWrite(role, kAudit)) << RoleCode(role);
    // Within the viewer's subtree only.
    EXPECT_EQ(MaySeeRecord(kAudit, kVillage, Viewer(role, "jinjiang/cizao", "u")).ok(), reader)
        << RoleCode(role);
    EXPECT_FALSE(MaySeeRecord(kAudit, kVillage, Viewer(role, "jinjiang/anhai", "u")).ok());
    EXPECT_FALSE(
        MaySeeRecord(kAudit, "jinjiang/~office", Viewer(role, "jinjiang/cizao", "u")).ok());
  }
  // Every field of an entry, also the sensitive ones, for the auditor.
  const Fields f = FieldsOf(AuditRecord(
      kVillage, 9, 1,
      std::string("read\t2026-12-07T01:02:03Z\tu-7\tdirector\t") + kVillage + "\tk\t1", 0));
  auto r = RedactRecord(kAudit, kVillage, f, Viewer(Role::kAuditor, "jinjiang", "u-a"));
  ASSERT_OK(r);
  EXPECT_TRUE(r->hidden.empty());
  EXPECT_EQ(r->fields.size(), f.size());
  // A village director, even of the village, sees none.
  EXPECT_FALSE(
      RedactRecord(kAudit, kVillage, f, Viewer(Role::kVillageDirector, kVillage, "u-7")).ok());
}

}  // namespace
}  // namespace fulei::programme
