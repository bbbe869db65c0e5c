// The share of signals still open at the partners (issue 18, part 4): the
// policy's split of a shown cell into its open and dealt-with parts, each a
// cell of its own under the cell-key method; the builder's use of it on
// themes and the total only, and never where a partner sent no statuses;
// and how the reader shows it in each format.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "digest_builder.h"
#include "digest_render.h"
#include "disclosure_policy.h"
#include "theme_table.h"
#include "signaal/period.h"
#include "signaal/ptable.h"
#include "unit_support.h"

namespace signaal::broker {
namespace {

const ReferenceData& Ref() { return test::SourceReferenceData(); }

DisclosurePolicy Policy(uint32_t d = 2, double v = 1.0) {
  auto table = PTable::Make(d, v);
  EXPECT_TRUE(table.ok()) << table.status().message();
  return DisclosurePolicy(5, 2, std::move(*table));
}

TEST(OpenShare, EachPartOfTheSplitFollowsTheDisplayRulesOrTheSplitIsWithheld) {
  const DisclosurePolicy policy = Policy();
  std::mt19937 rng(3);
  int withheld = 0, shown = 0;
  for (uint64_t open = 0; open < 30; ++open) {
    for (int i = 0; i < 300; ++i) {
      const uint64_t rest = rng() % 40;
      auto split = policy.PublishSplit({open, static_cast<uint32_t>(rng()), 3}, {rest, static_cast<uint32_t>(rng()), 3});
      if (split.suppressed) {
        ++withheld;
        EXPECT_EQ(split.first + split.second, 0u) << "a withheld split carries no number";
        EXPECT_TRUE(open < 5 + 2 || rest < 5 + 2) << "only a part near k or below withholds the split";
        continue;
      }
      ++shown;
      for (auto [published, truth] : {std::pair{split.first, open}, std::pair{split.second, rest}}) {
        EXPECT_TRUE(published == 0 || published >= 5) << published << " of " << truth;
        EXPECT_LE(published, truth + 2);
        EXPECT_GE(published + 2, truth);
        if (truth == 0) {
          EXPECT_EQ(published, 0u) << "a zero stays zero";
        }
      }
    }
  }
  EXPECT_GT(withheld, 0);
  EXPECT_GT(shown, 0);
  // A part only one partner reports is that partner's own number: withheld,
  // however large; a part of zero needs nobody.
  EXPECT_TRUE(policy.PublishSplit({400, 1234, 1}, {300, 99, 3}).suppressed);
  EXPECT_TRUE(policy.PublishSplit({400, 1234, 3}, {300, 99, 1}).suppressed);
  EXPECT_FALSE(policy.PublishSplit({400, 1234, 3}, {0, 0, 0}).suppressed);
}

TEST(OpenShare, APartIsTheCellItIsMadeOf) {
  // All open: the open part has the cell's records, so the cell's key and
  // count, and shows the cell's own number.
  const DisclosurePolicy policy = Policy();
  std::mt19937 rng(5);
  for (int i = 0; i < 2000; ++i) {
    const uint64_t n = 5 + rng() % 30;
    const uint32_t key = static_cast<uint32_t>(rng());
    auto cell = policy.Publish(n, n, 3, key);
    auto split = policy.PublishSplit({n, key, 3}, {0, 0, 0});
    if (cell.suppressed || split.suppressed) continue;
    EXPECT_EQ(split.first, cell.signals) << n << " signals, key " << key;
    EXPECT_EQ(split.second, 0u);
  }
}

// A partner's snapshots for a few weeks: per cell its signals, how many are
// still open, and random record keys for each; `with_open` false is a node
// from before statuses were sent.
struct Partner {
  Partner(std::string id, uint32_t seed, bool open = true) : node(std::move(id)), with_open(open), rng(seed) {}
  std::string node;
  bool with_open;
  std::mt19937 rng;
  std::map<std::string, std::vector<wire::SummaryCell>> weeks;
  // True counts per theme, for the checks: signals and open.
  std::map<std::string, std::pair<uint64_t, uint64_t>> truth;

  void Add(const std::string& week, const std::string& gm, const std::string& theme, const std::string& sub,
           uint32_t signals, uint32_t open) {
    wire::SummaryCell c;
    c.set_municipality(gm);
    c.set_theme(theme);
    c.set_subtheme(sub);
    c.set_signals(signals);
    c.set_persons(signals);
    uint32_t key = 0, open_key = 0;
    for (uint32_t i = 0; i < signals; ++i) {
      const uint32_t k = static_cast<uint32_t>(rng());
      key += k;
      if (i < open) open_key += k;
    }
    c.set_key_sum(key);
    if (with_open) {
      c.set_open(open);
      c.set_open_key_sum(open_key);
    }
    weeks[week].push_back(c);
    truth[theme].first += signals;
    truth[theme].second += open;
  }
  void PutInto(ThemeTable& table) const {
    for (const auto& [week, cells] : weeks) {
      wire::SummarySnapshot s;
      s.set_node_id(node);
      s.set_period(week);
      s.set_version(1);
      for (const auto& c : cells) *s.add_cells() = c;
      table.Put(s);
    }
  }
};

const wire::DigestCell* Theme(const wire::Digest& d, const std::string& code) {
  for (const auto& t : d.themes()) {
    if (t.code() == code) return &t;
  }
  return nullptr;
}

TEST(OpenShare, TheDigestShowsItPerThemeWhereEveryPartnerSentStatuses) {
  ThemeTable table(Ref());
  Partner a("a", 11), b("b", 12), old("old", 13, false);
  std::mt19937 rng(17);
  for (int w = 0; w < 8; ++w) {
    const std::string week = AddWeeks("2026-W30", w);
    for (Partner* p : {&a, &b}) {
      const uint32_t n = 6 + rng() % 10;
      p->Add(week, "GM0917", "schulden", "schulden.schuldhulpverlening", n, n / 2);
      const uint32_t m = 4 + rng() % 6;
      p->Add(week, "GM0928", "werk", "", m, m - 1);
    }
    // Only partner a hears wonen, and keeps some open: one partner's number.
    a.Add(week, "GM0917", "wonen", "", 8, 3);
    b.Add(week, "GM0917", "wonen", "", 8, 0);
    // The old node feeds wmo alone with b: no share can be known there.
    old.Add(week, "GM0882", "wmo", "", 9, 0);
    b.Add(week, "GM0882", "wmo", "", 9, 4);
  }
  for (const Partner* p : {&a, &b, &old}) p->PutInto(table);
  const DisclosurePolicy policy = Policy();
  DigestBuilder builder(Ref(), table, policy);
  auto digest = builder.Build("parkstad", "2026-W30..2026-W37", 1000);
  ASSERT_TRUE(digest.ok()) << digest.status().message();

  for (const char* code : {"schulden", "werk"}) {
    const wire::DigestCell* t = Theme(*digest, code);
    ASSERT_NE(t, nullptr) << code;
    ASSERT_TRUE(t->has_open() && t->has_dealt_with()) << code;
    EXPECT_FALSE(t->open_suppressed());
    const uint64_t signals = a.truth[code].first + b.truth[code].first;
    const uint64_t open = a.truth[code].second + b.truth[code].second;
    EXPECT_NEAR(t->open(), open, 2.0) << code;
    EXPECT_NEAR(t->dealt_with(), signals - open, 2.0) << code;
    for (const auto& sub : t->subthemes()) EXPECT_FALSE(sub.has_open()) << "subthemes carry no share";
    EXPECT_EQ(OpenShareOf(*t).kind, OpenShare::kShown);
  }
  const wire::DigestCell* wonen = Theme(*digest, "wonen");
  ASSERT_NE(wonen, nullptr);
  EXPECT_FALSE(wonen->suppressed());
  EXPECT_TRUE(wonen->open_suppressed()) << "only partner a has open signals in wonen";
  EXPECT_FALSE(wonen->has_open());
  const wire::DigestCell* wmo = Theme(*digest, "wmo");
  ASSERT_NE(wmo, nullptr);
  EXPECT_FALSE(wmo->has_open() || wmo->open_suppressed()) << "the old node's cells have no statuses";
  EXPECT_FALSE(digest->total().has_open()) << "the total includes the old node's cells";
  EXPECT_TRUE(ShowsOpenShare(*digest));

  // Without the old node the total has a share too, and Kerkrade's part
  // of the breakdown (werk, from a and b) shows its own.
  ThemeTable current(Ref());
  for (const Partner* p : {&a, &b}) p->PutInto(current);
  DigestBuilder without_old(Ref(), current, policy);
  auto all_new = without_old.Build("parkstad", "2026-W30..2026-W37", 1000);
  ASSERT_TRUE(all_new.ok());
  EXPECT_TRUE(all_new->total().has_open());
  bool kerkrade = false;
  for (const auto& m : all_new->municipalities()) {
    if (m.region() != "GM0928") continue;
    kerkrade = true;
    ASSERT_NE(Theme(m, "werk"), nullptr);
    EXPECT_TRUE(Theme(m, "werk")->has_open());
  }
  EXPECT_TRUE(kerkrade);
}

wire::Digest TwoThemes(uint32_t open, uint32_t dealt_with, bool withheld) {
  wire::Digest d;
  d.set_region("parkstad");
  d.set_region_name("Parkstad");
  d.set_period("2026-W40");
  d.set_from_week("2026-W40");
  d.set_to_week("2026-W40");
  d.mutable_policy()->set_k(5);
  d.mutable_policy()->set_method("cell-key");
  auto* total = d.mutable_total();
  total->set_signals(open + dealt_with + 20);
  total->set_persons(open + dealt_with + 20);
  total->set_organisations(3);
  auto* t = d.add_themes();
  t->set_code("schulden");
  t->set_label_nl("Schulden");
  t->set_signals(open + dealt_with);
  t->set_persons(open + dealt_with);
  t->set_organisations(3);
  if (withheld) {
    t->set_open_suppressed(true);
  } else {
    t->set_open(open);
    t->set_dealt_with(dealt_with);
  }
  auto* sub = t->add_subthemes();
  sub->set_code("schulden.schuldhulpverlening");
  sub->set_label_nl("Schuldhulpverlening");
  sub->set_signals(6);
  sub->set_persons(6);
  sub->set_organisations(2);
  auto* w = d.add_themes();
  w->set_code("werk");
  w->set_label_nl("Werk");
  w->set_signals(20);
  w->set_persons(20);
  w->set_organisations(2);
  return d;
}

TEST(OpenShare, ThePercentageNeverSaysNoneOrAllWrongly) {
  auto share = [](uint32_t open, uint32_t dealt_with) {
    return OpenShareOf(TwoThemes(open, dealt_with, false).themes(0));
  };
  EXPECT_EQ(share(1, 399).percent, 1) << "some are open: not 0%";
  EXPECT_EQ(share(399, 1).percent, 99) << "some were dealt with: not 100%";
  EXPECT_EQ(share(0, 10).percent, 0);
  EXPECT_EQ(share(10, 0).percent, 100);
  EXPECT_EQ(share(7, 13).percent, 35);
  EXPECT_EQ(share(1, 2).percent, 33);
  EXPECT_EQ(share(1, 1).percent, 50);
  EXPECT_EQ(OpenShareOf(TwoThemes(7, 13, true).themes(0)).kind, OpenShare::kWithheld);
  EXPECT_EQ(OpenShareOf(TwoThemes(7, 13, false).themes(1)).kind, OpenShare::kUnknown);
}

TEST(OpenShare, EveryFormatShowsTheShareOnlyWherePartnersSendStatuses) {
  const wire::Digest d = TwoThemes(7, 13, false);
  const std::string html = DigestToHtml(d);
  EXPECT_NE(html.find(">Nog open</th>"), std::string::npos);
  EXPECT_NE(html.find("<td class=\"n open\">35%</td>"), std::string::npos) << html;
  EXPECT_NE(html.find("id=\"open-note\""), std::string::npos);
  EXPECT_NE(DigestToHtml(d, "en").find(">Still open</th>"), std::string::npos);
  const std::string md = DigestToMarkdown(d);
  EXPECT_NE(md.find("| Nog open |"), std::string::npos) << md;
  EXPECT_NE(md.find("| **Schulden** | 20 | 20 | 3 | 35% |"), std::string::npos) << md;
  EXPECT_NE(md.find("| **Werk** | 20 | 20 | 2 | – |"), std::string::npos) << md;
  const auto j = DigestToJson(d);
  EXPECT_EQ(j["themes"][0]["open"], 7);
  EXPECT_EQ(j["themes"][0]["dealt_with"], 13);
  EXPECT_DOUBLE_EQ(j["themes"][0]["open_share"].get<double>(), 0.35);
  EXPECT_TRUE(j["themes"][1]["open_share"].is_null());
  EXPECT_FALSE(j["themes"][1]["open_suppressed"].get<bool>());
  const std::string csv = DigestToCsv(d);
  EXPECT_NE(csv.find(";open;dealt_with;open_share_pct\r\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find(";7;13;35\r\n"), std::string::npos) << csv;

  const wire::Digest withheld = TwoThemes(7, 13, true);
  EXPECT_TRUE(DigestToJson(withheld)["themes"][0]["open_suppressed"].get<bool>());
  EXPECT_TRUE(DigestToJson(withheld)["themes"][0]["open"].is_null());
  EXPECT_NE(DigestToHtml(withheld).find("niet getoond ter bescherming van de privacy\">–</abbr>"), std::string::npos);

  // A network whose partners send no statuses: no column, no note.
  wire::Digest none = TwoThemes(7, 13, false);
  none.mutable_themes(0)->clear_open();
  none.mutable_themes(0)->clear_dealt_with();
  EXPECT_FALSE(ShowsOpenShare(none));
  EXPECT_EQ(DigestToHtml(none).find("Nog open"), std::string::npos);
  EXPECT_EQ(DigestToMarkdown(none).find("Nog open"), std::string::npos);
}

}  // namespace
}  // namespace signaal::broker
