// Where the broker's time per snapshot goes (issue 7, target 1), in process:
// each step HandleSnapshot takes, on the same 100-cell signed snapshot the
// ingest benchmark sends. The baselines, in the same run: one synced bare
// RocksDB put per snapshot (what the broker pays now) against one synced
// WriteBatch per 64 snapshots (what a group commit would pay), and a bare
// CURVE message of the same size costs what bench_ingest's baseline says.
// OfferSnapshots/per_batch:64 is the broker's own group commit.
#include <benchmark/benchmark.h>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <cstring>
#include <ctime>

#include "bench_util.h"
#include "broker_store.h"
#include "snapshot_validator.h"
#include "signaal/wire_limits.h"
#include "theme_table.h"

namespace signaal::bench {
namespace {

int cells = 100;
bool failed = false;

const ReferenceData& Ref() {
  // Kept inside its Result: a copied ReferenceData would point into the original.
  static auto ref = ReferenceData::Load(ReferenceData::DefaultDir());
  return *ref;
}

struct Sample {
  SimNode node = MakeSimNode("bench-0", "GM0917");
  wire::Principal principal;
  std::vector<wire::SignedEnvelope> envelopes;  // one per week of a year
  std::vector<wire::SummarySnapshot> snapshots;
};

const Sample& TheSample() {
  static Sample s = [] {
    Sample s;
    s.principal.set_id(s.node.id);
    s.principal.set_role(wire::ROLE_NODE);
    s.principal.set_sign_public_key(s.node.keys.signing.public_hex);
    int64_t now = static_cast<int64_t>(std::time(nullptr));
    for (int w = 0; w < 52; ++w) {
      wire::ClientMessage m;
      m.ParseFromString(SignedSnapshotMessage(s.node, test::WeeksAgo(52 - w), static_cast<uint64_t>(w + 1),
                                              MakeCells(Ref(), "GM0917", cells, static_cast<uint32_t>(w)), now));
      s.envelopes.push_back(m.snapshot());
      s.snapshots.emplace_back().ParseFromString(m.snapshot().payload());
    }
    return s;
  }();
  return s;
}

void ParseAndVerify(benchmark::State& state) {
  const Sample& s = TheSample();
  broker::SnapshotValidator validator(Ref());
  int64_t now = static_cast<int64_t>(std::time(nullptr));
  size_t i = 0;
  for (auto _ : state) {
    wire::SummarySnapshot snap;
    broker::Refusal refusal;
    if (!validator.Check(s.envelopes[i++ % s.envelopes.size()], s.principal, now, snap, refusal)) {
      failed = true;
      state.SkipWithError(refusal.detail.c_str());
      break;
    }
  }
}

// The bounds and classes of every string of the snapshot (wire_limits.h),
// part of ParseAndVerify since issue 15.
void WireStrings(benchmark::State& state) {
  const Sample& s = TheSample();
  size_t i = 0;
  for (auto _ : state) {
    if (Status st = CheckWireStrings(s.snapshots[i++ % s.snapshots.size()]); !st.ok()) {
      failed = true;
      state.SkipWithError(st.message().c_str());
      break;
    }
  }
}

void SignatureOnly(benchmark::State& state) {
  const Sample& s = TheSample();
  for (auto _ : state) {
    const auto& e = s.envelopes[0];
    benchmark::DoNotOptimize(Verify(s.node.keys.signing.public_hex, e.payload(), e.signature()));
  }
}

// What the validator pays per message since it keeps each node's decoded key.
void SignatureCachedKey(benchmark::State& state) {
  const Sample& s = TheSample();
  auto key = *VerifyKey::FromHex(s.node.keys.signing.public_hex);
  for (auto _ : state) {
    const auto& e = s.envelopes[0];
    benchmark::DoNotOptimize(key.Verify(e.payload(), e.signature()));
  }
}

// The group commit: range(0) snapshots per OfferSnapshots; time per snapshot.
void OfferSnapshots(benchmark::State& state) {
  const Sample& s = TheSample();
  test::TempDir dir;
  auto store = std::move(*broker::BrokerStore::Open(dir.path()));
  int64_t per_batch = state.range(0);
  uint64_t n = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<wire::SummarySnapshot> snaps;
    std::vector<const wire::SummarySnapshot*> batch;
    for (int64_t i = 0; i < per_batch; ++i) {
      snaps.push_back(s.snapshots[n % 52]);
      snaps.back().set_node_id("bench-" + std::to_string(n++ / 52));
    }
    for (const auto& snap : snaps) batch.push_back(&snap);
    state.ResumeTiming();
    auto r = store->OfferSnapshots(batch);
    if (!r.ok() || r->back().offer != broker::BrokerStore::Offer::kStored) {
      failed = true;
      state.SkipWithError("not stored");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * per_batch);
}

void OfferSnapshot(benchmark::State& state) {
  const Sample& s = TheSample();
  test::TempDir dir;
  auto store = std::move(*broker::BrokerStore::Open(dir.path()));
  uint64_t n = 0;
  for (auto _ : state) {
    // A new node id each year round, so every offer is a store, as in a round.
    wire::SummarySnapshot snap = s.snapshots[n % 52];
    snap.set_node_id("bench-" + std::to_string(n++ / 52));
    auto r = store->OfferSnapshot(snap);
    if (!r.ok() || *r != broker::BrokerStore::Offer::kStored) {
      failed = true;
      state.SkipWithError("not stored");
      break;
    }
  }
}

void TablePut(benchmark::State& state) {
  const Sample& s = TheSample();
  broker::ThemeTable table(Ref());
  uint64_t n = 0;
  for (auto _ : state) {
    wire::SummarySnapshot snap = s.snapshots[n % 52];
    snap.set_node_id("bench-" + std::to_string(n++ / 52));
    table.Put(snap);
  }
}

// Bare RocksDB, synced: range(0) snapshots per WriteBatch; time per snapshot.
void SyncedPuts(benchmark::State& state) {
  const Sample& s = TheSample();
  test::TempDir dir;
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  if (!rocksdb::DB::Open(options, dir.path() + "/db", &raw).ok()) {
    failed = true;
    state.SkipWithError("bare RocksDB did not open");
    return;
  }
  std::unique_ptr<rocksdb::DB> db(raw);
  std::string value = s.snapshots[0].SerializeAsString();
  rocksdb::WriteOptions sync;
  sync.sync = true;
  int64_t per_batch = state.range(0);
  uint64_t n = 0;
  for (auto _ : state) {
    rocksdb::WriteBatch batch;
    for (int64_t i = 0; i < per_batch; ++i) batch.Put("s/bench-" + std::to_string(n++) + "/2026-W10", value);
    if (!db->Write(sync, &batch).ok()) failed = true;
  }
  state.SetItemsProcessed(state.iterations() * per_batch);
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
    if (smoke) b->Iterations(3);
    return b;
  };
  unit(benchmark::RegisterBenchmark("SignatureOnly", SignatureOnly));
  unit(benchmark::RegisterBenchmark("SignatureCachedKey", SignatureCachedKey));
  unit(benchmark::RegisterBenchmark("ParseAndVerify", ParseAndVerify));
  unit(benchmark::RegisterBenchmark("WireStrings", WireStrings));
  unit(benchmark::RegisterBenchmark("OfferSnapshot", OfferSnapshot));
  unit(benchmark::RegisterBenchmark("OfferSnapshots", OfferSnapshots))->Arg(64)->ArgName("per_batch");
  unit(benchmark::RegisterBenchmark("TablePut", TablePut));
  unit(benchmark::RegisterBenchmark("SyncedPuts", SyncedPuts))->Arg(1)->Arg(64)->ArgName("per_batch");
  int n = static_cast<int>(args.size());
  benchmark::Initialize(&n, args.data());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return failed ? 1 : 0;
}
