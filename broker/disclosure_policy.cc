#include "disclosure_policy.h"

#include <algorithm>

namespace signaal::broker {
namespace {

// DerivedKey purposes: each number of a cell other than its signals gets a
// key of its own, so its noise is not the signals' noise again.
constexpr uint32_t kPersonsKey = 1;

}  // namespace

DisclosurePolicy::Shown DisclosurePolicy::Publish(uint64_t signals, uint64_t persons, uint64_t organisations,
                                                  uint32_t cell_key) const {
  Shown shown = PublishCounts(signals, persons, cell_key);
  if (shown.signals > 0 && organisations < min_organisations_) {
    shown = Shown{};
    shown.suppressed = true;
  }
  return shown;
}

DisclosurePolicy::Shown DisclosurePolicy::PublishCounts(uint64_t signals, uint64_t persons, uint32_t cell_key) const {
  Shown shown;
  const uint64_t s = ptable_.Perturb(signals, cell_key);
  if (s == 0) return shown;  // zeros stay zero; a small count may be published as zero
  // Every signal has a person behind it, so a cell with signals has at least
  // one; and persons never exceed signals. Both only narrow what the noise
  // already allows: post-processing of published numbers.
  const uint64_t p = std::clamp<uint64_t>(ptable_.Perturb(persons, DerivedKey(cell_key, kPersonsKey)), 1, s);
  if (s < k_ || p < k_) {
    shown.suppressed = true;
    return shown;
  }
  shown.signals = s;
  shown.persons = p;
  return shown;
}

DisclosurePolicy::Split DisclosurePolicy::PublishSplit(const Part& first, const Part& second) const {
  // A part published as zero shows nothing of anyone; one published above
  // zero must pass k and come from enough partners, like any shown cell.
  auto shown = [&](const Part& part, uint64_t& published) {
    published = ptable_.Perturb(part.signals, part.key);
    return published == 0 || (published >= k_ && part.organisations >= min_organisations_);
  };
  Split split;
  if (!shown(first, split.first) || !shown(second, split.second)) return Split{true, 0, 0};
  return split;
}

}  // namespace signaal::broker
