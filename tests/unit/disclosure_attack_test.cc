// The attacker's test of the cell-key method (issue 14, points 6 and 7).
//
// Generated partner tables — three to five organisations in Zuid-Limburg,
// mostly small counts, a random record key per signal summed per cell as
// nodes send them — are released as campaigns of digests built by the real
// DigestBuilder, with full context, as subscribers fetch them: a season of
// twelve weekly digests for the region, each sub-region and each
// municipality, plus months, a quarter, a half-year and the year for the
// region and sub-regions, in random order, with late signals and an erasure
// arriving between fetches. The interval attacker (attack/, GLPK, no broker
// code) holds every number and bounds every cell with 1..k−1 signals.
//
// Asserted: no such cell is determined exactly in any campaign; the same
// campaigns without noise (the identity p-table) do give cells away; the
// noise costs little (mean absolute deviation ≤ 1, none above D, the
// rising/new rule's hit rate within 5 points of exact numbers).
//
// SIGNAAL_ATTACK_SCENARIOS sets the number of campaigns (default 2); the
// p-table is the shipped default unless SIGNAAL_ATTACK_D / SIGNAAL_ATTACK_V
// say otherwise.
// SIGNAAL_FRONTIER=1 also runs the campaigns for a grid of D and V and prints
// the frontier (docs/PRIVACY.md).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <map>
#include <random>
#include <sstream>

#include "digest_builder.h"
#include "disclosure_policy.h"
#include "interval_attacker.h"
#include "signaal/config.h"
#include "signaal/period.h"
#include "signaal/ptable.h"
#include "trend.h"
#include "theme_table.h"
#include "unit_support.h"

namespace signaal::broker {
namespace {

using attack::Cell;

constexpr uint32_t kK = 5;

const ReferenceData& Ref() { return test::SourceReferenceData(); }

double SecondsSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// Half-years and years where ParsePeriod knows them, else the same ISO weeks
// as a range (2026 begins on a Thursday: its W01 is the year's first week and
// it has 53).
std::string PeriodOr(const std::string& named, const std::string& weeks) {
  return ParsePeriod(named).ok() ? named : weeks;
}

// ---------------------------------------------------------------------------
// Partner tables: per organisation and week the signals of each cell, each
// signal with its record key, so a late signal or an erasure changes the key
// sum as a node's would.

struct CellKey {
  std::string municipality, theme, subtheme;
  auto operator<=>(const CellKey&) const = default;
};

class Partners {
 public:
  Partners(std::mt19937& rng, const std::vector<std::string>& weeks) : rng_(rng) {
    const auto& zl = Ref().FindRegion("zuid-limburg")->municipalities;
    std::vector<const Theme*> themes = Ref().TopThemes();
    std::shuffle(themes.begin(), themes.end(), rng_);
    themes.resize(Pick(4, 8));
    const int organisations = static_cast<int>(Pick(3, 5));
    const int density = static_cast<int>(Pick(2, 4));
    for (int o = 0; o < organisations; ++o) {
      std::vector<std::string> home{o % 2 ? "GM0917" : zl[Pick(0, zl.size() - 1)]};
      for (size_t extra = Pick(0, 2); extra > 0; --extra) home.push_back(zl[Pick(0, zl.size() - 1)]);
      for (const auto& week : weeks) {
        auto& cells = table_[{o, week}];
        for (int c = static_cast<int>(Pick(0, density)); c > 0; --c) {
          const Theme* theme = themes[Pick(0, themes.size() - 1)];
          auto subs = Ref().SubthemesOf(theme->code);
          std::string sub = subs.empty() || Pick(0, 4) == 0 ? "" : subs[Pick(0, subs.size() - 1)]->code;
          uint32_t signals = Pick(0, 4) == 0 ? static_cast<uint32_t>(Pick(5, 12)) : static_cast<uint32_t>(Pick(1, 3));
          auto& keys = cells[{home[Pick(0, home.size() - 1)], theme->code, sub}];
          for (uint32_t s = 0; s < signals; ++s) keys.push_back(static_cast<uint32_t>(rng_()));
        }
      }
    }
  }

  void PutAll(ThemeTable& table) {
    for (const auto& [key, cells] : table_) table.Put(Snapshot(key.first, key.second));
  }

  // A newer snapshot of an earlier week of one partner with a few more signals.
  void LateSignals(const std::string& week, ThemeTable& table) {
    int o = static_cast<int>(Pick(0, Organisations() - 1));
    auto& cells = table_[{o, week}];
    for (int i = static_cast<int>(Pick(1, 3)); i > 0; --i) {
      CellKey at = cells.empty() ? CellKey{"GM0917", "wonen", ""}
                                 : std::next(cells.begin(), Pick(0, cells.size() - 1))->first;
      cells[at].push_back(static_cast<uint32_t>(rng_()));
    }
    table.Put(Snapshot(o, week));
  }

  // A newer snapshot of one partner's week with a signal erased.
  void Erasure(const std::string& week, ThemeTable& table) {
    for (int o = 0; o < Organisations(); ++o) {
      auto& cells = table_[{o, week}];
      if (cells.empty()) continue;
      auto it = std::next(cells.begin(), Pick(0, cells.size() - 1));
      it->second.erase(it->second.begin() + Pick(0, it->second.size() - 1));
      if (it->second.empty()) cells.erase(it);
      table.Put(Snapshot(o, week));
      return;
    }
  }

 private:
  size_t Pick(size_t lo, size_t hi) { return std::uniform_int_distribution<size_t>(lo, hi)(rng_); }
  int Organisations() const { return table_.empty() ? 0 : std::prev(table_.end())->first.first + 1; }

  wire::SummarySnapshot Snapshot(int o, const std::string& week) {
    wire::SummarySnapshot snap;
    snap.set_node_id("org" + std::to_string(o));
    snap.set_period(week);
    snap.set_version(++version_);
    snap.set_taxonomy_version(Ref().taxonomy_version());
    for (const auto& [at, keys] : table_[{o, week}]) {
      auto* c = snap.add_cells();
      c->set_municipality(at.municipality);
      c->set_theme(at.theme);
      c->set_subtheme(at.subtheme);
      c->set_signals(static_cast<uint32_t>(keys.size()));
      // Every signal a person of its own: the mark then hides only a small
      // count, which the attacker may assume (AttackParameters::mark_bounded).
      c->set_persons(static_cast<uint32_t>(keys.size()));
      uint32_t sum = 0;
      for (uint32_t k : keys) sum += k;
      c->set_key_sum(sum);
    }
    return snap;
  }

  std::mt19937& rng_;
  std::map<std::pair<int, std::string>, std::map<CellKey, std::vector<uint32_t>>> table_;
  uint64_t version_ = 0;
};

// ---------------------------------------------------------------------------
// A campaign: the fetches, built by the real broker with and without noise
// from the same table as it changes, and the truth behind every cell.

struct Deviation {
  uint64_t cells = 0, max = 0;
  double sum = 0;
  double Mean() const { return cells ? sum / static_cast<double>(cells) : 0; }
  void Add(const Deviation& o) {
    cells += o.cells;
    sum += o.sum;
    max = std::max(max, o.max);
  }
};

struct Released {
  std::vector<wire::Digest> digests;
  Deviation deviation;  // of every shown number from its truth when published
  // The true count of every cell when its newest number was published: what
  // that number is about (the attacker, too, reads each cell's newest).
  std::map<Cell, uint64_t> truth;
};

struct Campaign {
  Released noisy, exact;
};

void RecordTruth(const ThemeTable& table, const wire::Digest& d, std::map<Cell, uint64_t>& truth) {
  TotalsByCode totals = table.Aggregate(d.region(), PeriodRange{"", d.from_week(), d.to_week()}.Weeks());
  auto note = [&](const std::string& code) {
    auto it = totals.find(code);
    truth[{d.region(), d.from_week(), d.to_week(), code}] = it == totals.end() ? 0 : it->second.signals;
  };
  note("");
  for (const Theme* theme : Ref().TopThemes()) {
    note(theme->code);
    if (d.themes_only()) continue;
    for (const Theme* sub : Ref().SubthemesOf(theme->code)) note(sub->code);
  }
  for (const auto& part : d.weeks()) RecordTruth(table, part, truth);
  if (d.has_previous()) RecordTruth(table, d.previous(), truth);
  for (const auto& part : d.municipalities()) RecordTruth(table, part, truth);
}

void Deviations(const wire::Digest& d, const std::map<Cell, uint64_t>& truth, Deviation& out) {
  auto shown = [&](const wire::DigestCell& c) {
    if (c.suppressed() || c.signals() == 0) return;
    uint64_t t = truth.at({d.region(), d.from_week(), d.to_week(), c.code()});
    uint64_t dev = c.signals() > t ? c.signals() - t : t - c.signals();
    ++out.cells;
    out.sum += static_cast<double>(dev);
    out.max = std::max(out.max, dev);
  };
  shown(d.total());
  for (const auto& theme : d.themes()) {
    shown(theme);
    for (const auto& sub : theme.subthemes()) shown(sub);
  }
  for (const auto& part : d.weeks()) Deviations(part, truth, out);
  if (d.has_previous()) Deviations(d.previous(), truth, out);
  for (const auto& part : d.municipalities()) Deviations(part, truth, out);
}

Campaign RunCampaign(unsigned seed, const PTable& ptable) {
  std::mt19937 rng(seed);
  std::vector<std::string> weeks;
  for (std::string w = "2025-W40"; w <= "2026-W53"; w = AddWeeks(w, 1)) weeks.push_back(w);
  Partners partners(rng, weeks);
  ThemeTable table(Ref());
  partners.PutAll(table);

  // min_organisations 1: the mark then hides only small counts, its sharpest
  // reading for the attacker (the broker's default of 2 only hides more).
  DisclosurePolicy noisy(kK, 1, ptable), exact(kK, 1, *PTable::Make(0, 0));
  DigestBuilder noisy_builder(Ref(), table, noisy), exact_builder(Ref(), table, exact);

  std::vector<std::pair<std::string, std::string>> fetches;
  std::vector<std::string> areas{"zuid-limburg", "parkstad", "maastricht-heuvelland", "westelijke-mijnstreek"};
  const std::vector<std::string> long_areas = areas;
  for (const auto& gm : Ref().FindRegion("zuid-limburg")->municipalities) areas.push_back(gm);
  const std::string first = "2026-W" + std::to_string(14 + static_cast<int>(rng() % 10));
  for (const auto& area : areas) {
    for (int w = 0; w < 12; ++w) fetches.push_back({area, AddWeeks(first, w)});
  }
  for (const auto& area : long_areas) {
    for (const std::string period : {"2026-04", "2026-05", "2026-06", "2026-Q2"}) fetches.push_back({area, period});
    fetches.push_back({area, PeriodOr("2026-H1", "2026-W01..2026-W26")});
    fetches.push_back({area, PeriodOr("2026", "2026-W01..2026-W53")});
  }
  std::shuffle(fetches.begin(), fetches.end(), rng);
  // Between fetches: late signals for a week of the season, an erasure in
  // another, each somewhere in the middle of the campaign.
  const size_t late_at = fetches.size() / 4 + rng() % (fetches.size() / 2);
  const size_t erase_at = fetches.size() / 4 + rng() % (fetches.size() / 2);

  Campaign c;
  for (size_t i = 0; i < fetches.size(); ++i) {
    if (i == late_at) partners.LateSignals(AddWeeks(first, static_cast<int>(rng() % 12)), table);
    if (i == erase_at) partners.Erasure(AddWeeks(first, static_cast<int>(rng() % 12)), table);
    const auto& [region, period] = fetches[i];
    for (auto* r : {&c.noisy, &c.exact}) {
      const DigestBuilder& builder = r == &c.noisy ? noisy_builder : exact_builder;
      auto d = builder.Build(region, period, 1000 + static_cast<int64_t>(i), DigestBuilder::Context::kFull);
      EXPECT_TRUE(d.ok()) << region << " " << period << ": " << d.status().message();
      if (!d.ok()) continue;
      std::map<Cell, uint64_t> truth;
      RecordTruth(table, *d, truth);
      Deviations(*d, truth, r->deviation);
      for (auto& [cell, t] : truth) r->truth[cell] = t;
      r->digests.push_back(std::move(*d));
    }
  }
  return c;
}

attack::AttackSummary Attack(const Released& r, uint32_t max_deviation, bool print_pins) {
  attack::AttackParameters params{.k = kK, .max_deviation = max_deviation};
  // How far each target's programme reaches (AttackParameters::neighbourhood).
  if (const char* env = std::getenv("SIGNAAL_ATTACK_NEIGHBOURHOOD")) {
    params.neighbourhood = static_cast<uint32_t>(std::atoi(env));
  }
  attack::IntervalAttacker attacker(Ref(), params);
  for (const auto& d : r.digests) EXPECT_TRUE(attacker.Add(d).ok());
  auto report = attacker.Attack([&](const Cell& cell) -> std::optional<uint64_t> {
    auto it = r.truth.find(cell);
    if (it == r.truth.end()) return std::nullopt;
    return it->second;
  });
  EXPECT_TRUE(report.ok()) << report.status().message();
  if (!report.ok()) return {};
  for (const auto& t : report->targets) {
    if (print_pins && t.possible() == 1 && t.contains_truth()) {
      std::cout << "    pinned: " << t.cell.ToString() << " = " << t.lo << "\n";
    }
  }
  return report->summary;
}

// ---------------------------------------------------------------------------
// Utility: how far published numbers stray, and what the noise does to the
// rising/new rule.

// Share of constructed series with a planted rise that the rule flags rising
// or new: twelve baseline weeks of Poisson(rate), then Poisson(rate × factor);
// each week a cell of new records, so a key of its own. The same series
// released exactly and through the p-table.
struct HitRates {
  double exact = 0, noisy = 0;
};
HitRates TrendHits(const PTable& ptable, double rate, double factor, int runs, unsigned seed) {
  std::mt19937 rng(seed);
  auto release = [&](uint32_t v, const PTable* p) -> std::optional<uint32_t> {
    uint32_t key = static_cast<uint32_t>(rng());
    uint32_t shown = p ? static_cast<uint32_t>(p->Perturb(v, key)) : v;
    if (shown > 0 && shown < kK) return std::nullopt;
    return shown;
  };
  int hits[2] = {0, 0};
  for (int i = 0; i < runs; ++i) {
    std::poisson_distribution<uint32_t> base(rate), now(rate * factor);
    std::vector<uint32_t> series;
    for (int w = 0; w < 13; ++w) series.push_back(w < 12 ? base(rng) : now(rng));
    for (int noisy = 0; noisy < 2; ++noisy) {
      TrendInput in;
      in.k = kK;
      for (int w = 0; w < 12; ++w) in.baseline.push_back(release(series[w], noisy ? &ptable : nullptr));
      in.current = release(series[12], noisy ? &ptable : nullptr);
      TrendFlag f = JudgeTrend(in).flag;
      hits[noisy] += f == TrendFlag::kRising || f == TrendFlag::kEmerging;
    }
  }
  return {100.0 * hits[0] / runs, 100.0 * hits[1] / runs};
}

// The largest difference, in percentage points, over the constructed series
// of trend_test.cc: a doubling from 20 a week, a tripling from 4 (mostly hidden).
double TrendHitDifference(const PTable& ptable, bool print) {
  HitRates doubling = TrendHits(ptable, 20, 2.0, 2000, 7), tripling = TrendHits(ptable, 4, 3.0, 2000, 8);
  if (print) {
    std::cout << "  trend rule hit rate, exact -> perturbed: 20->40 " << doubling.exact << " % -> " << doubling.noisy
              << " %, 4->12 " << tripling.exact << " % -> " << tripling.noisy << " %\n";
  }
  return std::max(std::abs(doubling.noisy - doubling.exact), std::abs(tripling.noisy - tripling.exact));
}

int Scenarios() {
  const char* env = std::getenv("SIGNAAL_ATTACK_SCENARIOS");
  return env ? std::max(1, std::atoi(env)) : 2;
}

std::string Line(const attack::AttackSummary& s) {
  std::ostringstream out;
  out << s.digests << " digests (" << s.digests_used << " used), " << s.numbers << " numbers, " << s.cells_attacked
      << " cells attacked, " << s.narrowed_below_k << " narrowed below k, " << s.exact << " exact, narrowest "
      << (s.narrowest == UINT64_MAX ? std::string("-") : std::to_string(s.narrowest)) << ", " << s.misled
      << " misled, " << s.limited << " limited; " << s.variables << " variables, " << s.constraints
      << " constraints, " << s.lp_solves << " LP + " << s.mip_solves << " MIP solves, " << std::fixed
      << std::setprecision(1) << s.seconds << " s";
  return out.str();
}

// What ships (broker.toml's defaults), unless SIGNAAL_ATTACK_D and
// SIGNAAL_ATTACK_V ask for another p-table.
uint32_t MaxDeviation() {
  const char* env = std::getenv("SIGNAAL_ATTACK_D");
  return static_cast<uint32_t>(env ? std::atoi(env) : kDefaultMaxDeviation);
}
double Variance() {
  const char* env = std::getenv("SIGNAAL_ATTACK_V");
  return env ? std::atof(env) : kDefaultVariance;
}

TEST(DisclosureAttack, NoCellBelowKIsDeterminedExactly) {
  const uint32_t d_max = MaxDeviation();
  const double variance = Variance();
  auto ptable = PTable::Make(d_max, variance);
  ASSERT_TRUE(ptable.ok()) << ptable.status().message();
  uint32_t pinned_without_noise = 0;
  Deviation dev;
  for (int seed = 1; seed <= Scenarios(); ++seed) {
    auto started = std::chrono::steady_clock::now();
    const bool failed_before = HasFailure();
    Campaign c = RunCampaign(static_cast<unsigned>(seed), *ptable);
    double build = SecondsSince(started);
    if (HasFailure() && !failed_before) return;  // a digest could not be built
    dev.Add(c.noisy.deviation);
    std::cout << "campaign " << seed << " (built in " << std::fixed << std::setprecision(1) << build << " s)\n";
    attack::AttackSummary noisy = Attack(c.noisy, d_max, true);
    std::cout << "  D=" << d_max << " V=" << variance << ": " << Line(noisy) << "\n" << std::flush;
    attack::AttackSummary exact = Attack(c.exact, 0, false);
    std::cout << "  no noise: " << Line(exact) << "\n" << std::flush;
    // How pins arise: a small count published as 0 (not listed) says [0, D],
    // and as many of its parts showing the mark say at least 1 each
    // (interval_attacker_test.cc). SIGNAAL_FRONTIER=1 shows which D and V
    // avoid it.
    EXPECT_EQ(noisy.exact, 0u) << "campaign " << seed << ": a cell with 1..k-1 signals is determined exactly at D="
                               << d_max << ", V=" << variance;
    EXPECT_GT(noisy.cells_attacked, 50u) << "too few cells attacked to mean anything";
    pinned_without_noise += exact.exact;
  }
  EXPECT_GT(pinned_without_noise, 0u) << "without noise the attacker should pin cells";
  const double trend = TrendHitDifference(*ptable, true);
  std::cout << "  published cells: " << dev.cells << ", mean absolute deviation " << std::setprecision(3)
            << dev.Mean() << ", largest " << dev.max << "\n";
  EXPECT_LE(dev.Mean(), 1.0);
  EXPECT_LE(dev.max, d_max);
  EXPECT_LE(trend, 5.0);
}

// The frontier: exact pins, share narrowed below k, tightest width and
// utility for a grid of D and V (SIGNAAL_FRONTIER=1; minutes).
TEST(DisclosureAttack, Frontier) {
  if (!std::getenv("SIGNAAL_FRONTIER")) GTEST_SKIP() << "SIGNAAL_FRONTIER=1 runs it";
  std::cout << "| D | V | campaigns | cells attacked | exact pins | narrowed below k | tightest (values) | "
               "mean abs. deviation | largest deviation | trend hit-rate diff (points) |\n"
            << "|---|---|---|---|---|---|---|---|---|---|\n";
  for (uint32_t d_max : {1u, 2u, 3u, 4u}) {
    for (double variance : {0.5, 1.0, 1.5, 2.0, 3.0}) {
      if (variance >= d_max) continue;
      auto ptable = PTable::Make(d_max, variance);
      if (!ptable.ok()) {
        std::cout << "| " << d_max << " | " << variance << " | " << ptable.status().message() << " |\n";
        continue;
      }
      attack::AttackSummary all;
      Deviation dev;
      for (int seed = 1; seed <= Scenarios(); ++seed) {
        Campaign c = RunCampaign(static_cast<unsigned>(seed), *ptable);
        dev.Add(c.noisy.deviation);
        attack::AttackSummary s = Attack(c.noisy, d_max, false);
        all.cells_attacked += s.cells_attacked;
        all.exact += s.exact;
        all.narrowed_below_k += s.narrowed_below_k;
        all.narrowest = std::min(all.narrowest, s.narrowest);
      }
      std::cout << std::fixed << "| " << d_max << " | " << std::setprecision(1) << variance << " | " << Scenarios()
                << " | " << all.cells_attacked << " | " << all.exact << " | " << std::setprecision(1)
                << 100.0 * all.narrowed_below_k / std::max(1u, all.cells_attacked) << " % | "
                << (all.narrowest == UINT64_MAX ? std::string("-") : std::to_string(all.narrowest)) << " | "
                << std::setprecision(2) << dev.Mean() << " | " << dev.max << " | " << std::setprecision(1)
                << TrendHitDifference(*ptable, false) << " |\n"
                << std::flush;
    }
  }
}

}  // namespace
}  // namespace signaal::broker
