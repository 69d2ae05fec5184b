// Incremental aggregation for town and city dashboards: an Indexer (store/index.h) that keeps
// counters per org unit as records change, so a dashboard reads a few thousand counters instead
// of scanning a million contacts. Layout and every counter: docs/programme.md, "Aggregation".
//
// Index "programme.agg" (LMDB database "idx:programme.agg"), all values decimal text:
//   u|<unit>|<counter>              a counter of <unit>, kept for the record's own scope and every
//                                   ancestor ("jinjiang", "jinjiang/cizao", "jinjiang/cizao/v012")
//   hv|<scope>|<helper>|<counter>   family-care counters of one helper in one child's scope
//   s|<scope>|<child>               internal: the child's family-care summary (its active
//                                   family-care pairings and the periods with contacts per helper)
// Keys and values hold record ids, codes, dates and counts only — never a name.
//
// Counters that depend on today's date (age bands, study-aid age, overdue urgent cases, posts
// filled, overdue corrections and follow-ups) are kept by date (birth date, due minute, end of
// post, due date) and resolved when read, so no counter goes stale overnight.
// A record that does not decode (a malformed value replicated from elsewhere) contributes
// nothing; it never aborts the store's batch. Pairings and contacts are recorded in the child's
// scope and refer to the child by id. A pairing counts as active while it has no end_date.
//
// Threading: OnChange runs on the store's writer thread inside its write transaction.
// ReadDashboard / ReadHelperCompliance run against any CounterReader (a read transaction).
#ifndef FULEI_PROGRAMME_AGGREGATE_H_
#define FULEI_PROGRAMME_AGGREGATE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crdt/record.h"
#include "crdt/status.h"
#include "programme/date.h"
#include "programme/fields.h"
#include "programme/referrals.h"
#include "store/index.h"

namespace fulei::programme {

inline constexpr std::string_view kAggregateIndexName = "programme.agg";

class AggregateIndexer : public store::Indexer {
 public:
  std::string_view name() const override { return kAggregateIndexName; }
  Status OnChange(const crdt::RecordKey& key, const crdt::RecordState* before,
                  const crdt::RecordState& after, store::IndexWriter& writer) override;
};

// The same maintenance over plain Fields (nullptr: the record is absent or deleted). Used by the
// indexer, and directly by tests and tools.
Status ApplyAggregateChange(const crdt::RecordKey& key, const Fields* before, const Fields* after,
                            store::IndexWriter& writer);

// Read side: scans index entries by key prefix, in key order, until fn returns false.
class CounterReader {
 public:
  virtual ~CounterReader() = default;
  virtual Status Scan(
      std::string_view prefix,
      const std::function<bool(std::string_view key, std::string_view value)>& fn) = 0;
};

struct UrgentStats {
  int64_t total = 0;
  int64_t open = 0;          // neither acknowledged nor closed
  int64_t acknowledged = 0;  // acknowledged (closed ones included)
  int64_t closed = 0;
  int64_t overdue = 0;    // open and past its acknowledgement deadline at `now`
  int64_t escalated = 0;  // flagged overdue by the city (escalation.h), whatever happened since
  std::optional<int64_t> median_ack_minutes;  // over all acknowledged cases (minute resolution)

  friend bool operator==(const UrgentStats&, const UrgentStats&) = default;
};

struct ActivityStats {
  int64_t held = 0;
  int64_t days = 0;
  int64_t attendance = 0;

  friend bool operator==(const ActivityStats&, const ActivityStats&) = default;
};

// Ring-fenced funds (funds.h), in fen.
struct FundStats {
  int64_t allocated_fen = 0;
  int64_t spent_fen = 0;

  friend bool operator==(const FundStats&, const FundStats&) = default;
};

// Assistance given under pairings (assistance.h): entries, and amounts in fen.
struct AssistanceStats {
  int64_t entries = 0;
  int64_t fen = 0;

  friend bool operator==(const AssistanceStats&, const AssistanceStats&) = default;
};

struct Dashboard {
  std::string unit;
  int64_t children = 0;
  std::map<std::string, int64_t> by_category;
  std::map<std::string, int64_t> by_gender;
  std::map<std::string, int64_t>
      by_age_band;  // "0-2", "3-5", "6-11", "12-13", "14-15", "16-17", "18+"
  // Family care: children with an active family-care pairing, and how many of them had a talk
  // this month / a home visit this quarter from one of their active paired helpers.
  int64_t family_care_children = 0;
  int64_t talked_this_month = 0;
  int64_t visited_this_quarter = 0;
  double talk_rate = 0;  // talked_this_month / family_care_children (0 when none)
  double visit_rate = 0;
  std::map<std::string, int64_t> contacts_this_month;         // by contact kind
  std::map<std::string, ActivityStats> activities_this_year;  // by activity kind
  std::map<std::string, int64_t> pairings;                    // active pairings by kind
  UrgentStats reports;
  UrgentStats help_requests;
  int64_t study_aid_candidates = 0;  // eligible today (rules_study_aid.h)
  int64_t study_aid_willing = 0;     // of whom wish is "yes"
  int64_t helpers = 0;
  int64_t loving_parents = 0;
  std::map<std::string, int64_t> helpers_by_kind;
  int64_t organisations = 0;
  std::map<std::string, int64_t> organisations_by_kind;

  // The records of issue 15 (docs/programme.md, "Aggregation"). Records about another unit
  // (posts, inspections, corrections, funds) count for the unit their `unit` field names when
  // it lies at or below the unit holding the record, else where they are held.
  // Contacts this month with someone other than the paired helper, by counterpart: "parent" (a
  // 亲情视频 call with an absent parent), "guardian".
  std::map<std::string, int64_t> contacts_by_counterpart_this_month;
  // Assistance entries dated this year, by kind code (an unknown kind as "other").
  std::map<std::string, AssistanceStats> assistance_this_year;
  std::map<std::string, int64_t> facilities;  // in use (not marked inactive), by kind
  // Posts filled today (in post through `until`, or without one), by post: director (儿童主任),
  // supervisor (儿童督导员); of all of them, how many are certified and have taken a training.
  std::map<std::string, int64_t> posts_filled;
  int64_t posts_certified = 0;
  int64_t posts_trained = 0;
  int64_t inspections = 0;  // of the unit and below, every year
  int64_t inspections_this_year = 0;
  int64_t corrections_open = 0;     // not completed
  int64_t corrections_overdue = 0;  // of them, due before today
  int64_t corrections_completed = 0;
  std::map<std::string, FundStats> funds_by_work;  // every year, by work code
  FundStats funds;                                 // every year, every work
  FundStats funds_this_year;                       // dated this year, every work
  // Referrals by target (referral.to; one outside the list as "other") and all together, and
  // legal consultations, with their follow-up state as referrals.h counts it (`what` is the
  // target code, "referral", "legal_consultation").
  std::map<std::string, FollowUpCount> referrals_by_target;  // targets with a referral only
  FollowUpCount referrals;
  FollowUpCount legal_consultations;
  std::map<std::string, int64_t> legal_by_topic;

  friend bool operator==(const Dashboard&, const Dashboard&) = default;
};

// The dashboard of `unit` (a village, a town or the city) on `today`, with urgent-case deadlines
// judged at `now_unix` (UTC seconds). kCorruption when a counter does not parse.
Result<Dashboard> ReadDashboard(CounterReader& reader, std::string_view unit, const Date& today,
                                int64_t now_unix);

struct HelperCompliance {
  std::string helper;
  int64_t children = 0;  // children in `unit` with an active family-care pairing with the helper
  int64_t talked_this_month = 0;
  int64_t visited_this_quarter = 0;
};

// Per-helper family-care compliance over the children of `unit` and its subtree, by helper id.
Result<std::vector<HelperCompliance>> ReadHelperCompliance(CounterReader& reader,
                                                           std::string_view unit,
                                                           const Date& today);

// The age band label of an age in whole years.
std::string_view AgeBand(int age);

}  // namespace fulei::programme

#endif  // FULEI_PROGRAMME_AGGREGATE_H_
