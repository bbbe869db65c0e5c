#include "trend.h"

#include <cmath>

namespace signaal {
namespace {

// log P(X = i) for X ~ Poisson(mu).
double LogPmf(uint32_t i, double mu) {
  if (mu <= 0) return i == 0 ? 0.0 : -INFINITY;
  return i * std::log(mu) - mu - std::lgamma(i + 1.0);
}

}  // namespace

double PoissonUpperTail(uint32_t x, double mu) {
  if (x == 0) return 1.0;
  if (mu <= 0) return 0.0;
  // 1 − P(X ≤ x − 1), summed from the side that is small to stay accurate.
  if (x > mu) {
    double sum = 0;
    for (uint32_t i = x; i < x + 10000; ++i) {
      double term = std::exp(LogPmf(i, mu));
      sum += term;
      if (i > mu && term < sum * 1e-16) break;
    }
    return std::min(1.0, sum);
  }
  return std::max(0.0, 1.0 - PoissonLowerTail(x - 1, mu));
}

double PoissonLowerTail(uint32_t x, double mu) {
  if (mu <= 0) return 1.0;
  double sum = 0;
  for (uint32_t i = 0; i <= x; ++i) sum += std::exp(LogPmf(i, mu));
  return std::min(1.0, sum);
}

TrendJudgement JudgeTrend(const TrendInput& in) {
  TrendJudgement j;
  if (in.baseline.size() < static_cast<size_t>(kMinBaselineWeeks) || in.period_weeks == 0) {
    j.flag = TrendFlag::kTooLittleHistory;
    return j;
  }
  const double hidden_high = in.k > 0 ? in.k - 1.0 : 0.0;
  double high = 0, low = 0;
  bool any_shown = false;
  for (const auto& w : in.baseline) {
    if (w) {
      high += *w;
      low += *w;
      any_shown = any_shown || *w > 0;
    } else {
      high += hidden_high;
    }
  }
  const double weeks = static_cast<double>(in.baseline.size());
  const double mu_high = high / weeks * in.period_weeks;
  const double mu_low = low / weeks * in.period_weeks;
  j.expected = mu_high;

  if (in.current) {
    double x = *in.current;
    // A theme never seen before is compared with a small floor, not with 0,
    // so one signal in an empty series is not "significant".
    double mu = std::max(mu_high, 0.5 * in.period_weeks);
    double p = PoissonUpperTail(*in.current, mu);
    if (x >= 1.5 * mu && p < kTrendAlpha) {
      j.flag = any_shown ? TrendFlag::kRising : TrendFlag::kEmerging;
      j.p_value = p;
      return j;
    }
  }
  // Falling: even the current's upper bound lies well below the lower baseline.
  uint32_t x_high = in.current ? *in.current : (in.k > 0 ? in.k - 1 : 0);
  if (mu_low > 0 && x_high <= mu_low / 1.5) {
    double p = PoissonLowerTail(x_high, mu_low);
    if (p < kTrendAlpha) {
      j.flag = TrendFlag::kFalling;
      j.expected = mu_low;
      j.p_value = p;
    }
  }
  return j;
}

std::string TrendFlagName(TrendFlag flag, const std::string& lang) {
  bool en = lang == "en";
  switch (flag) {
    case TrendFlag::kRising: return en ? "rising" : "stijgend";
    case TrendFlag::kEmerging: return en ? "new" : "nieuw";
    case TrendFlag::kFalling: return en ? "falling" : "dalend";
    case TrendFlag::kTooLittleHistory:
    case TrendFlag::kNone: return "";
  }
  return "";
}

}  // namespace signaal
