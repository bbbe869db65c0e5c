// Node summaries (issue 7, target 3): the cost of producing one week's signed
// snapshot — Outbox::Publish, as the daemon does it every publish interval for
// a changed week — after 1k, 10k, 100k and 1M stored signals. The baseline is
// the same benchmark at 1k: O(cells) means the ratio stays near 1.
//
// ReferenceSummary times the way it was done before the store kept
// aggregates (Summarise over every signal of the week), for comparison.
//
// Two layouts: every signal in the week summarised (`weeks:1`, the worst
// case), and the signals spread over a year (`weeks:52`), where the week
// holds 1/52 of them.
#include <benchmark/benchmark.h>

#include <cstring>
#include <iostream>
#include <map>
#include <memory>

#include "bench_util.h"
#include "outbox.h"
#include "signal_store.h"
#include "summariser.h"
#include "signaal/config.h"
#include "signaal/period.h"

namespace signaal::bench {
namespace {

struct Store {
  std::unique_ptr<test::TempDir> dir;
  std::unique_ptr<node::SignalStore> store;
  std::unique_ptr<node::Outbox> outbox;
  std::string week;  // the week summarised
};

const ReferenceData& Ref() {
  // Kept inside its Result: a copied ReferenceData would point into the original.
  static auto ref = ReferenceData::Load(ReferenceData::DefaultDir());
  return *ref;
}

// Signals like signaal-gen's: skewed themes, most with a person (repeating)
// and a free text, in a few municipalities.
std::vector<node::ValidatedSignal> MakeSignals(uint64_t first, uint64_t n, const std::vector<std::string>& weeks) {
  static const std::vector<std::string> gms = {"GM0917", "GM0935", "GM0888", "GM0983", "GM1883"};
  auto themes = Ref().TopThemes();
  std::vector<node::ValidatedSignal> out;
  out.reserve(n);
  for (uint64_t i = first; i < first + n; ++i) {
    uint64_t h = i * 0x9E3779B97F4A7C15ull;
    const Theme* theme = themes[(h >> 7) % 3 == 0 ? (h >> 11) % themes.size() : (h >> 13) % 3];
    auto subs = Ref().SubthemesOf(theme->code);
    node::ValidatedSignal v;
    auto& r = v.record;
    const std::string& week = weeks[i % weeks.size()];
    r.set_period(week);
    r.set_date(MondayOfWeek(week)->ToIso());
    r.set_municipality(gms[(h >> 17) % gms.size()]);
    r.set_theme(theme->code);
    if (!subs.empty() && (h >> 23) % 5 != 0) r.set_subtheme(subs[(h >> 29) % subs.size()]->code);
    r.set_age_band(ReferenceData::AgeBands()[(h >> 31) % 5]);
    r.set_channel("helpdesk");
    r.set_severity(1 + static_cast<uint32_t>((h >> 37) % 3));
    r.set_status("open");
    r.set_text("Wachttijd voor schuldhulp is al " + std::to_string(2 + (h >> 41) % 20) + " weken");
    if ((h >> 43) % 10 != 0) v.person_reference = "K-" + std::to_string((h >> 3) % (first + n));
    out.push_back(std::move(v));
  }
  return out;
}

// Closed before exit: RocksDB's own statics go before a static store would.
std::map<std::pair<uint64_t, int>, Store> stores;

Store& StoreWith(uint64_t signals, int weeks) {
  auto key = std::make_pair(signals, weeks);
  if (auto it = stores.find(key); it != stores.end()) return it->second;
  Store& s = stores[key];
  s.dir = std::make_unique<test::TempDir>();
  s.store = std::move(*node::SignalStore::Open(s.dir->path(), RandomBytes(32), RandomBytes(32)));
  std::vector<std::string> week_list;
  for (int w = 0; w < weeks; ++w) week_list.push_back(test::WeeksAgo(w + 1));
  s.week = week_list.front();
  constexpr uint64_t kBatch = 100'000;
  int64_t now = static_cast<int64_t>(std::time(nullptr));
  for (uint64_t done = 0; done < signals; done += kBatch) {
    if (auto r = s.store->Add(MakeSignals(done, std::min(kBatch, signals - done), week_list), now); !r.ok()) {
      std::cerr << r.status().message() << "\n";
      std::exit(1);
    }
  }
  s.outbox = std::make_unique<node::Outbox>(*s.store, Ref(), "bench-node", GenerateSigningKeyPair(), 365,
                                            NodeConfig{}.min_cell);
  // Every week was changed by the import; publish them all once, so each
  // iteration below makes exactly the one week it marks changed.
  if (!s.outbox->Publish(now).ok()) std::exit(1);
  return s;
}

bool failed = false;  // a skipped benchmark fails the program, so the ctest smoke catches it

void WeekSnapshot(benchmark::State& state) {
  Store& s = StoreWith(static_cast<uint64_t>(state.range(0)), static_cast<int>(state.range(1)));
  int64_t now = static_cast<int64_t>(std::time(nullptr));
  for (auto _ : state) {
    state.PauseTiming();
    // Marks the week changed, as a new signal would.
    if (!s.store->Supersede(s.week, 0, 0).ok()) {
      failed = true;
      state.SkipWithError("cannot mark the week changed");
      break;
    }
    state.ResumeTiming();
    auto published = s.outbox->Publish(now);
    if (!published.ok() || published->size() != 1) {
      failed = true;
      state.SkipWithError("the week was not published");
      break;
    }
  }
  wire::SummarySnapshot snap;
  auto outbox = s.store->Outbox();
  if (!outbox.ok()) {
    state.SkipWithError(outbox.status().message().c_str());
    return;
  }
  wire::SignedEnvelope env;
  if (env.ParseFromString((*outbox)[s.week].envelope) && snap.ParseFromString(env.payload())) {
    state.counters["cells"] = static_cast<double>(snap.cells_size());
    uint64_t in_week = 0;
    for (const auto& c : snap.cells()) in_week += c.signals();
    state.counters["signals_in_week"] = static_cast<double>(in_week);
  }
}

// What the snapshot cost before aggregates: every signal of the week read
// and counted again (Summarise, kept as the reference), for comparison in
// the same run.
void ReferenceSummary(benchmark::State& state) {
  Store& s = StoreWith(static_cast<uint64_t>(state.range(0)), static_cast<int>(state.range(1)));
  for (auto _ : state) {
    benchmark::DoNotOptimize(node::Summarise(s.store->SignalsOf(s.week), static_cast<uint32_t>(NodeConfig{}.min_cell),
                                             [&](const std::string& id) {
                                               auto key = s.store->RecordKey(id);
                                               return key.ok() ? *key : 0u;
                                             }));
  }
}

}  // namespace
}  // namespace signaal::bench

int main(int argc, char** argv) {
  bool smoke = false;
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    if (std::strcmp(argv[i], "--smoke") == 0) smoke = true;
    else args.push_back(argv[i]);
  }
  std::vector<int64_t> sizes = smoke ? std::vector<int64_t>{1000, 10000}
                                     : std::vector<int64_t>{1000, 10000, 100000, 1000000};
  auto* b = benchmark::RegisterBenchmark("WeekSnapshot", signaal::bench::WeekSnapshot);
  for (int weeks : {1, 52}) {
    for (int64_t n : sizes) b->Args({n, weeks});
  }
  b->ArgNames({"signals", "weeks"})->Unit(benchmark::kMillisecond)->UseRealTime();
  if (smoke) b->Iterations(2);
  auto* ref = benchmark::RegisterBenchmark("ReferenceSummary", signaal::bench::ReferenceSummary);
  for (int weeks : {1, 52}) {
    for (int64_t n : sizes) ref->Args({n, weeks});
  }
  ref->ArgNames({"signals", "weeks"})->Unit(benchmark::kMillisecond)->UseRealTime();
  if (smoke) ref->Iterations(1);
  int n = static_cast<int>(args.size());
  benchmark::Initialize(&n, args.data());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  signaal::bench::stores.clear();
  return signaal::bench::failed ? 1 : 0;
}
