// TrendRule: whether a theme is rising, newly emerging or falling, judged
// from released numbers only — a digest's weekly series where a suppressed
// week is known only to lie between 0 and k − 1. Because it reads nothing
// the digest does not show, the flag itself can give nothing away.
//
// The rule (docs/DIGESTS.md, "Rising and emerging"):
//   baseline  the weeks before the period, at least kMinBaselineWeeks of them
//   expected  mu = (baseline sum / baseline weeks) × period weeks, with each
//             suppressed baseline week counted at its upper bound k − 1 for
//             "rising" (so a hidden week can only make a rise harder to
//             claim) and at 0 for "falling"
//   rising    the period's count x is shown, x ≥ 1.5·mu, and a one-sided
//             Poisson test P(X ≥ x | mu) < alpha (0.01)
//   emerging  rising, and no baseline week was shown (every one hidden or 0)
//   falling   P(X ≤ x | mu_low) < alpha and x ≤ mu_low / 1.5, x counted at
//             its upper bound when suppressed
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace signaal {

enum class TrendFlag { kNone, kRising, kEmerging, kFalling, kTooLittleHistory };

// "stijgend" / "rising", ... ; "" for kNone.
std::string TrendFlagName(TrendFlag flag, const std::string& lang);

struct TrendInput {
  // One entry per baseline week, oldest first; nullopt = suppressed.
  std::vector<std::optional<uint32_t>> baseline;
  std::optional<uint32_t> current;  // the period's count; nullopt = suppressed
  uint32_t period_weeks = 1;
  uint32_t k = 5;
};

struct TrendJudgement {
  TrendFlag flag = TrendFlag::kNone;
  double expected = 0;  // mu: what the baseline predicts for the period
  double p_value = 1;   // of the test that decided the flag (1 when none)
};

constexpr int kMinBaselineWeeks = 4;
constexpr double kTrendAlpha = 0.01;

TrendJudgement JudgeTrend(const TrendInput& in);

// P(X >= x) and P(X <= x) for X ~ Poisson(mu), accurate in the tails.
double PoissonUpperTail(uint32_t x, double mu);
double PoissonLowerTail(uint32_t x, double mu);

}  // namespace signaal
