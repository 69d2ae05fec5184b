// The SIGKILL crash loop shared by the crash test (tests/store) and the crash benchmark
// (bench/store).
//
// Each round forks a child that opens the store and writes in a loop — remote batches from a
// deterministic workload (6 chains, some ops delayed by one batch so gaps and pending ops occur,
// some urgent ones into the outbox, chain heads) and one local change after each batch (with
// the HLC restored from the store and the wall clock stuck at 0, as on a Pi without RTC). After
// each call returns OK the child reports it over a pipe. The child dies by SIGKILL: either the
// parent kills it after a random number of acknowledgements, or the child kills itself just
// before a random write syscall (mid-commit; see io_faults.h). The parent then reopens the store
// and checks that every acknowledged op is held with its exact bytes, that local stamps only
// grow, that every held urgent op is in the outbox, and that CheckIntegrity passes (state equals
// the replay of the op log, chains contiguous with vv, pending beyond vv).
//
// A process kill keeps what the kernel already has; it tests LMDB's commit protocol and the
// store's use of it, not whether the store makes its commits durable. The power-cut test adds
// that: `in_child` starts the volatile layer of power_cut.h in the child, and `after_kill`
// drops, in the parent, every write the child did not make durable before the checks run.
// Single-threaded; forks, so call it from a process with no other threads.
#ifndef FULEI_TESTS_STORE_CRASH_HARNESS_H_
#define FULEI_TESTS_STORE_CRASH_HARNESS_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "store/sealer.h"

namespace fulei::store::testing {

struct CrashRunOptions {
  std::string dir;  // store directory (created)
  int kills = 200;  // rounds, each ending in a SIGKILL
  uint64_t seed = 1;
  const Sealer* sealer = nullptr;
  int ops_per_chain = 4;  // per batch; 6 chains
  // Runs in each child before it opens the store.
  std::function<void()> in_child;
  // Runs in the parent after each kill, before the checks, with a seed drawn for the round;
  // returns "" or what went wrong (a failure of the round).
  std::function<std::string(uint64_t seed)> after_kill;
  // The child opens its store with StoreOptions::test_only_no_sync (commits not durable).
  bool test_only_no_sync = false;
};

struct CrashRunReport {
  int kills = 0;
  int self_kills = 0;    // the child killed itself just before a write syscall
  int parent_kills = 0;  // the parent killed it after some acknowledgements
  uint64_t acked_batches = 0;
  uint64_t acked_local = 0;
  uint64_t ops_held = 0;
  double seconds = 0;
  std::vector<std::string> failures;  // empty when every check held
};

CrashRunReport RunCrashLoop(const CrashRunOptions& options);

}  // namespace fulei::store::testing

#endif  // FULEI_TESTS_STORE_CRASH_HARNESS_H_
