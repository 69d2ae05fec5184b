// The crash benchmark of issue 3: 1,000 SIGKILLs of a writing store (tests/store/crash_harness.h
// says what each round checks). Prints the figure; exits non-zero if any check failed.
// Run: build/default/bench/store/store_crash_bench [kills [ops per chain per batch]]
//   (FULEI_BENCH_DIR: default /tmp). Batches hold 6 chains' ops: the default 4 per chain makes
//   24-op batches, all on the writer's thread; 12 makes 72-op batches, sealed and merged on a
//   helper thread as well.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "tests/store/crash_harness.h"
#include "tests/store/data_key_sealer.h"
#include "tests/support/temp_dir.h"

int main(int argc, char** argv) {
  using namespace fulei::store::testing;
  const char* base = std::getenv("FULEI_BENCH_DIR");
  fulei::testing::TempDir dir(base != nullptr ? base : "/tmp");
  DataKeySealer sealer;
  CrashRunOptions options;
  options.dir = dir.sub("store");
  options.kills = argc > 1 ? std::atoi(argv[1]) : 1000;
  options.seed = 1000;
  if (argc > 2) options.ops_per_chain = std::atoi(argv[2]);
  options.sealer = &sealer;
  CrashRunReport r = RunCrashLoop(options);
  std::printf(
      "crash bench: %d SIGKILLs (%d just before a write syscall, %d by the parent) in "
      "%.1f s; %d-op batches; %llu batches and %llu local ops acknowledged; %llu ops held at "
      "the end; %zu failures\n",
      r.kills, r.self_kills, r.parent_kills, r.seconds, 6 * options.ops_per_chain,
      static_cast<unsigned long long>(r.acked_batches),
      static_cast<unsigned long long>(r.acked_local), static_cast<unsigned long long>(r.ops_held),
      r.failures.size());
  for (const auto& f : r.failures) std::printf("FAILURE: %s\n", f.c_str());
  return r.failures.empty() && r.kills == options.kills ? 0 : 1;
}
