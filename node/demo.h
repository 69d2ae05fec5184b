// `fulei demo`: a whole city as real `fulei run` processes on loopback, set up exactly as an
// operator would (init, invite, join), with generated, plainly synthetic records, a live table
// of every node, urgent reports and their receipts, and one town stopped and restarted to show
// the fallback. Every node serves its admin web on 127.0.0.1 (HTTPS, self-signed), with demo
// accounts made by `fulei user add` and one printed, demo-only password. Ctrl-C stops
// everything and removes the temporary data. docs/cli.md#demo.
#ifndef FULEI_NODE_DEMO_H_
#define FULEI_NODE_DEMO_H_

#include <cstdint>
#include <string>

namespace fulei::node {

struct DemoOptions {
  int towns = 3;  // the pilot units first: 磁灶镇, 池店镇, 西园街道
  int villages_per_town = 3;
  uint64_t seed = 1;
  int minutes = 0;         // 0: until Ctrl-C
  int seconds = 0;         // when > 0, stop after this many seconds instead (scripts, tests)
  std::string units_file;  // deploy/jinjiang-units.json (names of towns); empty: built in
  std::string keep_dir;    // keep the data here instead of a temporary directory
  uint16_t base_port = 0;  // 0: free ports picked by the kernel; else the sync listeners of the
                           // city and towns from here, then every node's admin web
};

// Runs the demo until Ctrl-C (SIGINT or SIGTERM to this process) or the time given; then stops
// every child process (SIGTERM, SIGKILL after 10 s) and removes the temporary data (unless
// keep_dir). Returns the exit code: 0 when it ran and stopped cleanly (by the clock or by
// Ctrl-C), 1 when a step failed (its stderr printed), 2 for a bad units file. `self` is the path
// of the fulei binary (argv[0]); /proc/self/exe is preferred when readable.
// Not thread-safe: installs SIGINT/SIGTERM handlers for its duration. Writes to stdout: a live
// table redrawn every 2 s when stdout is a terminal, else one line per event.
int RunDemo(const DemoOptions& options, const std::string& self);

}  // namespace fulei::node

#endif  // FULEI_NODE_DEMO_H_
