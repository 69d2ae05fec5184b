// Urgent-report figures from the simulator over many seeds (issue 6; not a test):
//   urgent_sim_bench backfill N [first]   UrgentDuringBackfillScenario: latency of each report
//                                         from its village to the city (p50 / p99 / max, ms of
//                                         simulated time) against the bound each run checks,
//                                         and when the backfill ended
//   urgent_sim_bench outage N [first]     TownOutageScenario: passes, reports filed while the
//                                         town was down
//   urgent_sim_bench fallback N [first]   the faulty 1 + 3 + 9 network, half the villages with
//                                         the city as a second upstream
// Every run also makes every check of RunSimulation (receipts from the town and the city at
// each report's origin, nothing left in any outbox, convergence). Exit code 1 if a seed failed.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "node/sim/simulation.h"

namespace sim = fulei::node::sim;

namespace {

std::string WorkDir() {
  const std::string base = std::filesystem::is_directory("/dev/shm") ? "/dev/shm/fulei-urgent-bench"
                                                                     : "/tmp/fulei-urgent-bench";
  return base + "-" + std::to_string(::getpid());
}

uint64_t Percentile(std::vector<uint64_t> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s backfill|outage|fallback N [first]\n", argv[0]);
    return 2;
  }
  const std::string what = argv[1];
  const uint64_t n = std::strtoull(argv[2], nullptr, 10);
  const uint64_t first = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 1;
  std::vector<uint64_t> latency, bounds, backfill;
  uint64_t passed = 0, reports = 0, outage_reports = 0, receipts = 0;
  const auto start = std::chrono::steady_clock::now();
  for (uint64_t seed = first; seed < first + n; ++seed) {
    sim::SimConfig c;
    if (what == "backfill") {
      c = sim::UrgentDuringBackfillScenario(seed, WorkDir());
    } else if (what == "outage") {
      c = sim::TownOutageScenario(seed, WorkDir());
    } else if (what == "fallback") {
      c.seed = seed;
      c.work_dir = WorkDir();
      c.city_fallback_fraction = 0.5;
      c.urgent_fraction = 0.15;
    } else {
      std::fprintf(stderr, "unknown scenario %s\n", what.c_str());
      return 2;
    }
    sim::SimResult r = sim::RunSimulation(c);
    if (!r.ok) {
      std::printf("FAILED %s\n", r.failure.c_str());
      continue;
    }
    ++passed;
    reports += r.urgent_written;
    outage_reports += r.outage_reports;
    receipts += r.receipts_checked;
    latency.push_back(r.max_urgent_latency_ms);
    bounds.push_back(r.urgent_bound_ms);
    backfill.push_back(r.backfill_ms);
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%s seeds %llu..%llu: %llu of %llu passed (%.1f s wall)\n", what.c_str(),
              static_cast<unsigned long long>(first),
              static_cast<unsigned long long>(first + n - 1),
              static_cast<unsigned long long>(passed), static_cast<unsigned long long>(n), s);
  std::printf("  urgent reports %llu, receipts checked at their origin %llu\n",
              static_cast<unsigned long long>(reports), static_cast<unsigned long long>(receipts));
  if (what == "outage") {
    std::printf("  reports filed while the town was down %llu\n",
                static_cast<unsigned long long>(outage_reports));
  }
  if (what == "backfill" || what == "fallback") {
    std::printf(
        "  worst report latency village -> city per seed (simulated ms): p50 %llu, p99 %llu, "
        "max %llu\n",
        static_cast<unsigned long long>(Percentile(latency, 0.5)),
        static_cast<unsigned long long>(Percentile(latency, 0.99)),
        static_cast<unsigned long long>(Percentile(latency, 1.0)));
  }
  if (what == "backfill") {
    std::printf("  bound checked per seed: min %llu ms; backfill at the city ended: min %llu ms\n",
                static_cast<unsigned long long>(Percentile(bounds, 0.0)),
                static_cast<unsigned long long>(Percentile(backfill, 0.0)));
  }
  return passed == n ? 0 : 1;
}
