// Civil dates and UTC times as the programme records them, and the calendar arithmetic the rules
// need (months, quarters, ages).
//
// Encodings (docs/programme.md): a date is "YYYY-MM-DD" (proleptic Gregorian, years 1900..2199);
// a time is "YYYY-MM-DDTHH:MM:SSZ" (UTC). Parsing is strict: "2023-02-30", "2023-2-3" and
// "2023-02-03 " are rejected. Nothing here reads a clock: the current date is always passed in.
// Plain value types and pure functions; thread-safe.
#ifndef FULEI_PROGRAMME_DATE_H_
#define FULEI_PROGRAMME_DATE_H_

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "crdt/status.h"

namespace fulei::programme {

struct Date {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31

  friend auto operator<=>(const Date&, const Date&) = default;
  friend bool operator==(const Date&, const Date&) = default;

  std::string ToString() const;  // "2026-11-29"
};

bool IsLeapYear(int year);
int DaysInMonth(int year, int month);
bool IsValidDate(int year, int month, int day);

// Strict "YYYY-MM-DD"; kInvalidArgument (message without a field name) otherwise.
Result<Date> ParseDate(std::string_view text);

// Days since 1970-01-01 (negative before), and back.
int64_t DaysFromCivil(const Date& d);
Date CivilFromDays(int64_t days);
inline int64_t DaysBetween(const Date& from, const Date& to) {
  return DaysFromCivil(to) - DaysFromCivil(from);
}
inline Date AddDays(const Date& d, int64_t n) { return CivilFromDays(DaysFromCivil(d) + n); }
// Adds months; the day is clamped to the target month's length (Jan 31 + 1 month = Feb 28/29).
Date AddMonths(const Date& d, int months);

// Whole years of age on `on` (a child born on Feb 29 turns a year older on Mar 1 in common years).
int AgeOn(const Date& birth, const Date& on);

// Calendar periods. A month index is year*12 + (month-1); a quarter index is year*4 + (q-1).
int MonthIndex(const Date& d);
int QuarterIndex(const Date& d);
Date MonthStart(int month_index);
Date MonthEnd(int month_index);
Date QuarterStart(int quarter_index);
Date QuarterEnd(int quarter_index);
std::string MonthLabel(int month_index);      // "2026-11"
std::string QuarterLabel(int quarter_index);  // "2026-Q4"

// The programme's calendar runs on China Standard Time (UTC+8 all year, no daylight saving),
// the one time zone of every unit of the network: "today" — what counts as a date in the
// future, due dates, ages, the dashboards, the names of exports — is the date in Jinjiang,
// never the UTC date (a day behind from 00:00 to 08:00 there). Times stay UTC.
inline constexpr int64_t kUtcOffsetSeconds = 8 * 3600;
// The date in China Standard Time at a unix time (seconds, or milliseconds).
Date DateAt(int64_t unix_seconds);
inline Date DateAtMs(uint64_t unix_ms) { return DateAt(static_cast<int64_t>(unix_ms / 1000)); }

// UTC seconds since the epoch, and the strict "YYYY-MM-DDTHH:MM:SSZ" text form.
Result<int64_t> ParseTime(std::string_view text);
std::string FormatTime(int64_t unix_seconds);

}  // namespace fulei::programme

#endif  // FULEI_PROGRAMME_DATE_H_
