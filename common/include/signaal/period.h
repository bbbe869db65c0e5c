// Calendar: dates, ISO weeks and the period expressions used by digests.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "signaal/status.h"

namespace signaal {

struct Date {
  int year = 0;
  int month = 0;
  int day = 0;
  std::string ToIso() const;  // YYYY-MM-DD
  auto operator<=>(const Date&) const = default;
};

// Parses YYYY-MM-DD or DD-MM-YYYY (also with '/' or '.'), checking the calendar.
Result<Date> ParseDate(const std::string& text);
Date DateFromUnix(int64_t unix_seconds);  // UTC
Date Today();                              // UTC
int64_t DaysFromCivil(const Date& d);      // days since 1970-01-01
Date CivilFromDays(int64_t days);

// ISO 8601 week of a date, as "2026-W47".
std::string IsoWeekOf(const Date& d);
// True for a well-formed "YYYY-Www" naming a week that exists.
bool IsValidWeek(const std::string& week);
// Monday of an ISO week.
Result<Date> MondayOfWeek(const std::string& week);
// The week n weeks after (negative: before) `week`.
std::string AddWeeks(const std::string& week, int n);

// A digest period: one week ("2026-W41"), a range of weeks
// ("2026-W38..2026-W41"), a calendar month ("2026-10": the ISO weeks whose
// Thursday falls in that month) or a quarter ("2026-Q4": likewise).
struct PeriodRange {
  std::string label;   // as given, normalised
  std::string from;    // first ISO week
  std::string to;      // last ISO week
  std::vector<std::string> Weeks() const;
};
Result<PeriodRange> ParsePeriod(const std::string& text);
// The period of the same kind just before: the previous month or quarter,
// else as many weeks before.
Result<PeriodRange> PreviousPeriod(const PeriodRange& period);

}  // namespace signaal
