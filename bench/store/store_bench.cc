// Store benchmarks (issue 3). Figures, all in one run so they share the machine's state:
//   - apply rate of remote ops in batches of 1,000 (one durable commit per batch), sealed
//     (XChaCha20-Poly1305, the production setting) and checksum-only. Remote ops reach the store
//     as sync delivers them: decoded by the session (crdt::DecodeOp, which it needs anyway to
//     verify signatures), with the bytes they came in, through Store::ApplyDecoded. A third
//     figure applies the same ops as structs through Store::ApplyBatch (validate and encode);
//   - raw LMDB puts of the same byte sizes (the sealed store's own ops and state values, same
//     batching, same durable commits) and the ratio store / raw (target >= 50 %), per wall second
//     and per CPU second of the whole process (a large batch also runs on a helper thread);
//   - reads by key and by scan (a type within a scope subtree);
//   - bytes per record in the state database vs the record's encoded bytes (target <= 1.5x),
//     and the op log's bytes per op.
// Sealing: crypto::DataKey through tests/store/data_key_sealer.h.
// Workload: 20,000 child records in 20 village scopes under one town; each op sets 4 fields
// (about 200 bytes of values) of one record and supersedes that record's previous values.
// Run: build/default/bench/store/store_bench   (FULEI_BENCH_DIR sets the directory, default /tmp)
#include <benchmark/benchmark.h>
#include <lmdb.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>

#include "crdt/codec.h"
#include "crdt/record.h"
#include "store/internal/keys.h"
#include "store/store.h"
#include "tests/store/data_key_sealer.h"
#include "tests/support/temp_dir.h"

namespace fulei::store {
namespace {

constexpr crdt::NodeId kOrigin = 0xa1;
constexpr uint64_t kRecords = 20'000;
constexpr uint64_t kVillages = 20;
constexpr size_t kBatch = 1000;
constexpr int kBatches = 60;  // 60,000 ops: every record created, then two thirds updated

// A fresh directory `name` under this run's own directory, made under FULEI_BENCH_DIR (default
// /tmp) and removed with everything in it when the run ends.
std::string BenchDir(const std::string& name) {
  static const fulei::testing::TempDir root([] {
    const char* base = std::getenv("FULEI_BENCH_DIR");
    return std::string(base != nullptr ? base : "/tmp");
  }());
  std::string dir = root.sub(name);
  std::filesystem::remove_all(dir);
  return dir;
}

std::string ScopeOf(uint64_t record) { return "city/t01/v" + std::to_string(record % kVillages); }

// The remote op of global number n (1-based). Op n writes record (n-1) % kRecords; its chain is
// the record's village scope, so seq = number of earlier ops in that scope + 1.
crdt::Op RemoteOp(uint64_t n) {
  uint64_t record = (n - 1) % kRecords;
  crdt::Op op;
  op.origin = kOrigin;
  op.key = crdt::RecordKey{ScopeOf(record), "child", "c-" + std::to_string(record)};
  op.seq = (n - 1) / kVillages + 1;  // ops n, n+20, n+40... share a scope: contiguous seqs
  op.stamp = crdt::Stamp{1'700'000'000'000ull + n, 0};
  op.author = "u-0042";
  crdt::OpId previous{crdt::Stamp{1'700'000'000'000ull + n - kRecords, 0}, kOrigin};
  for (const char* field : {"status", "school", "guardian_phone", "notes"}) {
    crdt::FieldWrite w;
    w.field = field;
    w.value = std::string(field) + ":" + std::to_string(n) + std::string(40, 'x');
    if (n > kRecords) w.supersedes.push_back(previous);
    op.writes.push_back(std::move(w));
  }
  return op;
}

struct Figures {
  double sealed_ops_per_s = 0, checked_ops_per_s = 0, raw_ops_per_s = 0, structs_ops_per_s = 0;
  // The same per second of the process's CPU time (every thread: the store seals and merges on
  // a helper thread beside the caller's): on a shared machine, wall time is
  // mostly waiting for a core, so this ratio is the steadier one.
  double sealed_ops_per_cpu_s = 0, checked_ops_per_cpu_s = 0, raw_ops_per_cpu_s = 0;
  double get_per_s = 0, scan_per_s = 0;
  double state_bytes_per_record = 0, encoded_bytes_per_record = 0, field_bytes_per_record = 0;
  double oplog_bytes_per_op = 0, encoded_op_bytes = 0;
  double compact_state_bytes_per_record = 0, compact_oplog_bytes_per_op = 0;
  uint64_t file_bytes = 0;
};
Figures g_figures;
testing::DataKeySealer g_sealer;
std::string g_sealed_dir;

std::unique_ptr<Store> OpenStore(const std::string& dir, const Sealer* sealer) {
  StoreOptions o;
  o.sealer = sealer;
  o.node_id = 0x51;
  o.reserve_bytes = 0;
  auto s = Store::Open(dir, o);
  if (!s.ok()) {
    std::fprintf(stderr, "open: %s\n", s.status().ToString().c_str());
    std::abort();
  }
  return std::move(s).value();
}

enum class Path { kDecoded, kStructs };

void ApplyRemote(benchmark::State& state, bool sealed, Path path) {
  std::string dir = BenchDir(!sealed ? "checked" : path == Path::kDecoded ? "sealed" : "structs");
  auto store = OpenStore(dir, sealed ? &g_sealer : nullptr);
  uint64_t n = 1;
  std::vector<crdt::Op> ops;
  std::vector<std::string> encoded;
  for (auto _ : state) {
    // Building (for sync: receiving and decoding) ops and freeing the last batch's are not the
    // store's work.
    state.PauseTiming();
    ops.clear();
    encoded.clear();
    ops.reserve(kBatch);
    for (size_t i = 0; i < kBatch; ++i) {
      ops.push_back(RemoteOp(n++));
      if (path == Path::kDecoded) encoded.push_back(crdt::EncodeOp(ops.back()));
    }
    state.ResumeTiming();
    auto r = path == Path::kDecoded ? store->ApplyDecoded(ops, encoded) : store->ApplyBatch(ops);
    if (!r.ok() || r->applied != kBatch) {
      state.SkipWithError(r.ok() ? "not all applied" : r.status().ToString().c_str());
      return;
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kBatch));
  if (sealed && path == Path::kDecoded) g_sealed_dir = dir;
  if (path == Path::kStructs) std::filesystem::remove_all(dir);
}

// Replays the sealed store's own bytes into a bare LMDB environment: per batch, the 1,000 op
// values, the state value of each record the batch touched, and one vv entry.
struct RawData {
  std::vector<std::pair<std::string, std::string>> ops;  // in apply order
  std::map<std::string, std::string> state_by_record;    // state key -> value
  std::vector<std::string> op_state_key;                 // per op
};

RawData ReadBack(const std::string& dir) {
  RawData d;
  MDB_env* env = nullptr;
  mdb_env_create(&env);
  mdb_env_set_maxdbs(env, 64);
  if (mdb_env_open(env, dir.c_str(), MDB_RDONLY, 0600) != 0) std::abort();
  MDB_txn* txn = nullptr;
  mdb_txn_begin(env, nullptr, MDB_RDONLY, &txn);
  MDB_dbi ops_dbi, state_dbi;
  mdb_dbi_open(txn, "ops", 0, &ops_dbi);
  mdb_dbi_open(txn, "state", 0, &state_dbi);
  // Ops are keyed (scope, origin, seq); put them back in apply order (global number n).
  std::map<uint64_t, std::pair<std::string, std::string>> by_n;
  MDB_cursor* cur = nullptr;
  MDB_val k, v;
  mdb_cursor_open(txn, ops_dbi, &cur);
  size_t i = 0;
  while (mdb_cursor_get(cur, &k, &v, i++ == 0 ? MDB_FIRST : MDB_NEXT) == 0) {
    std::string key(static_cast<char*>(k.mv_data), k.mv_size);
    auto parts = internal::ParseOpKey(key);
    if (!parts.ok()) std::abort();
    uint64_t village = std::stoull(parts->scope.substr(parts->scope.rfind('v') + 1));
    uint64_t n = (parts->seq - 1) * kVillages + village + 1;
    by_n[n] = {std::move(key), std::string(static_cast<char*>(v.mv_data), v.mv_size)};
  }
  mdb_cursor_close(cur);
  std::vector<std::pair<std::string, std::string>> state;
  mdb_cursor_open(txn, state_dbi, &cur);
  i = 0;
  while (mdb_cursor_get(cur, &k, &v, i++ == 0 ? MDB_FIRST : MDB_NEXT) == 0) {
    state.emplace_back(std::string(static_cast<char*>(k.mv_data), k.mv_size),
                       std::string(static_cast<char*>(v.mv_data), v.mv_size));
  }
  mdb_cursor_close(cur);
  mdb_txn_abort(txn);
  mdb_env_close(env);
  for (auto& [n, kv] : by_n) {
    uint64_t record = (n - 1) % kRecords;
    d.ops.push_back(std::move(kv));
    d.op_state_key.push_back(
        internal::StateKey({ScopeOf(record), "child", "c-" + std::to_string(record)}));
  }
  for (auto& [sk, sv] : state) d.state_by_record[sk] = std::move(sv);
  return d;
}

void RawLmdbPuts(benchmark::State& state) {
  if (g_sealed_dir.empty()) {
    state.SkipWithError("run after StoreApplyRemote/sealed");
    return;
  }
  static RawData data = ReadBack(g_sealed_dir);
  std::string dir = BenchDir("raw");
  std::filesystem::create_directories(dir);
  MDB_env* env = nullptr;
  mdb_env_create(&env);
  mdb_env_set_maxdbs(env, 8);
  mdb_env_set_mapsize(env, size_t{4} << 30);
  if (mdb_env_open(env, dir.c_str(), 0, 0600) != 0) std::abort();  // durable, like the store
  MDB_dbi ops_dbi, state_dbi, vv_dbi;
  {
    MDB_txn* txn = nullptr;
    mdb_txn_begin(env, nullptr, 0, &txn);
    mdb_dbi_open(txn, "ops", MDB_CREATE, &ops_dbi);
    mdb_dbi_open(txn, "state", MDB_CREATE, &state_dbi);
    mdb_dbi_open(txn, "vv", MDB_CREATE, &vv_dbi);
    mdb_txn_commit(txn);
  }
  size_t next = 0;
  std::string vv_value(12, 'v');
  for (auto _ : state) {
    MDB_txn* txn = nullptr;
    mdb_txn_begin(env, nullptr, 0, &txn);
    for (size_t i = 0; i < kBatch && next < data.ops.size(); ++i, ++next) {
      auto& [key, value] = data.ops[next];
      MDB_val k{key.size(), key.data()}, v{value.size(), value.data()};
      mdb_put(txn, ops_dbi, &k, &v, 0);
      std::string& sk = data.op_state_key[next];
      std::string& sv = data.state_by_record[sk];
      MDB_val k2{sk.size(), sk.data()}, v2{sv.size(), sv.data()};
      mdb_put(txn, state_dbi, &k2, &v2, 0);
    }
    for (uint64_t s = 0; s < kVillages; ++s) {  // the batch advanced 20 chains
      std::string vk = "vv-" + std::to_string(s);
      MDB_val k{vk.size(), vk.data()}, v{vv_value.size(), vv_value.data()};
      mdb_put(txn, vv_dbi, &k, &v, 0);
    }
    if (mdb_txn_commit(txn) != 0) std::abort();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kBatch));
  mdb_env_close(env);
  std::filesystem::remove_all(dir);
}

void GetByKey(benchmark::State& state) {
  auto store = OpenStore(g_sealed_dir, &g_sealer);
  std::mt19937_64 rng(7);
  for (auto _ : state) {
    uint64_t record = rng() % kRecords;
    auto got = store->Get({ScopeOf(record), "child", "c-" + std::to_string(record)});
    if (!got.ok() || !got->has_value()) {
      state.SkipWithError("record missing");
      return;
    }
    benchmark::DoNotOptimize(got);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

void ScanSubtree(benchmark::State& state) {
  auto store = OpenStore(g_sealed_dir, &g_sealer);
  int64_t records = 0;
  for (auto _ : state) {
    Status s = store->ForEach("child", "city/t01",
                              [&](const crdt::RecordKey&, const crdt::RecordState& st) {
                                benchmark::DoNotOptimize(st);
                                ++records;
                                return true;
                              });
    if (!s.ok()) state.SkipWithError(s.ToString().c_str());
  }
  state.SetItemsProcessed(records);
}

void Sizes(benchmark::State& state) {
  for (auto _ : state) {
  }
  auto store = OpenStore(g_sealed_dir, &g_sealer);
  uint64_t encoded = 0, fields = 0, records = 0;
  Status s = store->ForEach("child", "", [&](const crdt::RecordKey&, const crdt::RecordState& st) {
    encoded += st.Encode().size();
    for (const auto& [name, f] : st.fields()) {
      if (const crdt::Entry* w = f.Winner()) fields += name.size() + w->value.size();
    }
    ++records;
    return true;
  });
  if (!s.ok()) state.SkipWithError(s.ToString().c_str());
  auto stats = store->Stats();
  std::string compact = g_sealed_dir + "-compact";
  std::filesystem::remove_all(compact);
  if (!store->Backup(compact).ok()) state.SkipWithError("backup failed");
  store.reset();
  // Bytes of the pages a database occupies (branch + leaf + overflow).
  auto db_bytes = [](const std::string& dir, const char* name, uint64_t* entries) {
    MDB_env* env = nullptr;
    mdb_env_create(&env);
    mdb_env_set_maxdbs(env, 64);
    if (mdb_env_open(env, dir.c_str(), MDB_RDONLY, 0600) != 0) std::abort();
    MDB_txn* txn = nullptr;
    mdb_txn_begin(env, nullptr, MDB_RDONLY, &txn);
    MDB_dbi dbi;
    MDB_stat st{};
    mdb_dbi_open(txn, name, 0, &dbi);
    mdb_stat(txn, dbi, &st);
    *entries = st.ms_entries;
    mdb_txn_abort(txn);
    mdb_env_close(env);
    return uint64_t{st.ms_psize} * (st.ms_branch_pages + st.ms_leaf_pages + st.ms_overflow_pages);
  };
  uint64_t state_entries = 0, op_entries = 0;
  uint64_t state_bytes = db_bytes(g_sealed_dir, "state", &state_entries);
  uint64_t op_bytes = db_bytes(g_sealed_dir, "ops", &op_entries);
  uint64_t compact_state_bytes = db_bytes(compact, "state", &state_entries);
  uint64_t compact_op_bytes = db_bytes(compact, "ops", &op_entries);
  std::filesystem::remove_all(compact);
  g_figures.compact_state_bytes_per_record =
      static_cast<double>(compact_state_bytes) / static_cast<double>(records);
  g_figures.compact_oplog_bytes_per_op =
      static_cast<double>(compact_op_bytes) / static_cast<double>(op_entries);
  g_figures.state_bytes_per_record =
      static_cast<double>(state_bytes) / static_cast<double>(records);
  g_figures.encoded_bytes_per_record = static_cast<double>(encoded) / static_cast<double>(records);
  g_figures.field_bytes_per_record = static_cast<double>(fields) / static_cast<double>(records);
  g_figures.oplog_bytes_per_op = static_cast<double>(op_bytes) / static_cast<double>(op_entries);
  g_figures.encoded_op_bytes = static_cast<double>(crdt::EncodeOp(RemoteOp(kRecords + 1)).size());
  g_figures.file_bytes = stats.ok() ? stats->file_bytes : 0;
  state.counters["state_B_per_record"] = g_figures.state_bytes_per_record;
  state.counters["encoded_B_per_record"] = g_figures.encoded_bytes_per_record;
  state.counters["oplog_B_per_op"] = g_figures.oplog_bytes_per_op;
}

BENCHMARK_CAPTURE(ApplyRemote, checked, false, Path::kDecoded)
    ->Iterations(kBatches)
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime()
    ->UseRealTime();
BENCHMARK_CAPTURE(ApplyRemote, sealed_structs, true, Path::kStructs)
    ->Iterations(kBatches)
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime()
    ->UseRealTime();
BENCHMARK_CAPTURE(ApplyRemote, sealed, true, Path::kDecoded)
    ->Iterations(kBatches)
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime()
    ->UseRealTime();
BENCHMARK(RawLmdbPuts)
    ->Iterations(kBatches)
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime()
    ->UseRealTime();
BENCHMARK(GetByKey)->Iterations(200'000)->UseRealTime();
BENCHMARK(ScanSubtree)->Iterations(5)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(Sizes)->Iterations(1);

// Collects items/s per benchmark for the summary.
class Collector : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const auto& run : runs) {
      auto it = run.counters.find("items_per_second");
      if (it == run.counters.end()) continue;
      double rate = it->second.value;
      double cpu_rate = run.cpu_accumulated_time > 0 ? static_cast<double>(run.iterations) *
                                                           kBatch / run.cpu_accumulated_time
                                                     : 0;
      std::string name = run.benchmark_name();
      if (name.find("ApplyRemote/checked") == 0) {
        g_figures.checked_ops_per_s = rate;
        g_figures.checked_ops_per_cpu_s = cpu_rate;
      }
      if (name.find("ApplyRemote/sealed_structs") == 0) {
        g_figures.structs_ops_per_s = rate;
      } else if (name.find("ApplyRemote/sealed") == 0) {
        g_figures.sealed_ops_per_s = rate;
        g_figures.sealed_ops_per_cpu_s = cpu_rate;
      }
      if (name.find("RawLmdbPuts") == 0) {
        g_figures.raw_ops_per_s = rate;
        g_figures.raw_ops_per_cpu_s = cpu_rate;
      }
      if (name.find("GetByKey") == 0) g_figures.get_per_s = rate;
      if (name.find("ScanSubtree") == 0) g_figures.scan_per_s = rate;
    }
    ConsoleReporter::ReportRuns(runs);
  }
};

}  // namespace
}  // namespace fulei::store

int main(int argc, char** argv) {
  using fulei::store::g_figures;
  benchmark::Initialize(&argc, argv);
  fulei::store::Collector reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  const auto& f = g_figures;
  std::printf("\n== store figures ==\n");
  std::printf("apply remote ops, batches of 1000, sealed : %10.0f ops/s\n", f.sealed_ops_per_s);
  std::printf("apply remote ops, batches of 1000, checked: %10.0f ops/s\n", f.checked_ops_per_s);
  std::printf("  the same as structs (ApplyBatch), sealed  : %10.0f ops/s\n", f.structs_ops_per_s);
  std::printf("raw LMDB puts of the same bytes           : %10.0f ops/s\n", f.raw_ops_per_s);
  if (f.raw_ops_per_s > 0) {
    std::printf("ratio sealed / raw = %.0f %%, checked / raw = %.0f %% (target >= 50 %%)\n",
                100 * f.sealed_ops_per_s / f.raw_ops_per_s,
                100 * f.checked_ops_per_s / f.raw_ops_per_s);
  }
  if (f.raw_ops_per_cpu_s > 0) {
    std::printf(
        "per CPU second: sealed %.0f, checked %.0f, raw %.0f ops; ratio sealed / raw = %.0f %%, "
        "checked / raw = %.0f %%\n",
        f.sealed_ops_per_cpu_s, f.checked_ops_per_cpu_s, f.raw_ops_per_cpu_s,
        100 * f.sealed_ops_per_cpu_s / f.raw_ops_per_cpu_s,
        100 * f.checked_ops_per_cpu_s / f.raw_ops_per_cpu_s);
  }
  std::printf("read by key (sealed): %.0f records/s; scan of a town subtree: %.0f records/s\n",
              f.get_per_s, f.scan_per_s);
  if (f.encoded_bytes_per_record > 0) {
    std::printf(
        "state db: %.0f B/record vs %.0f B encoded record (%.2fx; target <= 1.5x), "
        "%.0f B of field names+values\n",
        f.state_bytes_per_record, f.encoded_bytes_per_record,
        f.state_bytes_per_record / f.encoded_bytes_per_record, f.field_bytes_per_record);
    std::printf("after compaction (backup): state %.0f B/record (%.2fx)\n",
                f.compact_state_bytes_per_record,
                f.compact_state_bytes_per_record / f.encoded_bytes_per_record);
    std::printf(
        "op log: %.0f B/op on disk (%.0f compacted) vs %.0f B encoded op; data.mdb %.1f "
        "MiB\n",
        f.oplog_bytes_per_op, f.compact_oplog_bytes_per_op, f.encoded_op_bytes,
        static_cast<double>(f.file_bytes) / (1 << 20));
  }
  return 0;
}
