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

Result<std::vector<Interval>> DisclosureTable::Bounds(const std::vector<int>& targets) {
  BuildAtoms();
  const int n = atom_count_;
  // A shown zero says every atom under it is zero; a shown non-zero value is
  // one equality row. Only atoms in some row and not known zero need a
  // column: one in no row can be anything from zero up, so it adds nothing
  // to a minimum and makes a maximum unbounded. Most atoms are such (only a
  // few dozen cells are shown among hundreds of atoms), and CLP's time goes
  // with the columns it sets up for every solve.
  std::vector<char> known_zero(static_cast<size_t>(n), 0), in_row(static_cast<size_t>(n), 0);
  std::vector<int> rows;
  for (int c = 0; c < size(); ++c) {
    if (!cells_[c].shown) continue;
    if (cells_[c].signals == 0) {
      for (int a : cell_atoms_[c]) known_zero[static_cast<size_t>(a)] = 1;
    } else {
      rows.push_back(c);
    }
  }
  for (int c : rows) {
    for (int a : cell_atoms_[c]) in_row[static_cast<size_t>(a)] = 1;
  }
  std::vector<int> column_of(static_cast<size_t>(n), -1);
  int columns = 0;
  for (int a = 0; a < n; ++a) {
    if (in_row[static_cast<size_t>(a)] && !known_zero[static_cast<size_t>(a)]) column_of[static_cast<size_t>(a)] = columns++;
  }
  std::vector<std::vector<int>> column_rows(static_cast<size_t>(columns));
  std::vector<double> row_value;
  for (int r = 0; r < static_cast<int>(rows.size()); ++r) {
    bool any = false;
    for (int a : cell_atoms_[rows[r]]) {
      int col = column_of[static_cast<size_t>(a)];
      if (col < 0) continue;
      column_rows[static_cast<size_t>(col)].push_back(r);
      any = true;
    }
    // A non-zero value over atoms that other shown cells say are zero.
    if (!any) return Status::Runtime("the released cells contradict each other (infeasible audit)");
    row_value.push_back(static_cast<double>(cells_[rows[r]].signals));
  }
  std::vector<CoinBigIndex> start{0};
  std::vector<int> index;
  for (const auto& cr : column_rows) {
    index.insert(index.end(), cr.begin(), cr.end());
    start.push_back(static_cast<CoinBigIndex>(index.size()));
  }
  std::vector<double> value(index.size(), 1.0), col_lower(static_cast<size_t>(columns), 0.0);
  std::vector<double> col_upper(static_cast<size_t>(columns), std::numeric_limits<double>::max());
  std::vector<double> obj(static_cast<size_t>(columns), 0.0);

  ClpSimplex model;
  model.setLogLevel(0);
  model.scaling(0);  // every coefficient is 1
  model.loadProblem(columns, static_cast<int>(rows.size()), start.data(), index.data(), value.data(),
                    col_lower.data(), col_upper.data(), obj.data(), row_value.data(), row_value.data());
  // The constraints stay the same for every target, only the objective
  // changes: the work areas and the factorisation of the last basis are
  // kept from one solve to the next (CLP's startFinishOptions 1 and 2), as
  // setting them up again was most of the audit's time.
  constexpr int kKeepFactorisation = 1 | 2;

  std::vector<Interval> out;
  for (int t : targets) {
    std::fill(obj.begin(), obj.end(), 0.0);
    bool in_lp = false, unconstrained = false;
    for (int a : cell_atoms_[static_cast<size_t>(t)]) {
      int col = column_of[static_cast<size_t>(a)];
      if (col >= 0) {
        obj[static_cast<size_t>(col)] = 1.0;
        in_lp = true;
      } else if (!known_zero[static_cast<size_t>(a)]) {
        unconstrained = true;
      }
    }
    Interval iv;
    iv.upper = unconstrained ? Interval::kUnbounded : 0;
    if (!in_lp) {
      out.push_back(iv);
      continue;
    }
    std::copy(obj.begin(), obj.end(), model.objective());
    // Minimise; maximise only when no unconstrained atom already makes it unbounded.
    for (double direction : {1.0, -1.0}) {
      if (direction < 0 && unconstrained) break;
      model.setOptimizationDirection(direction);
      model.primal(0, kKeepFactorisation);
      int status = model.status();
      if (status == 1) return Status::Runtime("the released cells contradict each other (infeasible audit)");
      if (status == 2) {  // unbounded: only possible when maximising
        iv.upper = Interval::kUnbounded;
        continue;
      }
      if (status != 0) return Status::Runtime("the disclosure audit did not finish (solver status " +
                                              std::to_string(status) + ")");
      double v = model.objectiveValue();
      if (direction > 0) {
        iv.lower = std::ceil(v - 1e-6);
      } else {
        iv.upper = std::floor(v + 1e-6);
      }
    }
    out.push_back(iv);
  }
  return out;
}

}  // namespace signaal::broker
