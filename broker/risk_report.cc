#include "risk_report.h"

#include <chrono>
#include <map>
#include <tuple>

#include "digest_builder.h"
#include "interval_attacker.h"

namespace signaal::broker {

bool ReleaseTouches(const storage::ReleaseRecord& record, const PeriodRange& period) {
  if (!IsValidWeek(record.from_week()) || !IsValidWeek(record.to_week())) return false;
  // The previous period is as long as the digest's own and the series
  // reaches kBaselineWeeks further back: what a digest shows starts there.
  const auto own = PeriodRange{"", record.from_week(), record.to_week()}.Weeks();
  const int reach = static_cast<int>(own.size()) + DigestBuilder::kBaselineWeeks;
  const std::string first = AddWeeks(record.from_week(), -reach);
  return first <= period.to && period.from <= record.to_week();
}

Result<wire::RiskReport> MakeRiskReport(const ReferenceData& ref, const ThemeTable& table,
                                        const DisclosurePolicy& policy, const std::string& period,
                                        const std::vector<wire::Digest>& released,
                                        const std::atomic<bool>* abandon) {
  auto abandoned = [&] { return abandon && abandon->load(std::memory_order_relaxed); };
  auto started = std::chrono::steady_clock::now();
  attack::AttackParameters params;
  params.k = policy.k();
  params.max_deviation = policy.ptable().max_deviation();
  // The mark also hides cells one partner alone reports, and cells whose
  // published persons fall below k, whatever their signals: it bounds the
  // truth only when neither rule can apply.
  params.mark_bounded = false;
  attack::IntervalAttacker attacker(ref, params);
  for (const auto& d : released) {
    if (abandoned()) return Status::Runtime("the risk report was abandoned before it was made");
    if (Status s = attacker.Add(d); !s.ok()) return s;
  }
  // The truth of a cell, from the table as it is now; each area and range
  // aggregated once.
  std::map<std::tuple<std::string, std::string, std::string>, TotalsByCode> cache;
  auto truth = [&](const attack::Cell& cell) -> std::optional<uint64_t> {
    // An unknown truth skips the target: abandoned, the rest goes quickly.
    if (abandoned()) return std::nullopt;
    auto key = std::make_tuple(cell.region, cell.from_week, cell.to_week);
    auto it = cache.find(key);
    if (it == cache.end()) {
      it = cache.emplace(key, table.Aggregate(cell.region, PeriodRange{"", cell.from_week, cell.to_week}.Weeks()))
               .first;
    }
    auto t = it->second.find(cell.code);
    return t == it->second.end() ? 0 : t->second.signals;
  };
  auto report = attacker.Attack(truth);
  if (!report.ok()) return report.status();
  if (abandoned()) return Status::Runtime("the risk report was abandoned before it was made");
  const attack::AttackSummary& s = report->summary;
  wire::RiskReport out;
  out.set_period(period);
  out.set_digests(s.digests);
  out.set_numbers(s.numbers);
  out.set_cells_attacked(s.cells_attacked);
  out.set_narrowed_below_k(s.narrowed_below_k);
  out.set_exact(s.exact);
  out.set_narrowest_width(s.narrowest == UINT64_MAX ? 0 : static_cast<uint32_t>(std::min<uint64_t>(s.narrowest, UINT32_MAX)));
  out.set_max_deviation(policy.ptable().max_deviation());
  out.set_variance(policy.ptable().variance());
  out.set_k(policy.k());
  out.set_millis(std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started)
                     .count());
  return out;
}

}  // namespace signaal::broker
