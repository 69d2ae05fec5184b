#include "programme/date.h"

#include <algorithm>
#include <cstdio>

namespace fulei::programme {
namespace {

bool Digits(std::string_view s, size_t pos, size_t n, int& out) {
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

}  // namespace

std::string Date::ToString() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, day);
  return buf;
}

bool IsLeapYear(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int DaysInMonth(int year, int month) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && IsLeapYear(year)) return 29;
  return kDays[month - 1];
}

bool IsValidDate(int year, int month, int day) {
  if (year < 1900 || year > 2199) return false;
  if (month < 1 || month > 12) return false;
  return day >= 1 && day <= DaysInMonth(year, month);
}

Result<Date> ParseDate(std::string_view text) {
  Date d;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !Digits(text, 0, 4, d.year) ||
      !Digits(text, 5, 2, d.month) || !Digits(text, 8, 2, d.day)) {
    return InvalidArgument("'" + std::string(text.substr(0, 32)) + "' is not a YYYY-MM-DD date");
  }
  if (!IsValidDate(d.year, d.month, d.day)) {
    return InvalidArgument(std::string(text) + " is not a calendar date");
  }
  return d;
}

// Howard Hinnant's days_from_civil / civil_from_days.
int64_t DaysFromCivil(const Date& d) {
  int64_t y = d.year - (d.month <= 2 ? 1 : 0);
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t mp = (d.month + 9) % 12;
  const int64_t doy = (153 * mp + 2) / 5 + d.day - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

Date CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return Date{static_cast<int>(y), static_cast<int>(m), static_cast<int>(d)};
}

Date AddMonths(const Date& d, int months) {
  int idx = MonthIndex(d) + months;
  Date r = MonthStart(idx);
  r.day = std::min(d.day, DaysInMonth(r.year, r.month));
  return r;
}

int AgeOn(const Date& birth, const Date& on) {
  int age = on.year - birth.year;
  if (on.month < birth.month || (on.month == birth.month && on.day < birth.day)) --age;
  return age;
}

int MonthIndex(const Date& d) { return d.year * 12 + (d.month - 1); }
int QuarterIndex(const Date& d) { return d.year * 4 + (d.month - 1) / 3; }

Date MonthStart(int month_index) { return Date{month_index / 12, month_index % 12 + 1, 1}; }
Date MonthEnd(int month_index) {
  Date d = MonthStart(month_index);
  d.day = DaysInMonth(d.year, d.month);
  return d;
}
Date QuarterStart(int quarter_index) {
  return Date{quarter_index / 4, (quarter_index % 4) * 3 + 1, 1};
}
Date QuarterEnd(int quarter_index) {
  Date d = QuarterStart(quarter_index);
  d.month += 2;
  d.day = DaysInMonth(d.year, d.month);
  return d;
}

std::string MonthLabel(int month_index) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d", month_index / 12, month_index % 12 + 1);
  return buf;
}
std::string QuarterLabel(int quarter_index) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-Q%d", quarter_index / 4, quarter_index % 4 + 1);
  return buf;
}

Result<int64_t> ParseTime(std::string_view text) {
  int hh = 0, mm = 0, ss = 0;
  if (text.size() != 20 || text[10] != 'T' || text[13] != ':' || text[16] != ':' ||
      text[19] != 'Z' || !Digits(text, 11, 2, hh) || !Digits(text, 14, 2, mm) ||
      !Digits(text, 17, 2, ss) || hh > 23 || mm > 59 || ss > 59) {
    return InvalidArgument("'" + std::string(text.substr(0, 32)) +
                           "' is not a YYYY-MM-DDTHH:MM:SSZ time");
  }
  FULEI_ASSIGN_OR_RETURN(Date d, ParseDate(text.substr(0, 10)));
  return DaysFromCivil(d) * 86400 + hh * 3600 + mm * 60 + ss;
}

Date DateAt(int64_t unix_seconds) {
  const int64_t t = unix_seconds + kUtcOffsetSeconds;
  return CivilFromDays(t >= 0 ? t / 86400 : (t - 86399) / 86400);
}

std::string FormatTime(int64_t t) {
  int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
  int64_t rem = t - days * 86400;
  Date d = CivilFromDays(days);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", d.year, d.month, d.day,
                static_cast<int>(rem / 3600), static_cast<int>(rem / 60 % 60),
                static_cast<int>(rem % 60));
  return buf;
}

}  // namespace fulei::programme
