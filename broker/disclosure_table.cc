#include "disclosure_table.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>

#include <coin/ClpSimplex.hpp>

namespace signaal::broker {
namespace {

// Calls fn(element) for every (week, municipality, leaf) of a cell, as one index.
template <typename Fn>
void ForEachElement(const TableCell& c, int municipalities, int leaves, Fn fn) {
  for (int w : c.weeks)
    for (int m : c.municipalities)
      for (int l : c.leaves) fn((w * municipalities + m) * leaves + l);
}

bool Intersect(const std::vector<int>& a, const std::vector<int>& b) {
  auto i = a.begin(), j = b.begin();
  while (i != a.end() && j != b.end()) {
    if (*i == *j) return true;
    if (*i < *j) ++i; else ++j;
  }
  return false;
}

void SortUnique(std::vector<int>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

}  // namespace

int DisclosureTable::Add(TableCell cell) {
  SortUnique(cell.weeks);
  SortUnique(cell.municipalities);
  SortUnique(cell.leaves);
  cells_.push_back(std::move(cell));
  atoms_built_ = false;
  return size() - 1;
}

bool DisclosureTable::Overlaps(int a, int b) const {
  const TableCell &x = cell(a), &y = cell(b);
  return Intersect(x.weeks, y.weeks) && Intersect(x.municipalities, y.municipalities) && Intersect(x.leaves, y.leaves);
}

int DisclosureTable::atom_count() {
  BuildAtoms();
  return atom_count_;
}

void DisclosureTable::BuildAtoms() {
  if (atoms_built_) return;
  // An element's signature is the list of cells that contain it; elements
  // with equal signatures are indistinguishable to anyone reading the cells,
  // so one variable stands for all of them without changing any bound.
  const size_t elements = static_cast<size_t>(weeks_) * municipalities_ * leaves_;
  std::vector<std::vector<int>> signature(elements);
  for (int c = 0; c < size(); ++c) {
    ForEachElement(cells_[c], municipalities_, leaves_, [&](int e) {
      auto& sig = signature[static_cast<size_t>(e)];
      if (sig.empty() || sig.back() != c) sig.push_back(c);
    });
  }
  std::map<std::vector<int>, int> atom_of;
  std::vector<int> element_atom(elements, -1);
  for (size_t e = 0; e < elements; ++e) {
    if (signature[e].empty()) continue;
    auto [it, fresh] = atom_of.try_emplace(std::move(signature[e]), static_cast<int>(atom_of.size()));
    element_atom[e] = it->second;
  }
  atom_count_ = static_cast<int>(atom_of.size());
  cell_atoms_.assign(cells_.size(), {});
  for (int c = 0; c < size(); ++c) {
    std::vector<char> seen(static_cast<size_t>(atom_count_), 0);
    ForEachElement(cells_[c], municipalities_, leaves_, [&](int e) {
      int a = element_atom[static_cast<size_t>(e)];
      if (!seen[static_cast<size_t>(a)]) {
        seen[static_cast<size_t>(a)] = 1;
        cell_atoms_[static_cast<size_t>(c)].push_back(a);
      }
    });
  }
  atoms_built_ = true;
}

// The linear programme of the cells shown now: one variable per atom that
// some shown non-zero cell constrains and no shown zero pins, one equality
// row per shown non-zero cell. Targets change only the objective, and hiding
// one more shown non-zero cell only frees its row, so one model (and its
// last basis) answers many questions.
class DisclosureTable::Programme {
 public:
  explicit Programme(DisclosureTable& table) : t_(table) {}
  Status Build();
  // The target's interval, from the model as it stands. With `enough`
  // finite, an interval at least that wide may be a narrower one, still at
  // least that wide: values the target can take, found without solving.
  Result<Interval> Solve(int target, double enough = Interval::kUnbounded);
  // The row of a shown non-zero cell, or -1.
  int row_of(int cell) const { return row_of_[static_cast<size_t>(cell)]; }
  void FreeRow(int row) { model_.setRowBounds(row, -COIN_DBL_MAX, COIN_DBL_MAX); }
  void RestoreRow(int row) {
    feasible_.clear();
    model_.setRowBounds(row, row_value_[static_cast<size_t>(row)], row_value_[static_cast<size_t>(row)]);
  }

 private:
  DisclosureTable& t_;
  ClpSimplex model_;
  std::vector<char> known_zero_;
  std::vector<int> column_of_, row_of_;
  std::vector<double> row_value_, objective_;
  // Solutions of earlier solves: every one meets all the constraints, so a
  // target that differs by at least `enough` between two of them is at
  // least that wide without a solve of its own. Only for the model
  // as it stands: RestoreRow clears it, as a solution found while the row
  // was free need not meet it (one found before FreeRow still holds after).
  std::vector<std::vector<double>> feasible_;
  static constexpr size_t kFeasibleKept = 64;
  size_t next_kept_ = 0;
  Interval Spread(const std::vector<int>& columns) const;
  void Keep();
};

Status DisclosureTable::Programme::Build() {
  t_.BuildAtoms();
  const int n = t_.atom_count_;
  // A shown zero says every atom under it is zero; a shown non-zero value is
  // one equality row. Only atoms in some row and not known zero need a
  // column: one in no row can be anything from zero up, so it adds nothing
  // to a minimum and makes a maximum unbounded. Most atoms are such (only a
  // few dozen cells are shown among hundreds of atoms), and CLP's time goes
  // with the columns it sets up for every solve.
  known_zero_.assign(static_cast<size_t>(n), 0);
  std::vector<char> in_row(static_cast<size_t>(n), 0);
  std::vector<int> rows;
  row_of_.assign(static_cast<size_t>(t_.size()), -1);
  for (int c = 0; c < t_.size(); ++c) {
    if (!t_.cells_[c].shown) continue;
    if (t_.cells_[c].signals == 0) {
      for (int a : t_.cell_atoms_[c]) known_zero_[static_cast<size_t>(a)] = 1;
    } else {
      row_of_[static_cast<size_t>(c)] = static_cast<int>(rows.size());
      rows.push_back(c);
    }
  }
  for (int c : rows) {
    for (int a : t_.cell_atoms_[c]) in_row[static_cast<size_t>(a)] = 1;
  }
  column_of_.assign(static_cast<size_t>(n), -1);
  int columns = 0;
  for (int a = 0; a < n; ++a) {
    if (in_row[static_cast<size_t>(a)] && !known_zero_[static_cast<size_t>(a)]) column_of_[static_cast<size_t>(a)] = columns++;
  }
  std::vector<std::vector<int>> column_rows(static_cast<size_t>(columns));
  row_value_.clear();
  for (int r = 0; r < static_cast<int>(rows.size()); ++r) {
    bool any = false;
    for (int a : t_.cell_atoms_[rows[r]]) {
      int col = column_of_[static_cast<size_t>(a)];
      if (col < 0) continue;
      column_rows[static_cast<size_t>(col)].push_back(r);
      any = true;
    }
    // A non-zero value over atoms that other shown cells say are zero.
    if (!any) return Status::Runtime("the released cells contradict each other (infeasible audit)");
    row_value_.push_back(static_cast<double>(t_.cells_[rows[r]].signals));
  }
  std::vector<CoinBigIndex> start{0};
  std::vector<int> index;
  for (const auto& cr : column_rows) {
    index.insert(index.end(), cr.begin(), cr.end());
    start.push_back(static_cast<CoinBigIndex>(index.size()));
  }
  std::vector<double> value(index.size(), 1.0), col_lower(static_cast<size_t>(columns), 0.0);
  std::vector<double> col_upper(static_cast<size_t>(columns), std::numeric_limits<double>::max());
  objective_.assign(static_cast<size_t>(columns), 0.0);
  model_.setLogLevel(0);
  model_.scaling(0);  // every coefficient is 1
  model_.loadProblem(columns, static_cast<int>(rows.size()), start.data(), index.data(), value.data(),
                     col_lower.data(), col_upper.data(), objective_.data(), row_value_.data(), row_value_.data());
  return Status::Ok();
}

Interval DisclosureTable::Programme::Spread(const std::vector<int>& columns) const {
  Interval iv{Interval::kUnbounded, -Interval::kUnbounded};
  for (const auto& x : feasible_) {
    double v = 0;
    for (int c : columns) v += x[static_cast<size_t>(c)];
    iv.lower = std::min(iv.lower, v);
    iv.upper = std::max(iv.upper, v);
  }
  // Whole values only: the counts the attacker can tell apart.
  return {std::ceil(iv.lower - 1e-6), std::floor(iv.upper + 1e-6)};
}

void DisclosureTable::Programme::Keep() {
  const double* x = model_.primalColumnSolution();
  std::vector<double> solution(x, x + model_.numberColumns());
  if (feasible_.size() < kFeasibleKept) {
    feasible_.push_back(std::move(solution));
  } else {
    feasible_[next_kept_++ % kFeasibleKept] = std::move(solution);
  }
}

Result<Interval> DisclosureTable::Programme::Solve(int target, double enough) {
  // The constraints stay the same for every target, only the objective
  // changes: the work areas and the factorisation of the last basis are
  // kept from one solve to the next (CLP's startFinishOptions 1 and 2), as
  // setting them up again was most of the audit's time.
  constexpr int kKeepFactorisation = 1 | 2;
  std::vector<int> columns;
  bool unconstrained = false;
  for (int a : t_.cell_atoms_[static_cast<size_t>(target)]) {
    int col = column_of_[static_cast<size_t>(a)];
    if (col >= 0) {
      columns.push_back(col);
    } else if (!known_zero_[static_cast<size_t>(a)]) {
      unconstrained = true;
    }
  }
  Interval iv;
  iv.upper = unconstrained ? Interval::kUnbounded : 0;
  if (columns.empty()) return iv;
  const bool bounded_enough = enough < Interval::kUnbounded;
  if (bounded_enough && !feasible_.empty()) {
    Interval seen = Spread(columns);
    // Unbounded above, so wide whatever its minimum: a value it takes will do.
    if (unconstrained) return Interval{seen.lower, Interval::kUnbounded};
    if (seen.width() >= enough) return seen;
  }
  std::fill(objective_.begin(), objective_.end(), 0.0);
  for (int col : columns) objective_[static_cast<size_t>(col)] = 1.0;
  std::copy(objective_.begin(), objective_.end(), model_.objective());
  // Minimise; maximise only when no unconstrained atom already makes it
  // unbounded, nor the solutions seen so far already make it wide enough.
  for (double direction : {1.0, -1.0}) {
    if (direction < 0 && unconstrained) break;
    if (direction < 0 && bounded_enough) {
      Interval seen = Spread(columns);
      if (seen.upper - iv.lower >= enough) {
        iv.upper = seen.upper;
        break;
      }
    }
    model_.setOptimizationDirection(direction);
    model_.primal(0, kKeepFactorisation);
    int status = model_.status();
    if (status == 1) return Status::Runtime("the released cells contradict each other (infeasible audit)");
    if (status == 2) {  // unbounded: only possible when maximising
      iv.upper = Interval::kUnbounded;
      continue;
    }
    if (status != 0) return Status::Runtime("the disclosure audit did not finish (solver status " +
                                            std::to_string(status) + ")");
    Keep();
    double v = model_.objectiveValue();
    if (direction > 0) {
      iv.lower = std::ceil(v - 1e-6);
    } else {
      iv.upper = std::floor(v + 1e-6);
    }
  }
  return iv;
}

Result<std::vector<Interval>> DisclosureTable::Bounds(const std::vector<int>& targets, double enough) {
  Programme lp(*this);
  if (Status s = lp.Build(); !s.ok()) return s;
  std::vector<Interval> out;
  for (int t : targets) {
    auto iv = lp.Solve(t, enough);
    if (!iv.ok()) return iv.status();
    out.push_back(*iv);
  }
  return out;
}

Result<std::vector<Interval>> DisclosureTable::BoundsIfHidden(int target, const std::vector<int>& candidates,
                                                              double enough) {
  Programme lp(*this);
  if (Status s = lp.Build(); !s.ok()) return s;
  std::vector<Interval> out;
  for (int c : candidates) {
    Result<Interval> iv = Interval{};
    if (int row = lp.row_of(c); row >= 0) {
      lp.FreeRow(row);
      iv = lp.Solve(target, enough);
      lp.RestoreRow(row);
    } else {
      // A shown zero pins atoms rather than holding a row: ask a model of its own.
      bool was = cells_[static_cast<size_t>(c)].shown;
      cells_[static_cast<size_t>(c)].shown = false;
      auto b = Bounds({target}, enough);
      cells_[static_cast<size_t>(c)].shown = was;
      if (b.ok()) iv = b->front(); else iv = b.status();
    }
    if (!iv.ok()) return iv.status();
    out.push_back(*iv);
    if (iv->width() >= enough) break;
  }
  return out;
}

}  // namespace signaal::broker
