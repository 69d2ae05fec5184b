// fulei: the node daemon and command-line tool (docs/cli.md lists every command, option and
// exit code).
//   fulei init | invite | join          set up the city, invite a unit, enrol a new node
//   fulei run                           the daemon
//   fulei status | record | report      look at and write to a node (through its daemon)
//   fulei check | revoke                integrity check; revoke a node (the city)
//   fulei backup | restore              a sealed hot backup; restoring it into a new node
//   fulei sim | version
#include <CLI/CLI.hpp>
#include <cstdio>

#include "node/commands.h"
#include "node/daemon.h"
#include "node/demo.h"
#include "node/sim_command.h"

int main(int argc, char** argv) {
  namespace fn = fulei::node;
  CLI::App app{"福蕾 fulei — child-welfare case records for the 福蕾行动计划"};
  app.require_subcommand(1);
  int code = 0;
  auto dir_option = [](CLI::App* cmd, std::string& dir) {
    cmd->add_option("--dir", dir, "数据目录 the node's data directory")
        ->required()
        ->envname("FULEI_DIR");
  };

  fn::InitOptions init;
  auto* init_cmd =
      app.add_subcommand("init", "创建市级节点 create the city node and the network's root key");
  dir_option(init_cmd, init.dir);
  init_cmd->add_option("--unit", init.unit, "the city's unit code")->capture_default_str();
  init_cmd->add_option("--listen", init.listen, "where towns connect (HOST:PORT)")
      ->capture_default_str();
  init_cmd->add_option("--web", init.web, "the admin web's address (HOST:PORT)");
  init_cmd->add_option("--root-key-out", init.root_key_out,
                       "keep the root key in this file instead of DIR/root.key (e.g. a USB stick)");
  init_cmd->add_option("--root-key", init.root_key,
                       "a replacement city: certify it with this existing root key file");
  init_cmd->add_option("--validity-days", init.validity_days, "the city certificate's validity")
      ->check(CLI::Range(1, 36500))
      ->capture_default_str();
  init_cmd->callback([&] { code = fn::RunInit(init); });

  fn::InviteOptions invite;
  auto* invite_cmd =
      app.add_subcommand("invite", "邀请下级单位 print a one-time join token for a unit below");
  dir_option(invite_cmd, invite.dir);
  invite_cmd->add_option("--unit", invite.unit, "the new node's unit, e.g. jinjiang/cizao")
      ->required();
  invite_cmd->add_option("--expires", invite.expires, "validity (72h, 30m, 7d)")
      ->capture_default_str();
  invite_cmd->add_option("--root-key", invite.root_key, "the root key file (city inviting a town)");
  invite_cmd->callback([&] { code = fn::RunInvite(invite); });

  fn::JoinCommandOptions join;
  auto* join_cmd = app.add_subcommand("join", "加入网络 enrol this node with a join token");
  dir_option(join_cmd, join.dir);
  join_cmd->add_option("--token", join.token, "the join token (- reads it from stdin)")->required();
  join_cmd->add_option("--upstream", join.upstream, "the inviting node's HOST:PORT")->required();
  join_cmd->add_option("--fallback", join.fallback,
                       "a village: the city's HOST:PORT, for urgent reports when the town is down");
  join_cmd->add_option("--listen", join.listen, "where this node listens (towns: 0.0.0.0:7400)");
  join_cmd->add_option("--web", join.web, "the admin web's address (HOST:PORT)");
  join_cmd->add_option("--timeout", join.timeout_seconds, "seconds to wait for the upstream")
      ->check(CLI::Range(1, 600));
  join_cmd->callback([&] { code = fn::RunJoin(join); });

  std::string run_dir;
  auto* run_cmd = app.add_subcommand("run", "运行节点 run the node (the daemon)");
  dir_option(run_cmd, run_dir);
  run_cmd->callback([&] { code = fn::RunDaemon(run_dir); });

  fn::StatusOptions status;
  auto* status_cmd =
      app.add_subcommand("status", "节点状态 the node's state, links, backlog and store");
  dir_option(status_cmd, status.dir);
  status_cmd->add_flag("--json", status.json, "JSON for scripts");
  status_cmd->add_flag("--watch", status.watch, "refresh until Ctrl-C");
  status_cmd->add_option("--interval", status.interval_seconds, "seconds between refreshes")
      ->check(CLI::Range(1, 3600));
  status_cmd->callback([&] { code = fn::RunStatus(status); });

  fn::RecordOptions record;
  auto* record_cmd = app.add_subcommand("record", "记录 read and write records (JSON)");
  record_cmd->require_subcommand(1);
  for (const char* action : {"put", "get", "list", "history"}) {
    auto* sub = record_cmd->add_subcommand(action, std::string("record ") + action);
    dir_option(sub, record.dir);
    sub->add_option("--type", record.type, "record type (child, guardian, helper, ...)")
        ->required();
    if (std::string(action) != "list") sub->add_option("--id", record.id, "record id")->required();
    sub->add_option("--unit", record.unit, "the unit the record belongs to (default: this node's)");
    if (std::string(action) == "put") {
      sub->add_option("--fields", record.fields, "JSON object of fields, - for stdin, @FILE")
          ->required();
    }
    if (std::string(action) == "list") sub->add_option("--limit", record.limit, "at most N");
    sub->callback([&record, &code, action] {
      record.action = action;
      code = fn::RunRecord(record);
    });
  }

  fn::ReportOptions report;
  auto* report_cmd = app.add_subcommand("report", "紧急报告 urgent reports and help requests");
  report_cmd->require_subcommand(1);
  auto* file_cmd =
      report_cmd->add_subcommand("file", "登记强制报告或求助 file a report or help request");
  dir_option(file_cmd, report.dir);
  file_cmd->add_option("--type", report.type, "report (强制报告) or help_request (求助)")
      ->check(CLI::IsMember({"report", "help_request"}))
      ->capture_default_str();
  file_cmd->add_option("--fields", report.fields, "JSON object of fields, - for stdin, @FILE")
      ->required();
  file_cmd->add_flag("--json", report.json, "JSON for scripts");
  file_cmd->callback([&] {
    report.action = "file";
    code = fn::RunReport(report);
  });
  auto* show_cmd =
      report_cmd->add_subcommand("show", "报告、回执与逾期 a report, its receipts and escalation");
  dir_option(show_cmd, report.dir);
  show_cmd->add_option("--id", report.id, "the report's id")->required();
  show_cmd->add_option("--unit", report.unit, "the unit it was filed at (default: this node's)");
  show_cmd->add_flag("--json", report.json, "JSON for scripts");
  show_cmd->callback([&] {
    report.action = "show";
    code = fn::RunReport(report);
  });

  std::string check_dir;
  bool check_json = false;
  auto* check_cmd =
      app.add_subcommand("check", "检查存储 check the store's integrity (exit 8 on a fault)");
  dir_option(check_cmd, check_dir);
  check_cmd->add_flag("--json", check_json, "JSON for scripts");
  check_cmd->callback([&] { code = fn::RunCheck(check_dir, check_json); });

  fn::ExportOptions exp;
  auto* export_cmd = app.add_subcommand("export", "导出 the programme's exports (CSV or Excel)");
  dir_option(export_cmd, exp.dir);
  export_cmd
      ->add_option("--what", exp.what,
                   "children (儿童信息), study_aid (福彩助学), family_care_overdue")
      ->required()
      ->check(CLI::IsMember({"children", "study_aid", "family_care_overdue"}));
  export_cmd->add_option("--format", exp.format, "csv or xlsx")
      ->check(CLI::IsMember({"csv", "xlsx"}))
      ->capture_default_str();
  export_cmd->add_option("--out", exp.out, "the file to write")->required();
  export_cmd->add_option("--unit", exp.unit, "a unit of the subtree (default: this node's)");
  export_cmd->callback([&] { code = fn::RunExport(exp); });

  fn::ImportOptions imp;
  auto* import_cmd = app.add_subcommand(
      "import", "导入名单 import a list (CSV in UTF-8 or GB18030, or XLSX) of records");
  dir_option(import_cmd, imp.dir);
  import_cmd->add_option("--what", imp.what, "children, helpers, pairings or contacts")
      ->required()
      ->check(CLI::IsMember({"children", "helpers", "pairings", "contacts"}));
  import_cmd->add_option("--file", imp.file, "the .csv or .xlsx file")->required();
  import_cmd->add_option("--unit", imp.unit, "the importing unit (default: this node's)");
  import_cmd->add_flag("--dry-run", imp.dry_run, "check every row and report; write nothing");
  import_cmd->add_flag("--json", imp.json, "JSON for scripts");
  import_cmd->callback([&] { code = fn::RunImport(imp); });

  fn::BackupOptions backup;
  auto* backup_cmd = app.add_subcommand(
      "backup", "备份 a hot, sealed copy of the store (passphrase from the terminal or stdin)");
  dir_option(backup_cmd, backup.dir);
  backup_cmd->add_option("--out", backup.out, "the backup file to write")->required();
  backup_cmd->callback([&] { code = fn::RunBackup(backup); });

  fn::RestoreOptions restore;
  auto* restore_cmd = app.add_subcommand(
      "restore", "恢复 a backup into a newly enrolled node of the same unit (daemon stopped)");
  dir_option(restore_cmd, restore.dir);
  restore_cmd->add_option("--from", restore.from, "the backup file")->required();
  restore_cmd->callback([&] { code = fn::RunRestore(restore); });

  std::string clock_dir, clock_to;
  auto* clock_cmd = app.add_subcommand("clock", "时钟标记 the store's clock mark (daemon stopped)");
  clock_cmd->require_subcommand(1);
  auto* clock_show = clock_cmd->add_subcommand("show", "show the mark and the wall clock");
  dir_option(clock_show, clock_dir);
  clock_show->callback([&] { code = fn::RunClock(clock_dir, "show", ""); });
  auto* clock_reset = clock_cmd->add_subcommand(
      "reset", "set a mark left in the future back (docs/store.md#clock-recovery)");
  dir_option(clock_reset, clock_dir);
  clock_reset->add_option("--to", clock_to, "now (default) or a UTC time 2026-12-06T08:00:00Z");
  clock_reset->callback([&] { code = fn::RunClock(clock_dir, "reset", clock_to); });

  fn::UserOptions user;
  auto* user_cmd =
      app.add_subcommand("user", "用户 accounts of the admin web (argon2id passwords)");
  user_cmd->require_subcommand(1);
  auto* user_add =
      user_cmd->add_subcommand("add", "add an account (password from the terminal or stdin)");
  dir_option(user_add, user.dir);
  user_add->add_option("--login", user.login, "login name: 3-32 of a-z 0-9 . _ -")->required();
  user_add
      ->add_option("--role", user.role,
                   "director, supervisor, town_office, city_bureau, counsellor, caring_parent, "
                   "auditor")
      ->required();
  user_add->add_option("--unit", user.unit, "the unit the person works at")->required();
  user_add->add_option("--name", user.name, "the person's name (姓名)");
  user_add->add_option("--helper", user.helper, "a caring parent's helper record id");
  user_add->callback([&] {
    user.action = "add";
    code = fn::RunUser(user);
  });
  auto* user_list = user_cmd->add_subcommand("list", "list the accounts this node keeps");
  dir_option(user_list, user.dir);
  user_list->add_option("--unit", user.unit, "a unit of the subtree");
  user_list->add_flag("--json", user.json, "JSON for scripts");
  user_list->callback([&] {
    user.action = "list";
    code = fn::RunUser(user);
  });
  for (const char* action : {"disable", "enable", "passwd"}) {
    auto* sub = user_cmd->add_subcommand(action, std::string(action) == "passwd"
                                                     ? "set a new password"
                                                     : std::string(action) + " an account");
    dir_option(sub, user.dir);
    sub->add_option("--login", user.login, "login name")->required();
    sub->callback([&user, &code, action] {
      user.action = action;
      code = fn::RunUser(user);
    });
  }

  fn::RevokeOptions revoke;
  auto* revoke_cmd =
      app.add_subcommand("revoke", "吊销节点 revoke a node (the city, with the root key)");
  dir_option(revoke_cmd, revoke.dir);
  revoke_cmd->add_option("--node", revoke.node, "the node id (16 hex digits, from fulei status)")
      ->required();
  revoke_cmd->add_option("--reason", revoke.reason, "why (kept in the audit log)")->required();
  revoke_cmd->add_option("--root-key", revoke.root_key, "the root key file (default DIR/root.key)");
  revoke_cmd->callback([&] { code = fn::RunRevoke(revoke); });

  fn::DemoOptions demo;
  auto* demo_cmd = app.add_subcommand(
      "demo", "演示 a whole city as real fulei processes on loopback (Ctrl-C stops and cleans up)");
  demo_cmd->add_option("--towns", demo.towns, "towns (the pilot units first)")
      ->check(CLI::Range(1, 19))
      ->capture_default_str();
  demo_cmd->add_option("--villages-per-town", demo.villages_per_town, "villages per town")
      ->check(CLI::Range(1, 20))
      ->capture_default_str();
  demo_cmd->add_option("--seed", demo.seed, "seed of the generated records")->capture_default_str();
  demo_cmd->add_option("--minutes", demo.minutes, "stop after this long (0: at Ctrl-C)")
      ->check(CLI::Range(0, 24 * 60));
  demo_cmd->add_option("--seconds", demo.seconds, "stop after this many seconds (scripts, tests)")
      ->check(CLI::Range(0, 86400));
  demo_cmd->add_option("--units", demo.units_file, "town names (deploy/jinjiang-units.json)")
      ->check(CLI::ExistingFile);
  demo_cmd->add_option("--keep", demo.keep_dir, "keep the nodes' data in this directory");
  demo_cmd->callback([&] { code = fn::RunDemo(demo, argv[0]); });

  fn::SimOptions sim;
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
  sim_cmd->callback([&] {
    sim.faults = !no_faults;
    code = fn::RunSimCommand(sim);
  });

  app.add_subcommand("version", "print the version")->callback([] {
    std::printf("fulei 0.1.0\n");
  });

  CLI11_PARSE(app, argc, argv);
  return code;
}
