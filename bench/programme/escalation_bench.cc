// The city's escalation scan (escalation.h) over a real LMDB store: how long one timer tick takes.
//
// Setup (not timed): 385 villages in 19 towns, each with `cases` urgent records (3 reports to 1
// help request; a third acknowledged, a tenth closed, the rest open), written through
// Store::WriteLocal without a sealer (checksums only; a sealed store adds one AEAD open per
// record). Timed: ScanEscalations(store, "jinjiang", now) at a `now` when every open case is
// overdue and none is flagged yet (the worst tick: every case decoded, every flag planned).
// Argument: urgent records per village.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#include "programme/escalation.h"
#include "store/store.h"
#include "tests/support/temp_dir.h"

namespace fulei::programme {
namespace {

constexpr int kTowns = 19;
constexpr int kVillages = 385;

crdt::FieldWrite Set(std::string f, std::string v) {
  return crdt::FieldWrite{std::move(f), crdt::WriteKind::kSet, std::move(v), {}};
}

void BM_EscalationScan(benchmark::State& state) {
  const int per_village = static_cast<int>(state.range(0));
  fulei::testing::TempDir dir;  // declared first: removed after the store closes
  store::StoreOptions options;
  options.node_id = 1;
  options.reserve_bytes = 0;
  auto st = store::Store::Open(dir.path(), options);
  if (!st.ok()) {
    state.SkipWithError(st.status().ToString().c_str());
    return;
  }
  store::Store& s = **st;
  crdt::HybridClock clock;
  uint64_t wall = 1'764'381'600'000;
  const int64_t reported = 1'764'381'600;  // 2026-11-29T02:00:00Z
  int64_t open = 0;
  for (int v = 0; v < kVillages; ++v) {
    const std::string scope = "jinjiang/t" + std::to_string(v % kTowns) + "/v" + std::to_string(v);
    std::vector<store::LocalChange> changes;
    for (int k = 0; k < per_village; ++k) {
      const bool help = k % 4 == 3;
      std::vector<crdt::FieldWrite> w{Set("reported_at", FormatTime(reported + k * 60)),
                                      Set("child", "c" + std::to_string(k))};
      if (k % 3 == 0) {
        w.push_back(
            crdt::AppendWrite("acks", FormatTime(reported + k * 60 + 300) + "\tu-1\tjinjiang/t1"));
      } else if (k % 10 == 1) {
        w.push_back(Set("status", "closed"));
      } else {
        ++open;
      }
      changes.push_back(store::LocalChange{
          crdt::RecordKey{scope, help ? "help_request" : "report", "k" + std::to_string(k)},
          std::move(w), "u-dir", crdt::kOpFlagUrgent});
    }
    auto ops = s.WriteLocal(changes, clock, wall += 1000);
    if (!ops.ok()) {
      state.SkipWithError(ops.status().ToString().c_str());
      return;
    }
  }
  const int64_t now = reported + 86400;
  size_t flagged = 0;
  for (auto _ : state) {
    auto scan = ScanEscalations(s, "jinjiang", now, {});
    if (!scan.ok()) {
      state.SkipWithError(scan.status().ToString().c_str());
      break;
    }
    flagged = scan->changes.size();
    benchmark::DoNotOptimize(flagged);
  }
  state.counters["cases"] = static_cast<double>(kVillages * per_village);
  state.counters["flagged"] = static_cast<double>(flagged);
  state.counters["open"] = static_cast<double>(open);
}
BENCHMARK(BM_EscalationScan)->Arg(4)->Arg(20)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace fulei::programme

BENCHMARK_MAIN();
