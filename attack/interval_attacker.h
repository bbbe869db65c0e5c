// IntervalAttacker: what an outsider learns about the true counts behind
// released digests (docs/PRIVACY.md, "Disclosure control"; issue 14).
//
// It reads what a subscriber reads: the digests, with their weekly series,
// previous period and municipality breakdown; the public parameters (k, the
// p-table's maximum deviation D); the public municipality list and taxonomy.
// Each number is a statement about a cell's true signal count: a shown v says
// [v−D, v+D] (at least 1: zeros stay zero), the mark says [1, k−1+D], a cell
// the digest does not list says [0, D] (a part of a breakdown lists no
// subthemes, so they say nothing). Unknowns are the counts of atoms — week ×
// municipality × leaf, a leaf being a subtheme or a theme's signals without
// one — grouped where no statement tells them apart. Interval propagation
// over every statement bounds every group; then each target gets GLPK's
// integer programme over its neighbourhood (see `neighbourhood`), which
// gives the tightest [lo, hi] those statements allow there.
//
// Deliberately independent of the broker: it includes nothing from broker/
// and never sees the p-table or keys, so the broker's risk report and the
// attacker test measure the method from outside, as an adversary would.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "wire.pb.h"
#include "signaal/reference_data.h"
#include "signaal/status.h"

namespace signaal::attack {

struct AttackParameters {
  uint32_t k = 5;
  uint32_t max_deviation = 0;  // D of the public p-table
  // Whether the mark hides only a published count below k, so the truth is
  // at most k−1+D. The broker also marks a cell fewer than min_organisations
  // partners report, or whose published persons fall below k, whatever its
  // signals: unless min_organisations is 1 and every signal is a person of
  // its own, the sound reading of the mark is only "at least 1" (false).
  bool mark_bounded = true;
  // Each target is solved in its neighbourhood: the statements that share
  // atoms with it, then theirs, smallest first, up to this many unknowns;
  // every other statement enters through the bounds that propagating all of
  // them gives its outside part. A relaxation: the interval can only be as
  // wide as the whole programme's or wider. 0: the whole programme (slow
  // beyond a few thousand unknowns).
  uint32_t neighbourhood = 1500;
  // Work bounds per target and direction: simplex iterations, and a time limit
  // for the LP and for the branch and bound.
  int lp_iterations = 100000;
  double lp_seconds = 2;
  double mip_seconds = 1;
  // The integer programme runs only when the LP relaxation leaves fewer
  // possible values than this (0: 2k) and its optimum is fractional: wider
  // than that, integrality seldom brings a cell below k, and branch and
  // bound is where the time goes.
  uint32_t mip_below = 0;
};

// A cell a digest can describe: the signals of `code` ("" = all, a theme, or a
// subtheme) in `region` (a region code or a municipality's CBS code) over the
// ISO weeks from_week..to_week.
struct Cell {
  std::string region;
  std::string from_week;
  std::string to_week;
  std::string code;
  auto operator<=>(const Cell&) const = default;
  std::string ToString() const;
};

struct TargetBounds {
  Cell cell;
  uint64_t truth = 0;
  uint64_t lo = 0;
  uint64_t hi = 0;            // the largest possible value; UINT64_MAX when unbounded
  bool integer_solved = false;  // branch and bound ran for at least one side
  // A work bound cut a solve short, or the neighbourhood had no solution
  // (numbers that changed since, unnoticed by propagation): [lo, hi] may be
  // wider than the tightest.
  bool limited = false;
  uint64_t possible() const { return hi == UINT64_MAX ? UINT64_MAX : hi - lo + 1; }
  bool contains_truth() const { return lo <= truth && truth <= hi; }
};

struct AttackSummary {
  uint32_t digests = 0;           // released digests, each with its parts
  uint32_t digests_used = 0;      // the newest ones whose numbers agree (see Attack)
  uint32_t numbers = 0;           // statements read: shown numbers, marks, unlisted cells
  uint32_t distinct_cells = 0;    // cells they are about
  uint32_t variables = 0;         // of the programme, after grouping atoms
  uint32_t constraints = 0;
  uint32_t cells_attacked = 0;    // targets: true count 1..k−1
  uint32_t narrowed_below_k = 0;  // fewer than k possible values, the truth among them
  uint32_t exact = 0;             // one possible value, the truth
  uint32_t misled = 0;            // the truth outside [lo, hi]: stale numbers fooled the attacker
  uint64_t narrowest = UINT64_MAX;  // fewest possible values of any target holding its truth
  uint32_t lp_solves = 0;
  uint32_t mip_solves = 0;
  uint32_t limited = 0;           // targets whose bounds a work limit may have widened
  double seconds = 0;
};

struct AttackReport {
  AttackSummary summary;
  std::vector<TargetBounds> targets;
};

class IntervalAttacker {
 public:
  IntervalAttacker(const ReferenceData& ref, AttackParameters params);
  ~IntervalAttacker();
  IntervalAttacker(const IntervalAttacker&) = delete;
  IntervalAttacker& operator=(const IntervalAttacker&) = delete;

  // A released digest with its parts, in release order. Fails on a region or
  // week the reference data does not know.
  Status Add(const wire::Digest& digest);

  // Every cell the digests describe, in order.
  std::vector<Cell> Cells() const;

  // The true count of a cell, as the caller knows it (nullopt: unknown).
  using Truth = std::function<std::optional<uint64_t>(const Cell&)>;

  // Attacks every described cell whose true count is 1..k−1. Each cell's
  // newest statement counts (a late signal or an erasure changes a cell's
  // number); when the newest statements still contradict each other — an
  // older digest's cell changed since without being fetched again — only the
  // longest run of newest digests that agrees is used.
  Result<AttackReport> Attack(const Truth& truth);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace signaal::attack
