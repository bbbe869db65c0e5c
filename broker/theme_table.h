// ThemeTable: the combined table of all partners' newest snapshots, held in
// memory and kept current as snapshots arrive. It answers "how many signals,
// persons and reporting organisations per theme and subtheme, in this region,
// over these weeks" — before any disclosure control.
#pragma once

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "signaal.pb.h"
#include "signaal/reference_data.h"

namespace signaal::broker {

// Raw totals of one cell of the combined table.
struct CellTotals {
  uint64_t signals = 0;
  uint64_t persons = 0;                   // summed over organisations and weeks
  std::set<std::string> organisations;    // node ids with signals in the cell
};

// Totals by code: "" = everything, a theme code, or a subtheme code.
using TotalsByCode = std::map<std::string, CellTotals>;

class ThemeTable {
 public:
  explicit ThemeTable(const ReferenceData& ref) : ref_(ref) {}

  // Replaces the snapshot for (node, period): the caller has checked that it
  // is newer than what the table holds.
  void Put(const wire::SummarySnapshot& snapshot);

  // Totals for a region over a set of ISO weeks.
  TotalsByCode Aggregate(const std::string& region, const std::vector<std::string>& weeks) const;
  // Totals for a set of municipalities (CBS codes) over a set of ISO weeks.
  TotalsByCode AggregateIn(const std::set<std::string>& municipalities, const std::vector<std::string>& weeks) const;

  // Newest period each node has delivered ("" if none).
  std::string LatestPeriod(const std::string& node_id) const;
  size_t snapshot_count() const { return snapshots_.size(); }

 private:
  const ReferenceData& ref_;
  // (period, node) -> snapshot; period first so a week's snapshots are adjacent.
  std::map<std::pair<std::string, std::string>, wire::SummarySnapshot> snapshots_;
};

}  // namespace signaal::broker
