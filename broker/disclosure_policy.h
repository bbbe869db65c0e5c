// DisclosurePolicy: decides which cells of the released tables may be shown.
// It runs on the combined table of all partners, never per partner, and on
// everything the broker has released before (docs/PRIVACY.md, "Disclosure
// control", gives the method and why it is sound).
//
//  - Primary suppression: a cell is hidden when fewer than k persons or k
//    signals are behind it, or fewer than `min_organisations` organisations
//    (so a digest never shows one organisation's own numbers).
//  - Secondary suppression: further cells are hidden until, for every hidden
//    cell, the tightest interval an attacker can derive from all released
//    numbers (DisclosureTable::Bounds) is at least k wide.
#pragma once

#include <cstdint>
#include <string>

#include "disclosure_table.h"
#include "signaal/status.h"

namespace signaal::broker {

class DisclosurePolicy {
 public:
  explicit DisclosurePolicy(uint32_t k, uint32_t min_organisations = 2)
      : k_(k), min_organisations_(min_organisations) {}
  uint32_t k() const { return k_; }
  uint32_t min_organisations() const { return min_organisations_; }
  static std::string method() { return "threshold+lp-audit"; }

  // True if fewer than k signals or persons are behind a non-empty cell.
  bool BelowK(uint64_t signals, uint64_t persons) const { return signals > 0 && (signals < k_ || persons < k_); }
  // True if a cell with these totals must not be shown on its own numbers.
  bool PrimarySuppressed(uint64_t signals, uint64_t persons, uint64_t organisations) const {
    return BelowK(signals, persons) || (signals > 0 && organisations < min_organisations_);
  }

  struct Outcome {
    int secondary = 0;      // cells of this digest hidden to protect others
    int unprotectable = 0;  // settled cells no choice now could protect (earlier releases)
    double tightest = Interval::kUnbounded;  // narrowest protected interval found (exact when below k)
  };

  // Hides further shown, unsettled cells (zeros last) until every sensitive
  // cell and every cell an earlier release hid has an interval at least k
  // wide. A cell hidden only to protect others that the releases pin
  // narrower than k anyway is shown instead when that keeps every protected
  // cell protected; otherwise it is protected like the rest.
  Result<Outcome> Protect(DisclosureTable& table) const;

 private:
  uint32_t k_;
  uint32_t min_organisations_;
};

}  // namespace signaal::broker
