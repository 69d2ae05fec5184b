#include "node/sim/scenarios.h"

#include <algorithm>

#include "crypto/revocation.h"

namespace fulei::node::sim {

void Scenarios::Start() {
  if (config_.bulk_urgent_reports > 0) {
    // Reports written while every link is busy with the preload backfill.
    for (const NodeInfo& n : nodes_.info()) {
      if (n.role != crypto::Role::kVillage) continue;
      for (int r = 0; r < config_.bulk_urgent_reports; ++r) {
        const uint64_t when =
            dice_.Uniform(config_.bulk_urgent_from_ms, config_.bulk_urgent_until_ms);
        const int i = n.index;
        loop_.At(when, [this, i] { workload_.FileReport(i); });
      }
    }
  }
  if (config_.town_outage_ms > 0 && nodes_.info().size() > 1) {
    const int town = 1;  // the first town
    loop_.At(config_.town_outage_at_ms, [this, town] {
      if (nodes_.core(town) == nullptr) return;
      outage_town_ = town;
      outage_end_ = loop_.now() + config_.town_outage_ms;
      if (config_.town_outage_isolates) {
        network_.SetLinkUp(town, 0, false);
        loop_.At(outage_end_, [this, town] { network_.SetLinkUp(town, 0, true); });
      } else {
        nodes_.TakeDown(town, "town outage");
        faults_.RestartAt(town, outage_end_);
      }
    });
    // Reports filed by the town's villages while it is down.
    for (const NodeInfo& v : nodes_.info()) {
      if (v.parent != town) continue;
      for (int r = 0; r < config_.outage_reports; ++r) {
        const uint64_t when =
            config_.town_outage_at_ms + dice_.Uniform(60'000, config_.town_outage_ms - 600'000);
        const int i = v.index;
        loop_.At(when, [this, i] { workload_.FileReport(i); });
      }
    }
  }
  if (config_.revoke_at_ms > 0) {
    std::vector<int> villages;
    for (const NodeInfo& n : nodes_.info()) {
      if (n.role == crypto::Role::kVillage) villages.push_back(n.index);
    }
    if (!villages.empty()) {
      revoked_ = villages[dice_.Uniform(0, villages.size() - 1)];
      loop_.At(config_.revoke_at_ms, [this] { Revoke(); });
    }
  }
}

void Scenarios::Revoke() {
  NodeCore* city = nodes_.core(0);
  if (city == nullptr) {  // the city is down: try again in a minute
    loop_.At(loop_.now() + 60'000, [this] { Revoke(); });
    return;
  }
  crypto::RevocationList list;
  list.version = city->revocation_version() + 1;
  list.issued_ms = nodes_.Wall(0);
  list.revoked = {nodes_.info()[static_cast<size_t>(revoked_)].id};
  auto signed_list = crypto::SignRevocationList(std::move(list), root_);
  if (!signed_list.ok()) return loop_.Fail(signed_list.status());
  Status published = city->PublishRevocations(*signed_list, nodes_.Wall(0));
  if (!published.ok()) return loop_.Fail(published);
  revocation_version_ = city->revocation_version();
  nodes_.Drive(0);
}

void Scenarios::OnEstablished(int child, int parent) {
  if (revoked_ < 0 || revocation_version_ == 0 || child != revoked_ || !violation_.empty()) return;
  NodeCore* core = nodes_.core(parent);
  if (core != nullptr && core->revocation_version() >= revocation_version_) {
    violation_ = nodes_.info()[static_cast<size_t>(parent)].unit +
                 " established a session with revoked " +
                 nodes_.info()[static_cast<size_t>(child)].unit + " after installing the list";
  }
}

Status Scenarios::Check(SimResult& result) {
  const bool scenario = config_.bulk_urgent_reports > 0 || config_.town_outage_ms > 0;
  for (const UrgentReport& u : ledger_.reports()) {
    if (!u.at_city) {
      if (scenario) return Internal("the city never recorded report " + u.id);
      continue;
    }
    result.max_urgent_latency_ms =
        std::max(result.max_urgent_latency_ms, *u.at_city - u.written_at);
  }
  if (config_.bulk_urgent_reports > 0) {
    // Per hop an urgent message waits for at most the one frame already on the link, then its
    // own transmission, then the delay and jitter; two hops (village -> town -> city).
    const auto frame_ms =
        static_cast<uint64_t>(static_cast<double>(network_.stats().max_frame_bytes) /
                              config_.link_bytes_per_ms) +
        1;
    result.urgent_bound_ms = 2 * (2 * frame_ms + config_.link_delay_ms + config_.link_jitter_ms);
    for (const UrgentReport& u : ledger_.reports()) {
      const uint64_t latency = *u.at_city - u.written_at;
      if (latency > result.urgent_bound_ms) {
        return Internal("report " + u.id + " reached the city after " + std::to_string(latency) +
                        " ms, over the bound of " + std::to_string(result.urgent_bound_ms) + " ms");
      }
      auto done = ledger_.backfill_done().find(u.scope);
      if (done == ledger_.backfill_done().end()) {
        return Internal("the backfill of " + u.scope + " never completed at the city");
      }
      if (*u.at_city >= done->second) {
        return Internal("report " + u.id + " reached the city at " + std::to_string(*u.at_city) +
                        " ms, not before the backfill of " + u.scope + " completed at " +
                        std::to_string(done->second) + " ms");
      }
      result.backfill_ms = std::max(result.backfill_ms, done->second);
    }
  }
  if (config_.town_outage_ms > 0 && outage_town_ >= 0) {
    for (const UrgentReport& u : ledger_.reports()) {
      const NodeInfo& v = nodes_.info()[static_cast<size_t>(u.village)];
      if (v.parent != outage_town_ || u.written_at < config_.town_outage_at_ms ||
          u.written_at >= outage_end_) {
        continue;
      }
      result.outage_reports++;
      if (v.ups.size() > 1 && (!u.at_city || *u.at_city >= outage_end_)) {
        return Internal("report " + u.id + " of " + v.unit +
                        " reached the city only after its town came back");
      }
      if (config_.town_outage_isolates) {
        if (!u.at_town) return Internal("report " + u.id + " never reached its town");
      } else if (!u.at_town || *u.at_town < outage_end_) {
        return Internal("report " + u.id + " was not received by the town after its return");
      }
    }
  }
  if (revoked_ >= 0) {
    const NodeInfo& r = nodes_.info()[static_cast<size_t>(revoked_)];
    result.revoked_unit = r.unit;
    if (revocation_version_ == 0) return Internal("the revocation list was never published");
    if (!violation_.empty()) return Internal(violation_);
    for (const NodeInfo& n : nodes_.info()) {
      if (n.index == revoked_) continue;
      if (nodes_.core(n.index)->revocation_version() < revocation_version_) {
        return Internal(n.unit + " never installed the revocation list of " + r.unit);
      }
    }
    if (network_.established_of(revoked_) != 0) {
      return Internal("revoked " + r.unit + " still has an established session");
    }
  }
  return Status::Ok();
}

SimConfig UrgentDuringBackfillScenario(uint64_t seed, const std::string& work_dir) {
  SimConfig c;
  c.seed = seed;
  c.work_dir = work_dir;
  c.faults = false;
  c.workload = false;
  c.towns = 2;
  c.villages_per_town = 2;
  c.preload_children = 400;
  c.preload_ops_per_child = 5;
  c.link_bytes_per_ms = 8;
  c.max_batch_ops = 20;
  c.fault_phase_ms = 5 * 60'000;
  c.bulk_urgent_reports = 2;
  c.bulk_urgent_from_ms = 2'000;
  c.bulk_urgent_until_ms = 6'000;
  c.city_fallback_fraction = 0.3;
  return c;
}

SimConfig TownOutageScenario(uint64_t seed, const std::string& work_dir) {
  SimConfig c;
  c.seed = seed;
  c.work_dir = work_dir;
  c.faults = false;
  c.towns = 2;
  c.villages_per_town = 3;
  c.fault_phase_ms = 3 * 3600'000;
  c.mean_write_interval_ms = 10 * 60'000;
  c.urgent_fraction = 0.1;
  c.town_outage_at_ms = 10 * 60'000;
  c.town_outage_ms = 2 * 3600'000;
  c.outage_reports = 2;
  c.city_fallback_fraction = 1.0;
  return c;
}

SimConfig TownIsolatedScenario(uint64_t seed, const std::string& work_dir) {
  SimConfig c = TownOutageScenario(seed, work_dir);
  c.town_outage_isolates = true;
  return c;
}

SimConfig RevocationScenario(uint64_t seed, const std::string& work_dir) {
  SimConfig c;
  c.seed = seed;
  c.work_dir = work_dir;
  c.revoke_at_ms = 8 * 60'000;
  c.city_fallback_fraction = 0.5;
  c.urgent_fraction = 0.15;
  return c;
}

}  // namespace fulei::node::sim
