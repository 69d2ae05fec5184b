// `fulei sim`: runs the deterministic city simulator (node/sim/simulation.h) and prints what
// happened, Chinese first. Used by deploy/demo.sh.
#ifndef FULEI_NODE_SIM_COMMAND_H_
#define FULEI_NODE_SIM_COMMAND_H_

#include <cstdint>
#include <string>

namespace fulei::node {

struct SimOptions {
  uint64_t seed = 1;
  uint64_t seeds = 1;  // run this many consecutive seeds
  int villages_per_town = 3;
  std::string units_file;   // Jinjiang's units (deploy/jinjiang-units.json); empty: t0, t1...
  bool pilot_only = false;  // only the plan's pilot towns 磁灶镇, 池店镇, 西园街道
  // With units_file: the villages of each town as the file has them — a unit's "villages"
  // count where it gives one, the rest of "village_level_units_total" (385) shared evenly
  // among the others — instead of villages_per_town each.
  bool real_villages = false;
  int minutes = 20;  // simulated minutes of faults and edits
  bool faults = true;
};

// Returns the process exit code (0 when every seed passed).
int RunSimCommand(const SimOptions& options);

}  // namespace fulei::node

#endif  // FULEI_NODE_SIM_COMMAND_H_
