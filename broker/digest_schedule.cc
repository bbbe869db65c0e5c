#include "digest_schedule.h"

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

}  // namespace

Result<DigestSchedule> DigestSchedule::Make(const std::string& weekly, const std::string& timezone, int weeks,
                                            std::vector<std::string> regions) {
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
  s.weekday_ = found;
  s.hour_ = hour;
  s.minute_ = minute;
  s.timezone_ = timezone;
  s.weeks_ = weeks;
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
  auto made = Make(config.schedule_weekly, config.schedule_timezone, config.schedule_weeks, regions);
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
  std::string week = InZone(timezone_, [&] {
    std::time_t t = static_cast<std::time_t>(when);
    std::tm local{};
    localtime_r(&t, &local);
    return IsoWeekOf(Date{local.tm_year + 1900, local.tm_mon + 1, local.tm_mday});
  });
  std::string last = AddWeeks(week, -1);
  return weeks_ <= 1 ? last : AddWeeks(last, -(weeks_ - 1)) + ".." + last;
}

std::string DigestSchedule::Describe() const {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s %02d:%02d %s", kDaysEn[weekday_], hour_, minute_, timezone_.c_str());
  return buf;
}

}  // namespace signaal::broker
