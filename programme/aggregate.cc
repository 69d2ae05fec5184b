#include "programme/aggregate.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <set>

#include "crdt/org_unit.h"
#include "programme/assistance.h"
#include "programme/funds.h"
#include "programme/records.h"
#include "programme/rules_study_aid.h"
#include "programme/schema.h"
#include "programme/scope.h"
#include "programme/validate.h"

namespace fulei::programme {
namespace {

using Contrib = std::map<std::string, int64_t>;

// Index keys are built from scopes, codes and ids; anything that could break the key or summary
// layout (separators, spaces, newlines) makes the record contribute nothing.
bool SafeToken(std::string_view s) {
  if (s.empty() || s.size() > 256) return false;
  for (char c : s) {
    if (c == '|' || c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\0') return false;
  }
  return true;
}

void AddUnit(Contrib& c, std::string_view scope, std::string_view counter, int64_t n = 1) {
  size_t pos = 0;
  while (true) {
    const size_t slash = scope.find('/', pos);
    const std::string_view unit = scope.substr(0, slash);
    std::string key = "u|";
    key.append(unit).append("|").append(counter);
    c[key] += n;
    if (slash == std::string_view::npos) break;
    pos = slash + 1;
  }
}

std::string Padded(int64_t v, int width) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%0*" PRId64, width, v);
  return buf;
}

bool IsUrgentType(std::string_view t) { return t == "report" || t == "help_request"; }

// The unit a record about another unit counts for: its `unit` field (the unit inspected, to
// correct, funded, responsible for) when that lies at or below the unit that holds the record;
// else the record's own scope (a unit field naming a unit elsewhere is counted where it is
// held, never for a unit the writer had no say over).
std::string_view CountedUnit(std::string_view scope, const Fields& f) {
  const std::string_view unit = OneOr(f, "unit");
  if (SafeToken(unit) && crdt::IsAtOrBelow(unit, OwnerUnit(scope))) return unit;
  return scope;
}

// The end of a post with no `until` (in post until it gets one).
constexpr std::string_view kOpenEnd = "open";

// An open item's follow-up: "due.<date>" when its follow_up_due reads, else "nodue".
std::string DueSuffix(const Fields& f) {
  Result<Date> due = ParseDate(OneOr(f, "follow_up_due"));
  return due.ok() ? "due." + due->ToString() : std::string("nodue");
}

// The records of issue 15: facilities, posts, inspections, corrections, funds, referrals and
// legal consultations (docs/programme.md, "Aggregation").
void NewRecordContrib(Contrib& c, const crdt::RecordKey& key, const Fields& f) {
  const std::string_view scope = key.scope;
  const std::string_view type = key.type;
  if (type == kFacility) {
    const std::string_view kind = OneOr(f, "kind");
    if (!KnownEnumValue(type, "kind", kind) || OneOr(f, "active") == "false") return;
    AddUnit(c, scope, "fac." + std::string(kind));
  } else if (type == kStaffPost) {
    const std::string_view role = OneOr(f, "role");
    if (!KnownEnumValue(type, "role", role)) return;
    std::string until(kOpenEnd);
    if (auto u = One(f, "until")) {
      auto d = ParseDate(*u);
      if (!d.ok()) return;
      until = d->ToString();
    }
    const std::string_view unit = CountedUnit(scope, f);
    AddUnit(c, unit, "post." + std::string(role) + ".until." + until);
    if (OneOr(f, "certified") == "true") AddUnit(c, unit, "post.cert.until." + until);
    if (!All(f, "trainings").empty()) AddUnit(c, unit, "post.trained.until." + until);
  } else if (type == kInspection) {
    auto d = ParseDate(OneOr(f, "date"));
    if (!d.ok()) return;
    AddUnit(c, CountedUnit(scope, f), "insp.n." + std::to_string(d->year));
  } else if (type == kCorrection) {
    const std::string_view unit = CountedUnit(scope, f);
    if (!OneOr(f, "completed_on").empty()) {
      AddUnit(c, unit, "corr.done");
      return;
    }
    auto d = ParseDate(OneOr(f, "due"));
    if (!d.ok()) return;  // an open correction without a due date is no correction (scorecard.h)
    AddUnit(c, unit, "corr.due." + d->ToString());
  } else if (type == kFund) {
    auto e = ReadFund(f);
    auto d = ParseDate(OneOr(f, "date"));
    if (!e.ok() || !d.ok()) return;
    AddUnit(c, CountedUnit(scope, f),
            std::string(e->spending ? "fund.spend." : "fund.alloc.") + e->work + "." +
                std::to_string(d->year),
            e->fen);
  } else if (type == kReferral) {
    // As referrals.h counts them: a target outside the list as "other"; closed by its status or
    // its closed_on.
    std::string_view to = OneOr(f, "to");
    if (!KnownEnumValue(type, "to", to)) to = "other";
    const bool closed = OneOr(f, "status") == "closed" || !OneOr(f, "closed_on").empty();
    AddUnit(c, scope, "ref." + std::string(to) + "." + (closed ? "closed" : DueSuffix(f)));
  } else if (type == kLegalConsultation) {
    std::string_view topic = OneOr(f, "topic");
    if (!KnownEnumValue(type, "topic", topic)) topic = "other";
    AddUnit(c, scope, "legal.topic." + std::string(topic));
    AddUnit(c, scope, "legal." + (OneOr(f, "closed_on").empty() ? DueSuffix(f) : "closed"));
  }
}

// Counters a record contributes on its own.
Contrib DirectContrib(const crdt::RecordKey& key, const Fields* f) {
  Contrib c;
  if (f == nullptr || !SafeToken(key.scope) || !SafeToken(key.id)) return c;
  const std::string_view scope = key.scope;
  const std::string_view type = key.type;
  if (type == "child") {
    auto child = ReadChild(scope, key.id, *f);
    if (!child.ok() || !child->moved_to.empty() || !SafeToken(child->category)) return c;
    const std::string birth = child->birth.ToString();
    AddUnit(c, scope, "child.n");
    AddUnit(c, scope, "child.cat." + child->category);
    AddUnit(c, scope, child->gender == Gender::kMale ? "child.gender.male" : "child.gender.female");
    AddUnit(c, scope, "child.birth." + birth);
    // Study-aid eligibility except age, which is resolved when read (rules_study_aid.h).
    if (StudyAidEligibleExceptAge(*child)) {
      AddUnit(c, scope, "sa.birth." + birth);
      if (child->study_aid_wish == "yes") AddUnit(c, scope, "sa.willing.birth." + birth);
    }
  } else if (type == "helper") {
    const std::string_view kind = OneOr(*f, "kind");
    if (!KnownEnumValue("helper", "kind", kind) || OneOr(*f, "active") == "false") return c;
    AddUnit(c, scope, "helper.n");
    AddUnit(c, scope, "helper.kind." + std::string(kind));
    if (OneOr(*f, "loving_parent") == "true") AddUnit(c, scope, "helper.loving_parent");
  } else if (type == "organisation") {
    const std::string_view kind = OneOr(*f, "kind");
    if (!KnownEnumValue("organisation", "kind", kind)) return c;
    AddUnit(c, scope, "org.n");
    AddUnit(c, scope, "org.kind." + std::string(kind));
  } else if (type == "activity") {
    auto a = ReadActivity(scope, key.id, *f);
    if (!a.ok() || !SafeToken(a->kind)) return c;
    const std::string suffix = a->kind + "." + std::to_string(a->start.year);
    AddUnit(c, scope, "act.n." + suffix);
    AddUnit(c, scope, "act.days." + suffix, a->Days());
    AddUnit(c, scope, "act.att." + suffix, a->attendance);
  } else if (IsUrgentType(type)) {
    auto u = ReadUrgentCase(scope, type, key.id, *f);
    if (!u.ok()) return c;
    const std::string p = "urgent." + std::string(type) + ".";
    AddUnit(c, scope, p + "n");
    if (u->closed) AddUnit(c, scope, p + "closed");
    if (u->escalated_at) AddUnit(c, scope, p + "escalated");
    if (u->acknowledged_at) {
      AddUnit(c, scope, p + "acked");
      const int64_t minutes = std::max<int64_t>(0, (*u->acknowledged_at - u->reported_at) / 60);
      AddUnit(c, scope, p + "ackmin." + Padded(minutes, 10));
    } else if (!u->closed) {
      AddUnit(c, scope, p + "open");
      AddUnit(c, scope, p + "due." + Padded(u->reported_at + u->deadline_minutes * 60, 12));
    }
  } else if (type == "contact") {
    auto k = ReadContact(scope, key.id, *f);
    if (!k.ok() || !SafeToken(k->kind)) return c;
    const std::string month = MonthLabel(MonthIndex(k->date));
    AddUnit(c, scope, "contact." + k->kind + "." + month);
    // A contact with someone other than the paired helper (an absent parent in a 亲情视频 call,
    // the guardian); the helper's own contacts are the counters above.
    const std::string_view with = OneOr(*f, "counterpart");
    if (with != "helper" && KnownEnumValue("contact", "counterpart", with)) {
      AddUnit(c, scope, "cwith." + std::string(with) + "." + month);
    }
  } else if (type == "pairing") {
    // Assistance given (assistance.h), ended pairings' included; an unknown kind as "other",
    // an entry that does not parse not at all.
    for (const std::string& text : All(*f, "assistance")) {
      auto e = ParseAssistance(text);
      if (!e.ok()) continue;
      const std::string suffix = e->kind + "." + std::to_string(e->date.year);
      AddUnit(c, scope, "assist.n." + suffix);
      if (e->fen) AddUnit(c, scope, "assist.fen." + suffix, *e->fen);
    }
    auto p = ReadPairing(scope, key.id, *f);
    if (!p.ok() || p->end || !SafeToken(p->kind)) return c;
    AddUnit(c, scope, "pairing." + p->kind);
  } else {
    NewRecordContrib(c, key, *f);
  }
  return c;
}

// ---- the child's family-care summary ----------------------------------------------------------

struct Summary {
  std::map<std::string, std::string> pairings;                    // pairing id -> helper
  std::map<std::string, std::map<std::string, int64_t>> periods;  // helper -> period -> count

  bool empty() const { return pairings.empty() && periods.empty(); }

  std::string Encode() const {
    std::string out;
    for (const auto& [id, helper] : pairings) out += "p " + id + " " + helper + "\n";
    for (const auto& [helper, ps] : periods) {
      for (const auto& [period, n] : ps) {
        out += "c " + helper + " " + period + " " + std::to_string(n) + "\n";
      }
    }
    return out;
  }

  static Result<Summary> Decode(std::string_view s) {
    Summary out;
    while (!s.empty()) {
      const size_t nl = s.find('\n');
      if (nl == std::string_view::npos)
        return Corruption("programme.agg: summary line unterminated");
      std::string_view line = s.substr(0, nl);
      s = s.substr(nl + 1);
      std::vector<std::string_view> parts;
      while (true) {
        const size_t sp = line.find(' ');
        parts.push_back(line.substr(0, sp));
        if (sp == std::string_view::npos) break;
        line = line.substr(sp + 1);
      }
      if (parts.size() == 3 && parts[0] == "p") {
        out.pairings[std::string(parts[1])] = std::string(parts[2]);
      } else if (parts.size() == 4 && parts[0] == "c") {
        auto n = ParseInt(parts[3]);
        if (!n.ok() || *n <= 0) return Corruption("programme.agg: bad summary count");
        out.periods[std::string(parts[1])][std::string(parts[2])] = *n;
      } else {
        return Corruption("programme.agg: bad summary line");
      }
    }
    return out;
  }
};

// One record's effect on a child's summary.
struct Effect {
  std::string scope;
  std::string child;
  bool pairing = false;
  std::string pairing_id;  // pairing
  std::string helper;
  std::string period;  // contact: "T2026-11" or "V2026-Q4"
};

std::optional<Effect> SummaryEffect(const crdt::RecordKey& key, const Fields* f) {
  if (f == nullptr || !SafeToken(key.scope) || !SafeToken(key.id)) return std::nullopt;
  if (key.type == "pairing") {
    auto p = ReadPairing(key.scope, key.id, *f);
    if (!p.ok() || p->kind != "family_care" || p->end || !SafeToken(p->child) ||
        !SafeToken(p->helper)) {
      return std::nullopt;
    }
    return Effect{key.scope, p->child, true, key.id, p->helper, ""};
  }
  if (key.type == "contact") {
    auto c = ReadContact(key.scope, key.id, *f);
    if (!c.ok() || !SafeToken(c->child) || !SafeToken(c->helper)) return std::nullopt;
    std::string period;
    if (c->kind == "talk") {
      period = "T" + MonthLabel(MonthIndex(c->date));
    } else if (c->kind == "home_visit") {
      period = "V" + QuarterLabel(QuarterIndex(c->date));
    } else {
      return std::nullopt;
    }
    return Effect{key.scope, c->child, false, "", c->helper, period};
  }
  return std::nullopt;
}

void Affect(Summary& s, const Effect& e, int sign) {
  if (e.pairing) {
    if (sign > 0) {
      s.pairings[e.pairing_id] = e.helper;
    } else {
      s.pairings.erase(e.pairing_id);
    }
    return;
  }
  auto& ps = s.periods[e.helper];
  int64_t& n = ps[e.period];
  n += sign;
  if (n <= 0) ps.erase(e.period);
  if (ps.empty()) s.periods.erase(e.helper);
}

// The counters a child's summary contributes. With `only`, just the period counters of those
// periods: enough for a contact change, which changes nothing else (the delta of every other
// counter is zero), and it keeps a contact's cost independent of the child's history.
Contrib SummaryContrib(std::string_view scope, const Summary& s,
                       const std::set<std::string>* only = nullptr) {
  Contrib c;
  std::set<std::string> helpers;
  for (const auto& [id, helper] : s.pairings) helpers.insert(helper);
  if (helpers.empty()) return c;
  if (only == nullptr) AddUnit(c, scope, "fc.children");
  std::set<std::string> child_periods;
  for (const std::string& h : helpers) {
    const std::string hp = "hv|" + std::string(scope) + "|" + h + "|";
    if (only == nullptr) c[hp + "fc.children"] += 1;
    auto it = s.periods.find(h);
    if (it == s.periods.end()) continue;
    for (const auto& [period, n] : it->second) {
      if (only != nullptr && only->count(period) == 0) continue;
      child_periods.insert(period);
      c[hp + (period[0] == 'T' ? "fc.talk." : "fc.visit.") + period.substr(1)] += 1;
    }
  }
  for (const std::string& period : child_periods) {
    AddUnit(c, scope, (period[0] == 'T' ? "fc.talk." : "fc.visit.") + period.substr(1));
  }
  return c;
}

void Merge(Contrib& into, const Contrib& from, int64_t sign) {
  for (const auto& [k, v] : from) into[k] += sign * v;
}

Status ApplyDelta(const Contrib& delta, store::IndexWriter& w) {
  for (const auto& [key, d] : delta) {
    if (d == 0) continue;
    FULEI_ASSIGN_OR_RETURN(std::optional<std::string> cur, w.Get(key));
    int64_t v = 0;
    if (cur) {
      auto parsed = ParseInt(*cur);
      if (!parsed.ok()) return Corruption("programme.agg: counter " + key + " does not parse");
      v = *parsed;
    }
    v += d;
    if (v < 0) return Corruption("programme.agg: counter " + key + " would go negative");
    if (v == 0) {
      FULEI_RETURN_IF_ERROR(w.Delete(key));
    } else {
      FULEI_RETURN_IF_ERROR(w.Put(key, std::to_string(v)));
    }
  }
  return Status::Ok();
}

}  // namespace

Status ApplyAggregateChange(const crdt::RecordKey& key, const Fields* before, const Fields* after,
                            store::IndexWriter& w) {
  Contrib delta;
  Merge(delta, DirectContrib(key, before), -1);
  Merge(delta, DirectContrib(key, after), +1);

  const std::optional<Effect> eb = SummaryEffect(key, before);
  const std::optional<Effect> ea = SummaryEffect(key, after);
  std::set<std::pair<std::string, std::string>> targets;
  if (eb) targets.emplace(eb->scope, eb->child);
  if (ea) targets.emplace(ea->scope, ea->child);
  for (const auto& [scope, child] : targets) {
    const std::string skey = "s|" + scope + "|" + child;
    FULEI_ASSIGN_OR_RETURN(std::optional<std::string> raw, w.Get(skey));
    Summary s;
    if (raw) {
      FULEI_ASSIGN_OR_RETURN(s, Summary::Decode(*raw));
    }
    const bool b_here = eb && eb->scope == scope && eb->child == child;
    const bool a_here = ea && ea->scope == scope && ea->child == child;
    // Contact changes touch only their periods; pairing changes may touch every counter.
    std::set<std::string> periods;
    bool contacts_only = true;
    for (const Effect* e : {b_here ? &*eb : nullptr, a_here ? &*ea : nullptr}) {
      if (e == nullptr) continue;
      if (e->pairing) contacts_only = false;
      periods.insert(e->period);
    }
    const std::set<std::string>* only = contacts_only ? &periods : nullptr;
    Merge(delta, SummaryContrib(scope, s, only), -1);
    if (b_here) Affect(s, *eb, -1);
    if (a_here) Affect(s, *ea, +1);
    Merge(delta, SummaryContrib(scope, s, only), +1);
    if (s.empty()) {
      FULEI_RETURN_IF_ERROR(w.Delete(skey));
    } else {
      FULEI_RETURN_IF_ERROR(w.Put(skey, s.Encode()));
    }
  }
  return ApplyDelta(delta, w);
}

Status AggregateIndexer::OnChange(const crdt::RecordKey& key, const crdt::RecordState* before,
                                  const crdt::RecordState& after, store::IndexWriter& writer) {
  std::optional<Fields> b, a;
  if (before != nullptr) b = ReadFields(*before);
  a = ReadFields(after);
  return ApplyAggregateChange(key, b ? &*b : nullptr, a ? &*a : nullptr, writer);
}

// ---- read side ----------------------------------------------------------------------------------

std::string_view AgeBand(int age) {
  if (age < 3) return "0-2";
  if (age < 6) return "3-5";
  if (age < 12) return "6-11";
  if (age < 14) return "12-13";
  if (age < 16) return "14-15";
  if (age < 18) return "16-17";
  return "18+";
}

namespace {

bool Consume(std::string_view& s, std::string_view prefix) {
  if (s.substr(0, prefix.size()) != prefix) return false;
  s.remove_prefix(prefix.size());
  return true;
}

// A zero-padded decimal ("0000000042").
Result<int64_t> ParsePadded(std::string_view s) {
  const size_t nz = s.find_first_not_of('0');
  if (s.empty()) return InvalidArgument("empty");
  return ParseInt(nz == std::string_view::npos ? std::string_view("0") : s.substr(nz));
}

Status AddUrgent(UrgentStats& u, std::string_view name, int64_t v, int64_t now,
                 std::vector<std::pair<int64_t, int64_t>>& ack_hist) {
  if (name == "n") {
    u.total += v;
  } else if (name == "open") {
    u.open += v;
  } else if (name == "acked") {
    u.acknowledged += v;
  } else if (name == "closed") {
    u.closed += v;
  } else if (name == "escalated") {
    u.escalated += v;
  } else if (Consume(name, "ackmin.")) {
    auto m = ParsePadded(name);
    if (!m.ok()) return Corruption("programme.agg: bad ackmin counter");
    ack_hist.emplace_back(*m, v);
  } else if (Consume(name, "due.")) {
    auto due = ParsePadded(name);
    if (!due.ok()) return Corruption("programme.agg: bad due counter");
    if (*due <= now) u.overdue += v;  // rules_urgent.h: overdue from the deadline on
  }
  return Status::Ok();
}

// One follow-up counter: "closed", "nodue" or "due.<date>" (overdue when before today).
Status AddFollowUp(FollowUpCount& c, std::string_view name, int64_t v, const Date& today) {
  c.total += v;
  if (name == "closed") {
    c.closed += v;
    return Status::Ok();
  }
  c.open += v;
  if (name == "nodue") {
    c.no_follow_up_date += v;
    return Status::Ok();
  }
  if (!Consume(name, "due.")) return Corruption("programme.agg: bad follow-up counter");
  auto due = ParseDate(name);
  if (!due.ok()) return Corruption("programme.agg: bad follow-up date");
  if (*due < today) c.overdue += v;
  return Status::Ok();
}

std::optional<int64_t> Median(std::vector<std::pair<int64_t, int64_t>>& hist) {
  int64_t total = 0;
  for (const auto& [m, n] : hist) total += n;
  if (total == 0) return std::nullopt;
  std::sort(hist.begin(), hist.end());
  const int64_t target = (total - 1) / 2;  // lower median
  int64_t seen = 0;
  for (const auto& [m, n] : hist) {
    seen += n;
    if (seen > target) return m;
  }
  return hist.back().first;
}

}  // namespace

Result<Dashboard> ReadDashboard(CounterReader& reader, std::string_view unit, const Date& today,
                                int64_t now_unix) {
  Dashboard d;
  d.unit = unit;
  d.referrals.what = std::string(kReferral);
  d.legal_consultations.what = std::string(kLegalConsultation);
  const std::string month = MonthLabel(MonthIndex(today));
  const std::string quarter = QuarterLabel(QuarterIndex(today));
  const std::string year = std::to_string(today.year);
  std::vector<std::pair<int64_t, int64_t>> report_hist, help_hist;
  Status status;
  const std::string prefix = "u|" + std::string(unit) + "|";
  FULEI_RETURN_IF_ERROR(reader.Scan(prefix, [&](std::string_view key, std::string_view value) {
    std::string_view name = key.substr(prefix.size());
    auto parsed = ParseInt(value);
    if (!parsed.ok()) {
      status = Corruption("programme.agg: counter " + std::string(key) + " does not parse");
      return false;
    }
    const int64_t v = *parsed;
    std::string_view rest = name;
    if (name == "child.n") {
      d.children += v;
    } else if (Consume(rest, "child.cat.")) {
      d.by_category[std::string(rest)] += v;
    } else if (Consume(rest, "child.gender.")) {
      d.by_gender[std::string(rest)] += v;
    } else if (Consume(rest, "child.birth.")) {
      auto b = ParseDate(rest);
      if (b.ok()) d.by_age_band[std::string(AgeBand(AgeOn(*b, today)))] += v;
    } else if (Consume(rest, "sa.birth.")) {
      auto b = ParseDate(rest);
      if (b.ok() && AgeOn(*b, today) >= 14 && AgeOn(*b, today) < 18) d.study_aid_candidates += v;
    } else if (Consume(rest, "sa.willing.birth.")) {
      auto b = ParseDate(rest);
      if (b.ok() && AgeOn(*b, today) >= 14 && AgeOn(*b, today) < 18) d.study_aid_willing += v;
    } else if (name == "fc.children") {
      d.family_care_children += v;
    } else if (Consume(rest, "fc.talk.")) {
      if (rest == month) d.talked_this_month += v;
    } else if (Consume(rest, "fc.visit.")) {
      if (rest == quarter) d.visited_this_quarter += v;
    } else if (Consume(rest, "contact.")) {
      const size_t dot = rest.rfind('.');
      if (dot != std::string_view::npos && rest.substr(dot + 1) == month) {
        d.contacts_this_month[std::string(rest.substr(0, dot))] += v;
      }
    } else if (Consume(rest, "act.")) {
      const size_t dot1 = rest.find('.');
      const size_t dot2 = rest.rfind('.');
      if (dot1 != std::string_view::npos && dot2 > dot1 && rest.substr(dot2 + 1) == year) {
        ActivityStats& a =
            d.activities_this_year[std::string(rest.substr(dot1 + 1, dot2 - dot1 - 1))];
        const std::string_view what = rest.substr(0, dot1);
        if (what == "n") a.held += v;
        if (what == "days") a.days += v;
        if (what == "att") a.attendance += v;
      }
    } else if (Consume(rest, "pairing.")) {
      d.pairings[std::string(rest)] += v;
    } else if (Consume(rest, "urgent.report.")) {
      status = AddUrgent(d.reports, rest, v, now_unix, report_hist);
    } else if (Consume(rest, "urgent.help_request.")) {
      status = AddUrgent(d.help_requests, rest, v, now_unix, help_hist);
    } else if (name == "helper.n") {
      d.helpers += v;
    } else if (name == "helper.loving_parent") {
      d.loving_parents += v;
    } else if (Consume(rest, "helper.kind.")) {
      d.helpers_by_kind[std::string(rest)] += v;
    } else if (name == "org.n") {
      d.organisations += v;
    } else if (Consume(rest, "org.kind.")) {
      d.organisations_by_kind[std::string(rest)] += v;
    } else if (Consume(rest, "cwith.")) {
      const size_t dot = rest.rfind('.');
      if (dot != std::string_view::npos && rest.substr(dot + 1) == month) {
        d.contacts_by_counterpart_this_month[std::string(rest.substr(0, dot))] += v;
      }
    } else if (Consume(rest, "assist.")) {
      // assist.n.<kind>.<year> / assist.fen.<kind>.<year>
      const size_t dot1 = rest.find('.');
      const size_t dot2 = rest.rfind('.');
      if (dot1 != std::string_view::npos && dot2 > dot1 && rest.substr(dot2 + 1) == year) {
        AssistanceStats& a =
            d.assistance_this_year[std::string(rest.substr(dot1 + 1, dot2 - dot1 - 1))];
        (rest.substr(0, dot1) == "n" ? a.entries : a.fen) += v;
      }
    } else if (Consume(rest, "fac.")) {
      d.facilities[std::string(rest)] += v;
    } else if (Consume(rest, "post.")) {
      // post.<role|cert|trained>.until.<date|open>: in post through that date.
      const size_t at = rest.find(".until.");
      const std::string_view end =
          at == std::string_view::npos ? std::string_view() : rest.substr(at + 7);
      auto until = end == kOpenEnd ? Result<Date>(today) : ParseDate(end);
      if (!until.ok()) {
        status = Corruption("programme.agg: bad post counter " + std::string(key));
      } else if (!(*until < today)) {
        const std::string_view what = rest.substr(0, at);
        if (what == "cert") {
          d.posts_certified += v;
        } else if (what == "trained") {
          d.posts_trained += v;
        } else {
          d.posts_filled[std::string(what)] += v;
        }
      }
    } else if (Consume(rest, "insp.n.")) {
      d.inspections += v;
      if (rest == year) d.inspections_this_year += v;
    } else if (name == "corr.done") {
      d.corrections_completed += v;
    } else if (Consume(rest, "corr.due.")) {
      auto due = ParseDate(rest);
      if (!due.ok()) {
        status = Corruption("programme.agg: bad correction counter " + std::string(key));
      } else {
        d.corrections_open += v;
        if (*due < today) d.corrections_overdue += v;
      }
    } else if (Consume(rest, "fund.")) {
      // fund.<alloc|spend>.<work>.<year>, in fen.
      const size_t dot1 = rest.find('.');
      const size_t dot2 = rest.rfind('.');
      if (dot1 != std::string_view::npos && dot2 > dot1) {
        const bool spend = rest.substr(0, dot1) == "spend";
        FundStats& w = d.funds_by_work[std::string(rest.substr(dot1 + 1, dot2 - dot1 - 1))];
        (spend ? w.spent_fen : w.allocated_fen) += v;
        (spend ? d.funds.spent_fen : d.funds.allocated_fen) += v;
        if (rest.substr(dot2 + 1) == year) {
          (spend ? d.funds_this_year.spent_fen : d.funds_this_year.allocated_fen) += v;
        }
      }
    } else if (Consume(rest, "ref.")) {
      // ref.<target>.closed / .nodue / .due.<date>
      const size_t dot = rest.find('.');
      if (dot != std::string_view::npos) {
        const std::string target(rest.substr(0, dot));
        FollowUpCount& t = d.referrals_by_target[target];
        t.what = target;
        status = AddFollowUp(t, rest.substr(dot + 1), v, today);
        if (status.ok()) status = AddFollowUp(d.referrals, rest.substr(dot + 1), v, today);
      }
    } else if (Consume(rest, "legal.topic.")) {
      d.legal_by_topic[std::string(rest)] += v;
    } else if (Consume(rest, "legal.")) {
      status = AddFollowUp(d.legal_consultations, rest, v, today);
    }
    return status.ok();
  }));
  FULEI_RETURN_IF_ERROR(status);
  d.reports.median_ack_minutes = Median(report_hist);
  d.help_requests.median_ack_minutes = Median(help_hist);
  if (d.family_care_children > 0) {
    d.talk_rate =
        static_cast<double>(d.talked_this_month) / static_cast<double>(d.family_care_children);
    d.visit_rate =
        static_cast<double>(d.visited_this_quarter) / static_cast<double>(d.family_care_children);
  }
  return d;
}

Result<std::vector<HelperCompliance>> ReadHelperCompliance(CounterReader& reader,
                                                           std::string_view unit,
                                                           const Date& today) {
  const std::string month = MonthLabel(MonthIndex(today));
  const std::string quarter = QuarterLabel(QuarterIndex(today));
  std::map<std::string, HelperCompliance> by_helper;
  Status status;
  auto fn = [&](std::string_view key, std::string_view value) {
    // hv|<scope>|<helper>|<counter>
    std::string_view rest = key.substr(3);
    const size_t a = rest.find('|');
    const size_t b = a == std::string_view::npos ? a : rest.find('|', a + 1);
    auto v = ParseInt(value);
    if (b == std::string_view::npos || !v.ok()) {
      status = Corruption("programme.agg: bad helper counter " + std::string(key));
      return false;
    }
    const std::string helper(rest.substr(a + 1, b - a - 1));
    std::string_view counter = rest.substr(b + 1);
    HelperCompliance& h = by_helper[helper];
    h.helper = helper;
    if (counter == "fc.children") {
      h.children += *v;
    } else if (Consume(counter, "fc.talk.")) {
      if (counter == month) h.talked_this_month += *v;
    } else if (Consume(counter, "fc.visit.")) {
      if (counter == quarter) h.visited_this_quarter += *v;
    }
    return true;
  };
  const std::string u(unit);
  FULEI_RETURN_IF_ERROR(reader.Scan("hv|" + u + "|", fn));
  FULEI_RETURN_IF_ERROR(status);
  FULEI_RETURN_IF_ERROR(reader.Scan("hv|" + u + "/", fn));
  FULEI_RETURN_IF_ERROR(status);
  std::vector<HelperCompliance> out;
  for (auto& [id, h] : by_helper) out.push_back(std::move(h));
  return out;
}

}  // namespace fulei::programme
