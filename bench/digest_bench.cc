// Digest cost under the cell-key method (issue 14, "Cost"): any digest, one
// week to a year, for a municipality, a sub-region, a region and the
// province, from a ThemeTable holding N nodes × 52 weekly snapshots, built
// as the broker builds it (with its weekly series, previous period and
// breakdown by municipality). Each is timed against its baseline in the same
// run: ThemeTable::Aggregate over the same area and the same weeks the digest
// shows (its own, the series' and the previous period's) — the raw totals,
// no disclosure control, no context assembled.
//
// History: the same digests timed again after 1,000 earlier digests were
// built and recorded in a BrokerStore's audit trail (the broker's digest
// path: build, then record), against the same path with an empty trail; and
// the process's resident memory before and after those 1,000.
//
//   bench_digest [--smoke] [--runs R]
// Prints one table and a JSON report line (tools/bench.sh); medians of R.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <functional>
#include <memory>
#include <unistd.h>

#include "bench_util.h"
#include "broker_store.h"
#include "process.h"
#include "digest_builder.h"
#include "signaal/period.h"
#include "signaal/ptable.h"

namespace signaal::bench {
namespace {

const ReferenceData& Ref() {
  // Kept inside its Result: a copied ReferenceData would point into the original.
  static auto ref = ReferenceData::Load(ReferenceData::DefaultDir());
  return *ref;
}

// ISO weeks 2026-W01..W52 and the year before, so a year's previous period
// and series have data too.
std::vector<std::string> Weeks() {
  std::vector<std::string> weeks;
  for (int w = 0; w < 104; ++w) weeks.push_back(AddWeeks("2025-W01", w));
  return weeks;
}

std::unique_ptr<broker::ThemeTable> MakeTable(int nodes, int weeks_held) {
  auto t = std::make_unique<broker::ThemeTable>(Ref());
  const auto& gms = Ref().FindRegion("limburg")->municipalities;
  auto weeks = Weeks();
  weeks.erase(weeks.begin(), weeks.end() - weeks_held);
  for (int n = 0; n < nodes; ++n) {
    const std::string& gm = gms[static_cast<size_t>(n) % gms.size()];
    for (size_t w = 0; w < weeks.size(); ++w) {
      wire::SummarySnapshot s;
      s.set_node_id("node-" + std::to_string(n));
      s.set_period(weeks[w]);
      s.set_version(w + 1);
      for (auto& c : MakeCells(Ref(), gm, 10, static_cast<uint32_t>(n * 131 + static_cast<int>(w)))) {
        *s.add_cells() = std::move(c);
      }
      t->Put(s);
    }
  }
  return t;
}

}  // namespace
}  // namespace signaal::bench

int main(int argc, char** argv) {
  using namespace signaal;
  using namespace signaal::bench;
  bool smoke = false;
  int runs = 5;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--smoke") == 0) smoke = true;
    else if (std::strcmp(argv[i], "--runs") == 0 && i + 1 < argc) runs = std::max(1, std::atoi(argv[++i]));
  }
  const int nodes = smoke ? 20 : 5000;
  if (smoke) runs = 1;
  auto ptable = PTable::Make(2, 1.0);
  if (!ptable.ok()) return Fail("digest", ptable.status().message());
  broker::DisclosurePolicy policy(5, 2, std::move(*ptable));
  auto started = Clock::now();
  auto table = MakeTable(nodes, 52);
  std::printf("table: %d nodes x 52 weeks in %.1f s, %.0f MiB resident\n", nodes, SecondsSince(started), RssMiB());
  broker::DigestBuilder builder(Ref(), *table, policy);

  Report report("digest");
  report.Note("nodes", nodes);
  report.Note("runs", runs);
  struct Case {
    const char* area;
    const char* period;
  };
  // The last weeks of the table: 2026-W52 is held, 2026-W53 is not.
  const std::vector<Case> cases = {
      {"GM0917", "2026-W52"},       {"parkstad", "2026-W52"},     {"zuid-limburg", "2026-W52"},
      {"limburg", "2026-W52"},      {"limburg", "2026-11"},       {"zuid-limburg", "2026-Q4"},
      {"limburg", "2026-Q4"},       {"limburg", "2026-H2"},       {"parkstad", "2026"},
      {"limburg", "2026"},
  };
  std::printf("%-14s %-9s %12s %12s %8s\n", "area", "period", "digest ms", "aggregate ms", "ratio");
  double worst = 0;
  for (const auto& c : cases) {
    auto range = ParsePeriod(c.period);
    if (!range.ok()) return Fail("digest", range.status().message());
    const auto read = broker::DigestBuilder::WeeksRead(*range, broker::DigestBuilder::Context::kFull);
    std::vector<double> digest_ms, aggregate_ms;
    bool ok = true;
    for (int r = 0; r < runs; ++r) {
      aggregate_ms.push_back(MillisOf([&] { auto t = table->Aggregate(c.area, read); (void)t; }));
      digest_ms.push_back(MillisOf([&] {
        ok &= builder.Build(c.area, c.period, 1000, broker::DigestBuilder::Context::kFull).ok();
      }));
    }
    if (!ok) return Fail("digest", std::string("cannot build ") + c.area + " " + c.period);
    double d = Median(digest_ms), a = Median(aggregate_ms);
    worst = std::max(worst, d / a);
    std::printf("%-14s %-9s %12.1f %12.1f %7.2fx\n", c.area, c.period, d, a, d / a);
    report.Set(std::string("ratio.") + c.area + "." + c.period, d / a);
    report.Set(std::string("ms.") + c.area + "." + c.period, d);
  }
  report.Set("ratio.worst", worst);

  // History: the broker's path (build, record) with an empty trail, then
  // after 1,000 earlier digests of all kinds.
  test::TempDir dir;
  auto store = broker::BrokerStore::Open(dir.path());
  if (!store.ok()) return Fail("digest", store.status().message());
  Status path_failed = Status::Ok();
  auto path = [&](const Case& c) {
    auto d = builder.Build(c.area, c.period, 1000, broker::DigestBuilder::Context::kFull);
    Status s = d.ok() ? (*store)->RecordRelease(*d, "bench", "fetch", 1000) : d.status();
    if (!s.ok() && path_failed.ok()) path_failed = s;
  };
  const Case probe{"zuid-limburg", "2026-Q4"};
  std::vector<double> before;
  for (int r = 0; r < runs; ++r) before.push_back(MillisOf([&] { path(probe); }));
  const double rss_before = RssMiB();
  const int earlier = smoke ? 50 : 1000;
  std::vector<std::string> areas = {"GM0917", "GM0928", "parkstad", "maastricht-heuvelland", "zuid-limburg",
                                    "westelijke-mijnstreek", "limburg"};
  for (int i = 0; i < earlier; ++i) {
    const std::string week = AddWeeks("2026-W01", i % 52);
    path({areas[static_cast<size_t>(i) % areas.size()].c_str(), week.c_str()});
  }
  const double rss_after = RssMiB();
  std::vector<double> after;
  for (int r = 0; r < runs; ++r) after.push_back(MillisOf([&] { path(probe); }));
  if (!path_failed.ok()) return Fail("digest", path_failed.message());
  const double history = Median(after) / Median(before);
  std::printf("history: %s %s built and recorded in %.1f ms with an empty trail, %.1f ms after %d earlier "
              "digests (%.2fx); resident %.0f -> %.0f MiB over those %d\n",
              probe.area, probe.period, Median(before), Median(after), earlier, history, rss_before, rss_after,
              earlier);
  report.Set("history.ratio", history);
  report.Set("history.rss_growth_mib", rss_after - rss_before);
  return report.Print();
}
