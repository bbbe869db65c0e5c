#include "theme_table.h"

namespace signaal::broker {

void ThemeTable::Put(const wire::SummarySnapshot& snapshot) {
  snapshots_[{snapshot.period(), snapshot.node_id()}] = snapshot;
}

TotalsByCode ThemeTable::Aggregate(const std::string& region, const std::vector<std::string>& weeks) const {
  const Region* r = ref_.FindRegion(region);
  if (!r) return {};
  return AggregateIn({r->municipalities.begin(), r->municipalities.end()}, weeks);
}

TotalsByCode ThemeTable::AggregateIn(const std::set<std::string>& municipalities,
                                     const std::vector<std::string>& weeks) const {
  TotalsByCode totals;
  for (const auto& week : weeks) {
    for (auto it = snapshots_.lower_bound({week, ""}); it != snapshots_.end() && it->first.first == week; ++it) {
      const wire::SummarySnapshot& snap = it->second;
      for (const auto& cell : snap.cells()) {
        if (!municipalities.count(cell.municipality())) continue;
        auto add = [&](const std::string& code) {
          CellTotals& t = totals[code];
          t.signals += cell.signals();
          t.persons += cell.persons();
          if (cell.signals() > 0) t.organisations.insert(snap.node_id());
        };
        add("");
        add(cell.theme());
        if (!cell.subtheme().empty()) add(cell.subtheme());
      }
    }
  }
  return totals;
}

std::string ThemeTable::LatestPeriod(const std::string& node_id) const {
  std::string latest;
  for (const auto& [key, snap] : snapshots_) {
    if (key.second == node_id && key.first > latest) latest = key.first;
  }
  return latest;
}

}  // namespace signaal::broker
