#include "node/sim/ledger.h"

namespace fulei::node::sim {

void Ledger::Wrote(int node, const std::vector<crdt::Op>& ops, bool report, uint64_t now) {
  for (const crdt::Op& op : ops) {
    ops_.push_back(WrittenOp{node, op.key.scope, op.origin, op.seq});
    if (!report) continue;
    unseen_.push_back(reports_.size());
    reports_.push_back(UrgentReport{node, op.key.scope, op.key.id, op.origin, op.seq, now, {}, {}});
  }
}

void Ledger::Observe(Nodes& nodes, int n, uint64_t now, const SimConfig& config) {
  const NodeInfo& info = nodes.info()[static_cast<size_t>(n)];
  if (info.role == crypto::Role::kVillage) return;
  NodeCore* core = nodes.core(n);
  if (core == nullptr) return;
  const std::pair<uint64_t, uint64_t> version{nodes.epoch(n), core->data_version()};
  auto [last, fresh] = observed_.try_emplace(n, version);
  if (!fresh && last->second == version) return;
  last->second = version;
  const bool city = info.role == crypto::Role::kCity;
  std::erase_if(unseen_, [&](size_t i) {
    UrgentReport& u = reports_[i];
    std::optional<uint64_t>& at = city ? u.at_city : u.at_town;
    if (!at && (city || nodes.info()[static_cast<size_t>(u.village)].parent == n)) {
      auto held = core->store().GetOp(u.scope, u.origin, u.seq);
      if (held.ok() && held->has_value()) at = now;
    }
    return u.at_city && u.at_town;
  });
  if (!city || config.bulk_urgent_reports == 0 || config.preload_children == 0) return;
  const auto want = static_cast<uint64_t>(config.preload_ops_per_child) *
                    static_cast<uint64_t>(config.preload_children);
  for (const NodeInfo& v : nodes.info()) {
    if (v.role != crypto::Role::kVillage || backfill_done_.count(v.unit)) continue;
    auto vv = core->store().GetVersionVector(v.unit);
    if (!vv.ok()) continue;
    auto it = vv->find(v.id);
    if (it != vv->end() && it->second >= want) backfill_done_[v.unit] = now;
  }
}

}  // namespace fulei::node::sim
