// The simulator's knobs (SimConfig) and what a run reports (SimResult). Plain value types.
#ifndef FULEI_NODE_SIM_CONFIG_H_
#define FULEI_NODE_SIM_CONFIG_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace fulei::node::sim {

struct SimConfig {
  uint64_t seed = 1;
  int towns = 3;
  int villages_per_town = 3;
  int total_villages = 0;  // when > 0: spread over the towns instead of villages_per_town
  // Villages of each town as the units file has them (one count per town, in the order of
  // town_units, or of t0, t1...); when not empty it overrides both of the above.
  std::vector<int> villages_by_town;
  // Unit paths of the towns ("jinjiang/cizao", ...); when empty, "jinjiang/t0", "jinjiang/t1"...
  // When given, their count overrides `towns`. Villages are "<town>/v001", "<town>/v002"...
  std::vector<std::string> town_units;
  std::string work_dir;  // stores go in <work_dir>/sim-<seed>/..., removed afterwards

  // Workload during the fault phase (simulated time).
  uint64_t fault_phase_ms = 20 * 60'000;
  uint64_t mean_write_interval_ms = 20'000;  // per node
  int children_per_village = 12;
  double urgent_fraction = 0.05;

  // Links. Bandwidth in bytes per simulated millisecond (32 = 256 kbit/s).
  uint64_t link_delay_ms = 40;
  uint64_t link_jitter_ms = 30;
  double link_bytes_per_ms = 32;

  // Faults (all off in the heal phase).
  bool faults = true;
  double frame_fault_probability = 0.002;            // per frame: drop, duplicate or reorder
  uint64_t mean_partition_interval_ms = 6 * 60'000;  // per link
  uint64_t mean_crash_interval_ms = 15 * 60'000;     // per node
  double tamper_probability = 0.05;                  // per relayed batch, at towns
  // Hostile clocks (issue 14): a town or village restarts with its wall clock far ahead (a bad
  // RTC, a wrong NTP server) — a month to a year ahead, inside the certificates' validity, or
  // two to five years ahead, past it — about once per this interval per node (0: never), and
  // keeps it until it is restarted with its clock set right 1 to 10 minutes later (or sooner,
  // by a crash, or by the heal). The city's clock is the network's reference and never jumps.
  // RunSimulation's checks hold unchanged: nobody is cut off for good, and everything
  // converges (docs/protocol.md, "Clocks"). Off in the revocation scenario (faults.cc).
  uint64_t mean_hostile_clock_interval_ms = 60 * 60'000;

  // Records each village already holds when the run starts (a city converging from cold):
  // preload_children per village, each written by preload_ops_per_child ops.
  int preload_children = 0;
  int preload_ops_per_child = 0;
  bool workload = true;  // random edits during the fault phase

  // Several upstreams (issue 6): each village also lists the city as a second upstream with
  // this probability (urgent-only while its town is reachable, full sync while it is not).
  double city_fallback_fraction = 0;

  // Scenario "urgent during backfill": each village writes this many urgent reports at random
  // times in [bulk_urgent_from_ms, bulk_urgent_until_ms] while its preload is being backfilled.
  // Checks: each reaches the city before its village's backfill completes there, and within
  // SimResult::urgent_bound_ms of being written.
  int bulk_urgent_reports = 0;
  uint64_t bulk_urgent_from_ms = 5'000;
  uint64_t bulk_urgent_until_ms = 15'000;

  // Scenario "town down for hours": the first town is down from town_outage_at_ms for
  // town_outage_ms; each of its villages writes outage_reports reports meanwhile. Checks: a
  // village with the city fallback gets each report to the city during the outage; the town
  // receives it after its return.
  uint64_t town_outage_ms = 0;
  uint64_t town_outage_at_ms = 10 * 60'000;
  int outage_reports = 2;
  // The town stays up and serves its villages but loses its link to the city instead (a cut
  // fibre): a village with the city fallback must get each report to the city meanwhile, by its
  // urgent-only session (its full sync still runs with its town).
  bool town_outage_isolates = false;

  // Scenario "a node revoked mid-run": at revoke_at_ms (0: never) the city publishes a
  // revocation list naming one village, chosen by the seed; the list travels down like any
  // city-wide record. Checks: every other node installed it; no session with the revoked
  // village is established after its parent installed the list; no node but the village still
  // holds its urgent ops in an outbox (they leave the outbox unsent, as on a real node).
  uint64_t revoke_at_ms = 0;

  // After the heal, every town's and the city's dashboard counters (programme/aggregate.h) are
  // compared with a recount of the records each holds (Invariants::CheckAggregates).
  bool check_aggregates = true;

  uint64_t heal_limit_ms = 6 * 3600'000;  // the heal phase must converge within this
  size_t max_batch_ops = 200;
  bool keep_dirs = false;
  // Called as each phase ends: "built" (stores open, preload written), "converged" (the heal
  // phase is quiet; the checks follow). Benchmarks time the phases with it; the simulator
  // itself never reads a clock.
  std::function<void(std::string_view phase)> on_phase;
};

struct SimResult {
  bool ok = false;
  std::string failure;  // first failed check, with the seed
  uint64_t seed = 0;
  uint64_t ops_written = 0;
  uint64_t urgent_written = 0;
  uint64_t connections = 0;
  uint64_t sessions_closed_by_faults = 0;
  uint64_t rejected_batches = 0;  // sessions closed by a receiver's check (tampering)
  uint64_t tampered_batches = 0;
  uint64_t crashes = 0;
  uint64_t partitions = 0;
  uint64_t frames = 0;
  uint64_t bytes = 0;
  uint64_t heal_ms = 0;  // simulated time from the start of the heal phase to quiet
  uint64_t scopes_checked = 0;
  uint64_t nodes = 0;
  uint64_t preloaded_ops = 0;
  uint64_t receipts_checked = 0;        // (report, town or city) receipts found at the origin
  uint64_t mode_switches = 0;           // upstream sessions closed to switch full / urgent-only
  uint64_t max_frame_bytes = 0;         // largest frame any link sent
  uint64_t max_urgent_latency_ms = 0;   // written at the village -> first held at the city
  uint64_t urgent_bound_ms = 0;         // the bound checked in the backfill scenario
  uint64_t backfill_ms = 0;             // latest backfill completion at the city (scenario a)
  uint64_t outage_reports = 0;          // reports written while the town was down (scenario b)
  std::string revoked_unit;             // the village revoked (scenario c)
  uint64_t urgent_dropped_revoked = 0;  // outbox entries of revoked origins dropped unsent
  uint64_t escalations = 0;             // overdue cases the city flagged
  uint64_t hostile_clocks = 0;          // restarts with a wall clock far ahead
  // Programme records the workload wrote (each validated first), by record type: a write of a
  // new record or an edit of one counts one.
  std::map<std::string, uint64_t> records_written;
  // The same writes by the role of the person who made them (each through NodeCore::WriteAs):
  // "director", "supervisor", "town_office", "city_bureau", "caring_parent".
  std::map<std::string, uint64_t> records_by_role;
  // Edits not made because the record held already failed validation at the writing node's
  // clock (a date written under a clock far ahead, now in that node's future).
  uint64_t records_skipped = 0;
  uint64_t aggregates_checked = 0;  // towns and city whose counters equalled a recount
  int64_t city_children = 0;        // children on the city's dashboard at the end
  int64_t city_reports = 0;         // urgent reports on the city's dashboard at the end
  // The city's dashboard at the end, for the newer records: "facilities", "posts_filled",
  // "inspections", "corrections_open", "corrections_completed", "funds_allocated_fen",
  // "funds_spent_fen", "referrals", "legal_consultations", "parent_contacts_this_month",
  // "assistance_this_year".
  std::map<std::string, int64_t> city_figures;
};

}  // namespace fulei::node::sim

#endif  // FULEI_NODE_SIM_CONFIG_H_
