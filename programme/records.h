// Typed views of the records the rules and the aggregation read: child, pairing, contact,
// activity, and urgent cases (report, help_request).
//
// Each Read* decodes the fields it needs from a record's Fields (fields.h) and fails with
// kInvalidArgument naming the field when a needed value is missing or malformed, or an enum field
// the view needs (category, kind) holds an unknown code (a record that passed ValidateRecord
// always reads). Optional fields that are absent read as empty / nullopt.
// Values only; no references into the Fields are kept. Thread-safe.
#ifndef FULEI_PROGRAMME_RECORDS_H_
#define FULEI_PROGRAMME_RECORDS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crdt/status.h"
#include "programme/date.h"
#include "programme/fields.h"
#include "programme/id_number.h"

namespace fulei::programme {

struct Child {
  std::string scope;  // the village (or other unit) that owns the record
  std::string id;
  std::string name;  // sensitive: for lists shown to authorised users and exports only
  Gender gender = Gender::kMale;
  Date birth;
  std::string id_number;  // normalised, or empty
  std::string category;   // code name (schema.h CategoryValues)
  std::string school_level;
  // The highest schooling completed (schema.cc), or "".
  std::string schooling_completed;
  std::string study_aid_wish;    // "yes", "no", "undecided" or ""
  std::string programme_status;  // "" means active
  std::string moved_to;          // non-empty: the record was transferred away (a redirect)
};

struct Pairing {
  std::string scope;
  std::string id;
  std::string helper;
  std::string child;
  std::string kind;  // "assistance" or "family_care"
  Date start;
  std::optional<Date> end;  // set when the pairing ended

  // True when the pairing is in force on `day`.
  bool ActiveOn(const Date& day) const { return start <= day && (!end || day <= *end); }
};

struct Contact {
  std::string scope;
  std::string id;
  std::string kind;  // "talk", "home_visit", "video_call"
  std::string child;
  std::string helper;
  Date date;
};

struct Activity {
  std::string scope;
  std::string id;
  std::string kind;
  Date start;
  Date end;
  int64_t attendance = 0;
  int64_t Days() const { return DaysBetween(start, end) + 1; }
  bool IsCamp() const { return kind == "summer_camp" || kind == "winter_camp"; }
};

// A mandatory report or a help request.
struct UrgentCase {
  std::string scope;
  std::string type;  // "report" or "help_request"
  std::string id;
  int64_t reported_at = 0;  // unix seconds
  int64_t deadline_minutes = 0;
  // The earliest acknowledgement by a person: the `acks` log (urgent_actions.h) or the
  // acknowledged_at register, whichever is earlier; acknowledged_by is its user id.
  std::optional<int64_t> acknowledged_at;
  std::string acknowledged_by;
  bool closed = false;
  std::optional<int64_t> escalated_at;  // set once the city flagged it overdue

  int64_t deadline() const { return reported_at + deadline_minutes * 60; }
};

// Default acknowledgement deadlines: a person at the town must acknowledge a mandatory report
// within 30 minutes and a child's help request within 10.
inline constexpr int64_t kDefaultReportDeadlineMinutes = 30;
inline constexpr int64_t kDefaultHelpRequestDeadlineMinutes = 10;

// Acknowledgement deadlines per type, configured at the node (node config). A case's own
// `ack_deadline_minutes` may shorten its type's deadline, never lengthen it.
struct UrgentDeadlines {
  int64_t report_minutes = kDefaultReportDeadlineMinutes;
  int64_t help_request_minutes = kDefaultHelpRequestDeadlineMinutes;

  // The deadline of `type` ("report" or "help_request"; any other type: the report's).
  int64_t For(std::string_view type) const {
    return type == "help_request" ? help_request_minutes : report_minutes;
  }
};

// True when `value` is one of the codes of the enum field `type`.`field` (schema.h).
bool KnownEnumValue(std::string_view type, std::string_view field, std::string_view value);

Result<Child> ReadChild(std::string_view scope, std::string_view id, const Fields& f);
Result<Pairing> ReadPairing(std::string_view scope, std::string_view id, const Fields& f);
Result<Contact> ReadContact(std::string_view scope, std::string_view id, const Fields& f);
Result<Activity> ReadActivity(std::string_view scope, std::string_view id, const Fields& f);
// Deadline: min(deadlines.For(type), ack_deadline_minutes when set). Malformed `acks` entries are
// skipped (ValidateRecord refuses them on write); a malformed register is an error.
Result<UrgentCase> ReadUrgentCase(std::string_view scope, std::string_view type,
                                  std::string_view id, const Fields& f,
                                  const UrgentDeadlines& deadlines = {});

}  // namespace fulei::programme

#endif  // FULEI_PROGRAMME_RECORDS_H_
