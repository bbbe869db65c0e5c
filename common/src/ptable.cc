#include "signaal/ptable.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <string>

namespace signaal {
namespace {

constexpr uint64_t kKeySpace = uint64_t{1} << 32;

std::string Number(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

// The maximum-entropy distribution on the integers lo..hi with mean 0 and
// second moment V: p(d) = exp(a*d + b*d^2) / Z. It minimises the convex dual
// G(a, b) = log Z(a, b) - b*V, whose gradient is (E[d], E[d^2] - V) and whose
// Hessian is the covariance of (d, d^2); Newton with a backtracking line
// search on G therefore converges from anywhere, quadratically near the end.
class MaxEntRow {
 public:
  MaxEntRow(int lo, int hi, double variance) : lo_(lo), hi_(hi), v_(variance) {}

  // False when Newton did not reach the moments (the caller checks them
  // anyway; this only stops a hopeless search).
  bool Solve() {
    // A symmetric support has a symmetric solution: a = 0, a 1-D search on b.
    const bool symmetric = lo_ == -hi_;
    double g1 = 1, g2 = 1;
    for (int iter = 0; iter < 200; ++iter) {
      Point m = At(a_, b_);
      g1 = symmetric ? 0 : m.m1;
      g2 = m.m2 - v_;
      if (std::abs(g1) < 1e-15 && std::abs(g2) < 1e-14) return true;
      double h11 = m.m2 - m.m1 * m.m1;
      double h12 = m.m3 - m.m1 * m.m2;
      double h22 = m.m4 - m.m2 * m.m2;
      double sa = 0, sb = 0;
      if (symmetric) {
        if (!(h22 > 0)) return false;
        sb = -g2 / h22;
      } else {
        double det = h11 * h22 - h12 * h12;
        if (!(det > 0)) return false;
        sa = -(h22 * g1 - h12 * g2) / det;
        sb = -(h11 * g2 - h12 * g1) / det;
      }
      // -slope is the Newton decrement squared: below 1e-12 the full step is
      // safe (quadratic convergence), and G changes by less than its own
      // rounding, so a line search there would be misled.
      double slope = g1 * sa + g2 * sb;
      double t = 1;
      if (-slope > 1e-12) {
        while (t > 1e-12 && At(a_ + t * sa, b_ + t * sb).dual > m.dual + 1e-4 * t * slope) t /= 2;
        if (t <= 1e-12) break;
      }
      a_ += t * sa;
      b_ += t * sb;
    }
    return std::abs(g1) < 1e-11 && std::abs(g2) < 1e-11;
  }

  std::vector<double> Probabilities() const { return At(a_, b_).p; }

 private:
  struct Point {
    std::vector<double> p;
    double m1 = 0, m2 = 0, m3 = 0, m4 = 0, dual = 0;
  };

  // Exponents are shifted by their maximum so that nothing overflows; the
  // shift comes back in log Z. Far tails may underflow to 0: Make refuses those.
  Point At(double a, double b) const {
    Point m;
    double top = -std::numeric_limits<double>::infinity();
    for (int d = lo_; d <= hi_; ++d) top = std::max(top, a * d + b * d * d);
    double z = 0;
    for (int d = lo_; d <= hi_; ++d) {
      m.p.push_back(std::exp(a * d + b * d * d - top));
      z += m.p.back();
    }
    for (int d = lo_; d <= hi_; ++d) {
      double& p = m.p[d - lo_];
      p /= z;
      m.m1 += p * d;
      m.m2 += p * d * d;
      m.m3 += p * d * d * d;
      m.m4 += p * d * d * d * d;
    }
    m.dual = top + std::log(z) - b * v_;
    return m;
  }

  int lo_, hi_;
  double v_;
  double a_ = 0, b_ = 0;  // from the uniform row on: G is convex, any start works
};

// The row of true count `value`: noise from max(-value, -D) to D.
Result<PTable::Row> MakeRow(uint32_t value, uint32_t max_deviation, double variance) {
  int d = static_cast<int>(max_deviation);
  int lo = -std::min(static_cast<int>(value), d);
  MaxEntRow solver(lo, d, variance);
  bool converged = solver.Solve();
  PTable::Row row;
  row.value = value;
  row.first = static_cast<uint32_t>(static_cast<int>(value) + lo);
  row.p = solver.Probabilities();

  double sum = 0, mean = 0, second = 0;
  bool positive = true;
  for (size_t j = 0; j < row.p.size(); ++j) {
    double noise = lo + static_cast<int>(j);
    sum += row.p[j];
    mean += row.p[j] * noise;
    second += row.p[j] * noise * noise;
    positive = positive && row.p[j] > 0;
  }
  const std::string what = "disclosure.variance " + Number(variance) + " cannot be met with disclosure.max_deviation " +
                           std::to_string(max_deviation) + ": ";
  if (!positive) {
    return Status::Usage(what + "the noise of the row for a count of " + std::to_string(value) +
                         " would have a probability of 0 at its edge; choose a larger variance or a smaller maximum deviation");
  }
  if (!converged || std::abs(sum - 1) > 1e-12 || std::abs(mean) > 1e-9 || std::abs(second - variance) > 1e-9) {
    return Status::Usage(what + "no unbiased distribution with that variance was found for the row for a count of " +
                         std::to_string(value));
  }
  return row;
}

// Key thresholds of one row: the cumulative probabilities scaled to 2^32 and
// rounded once, here, so that a lookup compares integers only and every
// platform publishes the same numbers for the same keys.
std::vector<uint64_t> Bounds(const std::vector<double>& p) {
  std::vector<uint64_t> bounds;
  double cumulative = 0;
  for (size_t j = 0; j + 1 < p.size(); ++j) {
    cumulative += p[j];
    double scaled = std::round(cumulative * static_cast<double>(kKeySpace));
    uint64_t bound = static_cast<uint64_t>(std::clamp(scaled, 0.0, static_cast<double>(kKeySpace)));
    bounds.push_back(bounds.empty() ? bound : std::max(bound, bounds.back()));
  }
  bounds.push_back(kKeySpace);
  return bounds;
}

}  // namespace

Result<PTable> PTable::Make(uint32_t max_deviation, double variance) {
  const std::string where = "disclosure.variance " + Number(variance) + " cannot be met with disclosure.max_deviation " +
                            std::to_string(max_deviation);
  if (max_deviation > kPTableMaxDeviationLimit) {
    return Status::Usage("disclosure.max_deviation " + std::to_string(max_deviation) + " is out of range: it must be 1 to " +
                         std::to_string(kPTableMaxDeviationLimit));
  }
  const bool identity = max_deviation == 0 && variance == 0;
  if (!identity && !(variance > 0 && variance < static_cast<double>(max_deviation))) {
    // Row 1 bounds it: noise only from -1 to +D, so at most -1 or +D with
    // mean 0, a variance of 1*D; and a positive variance needs some noise.
    return Status::Usage(where + ": the variance must be above 0 and below the maximum deviation");
  }

  PTable table;
  table.max_deviation_ = max_deviation;
  table.variance_ = variance;
  table.rows_.push_back(Row{0, 0, {1.0}});
  for (uint32_t value = 1; value <= max_deviation; ++value) {
    auto row = MakeRow(value, max_deviation, variance);
    if (!row.ok()) return row.status();
    table.rows_.push_back(std::move(*row));
  }
  for (const Row& row : table.rows_) table.bounds_.push_back(Bounds(row.p));
  return table;
}

uint64_t PTable::Perturb(uint64_t value, uint32_t key) const {
  if (value == 0) return 0;
  const uint64_t row_index = std::min<uint64_t>(value, max_deviation_);
  const std::vector<uint64_t>& bounds = bounds_[row_index];
  const uint64_t j = static_cast<uint64_t>(std::upper_bound(bounds.begin(), bounds.end(), uint64_t{key}) - bounds.begin());
  // Published = value + noise, noise = first + j - row_index; written so that
  // no intermediate leaves the unsigned range.
  const uint64_t low = row_index - rows_[row_index].first;  // how far the row reaches down
  if (j >= low) {
    const uint64_t up = j - low;
    return up > std::numeric_limits<uint64_t>::max() - value ? std::numeric_limits<uint64_t>::max() : value + up;
  }
  return value - (low - j);
}

uint32_t DerivedKey(uint32_t cell_key, uint32_t purpose) {
  // splitmix64: the golden-ratio increment first (so (0, 0) does not map to
  // 0), then its finaliser, a bijection whose every output bit depends on
  // every input bit. The high half is the better mixed.
  uint64_t z = (uint64_t{cell_key} << 32 | purpose) + 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return static_cast<uint32_t>(z >> 32);
}

}  // namespace signaal
