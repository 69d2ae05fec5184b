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
  EXPECT_NE(csv.find("困境儿童"), std::string::npos);  // plain fields stay
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
  const Viewer volunteer{Role::kVolunteer, kVillage, "u-vol"};
  ASSERT_OK(reader_->Export(volunteer, Request(ExportKind::kFamilyCareOverdue, kVillage),
                            ExportFormat::kCsv, path));
  csv = Read(path);
  EXPECT_NE(csv.find("h-1"), std::string::npos);  // names the volunteer may not see: ids
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

}  // namespace
}  // namespace fulei::programme
