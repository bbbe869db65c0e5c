#include "disclosure_policy.h"

namespace signaal::broker {

void DisclosurePolicy::ApplyCell(wire::DigestCell& cell, uint32_t& published, uint32_t& suppressed) const {
  if (PrimarySuppressed(cell.signals(), cell.persons())) {
    cell.set_suppressed(true);
    // Blank every value: a suppressed cell carries no number at all, and its
    // organisations count would tell which partner is behind it.
    cell.set_signals(0);
    cell.set_persons(0);
    cell.set_organisations(0);
    ++suppressed;
  } else {
    ++published;
  }
  for (auto& sub : *cell.mutable_subthemes()) ApplyCell(sub, published, suppressed);
}

void DisclosurePolicy::Apply(wire::Digest& digest) const {
  uint32_t published = 0, suppressed = 0;
  ApplyCell(*digest.mutable_total(), published, suppressed);
  for (auto& theme : *digest.mutable_themes()) ApplyCell(theme, published, suppressed);
  auto* policy = digest.mutable_policy();
  policy->set_k(k_);
  policy->set_method(method());
  policy->set_cells_published(published);
  policy->set_cells_suppressed(suppressed);
}

}  // namespace signaal::broker
