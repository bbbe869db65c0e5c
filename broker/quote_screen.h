// QuoteScreen: the broker's look at the quotes in a node's snapshot before
// it stores them. A quote that is malformed (id, length, theme) or in which
// the broker's own scrubber still finds personal data is taken out of the
// snapshot and refused; the rest of the snapshot is stored as usual (the
// Ack lists the refused ones). Its cost is bounded by the snapshot's size:
// at most kMaxQuotes quotes of at most kMaxChars characters are scrubbed.
#pragma once

#include <vector>

#include "wire.pb.h"
#include "signaal/reference_data.h"
#include "signaal/scrub.h"

namespace signaal::broker {

class QuoteScreen {
 public:
  static constexpr int kMaxQuotes = 50;      // per snapshot (a node's week)
  static constexpr size_t kMaxChars = 500;   // per quote, in code points

  QuoteScreen(const ReferenceData& ref, const PiiScrubber& scrubber) : ref_(ref), scrubber_(scrubber) {}

  // Removes the refused quotes from `snapshot` and says why of each.
  std::vector<wire::QuoteRefusal> Screen(wire::SummarySnapshot& snapshot) const;

 private:
  const ReferenceData& ref_;
  const PiiScrubber& scrubber_;
};

}  // namespace signaal::broker
