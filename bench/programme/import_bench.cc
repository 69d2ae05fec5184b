// Import rate for a town's 10,000-row children list in XLSX (issue 16's figure "import rows per
// second for a 10,000-row XLSX").
//
// Setup (not timed): a workbook written with libxlsxwriter as a town would keep it — a title
// row, the header, 10,000 children over 20 villages with ID numbers, dates stored as Excel
// dates, and a signature row — and a real LMDB store. Timed:
//   BM_ReadXlsx           ReadTable of the file's bytes (unzip, XML, shared strings, dates);
//   BM_PlanNew            ReadTable + PlanImport into an empty store (every row created);
//   BM_PlanAndWrite       ReadTable + PlanImport + Store::WriteLocal of the plan, a fresh store
//                         each iteration (the whole import, as the CLI does it less WriteAs's
//                         second check);
//   BM_PlanUnchanged      ReadTable + PlanImport of the same file again (nothing new).
// items_per_second is rows per second.
#include <benchmark/benchmark.h>
#include <xlsxwriter.h>

#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <string>

#include "crdt/hlc.h"
#include "programme/id_number.h"
#include "programme/import.h"
#include "programme/import_table.h"
#include "store/store.h"
#include "tests/support/temp_dir.h"

namespace fulei::programme {
namespace {

constexpr int kRows = 10'000;

std::string MakeWorkbook(const std::string& path) {
  lxw_workbook* wb = workbook_new(path.c_str());
  lxw_worksheet* ws = workbook_add_worksheet(wb, "花名册");
  lxw_format* date = workbook_add_format(wb);
  format_set_num_format(date, "yyyy/m/d");
  const char* header[] = {"序号",     "所属村（社区）", "姓名",     "性别",
                          "出生日期", "公民身份号码",   "儿童类别", "同意日期",
                          "现住址",   "就学情况",       "联系电话"};
  worksheet_write_string(ws, 0, 0, "磁灶镇儿童花名册", nullptr);
  for (lxw_col_t c = 0; c < std::size(header); ++c) {
    worksheet_write_string(ws, 1, c, header[c], nullptr);
  }
  static const char* kSurnames[] = {"王", "李", "张", "陈", "林", "黄", "吴", "蔡", "许", "洪"};
  static const char* kGiven[] = {"小明", "丽",   "晓",   "强",   "佳怡", "子涵", "浩然", "欣怡",
                                 "宇轩", "梓萱", "俊杰", "雨桐", "思远", "若曦", "嘉豪", "诗涵"};
  static const char* kCats[] = {"留守", "困境", "孤儿", "事实无人抚养"};
  static const char* kSchool[] = {"小学", "初中", "高中", "幼儿园"};
  std::mt19937 rng(16);
  for (int i = 0; i < kRows; ++i) {
    const auto row = static_cast<lxw_row_t>(i + 2);
    const int year = 2009 + i % 16, month = 1 + i % 12, day = 1 + i % 28;
    char birth[16];
    std::snprintf(birth, sizeof birth, "%04d%02d%02d", year, month, day);
    char seq[8];
    std::snprintf(seq, sizeof seq, "%03d", i % 1000);
    const std::string first17 = std::string("3505") + (i % 2 ? "82" : "81") + birth + seq;
    const std::string id = first17 + IdNumberCheckChar(first17);
    const bool male = (i % 1000) % 2 == 1;
    const std::string name = std::string(kSurnames[rng() % 10]) + kGiven[rng() % 16] +
                             kGiven[static_cast<size_t>(i) % 16];
    worksheet_write_number(ws, row, 0, i + 1, nullptr);
    worksheet_write_string(ws, row, 1, ("v" + std::to_string(i % 20)).c_str(), nullptr);
    worksheet_write_string(ws, row, 2, name.c_str(), nullptr);
    worksheet_write_string(ws, row, 3, male ? "男" : "女", nullptr);
    lxw_datetime b = {year, month, day, 0, 0, 0};
    worksheet_write_datetime(ws, row, 4, &b, date);
    worksheet_write_string(ws, row, 5, id.c_str(), nullptr);
    worksheet_write_string(ws, row, 6, kCats[i % 4], nullptr);
    lxw_datetime consent = {2024, 1 + i % 12, 1 + i % 28, 0, 0, 0};
    worksheet_write_datetime(ws, row, 7, &consent, date);
    worksheet_write_string(ws, row, 8, ("磁灶镇某村" + std::to_string(i % 300) + "号").c_str(),
                           nullptr);
    worksheet_write_string(ws, row, 9, kSchool[i % 4], nullptr);
    worksheet_write_string(ws, row, 10, ("138" + std::to_string(10000000 + i)).c_str(), nullptr);
  }
  worksheet_write_string(ws, static_cast<lxw_row_t>(kRows + 3), 0, "填表人：", nullptr);
  workbook_close(wb);
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Fixture {
  testing::TempDir dir;
  std::string bytes = MakeWorkbook(dir.sub("children.xlsx"));
};

Fixture& Shared() {
  static Fixture* f = new Fixture();
  return *f;
}

ImportOptions Options() {
  ImportOptions o;
  o.kind = ImportKind::kChildren;
  o.unit = "jinjiang/cizao";
  o.writer = Viewer(Role::kTownOffice, "jinjiang/cizao", "u-bench");
  o.today = Date{2026, 12, 1};
  o.author = "u-bench";
  return o;
}

std::unique_ptr<store::Store> OpenStore(const std::string& dir) {
  store::StoreOptions options;
  options.node_id = 1;
  options.reserve_bytes = 0;
  auto s = store::Store::Open(dir, options);
  if (!s.ok()) std::abort();
  return std::move(*s);
}

void BM_ReadXlsx(benchmark::State& state) {
  const std::string& bytes = Shared().bytes;
  for (auto _ : state) {
    auto t = ReadTable(bytes);
    if (!t.ok() || t->rows.size() < kRows) state.SkipWithError("read failed");
    benchmark::DoNotOptimize(t);
  }
  state.SetItemsProcessed(state.iterations() * kRows);
  state.counters["file_kB"] = static_cast<double>(bytes.size()) / 1024;
}
BENCHMARK(BM_ReadXlsx)->Unit(benchmark::kMillisecond);

void BM_PlanNew(benchmark::State& state) {
  testing::TempDir dir;
  auto store = OpenStore(dir.sub("store"));
  StoreImportRecords records(*store);
  for (auto _ : state) {
    auto t = ReadTable(Shared().bytes);
    auto plan = PlanImport(*t, Options(), records);
    if (!plan.ok() || plan->created != kRows) state.SkipWithError("plan failed");
  }
  state.SetItemsProcessed(state.iterations() * kRows);
}
BENCHMARK(BM_PlanNew)->Unit(benchmark::kMillisecond);

void BM_PlanAndWrite(benchmark::State& state) {
  int n = 0;
  for (auto _ : state) {
    state.PauseTiming();
    testing::TempDir dir;
    auto store = OpenStore(dir.sub("store" + std::to_string(n++)));
    StoreImportRecords records(*store);
    crdt::HybridClock clock;
    state.ResumeTiming();
    auto t = ReadTable(Shared().bytes);
    auto plan = PlanImport(*t, Options(), records);
    if (!plan.ok() || plan->created != kRows) state.SkipWithError("plan failed");
    if (!store->WriteLocal(plan->changes, clock, 1'764'381'600'000).ok()) {
      state.SkipWithError("write failed");
    }
    state.PauseTiming();
    store.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * kRows);
}
BENCHMARK(BM_PlanAndWrite)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_PlanUnchanged(benchmark::State& state) {
  testing::TempDir dir;
  auto store = OpenStore(dir.sub("store"));
  StoreImportRecords records(*store);
  crdt::HybridClock clock;
  {
    auto t = ReadTable(Shared().bytes);
    auto plan = PlanImport(*t, Options(), records);
    if (!plan.ok() || !store->WriteLocal(plan->changes, clock, 1'764'381'600'000).ok()) {
      state.SkipWithError("setup failed");
      return;
    }
  }
  for (auto _ : state) {
    auto t = ReadTable(Shared().bytes);
    auto plan = PlanImport(*t, Options(), records);
    if (!plan.ok() || plan->unchanged != kRows) state.SkipWithError("re-import planned changes");
  }
  state.SetItemsProcessed(state.iterations() * kRows);
}
BENCHMARK(BM_PlanUnchanged)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace fulei::programme

BENCHMARK_MAIN();
