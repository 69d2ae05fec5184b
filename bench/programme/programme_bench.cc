// City dashboard over 1,000,000 contacts (target: <= 100 ms per query; DESIGN.md / issue 7).
//
// Setup (not timed): a city of 19 towns and 385 villages, 30 children per village (11,550), a
// family-care pairing for every left-behind child, 1,000,000 contacts over 2025–2026, 2,000
// urgent reports, activities, helpers. Two variants: each record fed through
// ApplyAggregateChange into an in-memory index (BM_*Dashboard, BM_TownHelperCompliance); and the
// same records written to a real LMDB store through Store::WriteLocal with the AggregateIndexer
// registered, the dashboard read through Store::ScanIndex (BM_CityDashboardStore). Timed: the
// dashboard reads. The setup rates are printed to stderr. Run one variant with
// --benchmark_filter=Store (or =-Store... see Google Benchmark's filter syntax).
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <random>

#include "programme/aggregate.h"
#include "programme/aggregate_store.h"
#include "programme/memory_index.h"
#include "tests/support/temp_dir.h"

namespace fulei::programme {
namespace {

constexpr int kTowns = 19;
constexpr int kVillages = 385;
constexpr int kChildrenPerVillage = 30;
constexpr int kContacts = 1'000'000;
const Date kToday{2026, 11, 29};

std::string Town(int t) { return "jinjiang/t" + std::to_string(t); }
std::string Village(int v) { return Town(v % kTowns) + "/v" + std::to_string(v); }

// Generates the city: every record goes to `emit`, in a fixed order (seeded).
void Generate(int contacts, const std::function<void(crdt::RecordKey, Fields)>& emit) {
  std::mt19937 rng(42);
  auto R = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
  auto apply = [&](std::string scope, std::string type, std::string id, Fields f) {
    emit(crdt::RecordKey{std::move(scope), std::move(type), std::move(id)}, std::move(f));
  };
  static const char* kCats[] = {"left_behind", "left_behind", "in_difficulty", "orphan",
                                "de_facto_unsupported"};
  for (int v = 0; v < kVillages; ++v) {
    const std::string scope = Village(v);
    for (int k = 0; k < kChildrenPerVillage; ++k) {
      const std::string id = "c" + std::to_string(k);
      const std::string cat = kCats[R(5)];
      Date birth{2008 + R(18), 1 + R(12), 1 + R(28)};
      apply(scope, "child", id,
            {{"gender", {R(2) ? "male" : "female"}},
             {"birth_date", {birth.ToString()}},
             {"category", {cat}},
             {"school_level", {R(2) ? "junior_high" : "primary"}},
             {"study_aid_wish", {R(2) ? "yes" : "no"}}});
      if (cat == "left_behind") {
        apply(scope, "pairing", "p" + std::to_string(k),
              {{"helper", {"h" + std::to_string(v) + "-" + std::to_string(k % 5)}},
               {"child", {id}},
               {"kind", {"family_care"}},
               {"start_date", {"2025-01-01"}}});
      }
    }
    for (int h = 0; h < 5; ++h) {
      apply(scope, "helper", "h" + std::to_string(v) + "-" + std::to_string(h),
            {{"kind", {"volunteer"}}, {"loving_parent", {"true"}}});
    }
    apply(scope, "activity", "a1",
          {{"kind", {"summer_camp"}},
           {"start_date", {"2026-07-01"}},
           {"end_date", {"2026-07-10"}},
           {"attendance", {"25"}}});
  }
  const int64_t base = *ParseTime("2026-01-01T00:00:00Z");
  for (int r = 0; r < 2000; ++r) {
    const int64_t at = base + static_cast<int64_t>(R(330 * 24)) * 3600;
    Fields f{{"reported_at", {FormatTime(at)}}};
    if (R(10) > 0) f["acknowledged_at"] = {FormatTime(at + R(240) * 60)};
    apply(Village(R(kVillages)), "report", "r" + std::to_string(r), f);
  }
  static const char* kKinds[] = {"talk", "talk", "home_visit", "video_call"};
  for (int i = 0; i < contacts; ++i) {
    const int v = R(kVillages);
    const int k = R(kChildrenPerVillage);
    Date d{2025 + R(2), 1 + R(12), 1 + R(28)};
    if (d > kToday) d = Date{2026, 11, 1 + R(28)};
    apply(Village(v), "contact", "k" + std::to_string(i),
          {{"kind", {kKinds[R(4)]}},
           {"child", {"c" + std::to_string(k)}},
           {"helper", {"h" + std::to_string(v) + "-" + std::to_string(k % 5)}},
           {"date", {d.ToString()}}});
  }
}

struct City {
  MemoryIndex idx;
};

City& TheCity() {
  static City* city = [] {
    auto* c = new City;
    int64_t records = 0;
    const auto start = std::chrono::steady_clock::now();
    Generate(kContacts, [&](crdt::RecordKey key, Fields f) {
      Status s = ApplyAggregateChange(key, nullptr, &f, c->idx);
      if (!s.ok()) {
        std::fprintf(stderr, "apply: %s\n", s.ToString().c_str());
        std::abort();
      }
      ++records;
    });
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::fprintf(stderr,
                 "memory setup: %lld records through the indexer in %.1f s (%.0f records/s); "
                 "%zu index entries\n",
                 static_cast<long long>(records), secs, static_cast<double>(records) / secs,
                 c->idx.entries().size());
    return c;
  }();
  return *city;
}

// The same city in a real LMDB store (unsealed: a benchmark), written with WriteLocal in batches
// of 2,000 changes, the AggregateIndexer registered. FULEI_BENCH_STORE_CONTACTS sets the number of
// contacts (default 1,000,000).
struct StoreCity {
  std::string dir;
  AggregateIndexer indexer;
  std::unique_ptr<store::Store> store;
};

StoreCity& TheStoreCity() {
  static StoreCity* city = [] {
    static const fulei::testing::TempDir dir;  // removed at exit; the city is never destroyed
    auto* c = new StoreCity;
    c->dir = dir.path();
    store::StoreOptions options;
    options.node_id = 1;
    options.reserve_bytes = 0;
    options.indexers = {&c->indexer};
    auto st = store::Store::Open(c->dir, options);
    if (!st.ok()) {
      std::fprintf(stderr, "open: %s\n", st.status().ToString().c_str());
      std::abort();
    }
    c->store = std::move(*st);
    const char* env = std::getenv("FULEI_BENCH_STORE_CONTACTS");
    const int contacts = env ? std::atoi(env) : kContacts;
    crdt::HybridClock clock;
    uint64_t wall = 1'764'400'000'000;
    std::vector<store::LocalChange> batch;
    int64_t records = 0;
    auto flush = [&] {
      if (batch.empty()) return;
      auto ops = c->store->WriteLocal(batch, clock, wall += 1000);
      if (!ops.ok()) {
        std::fprintf(stderr, "write: %s\n", ops.status().ToString().c_str());
        std::abort();
      }
      batch.clear();
    };
    const auto start = std::chrono::steady_clock::now();
    Generate(contacts, [&](crdt::RecordKey key, Fields f) {
      store::LocalChange change{std::move(key), {}, "u-bench", 0};
      for (auto& [name, values] : f) {
        change.writes.push_back(
            crdt::FieldWrite{name, crdt::WriteKind::kSet, std::move(values.front()), {}});
      }
      batch.push_back(std::move(change));
      ++records;
      if (batch.size() == 2000) flush();
    });
    flush();
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::fprintf(stderr,
                 "store setup: %lld records (%d contacts) written through WriteLocal + indexer in "
                 "%.1f s (%.0f records/s)\n",
                 static_cast<long long>(records), contacts, secs,
                 static_cast<double>(records) / secs);
    return c;
  }();
  return *city;
}

void BM_CityDashboardStore(benchmark::State& state) {
  StoreCity& c = TheStoreCity();
  StoreCounterReader reader(*c.store);
  const int64_t now = *ParseTime("2026-11-29T12:00:00Z");
  int64_t children = 0, talked = 0;
  for (auto _ : state) {
    auto d = ReadDashboard(reader, "jinjiang", kToday, now);
    if (!d.ok()) {
      state.SkipWithError(d.status().ToString().c_str());
      break;
    }
    children = d->children;
    talked = d->talked_this_month;
    benchmark::DoNotOptimize(d);
  }
  state.counters["children"] = static_cast<double>(children);
  state.counters["talked_this_month"] = static_cast<double>(talked);
}
BENCHMARK(BM_CityDashboardStore)->Unit(benchmark::kMillisecond);

void BM_CityDashboard(benchmark::State& state) {
  City& c = TheCity();
  const int64_t now = *ParseTime("2026-11-29T12:00:00Z");
  int64_t children = 0;
  for (auto _ : state) {
    auto d = ReadDashboard(c.idx, "jinjiang", kToday, now);
    if (!d.ok()) state.SkipWithError(d.status().ToString().c_str());
    children = d->children;
    benchmark::DoNotOptimize(d);
  }
  int64_t counters = 0;
  (void)c.idx.Scan("u|jinjiang|", [&](std::string_view, std::string_view) {
    ++counters;
    return true;
  });
  state.counters["children"] = static_cast<double>(children);
  state.counters["contacts"] = kContacts;
  state.counters["city_counters"] = static_cast<double>(counters);
}
BENCHMARK(BM_CityDashboard)->Unit(benchmark::kMillisecond);

void BM_TownDashboard(benchmark::State& state) {
  City& c = TheCity();
  for (auto _ : state) {
    auto d = ReadDashboard(c.idx, "jinjiang/t3", kToday, 0);
    benchmark::DoNotOptimize(d);
  }
}
BENCHMARK(BM_TownDashboard)->Unit(benchmark::kMillisecond);

void BM_VillageDashboard(benchmark::State& state) {
  City& c = TheCity();
  for (auto _ : state) {
    auto d = ReadDashboard(c.idx, Village(7), kToday, 0);
    benchmark::DoNotOptimize(d);
  }
}
BENCHMARK(BM_VillageDashboard)->Unit(benchmark::kMillisecond);

void BM_TownHelperCompliance(benchmark::State& state) {
  City& c = TheCity();
  for (auto _ : state) {
    auto h = ReadHelperCompliance(c.idx, "jinjiang/t3", kToday);
    benchmark::DoNotOptimize(h);
  }
}
BENCHMARK(BM_TownHelperCompliance)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace fulei::programme

BENCHMARK_MAIN();
