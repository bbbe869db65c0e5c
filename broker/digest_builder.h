// DigestBuilder: turns the combined ThemeTable into a Digest for a region and
// a period — per theme and subtheme the signals, persons and number of
// reporting organisations — every number published through the
// DisclosurePolicy (the cell-key method). Nothing leaves the broker in a
// digest that the policy has not perturbed, and nothing it builds depends on
// what was released before: the same cell gives the same number in any
// digest, in any order.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "disclosure_policy.h"
#include "wire.pb.h"
#include "signaal/period.h"
#include "signaal/reference_data.h"
#include "theme_table.h"

namespace signaal::broker {

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

  // Reads the table once for every week and municipality the digest shows
  // (ThemeTable::ReadGrid), then sums and publishes each of its cells. When
  // `abandon` becomes true the build stops at its next step (a series week,
  // a municipality of the breakdown) with an error: a stopping broker or a
  // requester that has gone need no digest.
  Result<wire::Digest> Build(const std::string& region, const std::string& period, int64_t now,
                             Context context = Context::kNone, const std::atomic<bool>* abandon = nullptr) const;

  // Weeks before a period that its series shows: the baseline of the trend rule.
  static constexpr int kBaselineWeeks = 12;
  // Weeks up to the period's end that the chart and sparklines draw.
  static constexpr int kSeriesWeeks = 13;
  // Citizens' quotes a digest shows per theme, at most.
  static constexpr int kQuotesPerTheme = 3;

  // The weeks a digest of `range` shows with `context`: its own, and with
  // kFull the series' and the previous period's. What Build reads, and what
  // the benchmark's baseline aggregates.
  static std::vector<std::string> WeeksRead(const PeriodRange& range, Context context);

 private:
  // The published digest of one area's totals (no context, no breakdown).
  wire::Digest Assemble(const Region& region, const PeriodRange& range, const CountsByCode& counts,
                        int64_t now) const;
  // One cell's published numbers; `with_open` (themes and the total) adds
  // the share still open at the partners.
  void Publish(wire::DigestCell& cell, const CountsByCode& counts, const std::string& code, bool with_open) const;
  // Citizens' quotes of the digest's weeks (DigestQuote): up to
  // kQuotesPerTheme per theme the digest shows, chosen by a hash so the same
  // digest shows the same ones.
  void AddQuotes(wire::Digest& digest, const Region& region, const std::vector<std::string>& weeks) const;

  const ReferenceData& ref_;
  const ThemeTable& table_;
  const DisclosurePolicy& policy_;
};

}  // namespace signaal::broker
