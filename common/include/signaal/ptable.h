// PTable: the perturbation table of the cell-key method (docs/PRIVACY.md,
// "Disclosure control"). For a cell's true count i and its 32-bit cell key it
// gives the published count: i + d, with d drawn from a distribution fixed by
// i alone, by the key read as a number in [0, 1). The same (count, key) always
// gives the same published count.
//
// Every row is unbiased (mean of d is 0), has variance `variance` (V), never
// deviates by more than `max_deviation` (D), never publishes a negative count,
// and keeps 0 at 0. Among the distributions that do so, each row is the one of
// maximum entropy (p(d) proportional to exp(a*d + b*d^2)), as in the R package
// ptable (Enderle, Giessing, Tent) and tau-ARGUS: the noise is as spread out
// as D and V allow, so a published value says as little as it can. Rows for
// counts of D and above are one distribution shifted; rows 1..D-1 are cut off
// at zero and so need their own.
//
// This is public: the parameters are printed in every digest, and `signaal
// broker ptable` prints the whole table. Protection rests on the keys.
#pragma once

#include <cstdint>
#include <vector>

#include "signaal/status.h"

namespace signaal {

// The largest max_deviation a table may have: beyond it the noise would hide
// the trends digests are for, and rows would have probabilities too small
// for a 32-bit key to select.
constexpr uint32_t kPTableMaxDeviationLimit = 20;

class PTable {
 public:
  // Fails with one sentence when no table meets D and V: D must be 1..20, V
  // above 0 and below D (the row for a count of 1 can reach at most a
  // variance of D: noise of -1 or +D). D = 0 with V = 0 is the table that
  // adds no noise: for the attacker test's negative control only (broker.toml
  // refuses it).
  static Result<PTable> Make(uint32_t max_deviation, double variance);

  uint32_t max_deviation() const { return max_deviation_; }
  double variance() const { return variance_; }

  // The published count for a true count and a cell key.
  uint64_t Perturb(uint64_t value, uint32_t key) const;

  // One row: for true count `value`, the probability of each published count
  // from `first` on (p[0] for first, p[1] for first + 1, ...).
  struct Row {
    uint32_t value = 0;
    uint32_t first = 0;
    std::vector<double> p;
  };
  // Rows 0..D: every row that differs; counts above D use row D shifted.
  const std::vector<Row>& rows() const { return rows_; }

 private:
  PTable() = default;
  uint32_t max_deviation_ = 0;
  double variance_ = 0;
  std::vector<Row> rows_;
  // Per row, the key thresholds: key < bound[j] publishes first + j (the last
  // entry is 2^32, so every key has a value).
  std::vector<std::vector<uint64_t>> bounds_;
};

// A second key for the same cell, for a second number of it (persons beside
// signals): uniform and independent-looking, fixed by the cell key.
uint32_t DerivedKey(uint32_t cell_key, uint32_t purpose);

}  // namespace signaal
