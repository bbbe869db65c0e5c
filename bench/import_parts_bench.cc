// Where the node's import time per row goes (issue 7, target 2), in process,
// on a signaal-gen CSV: parsing and validation, sealing the text, the person's
// pseudonym, and SignalStore::Add (seal + pseudonym + serialise + one synced
// WriteBatch). Per row each; bench_import's baseline (a bare RocksDB
// WriteBatch put of the same size) costs about 5 µs per row on the reference
// machine, so ≥ 0.5× leaves ~10 µs per row for all of these together.
#include <benchmark/benchmark.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "bench_util.h"
#include "intake.h"
#include "signal_store.h"
#include "signaal/period.h"
#include "hmac.h"
#include "sealing.h"

namespace signaal::bench {
namespace {

bool failed = false;
constexpr int kRows = 20000;

const ReferenceData& Ref() {
  // Kept inside its Result: a copied ReferenceData would point into the original.
  static auto ref = ReferenceData::Load(ReferenceData::DefaultDir());
  return *ref;
}

const std::string& Csv() {
  static std::string csv = [] {
    test::TempDir dir;
    std::string path = dir.path() + "/s.csv";
    test::RunCommand({test::GenBinary(), "--rows", std::to_string(kRows), "--from", test::WeeksAgo(51), "--weeks",
                      "52", "--out", path});
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }();
  return csv;
}

const std::vector<node::ValidatedSignal>& Parsed() {
  static std::vector<node::ValidatedSignal> v = node::ParseSignalCsv(Csv(), "s.csv", Ref(), "helpdesk", Today())->valid;
  return v;
}

void ParseCsv(benchmark::State& state) {
  for (auto _ : state) {
    auto r = node::ParseSignalCsv(Csv(), "s.csv", Ref(), "helpdesk", Today());
    if (!r.ok() || r->valid.size() != kRows) {
      failed = true;
      state.SkipWithError("the CSV did not parse");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * kRows);
}

void SealText(benchmark::State& state) {
  std::string key = RandomBytes(32), text = "Wachttijd voor schuldhulp is al 12 weken";
  for (auto _ : state) benchmark::DoNotOptimize(Seal(key, text, "S0000001/text"));
  state.SetItemsProcessed(state.iterations());
}

void PersonPseudonym(benchmark::State& state) {
  std::string secret = RandomBytes(32);
  for (auto _ : state) benchmark::DoNotOptimize(node::Pseudonym(secret, "K-123456"));
  state.SetItemsProcessed(state.iterations());
}

// What the store does per row since it keys its crypto once (Sealer,
// HmacSha256Key), against the one-shot functions above.
void SealTextKeyedOnce(benchmark::State& state) {
  auto sealer = Sealer::Create(RandomBytes(32));
  std::string text = "Wachttijd voor schuldhulp is al 12 weken";
  for (auto _ : state) benchmark::DoNotOptimize(sealer->Seal(text, "S0000001/text"));
  state.SetItemsProcessed(state.iterations());
}

void PersonPseudonymKeyedOnce(benchmark::State& state) {
  auto mac = HmacSha256Key::Create(RandomBytes(32));
  for (auto _ : state) benchmark::DoNotOptimize(mac->Mac(node::NormalReference("K-123456")));
  state.SetItemsProcessed(state.iterations());
}

// The per-row half of StoreAdd: seal, pseudonymise, serialise, put into the
// batch and count the aggregates; nothing is committed (StoreAdd minus this
// is the commit: the aggregates' reads and the synced write).
void StoreAppend(benchmark::State& state) {
  test::TempDir dir;
  auto store = std::move(*node::SignalStore::Open(dir.path(), RandomBytes(32), RandomBytes(32)));
  const auto& rows = Parsed();
  for (auto _ : state) {
    node::SignalStore::Writer w(*store, 1);
    for (const auto& row : rows) {
      if (!w.Append(row).ok()) {
        failed = true;
        state.SkipWithError("Append failed");
        break;
      }
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(rows.size()));
  store.reset();
}

void StoreAdd(benchmark::State& state) {
  test::TempDir dir;
  auto store = std::move(*node::SignalStore::Open(dir.path(), RandomBytes(32), RandomBytes(32)));
  const auto& rows = Parsed();
  for (auto _ : state) {
    if (!store->Add(rows, 1).ok()) {
      failed = true;
      state.SkipWithError("Add failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(rows.size()));
  store.reset();
}

}  // namespace
}  // namespace signaal::bench

int main(int argc, char** argv) {
  using namespace signaal::bench;
  bool smoke = false;
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    if (std::strcmp(argv[i], "--smoke") == 0) smoke = true;
    else args.push_back(argv[i]);
  }
  auto unit = [&](benchmark::internal::Benchmark* b) {
    b->Unit(benchmark::kMicrosecond)->UseRealTime();
    if (smoke) b->Iterations(1);
  };
  unit(benchmark::RegisterBenchmark("ParseCsv", ParseCsv));
  unit(benchmark::RegisterBenchmark("SealText", SealText));
  unit(benchmark::RegisterBenchmark("PersonPseudonym", PersonPseudonym));
  unit(benchmark::RegisterBenchmark("SealTextKeyedOnce", SealTextKeyedOnce));
  unit(benchmark::RegisterBenchmark("PersonPseudonymKeyedOnce", PersonPseudonymKeyedOnce));
  unit(benchmark::RegisterBenchmark("StoreAppend", StoreAppend));
  unit(benchmark::RegisterBenchmark("StoreAdd", StoreAdd));
  int n = static_cast<int>(args.size());
  benchmark::Initialize(&n, args.data());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return failed ? 1 : 0;
}
