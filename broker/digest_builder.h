// DigestBuilder: turns the combined ThemeTable into a Digest for a region and
// a period — per theme and subtheme the signals, persons and number of
// reporting organisations — and runs the DisclosurePolicy over it together
// with every digest released before that it overlaps. Nothing leaves
// the broker in a digest that the policy has not seen.
#pragma once

#include <string>
#include <vector>

#include "disclosure_policy.h"
#include "signaal.pb.h"
#include "signaal/period.h"
#include "signaal/reference_data.h"
#include "theme_table.h"

namespace signaal::broker {

// Every release a built digest makes, flat: the digest itself, then its
// breakdown and context parts, each without parts of its own. The ledger
// (BrokerStore::Releases) and the audit hold releases this way.
std::vector<wire::Digest> FlatReleases(const wire::Digest& digest);

class DigestBuilder {
 public:
  DigestBuilder(const ReferenceData& ref, const ThemeTable& table, const DisclosurePolicy& policy)
      : ref_(ref), table_(table), policy_(policy) {}

  // What a digest carries besides its own cells and, for a region of more
  // than one municipality, its breakdown by municipality.
  enum class Context {
    kNone,  // the cells and the breakdown only
    kFull,  // also the weekly series and the previous period
  };

  // `released`: every digest this broker has released before, in any order
  // (BrokerStore::Releases). Those whose weeks and municipalities overlap the
  // new one's, directly or through each other, are audited with it. With
  // kFull, each context digest in turn against everything before it. Then,
  // for a region of more than one municipality, the breakdown by
  // municipality, all municipalities together, against all of that. The
  // region's own numbers come first, so neither context nor breakdown ever
  // costs them a cell. Record the result with BrokerStore::RecordRelease,
  // which records every part.
  Result<wire::Digest> Build(const std::string& region, const std::string& period, int64_t now,
                             const std::vector<wire::Digest>& released = {},
                             Context context = Context::kNone) const;

  // Weeks before a period that its series shows: the baseline of the trend rule.
  static constexpr int kBaselineWeeks = 12;
  // Weeks up to the period's end that the chart and sparklines draw; of a
  // longer period only these are released week by week.
  static constexpr int kSeriesWeeks = 13;
  // The longest period a digest covers: a quarter (13 or 14 ISO weeks). The
  // audit of a longer one, with its context, runs for many minutes on the
  // broker's one digest worker, holding up every digest queued behind it
  // (docs/PERFORMANCE.md), and any subscriber may ask.
  static constexpr int kMaxPeriodWeeks = 14;

 private:
  Status AddMunicipalities(wire::Digest& digest, const Region& region, const PeriodRange& range, int64_t now,
                           std::vector<wire::Digest>& released) const;
  Status AddContext(wire::Digest& digest, const Region& region, const PeriodRange& range, int64_t now,
                    std::vector<wire::Digest>& released) const;
  wire::Digest Assemble(const Region& region, const PeriodRange& range, int64_t now) const;
  // Audits `fresh` (released together) against `released`; blanks what it hides.
  Status Protect(const std::vector<wire::Digest*>& fresh, const std::vector<wire::Digest>& released) const;

  const ReferenceData& ref_;
  const ThemeTable& table_;
  const DisclosurePolicy& policy_;
};

}  // namespace signaal::broker
