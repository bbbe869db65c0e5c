// DisclosurePolicy: how the numbers of a digest are protected — the cell-key
// method (docs/PRIVACY.md, "Disclosure control").
//
// Every count the broker publishes is the true count perturbed through the
// public p-table by the cell's key: the sum, mod 2^32, of the record keys of
// the signals in it, which nodes send as per-cell key sums. Any cell of any
// digest (any weeks, any area, any theme level) therefore has a key fixed by
// the records in it, and shows the same number in every digest, in any order.
// Protection needs no memory of earlier releases.
//
// Display rules on top: a published count below k shows the suppression mark
// instead of a number; a cell fewer than `min_organisations` partners report
// is suppressed too, so a digest never shows one organisation's own numbers.
#pragma once

#include <cstdint>
#include <string>

#include "signaal/ptable.h"

namespace signaal::broker {

class DisclosurePolicy {
 public:
  DisclosurePolicy(uint32_t k, uint32_t min_organisations, PTable ptable)
      : k_(k), min_organisations_(min_organisations), ptable_(std::move(ptable)) {}
  uint32_t k() const { return k_; }
  uint32_t min_organisations() const { return min_organisations_; }
  const PTable& ptable() const { return ptable_; }
  static std::string method() { return "cell-key"; }

  // What a cell with these true totals shows.
  struct Shown {
    bool suppressed = false;  // the mark, no numbers
    uint64_t signals = 0;     // published; 0 = not listed (unless suppressed)
    uint64_t persons = 0;     // published, never above signals
  };
  Shown Publish(uint64_t signals, uint64_t persons, uint64_t organisations, uint32_t cell_key) const;
  // The same without the organisations rule: the administrator's live view
  // (`signaal broker themes`), who holds every partner's numbers anyway.
  Shown PublishCounts(uint64_t signals, uint64_t persons, uint32_t cell_key) const;

  // A shown cell split in two parts, each a cell of its own with its own
  // count, key and reporting organisations: its signals still open at the
  // partners and those referred on or resolved. Each part follows the
  // display rules; if either would show the mark, the split is withheld
  // whole (`suppressed`), since the other part and the cell's total would
  // give it away.
  struct Part {
    uint64_t signals = 0;
    uint32_t key = 0;
    uint64_t organisations = 0;
  };
  struct Split {
    bool suppressed = false;
    uint64_t first = 0, second = 0;  // published; both 0 = nothing to show
  };
  Split PublishSplit(const Part& first, const Part& second) const;

 private:
  uint32_t k_;
  uint32_t min_organisations_;
  PTable ptable_;
};

}  // namespace signaal::broker
