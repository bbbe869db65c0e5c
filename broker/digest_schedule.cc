#include "digest_schedule.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>

#include "signaal/period.h"
#include "signaal/text.h"

namespace signaal::broker {
namespace {

const char* kDaysEn[] = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};
const char* kDaysNl[] = {"maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"};

// Runs `fn` with the process's local time zone set to `zone`, then restores
// it. The broker is single-threaded, so nothing else reads TZ meanwhile.
template <typename Fn>
auto InZone(const std::string& zone, Fn fn) {
  const char* old = std::getenv("TZ");
  std::string saved = old ? old : "";
  setenv("TZ", zone.c_str(), 1);
  tzset();
  auto result = fn();
  if (old) setenv("TZ", saved.c_str(), 1);
  else unsetenv("TZ");
  tzset();
  return result;
}

int MondayBasedWeekday(const std::tm& t) { return (t.tm_wday + 6) % 7; }

struct PeriodWord {
  const char* en;
  const char* nl;
  int months;
};
const PeriodWord kPeriodWords[] = {
    {"month", "maand", 1}, {"quarter", "kwartaal", 3}, {"half-year", "halfjaar", 6}, {"year", "jaar", 12}};

Date LocalDate(const std::string& zone, int64_t when) {
  return InZone(zone, [&] {
    std::time_t t = static_cast<std::time_t>(when);
    std::tm local{};
    localtime_r(&t, &local);
    return Date{local.tm_year + 1900, local.tm_mon + 1, local.tm_mday};
  });
}

// The label of the `months`-long calendar period that starts in `month`.
std::string PeriodLabel(int year, int month, int months) {
  char buf[32];
  switch (months) {
    case 1:
      std::snprintf(buf, sizeof buf, "%04d-%02d", year, month);
      break;
    case 3:
      std::snprintf(buf, sizeof buf, "%04d-Q%d", year, (month + 2) / 3);
      break;
    case 6:
      std::snprintf(buf, sizeof buf, "%04d-H%d", year, (month + 5) / 6);
      break;
    default:
      std::snprintf(buf, sizeof buf, "%04d", year);
  }
  return buf;
}

}  // namespace

Result<DigestSchedule> DigestSchedule::Make(const std::string& weekly, const std::string& timezone, int weeks,
                                            std::vector<std::string> regions, const std::string& periods) {
  DigestSchedule s;
  std::string day = weekly.substr(0, weekly.find(' '));
  for (auto& ch : day) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  int found = -1;
  for (int i = 0; i < 7; ++i) {
    if (day == kDaysEn[i] || day == kDaysNl[i]) found = i;
  }
  int hour = -1, minute = -1;
  char extra = 0;
  std::string time = weekly.find(' ') == std::string::npos ? "" : weekly.substr(weekly.find(' ') + 1);
  if (found < 0 || std::sscanf(time.c_str(), "%d:%d%c", &hour, &minute, &extra) != 2 || hour < 0 || hour > 23 ||
      minute < 0 || minute > 59) {
    return Status::Usage("key 'schedule.weekly': '" + weekly + "' is not a weekday and time such as \"monday 07:00\"");
  }
  if (timezone.empty() || timezone.find("..") != std::string::npos ||
      !std::filesystem::exists("/usr/share/zoneinfo/" + timezone)) {
    return Status::Usage("key 'schedule.timezone': '" + timezone +
                         "' is not a time zone in /usr/share/zoneinfo (is tzdata installed?)");
  }
  std::vector<int> months;
  for (std::string word : SplitList(periods)) {
    for (auto& ch : word) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    int n = 0;
    for (const auto& p : kPeriodWords) {
      if (word == p.en || word == p.nl) n = p.months;
    }
    if (n == 0) {
      return Status::Usage("key 'schedule.periods': '" + word +
                           "' is not one of month, quarter, half-year, year (comma-separated)");
    }
    if (std::find(months.begin(), months.end(), n) == months.end()) months.push_back(n);
  }
  std::sort(months.begin(), months.end());
  s.weekday_ = found;
  s.hour_ = hour;
  s.minute_ = minute;
  s.timezone_ = timezone;
  s.weeks_ = weeks;
  s.period_months_ = std::move(months);
  s.regions_ = std::move(regions);
  return s;
}

Result<std::optional<DigestSchedule>> DigestSchedule::FromConfig(const BrokerConfig& config,
                                                                const ReferenceData& ref) {
  if (config.schedule_weekly.empty()) return std::optional<DigestSchedule>();
  auto regions = SplitList(config.schedule_regions.empty() ? config.region : config.schedule_regions);
  for (const auto& r : regions) {
    if (!ref.FindRegion(r)) return Status::Usage(config.path + ": key 'schedule.regions': unknown region '" + r + "'");
  }
  auto made =
      Make(config.schedule_weekly, config.schedule_timezone, config.schedule_weeks, regions, config.schedule_periods);
  if (!made.ok()) return Status::Usage(config.path + ": " + made.status().message());
  return std::optional<DigestSchedule>(std::move(*made));
}

int64_t DigestSchedule::LatestAtOrBefore(int64_t now) const {
  return InZone(timezone_, [&] {
    for (int back = 0; back <= 8; ++back) {
      std::time_t t = static_cast<std::time_t>(now - int64_t{86400} * back);
      std::tm local{};
      localtime_r(&t, &local);
      if (MondayBasedWeekday(local) != weekday_) continue;
      local.tm_hour = hour_;
      local.tm_min = minute_;
      local.tm_sec = 0;
      local.tm_isdst = -1;
      int64_t when = static_cast<int64_t>(std::mktime(&local));
      if (when <= now) return when;
    }
    return int64_t{0};
  });
}

int64_t DigestSchedule::NextAfter(int64_t now) const {
  // The latest run at or before a moment a little over a week later is the next one.
  int64_t probe = now + int64_t{8} * 86400;
  int64_t next = LatestAtOrBefore(probe);
  while (next > now) {
    int64_t earlier = LatestAtOrBefore(next - 1);
    if (earlier <= now) break;
    next = earlier;
  }
  return next;
}

std::string DigestSchedule::PeriodFor(int64_t when) const {
  std::string last = AddWeeks(IsoWeekOf(LocalDate(timezone_, when)), -1);
  return weeks_ <= 1 ? last : AddWeeks(last, -(weeks_ - 1)) + ".." + last;
}

std::vector<std::string> DigestSchedule::PeriodsFor(int64_t when) const {
  std::vector<std::string> out = {PeriodFor(when)};
  const Date today = LocalDate(timezone_, when);
  // Runs are a week apart on the calendar (a wall-clock time in the zone).
  const Date before = CivilFromDays(DaysFromCivil(today) - 7);
  for (int months : period_months_) {
    // The period just ended is the one before the period `today` falls in,
    // which starts (at `start`) where the ended one's calendar ends.
    Date start{today.year, (today.month - 1) / months * months + 1, 1};
    int first = start.month - months;
    std::string label = first >= 1 ? PeriodLabel(start.year, first, months) : PeriodLabel(start.year - 1, first + 12, months);
    auto period = ParsePeriod(label);
    if (!period.ok()) continue;
    // Due once the calendar says it ended and its last ISO week (which may
    // run up to three days past the calendar end) is complete; published by
    // the first run at which both hold.
    auto due = [&](const Date& d) { return d >= start && period->to < IsoWeekOf(d); };
    if (due(today) && !due(before)) out.push_back(period->label);
  }
  return out;
}

std::string DigestSchedule::Describe() const {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s %02d:%02d %s", kDaysEn[weekday_], hour_, minute_, timezone_.c_str());
  std::string out = buf;
  std::string also;
  for (int months : period_months_) {
    for (const auto& p : kPeriodWords) {
      if (p.months == months) also += (also.empty() ? "" : ", ") + std::string(p.en);
    }
  }
  if (!also.empty()) out += " (and each " + also + " just ended)";
  return out;
}

}  // namespace signaal::broker
