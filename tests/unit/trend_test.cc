// The rising / emerging / falling rule on constructed series: known Poisson
// tails, hand-made cases at the edges, and simulated series whose truth is
// known, to measure how often the rule is right (printed; bounds asserted).
#include <gtest/gtest.h>

#include <iostream>
#include <random>

#include "trend.h"

namespace signaal {
namespace {

std::vector<std::optional<uint32_t>> Weeks(std::initializer_list<int> values) {
  std::vector<std::optional<uint32_t>> out;
  for (int v : values) out.push_back(v < 0 ? std::nullopt : std::optional<uint32_t>(static_cast<uint32_t>(v)));
  return out;
}

TEST(Trend, PoissonTailsMatchKnownValues) {
  EXPECT_NEAR(PoissonUpperTail(10, 3.0), 0.0011025, 1e-6);
  EXPECT_NEAR(PoissonLowerTail(0, 5.0), std::exp(-5.0), 1e-12);
  EXPECT_NEAR(PoissonLowerTail(2, 1.0), 0.9196986, 1e-6);
  EXPECT_NEAR(PoissonUpperTail(3, 1.0), 1 - 0.9196986, 1e-6);
  EXPECT_DOUBLE_EQ(PoissonUpperTail(0, 7.0), 1.0);
  EXPECT_LT(PoissonUpperTail(400, 100.0), 1e-60);  // far tail: small, not 0 − rounding
  EXPECT_GT(PoissonUpperTail(400, 100.0), 0.0);
}

TEST(Trend, HandMadeSeries) {
  // A steady theme does not move; a doubling does.
  EXPECT_EQ(JudgeTrend({Weeks({20, 22, 19, 21, 20, 18, 23, 20, 21, 19, 20, 22}), 21, 1, 5}).flag, TrendFlag::kNone);
  EXPECT_EQ(JudgeTrend({Weeks({20, 22, 19, 21, 20, 18, 23, 20, 21, 19, 20, 22}), 45, 1, 5}).flag, TrendFlag::kRising);
  // Hidden weeks count at k − 1 for a rise: 12 hidden weeks then 8 is not enough (P ≈ 0.05) ...
  EXPECT_EQ(JudgeTrend({Weeks({-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1}), 8, 1, 5}).flag, TrendFlag::kNone);
  // ... 15 is: never shown before, so it is new.
  EXPECT_EQ(JudgeTrend({Weeks({-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1}), 15, 1, 5}).flag,
            TrendFlag::kEmerging);
  EXPECT_EQ(JudgeTrend({Weeks({0, 0, 0, 0, 0, 0, 0, 0}), 9, 1, 5}).flag, TrendFlag::kEmerging);
  // A period of four weeks is compared with four weeks' worth of baseline.
  EXPECT_EQ(JudgeTrend({Weeks({10, 10, 10, 10, 10, 10, 10, 10}), 44, 4, 5}).flag, TrendFlag::kNone);
  EXPECT_EQ(JudgeTrend({Weeks({10, 10, 10, 10, 10, 10, 10, 10}), 70, 4, 5}).flag, TrendFlag::kRising);
  // Falling: a theme of 30 a week that drops below k.
  EXPECT_EQ(JudgeTrend({Weeks({30, 28, 31, 29, 30, 32}), std::nullopt, 1, 5}).flag, TrendFlag::kFalling);
  EXPECT_EQ(JudgeTrend({Weeks({30, 28, 31, 29, 30, 32}), 25, 1, 5}).flag, TrendFlag::kNone);
  // A suppressed current value is never "rising".
  EXPECT_EQ(JudgeTrend({Weeks({0, 0, 0, 0, 0, 0}), std::nullopt, 1, 5}).flag, TrendFlag::kNone);
  // Too little history says so rather than guessing.
  EXPECT_EQ(JudgeTrend({Weeks({5, 6, 7}), 40, 1, 5}).flag, TrendFlag::kTooLittleHistory);
}

// Simulated series: 12 baseline weeks of Poisson(rate), then a current week
// of Poisson(rate × factor); released as the digest would (below k hidden).
struct Rates {
  int flagged = 0, runs = 0;
  double Share() const { return runs ? static_cast<double>(flagged) / runs : 0; }
};

Rates Simulate(double rate, double factor, TrendFlag want, int runs, std::mt19937& rng) {
  const uint32_t k = 5;
  auto release = [&](uint32_t v) { return v < k ? std::nullopt : std::optional<uint32_t>(v); };
  Rates r;
  for (int i = 0; i < runs; ++i) {
    std::poisson_distribution<uint32_t> base(rate), now(rate * factor);
    TrendInput in;
    in.k = k;
    for (int w = 0; w < 12; ++w) in.baseline.push_back(release(base(rng)));
    in.current = release(now(rng));
    auto flag = JudgeTrend(in).flag;
    bool hit = want == TrendFlag::kRising ? (flag == TrendFlag::kRising || flag == TrendFlag::kEmerging) : flag == want;
    r.flagged += hit;
    ++r.runs;
  }
  return r;
}

TEST(Trend, SimulatedSeriesHitsAndFalseAlarms) {
  std::mt19937 rng(2026);
  const int runs = 2000;
  auto steady = Simulate(20, 1.0, TrendFlag::kRising, runs, rng);
  auto steady_small = Simulate(4, 1.0, TrendFlag::kRising, runs, rng);
  auto doubled = Simulate(20, 2.0, TrendFlag::kRising, runs, rng);
  auto tripled_small = Simulate(4, 3.0, TrendFlag::kRising, runs, rng);
  auto halved = Simulate(20, 0.5, TrendFlag::kRising, runs, rng);
  auto collapse = Simulate(30, 0.1, TrendFlag::kFalling, runs, rng);
  auto steady_falling = Simulate(30, 1.0, TrendFlag::kFalling, runs, rng);
  std::cout << "trend rule on " << runs << " simulated series each:\n"
            << "  steady 20/week, flagged rising (false alarm): " << steady.Share() * 100 << " %\n"
            << "  steady 4/week (mostly hidden), false alarm:  " << steady_small.Share() * 100 << " %\n"
            << "  20 -> 40 (doubling), flagged rising (hit):    " << doubled.Share() * 100 << " %\n"
            << "  4 -> 12 (tripling, from hidden), hit:         " << tripled_small.Share() * 100 << " %\n"
            << "  20 -> 10, flagged rising (false alarm):        " << halved.Share() * 100 << " %\n"
            << "  30 -> 3 (collapse), flagged falling (hit):     " << collapse.Share() * 100 << " %\n"
            << "  steady 30/week, flagged falling (false alarm): " << steady_falling.Share() * 100 << " %\n";
  EXPECT_LT(steady.Share(), 0.02);
  EXPECT_LT(steady_small.Share(), 0.02);
  EXPECT_LT(halved.Share(), 0.001);
  EXPECT_LT(steady_falling.Share(), 0.02);
  EXPECT_GT(doubled.Share(), 0.6);
  EXPECT_GT(collapse.Share(), 0.9);
  EXPECT_GT(tripled_small.Share(), 0.3);
}

}  // namespace
}  // namespace signaal
