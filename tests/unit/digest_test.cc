// Unit tests of the broker's digest path under the cell-key method: the
// DisclosurePolicy's publication rule, the DigestBuilder's consistency (the
// same records give the same number in every digest), and the audit trail of
// releases; and how the reader shows citizens' quotes in each format. The
// attacker's view is in disclosure_attack_test.cc.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "broker_store.h"
#include "digest_builder.h"
#include "disclosure_policy.h"
#include "theme_table.h"
#include "digest_render.h"
#include "signaal/period.h"
#include "signaal/ptable.h"
#include "unit_support.h"

namespace signaal::broker {
namespace {

using test::TempFolder;

const ReferenceData& Ref() { return test::SourceReferenceData(); }

DisclosurePolicy Policy(uint32_t d = 2, double v = 1.0) {
  auto table = PTable::Make(d, v);
  EXPECT_TRUE(table.ok()) << table.status().message();
  return DisclosurePolicy(5, 2, std::move(*table));
}

// Signals with random record keys, as nodes send them: per cell the count and
// the sum of its records' keys.
class Partner {
 public:
  Partner(std::string node, uint32_t seed) : node_(std::move(node)), rng_(seed) {}
  void Add(const std::string& week, const std::string& gm, const std::string& theme, const std::string& sub,
           uint32_t signals) {
    auto& cell = weeks_[week][{gm, theme, sub}];
    for (uint32_t i = 0; i < signals; ++i) cell.key += static_cast<uint32_t>(rng_());
    cell.signals += signals;
  }
  void PutInto(ThemeTable& table, uint64_t version = 1) const {
    for (const auto& [week, cells] : weeks_) {
      wire::SummarySnapshot s;
      s.set_node_id(node_);
      s.set_period(week);
      s.set_version(version);
      for (const auto& [codes, cell] : cells) {
        auto* c = s.add_cells();
        c->set_municipality(std::get<0>(codes));
        c->set_theme(std::get<1>(codes));
        c->set_subtheme(std::get<2>(codes));
        c->set_signals(cell.signals);
        c->set_persons(cell.signals);
        c->set_key_sum(cell.key);
      }
      table.Put(s);
    }
  }

 private:
  struct Cell {
    uint32_t signals = 0;
    uint32_t key = 0;
  };
  std::string node_;
  std::mt19937 rng_;
  std::map<std::string, std::map<std::tuple<std::string, std::string, std::string>, Cell>> weeks_;
};

TEST(DisclosurePolicy, ZerosStayZeroSmallCountsAreMarkedAndNoneMovesBeyondD) {
  const DisclosurePolicy policy = Policy(2, 1.0);
  std::mt19937 rng(7);
  for (uint32_t key = 0; key < 5000; ++key) {
    EXPECT_EQ(policy.Publish(0, 0, 0, rng()).signals, 0u);
    EXPECT_FALSE(policy.Publish(0, 0, 0, rng()).suppressed);
  }
  int marked = 0, shown_small = 0;
  for (uint64_t truth = 1; truth < 40; ++truth) {
    for (int i = 0; i < 500; ++i) {
      auto shown = policy.Publish(truth, truth, 3, static_cast<uint32_t>(rng()));
      if (shown.suppressed) {
        ++marked;
        EXPECT_EQ(shown.signals, 0u) << "a suppressed cell carries no number";
        EXPECT_LE(truth, 5u + 2u) << "a true count of k + D or more is never published below k";
        continue;
      }
      if (shown.signals == 0) {
        EXPECT_LE(truth, 2u) << "only counts up to D may be published as zero";
        continue;
      }
      EXPECT_GE(shown.signals, 5u);
      ++shown_small;
      EXPECT_LE(shown.signals, truth + 2);
      EXPECT_GE(shown.signals + 2, truth);
      EXPECT_LE(shown.persons, shown.signals);
    }
  }
  EXPECT_GT(marked, 0);
  EXPECT_GT(shown_small, 0);
  // One organisation alone is suppressed whatever its numbers.
  EXPECT_TRUE(policy.Publish(500, 400, 1, 12345).suppressed);
}

TEST(DisclosurePolicy, TheSameCountAndKeyAlwaysGiveTheSameNumber) {
  const DisclosurePolicy a = Policy(), b = Policy();
  for (uint32_t key = 0; key < 100000; key += 7) {
    auto x = a.Publish(13, 9, 2, key * 2654435761u), y = b.Publish(13, 9, 2, key * 2654435761u);
    EXPECT_EQ(x.signals, y.signals);
    EXPECT_EQ(x.persons, y.persons);
  }
}

// Heerlen and Kerkrade (Parkstad) hear signals; Maastricht and Venlo too.
ThemeTable Season(std::vector<Partner>& partners) {
  ThemeTable table(Ref());
  partners = {Partner("a", 1), Partner("b", 2), Partner("c", 3)};
  std::mt19937 rng(11);
  for (int w = 1; w <= 40; ++w) {
    std::string week = AddWeeks("2026-W01", w - 1);
    for (auto& p : partners) {
      p.Add(week, "GM0917", "schulden", "schulden.schuldhulpverlening", 1 + rng() % 9);
      p.Add(week, "GM0917", "schulden", "", rng() % 3);
      p.Add(week, "GM0928", "werk", "", 1 + rng() % 4);
      p.Add(week, "GM0935", "wmo", "", 2 + rng() % 6);
      p.Add(week, "GM0983", "wonen", "", 1 + rng() % 3);
    }
  }
  for (const auto& p : partners) p.PutInto(table);
  return table;
}

// The whole point of the method: a cell is fixed by the records in it, so
// every digest that shows it shows the same number — a week alone or in a
// range's series, a municipality alone or in its region's breakdown, a
// region whose signals all come from one municipality.
TEST(DigestBuilder, TheSameRecordsShowTheSameNumberInEveryDigest) {
  std::vector<Partner> partners;
  ThemeTable table = Season(partners);
  const DisclosurePolicy policy = Policy();
  DigestBuilder builder(Ref(), table, policy);
  auto range = builder.Build("parkstad", "2026-W20..2026-W29", 1000, DigestBuilder::Context::kFull);
  ASSERT_TRUE(range.ok()) << range.status().message();
  for (const auto& week : range->weeks()) {
    auto alone = builder.Build("parkstad", week.period(), 2000);
    ASSERT_TRUE(alone.ok());
    for (const char* code : {"", "schulden", "schulden.schuldhulpverlening", "werk"}) {
      EXPECT_EQ(ShownSignals(week, code), ShownSignals(*alone, code)) << week.period() << " " << code;
    }
  }
  // Heerlen in Parkstad's breakdown, in Zuid-Limburg's, and on its own.
  auto zuid = builder.Build("zuid-limburg", "2026-W20..2026-W29", 3000);
  auto heerlen = builder.Build("GM0917", "2026-W20..2026-W29", 4000);
  ASSERT_TRUE(zuid.ok() && heerlen.ok());
  auto part = [](const wire::Digest& d, const std::string& gm) -> const wire::Digest* {
    for (const auto& m : d.municipalities()) {
      if (m.region() == gm) return &m;
    }
    return nullptr;
  };
  ASSERT_NE(part(*range, "GM0917"), nullptr);
  ASSERT_NE(part(*zuid, "GM0917"), nullptr);
  for (const char* code : {"", "schulden"}) {
    EXPECT_EQ(ShownSignals(*part(*range, "GM0917"), code), ShownSignals(*heerlen, code)) << code;
    EXPECT_EQ(ShownSignals(*part(*zuid, "GM0917"), code), ShownSignals(*heerlen, code)) << code;
  }
  // Werk is heard only in Kerkrade: Parkstad's werk is Kerkrade's werk.
  auto kerkrade = builder.Build("GM0928", "2026-W20..2026-W29", 5000);
  ASSERT_TRUE(kerkrade.ok());
  EXPECT_EQ(ShownSignals(*range, "werk"), ShownSignals(*kerkrade, "werk"));
  EXPECT_EQ(ShownSignals(*zuid, "werk"), ShownSignals(*kerkrade, "werk"));
  // Built again later, in another order, the same bytes but for the time.
  auto again = builder.Build("parkstad", "2026-W20..2026-W29", 1000, DigestBuilder::Context::kFull);
  EXPECT_EQ(again->SerializeAsString(), range->SerializeAsString());
}

TEST(DigestBuilder, PublishesWithinDOfTheTruthAndSaysHow) {
  std::vector<Partner> partners;
  ThemeTable table = Season(partners);
  const DisclosurePolicy policy = Policy(3, 1.5);
  DigestBuilder builder(Ref(), table, policy);
  auto d = builder.Build("limburg", "2026-W10..2026-W22", 1000);
  ASSERT_TRUE(d.ok());
  auto truth = table.Aggregate("limburg", PeriodRange{"", "2026-W10", "2026-W22"}.Weeks());
  int compared = 0;
  for (const auto& [code, t] : truth) {
    auto shown = ShownSignals(*d, code);
    if (!shown) continue;
    EXPECT_LE(std::abs(static_cast<int64_t>(*shown) - static_cast<int64_t>(t.signals)), 3) << code;
    ++compared;
  }
  EXPECT_GE(compared, 5);
  EXPECT_EQ(d->policy().method(), "cell-key");
  EXPECT_EQ(d->policy().max_deviation(), 3u);
  EXPECT_DOUBLE_EQ(d->policy().variance(), 1.5);
  EXPECT_EQ(d->policy().k(), 5u);
  EXPECT_NE(DigestToMarkdown(*d).find("licht verstoord"), std::string::npos);
  EXPECT_NE(DigestToHtml(*d).find("licht verstoord"), std::string::npos);
  EXPECT_NE(DigestToHtml(*d, "en").find("slightly perturbed"), std::string::npos);
  auto json = DigestToJson(*d);
  EXPECT_EQ(json["policy"]["method"], "cell-key");
  EXPECT_EQ(json["policy"]["max_deviation"], 3);
  EXPECT_EQ(json["policy"]["variance"], 1.5);
}

TEST(DigestBuilder, APeriodOfUpToAYearWithItsContext) {
  std::vector<Partner> partners;
  ThemeTable table = Season(partners);
  const DisclosurePolicy policy = Policy();
  DigestBuilder builder(Ref(), table, policy);
  auto year = builder.Build("parkstad", "2026-W01..2026-W53", 1000, DigestBuilder::Context::kFull);
  ASSERT_TRUE(year.ok()) << year.status().message();
  EXPECT_EQ(year->weeks_size(), DigestBuilder::kBaselineWeeks + DigestBuilder::kSeriesWeeks);
  EXPECT_TRUE(year->has_previous());
  EXPECT_GT(year->total().signals(), 0u);
  auto longer = builder.Build("parkstad", "2025-W50..2026-W52", 1000);
  ASSERT_FALSE(longer.ok());
  EXPECT_NE(longer.status().message().find("at most 53"), std::string::npos) << longer.status().message();
  EXPECT_FALSE(builder.Build("atlantis", "2026-W40", 1000).ok());
}

TEST(ReleaseRecord, KeepsWhatLeftToWhomAndWhenBoundedAndAcrossRestarts) {
  TempFolder dir;
  wire::Digest d;
  d.set_region("parkstad");
  d.set_period("2026-W40..2026-W41");
  d.set_from_week("2026-W40");
  d.set_to_week("2026-W41");
  d.mutable_total()->set_signals(12);
  {
    auto store = BrokerStore::Open(dir.path());
    ASSERT_TRUE(store.ok());
    d.set_generated_unix(1);
    ASSERT_TRUE((*store)->RecordRelease(d, "sub-1", "fetch", 100).ok());
    d.set_generated_unix(2);  // the same numbers fetched again by someone else
    ASSERT_TRUE((*store)->RecordRelease(d, "sub-2", "fetch", 200).ok());
    EXPECT_EQ((*store)->release_count(), 2u);
  }
  auto reopened = BrokerStore::Open(dir.path());
  ASSERT_TRUE(reopened.ok());
  std::vector<std::string> who;
  (*reopened)->ForEachRelease([&](const storage::ReleaseRecord& r, const wire::Digest& digest) {
    who.push_back(r.principal() + "@" + std::to_string(r.released_unix()));
    EXPECT_EQ(digest.total().signals(), 12u);
    EXPECT_EQ(r.region(), "parkstad");
  });
  EXPECT_EQ(who, (std::vector<std::string>{"sub-1@100", "sub-2@200"}));
}

TEST(ReleaseRecord, TheOldestGoBeyondTheBoundAndTheirContentWithThem) {
  TempFolder dir;
  const uint64_t bound = 40;
  auto store = BrokerStore::Open(dir.path(), bound);
  ASSERT_TRUE(store.ok());
  const uint64_t n = bound + 3;
  wire::Digest d;
  d.set_region("GM0917");
  for (uint64_t i = 0; i < n; ++i) {
    d.mutable_total()->set_signals(static_cast<uint32_t>(i % 5));  // five distinct contents
    ASSERT_TRUE((*store)->RecordRelease(d, "s", "fetch", static_cast<int64_t>(i)).ok());
  }
  EXPECT_EQ((*store)->release_count(), bound);
  int64_t oldest = -1;
  uint64_t seen = 0;
  (*store)->ForEachRelease([&](const storage::ReleaseRecord& r, const wire::Digest& digest) {
    if (oldest < 0) oldest = r.released_unix();
    EXPECT_EQ(digest.total().signals(), r.released_unix() % 5);
    ++seen;
  });
  EXPECT_EQ(seen, bound);
  EXPECT_EQ(oldest, 3);
  // What a risk report takes: the newest few a filter accepts, oldest first.
  bool more = false;
  auto newest = (*store)->NewestReleases(
      3, [](const storage::ReleaseRecord& r) { return r.released_unix() % 2 == 0; }, &more);
  ASSERT_EQ(newest.size(), 3u);
  EXPECT_TRUE(more);
  std::vector<uint32_t> totals;
  for (const auto& d : newest) totals.push_back(d.total().signals());
  EXPECT_EQ(totals, (std::vector<uint32_t>{(n - 5) % 5, (n - 3) % 5, (n - 1) % 5}));  // n - 1 = 42 is even
  newest = (*store)->NewestReleases(100, [](const storage::ReleaseRecord&) { return true; }, &more);
  EXPECT_EQ(newest.size(), bound);
  EXPECT_FALSE(more);
}

// A week's digest with three themes and quotes for two of them, sent in
// an order of their own: wonen, schulden, wonen, schulden.
wire::Digest QuotedDigest() {
  wire::Digest d;
  d.set_region("zuid-limburg");
  d.set_region_name("Zuid-Limburg");
  d.set_period("2026-W47");
  d.set_from_week("2026-W47");
  d.set_to_week("2026-W47");
  d.mutable_policy()->set_k(5);
  d.mutable_total()->set_signals(60);
  auto theme = [&](const char* code, const char* nl, const char* en) {
    auto* t = d.add_themes();
    t->set_code(code);
    t->set_label_nl(nl);
    t->set_label_en(en);
    t->set_signals(20);
    t->set_organisations(2);
  };
  theme("schulden", "Schulden", "Debts");
  theme("werk", "Werk", "Work");
  theme("wonen", "Wonen", "Housing");
  auto quote = [&](const char* text, const char* code, const char* nl, const char* en, const char* week) {
    auto* q = d.add_quotes();
    q->set_text(text);
    q->set_theme(code);
    q->set_theme_label_nl(nl);
    q->set_theme_label_en(en);
    q->set_week(week);
  };
  quote("De huur gaat weer omhoog.", "wonen", "Wonen", "Housing", "2026-W47");
  quote("Ik durf de post niet meer open te maken.", "schulden", "Schulden", "Debts", "2026-W47");
  quote("[NAAM] van de woningcorporatie belt niet terug.", "wonen", "Wonen", "Housing", "2026-W46");
  quote("Elke maand tekort, ook met werk.", "schulden", "Schulden", "Debts", "2026-W07");
  return d;
}

// Where each of `needles` first occurs in `text` after the one before;
// npos from the first that does not follow.
std::vector<size_t> InOrder(const std::string& text, const std::vector<std::string>& needles) {
  std::vector<size_t> at;
  size_t from = 0;
  for (const auto& n : needles) {
    size_t i = from == std::string::npos ? std::string::npos : text.find(n, from);
    at.push_back(i);
    from = i == std::string::npos ? i : i + n.size();
  }
  return at;
}

void ExpectInOrder(const std::string& text, const std::vector<std::string>& needles) {
  auto at = InOrder(text, needles);
  for (size_t i = 0; i < needles.size(); ++i) {
    EXPECT_NE(at[i], std::string::npos) << "missing or out of order: " << needles[i];
  }
}

size_t Occurrences(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t i = text.find(needle); i != std::string::npos; i = text.find(needle, i + 1)) ++n;
  return n;
}

TEST(DigestQuotes, HtmlGroupsThemByThemeInTheTablesOrderAfterTheNumbers) {
  const std::string html = DigestToHtml(QuotedDigest());
  ExpectInOrder(html, {"id=\"themes\"", "<section id=\"quotes\" aria-labelledby=\"quotes-heading\">",
                       "<h2 id=\"quotes-heading\">Wat inwoners zeggen</h2>",
                       "Met toestemming gedeeld, door de partner nagelezen en ontdaan van namen en andere "
                       "persoonsgegevens ([NAAM], [ADRES] … staan waar iets is weggelaten).",
                       "<h3>Schulden</h3>",
                       "<blockquote><p>„Ik durf de post niet meer open te maken.”</p></blockquote>"
                       "<figcaption>Schulden, week 47 van 2026</figcaption>",
                       "<p>„Elke maand tekort, ook met werk.”</p></blockquote><figcaption>Schulden, week 7 van 2026",
                       "<h3>Wonen</h3>", "„De huur gaat weer omhoog.”", "Wonen, week 47 van 2026",
                       "„[NAAM] van de woningcorporatie belt niet terug.”", "Wonen, week 46 van 2026",
                       "</section>", "</main>"});
  EXPECT_EQ(Occurrences(html, "<blockquote>"), 4u);
  EXPECT_EQ(Occurrences(html, "<h3>"), 2u) << "no heading for werk, which has no quotes";
  EXPECT_EQ(html.find("<h3>Werk</h3>"), std::string::npos);
}

TEST(DigestQuotes, HtmlInEnglishSaysTheQuotesAreDutch) {
  const std::string html = DigestToHtml(QuotedDigest(), "en");
  ExpectInOrder(html, {"<h2 id=\"quotes-heading\">What residents say</h2>", "Shared with consent", "<h3>Debts</h3>",
                       "<blockquote><p lang=\"nl\">„Ik durf de post niet meer open te maken.”</p></blockquote>"
                       "<figcaption>Debts, week 47 of 2026</figcaption>",
                       "<h3>Housing</h3>", "Housing, week 46 of 2026"});
  EXPECT_EQ(html.find("Wat inwoners zeggen"), std::string::npos);
}

TEST(DigestQuotes, MarkdownGroupsThemAsBlockQuotesWithTheirAttribution) {
  const std::string md = DigestToMarkdown(QuotedDigest());
  ExpectInOrder(md, {"| **Totaal** |", "## Wat inwoners zeggen\n\n",
                     "Met toestemming gedeeld, door de partner nagelezen en ontdaan van namen en andere "
                     "persoonsgegevens (\\[NAAM\\], \\[ADRES\\] … staan waar iets is weggelaten).\n\n",
                     "### Schulden\n\n",
                     "> „Ik durf de post niet meer open te maken.”\n>\n> — Schulden, week 47 van 2026\n\n",
                     "> „Elke maand tekort, ook met werk.”\n>\n> — Schulden, week 7 van 2026\n\n", "### Wonen\n\n",
                     "> „De huur gaat weer omhoog.”\n>\n> — Wonen, week 47 van 2026\n\n",
                     "> „\\[NAAM\\] van de woningcorporatie belt niet terug.”\n>\n> — Wonen, week 46 van 2026\n\n",
                     "---\nBeleid:"});
  EXPECT_EQ(md.find("### Werk"), std::string::npos);
}

TEST(DigestQuotes, JsonListsThemAtTheTopLevelAsSent) {
  const auto j = DigestToJson(QuotedDigest());
  ASSERT_TRUE(j["quotes"].is_array());
  ASSERT_EQ(j["quotes"].size(), 4u);
  EXPECT_EQ(j["quotes"][0], (nlohmann::json{{"text", "De huur gaat weer omhoog."},
                                            {"theme", "wonen"},
                                            {"theme_label", "Wonen"},
                                            {"theme_label_en", "Housing"},
                                            {"week", "2026-W47"}}));
  EXPECT_EQ(j["quotes"][3]["week"], "2026-W07");
  EXPECT_EQ(j["quotes"][2]["text"], "[NAAM] van de woningcorporatie belt niet terug.");
}

TEST(DigestQuotes, CsvLeavesThemOut) {
  for (const char* lang : {"nl", "en"}) {
    const std::string csv = DigestToCsv(QuotedDigest(), lang);
    EXPECT_EQ(csv.find("huur"), std::string::npos) << lang;
    EXPECT_EQ(csv.find("quote"), std::string::npos) << lang;
    EXPECT_EQ(Occurrences(csv, "\r\n"), 5u) << "the header, the total and three themes";
  }
}

TEST(DigestQuotes, NoQuotesNoSection) {
  wire::Digest d = QuotedDigest();
  d.clear_quotes();
  for (const char* lang : {"nl", "en"}) {
    const std::string html = DigestToHtml(d, lang);
    EXPECT_EQ(html.find("id=\"quotes"), std::string::npos) << lang;
    EXPECT_EQ(html.find("<blockquote"), std::string::npos) << lang;
    EXPECT_EQ(html.find("<h2"), std::string::npos) << lang;
  }
  const std::string md = DigestToMarkdown(d);
  EXPECT_EQ(md.find("Wat inwoners zeggen"), std::string::npos);
  EXPECT_EQ(md.find("\n> "), std::string::npos);
  const auto j = DigestToJson(d);
  ASSERT_TRUE(j.contains("quotes")) << "always present";
  EXPECT_EQ(j["quotes"], nlohmann::json::array());
}

TEST(DigestQuotes, AQuoteForAThemeTheDigestDoesNotListComesLastNotLost) {
  wire::Digest d = QuotedDigest();
  auto* q = d.add_quotes();
  q->set_text("Niemand weet waar je moet zijn.");
  q->set_theme("zorg");
  q->set_week("not-a-week");
  auto groups = QuotesByTheme(d);
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(groups[0][0]->theme(), "schulden");
  EXPECT_EQ(groups[1][0]->theme(), "wonen");
  EXPECT_EQ(groups[2][0]->text(), "Niemand weet waar je moet zijn.");
  // Without labels it is named by its code; a week that is no week as it came.
  ExpectInOrder(DigestToHtml(d), {"<h3>Wonen</h3>", "<h3>zorg</h3>", "„Niemand weet waar je moet zijn.”",
                                  "<figcaption>zorg, not-a-week</figcaption>"});
}

TEST(DigestQuotes, WeeksAreWrittenForPeople) {
  EXPECT_EQ(WeekName("2026-W47"), "week 47 van 2026");
  EXPECT_EQ(WeekName("2026-W47", true), "week 47 of 2026");
  EXPECT_EQ(WeekName("2026-W07"), "week 7 van 2026");
  EXPECT_EQ(WeekName("2026-W53"), "week 53 van 2026");
  EXPECT_EQ(WeekName("2025-W53"), "2025-W53") << "2025 has 52 weeks";
  EXPECT_EQ(WeekName("2026-10"), "2026-10");
  EXPECT_EQ(WeekName(""), "");
}

}  // namespace
}  // namespace signaal::broker
