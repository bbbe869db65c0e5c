// DigestBuilder: turns the combined ThemeTable into a Digest for a region and
// a period — per theme and subtheme the signals, persons and number of
// reporting organisations — and runs the DisclosurePolicy over it. Nothing
// leaves the broker in a digest that the policy has not seen.
#pragma once

#include <string>

#include "disclosure_policy.h"
#include "signaal.pb.h"
#include "signaal/period.h"
#include "signaal/reference_data.h"
#include "theme_table.h"

namespace signaal::broker {

class DigestBuilder {
 public:
  DigestBuilder(const ReferenceData& ref, const ThemeTable& table, const DisclosurePolicy& policy)
      : ref_(ref), table_(table), policy_(policy) {}

  Result<wire::Digest> Build(const std::string& region, const std::string& period, int64_t now) const;

 private:
  const ReferenceData& ref_;
  const ThemeTable& table_;
  const DisclosurePolicy& policy_;
};

}  // namespace signaal::broker
