// The interval attacker on hand-made digests whose truth is known: without
// noise a region and its parts pin a hidden cell; with noise of ±D the same
// numbers do not. Links no broker code (attack/ stands outside the broker).
#include <gtest/gtest.h>

#include <map>

#include "interval_attacker.h"
#include "signaal/reference_data.h"

namespace signaal::attack {
namespace {

const ReferenceData& Ref() {
  static ReferenceData ref = *ReferenceData::Load(SIGNAAL_SOURCE_DATA_DIR);
  return ref;
}

constexpr uint32_t kMark = UINT32_MAX;  // a suppressed cell

// A digest listing `cells` (code -> published value or kMark); every theme of
// a listed subtheme must be listed too.
wire::Digest MakeDigest(const std::string& region, const std::string& from, const std::string& to,
                        const std::map<std::string, uint32_t>& cells, bool themes_only = false) {
  wire::Digest d;
  d.set_region(region);
  d.set_period(from == to ? from : from + ".." + to);
  d.set_from_week(from);
  d.set_to_week(to);
  d.set_themes_only(themes_only);
  auto fill = [](wire::DigestCell& c, uint32_t v) {
    if (v == kMark) {
      c.set_suppressed(true);
    } else {
      c.set_signals(v);
    }
  };
  for (const auto& [code, v] : cells) {
    if (code.empty()) {
      fill(*d.mutable_total(), v);
    } else if (Ref().IsTopTheme(code)) {
      auto* c = d.add_themes();
      c->set_code(code);
      fill(*c, v);
    }
  }
  for (const auto& [code, v] : cells) {
    const Theme* t = Ref().FindTheme(code);
    if (code.empty() || !t || t->parent.empty()) continue;
    for (auto& theme : *d.mutable_themes()) {
      if (theme.code() != t->parent) continue;
      auto* c = theme.add_subthemes();
      c->set_code(code);
      fill(*c, v);
    }
  }
  return d;
}

// Parkstad in one week: 20 signals on income, 3 of them in Heerlen (hidden),
// 10 in Brunssum and 7 in Kerkrade; the breakdown lists themes only.
wire::Digest Parkstad() {
  wire::Digest d =
      MakeDigest("parkstad", "2026-W10", "2026-W10", {{"", 20}, {"inkomen", 20}, {"inkomen.bijstand", 20}});
  *d.add_municipalities() = MakeDigest("GM0917", "2026-W10", "2026-W10", {{"", kMark}, {"inkomen", kMark}}, true);
  *d.add_municipalities() = MakeDigest("GM0899", "2026-W10", "2026-W10", {{"", 10}, {"inkomen", 10}}, true);
  *d.add_municipalities() = MakeDigest("GM0928", "2026-W10", "2026-W10", {{"", 7}, {"inkomen", 7}}, true);
  // The other four heard nothing: their parts list no cells.
  for (const char* gm : {"GM1954", "GM0882", "GM0965", "GM0986"}) {
    *d.add_municipalities() = MakeDigest(gm, "2026-W10", "2026-W10", {}, true);
  }
  return d;
}

uint64_t Truth(const Cell& c) {
  if (c.from_week != "2026-W10" || c.to_week != "2026-W10") return 0;
  std::map<std::string, uint64_t> total{{"parkstad", 20}, {"GM0917", 3}, {"GM0899", 10}, {"GM0928", 7}};
  auto it = total.find(c.region);
  if (it == total.end()) return 0;
  if (c.code.empty() || c.code == "inkomen") return it->second;
  if (c.code == "inkomen.bijstand" && c.region == "parkstad") return 20;
  return 0;
}

const TargetBounds* Find(const AttackReport& r, const std::string& region, const std::string& code) {
  for (const auto& t : r.targets) {
    if (t.cell.region == region && t.cell.code == code) return &t;
  }
  return nullptr;
}

TEST(IntervalAttacker, WithoutNoiseARegionAndItsPartsPinAHiddenCell) {
  IntervalAttacker attacker(Ref(), {.k = 5, .max_deviation = 0});
  ASSERT_TRUE(attacker.Add(Parkstad()).ok());
  auto report = attacker.Attack([](const Cell& c) { return Truth(c); });
  ASSERT_TRUE(report.ok()) << report.status().message();
  const TargetBounds* heerlen = Find(*report, "GM0917", "");
  ASSERT_NE(heerlen, nullptr);
  EXPECT_EQ(heerlen->lo, 3u);
  EXPECT_EQ(heerlen->hi, 3u);
  EXPECT_EQ(report->summary.cells_attacked, 2u);  // Heerlen's total and its income
  EXPECT_EQ(report->summary.exact, 2u);
  EXPECT_EQ(report->summary.narrowest, 1u);
  EXPECT_EQ(report->summary.misled, 0u);
}

TEST(IntervalAttacker, WithNoiseTheSameNumbersLeaveSeveralValues) {
  IntervalAttacker attacker(Ref(), {.k = 5, .max_deviation = 2});
  ASSERT_TRUE(attacker.Add(Parkstad()).ok());
  auto report = attacker.Attack([](const Cell& c) { return Truth(c); });
  ASSERT_TRUE(report.ok()) << report.status().message();
  const TargetBounds* heerlen = Find(*report, "GM0917", "");
  ASSERT_NE(heerlen, nullptr);
  // Parkstad 20±2 less Brunssum 10±2, Kerkrade 7±2 and four unlisted [0, 2]:
  // from 1 (the mark: not zero) to 22 − 8 − 5 = 9, cut to k − 1 + D = 6.
  EXPECT_EQ(heerlen->lo, 1u);
  EXPECT_EQ(heerlen->hi, 6u);
  EXPECT_EQ(report->summary.exact, 0u);
  EXPECT_EQ(report->summary.narrowest, 6u);
}

TEST(IntervalAttacker, ASmallNeighbourhoodOnlyWidens) {
  // The neighbourhood is a relaxation of the whole programme: never narrower.
  for (uint32_t d_max : {0u, 2u}) {
    std::map<Cell, std::pair<uint64_t, uint64_t>> whole;
    for (uint32_t cap : {0u, 2u}) {
      IntervalAttacker attacker(Ref(), {.k = 5, .max_deviation = d_max, .neighbourhood = cap});
      ASSERT_TRUE(attacker.Add(Parkstad()).ok());
      auto report = attacker.Attack([](const Cell& c) { return Truth(c); });
      ASSERT_TRUE(report.ok()) << report.status().message();
      for (const auto& t : report->targets) {
        if (cap == 0) {
          whole[t.cell] = {t.lo, t.hi};
        } else {
          EXPECT_LE(t.lo, whole.at(t.cell).first) << t.cell.ToString();
          EXPECT_GE(t.hi, whole.at(t.cell).second) << t.cell.ToString();
        }
      }
    }
  }
}

TEST(IntervalAttacker, APartOfABreakdownSaysNothingOfSubthemes) {
  IntervalAttacker attacker(Ref(), {.k = 5, .max_deviation = 0});
  ASSERT_TRUE(attacker.Add(Parkstad()).ok());
  for (const Cell& c : attacker.Cells()) {
    if (c.region == "parkstad") continue;
    EXPECT_TRUE(c.code.empty() || Ref().IsTopTheme(c.code)) << c.ToString();
  }
  // Parkstad's own digest states every subtheme, unlisted ones as zeros.
  size_t parkstad = 0;
  for (const Cell& c : attacker.Cells()) parkstad += c.region == "parkstad";
  EXPECT_EQ(parkstad, Ref().themes().size() + 1);
}

TEST(IntervalAttacker, AMonthLessItsWeeksPinsTheWeekNotFetched) {
  // March 2026 (ISO weeks 10–14) holds 30 signals; four of its weeks are
  // fetched on their own, the fifth is not: without noise it is their
  // difference, with noise of ±1 it is not.
  auto month = MakeDigest("GM0917", "2026-W10", "2026-W14", {{"", 30}, {"wonen", 30}});
  std::vector<wire::Digest> weeks = {MakeDigest("GM0917", "2026-W10", "2026-W10", {{"", 8}, {"wonen", 8}}),
                                     MakeDigest("GM0917", "2026-W11", "2026-W11", {{"", 6}, {"wonen", 6}}),
                                     MakeDigest("GM0917", "2026-W12", "2026-W12", {{"", 5}, {"wonen", 5}}),
                                     MakeDigest("GM0917", "2026-W13", "2026-W13", {{"", 9}, {"wonen", 9}})};
  auto truth = [](const Cell& c) -> std::optional<uint64_t> {
    if (c.from_week == "2026-W14" && c.to_week == "2026-W14" && (c.code.empty() || c.code == "wonen")) return 2;
    return std::nullopt;
  };
  for (uint32_t d_max : {0u, 1u}) {
    IntervalAttacker attacker(Ref(), {.k = 5, .max_deviation = d_max});
    ASSERT_TRUE(attacker.Add(month).ok());
    for (const auto& w : weeks) ASSERT_TRUE(attacker.Add(w).ok());
    // The week itself, fetched too, hidden.
    ASSERT_TRUE(attacker.Add(MakeDigest("GM0917", "2026-W14", "2026-W14", {{"", kMark}, {"wonen", kMark}})).ok());
    auto report = attacker.Attack(truth);
    ASSERT_TRUE(report.ok()) << report.status().message();
    EXPECT_EQ(report->summary.cells_attacked, 2u);
    if (d_max == 0) {
      EXPECT_EQ(report->summary.exact, 2u);
    } else {
      // 30±1 less 28±4: from 1 (the mark) to 31 − 24 = 7, cut at k − 1 + 1 = 5.
      EXPECT_EQ(report->summary.exact, 0u);
      EXPECT_EQ(report->targets[0].lo, 1u);
      EXPECT_EQ(report->targets[0].hi, 5u);
    }
  }
}

TEST(IntervalAttacker, ACountPublishedAsZeroOverMarkedPartsGivesThemAway) {
  // Noise of ±2 may publish a true 2 as 0 (not listed): the month then says
  // [0, 2]. If two of its weeks show the mark (each at least 1), the month
  // is 2 and each of those weeks 1, whatever D allows elsewhere: the way the
  // attacker test's pins at D = 2 arise.
  IntervalAttacker attacker(Ref(), {.k = 5, .max_deviation = 2});
  ASSERT_TRUE(attacker.Add(MakeDigest("GM0917", "2026-W10", "2026-W14", {})).ok());
  ASSERT_TRUE(attacker.Add(MakeDigest("GM0917", "2026-W11", "2026-W11", {{"", kMark}, {"wonen", kMark}})).ok());
  ASSERT_TRUE(attacker.Add(MakeDigest("GM0917", "2026-W13", "2026-W13", {{"", kMark}, {"wonen", kMark}})).ok());
  auto report = attacker.Attack([](const Cell& c) -> std::optional<uint64_t> {
    if (c.code.empty() || c.code == "wonen") return c.from_week == c.to_week ? 1 : 2;
    return std::nullopt;
  });
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->summary.cells_attacked, 6u);  // the month's and two weeks' total and 'wonen'
  EXPECT_EQ(report->summary.exact, 6u);
}

TEST(IntervalAttacker, NumbersThatChangedAreReadFromTheNewestDigests) {
  // Heerlen's week said 7, then a late signal made it 8 and a newer digest
  // says so; Parkstad's week, fetched before, still says 7. Without noise the
  // two newest statements contradict each other, so Parkstad's is not used.
  IntervalAttacker attacker(Ref(), {.k = 5, .max_deviation = 0});
  ASSERT_TRUE(attacker.Add(MakeDigest("parkstad", "2026-W10", "2026-W10", {{"", 7}, {"wonen", 7}})).ok());
  ASSERT_TRUE(attacker.Add(MakeDigest("GM0917", "2026-W10", "2026-W10", {{"", 7}, {"wonen", 7}})).ok());
  ASSERT_TRUE(attacker.Add(MakeDigest("GM0917", "2026-W10", "2026-W10", {{"", 8}, {"wonen", 8}})).ok());
  auto report = attacker.Attack([](const Cell&) { return std::optional<uint64_t>(); });
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->summary.digests, 3u);
  EXPECT_EQ(report->summary.digests_used, 2u);
}

TEST(IntervalAttacker, AMarkThatMayHideOnePartnerSaysOnlyAtLeastOne) {
  IntervalAttacker attacker(Ref(), {.k = 5, .max_deviation = 0, .mark_bounded = false});
  ASSERT_TRUE(attacker.Add(MakeDigest("GM0917", "2026-W10", "2026-W10", {{"", kMark}, {"wonen", kMark}})).ok());
  auto report = attacker.Attack([](const Cell& c) -> std::optional<uint64_t> { return 3; });
  ASSERT_TRUE(report.ok()) << report.status().message();
  ASSERT_FALSE(report->targets.empty());
  for (const auto& t : report->targets) {
    if (t.cell.code.empty() || t.cell.code == "wonen") {
      EXPECT_EQ(t.hi, UINT64_MAX) << t.cell.ToString();
    }
  }
}

TEST(IntervalAttacker, RefusesADigestOfAnUnknownRegion) {
  IntervalAttacker attacker(Ref(), {});
  EXPECT_FALSE(attacker.Add(MakeDigest("atlantis", "2026-W10", "2026-W10", {{"", 5}})).ok());
  EXPECT_FALSE(attacker.Add(MakeDigest("GM0917", "2026-W99", "2026-W99", {{"", 5}})).ok());
}

}  // namespace
}  // namespace signaal::attack
