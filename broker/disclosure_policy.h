// DisclosurePolicy: decides which cells of a digest may be shown. Run on the
// combined table of all partners, never per partner.
//
// This is primary suppression only: a cell is suppressed when fewer than k
// distinct persons are behind it (persons <= signals, so this also covers
// "fewer than k signals"). Secondary suppression across the hierarchy and the
// trend series is a separate step that plugs in at Apply().
#pragma once

#include <cstdint>
#include <string>

#include "signaal.pb.h"

namespace signaal::broker {

class DisclosurePolicy {
 public:
  explicit DisclosurePolicy(uint32_t k) : k_(k) {}
  uint32_t k() const { return k_; }
  std::string method() const { return "primary-threshold"; }

  // True if a cell with these totals must not be shown.
  bool PrimarySuppressed(uint64_t signals, uint64_t persons) const {
    return signals > 0 && (persons < k_ || signals < k_);
  }

  // Marks and blanks every cell of the digest that must not be shown, and
  // records the policy and counts in digest.policy.
  void Apply(wire::Digest& digest) const;

 private:
  void ApplyCell(wire::DigestCell& cell, uint32_t& published, uint32_t& suppressed) const;
  uint32_t k_;
};

}  // namespace signaal::broker
