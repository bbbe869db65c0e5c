// DisclosureTable: the numbers that digests release, seen the way an attacker
// sees them.
//
// Every cell is the number of signals in a set of weeks × municipalities ×
// taxonomy leaves (a leaf is a subtheme, or a theme's signals that carry no
// subtheme). The attacker knows the value of every shown cell — from this
// digest and from every earlier one — and that counts are whole and never
// negative; nothing else. Bounds() computes, by linear programming, the
// tightest interval those facts allow for a hidden cell. It is both the audit
// that secondary suppression runs until every hidden cell is safe and the
// yardstick docs/PRIVACY.md describes.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "signaal/status.h"

namespace signaal::broker {

// One cell of the released tables.
struct TableCell {
  std::vector<int> weeks;           // indices on the week axis
  std::vector<int> municipalities;  // indices on the municipality axis
  std::vector<int> leaves;          // indices on the leaf axis
  uint64_t signals = 0;             // the true value
  bool shown = false;               // its value is released
  bool in_digest = false;           // a cell of the new digest, or one an earlier digest marked suppressed
  bool sensitive = false;           // primary: must not be shown, nor be derivable to within k
  bool settled = false;             // released by an earlier digest: its state can no longer change
  int level = 0;                    // 0 = finest; higher = more aggregated (suppression cost order)

  // A hidden cell that must keep an interval of at least k: every cell a
  // digest marks suppressed, and every sensitive cell (also those no digest
  // lists, like a theme's small remainder without a subtheme).
  bool NeedsProtection() const { return !shown && (in_digest || sensitive); }
  // A cell of the new digest hidden only to protect others.
  bool HiddenForOthers() const { return !shown && in_digest && !sensitive && !settled; }
};

// What an attacker can derive about a cell: lower <= value <= upper.
struct Interval {
  static constexpr double kUnbounded = std::numeric_limits<double>::infinity();
  double lower = 0;
  double upper = kUnbounded;
  double width() const { return upper - lower; }
};

class DisclosureTable {
 public:
  DisclosureTable(int weeks, int municipalities, int leaves)
      : weeks_(weeks), municipalities_(municipalities), leaves_(leaves) {}

  // Adds a cell and returns its index.
  int Add(TableCell cell);
  TableCell& cell(int i) { return cells_[static_cast<size_t>(i)]; }
  const TableCell& cell(int i) const { return cells_[static_cast<size_t>(i)]; }
  int size() const { return static_cast<int>(cells_.size()); }

  // True if two cells share any (week, municipality, leaf): they sit in a
  // common relation, so hiding one can protect the other.
  bool Overlaps(int a, int b) const;

  // The tightest bounds the shown cells allow on each target's value, rounded
  // inwards to whole numbers (the attacker knows counts are whole). Fails only
  // if the shown values contradict each other.
  //
  // With `enough`, a target at least that wide may instead get an interval
  // of values it can take that is already that wide — found from the
  // solutions of earlier targets without solving for it. An audit that only
  // asks "at least k wide?" gets the same answers, many times faster: most
  // cells are wide, and a few dozen solutions show it for nearly all.
  Result<std::vector<Interval>> Bounds(const std::vector<int>& targets, double enough = Interval::kUnbounded);

  // For each candidate in turn, the target's bounds were that cell hidden as
  // well (Bounds with one more cell hidden, and `enough` as there); stops after the first interval
  // at least `enough` wide, so the result may be shorter than `candidates`.
  // One model serves every candidate, as hiding a shown cell only frees its
  // row: much cheaper than a Bounds call per candidate.
  Result<std::vector<Interval>> BoundsIfHidden(int target, const std::vector<int>& candidates, double enough);

  // Atoms: groups of (week, municipality, leaf) that no cell tells apart; the
  // linear programme has one variable per atom. For benchmarks and tests.
  int atom_count();

 private:
  class Programme;  // the linear programme of the shown cells
  void BuildAtoms();

  int weeks_, municipalities_, leaves_;
  std::vector<TableCell> cells_;
  bool atoms_built_ = false;
  int atom_count_ = 0;
  std::vector<std::vector<int>> cell_atoms_;  // per cell, the atoms it sums
};

}  // namespace signaal::broker
