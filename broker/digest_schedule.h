// DigestSchedule: when the broker publishes digests by itself — every week
// at a weekday and time in a named time zone (e.g. Monday 07:00
// Europe/Amsterdam), for the complete weeks just before, for each region
// configured. The times are wall-clock times in that zone, so a run stays at
// 07:00 across the change to and from summer time. Councils that report per
// month, quarter, half-year or year also get those: the first run on or
// after the start of a new one publishes the one that just ended.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "signaal/config.h"
#include "signaal/reference_data.h"
#include "signaal/status.h"

namespace signaal::broker {

class DigestSchedule {
 public:
  // `weekly`: "monday 07:00" (English or Dutch day names); `timezone`: an
  // IANA zone from /usr/share/zoneinfo; `weeks`: complete weeks per digest;
  // `periods`: a comma list of month, quarter, half-year and year (English
  // or Dutch), "" for the weekly digest only.
  static Result<DigestSchedule> Make(const std::string& weekly, const std::string& timezone, int weeks,
                                     std::vector<std::string> regions, const std::string& periods = "");

  // The schedule a broker.toml asks for (none when schedule.weekly is
  // empty); errors name the file and the key.
  static Result<std::optional<DigestSchedule>> FromConfig(const BrokerConfig& config, const ReferenceData& ref);

  // The latest scheduled moment at or before `now`, and the first after it.
  int64_t LatestAtOrBefore(int64_t now) const;
  int64_t NextAfter(int64_t now) const;
  // The period a run at `when` publishes: the `weeks` complete ISO weeks
  // before the week (in the zone) that `when` falls in.
  std::string PeriodFor(int64_t when) const;
  // Every period a run at `when` publishes: PeriodFor(when) first, then each
  // configured month, quarter, half-year and year (shortest first) whose
  // calendar end the run is the first on or after, once all its ISO weeks
  // are complete. Consecutive weekly runs publish each such period once.
  std::vector<std::string> PeriodsFor(int64_t when) const;

  const std::vector<std::string>& regions() const { return regions_; }
  std::string Describe() const;

 private:
  DigestSchedule() = default;
  int weekday_ = 0;  // 0 = Monday
  int hour_ = 0, minute_ = 0;
  std::string timezone_;
  int weeks_ = 1;
  std::vector<int> period_months_;  // ascending: 1 month, 3 quarter, 6 half-year, 12 year
  std::vector<std::string> regions_;
};

}  // namespace signaal::broker
