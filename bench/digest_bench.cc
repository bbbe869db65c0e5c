// Digest build (issue 7, target 5): a digest for Limburg from a ThemeTable
// holding 5,000 nodes × 52 weekly snapshots, in process, with the disclosure
// policy (k = 5, two organisations) and the LP audit. DigestOwnCells is the
// digest's own cells over the last 13 weeks (a quarter, the longest period a
// digest may cover); DigestFull adds the weekly series and the previous
// period, each audited, as `digest publish` and `digest fetch` do — for the
// last week (the scheduled weekly digest), and for the quarter only with
// --full-quarter, as it takes minutes (docs/PERFORMANCE.md). The baseline,
// in the same run: ThemeTable::Aggregate over the same region and 13 weeks —
// the raw totals, no disclosure control. TableCopy is what the poll loop pays
// to hand a digest to the worker thread (its own baseline: the same copy with
// every week copied, as before the copy shared them).
#include <benchmark/benchmark.h>

#include <cstring>
#include <ctime>
#include <memory>

#include "bench_util.h"
#include "digest_builder.h"
#include "signaal/period.h"

namespace signaal::bench {
namespace {

bool failed = false;
int cells_per_snapshot = 10;

const ReferenceData& Ref() {
  // Kept inside its Result: a copied ReferenceData would point into the original.
  static auto ref = ReferenceData::Load(ReferenceData::DefaultDir());
  return *ref;
}

std::vector<std::string> Year() {
  std::vector<std::string> weeks;
  for (int w = 52; w >= 1; --w) weeks.push_back(test::WeeksAgo(w));
  return weeks;
}

broker::ThemeTable& TableOf(int nodes) {
  static std::map<int, std::unique_ptr<broker::ThemeTable>> tables;
  auto& t = tables[nodes];
  if (t) return *t;
  t = std::make_unique<broker::ThemeTable>(Ref());
  const auto& gms = Ref().FindRegion("limburg")->municipalities;
  auto weeks = Year();
  for (int n = 0; n < nodes; ++n) {
    const std::string& gm = gms[static_cast<size_t>(n) % gms.size()];
    for (size_t w = 0; w < weeks.size(); ++w) {
      wire::SummarySnapshot s;
      s.set_node_id("node-" + std::to_string(n));
      s.set_period(weeks[w]);
      s.set_version(w + 1);
      s.set_taxonomy_version(Ref().taxonomy_version());
      for (auto& c : MakeCells(Ref(), gm, cells_per_snapshot, static_cast<uint32_t>(n * 131 + static_cast<int>(w)))) {
        *s.add_cells() = std::move(c);
      }
      t->Put(s);
    }
  }
  return *t;
}

// The last `n` weeks of the year held.
std::vector<std::string> LastWeeks(int64_t n) {
  auto weeks = Year();
  return {weeks.end() - n, weeks.end()};
}

void Aggregate(benchmark::State& state) {
  auto& table = TableOf(static_cast<int>(state.range(0)));
  auto weeks = LastWeeks(state.range(1));
  for (auto _ : state) benchmark::DoNotOptimize(table.Aggregate("limburg", weeks));
}

// What the poll loop pays to hand a digest to the worker: a copy of the table,
// then the next snapshot into `touched` of its weeks, each of which the loop
// then copies (copy on write). One touched week is what ingest does while a
// digest is built; all 52 is what a copy that shared nothing cost.
void TableCopy(benchmark::State& state) {
  auto& table = TableOf(static_cast<int>(state.range(0)));
  auto weeks = LastWeeks(state.range(1));
  uint64_t version = 1000;
  for (auto _ : state) {
    auto copy = std::make_unique<broker::ThemeTable>(table);
    for (const auto& week : weeks) {
      wire::SummarySnapshot s;
      s.set_node_id("node-0");
      s.set_period(week);
      s.set_version(++version);
      for (auto& c : MakeCells(Ref(), "GM0917", cells_per_snapshot, 7)) *s.add_cells() = std::move(c);
      table.Put(s);
    }
    benchmark::DoNotOptimize(copy.get());
  }
}

void Build(benchmark::State& state, broker::DigestBuilder::Context context) {
  auto& table = TableOf(static_cast<int>(state.range(0)));
  broker::DisclosurePolicy policy(5, 2);
  broker::DigestBuilder builder(Ref(), table, policy);
  auto weeks = LastWeeks(state.range(1));
  std::string period = weeks.size() == 1 ? weeks.back() : weeks.front() + ".." + weeks.back();
  int64_t now = static_cast<int64_t>(std::time(nullptr));
  for (auto _ : state) {
    auto d = builder.Build("limburg", period, now, {}, context);
    if (!d.ok()) {
      failed = true;
      state.SkipWithError(d.status().message().c_str());
      break;
    }
    state.counters["signals"] = d->total().signals();
    state.counters["suppressed"] = d->policy().cells_suppressed();
  }
}

}  // namespace
}  // namespace signaal::bench

int main(int argc, char** argv) {
  using namespace signaal::bench;
  bool smoke = false, full_quarter = false;
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    if (std::strcmp(argv[i], "--smoke") == 0) smoke = true;
    else if (std::strcmp(argv[i], "--full-quarter") == 0) full_quarter = true;
    else args.push_back(argv[i]);
  }
  // A digest covers at most a quarter (DigestBuilder::kMaxPeriodWeeks): 13 weeks.
  constexpr int64_t kQuarter = 13;
  int64_t nodes = smoke ? 20 : 5000;
  auto unit = [&](benchmark::internal::Benchmark* b, int64_t period_weeks) {
    b->Args({nodes, period_weeks})->ArgNames({"nodes", "weeks"})->Unit(benchmark::kMillisecond)->UseRealTime();
    if (smoke || period_weeks == kQuarter) b->Iterations(1);
  };
  unit(benchmark::RegisterBenchmark("Aggregate", Aggregate), kQuarter);
  for (int64_t touched : {int64_t{1}, int64_t{52}}) {
    benchmark::RegisterBenchmark("TableCopy", TableCopy)
        ->Args({nodes, touched})
        ->ArgNames({"nodes", "weeks_touched"})
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime()
        ->Iterations(smoke ? 1 : 5);
  }
  unit(benchmark::RegisterBenchmark("DigestOwnCells", [](benchmark::State& s) {
    Build(s, signaal::broker::DigestBuilder::Context::kNone);
  }), kQuarter);
  unit(benchmark::RegisterBenchmark("DigestFull", [](benchmark::State& s) {
    Build(s, signaal::broker::DigestBuilder::Context::kFull);
  }), 1);
  if (full_quarter) {
    unit(benchmark::RegisterBenchmark("DigestFull", [](benchmark::State& s) {
      Build(s, signaal::broker::DigestBuilder::Context::kFull);
    }), kQuarter);
  }
  int n = static_cast<int>(args.size());
  benchmark::Initialize(&n, args.data());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return failed ? 1 : 0;
}
