#include "signaal/period.h"

#include <cstdio>
#include <ctime>

namespace signaal {
namespace {

const char* const kMonthsNl[] = {"januari", "februari", "maart",     "april",   "mei",      "juni",
                                 "juli",    "augustus", "september", "oktober", "november", "december"};
const char* const kMonthsEn[] = {"January", "February", "March",     "April",   "May",      "June",
                                 "July",    "August",   "September", "October", "November", "December"};

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : days[m - 1];
}

// 1 = Monday .. 7 = Sunday
int Weekday(const Date& d) {
  int64_t days = DaysFromCivil(d);  // 1970-01-01 was a Thursday (4)
  int w = static_cast<int>(((days % 7) + 7 + 3) % 7);  // 0 = Monday
  return w + 1;
}

int WeeksInYear(int year) {
  // A year has 53 ISO weeks when 1 January is a Thursday, or a Wednesday in a leap year.
  int jan1 = Weekday({year, 1, 1});
  return (jan1 == 4 || (jan1 == 3 && IsLeap(year))) ? 53 : 52;
}

bool ParseWeek(const std::string& text, int& year, int& week) {
  if (text.size() != 8 || text[4] != '-' || text[5] != 'W') return false;
  for (int i : {0, 1, 2, 3, 6, 7}) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  year = std::stoi(text.substr(0, 4));
  week = std::stoi(text.substr(6, 2));
  return year >= 1970 && week >= 1 && week <= WeeksInYear(year);
}

std::string FormatWeek(int year, int week) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-W%02d", year, week);
  return buf;
}

bool AllDigits(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

std::string Date::ToIso() const {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, day);
  return buf;
}

int64_t DaysFromCivil(const Date& d) {
  // Howard Hinnant's days_from_civil.
  int y = d.year - (d.month <= 2 ? 1 : 0);
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  unsigned yoe = static_cast<unsigned>(y - era * 400);
  unsigned mp = static_cast<unsigned>(d.month + (d.month > 2 ? -3 : 9));
  unsigned doy = (153 * mp + 2) / 5 + static_cast<unsigned>(d.day) - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

Date CivilFromDays(int64_t z) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  unsigned doe = static_cast<unsigned>(z - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = static_cast<int64_t>(yoe) + era * 400;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  unsigned d = doy - (153 * mp + 2) / 5 + 1;
  unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<int>(y + (m <= 2 ? 1 : 0)), static_cast<int>(m), static_cast<int>(d)};
}

Date DateFromUnix(int64_t unix_seconds) {
  int64_t days = unix_seconds >= 0 ? unix_seconds / 86400 : -((-unix_seconds + 86399) / 86400);
  return CivilFromDays(days);
}

Date Today() { return DateFromUnix(static_cast<int64_t>(std::time(nullptr))); }

Result<Date> ParseDate(const std::string& raw) {
  std::string text = raw;
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.pop_back();
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.erase(0, 1);
  std::string parts[3];
  int n = 0;
  for (char c : text) {
    if (c == '-' || c == '/' || c == '.') {
      if (++n > 2) break;
    } else {
      parts[n].push_back(c);
    }
  }
  auto bad = [&] { return Status::Usage("'" + raw + "' is not a date (use YYYY-MM-DD or DD-MM-YYYY)"); };
  // A month has at most two digits (std::stoi throws on a number beyond int).
  if (n != 2 || !AllDigits(parts[0]) || !AllDigits(parts[1]) || !AllDigits(parts[2]) || parts[1].size() > 2) {
    return bad();
  }
  Date d;
  if (parts[0].size() == 4 && parts[2].size() <= 2) {
    d = {std::stoi(parts[0]), std::stoi(parts[1]), std::stoi(parts[2])};
  } else if (parts[2].size() == 4 && parts[0].size() <= 2) {
    d = {std::stoi(parts[2]), std::stoi(parts[1]), std::stoi(parts[0])};
  } else {
    return bad();
  }
  if (d.month < 1 || d.month > 12 || d.day < 1 || d.day > DaysInMonth(d.year, d.month) || d.year < 1970) {
    return Status::Usage("'" + raw + "' is not a date in the calendar");
  }
  return d;
}

std::string IsoWeekOf(const Date& d) {
  // The ISO week of a date is the week of its Thursday.
  int64_t days = DaysFromCivil(d);
  Date thursday = CivilFromDays(days - Weekday(d) + 4);
  int64_t jan1 = DaysFromCivil({thursday.year, 1, 1});
  int week = static_cast<int>((DaysFromCivil(thursday) - jan1) / 7) + 1;
  return FormatWeek(thursday.year, week);
}

bool IsValidWeek(const std::string& week) {
  int y, w;
  return ParseWeek(week, y, w);
}

Result<Date> MondayOfWeek(const std::string& week) {
  int y, w;
  if (!ParseWeek(week, y, w)) return Status::Usage("'" + week + "' is not an ISO week (use YYYY-Www)");
  // 4 January is always in week 1.
  Date jan4{y, 1, 4};
  int64_t monday1 = DaysFromCivil(jan4) - (Weekday(jan4) - 1);
  return CivilFromDays(monday1 + 7 * (w - 1));
}

std::string AddWeeks(const std::string& week, int n) {
  auto monday = MondayOfWeek(week);
  if (!monday.ok()) return week;
  return IsoWeekOf(CivilFromDays(DaysFromCivil(*monday) + 7 * n));
}

std::vector<std::string> PeriodRange::Weeks() const {
  std::vector<std::string> out;
  if (!IsValidWeek(from) || !IsValidWeek(to)) return out;
  for (std::string w = from; w <= to && out.size() < 1000; w = AddWeeks(w, 1)) out.push_back(w);
  return out;
}

namespace {

// The first and last ISO week whose Thursday falls in months m1..m2 of year y.
std::pair<std::string, std::string> WeeksOfMonths(int y, int m1, int m2) {
  int64_t first = DaysFromCivil({y, m1, 1});
  int64_t last = DaysFromCivil({y, m2, DaysInMonth(y, m2)});
  int64_t thursday = first + ((4 - Weekday({y, m1, 1})) + 7) % 7;
  int64_t last_thursday = thursday;
  while (last_thursday + 7 <= last) last_thursday += 7;
  return {IsoWeekOf(CivilFromDays(thursday)), IsoWeekOf(CivilFromDays(last_thursday))};
}

}  // namespace

namespace {

const char* kForms = "use 2026-W41, 2026-W38..2026-W41, 2026-10, 2026-Q4, 2026-H1 or 2026";

// Upper-case letters, no surrounding spaces: "2026-h1 " and "2026-H1" are
// one period and must be one label, since the label names the digest's file
// and its place in the ledger.
std::string Normalise(const std::string& text) {
  size_t b = text.find_first_not_of(" \t"), e = text.find_last_not_of(" \t");
  std::string out = b == std::string::npos ? "" : text.substr(b, e - b + 1);
  for (auto& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

// A year a named period may have: from the epoch the calendar starts at, and
// short of the last four-digit year, whose weeks would run into a fifth digit.
bool UsableYear(const std::string& digits, int& year) {
  if (digits.size() != 4 || !AllDigits(digits)) return false;
  year = std::stoi(digits);
  return year >= 1970 && year < 9999;
}

int WeeksBetween(const std::string& from, const std::string& to) {
  return static_cast<int>((DaysFromCivil(*MondayOfWeek(to)) - DaysFromCivil(*MondayOfWeek(from))) / 7) + 1;
}

}  // namespace

Result<PeriodRange> ParsePeriod(const std::string& raw) {
  const std::string text = Normalise(raw);
  auto dots = text.find("..");
  if (dots != std::string::npos) {
    std::string from = text.substr(0, dots), to = text.substr(dots + 2);
    if (!IsValidWeek(from) || !IsValidWeek(to)) {
      return Status::Usage("period '" + raw + "': both ends must be ISO weeks (2026-W38..2026-W41)");
    }
    if (from > to) return Status::Usage("period '" + raw + "' ends before it starts");
    int weeks = WeeksBetween(from, to);
    if (weeks > kMaxPeriodWeeks) {
      return Status::Usage("period '" + raw + "' covers " + std::to_string(weeks) + " weeks; a period covers at most " +
                           std::to_string(kMaxPeriodWeeks) + " (a year): ask for years and compare them");
    }
    if (from == to) return PeriodRange{from, from, to};
    return PeriodRange{text, from, to};
  }
  if (IsValidWeek(text)) return PeriodRange{text, text, text};
  int y = 0;
  if (text.size() == 4) {
    if (UsableYear(text, y)) {
      auto [from, to] = WeeksOfMonths(y, 1, 12);
      return PeriodRange{text, from, to};
    }
    return Status::Usage("'" + raw + "' is not a year from 1970 on (" + kForms + ")");
  }
  if (text.size() >= 6 && text[4] == '-' && UsableYear(text.substr(0, 4), y)) {
    const std::string rest = text.substr(5);
    if (rest.size() == 2 && AllDigits(rest)) {
      int m = std::stoi(rest);
      if (m < 1 || m > 12) return Status::Usage("'" + raw + "' is not a month (01 to 12)");
      auto [from, to] = WeeksOfMonths(y, m, m);
      return PeriodRange{text, from, to};
    }
    if (rest[0] == 'Q') {
      if (rest.size() != 2 || rest[1] < '1' || rest[1] > '4') {
        return Status::Usage("'" + raw + "' is not a quarter (2026-Q1 to 2026-Q4)");
      }
      int q = rest[1] - '0';
      auto [from, to] = WeeksOfMonths(y, 3 * q - 2, 3 * q);
      return PeriodRange{text, from, to};
    }
    if (rest[0] == 'H') {
      if (rest.size() != 2 || (rest[1] != '1' && rest[1] != '2')) {
        return Status::Usage("'" + raw + "' is not a half-year (2026-H1 or 2026-H2)");
      }
      int h = rest[1] - '0';
      auto [from, to] = WeeksOfMonths(y, 6 * h - 5, 6 * h);
      return PeriodRange{text, from, to};
    }
  }
  return Status::Usage("'" + raw + "' is not a period (" + kForms + ")");
}

PeriodKind KindOf(const PeriodRange& p) {
  const std::string& l = p.label;
  if (l.find("..") != std::string::npos) return PeriodKind::kRange;
  if (l.size() == 4) return PeriodKind::kYear;
  if (l.size() == 7 && l[5] == 'Q') return PeriodKind::kQuarter;
  if (l.size() == 7 && l[5] == 'H') return PeriodKind::kHalfYear;
  if (l.size() == 7) return PeriodKind::kMonth;
  return PeriodKind::kWeek;
}

Result<PeriodRange> PreviousPeriod(const PeriodRange& p) {
  const std::string& l = p.label;
  char buf[32];
  switch (KindOf(p)) {
    case PeriodKind::kYear:
      std::snprintf(buf, sizeof buf, "%04d", std::stoi(l) - 1);
      return ParsePeriod(buf);
    case PeriodKind::kHalfYear:
    case PeriodKind::kQuarter: {
      int y = std::stoi(l.substr(0, 4)), n = l[6] - '0' - 1, last = l[5] == 'Q' ? 4 : 2;
      std::snprintf(buf, sizeof buf, "%04d-%c%d", n == 0 ? y - 1 : y, l[5], n == 0 ? last : n);
      return ParsePeriod(buf);
    }
    case PeriodKind::kMonth: {
      int y = std::stoi(l.substr(0, 4)), m = std::stoi(l.substr(5, 2)) - 1;
      std::snprintf(buf, sizeof buf, "%04d-%02d", m == 0 ? y - 1 : y, m == 0 ? 12 : m);
      return ParsePeriod(buf);
    }
    case PeriodKind::kWeek:
    case PeriodKind::kRange:
      break;
  }
  int n = static_cast<int>(p.Weeks().size());
  std::string from = AddWeeks(p.from, -n), to = AddWeeks(p.to, -n);
  return ParsePeriod(n == 1 ? from : from + ".." + to);
}

std::string PeriodName(const std::string& label, bool english) {
  auto p = ParsePeriod(label);
  if (!p.ok()) return label;
  const std::string& l = p->label;
  static const char* kOrdinalNl[] = {"eerste", "tweede", "derde", "vierde"};
  static const char* kOrdinalEn[] = {"first", "second", "third", "fourth"};
  const std::string year = l.substr(0, 4);
  switch (KindOf(*p)) {
    case PeriodKind::kYear:
      return l;
    case PeriodKind::kHalfYear:
      return english ? std::string(kOrdinalEn[l[6] - '1']) + " half of " + year
                     : std::string(kOrdinalNl[l[6] - '1']) + " halfjaar " + year;
    case PeriodKind::kQuarter:
      return english ? std::string(kOrdinalEn[l[6] - '1']) + " quarter of " + year
                     : std::string(kOrdinalNl[l[6] - '1']) + " kwartaal " + year;
    case PeriodKind::kMonth: {
      int m = std::stoi(l.substr(5, 2)) - 1;
      return std::string(english ? kMonthsEn[m] : kMonthsNl[m]) + " " + year;
    }
    case PeriodKind::kWeek:
    case PeriodKind::kRange:
      break;
  }
  return l;
}

namespace {


// "5 oktober – 29 november 2026": the year once when both share it, the
// month once when both share that too ("16 – 22 november 2026").
std::string DateSpan(const Date& a, const Date& b, bool english) {
  if (a.year != b.year) return DateName(a, english) + " – " + DateName(b, english);
  if (a.month != b.month) return DateName(a, english, false) + " – " + DateName(b, english);
  return std::to_string(a.day) + " – " + DateName(b, english);
}

int WeekNumber(const std::string& week) { return std::stoi(week.substr(6, 2)); }

// The last Sunday of a month, as days since 1970-01-01.
int64_t LastSunday(int year, int month) {
  int64_t last = DaysFromCivil(Date{year, month, DaysInMonth(year, month)});
  return last - Weekday(CivilFromDays(last)) % 7;  // Sunday is 7
}

}  // namespace

std::string DateName(const Date& date, bool english, bool with_year) {
  if (date.month < 1 || date.month > 12) return date.ToIso();
  std::string s = std::to_string(date.day) + " " + (english ? kMonthsEn : kMonthsNl)[date.month - 1];
  return with_year ? s + " " + std::to_string(date.year) : s;
}

std::string PeriodTitle(const std::string& label, bool english) {
  auto p = ParsePeriod(label);
  if (!p.ok()) return label;
  auto monday = MondayOfWeek(p->from);
  auto last_monday = MondayOfWeek(p->to);
  if (!monday.ok() || !last_monday.ok()) return label;
  const Date sunday = CivilFromDays(DaysFromCivil(*last_monday) + 6);
  const std::string dates = " (" + DateSpan(*monday, sunday, english) + ")";
  const std::string from_year = p->from.substr(0, 4), to_year = p->to.substr(0, 4);
  std::string weeks;
  if (p->from == p->to) {
    weeks = "week " + std::to_string(WeekNumber(p->from));
  } else if (from_year == to_year) {
    weeks = (english ? "weeks " : "week ") + std::to_string(WeekNumber(p->from)) + (english ? " to " : " t/m ") +
            std::to_string(WeekNumber(p->to));
  } else {
    auto week_of_year = [&](const std::string& w) {
      return "week " + std::to_string(WeekNumber(w)) + (english ? " of " : " van ") + w.substr(0, 4);
    };
    weeks = week_of_year(p->from) + (english ? " to " : " t/m ") + week_of_year(p->to);
  }
  const PeriodKind kind = KindOf(*p);
  if (kind == PeriodKind::kWeek || kind == PeriodKind::kRange) return weeks + dates;
  return PeriodName(p->label, english) + ", " + weeks + dates;
}

LocalTime AmsterdamTime(int64_t unix_seconds) {
  const int64_t days = unix_seconds >= 0 ? unix_seconds / 86400 : (unix_seconds - 86399) / 86400;
  const int year = CivilFromDays(days).year;
  // Summer time from 01:00 UTC on the last Sunday of March to 01:00 UTC on
  // the last Sunday of October.
  const int64_t starts = LastSunday(year, 3) * 86400 + 3600;
  const int64_t ends = LastSunday(year, 10) * 86400 + 3600;
  LocalTime t;
  t.summer = unix_seconds >= starts && unix_seconds < ends;
  const int64_t local = unix_seconds + (t.summer ? 7200 : 3600);
  const int64_t local_days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
  const int64_t seconds = local - local_days * 86400;
  t.date = CivilFromDays(local_days);
  t.hour = static_cast<int>(seconds / 3600);
  t.minute = static_cast<int>(seconds % 3600 / 60);
  return t;
}

std::string AmsterdamTimeName(int64_t unix_seconds, bool english) {
  if (unix_seconds == 0) return "";
  const LocalTime t = AmsterdamTime(unix_seconds);
  char hm[8];
  std::snprintf(hm, sizeof hm, "%02d:%02d", t.hour, t.minute);
  return DateName(t.date, english) + (english ? " at " : " om ") + hm;
}

}  // namespace signaal
