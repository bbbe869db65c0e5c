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

// The longest period a digest may cover: a year of 53 ISO weeks, so that
// councils reporting yearly can be served. Callers that refuse longer
// periods (the broker's DigestBuilder) use this rather than a number of
// their own, so the rule and its sentence live in one place.
inline constexpr int kMaxPeriodWeeks = 53;

// A digest period: one week ("2026-W41"), a range of weeks
// ("2026-W38..2026-W41", at most kMaxPeriodWeeks), a calendar month
// ("2026-10": the ISO weeks whose Thursday falls in that month), a quarter
// ("2026-Q4"), a half-year ("2026-H1": Thursdays in January to June,
// "2026-H2": July to December) or a year ("2026": the ISO weeks of ISO year
// 2026, 52 or 53).
enum class PeriodKind { kWeek, kRange, kMonth, kQuarter, kHalfYear, kYear };
struct PeriodRange {
  std::string label;   // normalised: upper-case letters, no spaces, a one-week range as its week
  std::string from;    // first ISO week
  std::string to;      // last ISO week
  std::vector<std::string> Weeks() const;
};
// Accepts the forms above, with lower-case letters and surrounding spaces;
// anything else is a usage error naming the input and the forms.
Result<PeriodRange> ParsePeriod(const std::string& text);
// The kind of a period, from its normalised label.
PeriodKind KindOf(const PeriodRange& period);
// The period of the same kind just before: the previous month, quarter,
// half-year or year, else as many weeks before.
Result<PeriodRange> PreviousPeriod(const PeriodRange& period);
// How a reader names the period: "eerste halfjaar 2026" / "first half of
// 2026", "vierde kwartaal 2026", "oktober 2026", "2026"; a week, a range or
// a label that is no period keeps its label, which already reads as weeks.
std::string PeriodName(const std::string& label, bool english = false);
// How councils write a period in a title: its weeks and their dates,
// Monday of the first to Sunday of the last —
//   "week 47 (16 – 22 november 2026)",
//   "week 41 t/m 48 (5 oktober – 29 november 2026)",
//   "week 52 van 2026 t/m week 2 van 2027 (21 december 2026 – 17 januari 2027)";
// a month, quarter, half-year or year by its name first:
//   "oktober 2026, week 40 t/m 44 (28 september – 1 november 2026)".
// English with `english`; a label that is no period, as it is.
std::string PeriodTitle(const std::string& label, bool english = false);
// "5 oktober 2026" / "5 October 2026"; with `with_year` false, "5 oktober".
std::string DateName(const Date& date, bool english = false, bool with_year = true);

// Local time in the Netherlands (Europe/Amsterdam) for a Unix time, by the
// EU's rule in force since 1996 (CEST from the last Sunday of March to the
// last Sunday of October, switching at 01:00 UTC): thread-safe, unlike
// setting TZ, and the same on every machine whatever its own zone.
struct LocalTime {
  Date date;
  int hour = 0, minute = 0;
  bool summer = false;  // CEST (UTC+2), else CET (UTC+1)
};
LocalTime AmsterdamTime(int64_t unix_seconds);
// "2 december 2026 om 14:02" / "2 December 2026 at 14:02", Dutch time; "" for 0.
std::string AmsterdamTimeName(int64_t unix_seconds, bool english = false);

}  // namespace signaal
