// Node import (issue 7, target 2): a CSV from signaal-gen with text and
// person fields, a year of weeks, imported with `signaal node signal import`
// into a real signal-node process — read by the CLI, sent over the local
// socket, parsed, validated, text sealed (AES-256-GCM), persons pseudonymised
// (HMAC-SHA256), one synced WriteBatch. The baseline, in the same run: bare
// RocksDB, one synced WriteBatch of as many puts with the node store's own
// mean key and value sizes (read back from the node's store afterwards); and
// a second one of as many puts as the node's store holds keys of any kind.
#include <sys/resource.h>

#include <filesystem>
#include <iostream>
#include <random>

#include <CLI/CLI.hpp>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "bench_util.h"
#include "signaal/config.h"

namespace signaal::bench {
namespace {

struct StoreShape {
  uint64_t rows = 0;
  double key_bytes = 0, value_bytes = 0;
};

struct NodeStoreShape {
  StoreShape signals;  // the sig/ rows
  StoreShape all;      // every key the import left: also agg/, agp/, dirty/, meta/
};

// Mean key and value size of the node's stored signals, and of every key
// it holds (the node stopped).
Result<NodeStoreShape> ReadShape(const std::string& data_dir) {
  rocksdb::DB* raw = nullptr;
  rocksdb::Options options;
  auto s = rocksdb::DB::OpenForReadOnly(options, data_dir + "/db", &raw);
  if (!s.ok()) return Status::Runtime("cannot open the node store: " + s.ToString());
  std::unique_ptr<rocksdb::DB> db(raw);
  NodeStoreShape shape;
  uint64_t keys = 0, values = 0, all_keys = 0, all_values = 0;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    ++shape.all.rows;
    all_keys += it->key().size();
    all_values += it->value().size();
    if (!it->key().starts_with("sig/")) continue;
    ++shape.signals.rows;
    keys += it->key().size();
    values += it->value().size();
  }
  if (shape.signals.rows == 0) return Status::Runtime("the node store holds no signals");
  auto mean = [](uint64_t bytes, uint64_t n) { return static_cast<double>(bytes) / static_cast<double>(n); };
  shape.signals.key_bytes = mean(keys, shape.signals.rows);
  shape.signals.value_bytes = mean(values, shape.signals.rows);
  shape.all.key_bytes = mean(all_keys, shape.all.rows);
  shape.all.value_bytes = mean(all_values, shape.all.rows);
  return shape;
}

// Bare RocksDB with its default options: `rows` puts of the given sizes in
// one synced WriteBatch; values are distinct random bytes (as sealed text is).
Result<double> BareWriteBatch(const std::string& dir, const StoreShape& shape) {
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  auto s = rocksdb::DB::Open(options, dir, &raw);
  if (!s.ok()) return Status::Runtime("bare RocksDB: " + s.ToString());
  std::unique_ptr<rocksdb::DB> db(raw);
  size_t value_size = static_cast<size_t>(shape.value_bytes + 0.5);
  size_t key_size = static_cast<size_t>(shape.key_bytes + 0.5);
  std::mt19937_64 rng(7);
  std::string pool(value_size + 65536, '\0');
  for (auto& c : pool) c = static_cast<char>(rng());
  auto start = Clock::now();
  rocksdb::WriteBatch batch;
  std::string key;
  for (uint64_t i = 0; i < shape.rows; ++i) {
    key = "sig/2026-W" + std::to_string(10 + i % 52) + "/S" + std::to_string(1000000 + i);
    key.resize(key_size, '0');
    batch.Put(key, rocksdb::Slice(pool.data() + (i * 4099) % 65536, value_size));
  }
  rocksdb::WriteOptions w;
  w.sync = true;
  s = db->Write(w, &batch);
  if (!s.ok()) return Status::Runtime("bare RocksDB write: " + s.ToString());
  return SecondsSince(start);
}

}  // namespace
}  // namespace signaal::bench

int main(int argc, char** argv) {
  using namespace signaal;
  using namespace signaal::bench;
  CLI::App app{"bench_import: node CSV import against bare RocksDB WriteBatch puts"};
  uint64_t rows = 1'000'000;
  bool smoke = false;
  app.add_option("--rows", rows, "rows in the CSV");
  app.add_flag("--smoke", smoke, "tiny sizes, for ctest");
  CLI11_PARSE(app, argc, argv);
  if (smoke) rows = 2000;
  const std::string name = "import";

  test::TempDir dir;
  test::Network net(dir);
  if (!net.StartBroker("limburg")) return Fail(name, "the broker did not start");
  // No automatic publication while importing: the import alone is measured.
  auto* node = net.AddNode("Bench helpdesk", "helpdesk", "GM0917", true, 86400);
  if (!node) return Fail(name, "the node did not start");
  std::string csv = dir.path() + "/signals.csv";
  auto gen = test::RunCommand({test::GenBinary(), "--rows", std::to_string(rows), "--from", test::WeeksAgo(51),
                               "--weeks", "52", "--municipalities", "GM0917,GM0935,GM0888,GM0983,GM1883",
                               "--out", csv},
                              std::chrono::seconds(600));
  if (gen.exit_code != 0) return Fail(name, "signaal-gen: " + gen.err);
  int pid = ChildPid(node->config);
  double idle_rss = VmMiB(pid, "VmRSS");

  auto start = Clock::now();
  auto imported = net.NodeCli(*node, {"signal", "import", csv, "--json"});
  double import_s = SecondsSince(start);
  if (imported.exit_code != 0) return Fail(name, "import: " + imported.err + imported.out);
  auto j = imported.Json();
  if (j.is_null() || j.value("imported", 0ull) != rows) return Fail(name, "import did not take every row: " + imported.out);
  double node_peak = VmMiB(pid, "VmHWM");
  double node_after = VmMiB(pid, "VmRSS");
  rusage children{};
  getrusage(RUSAGE_CHILDREN, &children);  // the CLI is the largest child waited for

  auto config = LoadNodeConfig(node->config);
  if (!config.ok()) return Fail(name, config.status().message());
  node->daemon->Stop();
  auto shape = ReadShape(config->data_dir);
  if (!shape.ok()) return Fail(name, shape.status().message());
  if (shape->signals.rows != rows) return Fail(name, "the store holds " + std::to_string(shape->signals.rows) + " signals");
  auto bare_s = BareWriteBatch(dir.path() + "/bare-rocksdb", shape->signals);
  if (!bare_s.ok()) return Fail(name, bare_s.status().message());
  // The same for every key the node wrote: the person aggregates (agp/) that
  // target 3 needs are about one more key per row.
  auto bare_all_s = BareWriteBatch(dir.path() + "/bare-rocksdb-all", shape->all);
  if (!bare_all_s.ok()) return Fail(name, bare_all_s.status().message());

  double csv_bytes = static_cast<double>(std::filesystem::file_size(csv));
  Report r(name);
  r.Note("rows", rows);
  r.Set("csv_mib", csv_bytes / 1048576.0);
  r.Set("key_bytes", shape->signals.key_bytes);
  r.Set("value_bytes", shape->signals.value_bytes);
  r.Set("store_keys", static_cast<double>(shape->all.rows));
  r.Set("import_s", import_s);
  r.Set("rows_per_s", static_cast<double>(rows) / import_s);
  r.Set("bare_s", *bare_s);
  r.Set("bare_rows_per_s", static_cast<double>(rows) / *bare_s);
  r.Set("ratio_rows", *bare_s / import_s);
  r.Set("bare_all_keys_s", *bare_all_s);
  r.Set("ratio_vs_all_keys", *bare_all_s / import_s);
  r.Set("node_idle_rss_mib", idle_rss);
  r.Set("node_peak_rss_mib", node_peak);
  r.Set("node_rss_after_mib", node_after);
  r.Set("cli_peak_rss_mib", static_cast<double>(children.ru_maxrss) / 1024.0);
  return r.Print();
}
