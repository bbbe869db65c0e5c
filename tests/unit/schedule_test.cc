// The broker's digest schedule: wall-clock times in a named zone, across the
// change to and from summer time, and the period each run publishes.
#include <gtest/gtest.h>

#include <ctime>

#include "digest_schedule.h"

namespace signaal::broker {
namespace {

int64_t Utc(int y, int mo, int d, int h, int mi) {
  std::tm t{};
  t.tm_year = y - 1900;
  t.tm_mon = mo - 1;
  t.tm_mday = d;
  t.tm_hour = h;
  t.tm_min = mi;
  return static_cast<int64_t>(timegm(&t));
}

TEST(DigestSchedule, MondaySevenInAmsterdamWinterAndSummer) {
  auto s = DigestSchedule::Make("monday 07:00", "Europe/Amsterdam", 1, {"limburg"});
  ASSERT_TRUE(s.ok()) << s.status().message();
  // Monday 23 November 2026, 12:00 UTC: this morning's run was 07:00 CET = 06:00 UTC.
  EXPECT_EQ(s->LatestAtOrBefore(Utc(2026, 11, 23, 12, 0)), Utc(2026, 11, 23, 6, 0));
  EXPECT_EQ(s->NextAfter(Utc(2026, 11, 23, 12, 0)), Utc(2026, 11, 30, 6, 0));
  // Just before the run, the latest is a week earlier.
  EXPECT_EQ(s->LatestAtOrBefore(Utc(2026, 11, 23, 5, 59)), Utc(2026, 11, 16, 6, 0));
  EXPECT_EQ(s->NextAfter(Utc(2026, 11, 23, 5, 59)), Utc(2026, 11, 23, 6, 0));
  // Summer: 07:00 CEST = 05:00 UTC.
  EXPECT_EQ(s->LatestAtOrBefore(Utc(2026, 6, 17, 12, 0)), Utc(2026, 6, 15, 5, 0));
  // Across the end of summer time (Sunday 25 October 2026) the run stays at 07:00.
  EXPECT_EQ(s->LatestAtOrBefore(Utc(2026, 10, 25, 12, 0)), Utc(2026, 10, 19, 5, 0));
  EXPECT_EQ(s->NextAfter(Utc(2026, 10, 25, 12, 0)), Utc(2026, 10, 26, 6, 0));
  // ... and across its start (Sunday 29 March 2026).
  EXPECT_EQ(s->NextAfter(Utc(2026, 3, 28, 12, 0)), Utc(2026, 3, 30, 5, 0));
}

TEST(DigestSchedule, EachRunPublishesTheWeeksJustBefore) {
  auto one = DigestSchedule::Make("maandag 07:00", "Europe/Amsterdam", 1, {"limburg"});
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->PeriodFor(Utc(2026, 11, 23, 6, 0)), "2026-W47");
  auto four = DigestSchedule::Make("Monday 07:00", "Europe/Amsterdam", 4, {"limburg"});
  ASSERT_TRUE(four.ok());
  EXPECT_EQ(four->PeriodFor(Utc(2026, 11, 23, 6, 0)), "2026-W44..2026-W47");
  // Sunday 23:30 UTC is already Monday in Amsterdam.
  EXPECT_EQ(one->PeriodFor(Utc(2026, 11, 22, 23, 30)), "2026-W47");
}

TEST(DigestSchedule, RefusesWhatItCannotRead) {
  for (const char* bad : {"funday 07:00", "monday 25:00", "monday", "monday 7", "monday 07:00x"}) {
    auto s = DigestSchedule::Make(bad, "Europe/Amsterdam", 1, {});
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_NE(s.status().message().find("schedule.weekly"), std::string::npos);
  }
  auto zone = DigestSchedule::Make("monday 07:00", "Mars/Olympus_Mons", 1, {});
  ASSERT_FALSE(zone.ok());
  EXPECT_NE(zone.status().message().find("schedule.timezone"), std::string::npos);
  EXPECT_FALSE(DigestSchedule::Make("monday 07:00", "../../etc/passwd", 1, {}).ok());
}

}  // namespace
}  // namespace signaal::broker
