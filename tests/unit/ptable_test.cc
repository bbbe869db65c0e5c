// The p-table of the cell-key method: every row unbiased with variance V,
// never negative, never beyond D, zeros kept; the integer key thresholds give
// each row's probabilities when the keys are swept; Make refuses what cannot
// be met; DerivedKey is fixed by the cell key and looks independent of it.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <map>
#include <utility>

#include "signaal/ptable.h"

namespace signaal {
namespace {

const std::pair<uint32_t, double> kParameters[] = {{1, 0.5}, {2, 1.0}, {2, 1.9}, {3, 1.5}, {5, 2.0}, {10, 4.0}, {20, 1.0}};

// On failure the identity table, so that the checks after it fail too
// rather than read a table that is not there.
PTable MakeOrDie(uint32_t d, double v) {
  auto table = PTable::Make(d, v);
  if (table.ok()) return std::move(*table);
  ADD_FAILURE() << table.status().message();
  return std::move(*PTable::Make(0, 0.0));
}

TEST(PTable, RowsAreUnbiasedWithVarianceVNeverNegativeNeverBeyondD) {
  for (auto [d, v] : kParameters) {
    SCOPED_TRACE("D=" + std::to_string(d) + " V=" + std::to_string(v));
    PTable table = MakeOrDie(d, v);
    ASSERT_EQ(table.rows().size(), d + 1);
    const PTable::Row& zero = table.rows()[0];
    EXPECT_EQ(zero.first, 0u);
    ASSERT_EQ(zero.p.size(), 1u);
    EXPECT_EQ(zero.p[0], 1.0);
    for (uint32_t i = 1; i <= d; ++i) {
      const PTable::Row& row = table.rows()[i];
      EXPECT_EQ(row.value, i);
      EXPECT_EQ(row.first, i - std::min(i, d));  // down to 0 or i - D, never below
      EXPECT_EQ(row.first + row.p.size() - 1, i + d);  // up to i + D
      double sum = 0, mean = 0, second = 0;
      for (size_t j = 0; j < row.p.size(); ++j) {
        double noise = static_cast<double>(row.first + j) - i;
        EXPECT_GT(row.p[j], 0.0);
        sum += row.p[j];
        mean += row.p[j] * noise;
        second += row.p[j] * noise * noise;
      }
      EXPECT_NEAR(sum, 1.0, 1e-12);
      EXPECT_NEAR(mean, 0.0, 1e-9);
      EXPECT_NEAR(second, v, 1e-9);
    }
  }
}

// Maximum entropy under the moment constraints means log p(d) = c + a*d + b*d^2:
// its second differences are one constant.
TEST(PTable, RowsAreOfMaximumEntropyForm) {
  for (auto [d, v] : kParameters) {
    PTable table = MakeOrDie(d, v);
    for (const PTable::Row& row : table.rows()) {
      if (row.p.size() < 3 || row.p.back() < 1e-250) continue;
      double curvature = std::log(row.p[2]) - 2 * std::log(row.p[1]) + std::log(row.p[0]);
      for (size_t j = 2; j < row.p.size(); ++j) {
        double c = std::log(row.p[j]) - 2 * std::log(row.p[j - 1]) + std::log(row.p[j - 2]);
        EXPECT_NEAR(c, curvature, 1e-7) << "D=" << d << " V=" << v << " row " << row.value;
      }
    }
  }
}

// D = 2, V = 1 in closed form: the symmetric row is proportional to x^(d^2)
// with 6x^4 = 1 (from (2x + 8x^4) / (1 + 2x + 2x^4) = 1).
TEST(PTable, SymmetricRowMatchesClosedForm) {
  PTable table = MakeOrDie(2, 1.0);
  double x = std::pow(6.0, -0.25);
  double z = 1 + 2 * x + 2 * std::pow(x, 4);
  const PTable::Row& row = table.rows()[2];
  ASSERT_EQ(row.first, 0u);
  ASSERT_EQ(row.p.size(), 5u);
  EXPECT_NEAR(row.p[2], 1 / z, 1e-12);
  EXPECT_NEAR(row.p[1], x / z, 1e-12);
  EXPECT_NEAR(row.p[3], x / z, 1e-12);
  EXPECT_NEAR(row.p[0], std::pow(x, 4) / z, 1e-12);
  EXPECT_NEAR(row.p[4], std::pow(x, 4) / z, 1e-12);
}

// 2^20 evenly spaced keys stand for all 2^32: the share of keys that publish
// each value is the row's probability, and the mean noise is 0.
TEST(PTable, KeySweepReproducesEveryRow) {
  constexpr uint32_t kSweep = 1u << 20;
  for (auto [d, v] : kParameters) {
    PTable table = MakeOrDie(d, v);
    for (uint64_t value = 0; value <= d + 7; ++value) {
      SCOPED_TRACE("D=" + std::to_string(d) + " V=" + std::to_string(v) + " value " + std::to_string(value));
      const PTable::Row& row = table.rows()[std::min<uint64_t>(value, d)];
      const uint64_t shift = value - std::min<uint64_t>(value, d);
      std::map<uint64_t, uint64_t> counts;
      double noise_sum = 0;
      for (uint32_t s = 0; s < kSweep; ++s) {
        uint32_t key = (s << 12) | 0x800;
        uint64_t published = table.Perturb(value, key);
        ++counts[published];
        noise_sum += static_cast<double>(published) - static_cast<double>(value);
        ASSERT_LE(published, value + d);
        ASSERT_GE(published + d, value);
      }
      if (value == 0) {
        EXPECT_EQ(counts[0], kSweep);
        continue;
      }
      for (size_t j = 0; j < row.p.size(); ++j) {
        double share = static_cast<double>(counts[row.first + shift + j]) / kSweep;
        EXPECT_NEAR(share, row.p[j], 1e-5) << "published " << row.first + shift + j;
      }
      EXPECT_NEAR(noise_sum / kSweep, 0.0, 1e-4);
    }
  }
}

TEST(PTable, ZerosStayZero) {
  PTable table = MakeOrDie(3, 1.5);
  for (uint64_t key = 0; key <= 0xffffffffULL; key += 0x10001) EXPECT_EQ(table.Perturb(0, static_cast<uint32_t>(key)), 0u);
  EXPECT_EQ(table.Perturb(0, 0xffffffffu), 0u);
}

TEST(PTable, PerturbIsDeterministicAndRowsAboveDAreRowDShifted) {
  PTable a = MakeOrDie(2, 1.0);
  PTable b = MakeOrDie(2, 1.0);
  uint32_t key = 12345;
  for (int n = 0; n < 100000; ++n) {
    key = key * 1664525u + 1013904223u;
    uint64_t value = n % 50;
    uint64_t once = a.Perturb(value, key);
    EXPECT_EQ(a.Perturb(value, key), once);
    EXPECT_EQ(b.Perturb(value, key), once);
    if (value >= 2) {
      EXPECT_EQ(a.Perturb(value, key), a.Perturb(2, key) + (value - 2));
    }
  }
  // The extreme keys land on the row's ends.
  EXPECT_EQ(a.Perturb(1, 0), 0u);
  EXPECT_EQ(a.Perturb(1, 0xffffffffu), 3u);
  EXPECT_EQ(a.Perturb(1000, 0), 998u);
  EXPECT_EQ(a.Perturb(1000, 0xffffffffu), 1002u);
  // Near the top of the range the published count saturates rather than wraps.
  const uint64_t top = std::numeric_limits<uint64_t>::max();
  EXPECT_EQ(a.Perturb(top, 0xffffffffu), top);
  EXPECT_EQ(a.Perturb(top, 0), top - 2);
}

TEST(PTable, MakeRefusesWhatCannotBeMet) {
  auto too_wide = PTable::Make(2, 2.5);
  ASSERT_FALSE(too_wide.ok());
  EXPECT_EQ(too_wide.status().code(), Code::kUsage);
  EXPECT_EQ(too_wide.status().message(),
            "disclosure.variance 2.5 cannot be met with disclosure.max_deviation 2: the variance must be above 0 and "
            "below the maximum deviation");
  EXPECT_FALSE(PTable::Make(2, 2.0).ok());  // V = D only as noise -1 or +D, never 0: not every p > 0
  EXPECT_FALSE(PTable::Make(2, 0.0).ok());
  EXPECT_FALSE(PTable::Make(2, -1.0).ok());
  EXPECT_FALSE(PTable::Make(2, std::nan("")).ok());
  EXPECT_FALSE(PTable::Make(2, std::numeric_limits<double>::infinity()).ok());
  EXPECT_FALSE(PTable::Make(0, 1.0).ok());
  EXPECT_FALSE(PTable::Make(0, 0.5).ok());
  auto too_far = PTable::Make(21, 1.0);
  ASSERT_FALSE(too_far.ok());
  EXPECT_NE(too_far.status().message().find("disclosure.max_deviation 21"), std::string::npos);
  EXPECT_TRUE(PTable::Make(20, 19.5).ok());
  EXPECT_TRUE(PTable::Make(1, 0.999).ok());
  // Noise of +-20 with variance 0.1 has a probability far below what a double holds.
  auto underflow = PTable::Make(20, 0.1);
  ASSERT_FALSE(underflow.ok());
  EXPECT_NE(underflow.status().message().find("probability of 0"), std::string::npos) << underflow.status().message();
}

TEST(PTable, ZeroDeviationZeroVarianceIsTheIdentity) {
  PTable table = MakeOrDie(0, 0.0);
  ASSERT_EQ(table.rows().size(), 1u);
  EXPECT_EQ(table.max_deviation(), 0u);
  uint32_t key = 7;
  for (uint64_t value = 0; value < 10000; ++value) {
    key = key * 1664525u + 1013904223u;
    EXPECT_EQ(table.Perturb(value, key), value);
  }
}

TEST(DerivedKey, DeterministicAndDifferentPerPurpose) {
  uint32_t same_as_cell = 0, same_purposes = 0;
  for (uint32_t cell = 0; cell < 100000; ++cell) {
    uint32_t k = cell * 2654435761u;
    EXPECT_EQ(DerivedKey(k, 1), DerivedKey(k, 1));
    same_as_cell += DerivedKey(k, 1) == k;
    same_purposes += DerivedKey(k, 1) == DerivedKey(k, 2);
  }
  EXPECT_EQ(same_as_cell, 0u);
  EXPECT_EQ(same_purposes, 0u);
  EXPECT_NE(DerivedKey(0, 0), 0u);
}

// Over consecutive cell keys (the least random input) every output bit is set
// half the time, and agrees with each input bit half the time.
TEST(DerivedKey, BitBalanced) {
  constexpr uint32_t kKeys = 1u << 18;
  for (uint32_t purpose : {0u, 1u, 2u}) {
    int ones[32] = {};
    int agree_low[32] = {};
    uint64_t total_ones = 0;
    for (uint32_t cell = 0; cell < kKeys; ++cell) {
      uint32_t out = DerivedKey(cell, purpose);
      total_ones += std::popcount(out);
      for (int b = 0; b < 32; ++b) {
        ones[b] += (out >> b) & 1;
        agree_low[b] += ((out >> b) & 1) == (cell & 1);
      }
    }
    for (int b = 0; b < 32; ++b) {
      EXPECT_NEAR(static_cast<double>(ones[b]) / kKeys, 0.5, 0.005) << "purpose " << purpose << " bit " << b;
      EXPECT_NEAR(static_cast<double>(agree_low[b]) / kKeys, 0.5, 0.005) << "purpose " << purpose << " bit " << b;
    }
    EXPECT_NEAR(static_cast<double>(total_ones) / kKeys, 16.0, 0.05);
  }
}

}  // namespace
}  // namespace signaal
