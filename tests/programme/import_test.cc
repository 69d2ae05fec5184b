// Importing a town's lists (programme/import.h): the header found under a title and above a
// signature row, cells normalised (full-width digits, the date forms people type, labels for
// codes), every row checked as the node checks a write, a report naming exactly the bad rows and
// columns, likely duplicates of children held, references by name, and idempotence: the plan
// writes nothing itself, and importing the same file twice creates nothing new.
#include "programme/import.h"

#include <gtest/gtest.h>
#include <iconv.h>
#include <xlsxwriter.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "crdt/hlc.h"
#include "programme/fields.h"
#include "programme/id_number.h"
#include "programme/scope.h"
#include "store/store.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace fulei::programme {
namespace {

using fulei::testing::TempDir;

constexpr char kTown[] = "jinjiang/cizao";
constexpr char kVillage[] = "jinjiang/cizao/v012";

// A valid ID number for a birth date "YYYYMMDD" and a 3-digit sequence (odd: male).
std::string Id(std::string_view birth, std::string_view seq) {
  std::string first17 = "350582" + std::string(birth) + std::string(seq);
  return first17 + IdNumberCheckChar(first17);
}

std::string Gb18030(const std::string& utf8) {
  iconv_t cd = iconv_open("GB18030", "UTF-8");
  EXPECT_NE(cd, reinterpret_cast<iconv_t>(-1));
  std::string out(utf8.size() * 2 + 16, '\0');
  char* in = const_cast<char*>(utf8.data());
  size_t in_left = utf8.size();
  char* o = out.data();
  size_t out_left = out.size();
  EXPECT_NE(iconv(cd, &in, &in_left, &o, &out_left), static_cast<size_t>(-1));
  iconv_close(cd);
  out.resize(out.size() - out_left);
  return out;
}

class ImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::StoreOptions options;
    options.node_id = 1;
    options.reserve_bytes = 0;
    ASSERT_OK_AND_ASSIGN(store_, store::Store::Open(dir_.sub("store"), options));
    records_ = std::make_unique<StoreImportRecords>(*store_);
  }

  ImportOptions Options(ImportKind kind) {
    ImportOptions o;
    o.kind = kind;
    o.unit = kTown;
    o.writer = Viewer(Role::kTownOffice, kTown, "u-1");
    o.today = Date{2026, 12, 1};
    o.author = "u-1";
    return o;
  }

  Result<ImportPlan> Plan(std::string_view bytes, ImportKind kind = ImportKind::kChildren) {
    FULEI_ASSIGN_OR_RETURN(ImportTable table, ReadTable(bytes));
    return PlanImport(table, Options(kind), *records_);
  }

  void Apply(const ImportPlan& plan) {
    if (plan.changes.empty()) return;
    ASSERT_OK(store_->WriteLocal(plan.changes, clock_, wall_ms_ += 1000));
  }

  // Records of `type` held at or below the town.
  std::vector<std::pair<crdt::RecordKey, Fields>> Held(std::string_view type) {
    std::vector<std::pair<crdt::RecordKey, Fields>> out;
    EXPECT_OK(
        store_->ForEach(type, kTown, [&](const crdt::RecordKey& k, const crdt::RecordState& s) {
          if (auto f = ReadFields(s)) out.emplace_back(k, *f);
          return true;
        }));
    return out;
  }

  // The (row, column) of every refused cell.
  static std::vector<std::pair<uint32_t, std::string>> Where(const ImportPlan& plan) {
    std::vector<std::pair<uint32_t, std::string>> out;
    for (const ImportProblem& p : plan.rejected) out.emplace_back(p.row, p.column);
    return out;
  }

  TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<StoreImportRecords> records_;
  crdt::HybridClock clock_;
  uint64_t wall_ms_ = 1'764'381'600'000;
};

// Title row, blank row, header, data with the date forms people type, a blank row, a signature.
std::string ChildrenCsv() {
  return "磁灶镇留守儿童花名册,,,,,,,\n"
         ",,,,,,,\n"
         "序号,所属村（社区）,姓名,性别,出生日期,公民身份号码,儿童类别,同意日期\n"
         "1,v012,王小明,男,2015.3.4," +
         Id("20150304", "123") +
         ",留守,2024年1月2日\n"
         "2,v012,李丽,女,2016年5月6日,,困境儿童,2024/1/2\n"
         "3,v012,陈晓,女,2014/11/20,,in_difficulty,2024-01-02\n"
         ",,,,,,,\n"
         "4,v012,张强,male,2010-01-09,,孤儿,\n"
         "填表人：林老师,,审核人：,,,,,\n"
         "5,v012,不该导入,男,2010-01-01,,孤儿,\n";
}

TEST_F(ImportTest, FindsTheHeaderUnderATitleAndStopsAtTheSignatureRow) {
  ASSERT_OK_AND_ASSIGN(ImportPlan plan, Plan(ChildrenCsv()));
  EXPECT_EQ(plan.header_row, 3u);
  EXPECT_EQ(plan.rows, 4u);  // rows 4, 5, 6 and 8; row 7 is blank, row 10 follows the signature
  EXPECT_EQ(plan.created, 4u);
  EXPECT_TRUE(plan.rejected.empty()) << FormatImportReport(plan);
  EXPECT_EQ(plan.change_rows, (std::vector<uint32_t>{4, 5, 6, 8}));
  for (const store::LocalChange& c : plan.changes) {
    EXPECT_EQ(c.key.scope, kVillage);
    EXPECT_EQ(c.key.type, "child");
    EXPECT_EQ(c.author, "u-1");
    EXPECT_EQ(c.key.id.find("王"), std::string::npos);  // never a name in a key
  }
}

TEST_F(ImportTest, NormalisesDatesCodesAndFullWidthDigits) {
  const std::string fw_id =
      "３５０５８２２０１５０３０４１２３" + std::string(1, Id("20150304", "123").back());
  const std::string csv =
      "姓名,性别,出生日期,身份证号,儿童类别,同意日期\n"
      "王小明,男,２０１５．３．４," +
      fw_id + ",留守,２０２４年１月２日\n";
  ASSERT_OK_AND_ASSIGN(ImportPlan plan, Plan(csv));
  ASSERT_TRUE(plan.rejected.empty()) << FormatImportReport(plan);
  Apply(plan);
  auto held = Held("child");
  ASSERT_EQ(held.size(), 1u);
  // No village column: the town's own child, in its office scope.
  EXPECT_EQ(held[0].first.scope, OfficeScope(kTown));
  const Fields& f = held[0].second;
  EXPECT_EQ(OneOr(f, "birth_date"), "2015-03-04");
  EXPECT_EQ(OneOr(f, "id_number"), Id("20150304", "123"));
  EXPECT_EQ(OneOr(f, "gender"), "male");
  EXPECT_EQ(OneOr(f, "category"), "left_behind");
  EXPECT_EQ(OneOr(f, "consent_on"), "2024-01-02");
}

TEST(ImportNormaliseTest, EachDateForm) {
  for (std::string_view form :
       {"2015.3.4", "2015年3月4日", "2015/3/4", "2015-03-04", "2015-3-4", "20150304", "42067",
        "2015/03/04 00:00:00", " 2015.03.04 ", "２０１５－０３－０４"}) {
    Result<std::string> d = NormaliseDate(form);
    ASSERT_TRUE(d.ok()) << form << ": " << d.status().message();
    EXPECT_EQ(*d, "2015-03-04") << form;
  }
  for (std::string_view bad :
       {"2015.13.4", "2015年2月30日", "15.3.4", "2015", "3/4/2015", "2015-03-04x", ""}) {
    EXPECT_FALSE(NormaliseDate(bad).ok()) << bad;
  }
  EXPECT_EQ(NormaliseCell("　ＡＢｃ１２３　"), "ABc123");
}

TEST_F(ImportTest, ReportNamesExactlyTheBadRowsAndColumns) {
  const std::string csv =
      "姓名,性别,出生日期,身份证号,儿童类别,同意日期\n"        // row 1
      "好,男,2015.3.4,,留守,2024.1.2\n"                        // row 2: fine
      "坏日期,男,2015.13.4,,留守,2024.1.2\n"                   // row 3: 出生日期
      "坏性别,未知,2015.3.4,,留守,2024.1.2\n"                  // row 4: 性别
      "好二,女,2015.3.5,,困境,2024.1.2\n"                      // row 5: fine
      "坏号码,男,2015.3.4,350582201503041230,留守,2024.1.2\n"  // row 6: 身份证号 checksum
      "未来,男,2030.1.1,,留守,2030.1.2\n"      // row 7: 出生日期 after today, 同意日期
      "没同意,男,2020.1.1,,留守,\n"            // row 8: consent missing (no cell)
      "两处,男,2015.3.4,,不知道,2024.13.1\n";  // row 9: 儿童类别 and 同意日期
  ASSERT_OK_AND_ASSIGN(ImportPlan plan, Plan(csv));
  using W = std::vector<std::pair<uint32_t, std::string>>;
  EXPECT_EQ(Where(plan), (W{{3, "出生日期"},
                            {4, "性别"},
                            {6, "身份证号"},
                            {7, "出生日期"},
                            {7, "同意日期"},
                            {8, "同意日期"},
                            {9, "儿童类别"},
                            {9, "同意日期"}}))
      << FormatImportReport(plan);
  EXPECT_EQ(plan.created, 2u);
  EXPECT_EQ(plan.change_rows, (std::vector<uint32_t>{2, 5}));
  const ImportProblem& first = plan.rejected.front();
  EXPECT_EQ(first.value, "2015.13.4");
  EXPECT_NE(first.reason.find("不是有效日期"), std::string::npos) << first.reason;
  EXPECT_NE(first.reason.find(" / not a date"), std::string::npos) << first.reason;
  const std::string report = FormatImportReport(plan);
  EXPECT_NE(report.find("第 3 行 / row 3，「出生日期」 = 2015.13.4"), std::string::npos) << report;
}

TEST_F(ImportTest, GbkCsvFromExcelImports) {
  ASSERT_OK_AND_ASSIGN(ImportPlan plan, Plan(Gb18030(ChildrenCsv())));
  EXPECT_EQ(plan.format, TableFormat::kCsvGb18030);
  EXPECT_EQ(plan.created, 4u);
  EXPECT_TRUE(plan.rejected.empty()) << FormatImportReport(plan);
}

TEST_F(ImportTest, XlsxInTheNationalFormsColumnsImports) {
  const std::string path = dir_.sub("children.xlsx");
  lxw_workbook* wb = workbook_new(path.c_str());
  lxw_worksheet* ws = workbook_add_worksheet(wb, nullptr);
  lxw_format* date = workbook_add_format(wb);
  format_set_num_format(date, "yyyy/m/d");
  const char* header[] = {"序号",         "姓名",         "性别代码",  "性别",
                          "出生日期",     "公民身份号码", "儿童类别",  "所属村（社区）",
                          "是否学校寄宿", "同意日期",     "监护人姓名"};
  worksheet_write_string(ws, 0, 0, "2026年留守儿童基本情况登记表", nullptr);
  for (lxw_col_t c = 0; c < std::size(header); ++c)
    worksheet_write_string(ws, 1, c, header[c], nullptr);
  lxw_datetime born = {2015, 3, 4, 0, 0, 0}, consent = {2024, 1, 2, 0, 0, 0};
  worksheet_write_number(ws, 2, 0, 1, nullptr);
  worksheet_write_string(ws, 2, 1, "王小明", nullptr);
  worksheet_write_number(ws, 2, 2, 1, nullptr);
  worksheet_write_string(ws, 2, 3, "男", nullptr);
  worksheet_write_datetime(ws, 2, 4, &born, date);
  worksheet_write_string(ws, 2, 5, Id("20150304", "123").c_str(), nullptr);
  worksheet_write_string(ws, 2, 6, "留守", nullptr);
  worksheet_write_string(ws, 2, 7, "v012", nullptr);
  worksheet_write_string(ws, 2, 8, "是", nullptr);
  worksheet_write_datetime(ws, 2, 9, &consent, date);
  worksheet_write_string(ws, 2, 10, "王阿嬷", nullptr);
  worksheet_write_string(ws, 4, 0, "填表人：林老师", nullptr);
  ASSERT_EQ(workbook_close(wb), LXW_NO_ERROR);

  ASSERT_OK_AND_ASSIGN(ImportTable table, ReadTableFile(path));
  ASSERT_OK_AND_ASSIGN(ImportPlan plan,
                       PlanImport(table, Options(ImportKind::kChildren), *records_));
  EXPECT_EQ(plan.format, TableFormat::kXlsx);
  EXPECT_EQ(plan.header_row, 2u);
  ASSERT_EQ(plan.created, 1u) << FormatImportReport(plan);
  EXPECT_EQ(plan.ignored_columns, (std::vector<std::string>{}));
  Apply(plan);
  auto held = Held("child");
  ASSERT_EQ(held.size(), 1u);
  EXPECT_EQ(held[0].first.scope, kVillage);
  EXPECT_EQ(OneOr(held[0].second, "birth_date"), "2015-03-04");
  EXPECT_EQ(OneOr(held[0].second, "boarding"), "true");
}

TEST_F(ImportTest, PlanWritesNothingAndTheSameFileTwiceCreatesNothingNew) {
  ASSERT_OK_AND_ASSIGN(ImportPlan dry, Plan(ChildrenCsv()));
  ASSERT_EQ(dry.created, 4u);
  EXPECT_TRUE(Held("child").empty());  // a dry run is the plan not written

  ASSERT_OK_AND_ASSIGN(ImportPlan first, Plan(ChildrenCsv()));
  Apply(first);
  EXPECT_EQ(Held("child").size(), 4u);

  ASSERT_OK_AND_ASSIGN(ImportPlan again, Plan(ChildrenCsv()));
  EXPECT_TRUE(again.changes.empty());
  EXPECT_EQ(again.created, 0u);
  EXPECT_EQ(again.updated, 0u);
  EXPECT_EQ(again.unchanged, 4u);
  EXPECT_TRUE(again.duplicates.empty());  // a row's own record is not its duplicate
  // The same file in another encoding names the same records.
  ASSERT_OK_AND_ASSIGN(ImportPlan gb, Plan(Gb18030(ChildrenCsv())));
  EXPECT_TRUE(gb.changes.empty());
  EXPECT_EQ(Held("child").size(), 4u);
}

TEST_F(ImportTest, AChangedRowUpdatesOnlyItsChangedField) {
  ASSERT_OK_AND_ASSIGN(ImportPlan first, Plan(ChildrenCsv()));
  Apply(first);
  std::string csv = ChildrenCsv();
  const std::string from = "陈晓,女,2014/11/20,,in_difficulty";
  csv.replace(csv.find(from), from.size(), "陈晓,女,2014/11/20,,left_behind");
  ASSERT_OK_AND_ASSIGN(ImportPlan second, Plan(csv));
  ASSERT_EQ(second.changes.size(), 1u) << FormatImportReport(second);
  EXPECT_EQ(second.updated, 1u);
  EXPECT_EQ(second.unchanged, 3u);
  ASSERT_EQ(second.changes[0].writes.size(), 1u);
  EXPECT_EQ(second.changes[0].writes[0].field, "category");
  EXPECT_FALSE(second.changes[0].writes[0].supersedes.empty());
  Apply(second);
  ASSERT_OK_AND_ASSIGN(ImportPlan third, Plan(csv));
  EXPECT_TRUE(third.changes.empty());
}

TEST_F(ImportTest, ReportsLikelyDuplicatesOfChildrenHeld) {
  // A child already held in another village under another record id.
  store::LocalChange c{{"jinjiang/cizao/v020", "child", "c-old"}, {}, "u-0", 0};
  for (auto [f, v] :
       std::initializer_list<std::pair<const char*, const char*>>{{"name", "李丽"},
                                                                  {"gender", "female"},
                                                                  {"birth_date", "2016-05-06"},
                                                                  {"category", "in_difficulty"},
                                                                  {"consent_on", "2024-01-02"}}) {
    c.writes.push_back(crdt::FieldWrite{f, crdt::WriteKind::kSet, v, {}});
  }
  ASSERT_OK(store_->WriteLocal(std::span<const store::LocalChange>(&c, 1), clock_, wall_ms_));
  ASSERT_OK_AND_ASSIGN(ImportPlan plan, Plan(ChildrenCsv()));
  ASSERT_EQ(plan.duplicates.size(), 1u);
  EXPECT_EQ(plan.duplicates[0].row, 5u);
  EXPECT_EQ(plan.duplicates[0].existing.id, "c-old");
  EXPECT_EQ(plan.duplicates[0].reason, DuplicateReason::kSameNameAndBirth);
  EXPECT_EQ(plan.created, 4u);  // reported, still imported: a person decides
  EXPECT_NE(FormatImportReport(plan).find("可能重复"), std::string::npos);
}

TEST_F(ImportTest, DuplicatesWithinTheFileAndTheSameRecordTwice) {
  const std::string csv =
      "姓名,性别,出生日期,身份证号,儿童类别,同意日期,所属村\n"
      "王晓明,男,2015.3.4,,留守,2024.1.2,v012\n"
      "王小明,男,2015.3.4,,留守,2024.1.2,v013\n"   // homophone, another village
      "王晓明,男,2015.3.4,,留守,2024.1.2,v012\n";  // row 2 again
  ASSERT_OK_AND_ASSIGN(ImportPlan plan, Plan(csv));
  EXPECT_EQ(plan.created, 2u);
  ASSERT_EQ(plan.rejected.size(), 1u) << FormatImportReport(plan);
  EXPECT_EQ(plan.rejected[0].row, 4u);
  ASSERT_EQ(plan.duplicates.size(), 1u);
  EXPECT_EQ(plan.duplicates[0].row, 3u);
  EXPECT_EQ(plan.duplicates[0].other_row, 2u);
  EXPECT_EQ(plan.duplicates[0].reason, DuplicateReason::kHomophoneAndBirth);
}

TEST_F(ImportTest, VillagesAreResolvedByTheCallerAndMustBeUnderTheUnit) {
  ImportOptions o = Options(ImportKind::kChildren);
  o.resolve_unit = [](std::string_view cell) -> Result<std::string> {
    if (cell == "大埔村") return std::string(kVillage);
    if (cell == "别镇村") return std::string("jinjiang/chidian/v001");
    return InvalidArgument("不认识这个村 / unknown village");
  };
  const std::string csv =
      "姓名,性别,出生日期,儿童类别,同意日期,所属村（社区）\n"
      "甲,男,2015.3.4,留守,2024.1.2,大埔村\n"
      "乙,男,2015.3.4,留守,2024.1.2,别镇村\n"
      "丙,男,2015.3.4,留守,2024.1.2,火星村\n";
  ASSERT_OK_AND_ASSIGN(ImportTable table, ReadTable(csv));
  ASSERT_OK_AND_ASSIGN(ImportPlan plan, PlanImport(table, o, *records_));
  ASSERT_EQ(plan.changes.size(), 1u);
  EXPECT_EQ(plan.changes[0].key.scope, kVillage);
  using W = std::vector<std::pair<uint32_t, std::string>>;
  EXPECT_EQ(Where(plan), (W{{3, "所属村（社区）"}, {4, "所属村（社区）"}}));
}

TEST_F(ImportTest, AWriterWhoMayNotWriteHasEveryRowRefused) {
  ImportOptions o = Options(ImportKind::kChildren);
  o.writer = Viewer(Role::kAuditor, kTown, "u-audit");
  ASSERT_OK_AND_ASSIGN(ImportTable table, ReadTable(ChildrenCsv()));
  ASSERT_OK_AND_ASSIGN(ImportPlan plan, PlanImport(table, o, *records_));
  EXPECT_TRUE(plan.changes.empty());
  EXPECT_EQ(plan.rejected.size(), 4u);
}

TEST_F(ImportTest, MissingRequiredColumnOrNoHeaderIsAnError) {
  Result<ImportPlan> no_category = Plan("姓名,性别,出生日期\n甲,男,2015.3.4\n");
  ASSERT_FALSE(no_category.ok());
  EXPECT_NE(no_category.status().message().find("儿童类别"), std::string::npos);
  Result<ImportPlan> no_header = Plan("hello\nworld\n");
  ASSERT_FALSE(no_header.ok());
  EXPECT_EQ(no_header.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(no_header.status().message().find("表头"), std::string::npos);
}

TEST_F(ImportTest, RandomBytesPlanNothing) {
  std::string bytes(1 << 20, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>((i * 2654435761u) >> 13);
  Result<ImportPlan> plan = Plan(bytes);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Held("child").empty());
}

TEST_F(ImportTest, HelpersPairingsAndContactsByNameAndIdNumber) {
  ASSERT_OK_AND_ASSIGN(ImportPlan children, Plan(ChildrenCsv()));
  Apply(children);
  const std::string helpers =
      "帮扶人姓名,帮扶人类型,联系电话,性别,工作单位\n"
      "林老师,教师,13805950001,女,磁灶中心小学\n"
      "黄书记,党政干部,13805950002,男,大埔村委负责人\n"  // data, not a signature row
      "填表人：林老师,,,,\n";
  ASSERT_OK_AND_ASSIGN(ImportPlan h, Plan(helpers, ImportKind::kHelpers));
  ASSERT_EQ(h.created, 2u) << FormatImportReport(h);
  EXPECT_EQ(h.changes[0].key.scope, kTown);  // a registry: the town's own scope
  Apply(h);

  const std::string pairings =
      "帮扶人,儿童,结对类型,结对日期\n"
      "林老师," +
      Id("20150304", "123") +
      ",亲情关爱,2025.9.1\n"                 // child by ID number
      "黄书记,李丽,结对帮扶,2025年9月1日\n"  // child by name
      "黄书记,没这人,结对帮扶,2025.9.1\n"    // no such child
      "无名氏,李丽,结对帮扶,2025.9.1\n";     // no such helper
  ASSERT_OK_AND_ASSIGN(ImportPlan p, Plan(pairings, ImportKind::kPairings));
  ASSERT_EQ(p.created, 2u) << FormatImportReport(p);
  using W = std::vector<std::pair<uint32_t, std::string>>;
  EXPECT_EQ(Where(p), (W{{4, "儿童"}, {5, "帮扶人"}}));
  // A pairing lives with its child.
  EXPECT_EQ(p.changes[0].key.scope, kVillage);
  Apply(p);

  const std::string contacts =
      "联系方式,儿童,帮扶人,日期,时长（分钟）\n"
      "谈心交流,王小明,林老师,2026.11.3,30\n"
      "入户看望,王小明,林老师,2026.11.20,６０\n";
  ASSERT_OK_AND_ASSIGN(ImportPlan c, Plan(contacts, ImportKind::kContacts));
  ASSERT_EQ(c.created, 2u) << FormatImportReport(c);
  Apply(c);
  auto held = Held("contact");
  ASSERT_EQ(held.size(), 2u);
  ASSERT_OK_AND_ASSIGN(ImportPlan again, Plan(contacts, ImportKind::kContacts));
  EXPECT_TRUE(again.changes.empty());
  ASSERT_OK_AND_ASSIGN(ImportPlan p_again, Plan(pairings, ImportKind::kPairings));
  EXPECT_TRUE(p_again.changes.empty());
}

TEST(ImportKindTest, ParsesTheCliNames) {
  for (ImportKind k : {ImportKind::kChildren, ImportKind::kHelpers, ImportKind::kPairings,
                       ImportKind::kContacts}) {
    ASSERT_OK_AND_ASSIGN(ImportKind parsed, ParseImportKind(ImportKindName(k)));
    EXPECT_EQ(parsed, k);
  }
  EXPECT_FALSE(ParseImportKind("reports").ok());
}

}  // namespace
}  // namespace fulei::programme
