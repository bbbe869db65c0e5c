// Unit tests of the calendar, the CSV reader and the reference data.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>
#include <vector>

#include <tuple>

#include "signaal/csv.h"
#include "signaal/numbers.h"
#include "digest_render.h"
#include "signaal/metrics.h"
#include "signaal/period.h"
#include "signaal/reference_data.h"
#include "signaal/saturating.h"
#include "sealing.h"
#include "unit_support.h"

namespace signaal {
namespace {

const ReferenceData& Ref() { return test::SourceReferenceData(); }

TEST(Calendar, IsoWeeksAtYearBoundaries) {
  EXPECT_EQ(IsoWeekOf({2020, 12, 31}), "2020-W53");
  EXPECT_EQ(IsoWeekOf({2021, 1, 3}), "2020-W53");
  EXPECT_EQ(IsoWeekOf({2021, 1, 4}), "2021-W01");
  EXPECT_EQ(IsoWeekOf({2024, 12, 30}), "2025-W01");
  EXPECT_EQ(IsoWeekOf({2026, 1, 1}), "2026-W01");
  EXPECT_EQ(IsoWeekOf({2026, 11, 23}), "2026-W48");
  EXPECT_TRUE(IsValidWeek("2020-W53"));
  EXPECT_FALSE(IsValidWeek("2021-W53"));
  EXPECT_FALSE(IsValidWeek("2026-W00"));
  EXPECT_EQ(AddWeeks("2020-W52", 1), "2020-W53");
  EXPECT_EQ(AddWeeks("2020-W53", 1), "2021-W01");
  EXPECT_EQ(AddWeeks("2026-W02", -3), "2025-W51");
  EXPECT_EQ(MondayOfWeek("2026-W48")->ToIso(), "2026-11-23");
}

TEST(Calendar, DatesInBothDutchAndIsoOrder) {
  EXPECT_EQ(ParseDate("2026-10-05")->ToIso(), "2026-10-05");
  EXPECT_EQ(ParseDate("05-10-2026")->ToIso(), "2026-10-05");
  EXPECT_EQ(ParseDate("5/10/2026")->ToIso(), "2026-10-05");
  EXPECT_EQ(ParseDate(" 29.02.2024 ")->ToIso(), "2024-02-29");
  EXPECT_FALSE(ParseDate("29-02-2026").ok());
  EXPECT_FALSE(ParseDate("2026-13-01").ok());
  EXPECT_FALSE(ParseDate("gisteren").ok());
  auto bad = ParseDate("31-02-2026");
  EXPECT_NE(bad.status().message().find("31-02-2026"), std::string::npos);
}

TEST(Calendar, PeriodsAsWeekRangeOrMonth) {
  auto week = ParsePeriod("2026-W41");
  ASSERT_TRUE(week.ok());
  EXPECT_EQ(week->Weeks(), std::vector<std::string>{"2026-W41"});
  auto range = ParsePeriod("2025-W52..2026-W02");
  ASSERT_TRUE(range.ok());
  EXPECT_EQ(range->Weeks(), (std::vector<std::string>{"2025-W52", "2026-W01", "2026-W02"}));
  // October 2026: Thursdays 1, 8, 15, 22, 29 -> weeks 40..44.
  auto month = ParsePeriod("2026-10");
  ASSERT_TRUE(month.ok());
  EXPECT_EQ(month->from, "2026-W40");
  EXPECT_EQ(month->to, "2026-W44");
  EXPECT_FALSE(ParsePeriod("2026-W41..2026-W38").ok());
  EXPECT_FALSE(ParsePeriod("2026-13").ok());
  EXPECT_FALSE(ParsePeriod("last week").ok());
  // Q4 2026: Thursday 1 October (W40) to Thursday 31 December (W53).
  auto quarter = ParsePeriod("2026-Q4");
  ASSERT_TRUE(quarter.ok());
  EXPECT_EQ(quarter->from, "2026-W40");
  EXPECT_EQ(quarter->to, "2026-W53");
  EXPECT_FALSE(ParsePeriod("2026-Q5").ok());
}

TEST(Calendar, PreviousPeriodOfTheSameKind) {
  auto prev = [](const std::string& p) { return PreviousPeriod(*ParsePeriod(p))->label; };
  EXPECT_EQ(prev("2026-W41"), "2026-W40");
  EXPECT_EQ(prev("2026-W01"), "2025-W52");
  EXPECT_EQ(prev("2026-W38..2026-W41"), "2026-W34..2026-W37");
  EXPECT_EQ(prev("2026-10"), "2026-09");
  EXPECT_EQ(prev("2026-01"), "2025-12");
  EXPECT_EQ(prev("2026-Q1"), "2025-Q4");
  EXPECT_EQ(prev("2026-Q4"), "2026-Q3");
  EXPECT_EQ(prev("2026-H1"), "2025-H2");
  EXPECT_EQ(prev("2026-H2"), "2026-H1");
  EXPECT_EQ(prev("2026"), "2025");
  EXPECT_EQ(prev("2021"), "2020");
  EXPECT_EQ(prev("2026-W01..2026-W53"), "2024-W52..2025-W52");
}

// ISO years differ from calendar years at both ends: 2026 and 2020 have 53
// ISO weeks, 2026-W01 starts on 29 December 2025, and 1 January 2021 and
// 2027 (Fridays) belong to the year before.
TEST(Calendar, HalfYearsAndYearsAreIsoWeeks) {
  auto weeks = [](const std::string& p) {
    auto r = ParsePeriod(p);
    EXPECT_TRUE(r.ok()) << p << ": " << r.status().message();
    return r.ok() ? r->from + ".." + r->to : std::string();
  };
  EXPECT_EQ(weeks("2026-H1"), "2026-W01..2026-W26");
  EXPECT_EQ(weeks("2026-H2"), "2026-W27..2026-W53");
  EXPECT_EQ(weeks("2026"), "2026-W01..2026-W53");
  EXPECT_EQ(ParsePeriod("2026")->Weeks().size(), 53u);
  EXPECT_EQ(MondayOfWeek(ParsePeriod("2026")->from)->ToIso(), "2025-12-29");
  EXPECT_EQ(weeks("2020-H1"), "2020-W01..2020-W26");
  EXPECT_EQ(weeks("2020-H2"), "2020-W27..2020-W53");
  EXPECT_EQ(ParsePeriod("2020")->Weeks().size(), 53u);
  // A half-year starting on a Friday has only 25 Thursdays.
  EXPECT_EQ(weeks("2021-H1"), "2021-W01..2021-W25");
  EXPECT_EQ(weeks("2021-H2"), "2021-W26..2021-W52");
  EXPECT_EQ(MondayOfWeek(ParsePeriod("2021")->from)->ToIso(), "2021-01-04");
  EXPECT_EQ(weeks("2021"), "2021-W01..2021-W52");
  EXPECT_EQ(weeks("2027-H1"), "2027-W01..2027-W25");
  // The half-years of a year are its weeks, split once.
  EXPECT_EQ(AddWeeks(ParsePeriod("2026-H1")->to, 1), ParsePeriod("2026-H2")->from);
  EXPECT_EQ(AddWeeks(ParsePeriod("2026-H2")->to, 1), ParsePeriod("2027-H1")->from);
  EXPECT_EQ(KindOf(*ParsePeriod("2026-H2")), PeriodKind::kHalfYear);
  EXPECT_EQ(KindOf(*ParsePeriod("2026")), PeriodKind::kYear);
  EXPECT_EQ(KindOf(*ParsePeriod("2026-Q2")), PeriodKind::kQuarter);
  EXPECT_EQ(KindOf(*ParsePeriod("2026-06")), PeriodKind::kMonth);
  EXPECT_EQ(KindOf(*ParsePeriod("2026-W06")), PeriodKind::kWeek);
  EXPECT_EQ(KindOf(*ParsePeriod("2026-W06..2026-W07")), PeriodKind::kRange);
}

TEST(Calendar, LabelsAreNormalised) {
  EXPECT_EQ(ParsePeriod("2026-h1")->label, "2026-H1");
  EXPECT_EQ(ParsePeriod(" 2026 ")->label, "2026");
  EXPECT_EQ(ParsePeriod("2026-q4")->label, "2026-Q4");
  EXPECT_EQ(ParsePeriod("2026-w41")->label, "2026-W41");
  EXPECT_EQ(ParsePeriod("2026-w38..2026-W41")->label, "2026-W38..2026-W41");
  EXPECT_EQ(ParsePeriod("2026-W05..2026-W05")->label, "2026-W05");
}

TEST(Calendar, RangesUpToAYear) {
  EXPECT_EQ(kMaxPeriodWeeks, 53);
  auto year = ParsePeriod("2026-W01..2026-W53");
  ASSERT_TRUE(year.ok()) << year.status().message();
  EXPECT_EQ(year->Weeks().size(), 53u);
  EXPECT_TRUE(ParsePeriod("2025-W19..2026-W19").ok());  // 53 weeks across the year's end
  auto longer = ParsePeriod("2025-W52..2026-W53");
  ASSERT_FALSE(longer.ok());
  EXPECT_EQ(longer.status().code(), Code::kUsage);
  EXPECT_EQ(longer.status().message(),
            "period '2025-W52..2026-W53' covers 54 weeks; a period covers at most 53 (a year): ask for years and "
            "compare them");
  EXPECT_FALSE(ParsePeriod("2020-W01..2026-W01").ok());
}

TEST(Calendar, BadLabelsAreRefusedWithASentence) {
  for (const char* bad : {"2026-H3", "20261", "2026-H", "2026-H0", "2026-H12", "2026-Q0", "2026-Q", "1969", "9999",
                          "2026-", "26-H1", "2026-X1", "H1-2026", "2026-13", "", "2026..2027"}) {
    auto p = ParsePeriod(bad);
    ASSERT_FALSE(p.ok()) << bad;
    EXPECT_EQ(p.status().code(), Code::kUsage) << bad;
    EXPECT_NE(p.status().message().find("'" + std::string(bad) + "'"), std::string::npos) << p.status().message();
  }
  EXPECT_EQ(ParsePeriod("2026-H3").status().message(), "'2026-H3' is not a half-year (2026-H1 or 2026-H2)");
  EXPECT_EQ(ParsePeriod("20261").status().message(),
            "'20261' is not a period (use 2026-W41, 2026-W38..2026-W41, 2026-10, 2026-Q4, 2026-H1 or 2026)");
}

TEST(Calendar, PeriodsReadAsDutchOrEnglishNames) {
  EXPECT_EQ(PeriodName("2026-H1"), "eerste halfjaar 2026");
  EXPECT_EQ(PeriodName("2026-H2"), "tweede halfjaar 2026");
  EXPECT_EQ(PeriodName("2026-H1", true), "first half of 2026");
  EXPECT_EQ(PeriodName("2026"), "2026");
  EXPECT_EQ(PeriodName("2026-Q4"), "vierde kwartaal 2026");
  EXPECT_EQ(PeriodName("2026-Q4", true), "fourth quarter of 2026");
  EXPECT_EQ(PeriodName("2026-10"), "oktober 2026");
  EXPECT_EQ(PeriodName("2026-10", true), "October 2026");
  EXPECT_EQ(PeriodName("2026-W41"), "2026-W41");
  EXPECT_EQ(PeriodName("2026-W38..2026-W41"), "2026-W38..2026-W41");
  EXPECT_EQ(PeriodName("not a period"), "not a period");
}

TEST(Calendar, PeriodTitlesGiveTheWeeksAndTheirDatesAsCouncilsWriteThem) {
  EXPECT_EQ(PeriodTitle("2026-W47"), "week 47 (16 – 22 november 2026)");
  EXPECT_EQ(PeriodTitle("2026-W44"), "week 44 (26 oktober – 1 november 2026)");
  EXPECT_EQ(PeriodTitle("2026-W41..2026-W48"), "week 41 t/m 48 (5 oktober – 29 november 2026)");
  EXPECT_EQ(PeriodTitle("2026-W41..2026-W48", true), "weeks 41 to 48 (5 October – 29 November 2026)");
  EXPECT_EQ(PeriodTitle("2026-W52..2027-W02"),
            "week 52 van 2026 t/m week 2 van 2027 (21 december 2026 – 17 januari 2027)");
  EXPECT_EQ(PeriodTitle("2026-W53"), "week 53 (28 december 2026 – 3 januari 2027)");
  // A month is the ISO weeks whose Thursday falls in it: October 2026 starts on a Thursday.
  EXPECT_EQ(PeriodTitle("2026-10"), "oktober 2026, week 40 t/m 44 (28 september – 1 november 2026)");
  EXPECT_EQ(PeriodTitle("2026-q4"), "vierde kwartaal 2026, week 40 t/m 53 (28 september 2026 – 3 januari 2027)");
  EXPECT_EQ(PeriodTitle("not a period"), "not a period");
  EXPECT_EQ(DateName(Date{2026, 3, 1}), "1 maart 2026");
  EXPECT_EQ(DateName(Date{2026, 3, 1}, true, false), "1 March");
}

TEST(Calendar, TimesAreDutchTimeWhateverTheMachinesZone) {
  // CET in winter, CEST in summer; the switches at 01:00 UTC on the last
  // Sundays of March (29 March 2026) and October (25 October 2026).
  EXPECT_EQ(AmsterdamTimeName(1796216520), "2 december 2026 om 14:02");  // 13:02 UTC
  EXPECT_EQ(AmsterdamTimeName(1796216520, true), "2 December 2026 at 14:02");
  EXPECT_EQ(AmsterdamTimeName(1782907200), "1 juli 2026 om 14:00");      // 12:00 UTC
  EXPECT_EQ(AmsterdamTimeName(1774745999), "29 maart 2026 om 01:59");
  EXPECT_EQ(AmsterdamTimeName(1774746000), "29 maart 2026 om 03:00");
  EXPECT_EQ(AmsterdamTimeName(1792889999), "25 oktober 2026 om 02:59");
  EXPECT_EQ(AmsterdamTimeName(1792890000), "25 oktober 2026 om 02:00");
  EXPECT_EQ(AmsterdamTimeName(1798759800), "1 januari 2027 om 00:30");   // new year's eve, 23:30 UTC
  EXPECT_TRUE(AmsterdamTime(1782907200).summer);
  EXPECT_FALSE(AmsterdamTime(1796216520).summer);
  EXPECT_EQ(AmsterdamTimeName(0), "");
}

TEST(Csv, ReadsWhatDutchSpreadsheetsWrite) {
  std::string file =
      "\xEF\xBB\xBF"
      "Date;Municipality;Text\r\n"
      "01-10-2026;Heerlen;\"regel een;\r\nregel \"\"twee\"\"\"\r\n"
      "\r\n"
      "02-10-2026 ; Kerkrade ;  \r\n";
  auto t = ParseCsv(file, "export.csv");
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->separator, ';');
  EXPECT_EQ(t->header, (std::vector<std::string>{"date", "municipality", "text"}));
  ASSERT_EQ(t->rows.size(), 2u);
  EXPECT_EQ(t->rows[0].line, 2u);
  EXPECT_EQ(t->rows[0].fields[2], "regel een;\r\nregel \"twee\"");
  EXPECT_EQ(t->rows[1].line, 5u);
  EXPECT_EQ(t->rows[1].fields[1], "Kerkrade");
}

TEST(Csv, RefusesBrokenFilesNamingTheLine) {
  auto latin1 = ParseCsv("date,text\n2026-10-01,caf\xe9\n", "old.csv");
  ASSERT_FALSE(latin1.ok());
  EXPECT_NE(latin1.status().message().find("old.csv line 2"), std::string::npos) << latin1.status().message();
  auto open_quote = ParseCsv("date,text\n2026-10-01,\"never closed\n", "q.csv");
  ASSERT_FALSE(open_quote.ok());
  EXPECT_NE(open_quote.status().message().find("q.csv line 2"), std::string::npos);
  EXPECT_FALSE(ParseCsv("", "empty.csv").ok());
}

TEST(Csv, TheReaderYieldsWhatParseCsvReturns) {
  // Blank and whitespace-only lines, quotes opened after blanks and mid-field,
  // an embedded separator, CRLF and LF, a quoted line break, a record ending
  // in a separator, trailing blanks without a newline.
  std::string file =
      "\xEF\xBB\xBF"
      " Date , \"Text\" ,x\r\n"
      "\n"
      "   \t\r\n"
      "a ,  \"q,\"\"1\"\"\" , b\"c\"\n"
      "\"multi\nline\"  x,,\r\n"
      "\" \" \"y\",\"\"\n"
      "p\rq, caf\xC3\xA9 ,\n"
      "last,row  ";
  auto table = ParseCsv(file, "t.csv");
  ASSERT_TRUE(table.ok()) << table.status().message();
  EXPECT_EQ(table->header, (std::vector<std::string>{"date", "text", "x"}));
  ASSERT_EQ(table->rows.size(), 5u);
  EXPECT_EQ(table->rows[0].line, 4u);
  EXPECT_EQ(table->rows[0].fields, (std::vector<std::string>{"a", "q,\"1\" ", "b\"c\""}));
  EXPECT_EQ(table->rows[1].line, 5u);
  EXPECT_EQ(table->rows[1].fields, (std::vector<std::string>{"multi\nline  x", "", ""}));
  EXPECT_EQ(table->rows[2].line, 7u);
  EXPECT_EQ(table->rows[2].fields, (std::vector<std::string>{"y", ""}));
  EXPECT_EQ(table->rows[3].fields, (std::vector<std::string>{"pq", "caf\xC3\xA9", ""}));
  EXPECT_EQ(table->rows[4].line, 9u);
  EXPECT_EQ(table->rows[4].fields, (std::vector<std::string>{"last", "row"}));

  auto reader = CsvReader::Open(file, "t.csv");
  ASSERT_TRUE(reader.ok()) << reader.status().message();
  EXPECT_EQ(reader->separator(), table->separator);
  EXPECT_EQ(reader->header(), table->header);
  CsvRow row;  // reused, as an import does
  for (const auto& expected : table->rows) {
    auto more = reader->Next(row);
    ASSERT_TRUE(more.ok() && *more);
    EXPECT_EQ(row.line, expected.line);
    EXPECT_EQ(row.fields, expected.fields);
  }
  auto end = reader->Next(row);
  ASSERT_TRUE(end.ok());
  EXPECT_FALSE(*end);

  // The errors name the file and line, from the reader as from ParseCsv.
  auto latin1 = CsvReader::Open("date;text\n\n2026-10-01;caf\xe9\n", "old.csv");
  ASSERT_FALSE(latin1.ok());
  EXPECT_NE(latin1.status().message().find("old.csv line 3"), std::string::npos) << latin1.status().message();
  auto open_quote = CsvReader::Open("date,text\n2026-10-01,ok\n\n2026-10-02,\"never\nclosed\n", "q.csv");
  ASSERT_TRUE(open_quote.ok());
  ASSERT_TRUE(*open_quote->Next(row));
  auto unclosed = open_quote->Next(row);
  ASSERT_FALSE(unclosed.ok());
  EXPECT_NE(unclosed.status().message().find("q.csv line 4"), std::string::npos) << unclosed.status().message();
  EXPECT_EQ(ParseCsv("date,text\n2026-10-01,ok\n\n2026-10-02,\"never\nclosed\n", "q.csv").status().message(),
            unclosed.status().message());
  EXPECT_FALSE(CsvReader::Open(" \r\n\n", "blank.csv").ok());
}

// Numbers read back from a store or file: exact at the limits, and anything
// else is an error naming where it was, without the damaged bytes.
TEST(Numbers, ParsedStrictlyAtTheLimits) {
  EXPECT_EQ(*ParseUint64("0", "k"), 0u);
  EXPECT_EQ(*ParseUint64("18446744073709551615", "k"), UINT64_MAX);
  EXPECT_EQ(*ParseInt64("-9223372036854775808", "k"), INT64_MIN);
  EXPECT_EQ(*ParseInt64("9223372036854775807", "k"), INT64_MAX);
  for (const char* bad : {"", "18446744073709551616", "-1", "+1", " 1", "1 ", "1\n", "0x10", "1e3", "\x1b[2J"}) {
    auto v = ParseUint64(bad, "the store's 'meta/next_id'");
    ASSERT_FALSE(v.ok()) << bad;
    EXPECT_NE(v.status().message().find("'meta/next_id' is not a number"), std::string::npos);
    EXPECT_EQ(v.status().message().find('\x1b'), std::string::npos);
  }
  EXPECT_FALSE(ParseInt64("9223372036854775808", "k").ok());
  EXPECT_FALSE(ParseInt64("--1", "k").ok());
}

TEST(ReferenceData, TaxonomyAndRegionHierarchy) {
  EXPECT_EQ(Ref().TopThemes().size(), 12u);
  EXPECT_TRUE(Ref().IsTopTheme("schulden"));
  EXPECT_TRUE(Ref().IsSubthemeOf("schulden.budgetbeheer", "schulden"));
  EXPECT_FALSE(Ref().IsSubthemeOf("werk.scholing", "schulden"));
  EXPECT_EQ(Ref().municipalities().size(), 31u);
  EXPECT_TRUE(Ref().RegionContains("parkstad", "GM0917"));
  EXPECT_TRUE(Ref().RegionContains("zuid-limburg", "GM0917"));
  EXPECT_TRUE(Ref().RegionContains("limburg", "GM0917"));
  EXPECT_FALSE(Ref().RegionContains("noord-limburg", "GM0917"));
  EXPECT_TRUE(Ref().RegionWithin("GM0917", "zuid-limburg"));
  EXPECT_TRUE(Ref().RegionWithin("parkstad", "limburg"));
  EXPECT_FALSE(Ref().RegionWithin("limburg", "parkstad"));
  EXPECT_EQ(Ref().FindRegion("zuid-limburg")->municipalities.size(), 16u);
  EXPECT_EQ(Ref().FindMunicipality("Beek (L.)")->code, "GM0888");
  EXPECT_EQ(Ref().FindMunicipality("beek")->code, "GM0888");
  EXPECT_EQ(Ref().FindMunicipality("gm0917")->name, "Heerlen");
  EXPECT_EQ(Ref().FindMunicipality("Atlantis"), nullptr);
  EXPECT_FALSE(Ref().taxonomy_version().empty());
}

TEST(Sealing, OpensOnlyWithTheSameKeyAndPlace) {
  std::string key(32, 'a');
  auto sealed = Seal(key, "Mevrouw kan de huur niet betalen", "S0000001/text");
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(sealed->find("huur"), std::string::npos);
  EXPECT_EQ(*Unseal(key, *sealed, "S0000001/text"), "Mevrouw kan de huur niet betalen");
  EXPECT_FALSE(Unseal(std::string(32, 'b'), *sealed, "S0000001/text").ok());
  EXPECT_FALSE(Unseal(key, *sealed, "S0000002/text").ok());
  std::string tampered = *sealed;
  tampered[14] ^= 1;
  EXPECT_FALSE(Unseal(key, tampered, "S0000001/text").ok());
  // A fresh nonce per value: the same text seals differently each time.
  EXPECT_NE(*Seal(key, "x", "a"), *Seal(key, "x", "a"));
}

TEST(DigestRender, SuppressedCellsCarryNoNumber) {
  wire::Digest d;
  d.set_region("parkstad");
  d.set_region_name("Parkstad Limburg");
  d.set_period("2026-W40..2026-W41");
  d.mutable_policy()->set_k(5);
  d.mutable_total()->set_signals(12);
  d.mutable_total()->set_persons(11);
  auto* t = d.add_themes();
  t->set_code("schulden");
  t->set_label_nl("Schulden & geldzaken");
  t->set_signals(12);
  t->set_persons(11);
  t->set_organisations(2);
  auto* s = t->add_subthemes();
  s->set_code("schulden.budgetbeheer");
  s->set_suppressed(true);
  auto j = DigestToJson(d);
  EXPECT_EQ(j["themes"][0]["theme"], "schulden");
  EXPECT_EQ(j["themes"][0]["signals"], 12);
  EXPECT_TRUE(j["themes"][0]["subthemes"][0]["signals"].is_null());
  EXPECT_TRUE(j["themes"][0]["subthemes"][0]["organisations"].is_null());
  EXPECT_EQ(j["policy"]["k"], 5);
  std::string md = DigestToMarkdown(d);
  EXPECT_NE(md.find("| <5 | <5 | <5 |"), std::string::npos) << md;
  EXPECT_EQ(DigestFileName(d, "json").value(), "parkstad/2026-W40..2026-W41.json");
  // Named periods read as names; their files keep the label.
  d.set_period("2026-H1");
  EXPECT_NE(DigestToMarkdown(d).find("# Signalenrapportage Parkstad Limburg, eerste halfjaar 2026, week 1 t/m 26 "
                                     "(29 december 2025 – 28 juni 2026)\n"),
            std::string::npos)
      << DigestToMarkdown(d);
  EXPECT_NE(DigestToHtml(d).find("<h1>Signalenrapportage Parkstad Limburg, eerste halfjaar 2026, week 1 t/m 26 "
                                 "(29 december 2025 – 28 juni 2026)</h1>"),
            std::string::npos);
  EXPECT_NE(DigestToHtml(d, "en").find("<h1>Signals report Parkstad Limburg, first half of 2026, weeks 1 to 26 "
                                       "(29 December 2025 – 28 June 2026)</h1>"),
            std::string::npos);
  EXPECT_EQ(DigestFileName(d, "html").value(), "parkstad/2026-H1.html");
  d.set_period("2026");
  EXPECT_NE(DigestToMarkdown(d).find("# Signalenrapportage Parkstad Limburg, 2026, week 1 t/m 53 "
                                     "(29 december 2025 – 3 januari 2027)\n"),
            std::string::npos);
  EXPECT_EQ(DigestFileName(d, "csv").value(), "parkstad/2026.csv");
}

TEST(DigestRender, TheAdviceSectionIsEscapedInEveryFormatAndAbsentFromBrokersWithoutIt) {
  wire::Digest d;
  d.set_region("parkstad");
  d.set_region_name("Parkstad Limburg");
  d.set_period("2026-W47");
  d.set_from_week("2026-W47");
  d.set_to_week("2026-W47");
  d.mutable_policy()->set_k(5);
  // A digest from a broker that keeps no advice: no section, no sentence.
  EXPECT_EQ(DigestToMarkdown(d).find("Wat is er met de signalen gedaan"), std::string::npos);
  EXPECT_TRUE(DigestToJson(d)["advice_since"].is_null());
  d.set_advice_since_unix(1796216520);  // 2 December 2026
  EXPECT_NE(DigestToMarkdown(d).find("Geen adviezen over Parkstad Limburg die nog lopen of sinds 2 december 2026 "
                                     "veranderden."),
            std::string::npos)
      << DigestToMarkdown(d);
  auto* a = d.add_advice();
  a->set_id("A0001");
  a->set_title("<script>alert(1)</script> *vet*");
  a->set_council("Raad & Co");
  a->set_addressee("college van B&W");
  a->set_region("parkstad");
  a->set_status("reactie-ontvangen");
  a->set_response("</p><img src=x onerror=alert(1)>");
  a->set_response_date("2026-11-20");
  auto* t = a->add_themes();
  t->set_code("schulden");
  t->set_label_nl("Schulden");
  const std::string html = DigestToHtml(d);
  EXPECT_EQ(html.find("<script>alert"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("Status: reactie ontvangen (20 november 2026)."), std::string::npos);
  EXPECT_NE(html.find("Thema: Schulden."), std::string::npos);
  const std::string md = DigestToMarkdown(d);
  EXPECT_NE(md.find("### &lt;script&gt;alert(1)&lt;/script&gt; \\*vet\\* (A0001)"), std::string::npos) << md;
  EXPECT_EQ(md.find("<img"), std::string::npos);
  EXPECT_EQ(DigestToHtml(d, "en").find("What was done with the signals") != std::string::npos, true);
  EXPECT_EQ(DigestToJson(d)["advice"][0]["title"], "<script>alert(1)</script> *vet*");  // JSON escapes as JSON
  // The CSV stays a table of cells.
  EXPECT_EQ(DigestToCsv(d).find("alert"), std::string::npos);
}

TEST(DigestRender, MunicipalityBreakdownInEveryFormat) {
  wire::Digest d;
  d.set_region("parkstad");
  d.set_region_name("Parkstad Limburg");
  d.set_period("2026-W40");
  d.mutable_policy()->set_k(5);
  d.mutable_total()->set_signals(30);
  auto* t = d.add_themes();
  t->set_code("schulden");
  t->set_label_nl("Schulden & geldzaken");
  t->set_signals(30);
  auto* u = d.add_themes();
  u->set_code("zorg");
  u->set_label_nl("Zorg");
  u->set_signals(6);
  for (auto [gm, name, signals, suppressed] : {std::tuple{"GM0917", "Heerlen", 26u, false},
                                                std::tuple{"GM0928", "Kerkrade", 0u, true},
                                                std::tuple{"GM0899", "Brunssum", 0u, false},
                                                std::tuple{"GM0882", "Landgraaf", 0u, false}}) {
    auto* m = d.add_municipalities();
    m->set_region(gm);
    m->set_region_name(name);
    m->set_themes_only(true);
    m->mutable_total()->set_signals(signals);
    m->mutable_total()->set_suppressed(suppressed);
    auto* mt = m->add_themes();
    mt->set_code("schulden");
    mt->set_signals(signals);
    mt->set_suppressed(suppressed);
  }
  auto j = DigestToJson(d);
  ASSERT_EQ(j["municipalities"].size(), 4u);
  EXPECT_EQ(j["municipalities"][0]["municipality"], "GM0917");
  EXPECT_EQ(j["municipalities"][0]["total"]["signals"], 26);
  EXPECT_TRUE(j["municipalities"][1]["themes"][0]["signals"].is_null());

  std::string md = DigestToMarkdown(d);
  EXPECT_NE(md.find("| Gemeente | Totaal | Schulden & geldzaken | Zorg |"), std::string::npos) << md;
  EXPECT_NE(md.find("| Heerlen | 26 | 26 | 0 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| Kerkrade | <5 | <5 | 0 |"), std::string::npos) << md;
  EXPECT_EQ(md.find("| Brunssum |"), std::string::npos) << md;
  EXPECT_NE(md.find("Geen signalen uit Brunssum, Landgraaf."), std::string::npos) << md;

  std::string csv = DigestToCsv(d);
  EXPECT_NE(csv.find(";trend;municipality;municipality_name;open;dealt_with;open_share_pct\r\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find("parkstad;2026-W40;;;schulden;theme;Schulden & geldzaken;0;30;0;0;;;;;;;\r\n"), std::string::npos)
      << csv;
  EXPECT_NE(csv.find("parkstad;2026-W40;;;schulden;theme;;1;;;;;;GM0928;Kerkrade;;;\r\n"), std::string::npos) << csv;

  std::string html = DigestToHtml(d);
  EXPECT_NE(html.find("<table id=\"municipalities\">"), std::string::npos);
  EXPECT_NE(html.find("<th scope=\"row\">Kerkrade</th>"), std::string::npos);
  EXPECT_NE(html.find("Geen signalen uit Brunssum en Landgraaf."), std::string::npos);

  // A digest without a breakdown (a municipality's own) has no such table.
  d.clear_municipalities();
  EXPECT_EQ(DigestToHtml(d).find("id=\"municipalities\""), std::string::npos);
  EXPECT_EQ(DigestToJson(d).count("municipalities"), 0u);
}

// Issue 15, finding 6: a count never wraps round to a small number.
TEST(Saturating, SumsStopAtTheLargestValueInsteadOfWrapping) {
  constexpr uint32_t kMax = UINT32_MAX;
  EXPECT_EQ(SaturatingAdd<uint32_t>(kMax - 1, 1), kMax);
  EXPECT_EQ(SaturatingAdd<uint32_t>(kMax, 1), kMax);
  EXPECT_EQ(SaturatingAdd<uint32_t>(kMax, kMax), kMax);
  EXPECT_EQ(SaturatingAdd<uint32_t>(2, 3), 5u);
  EXPECT_EQ(SaturatingAdd<uint64_t>(UINT64_MAX - 1, 1), UINT64_MAX);
  EXPECT_EQ(SaturatingAdd<uint64_t>(UINT64_MAX, 1), UINT64_MAX);
  // Many adds of cells within the per-cell limit: past 2^32 and stays there.
  uint32_t total = 0;
  for (int i = 0; i < 5000; ++i) SaturatingAddTo(total, 1'000'000u);
  EXPECT_EQ(total, kMax);
  // A wide addend into a narrow sum.
  uint32_t narrow = 10;
  SaturatingAddTo(narrow, uint64_t{1} << 40);
  EXPECT_EQ(narrow, kMax);
  narrow = 10;
  SaturatingAddTo(narrow, uint64_t{5});
  EXPECT_EQ(narrow, 15u);
  EXPECT_EQ(SaturatingCast<uint32_t>(uint64_t{1} << 32), kMax);
  EXPECT_EQ(SaturatingCast<uint32_t>(uint64_t{kMax}), kMax);
  EXPECT_EQ(SaturatingCast<uint32_t>(uint64_t{69}), 69u);
  static_assert(SaturatingAdd<uint32_t>(kMax, 1) == kMax, "usable at compile time");
}

// Issue 15, finding 3, in one process: the endpoint keeps at most
// max_connections, closes the rest as they connect, and closes those that
// send no complete request within the head timeout; a whole request is
// still served.
TEST(MetricsEndpoint, CapsConnectionsAndClosesThoseThatNeverFinishARequest) {
  zmq::context_t ctx(1);
  MetricsLimits limits;
  limits.max_connections = 3;
  limits.head_timeout = std::chrono::milliseconds(300);
  // A free loopback port: bind to 0 and read it back.
  auto endpoint = MetricsEndpoint::Bind(ctx, "tcp://127.0.0.1:*", limits);
  ASSERT_TRUE(endpoint.ok()) << endpoint.status().message();
  MetricsEndpoint& m = **endpoint;
  std::string bound = m.socket().get(zmq::sockopt::last_endpoint);
  int port = std::stoi(bound.substr(bound.rfind(':') + 1));
  auto connect_to = [&] {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    const std::string partial = "GET /metrics HTTP/1.1\r\n";
    send(fd, partial.data(), partial.size(), MSG_NOSIGNAL);
    return fd;
  };
  auto pump = [&](std::chrono::milliseconds for_how_long) {
    auto until = std::chrono::steady_clock::now() + for_how_long;
    while (std::chrono::steady_clock::now() < until) {
      zmq::pollitem_t item{m.socket().handle(), 0, ZMQ_POLLIN, 0};
      zmq::poll(&item, 1, std::chrono::milliseconds(20));
      if (item.revents & ZMQ_POLLIN) m.HandleOne([] { return std::string("page\n"); });
      m.CloseIdle();
    }
  };
  auto closed = [](int fd) {
    char buf[256];
    for (;;) {
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, 0) <= 0) return false;
      ssize_t got = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
      if (got <= 0) return true;
    }
  };
  std::vector<int> fds;
  for (int i = 0; i < 8; ++i) fds.push_back(connect_to());
  pump(std::chrono::milliseconds(150));
  EXPECT_EQ(m.open_connections(), 3u);
  EXPECT_EQ(m.refused_connections(), 5u);
  size_t closed_at_once = 0;
  for (int fd : fds) closed_at_once += closed(fd);
  EXPECT_EQ(closed_at_once, 5u);
  pump(std::chrono::milliseconds(400));
  EXPECT_EQ(m.open_connections(), 0u);
  EXPECT_EQ(m.timed_out_connections(), 3u);
  size_t closed_in_all = 0;
  for (int fd : fds) closed_in_all += closed(fd);
  EXPECT_EQ(closed_in_all, 8u);
  for (int fd : fds) close(fd);

  // A whole request is answered as before.
  int fd = connect_to();
  const std::string rest = "Host: x\r\n\r\n";
  send(fd, rest.data(), rest.size(), MSG_NOSIGNAL);
  pump(std::chrono::milliseconds(150));
  char buf[512];
  ssize_t got = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
  ASSERT_GT(got, 0);
  EXPECT_EQ(std::string(buf, static_cast<size_t>(got)).rfind("HTTP/1.1 200 OK", 0), 0u);
  EXPECT_EQ(m.served(), 1u);
  close(fd);
}

}  // namespace
}  // namespace signaal
