// The broker's digest schedule: wall-clock times in a named zone, across the
// change to and from summer time, and the period each run publishes.
#include <gtest/gtest.h>

#include <ctime>
#include <map>

#include "digest_schedule.h"
#include "signaal/period.h"

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

using Periods = std::vector<std::string>;

TEST(DigestSchedule, TheFirstRunOfJulyAlsoPublishesTheHalfYear) {
  auto half = DigestSchedule::Make("monday 07:00", "Europe/Amsterdam", 1, {"limburg"}, "half-year");
  ASSERT_TRUE(half.ok()) << half.status().message();
  // Monday 6 July 2026, 07:00 CEST: the first run on or after 1 July.
  EXPECT_EQ(half->PeriodsFor(Utc(2026, 7, 6, 5, 0)), (Periods{"2026-W27", "2026-H1"}));
  // Monday 29 June: 2026-H1's weeks are complete (its last Thursday is 25
  // June), but the calendar half-year is not over; councils count by it.
  EXPECT_EQ(half->PeriodsFor(Utc(2026, 6, 29, 5, 0)), (Periods{"2026-W26"}));
  // Mid-month: nothing but the week.
  EXPECT_EQ(half->PeriodsFor(Utc(2026, 7, 13, 5, 0)), (Periods{"2026-W28"}));
  // PeriodFor, which the daemon used to call, is still the week.
  EXPECT_EQ(half->PeriodFor(Utc(2026, 7, 6, 5, 0)), "2026-W27");

  auto all = DigestSchedule::Make("monday 07:00", "Europe/Amsterdam", 1, {"limburg"}, "year, half-year,quarter,month");
  ASSERT_TRUE(all.ok()) << all.status().message();
  EXPECT_EQ(all->PeriodsFor(Utc(2026, 7, 6, 5, 0)), (Periods{"2026-W27", "2026-06", "2026-Q2", "2026-H1"}));
  EXPECT_EQ(all->PeriodsFor(Utc(2026, 7, 13, 5, 0)), (Periods{"2026-W28"}));
  EXPECT_EQ(all->PeriodsFor(Utc(2026, 7, 20, 5, 0)), (Periods{"2026-W29"}));
  EXPECT_EQ(all->PeriodsFor(Utc(2026, 8, 3, 5, 0)), (Periods{"2026-W31", "2026-07"}));
  EXPECT_EQ(all->Describe(), "monday 07:00 Europe/Amsterdam (and each month, quarter, half-year, year just ended)");
}

TEST(DigestSchedule, TheFirstRunOfJanuaryPublishesTheYearAndAllItsEnds) {
  auto all = DigestSchedule::Make("maandag 07:00", "Europe/Amsterdam", 1, {"limburg"}, "maand,kwartaal,halfjaar,jaar");
  ASSERT_TRUE(all.ok()) << all.status().message();
  // Monday 4 January 2027, 07:00 CET: 2026 has 53 ISO weeks, the last ending
  // on Sunday 3 January.
  EXPECT_EQ(all->PeriodsFor(Utc(2027, 1, 4, 6, 0)), (Periods{"2026-W53", "2026-12", "2026-Q4", "2026-H2", "2026"}));
  EXPECT_EQ(all->PeriodsFor(Utc(2026, 12, 28, 6, 0)), (Periods{"2026-W52"}));
  EXPECT_EQ(all->PeriodsFor(Utc(2027, 1, 11, 6, 0)), (Periods{"2027-W01"}));
  // Only what is configured.
  auto months = DigestSchedule::Make("monday 07:00", "Europe/Amsterdam", 1, {"limburg"}, "month");
  ASSERT_TRUE(months.ok());
  EXPECT_EQ(months->PeriodsFor(Utc(2027, 1, 4, 6, 0)), (Periods{"2026-W53", "2026-12"}));
  // None configured: the weekly digest alone, as before.
  auto none = DigestSchedule::Make("monday 07:00", "Europe/Amsterdam", 1, {"limburg"});
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->PeriodsFor(Utc(2027, 1, 4, 6, 0)), (Periods{"2026-W53"}));
  EXPECT_EQ(none->Describe(), "monday 07:00 Europe/Amsterdam");
}

TEST(DigestSchedule, APeriodWaitsForItsLastWeekToBeComplete) {
  auto friday = DigestSchedule::Make("friday 07:00", "Europe/Amsterdam", 1, {"limburg"}, "month");
  ASSERT_TRUE(friday.ok());
  // Friday 1 May 2026: April's last ISO week (Thursday 30 April) runs until
  // Sunday 3 May, so April waits for the next run.
  EXPECT_EQ(friday->PeriodsFor(Utc(2026, 5, 1, 5, 0)), (Periods{"2026-W17"}));
  EXPECT_EQ(friday->PeriodsFor(Utc(2026, 5, 8, 5, 0)), (Periods{"2026-W18", "2026-04"}));
}

// Over two years of weekly runs, on any weekday, each month, quarter,
// half-year and year is published exactly once, after its last week.
TEST(DigestSchedule, EveryPeriodIsPublishedOnce) {
  for (const char* day : {"monday 07:00", "wednesday 23:30", "friday 07:00", "sunday 00:15"}) {
    auto s = DigestSchedule::Make(day, "Europe/Amsterdam", 1, {"limburg"}, "month,quarter,half-year,year");
    ASSERT_TRUE(s.ok());
    std::map<std::string, int> seen;
    for (int64_t run = s->NextAfter(Utc(2025, 12, 31, 12, 0)); run < Utc(2028, 1, 10, 0, 0); run = s->NextAfter(run)) {
      auto periods = s->PeriodsFor(run);
      for (size_t i = 1; i < periods.size(); ++i) {
        seen[periods[i]]++;
        auto p = ParsePeriod(periods[i]);
        ASSERT_TRUE(p.ok());
        EXPECT_GE(periods[0], p->to) << day << ": " << periods[i] << " published before its last week";
      }
    }
    std::vector<std::string> expected;
    for (int y : {2026, 2027}) {
      expected.push_back(std::to_string(y));
      for (int h = 1; h <= 2; ++h) expected.push_back(std::to_string(y) + "-H" + std::to_string(h));
      for (int q = 1; q <= 4; ++q) expected.push_back(std::to_string(y) + "-Q" + std::to_string(q));
      for (int m = 1; m <= 12; ++m) expected.push_back(std::to_string(y) + (m < 10 ? "-0" : "-") + std::to_string(m));
    }
    expected.push_back("2025-12");  // ended just before the first run
    expected.push_back("2025-Q4");
    expected.push_back("2025-H2");
    expected.push_back("2025");
    for (const auto& e : expected) EXPECT_EQ(seen[e], 1) << day << " " << e;
    EXPECT_EQ(seen.size(), expected.size()) << day;
  }
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
  for (const char* bad : {"week", "month;year", "halfyear", "decade"}) {
    auto p = DigestSchedule::Make("monday 07:00", "Europe/Amsterdam", 1, {}, bad);
    ASSERT_FALSE(p.ok()) << bad;
    EXPECT_NE(p.status().message().find("schedule.periods"), std::string::npos) << p.status().message();
  }
  // A year of weeks per scheduled digest is the longest period there is.
  auto year = DigestSchedule::Make("monday 07:00", "Europe/Amsterdam", kMaxPeriodWeeks, {});
  ASSERT_TRUE(year.ok());
  EXPECT_EQ(year->PeriodFor(Utc(2027, 1, 4, 6, 0)), "2026-W01..2026-W53");
}

}  // namespace
}  // namespace signaal::broker
