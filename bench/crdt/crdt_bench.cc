// crdt figures for the issue notes: merge rate of ops into an in-memory record state, and
// canonical encode / decode rates, for ops of 1, 4 and 16 field writes.
//   build/default/bench/crdt/crdt_bench
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "crdt/codec.h"
#include "crdt/record.h"

namespace fulei::crdt {
namespace {

// A stream of ops from 4 origins editing one record: each op overwrites `fields` register
// fields, superseding what its origin last saw (a realistic mix of supersedes and conflicts).
std::vector<Op> MakeOps(int fields, int count) {
  std::vector<Op> ops;
  std::vector<RecordState> views(4);
  for (int i = 0; i < count; ++i) {
    const int o = i % 4;
    Op op;
    op.origin = static_cast<NodeId>(o + 1);
    op.seq = static_cast<uint64_t>(i / 4 + 1);
    op.stamp = Stamp{1'700'000'000'000ULL + static_cast<uint64_t>(i), 0};
    op.author = "director-v012";
    op.key = RecordKey{"jinjiang/cizao/v012", "child", "c-0001"};
    for (int f = 0; f < fields; ++f) {
      op.writes.push_back(SetWrite(views[o], "field" + std::to_string(f),
                                   "value of about thirty bytes #" + std::to_string(i)));
    }
    views[o].Apply(op);
    // Each origin hears about the others' ops every few steps.
    if (i % 3 == 0) {
      for (auto& v : views) v.Apply(op);
    }
    ops.push_back(std::move(op));
  }
  return ops;
}

void BM_Merge(benchmark::State& state) {
  const int fields = static_cast<int>(state.range(0));
  const std::vector<Op> ops = MakeOps(fields, 4096);
  for (auto _ : state) {
    RecordState s;
    for (const Op& op : ops) s.Apply(op);
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(ops.size()));
  state.SetLabel("ops/s = items_per_second");
}
BENCHMARK(BM_Merge)->Arg(1)->Arg(4)->Arg(16);

// Merge into many records (the store's shape: each op touches one small record).
void BM_MergeManyRecords(benchmark::State& state) {
  const int fields = static_cast<int>(state.range(0));
  std::vector<Op> ops = MakeOps(fields, 4096);
  for (size_t i = 0; i < ops.size(); ++i) ops[i].key.id = "c-" + std::to_string(i % 512);
  for (auto _ : state) {
    std::vector<RecordState> states(512);
    for (size_t i = 0; i < ops.size(); ++i) states[i % 512].Apply(ops[i]);
    benchmark::DoNotOptimize(states);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(ops.size()));
}
BENCHMARK(BM_MergeManyRecords)->Arg(1)->Arg(4)->Arg(16);

void BM_Encode(benchmark::State& state) {
  const std::vector<Op> ops = MakeOps(static_cast<int>(state.range(0)), 256);
  size_t bytes = 0;
  for (auto _ : state) {
    for (const Op& op : ops) {
      std::string b = EncodeOp(op);
      bytes += b.size();
      benchmark::DoNotOptimize(b);
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(ops.size()));
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_Encode)->Arg(1)->Arg(4)->Arg(16);

void BM_Decode(benchmark::State& state) {
  const std::vector<Op> ops = MakeOps(static_cast<int>(state.range(0)), 256);
  std::vector<std::string> encoded;
  size_t total = 0;
  for (const Op& op : ops) {
    encoded.push_back(EncodeOp(op));
    total += encoded.back().size();
  }
  for (auto _ : state) {
    for (const std::string& b : encoded) {
      auto op = DecodeOp(b);
      if (!op.ok()) state.SkipWithError("decode failed");
      benchmark::DoNotOptimize(op);
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(encoded.size()));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(total));
  state.counters["bytes_per_op"] = static_cast<double>(total) / static_cast<double>(encoded.size());
}
BENCHMARK(BM_Decode)->Arg(1)->Arg(4)->Arg(16);

}  // namespace
}  // namespace fulei::crdt

BENCHMARK_MAIN();
