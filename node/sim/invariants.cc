#include "node/sim/invariants.h"

#include <map>
#include <optional>
#include <set>

#include "crdt/codec.h"
#include "crdt/org_unit.h"
#include "crypto/signing.h"
#include "node/sim/network.h"
#include "programme/aggregate.h"
#include "programme/assistance.h"
#include "programme/fields.h"
#include "programme/funds.h"
#include "programme/memory_index.h"
#include "programme/referrals.h"
#include "programme/schema.h"
#include "programme/scope.h"
#include "programme/scorecard.h"
#include "sync/receipts.h"
#include "sync/scopes.h"
#include "sync/session.h"

namespace fulei::node::sim {
namespace {

// Every record type the workload may write: the programme's.
std::vector<std::string> RecordTypes() {
  std::vector<std::string> out;
  for (const programme::RecordTypeSpec& t : programme::RecordTypes()) out.emplace_back(t.name);
  return out;
}

const std::vector<std::string>& Types() {
  static const std::vector<std::string> kTypes = RecordTypes();
  return kTypes;
}

Result<std::string> ScopeHash(store::Store& store, const std::string& scope) {
  std::string all;
  for (const std::string& type : Types()) {
    FULEI_RETURN_IF_ERROR(
        store.ForEach(type, scope, [&](const crdt::RecordKey& key, const crdt::RecordState& state) {
          if (key.scope != scope) return true;
          all += key.ToString();
          all += '\0';
          all += state.Encode();
          return true;
        }));
  }
  auto h = crypto::Blake2b256(all);
  return std::string(h.begin(), h.end());
}

int64_t Sum(const std::map<std::string, int64_t>& m) {
  int64_t n = 0;
  for (const auto& [k, v] : m) n += v;
  return n;
}

// Every record of `type` the store holds, with its fields (deleted ones left out).
Result<std::vector<std::pair<crdt::RecordKey, programme::Fields>>> Held(store::Store& store,
                                                                        std::string_view type,
                                                                        std::string_view under) {
  std::vector<std::pair<crdt::RecordKey, programme::Fields>> out;
  FULEI_RETURN_IF_ERROR(
      store.ForEach(type, under, [&](const crdt::RecordKey& key, const crdt::RecordState& state) {
        std::optional<programme::Fields> f = programme::ReadFields(state);
        if (f) out.emplace_back(key, std::move(*f));
        return true;
      }));
  return out;
}

// The unit a record about another unit counts for (docs/programme.md, "Aggregation"): its
// `unit` field when that lies at or below the unit holding the record, else its scope.
std::string CountedFor(const crdt::RecordKey& key, const programme::Fields& f) {
  const std::string unit(programme::OneOr(f, "unit"));
  if (!unit.empty() && crdt::IsAtOrBelow(unit, programme::OwnerUnit(key.scope))) return unit;
  return key.scope;
}

// The dashboard figures of the records of issue 15 for `unit`, recounted from the records the
// store holds with the programme's own sums (funds.h, referrals.h, assistance.h, scorecard.h)
// and plain loops — another way than the counters — and compared with `kept`. kInternal naming
// the first figure that differs.
Status CheckNewRecordFigures(store::Store& store, const std::string& unit,
                             const programme::Dashboard& kept, const programme::Date& today) {
  programme::Dashboard want;
  auto differs = [&](const char* what) {
    return Internal(unit + ": dashboard figure '" + what +
                    "' differs from a recount of the records held");
  };
  const std::string year = std::to_string(today.year);
  // Facilities in use, by kind.
  FULEI_ASSIGN_OR_RETURN(auto facilities, Held(store, programme::kFacility, unit));
  for (const auto& [key, f] : facilities) {
    if (programme::OneOr(f, "active") != "false") {
      want.facilities[std::string(programme::OneOr(f, "kind"))]++;
    }
  }
  if (kept.facilities != want.facilities) return differs("facilities");
  // Posts filled today, and inspections, corrections and funds: counted for their unit.
  FULEI_ASSIGN_OR_RETURN(auto posts, Held(store, programme::kStaffPost, ""));
  for (const auto& [key, f] : posts) {
    if (!crdt::IsAtOrBelow(CountedFor(key, f), unit)) continue;
    const std::string_view until = programme::OneOr(f, "until");
    if (!until.empty() && until < today.ToString()) continue;
    want.posts_filled[std::string(programme::OneOr(f, "role"))]++;
    if (programme::OneOr(f, "certified") == "true") want.posts_certified++;
    if (!programme::All(f, "trainings").empty()) want.posts_trained++;
  }
  if (kept.posts_filled != want.posts_filled || kept.posts_certified != want.posts_certified ||
      kept.posts_trained != want.posts_trained) {
    return differs("posts filled");
  }
  FULEI_ASSIGN_OR_RETURN(auto inspections, Held(store, programme::kInspection, ""));
  for (const auto& [key, f] : inspections) {
    if (!crdt::IsAtOrBelow(CountedFor(key, f), unit)) continue;
    want.inspections++;
    if (programme::OneOr(f, "date").substr(0, 4) == year) want.inspections_this_year++;
  }
  if (kept.inspections != want.inspections ||
      kept.inspections_this_year != want.inspections_this_year) {
    return differs("inspections");
  }
  FULEI_ASSIGN_OR_RETURN(auto corrections, Held(store, programme::kCorrection, ""));
  for (const auto& [key, f] : corrections) {
    if (!crdt::IsAtOrBelow(CountedFor(key, f), unit)) continue;
    if (!programme::OneOr(f, "completed_on").empty()) {
      want.corrections_completed++;
    } else if (std::optional<programme::OpenCorrection> c = programme::ReadOpenCorrection(f)) {
      want.corrections_open++;
      if (c->due < today) want.corrections_overdue++;
    }
  }
  if (kept.corrections_open != want.corrections_open ||
      kept.corrections_overdue != want.corrections_overdue ||
      kept.corrections_completed != want.corrections_completed) {
    return differs("corrections");
  }
  FULEI_ASSIGN_OR_RETURN(auto funds, Held(store, programme::kFund, ""));
  std::vector<programme::FundEntry> all_years, this_year;
  for (const auto& [key, f] : funds) {
    const std::string counted = CountedFor(key, f);
    if (!crdt::IsAtOrBelow(counted, unit)) continue;
    auto e = programme::ReadFund(f);
    if (!e.ok()) continue;
    e->unit = counted;
    all_years.push_back(*e);
    if (programme::OneOr(f, "date").substr(0, 4) == year) this_year.push_back(*e);
  }
  const programme::FundSums sums = programme::SumFunds(all_years);
  const programme::FundSums sums_year = programme::SumFunds(this_year);
  for (const programme::FundLine& w : sums.by_work) {
    want.funds_by_work[w.work] = {w.allocated_fen, w.spent_fen};
  }
  want.funds = {sums.total.allocated_fen, sums.total.spent_fen};
  want.funds_this_year = {sums_year.total.allocated_fen, sums_year.total.spent_fen};
  if (kept.funds_by_work != want.funds_by_work || kept.funds != want.funds ||
      kept.funds_this_year != want.funds_this_year) {
    return differs("funds");
  }
  // Referrals and legal consultations of the unit's subtree.
  std::vector<programme::Fields> referrals, consultations;
  FULEI_ASSIGN_OR_RETURN(auto held_referrals, Held(store, programme::kReferral, unit));
  for (auto& [key, f] : held_referrals) referrals.push_back(std::move(f));
  FULEI_ASSIGN_OR_RETURN(auto held_consultations, Held(store, programme::kLegalConsultation, unit));
  for (auto& [key, f] : held_consultations) {
    want.legal_by_topic[std::string(programme::OneOr(f, "topic"))]++;
    consultations.push_back(std::move(f));
  }
  const programme::ReferralCounts counted =
      programme::CountReferrals(referrals, consultations, today);
  for (const programme::FollowUpCount& t : counted.by_target) {
    if (t.total > 0) want.referrals_by_target[t.what] = t;
  }
  want.referrals = counted.all_referrals;
  if (kept.referrals_by_target != want.referrals_by_target || kept.referrals != want.referrals) {
    return differs("referrals");
  }
  if (kept.legal_consultations != counted.legal_consultations ||
      kept.legal_by_topic != want.legal_by_topic) {
    return differs("legal consultations");
  }
  // Contacts with an absent parent this month; assistance given this year.
  FULEI_ASSIGN_OR_RETURN(auto contacts, Held(store, programme::kContact, unit));
  const std::string month = today.ToString().substr(0, 7);
  for (const auto& [key, f] : contacts) {
    const std::string_view with = programme::OneOr(f, "counterpart");
    if (!with.empty() && with != "helper" && programme::OneOr(f, "date").substr(0, 7) == month) {
      want.contacts_by_counterpart_this_month[std::string(with)]++;
    }
  }
  if (kept.contacts_by_counterpart_this_month != want.contacts_by_counterpart_this_month) {
    return differs("contacts by counterpart");
  }
  FULEI_ASSIGN_OR_RETURN(auto pairings, Held(store, programme::kPairing, unit));
  std::vector<programme::PairingAssistance> given;
  for (const auto& [key, f] : pairings)
    given.push_back({key.scope, programme::All(f, "assistance")});
  const programme::AssistanceSums assist = programme::SumAssistance(
      given, programme::Date{today.year, 1, 1}, programme::Date{today.year, 12, 31});
  for (const auto& [kind, n] : assist.city.entries_by_kind) {
    auto fen = assist.city.fen_by_kind.find(kind);
    want.assistance_this_year[kind] = {n, fen == assist.city.fen_by_kind.end() ? 0 : fen->second};
  }
  if (kept.assistance_this_year != want.assistance_this_year) return differs("assistance given");
  return Status::Ok();
}

}  // namespace

bool Invariants::CutOff(const std::string& scope) const {
  for (const NodeInfo& n : nodes_.info()) {
    if (nodes_.revoked(n.index) && n.unit == scope) return true;
  }
  return false;
}

bool Invariants::RevokedOrigin(crdt::NodeId origin) const {
  for (const NodeInfo& n : nodes_.info()) {
    if (nodes_.revoked(n.index) && n.id == origin) return true;
  }
  return false;
}

Status Invariants::Check() {
  std::set<std::string> all;
  for (const NodeInfo& n : nodes_.info()) {
    FULEI_ASSIGN_OR_RETURN(std::vector<std::string> s, nodes_.core(n.index)->store().Scopes());
    all.insert(s.begin(), s.end());
  }
  const std::vector<std::string> scopes(all.begin(), all.end());
  FULEI_RETURN_IF_ERROR(CheckOutboxes(scopes));
  FULEI_RETURN_IF_ERROR(CheckReceipts());
  FULEI_RETURN_IF_ERROR(CheckScopes(scopes));
  FULEI_RETURN_IF_ERROR(CheckNothingLost());
  return CheckNoForgery();
}

Status Invariants::CheckOutboxes(const std::vector<std::string>& scopes) {
  for (const NodeInfo& n : nodes_.info()) {
    if (nodes_.revoked(n.index)) continue;
    store::Store& store = nodes_.core(n.index)->store();
    FULEI_ASSIGN_OR_RETURN(uint64_t pending, store.PendingCount());
    if (pending != 0) {
      return Internal(n.unit + " still holds " + std::to_string(pending) + " pending ops");
    }
    for (size_t k = 0; k < n.ups.size(); ++k) {
      FULEI_ASSIGN_OR_RETURN(std::vector<store::OutboxEntry> outbox,
                             store.Outbox(UpstreamOutbox(k)));
      if (outbox.empty()) continue;
      std::string detail;
      const NodeInfo& up = nodes_.info()[static_cast<size_t>(n.ups[k])];
      for (const store::OutboxEntry& e : outbox) {
        auto op = crdt::DecodeOp(e.bytes);
        if (!op.ok()) continue;
        auto held = nodes_.core(up.index)->store().GetOp(op->key.scope, op->origin, op->seq);
        detail += " [" + op->key.ToString() + " seq " + std::to_string(op->seq) +
                  (held.ok() && held->has_value() ? ", upstream holds it" : ", upstream lacks it") +
                  (RevokedOrigin(op->origin) ? ", of a revoked origin" : "") + "]";
      }
      return Internal(n.unit + " has " + std::to_string(outbox.size()) +
                      " urgent ops never acknowledged by upstream " + up.unit + ":" + detail);
    }
    // Nothing waits in a downstream outbox either (receipts on their way to the origin).
    for (const std::string& scope : scopes) {
      if (scope == n.unit || !crdt::IsAtOrBelow(scope, n.unit) || CutOff(scope)) continue;
      FULEI_ASSIGN_OR_RETURN(std::vector<store::OutboxEntry> outbox,
                             store.Outbox(sync::DownOutbox(scope)));
      if (!outbox.empty()) {
        return Internal(n.unit + " still has " + std::to_string(outbox.size()) +
                        " urgent ops waiting to go down to " + scope);
      }
    }
  }
  return Status::Ok();
}

// Every urgent report's receipts from its town and from the city reached its origin, exactly
// one per (op, receiving node), and no node wrote a receipt for a receipt or its own op.
Status Invariants::CheckReceipts() {
  const NodeInfo& city = nodes_.info()[0];
  for (const UrgentReport& u : ledger_.reports()) {
    if (nodes_.revoked(u.village)) continue;
    const NodeInfo& village = nodes_.info()[static_cast<size_t>(u.village)];
    const NodeInfo& town = nodes_.info()[static_cast<size_t>(village.parent)];
    FULEI_ASSIGN_OR_RETURN(
        std::vector<sync::Receipt> receipts,
        sync::ReceiptsFor(nodes_.core(u.village)->store(), u.scope, "report", u.id));
    int from_town = 0, from_city = 0;
    for (const sync::Receipt& r : receipts) {
      if (r.origin != u.origin || r.seq != u.seq) continue;
      if (r.node == village.id) {
        return Internal(village.unit + " wrote a receipt for its own report " + u.id);
      }
      if (r.node == town.id && r.unit == town.unit) from_town++;
      if (r.node == city.id && r.unit == city.unit) from_city++;
    }
    if (from_town != 1 || from_city != 1) {
      return Internal(village.unit + " report " + u.id + " has " + std::to_string(from_town) +
                      " receipts from " + town.unit + " and " + std::to_string(from_city) +
                      " from the city (want 1 and 1)");
    }
    receipts_checked_ += 2;
  }
  for (const NodeInfo& n : nodes_.info()) {
    bool bad = false;
    FULEI_RETURN_IF_ERROR(nodes_.core(n.index)->store().ForEach(
        sync::kReceiptType, "", [&](const crdt::RecordKey&, const crdt::RecordState& state) {
          if (state.Get("report_type") == sync::kReceiptType) bad = true;
          return !bad;
        }));
    if (bad) return Internal(n.unit + " holds a receipt of a receipt");
  }
  return Status::Ok();
}

Status Invariants::CheckScopes(const std::vector<std::string>& scopes) {
  for (const std::string& scope : scopes) {
    if (CutOff(scope)) continue;
    std::optional<std::string> reference;
    std::string reference_unit;
    for (const NodeInfo& n : nodes_.info()) {
      if (nodes_.revoked(n.index) || !sync::Holds(n.unit, scope)) continue;
      FULEI_ASSIGN_OR_RETURN(std::string h, ScopeHash(nodes_.core(n.index)->store(), scope));
      if (!reference) {
        reference = h;
        reference_unit = n.unit;
      } else if (*reference != h) {
        return Internal("scope " + scope + " differs between " + reference_unit + " and " + n.unit +
                        diagnosis_.DescribeScope(nodes_, scope));
      }
    }
    scopes_checked_++;
  }
  return Status::Ok();
}

Status Invariants::CheckNothingLost() {
  for (const NodeInfo& n : nodes_.info()) {
    if (nodes_.revoked(n.index)) continue;
    store::Store& store = nodes_.core(n.index)->store();
    std::map<std::string, store::VersionVector> vvs;
    for (const WrittenOp& l : ledger_.ops()) {
      if (!sync::Holds(n.unit, l.scope) || nodes_.revoked(l.node) || CutOff(l.scope)) continue;
      auto it = vvs.find(l.scope);
      if (it == vvs.end()) {
        FULEI_ASSIGN_OR_RETURN(store::VersionVector vv, store.GetVersionVector(l.scope));
        it = vvs.emplace(l.scope, std::move(vv)).first;
      }
      auto seq = it->second.find(l.origin);
      if (seq == it->second.end() || seq->second < l.seq) {
        return Internal(n.unit + " lacks acknowledged op " + l.scope + "/" +
                        sync::NodeHex(l.origin) + "/" + std::to_string(l.seq));
      }
    }
  }
  return Status::Ok();
}

Status Invariants::CheckNoForgery() {
  for (const NodeInfo& n : nodes_.info()) {
    for (const std::string& type : Types()) {
      bool forged = false;
      FULEI_RETURN_IF_ERROR(nodes_.core(n.index)->store().ForEach(
          type, "", [&](const crdt::RecordKey&, const crdt::RecordState& state) {
            for (const auto& [name, field] : state.fields()) {
              for (const crdt::Entry& e : field.entries()) {
                if (e.value.find(kForged) != std::string::npos) forged = true;
              }
            }
            return !forged;
          }));
      if (forged) return Internal(n.unit + " accepted a forged op");
    }
  }
  return Status::Ok();
}

Status Invariants::CheckAggregates(uint64_t now_ms) {
  const programme::Date today = programme::DateAtMs(now_ms);
  const int64_t now_s = static_cast<int64_t>(now_ms / 1000);
  for (const NodeInfo& n : nodes_.info()) {
    if (n.role == crypto::Role::kVillage) continue;
    NodeCore& core = *nodes_.core(n.index);
    if (!core.keeps_dashboard()) return Internal(n.unit + " keeps no dashboard counters");
    programme::MemoryIndex recount;
    for (const std::string& type : Types()) {
      Status applied;
      FULEI_RETURN_IF_ERROR(core.store().ForEach(
          type, "", [&](const crdt::RecordKey& key, const crdt::RecordState& state) {
            const std::optional<programme::Fields> fields = programme::ReadFields(state);
            if (fields) applied = programme::ApplyAggregateChange(key, nullptr, &*fields, recount);
            return applied.ok();
          }));
      FULEI_RETURN_IF_ERROR(applied);
    }
    std::map<std::string, std::string, std::less<>> held;
    FULEI_RETURN_IF_ERROR(core.store().ScanIndex(programme::kAggregateIndexName, "",
                                                 [&](std::string_view k, std::string_view v) {
                                                   held.emplace(k, v);
                                                   return true;
                                                 }));
    const auto& want = recount.entries();
    for (const auto& [k, v] : want) {
      auto it = held.find(k);
      if (it == held.end() || it->second != v) {
        return Internal(n.unit + ": dashboard counter " + k + " is " +
                        (it == held.end() ? std::string("absent") : it->second) +
                        ", a recount of the records held gives " + v);
      }
    }
    for (const auto& [k, v] : held) {
      if (!want.contains(k)) {
        return Internal(n.unit + ": dashboard counter " + k + " is " + v +
                        ", a recount of the records held has none");
      }
    }
    // The core's own read of the counters agrees with the recount's.
    FULEI_ASSIGN_OR_RETURN(programme::Dashboard kept, core.ReadDashboard(n.unit, today, now_s));
    FULEI_ASSIGN_OR_RETURN(programme::Dashboard counted,
                           programme::ReadDashboard(recount, n.unit, today, now_s));
    if (!(kept == counted)) {
      return Internal(n.unit + ": the dashboard read through the core differs from a recount's");
    }
    // The counters of the newer records against a recount that does not use them at all.
    FULEI_RETURN_IF_ERROR(CheckNewRecordFigures(core.store(), n.unit, kept, today));
    if (n.role == crypto::Role::kCity) {
      city_children_ = kept.children;
      city_reports_ = kept.reports.total;
      city_figures_ = {
          {"facilities", Sum(kept.facilities)},
          {"posts_filled", Sum(kept.posts_filled)},
          {"inspections", kept.inspections},
          {"corrections_open", kept.corrections_open},
          {"corrections_completed", kept.corrections_completed},
          {"funds_allocated_fen", kept.funds.allocated_fen},
          {"funds_spent_fen", kept.funds.spent_fen},
          {"referrals", kept.referrals.total},
          {"legal_consultations", kept.legal_consultations.total},
          {"parent_contacts_this_month", Sum(kept.contacts_by_counterpart_this_month)},
      };
      int64_t assistance = 0;
      for (const auto& [kind, a] : kept.assistance_this_year) assistance += a.entries;
      city_figures_["assistance_this_year"] = assistance;
    }
    aggregates_checked_++;
  }
  return Status::Ok();
}

}  // namespace fulei::node::sim
