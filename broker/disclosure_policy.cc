#include "disclosure_policy.h"

#include <algorithm>
#include <set>

namespace signaal::broker {
namespace {

// The shown, unsettled, non-zero cells that hiding might protect `target`
// with. First those that share a relation with it: they overlap it, or overlap
// a cell that overlaps it (siblings, parents, cousins across the other axes);
// then all others, as overlapping releases can pin a cell through a longer
// chain. Within each, cheapest first: finest level, then smallest value, as
// hiding small cells low in the hierarchy costs the reader least.
std::vector<int> Candidates(const DisclosureTable& table, int target) {
  std::set<int> near{target};
  for (int c = 0; c < table.size(); ++c) {
    if (table.Overlaps(c, target)) near.insert(c);
  }
  std::vector<int> related, others;
  for (int c = 0; c < table.size(); ++c) {
    const TableCell& cell = table.cell(c);
    if (!cell.shown || cell.settled) continue;
    bool near_target = false;
    for (int n : near) {
      if (table.Overlaps(c, n)) {
        near_target = true;
        break;
      }
    }
    (near_target ? related : others).push_back(c);
  }
  // A zero is hidden last: a digest lists it as suppressed where it would
  // otherwise say nothing, but a known zero can give a difference away.
  auto cheapest_first = [&](int a, int b) {
    const TableCell &x = table.cell(a), &y = table.cell(b);
    if ((x.signals == 0) != (y.signals == 0)) return y.signals == 0;
    if (x.level != y.level) return x.level < y.level;
    if (x.signals != y.signals) return x.signals < y.signals;
    return a < b;
  };
  std::sort(related.begin(), related.end(), cheapest_first);
  std::sort(others.begin(), others.end(), cheapest_first);
  related.insert(related.end(), others.begin(), others.end());
  return related;
}

}  // namespace

Result<DisclosurePolicy::Outcome> DisclosurePolicy::Protect(DisclosureTable& table) const {
  Outcome out;
  const double k = static_cast<double>(k_);
  // Must stay wide: sensitive cells, cells earlier releases hid, and hidden
  // cells of this digest that could not be shown instead (stuck).
  std::set<int> given_up, stuck, frozen_shown;
  auto must_protect = [&](int c) {
    const TableCell& cell = table.cell(c);
    if (cell.shown || given_up.count(c)) return false;
    return cell.sensitive || (cell.settled && cell.in_digest) || stuck.count(c) > 0;
  };
  auto required_cells = [&]() {
    std::vector<int> r;
    for (int c = 0; c < table.size(); ++c) {
      if (must_protect(c)) r.push_back(c);
    }
    return r;
  };

  // Each round either settles or moves cells to frozen_shown or stuck, which
  // never leave; the cap only guards against a mistake in that reasoning.
  for (int round = 0; round < 50; ++round) {
    // 1. Hide cells until every cell that must be protected is. Hiding a
    // cell only takes a fact away from the attacker, so a cell found wide
    // stays wide until step 2 shows something again: it is not solved again.
    std::set<int> wide;
    for (;;) {
      std::vector<int> required = required_cells();
      std::erase_if(required, [&](int c) { return wide.count(c) > 0; });
      auto bounds = table.Bounds(required, k);
      if (!bounds.ok()) return bounds.status();
      int target = -1;  // the narrowest failing cell first: it needs the most help
      double narrowest = k;
      for (size_t i = 0; i < required.size(); ++i) {
        if ((*bounds)[i].width() >= k) wide.insert(required[i]);
        if ((*bounds)[i].width() < narrowest) {
          narrowest = (*bounds)[i].width();
          target = required[i];
        }
      }
      if (target < 0) break;
      std::vector<int> candidates = Candidates(table, target);
      std::erase_if(candidates, [&](int c) { return frozen_shown.count(c) > 0; });
      if (candidates.empty()) {  // everything this digest could hide is hidden
        given_up.insert(target);
        ++out.unprotectable;
        continue;
      }
      // The cheapest candidate that protects the target on its own; failing
      // that, the one that widens it most; failing that, the cheapest.
      auto widths = table.BoundsIfHidden(target, candidates, k);
      if (!widths.ok()) return widths.status();
      int choice = -1, best = -1;
      double best_width = narrowest;
      for (size_t i = 0; i < widths->size(); ++i) {
        double w = (*widths)[i].width();
        if (w >= k) {
          choice = candidates[i];
          break;
        }
        if (w > best_width) {
          best_width = w;
          best = candidates[i];
        }
      }
      if (choice < 0) choice = best >= 0 ? best : candidates.front();
      table.cell(choice).shown = false;
    }

    // 2. A cell of this digest hidden only to protect others, that the
    // releases pin narrower than k anyway, is shown instead — if that leaves
    // every protected cell protected. Otherwise it must be protected too.
    bool changed = false;
    std::vector<int> secondary;
    for (int c = 0; c < table.size(); ++c) {
      if (table.cell(c).HiddenForOthers() && !stuck.count(c)) secondary.push_back(c);
    }
    auto widths = table.Bounds(secondary, k);
    if (!widths.ok()) return widths.status();
    for (size_t i = 0; i < secondary.size(); ++i) {
      if ((*widths)[i].width() >= k) continue;
      int c = secondary[i];
      table.cell(c).shown = true;
      std::vector<int> required = required_cells();
      auto after = table.Bounds(required, k);
      if (!after.ok()) return after.status();
      bool safe = std::all_of(after->begin(), after->end(), [&](const Interval& iv) { return iv.width() >= k; });
      if (safe) {
        frozen_shown.insert(c);
      } else {
        table.cell(c).shown = false;
        stuck.insert(c);
      }
      changed = true;
    }
    if (!changed) break;
  }

  int hidden_secondary = 0;
  std::vector<int> protected_cells;
  for (int c = 0; c < table.size(); ++c) {
    if (table.cell(c).HiddenForOthers()) ++hidden_secondary;
    if (table.cell(c).NeedsProtection() && !given_up.count(c)) protected_cells.push_back(c);
  }
  out.secondary = hidden_secondary;
  auto final_bounds = table.Bounds(protected_cells, k);
  if (!final_bounds.ok()) return final_bounds.status();
  for (const Interval& iv : *final_bounds) out.tightest = std::min(out.tightest, iv.width());
  return out;
}

}  // namespace signaal::broker
