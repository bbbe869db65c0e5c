#include "disclosure_policy.h"

#include <algorithm>
#include <set>

namespace signaal::broker {
namespace {

// Shown, unsettled, non-zero cells that share a relation with `target`: they
// overlap it, or overlap a cell that overlaps it (siblings, parents, cousins
// across the other axes). Cheapest first: finest level, then smallest value,
// as hiding small cells low in the hierarchy costs the reader least.
std::vector<int> Candidates(const DisclosureTable& table, int target) {
  std::set<int> near{target};
  for (int c = 0; c < table.size(); ++c) {
    if (table.Overlaps(c, target)) near.insert(c);
  }
  std::vector<int> out;
  for (int c = 0; c < table.size(); ++c) {
    const TableCell& cell = table.cell(c);
    if (!cell.shown || cell.settled || cell.signals == 0) continue;
    bool related = false;
    for (int n : near) {
      if (table.Overlaps(c, n)) {
        related = true;
        break;
      }
    }
    if (related) out.push_back(c);
  }
  std::sort(out.begin(), out.end(), [&](int a, int b) {
    const TableCell &x = table.cell(a), &y = table.cell(b);
    if (x.level != y.level) return x.level < y.level;
    if (x.signals != y.signals) return x.signals < y.signals;
    return a < b;
  });
  return out;
}

}  // namespace

Result<DisclosurePolicy::Outcome> DisclosurePolicy::Protect(DisclosureTable& table) const {
  Outcome out;
  const double k = static_cast<double>(k_);
  std::set<int> given_up;
  auto width_of = [&](int t) -> Result<double> {
    ++out.audits;
    auto b = table.Bounds({t});
    if (!b.ok()) return b.status();
    return (*b)[0].width();
  };

  for (;;) {
    std::vector<int> required;
    for (int c = 0; c < table.size(); ++c) {
      if (table.cell(c).NeedsProtection() && !given_up.count(c)) required.push_back(c);
    }
    out.audits += static_cast<int>(required.size());
    auto bounds = table.Bounds(required);
    if (!bounds.ok()) return bounds.status();
    // The narrowest failing cell first: it needs the most help.
    int target = -1;
    double narrowest = k;
    for (size_t i = 0; i < required.size(); ++i) {
      if ((*bounds)[i].width() < narrowest) {
        narrowest = (*bounds)[i].width();
        target = required[i];
      }
    }
    if (target < 0) break;

    std::vector<int> candidates = Candidates(table, target);
    if (candidates.empty()) {
      given_up.insert(target);
      ++out.unprotectable;
      continue;
    }
    // The cheapest candidate that protects the target on its own; failing
    // that, the one that widens it most; failing that, the cheapest.
    int choice = -1, best = -1;
    double best_width = narrowest;
    for (int c : candidates) {
      table.cell(c).shown = false;
      auto w = width_of(target);
      table.cell(c).shown = true;
      if (!w.ok()) return w.status();
      if (*w >= k) {
        choice = c;
        break;
      }
      if (*w > best_width) {
        best_width = *w;
        best = c;
      }
    }
    if (choice < 0) choice = best >= 0 ? best : candidates.front();
    table.cell(choice).shown = false;
    ++out.secondary;
  }

  // Hidden cells that were hidden only to protect others, and that the shown
  // cells now pin exactly, add nothing when shown.
  std::vector<int> pinned_candidates;
  for (int c = 0; c < table.size(); ++c) {
    const TableCell& cell = table.cell(c);
    if (!cell.shown && cell.in_digest && !cell.sensitive && !cell.settled) pinned_candidates.push_back(c);
  }
  if (!pinned_candidates.empty()) {
    out.audits += static_cast<int>(pinned_candidates.size());
    auto bounds = table.Bounds(pinned_candidates);
    if (!bounds.ok()) return bounds.status();
    for (size_t i = 0; i < pinned_candidates.size(); ++i) {
      if ((*bounds)[i].width() == 0) {
        table.cell(pinned_candidates[i]).shown = true;
        --out.secondary;
      }
    }
  }

  std::vector<int> protected_cells;
  for (int c = 0; c < table.size(); ++c) {
    if (table.cell(c).NeedsProtection() && !given_up.count(c)) protected_cells.push_back(c);
  }
  auto final_bounds = table.Bounds(protected_cells);
  if (!final_bounds.ok()) return final_bounds.status();
  for (const Interval& iv : *final_bounds) out.tightest = std::min(out.tightest, iv.width());
  return out;
}

}  // namespace signaal::broker
