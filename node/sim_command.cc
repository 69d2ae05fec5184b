#include "node/sim_command.h"

#include <unistd.h>

#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

#include "node/sim/simulation.h"

namespace fulei::node {

namespace {

struct Unit {
  std::string id, name;
  bool pilot = false;
  int villages = -1;  // the file's "villages" count for the unit; -1: not given
};

struct UnitsFile {
  std::vector<Unit> units;
  int village_total = 0;  // "village_level_units_total"; 0: not given
};

// Reads the town-level units of deploy/jinjiang-units.json; an unreadable file is an error
// named on stderr (empty result).
UnitsFile LoadUnits(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "fulei sim: cannot read %s\n", path.c_str());
    return {};
  }
  std::stringstream text;
  text << in.rdbuf();
  boost::system::error_code ec;
  boost::json::value doc = boost::json::parse(text.str(), ec);
  if (ec || !doc.is_object() || !doc.as_object().contains("units")) {
    std::fprintf(stderr, "fulei sim: %s is not a units file (%s)\n", path.c_str(),
                 ec ? ec.message().c_str() : "no \"units\"");
    return {};
  }
  UnitsFile file;
  std::vector<Unit>& out = file.units;
  if (const auto* total = doc.as_object().if_contains("village_level_units_total");
      total != nullptr && total->is_int64()) {
    file.village_total = static_cast<int>(total->as_int64());
  }
  for (const auto& u : doc.at("units").as_array()) {
    if (!u.is_object()) continue;
    const auto& o = u.as_object();
    if (!o.contains("id") || !o.at("id").is_string()) continue;
    Unit unit;
    unit.id = std::string(o.at("id").as_string());
    if (o.contains("name") && o.at("name").is_string()) unit.name = o.at("name").as_string();
    if (o.contains("pilot") && o.at("pilot").is_bool()) unit.pilot = o.at("pilot").as_bool();
    if (o.contains("villages") && o.at("villages").is_int64()) {
      unit.villages = static_cast<int>(o.at("villages").as_int64());
    }
    out.push_back(std::move(unit));
  }
  return file;
}

// Villages per unit as the file has them: a unit's own count, else an even share (the first
// units one more) of what the total leaves; without a total, `fallback` each.
std::vector<int> RealVillages(const UnitsFile& file, int fallback) {
  int given = 0, unknown = 0;
  for (const Unit& u : file.units) {
    if (u.villages >= 0) {
      given += u.villages;
    } else {
      ++unknown;
    }
  }
  const int rest = file.village_total > given ? file.village_total - given : 0;
  std::vector<int> out;
  int k = 0;
  for (const Unit& u : file.units) {
    if (u.villages >= 0) {
      out.push_back(u.villages);
    } else if (file.village_total == 0) {
      out.push_back(fallback);
    } else {
      out.push_back(rest / unknown + (k++ < rest % unknown ? 1 : 0));
    }
  }
  return out;
}

}  // namespace

int RunSimCommand(const SimOptions& options) {
  node::sim::SimConfig config;
  config.villages_per_town = options.villages_per_town;
  config.fault_phase_ms = static_cast<uint64_t>(options.minutes) * 60'000;
  config.faults = options.faults;
  // tmpfs when there is one: the simulator measures protocol work, not the disk.
  // One directory per process, so two simulations never share stores.
  config.work_dir = (std::filesystem::is_directory("/dev/shm")
                         ? std::string("/dev/shm/fulei-sim")
                         : (std::filesystem::temp_directory_path() / "fulei-sim").string()) +
                    "-" + std::to_string(::getpid());
  std::map<std::string, std::string> names;
  if (!options.units_file.empty()) {
    UnitsFile file = LoadUnits(options.units_file);
    if (file.units.empty()) return 2;
    const std::vector<int> real = RealVillages(file, options.villages_per_town);
    for (size_t k = 0; k < file.units.size(); ++k) {
      const Unit& u = file.units[k];
      if (options.pilot_only && !u.pilot) continue;
      config.town_units.push_back(u.id);
      if (options.real_villages) config.villages_by_town.push_back(real[k]);
      names[u.id] = u.name;
    }
  }
  const size_t towns =
      config.town_units.empty() ? static_cast<size_t>(config.towns) : config.town_units.size();
  size_t villages = towns * static_cast<size_t>(config.villages_per_town);
  if (!config.villages_by_town.empty()) {
    villages = 0;
    for (int v : config.villages_by_town) villages += static_cast<size_t>(v);
  }
  std::printf("福蕾 fulei 模拟 / simulation: 1 市 city, %zu 镇街 towns, %zu 村社区 villages\n",
              towns, villages);
  for (const auto& [id, name] : names) std::printf("  %s  %s\n", id.c_str(), name.c_str());
  int failed = 0;
  for (uint64_t k = 0; k < options.seeds; ++k) {
    config.seed = options.seed + k;
    node::sim::SimResult r = node::sim::RunSimulation(config);
    std::printf(
        "\n种子 seed %llu: %s\n"
        "  写入 ops written: %llu (其中紧急报告 urgent reports: %llu)\n"
        "  连接 connections: %llu, 因故障断开 closed by faults: %llu\n"
        "  断网 partitions: %llu, 节点崩溃重启 crashes: %llu\n"
        "  被篡改的转发 batches tampered by relays: %llu; 被拒收 rejected on arrival: %llu "
        "(the rest were lost with their connection)\n"
        "  恢复后收敛用时 converged %.1f s (simulated) after the network healed\n"
        "  核对 checked %llu scopes: identical everywhere, no acknowledged op lost, no forged "
        "value in any store, no urgent report left unacknowledged\n"
        "  回执 receipts: %llu found at the reports' origins (one from the town and one from the "
        "city per report)\n",
        static_cast<unsigned long long>(r.seed), r.ok ? "通过 PASS" : "失败 FAIL",
        static_cast<unsigned long long>(r.ops_written),
        static_cast<unsigned long long>(r.urgent_written),
        static_cast<unsigned long long>(r.connections),
        static_cast<unsigned long long>(r.sessions_closed_by_faults),
        static_cast<unsigned long long>(r.partitions), static_cast<unsigned long long>(r.crashes),
        static_cast<unsigned long long>(r.tampered_batches),
        static_cast<unsigned long long>(r.rejected_batches),
        static_cast<double>(r.heal_ms) / 1000.0, static_cast<unsigned long long>(r.scopes_checked),
        static_cast<unsigned long long>(r.receipts_checked));
    std::printf("  项目记录 programme records written (each validated first):");
    for (const auto& [type, n] : r.records_written) {
      std::printf(" %s %llu", type.c_str(), static_cast<unsigned long long>(n));
    }
    std::printf("\n");
    if (r.records_skipped > 0) {
      std::printf("  跳过 edits skipped (record already invalid at the node's clock): %llu\n",
                  static_cast<unsigned long long>(r.records_skipped));
    }
    std::printf(
        "  看板 dashboards: %llu town and city counters equal a recount; city: %lld "
        "children, %lld urgent reports\n",
        static_cast<unsigned long long>(r.aggregates_checked),
        static_cast<long long>(r.city_children), static_cast<long long>(r.city_reports));
    if (!r.ok) {
      std::printf("  %s\n", r.failure.c_str());
      ++failed;
    }
  }
  return failed == 0 ? 0 : 1;
}

}  // namespace fulei::node
