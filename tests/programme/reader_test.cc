// Reading for a person (programme/reader.h): every read and export takes the viewer and
// redacts there — fields a role may not see are removed, records outside the viewer's reach are
// refused or left out (a town's own child records among them, wherever they were written),
// filters see only what the viewer sees, and every export is audited.
#include "programme/reader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "crdt/hlc.h"
#include "programme/export_csv.h"
#include "programme/scope.h"
#include "store/store.h"
#include "tests/store/test_util.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace fulei::programme {
namespace {

using store::testing::Set;

constexpr char kTown[] = "jinjiang/cizao";
constexpr char kVillage[] = "jinjiang/cizao/v012";
constexpr char kOtherVillage[] = "jinjiang/chidian/v001";

class ReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::StoreOptions options;
    options.node_id = 1;
    options.reserve_bytes = 0;
    ASSERT_OK_AND_ASSIGN(store_, store::Store::Open(dir_.sub("store"), options));
    reader_ = std::make_unique<Reader>(*store_);
    Write(kVillage, "child", "c-1",
          {Set("name", "王小明"), Set("gender", "male"), Set("birth_date", "2011-03-12"),
           Set("id_number", "350582201103121239"), Set("category", "in_difficulty"),
           Set("school_level", "junior_high"), Set("study_aid_wish", "yes"),
           Set("address", "磁灶镇大埔村12号"), Set("entrusted_guardian", "g-1")});
    Write(kVillage, "guardian", "g-1",
          {Set("name", "王阿嬷"), Set("relation", "grandparent"), Set("phone", "13805951234")});
    Write(kVillage, "report", "r-1",
          {Set("harm", "abuse"), Set("child", "c-1"), Set("reporter_role", "teacher"),
           Set("reporter_name", "李老师"), Set("reporter_phone", "13800000000"),
           Set("reported_at", "2026-11-29T01:40:00Z"), Set("description", "身上多处淤青"),
           Set("police_informed", "no")});
    Write(kVillage, "pairing", "p-1",
          {Set("helper", "h-1"), Set("child", "c-1"), Set("kind", "family_care"),
           Set("start_date", "2026-01-15")});
    // The town's helper registry, its own child kept in its office, and one written the old
    // way at the town's own scope (which every village below held).
    Write(kTown, "helper", "h-1", {Set("name", "李老师"), Set("kind", "teacher")});
    Write(OfficeScope(kTown), "child", "c-t1",
          {Set("name", "林晓"), Set("gender", "female"), Set("category", "orphan")});
    Write(kTown, "child", "c-legacy",
          {Set("name", "陈丽"), Set("gender", "female"), Set("category", "orphan")});
    Write(kOtherVillage, "child", "c-9", {Set("name", "张三"), Set("gender", "male")});
  }

  void Write(const std::string& scope, const std::string& type, const std::string& id,
             std::vector<crdt::FieldWrite> writes) {
    store::LocalChange c{{scope, type, id}, std::move(writes), "u-test", 0};
    ASSERT_OK(
        store_->WriteLocal(std::span<const store::LocalChange>(&c, 1), clock_, wall_ms_ += 1000));
  }

  std::vector<std::string> Ids(const Listing& l) {
    std::vector<std::string> out;
    for (const ViewedRecord& r : l.records) out.push_back(r.key.id);
    return out;
  }

  std::string Read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  ExportRequest Request(ExportKind kind, std::string subtree) {
    ExportRequest r;
    r.kind = kind;
    r.subtree = std::move(subtree);
    r.today = Date{2026, 11, 29};
    r.now_s = 1'764'381'600;
    r.units = {{kTown, "磁灶镇"}, {kVillage, "大埔村"}};
    r.csv_mode = CsvMode::kExact;
    return r;
  }

  fulei::testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Reader> reader_;
  crdt::HybridClock clock_;
  uint64_t wall_ms_ = 1'764'381'600'000;
};

bool Hidden(const ViewedRecord& r, const std::string& field) {
  return std::find(r.hidden.begin(), r.hidden.end(), field) != r.hidden.end();
}

TEST_F(ReaderTest, ReadsAlwaysRedactForTheViewer) {
  const crdt::RecordKey report{kVillage, "report", "r-1"};
  // The town office acts on the case without the reporter's identity.
  ASSERT_OK_AND_ASSIGN(ViewedRecord office,
                       reader_->Get(Viewer{Role::kTownOffice, kTown, "u-off"}, report));
  EXPECT_EQ(office.fields.count("reporter_name"), 0u);
  EXPECT_TRUE(Hidden(office, "reporter_name"));
  EXPECT_EQ(OneOr(office.fields, "description"), "身上多处淤青");
  // The supervisor sees who reported; an auditor sees the process only; a volunteer nothing.
  ASSERT_OK_AND_ASSIGN(ViewedRecord sup,
                       reader_->Get(Viewer{Role::kTownSupervisor, kTown, "u-sup"}, report));
  EXPECT_EQ(OneOr(sup.fields, "reporter_name"), "李老师");
  ASSERT_OK_AND_ASSIGN(ViewedRecord audit,
                       reader_->Get(Viewer{Role::kAuditor, "jinjiang", "u-a"}, report));
  EXPECT_EQ(audit.fields.count("description"), 0u);
  EXPECT_EQ(OneOr(audit.fields, "reported_at"), "2026-11-29T01:40:00Z");
  EXPECT_EQ(reader_->Get(Viewer{Role::kVolunteer, kVillage, "u-v"}, report).status().code(),
            StatusCode::kPermissionDenied);

  // A village director never sees the town's own child records: not in the town's office, and
  // not at the town's scope either (where the old layout put them, in every village's store).
  const Viewer director{Role::kVillageDirector, kVillage, "u-dir"};
  for (const crdt::RecordKey& key :
       {crdt::RecordKey{OfficeScope(kTown), "child", "c-t1"},
        crdt::RecordKey{kTown, "child", "c-legacy"}, crdt::RecordKey{kOtherVillage, "child", "c-9"},
        crdt::RecordKey{kOtherVillage, "child", "no-such-child"}}) {
    EXPECT_EQ(reader_->Get(director, key).status().code(), StatusCode::kPermissionDenied)
        << key.ToString();
  }
  EXPECT_EQ(reader_->Get(director, {kVillage, "child", "no-such-child"}).status().code(),
            StatusCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(ViewedRecord helper, reader_->Get(director, {kTown, "helper", "h-1"}));
  EXPECT_EQ(OneOr(helper.fields, "name"), "李老师");  // the town's registry

  // Lists: the same decisions, records out of reach left out.
  ASSERT_OK_AND_ASSIGN(Listing town_children, reader_->List(director, "child", kTown));
  EXPECT_EQ(Ids(town_children), std::vector<std::string>{"c-1"});
  ASSERT_OK_AND_ASSIGN(Listing helpers, reader_->List(director, "helper", "jinjiang"));
  EXPECT_EQ(Ids(helpers), std::vector<std::string>{"h-1"});
  ASSERT_OK_AND_ASSIGN(Listing office_children,
                       reader_->List(Viewer{Role::kTownOffice, kTown, "u-off"}, "child", kTown));
  EXPECT_EQ(Ids(office_children), (std::vector<std::string>{"c-legacy", "c-1", "c-t1"}));
  ASSERT_OK_AND_ASSIGN(
      Listing volunteer_reports,
      reader_->List(Viewer{Role::kVolunteer, kVillage, "u-v"}, "report", kVillage));
  EXPECT_TRUE(volunteer_reports.records.empty());
  EXPECT_EQ(reader_->List(director, "child", "jinjiang/chidian").status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(reader_->List(director, "kid", kVillage).status().code(), StatusCode::kInvalidArgument);

  // A filter sees only what the viewer sees: an auditor cannot find a child by name.
  ListOptions by_name;
  by_name.filter = [](const ViewedRecord& r) { return OneOr(r.fields, "name") == "王小明"; };
  ASSERT_OK_AND_ASSIGN(Listing found, reader_->List(director, "child", kVillage, by_name));
  EXPECT_EQ(Ids(found), std::vector<std::string>{"c-1"});
  ASSERT_OK_AND_ASSIGN(
      Listing probed, reader_->List(Viewer{Role::kAuditor, kTown, "u-a"}, "child", kTown, by_name));
  EXPECT_TRUE(probed.records.empty());
  ListOptions one;
  one.limit = 1;
  ASSERT_OK_AND_ASSIGN(Listing first, reader_->List(Viewer{Role::kCityBureau, "jinjiang", "u-c"},
                                                    "child", "jinjiang", one));
  EXPECT_EQ(first.records.size(), 1u);
  EXPECT_TRUE(first.truncated);
}

TEST_F(ReaderTest, ExportRedactsForTheViewer) {
  const std::string path = dir_.sub("children.csv");
  const Viewer auditor{Role::kAuditor, kTown, "u-audit"};
  ASSERT_OK_AND_ASSIGN(
      ExportSummary s,
      reader_->Export(auditor, Request(ExportKind::kChildren, kTown), ExportFormat::kCsv, path));
  EXPECT_EQ(s.rows, 3u);  // c-legacy, c-1, c-t1: every child of the town, names hidden
  std::string csv = Read(path);
  EXPECT_EQ(csv.find("王小明"), std::string::npos);
  EXPECT_EQ(csv.find("350582201103121239"), std::string::npos);
  EXPECT_EQ(csv.find("王阿嬷"), std::string::npos);
  EXPECT_EQ(csv.find("林晓"), std::string::npos);
  EXPECT_NE(csv.find(kHiddenCell), std::string::npos);
  EXPECT_NE(csv.find(",9,困境,"), std::string::npos);  // plain: 儿童类别 code, label
  EXPECT_EQ(csv.find("张三"), std::string::npos);      // another town: not in the subtree

  // The village director exports the village, with names and the guardian.
  const Viewer director{Role::kVillageDirector, kVillage, "u-dir"};
  ASSERT_OK(reader_->Export(director, Request(ExportKind::kChildren, kVillage), ExportFormat::kCsv,
                            path));
  csv = Read(path);
  EXPECT_NE(csv.find("王小明"), std::string::npos);
  EXPECT_NE(csv.find("王阿嬷"), std::string::npos);
  EXPECT_EQ(csv.find("陈丽"), std::string::npos);
  EXPECT_EQ(csv.find("林晓"), std::string::npos);
  // ... but not the town it sits in, nor anything without saying who exports.
  EXPECT_EQ(
      reader_->Export(director, Request(ExportKind::kChildren, kTown), ExportFormat::kCsv, path)
          .status()
          .code(),
      StatusCode::kPermissionDenied);
  EXPECT_EQ(reader_
                ->Export(Viewer{Role::kCityBureau, "jinjiang"},
                         Request(ExportKind::kChildren, kTown), ExportFormat::kCsv, path)
                .status()
                .code(),
            StatusCode::kInvalidArgument);

  // The study-aid list and the overdue list redact the same way.
  ASSERT_OK(
      reader_->Export(auditor, Request(ExportKind::kStudyAid, kTown), ExportFormat::kCsv, path));
  csv = Read(path);
  EXPECT_NE(csv.find("c-1"), std::string::npos);
  EXPECT_EQ(csv.find("王小明"), std::string::npos);
  EXPECT_EQ(csv.find("350582201103121239"), std::string::npos);
  // A caring parent exports nothing (and nothing is audited for it).
  const Viewer parent{Role::kCaringParent, kVillage, "h-1"};
  EXPECT_EQ(reader_
                ->Export(parent, Request(ExportKind::kFamilyCareOverdue, kVillage),
                         ExportFormat::kCsv, path)
                .status()
                .code(),
            StatusCode::kPermissionDenied);
  ASSERT_OK(reader_->Export(auditor, Request(ExportKind::kFamilyCareOverdue, kVillage),
                            ExportFormat::kCsv, path));
  csv = Read(path);
  EXPECT_NE(csv.find("h-1"), std::string::npos);  // names the auditor may not see: ids
  EXPECT_NE(csv.find("c-1"), std::string::npos);
  EXPECT_EQ(csv.find("李老师"), std::string::npos);
  EXPECT_EQ(csv.find("王小明"), std::string::npos);
  ASSERT_OK(reader_->Export(director, Request(ExportKind::kFamilyCareOverdue, kVillage),
                            ExportFormat::kCsv, path));
  csv = Read(path);
  EXPECT_NE(csv.find("李老师"), std::string::npos);
  EXPECT_NE(csv.find("王小明"), std::string::npos);

  // Every export made is in the audit log: who, as what, what, how many rows.
  ASSERT_OK_AND_ASSIGN(auto audit, store_->ReadAudit(1, 100));
  ASSERT_EQ(audit.size(), 5u);
  EXPECT_EQ(audit[0].first, s.audit_entry);
  EXPECT_EQ(audit[0].second,
            "export\t2025-11-29T02:00:00Z\tu-audit\tauditor\tjinjiang/cizao\tchildren\t"
            "jinjiang/cizao\tcsv\t3");
}

// 爱心家长: the names and what is due of their own paired children, and nothing else.
TEST_F(ReaderTest, CaringParentSeesOnlyTheirOwnPairedChildren) {
  Write(kVillage, "child", "c-2", {Set("name", "王小红"), Set("gender", "female")});
  Write(kVillage, "pairing", "p-2",
        {Set("helper", "h-2"), Set("child", "c-2"), Set("kind", "family_care"),
         Set("start_date", "2026-01-15")});
  // h-1 talked with c-1 this month, visited last quarter only; h-2's contact is not h-1's.
  Write(kVillage, "contact", "k-1",
        {Set("kind", "talk"), Set("child", "c-1"), Set("helper", "h-1"), Set("date", "2026-11-03"),
         Set("notes", "聊了学习")});
  Write(kVillage, "contact", "k-2",
        {Set("kind", "home_visit"), Set("child", "c-1"), Set("helper", "h-1"),
         Set("date", "2026-08-10")});
  Write(
      kVillage, "contact", "k-3",
      {Set("kind", "talk"), Set("child", "c-2"), Set("helper", "h-2"), Set("date", "2026-11-05")});
  const Viewer parent{Role::kCaringParent, kVillage, "h-1"};

  // Their child: the name (and gender), nothing else of the record.
  ASSERT_OK_AND_ASSIGN(ViewedRecord child,
                       reader_->Get(parent, crdt::RecordKey{kVillage, "child", "c-1"}));
  EXPECT_EQ(OneOr(child.fields, "name"), "王小明");
  EXPECT_EQ(child.fields.count("address"), 0u);
  EXPECT_EQ(child.fields.count("category"), 0u);
  EXPECT_EQ(child.fields.count("id_number"), 0u);
  EXPECT_TRUE(Hidden(child, "birth_date"));
  // Another child of the same village, another helper's pairing and contact: refused.
  for (const crdt::RecordKey& key :
       {crdt::RecordKey{kVillage, "child", "c-2"}, crdt::RecordKey{kVillage, "pairing", "p-2"},
        crdt::RecordKey{kVillage, "contact", "k-3"}, crdt::RecordKey{kVillage, "guardian", "g-1"},
        crdt::RecordKey{kVillage, "report", "r-1"}, crdt::RecordKey{kTown, "helper", "h-1"}}) {
    const auto r = reader_->Get(parent, key);
    EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied) << key.ToString();
    EXPECT_NE(r.status().message().find("爱心家长"), std::string::npos) << r.status().message();
  }
  ASSERT_OK_AND_ASSIGN(ViewedRecord pairing,
                       reader_->Get(parent, crdt::RecordKey{kVillage, "pairing", "p-1"}));
  EXPECT_EQ(OneOr(pairing.fields, "kind"), "family_care");
  ASSERT_OK_AND_ASSIGN(ViewedRecord contact,
                       reader_->Get(parent, crdt::RecordKey{kVillage, "contact", "k-1"}));
  EXPECT_EQ(OneOr(contact.fields, "notes"), "聊了学习");  // their own contact, whole

  // Lists: only theirs, without a trace of the others.
  ASSERT_OK_AND_ASSIGN(Listing children, reader_->List(parent, "child", kVillage));
  EXPECT_EQ(Ids(children), std::vector<std::string>{"c-1"});
  ASSERT_OK_AND_ASSIGN(Listing contacts, reader_->List(parent, "contact", kVillage));
  EXPECT_EQ(Ids(contacts), (std::vector<std::string>{"k-1", "k-2"}));
  ASSERT_OK_AND_ASSIGN(Listing helpers, reader_->List(parent, "helper", "jinjiang"));
  EXPECT_TRUE(helpers.records.empty());
  // A director's view is unchanged: both children.
  ASSERT_OK_AND_ASSIGN(Listing all, reader_->List(Viewer{Role::kVillageDirector, kVillage, "u-d"},
                                                  "child", kVillage));
  EXPECT_EQ(Ids(all), (std::vector<std::string>{"c-1", "c-2"}));

  // What is due: this month's talk done; this quarter's visit due by 2026-12-31.
  ASSERT_OK_AND_ASSIGN(std::vector<PairedChild> mine,
                       reader_->PairedChildren(parent, kVillage, Date{2026, 11, 29}));
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0].child, "c-1");
  EXPECT_EQ(mine[0].child_name, "王小明");
  EXPECT_EQ(mine[0].kind, "family_care");
  EXPECT_TRUE(mine[0].talk_done);
  EXPECT_EQ(mine[0].talk_due_by, (Date{2026, 11, 30}));
  EXPECT_FALSE(mine[0].visit_done);
  EXPECT_EQ(mine[0].visit_due_by, (Date{2026, 12, 31}));
  // The pairing started in January: no talk from February to October (a run of 9 months); the
  // visit of the last complete quarter was made.
  ASSERT_EQ(mine[0].overdue.size(), 1u);
  EXPECT_EQ(mine[0].overdue[0].pairing, "p-1");
  EXPECT_EQ(mine[0].overdue[0].duty, CareDuty::kMonthlyTalk);
  EXPECT_EQ(mine[0].overdue[0].first_missed, "2026-02");
  // In January this month's talk is not made yet, and is due by its end.
  ASSERT_OK_AND_ASSIGN(mine, reader_->PairedChildren(parent, kVillage, Date{2027, 1, 5}));
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_FALSE(mine[0].talk_done);
  EXPECT_EQ(mine[0].talk_due_by, (Date{2027, 1, 31}));
  // Only a caring parent has paired children, and only in their own unit.
  EXPECT_EQ(reader_
                ->PairedChildren(Viewer{Role::kVillageDirector, kVillage, "u-d"}, kVillage,
                                 Date{2026, 11, 29})
                .status()
                .code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(reader_->PairedChildren(parent, kOtherVillage, Date{2026, 11, 29}).status().code(),
            StatusCode::kPermissionDenied);
  // An ended pairing is no longer theirs.
  Write(kVillage, "pairing", "p-1", {Set("end_date", "2026-11-28")});
  EXPECT_EQ(reader_->Get(parent, crdt::RecordKey{kVillage, "child", "c-1"}).status().code(),
            StatusCode::kPermissionDenied);
}

TEST(ExportKindTest, NamesRoundTripAndOthersAreRefused) {
  for (ExportKind k :
       {ExportKind::kChildren, ExportKind::kStudyAid, ExportKind::kFamilyCareOverdue}) {
    EXPECT_EQ(ParseExportKind(ExportKindName(k)), k);
  }
  EXPECT_EQ(ExportKindName(ExportKind::kStudyAid), "study_aid");
  EXPECT_FALSE(ParseExportKind("Children").has_value());
  EXPECT_FALSE(ParseExportKind("").has_value());
  EXPECT_FALSE(ParseExportKind("unknown").has_value());
}

}  // namespace
}  // namespace fulei::programme
