// fulei: the node daemon and command-line tool.
//   fulei sim [--seed N] [--seeds K] [--units FILE [--real-villages]] [--pilot] [--villages N]
//             [--minutes M] [--no-faults]
//   fulei version
#include <CLI/CLI.hpp>
#include <cstdio>

#include "node/sim_command.h"

int main(int argc, char** argv) {
  CLI::App app{"福蕾 fulei — child-welfare case records for the 福蕾行动计划"};
  app.require_subcommand(1);

  fulei::node::SimOptions sim;
  auto* sim_cmd = app.add_subcommand(
      "sim", "模拟全市网络 Run the deterministic city simulator (faults, crashes, tampering)");
  sim_cmd->add_option("--seed", sim.seed, "first seed");
  sim_cmd->add_option("--seeds", sim.seeds, "number of consecutive seeds")
      ->check(CLI::Range(1, 100000));
  sim_cmd->add_option("--units", sim.units_file, "town-level units (deploy/jinjiang-units.json)")
      ->check(CLI::ExistingFile);
  sim_cmd->add_flag("--pilot", sim.pilot_only, "only the plan's pilot towns");
  sim_cmd
      ->add_flag("--real-villages", sim.real_villages,
                 "按单位文件分布村社区 villages per town as the units file has them (385 in all)")
      ->needs("--units");
  sim_cmd->add_option("--villages", sim.villages_per_town, "villages per town")
      ->check(CLI::Range(1, 60));
  sim_cmd->add_option("--minutes", sim.minutes, "simulated minutes of faults and edits")
      ->check(CLI::Range(0, 24 * 60));
  bool no_faults = false;
  sim_cmd->add_flag("--no-faults", no_faults, "no partitions, crashes, frame faults or tampering");

  app.add_subcommand("version", "print the version")->callback([] {
    std::printf("fulei 0.1.0\n");
  });

  CLI11_PARSE(app, argc, argv);
  if (sim_cmd->parsed()) {
    sim.faults = !no_faults;
    return fulei::node::RunSimCommand(sim);
  }
  return 0;
}
