// Simulator figures for the issue notes (not a test):
//   sim_bench seeds N [first]   runs N seeds of the faulty 1 + 3 + 9 network, reports passes
//   sim_bench city              1 city + 19 towns + 385 villages, 50,000 children and about
//                               1,000,000 ops, converging from cold; reports wall-clock time
// Stores go to /dev/shm when present (the simulator measures protocol work, not the disk).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

#include "node/sim/simulation.h"

using fulei::node::sim::RunSimulation;
using fulei::node::sim::SimConfig;
using fulei::node::sim::SimResult;

namespace {

// One directory per process, so several runs (seed ranges in parallel) never share stores.
std::string WorkDir() {
  const std::string base = std::filesystem::is_directory("/dev/shm") ? "/dev/shm/fulei-sim-bench"
                                                                     : "/tmp/fulei-sim-bench";
  return base + "-" + std::to_string(::getpid());
}

int Seeds(int n, uint64_t first) {
  int passed = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) {
    SimConfig c;
    c.seed = first + static_cast<uint64_t>(i);
    c.work_dir = WorkDir();
    SimResult r = RunSimulation(c);
    if (r.ok) {
      ++passed;
    } else {
      std::printf("FAILED %s\n", r.failure.c_str());
    }
    if ((i + 1) % 500 == 0) std::printf("%d seeds, %d passed\n", i + 1, passed);
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("seeds %llu..%llu: %d of %d passed (%.1f s)\n",
              static_cast<unsigned long long>(first),
              static_cast<unsigned long long>(first + static_cast<uint64_t>(n) - 1), passed, n, s);
  return passed == n ? 0 : 1;
}

int City() {
  SimConfig c;
  c.seed = 1;
  c.work_dir = WorkDir();
  c.towns = 19;
  c.total_villages = 385;
  c.preload_children = 130;      // 385 * 130 = 50,050 children
  c.preload_ops_per_child = 20;  // 50,050 * 20 = 1,001,000 ops
  c.workload = false;
  c.faults = false;
  c.fault_phase_ms = 0;
  c.link_bytes_per_ms = 12'500;  // 100 Mbit/s links
  c.link_delay_ms = 5;
  c.link_jitter_ms = 2;
  c.max_batch_ops = 1000;
  c.heal_limit_ms = 24 * 3600'000ull;
  const auto start = std::chrono::steady_clock::now();
  auto built = start, converged = start;
  c.on_phase = [&](std::string_view phase) {
    (phase == "built" ? built : converged) = std::chrono::steady_clock::now();
  };
  SimResult r = RunSimulation(c);
  const auto end = std::chrono::steady_clock::now();
  auto secs = [](auto d) { return std::chrono::duration<double>(d).count(); };
  std::printf(
      "city: %llu nodes, %llu ops preloaded, converged=%s; wall: %.1f s to build and preload "
      "the stores, %.1f s to converge from cold, %.1f s of checks (%.1f s in all); %.1f s "
      "simulated, %llu frames, %.1f MB\n",
      static_cast<unsigned long long>(r.nodes), static_cast<unsigned long long>(r.preloaded_ops),
      r.ok ? "yes" : "NO", secs(built - start), secs(converged - built), secs(end - converged),
      secs(end - start), static_cast<double>(r.heal_ms) / 1000.0,
      static_cast<unsigned long long>(r.frames), static_cast<double>(r.bytes) / 1e6);
  if (!r.ok) std::printf("%s\n", r.failure.c_str());
  return r.ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "seeds";
  if (mode == "city") return City();
  const int n = argc > 2 ? std::atoi(argv[2]) : 100;
  const uint64_t first = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 1;
  return Seeds(n, first);
}
