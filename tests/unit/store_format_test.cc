// The on-disk format version of both stores: stamped on creation, older
// stores migrated step by step, newer stores refused with a message naming
// the folder and both versions.
#include <gtest/gtest.h>

#include <set>

#include <filesystem>

#include "broker_store.h"
#include "signal_store.h"
#include "signaal/rocks.h"
#include "signaal/store_format.h"
#include "unit_support.h"

namespace signaal {
namespace {

using Folder = test::TempFolder;

// Writes raw keys into <dir>/db, as an older (or newer) binary would have.
void WriteRaw(const std::string& dir, const std::vector<std::pair<std::string, std::string>>& entries) {
  auto db = OpenRocksDb(dir, "a test store");
  ASSERT_TRUE(db.ok()) << db.status().message();
  for (const auto& [k, v] : entries) ASSERT_TRUE((*db)->Put(rocksdb::WriteOptions(), k, v).ok());
}

std::string ReadRaw(const std::string& dir, const std::string& key) {
  auto db = OpenRocksDb(dir, "a test store");
  std::string v;
  if (!db.ok() || !(*db)->Get(rocksdb::ReadOptions(), key, &v).ok()) return "<none>";
  return v;
}

TEST(StoreFormat, NewNodeStoreIsStampedWithTheCurrentFormat) {
  Folder dir;
  { ASSERT_TRUE(node::SignalStore::Open(dir.path(), "s", std::string(32, 'k')).ok()); }
  EXPECT_EQ(ReadRaw(dir.path(), "meta/format_version"), std::to_string(node::NodeStoreFormat().current()));
  EXPECT_EQ(node::NodeStoreFormat().current(), 6);
}

TEST(StoreFormat, NodeStoreFromBeforeVersionsIsMigratedAndKeepsItsData) {
  Folder dir;
  WriteRaw(dir.path(), {{"meta/next_id", "8"}, {"meta/version", "5"}, {"dirty/2026-W41", ""}});
  auto store = node::SignalStore::Open(dir.path(), "s", std::string(32, 'k'));
  ASSERT_TRUE(store.ok()) << store.status().message();
  EXPECT_EQ((*store)->last_version(), 5u);
  EXPECT_EQ((*store)->DirtyPeriods(), std::vector<std::string>{"2026-W41"});
  store->reset();
  EXPECT_EQ(ReadRaw(dir.path(), "meta/format_version"), std::to_string(node::NodeStoreFormat().current()));
}

TEST(StoreFormat, NewerNodeStoreIsRefusedNamingFolderAndBothFormats) {
  Folder dir;
  WriteRaw(dir.path(), {{"meta/format_version", "9"}, {"meta/version", "5"}});
  auto store = node::SignalStore::Open(dir.path(), "s", std::string(32, 'k'));
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), Code::kRefused);
  EXPECT_EQ(store.status().message(), dir.path() +
                                          " was written by a newer Signaalnet (format 9); this binary reads format " +
                                          std::to_string(node::NodeStoreFormat().current()) +
                                          " and older. Upgrade signaal-node or restore a backup.");
  EXPECT_EQ(ReadRaw(dir.path(), "meta/format_version"), "9");  // untouched
}

TEST(StoreFormat, BrokerStoreStampedMigratedAndNewerRefused) {
  Folder fresh, old, newer;
  { ASSERT_TRUE(broker::BrokerStore::Open(fresh.path()).ok()); }
  EXPECT_EQ(ReadRaw(fresh.path(), "m/format_version"), "3");

  WriteRaw(old.path(), {{"m/digest_sequence", "4"}});
  {
    auto store = broker::BrokerStore::Open(old.path());
    ASSERT_TRUE(store.ok()) << store.status().message();
    EXPECT_EQ((*store)->last_digest_sequence(), 4u);
  }
  EXPECT_EQ(ReadRaw(old.path(), "m/format_version"), "3");

  WriteRaw(newer.path(), {{"m/format_version", "4"}});
  auto store = broker::BrokerStore::Open(newer.path());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), Code::kRefused);
  EXPECT_NE(store.status().message().find(newer.path() + " was written by a newer Signaalnet (format 4)"),
            std::string::npos);
  EXPECT_NE(store.status().message().find("Upgrade signaal-broker"), std::string::npos);
}

// Format 2 (the cell-key method): the release ledger becomes the audit
// trail, published digests are recorded in it too, and stored snapshots'
// cells without key sums get random ones.
TEST(StoreFormat, BrokerFormat1LedgerBecomesTheAuditTrail) {
  Folder old;
  wire::Digest fetched, published;
  fetched.set_region("parkstad");
  fetched.set_period("2026-W40");
  fetched.set_from_week("2026-W40");
  fetched.set_to_week("2026-W40");
  fetched.set_generated_unix(100);
  fetched.mutable_total()->set_signals(17);
  published = fetched;
  published.set_sequence(1);
  published.set_generated_unix(50);
  wire::SummarySnapshot snap;
  snap.set_node_id("n");
  snap.set_period("2026-W40");
  snap.set_version(3);
  for (int i = 0; i < 40; ++i) {
    auto* c = snap.add_cells();
    c->set_municipality("GM0917");
    c->set_theme("werk");
    c->set_signals(5);
    c->set_persons(5);
  }
  WriteRaw(old.path(), {{"m/format_version", "1"},
                        {"m/digest_sequence", "1"},
                        {"d/00000000000000000001", published.SerializeAsString()},
                        {"r/parkstad/2026-W40/2026-W40/0123456789abcdef", fetched.SerializeAsString()},
                        {"s/n/2026-W40", snap.SerializeAsString()}});
  {
    auto store = broker::BrokerStore::Open(old.path());
    ASSERT_TRUE(store.ok()) << store.status().message();
    std::vector<std::string> kinds;
    (*store)->ForEachRelease([&](const storage::ReleaseRecord& r, const wire::Digest& d) {
      kinds.push_back(r.kind() + "@" + std::to_string(r.released_unix()));
      EXPECT_EQ(d.total().signals(), 17u);
    });
    EXPECT_EQ(kinds, (std::vector<std::string>{"publish@50", "fetch@100"}));
    EXPECT_EQ((*store)->release_count(), 2u);
    std::set<uint32_t> keys;
    (*store)->ForEachSnapshot([&](const wire::SummarySnapshot& s) {
      for (const auto& c : s.cells()) {
        EXPECT_TRUE(c.has_key_sum());
        keys.insert(c.key_sum());
      }
    });
    EXPECT_GT(keys.size(), 30u) << "key sums are random, not one constant";
    wire::Digest more = fetched;
    ASSERT_TRUE((*store)->RecordRelease(more, "s", "fetch", 200).ok());
    EXPECT_EQ((*store)->release_count(), 3u);
  }
  EXPECT_EQ(ReadRaw(old.path(), "r/parkstad/2026-W40/2026-W40/0123456789abcdef"), "<none>");
  EXPECT_EQ(ReadRaw(old.path(), "m/format_version"), "3");
}

TEST(StoreFormat, UnreadableVersionIsAnErrorNamingKeyAndFolder) {
  Folder dir;
  WriteRaw(dir.path(), {{"meta/format_version", "two"}});
  auto store = node::SignalStore::Open(dir.path(), "s", std::string(32, 'k'));
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.status().message().find(dir.path()), std::string::npos);
  EXPECT_NE(store.status().message().find("meta/format_version holds 'two'"), std::string::npos);
}

// A counter the store cannot read is an error naming the key and the folder,
// never its default: a default next id hands out ids twice, a default digest
// sequence numbers new digests over published ones. (Before, std::stoull
// threw out of Open, or a failed read became the default.)
TEST(StoreFormat, DamagedCountersAreErrorsNamingKeyAndFolder) {
  for (const char* key : {"meta/next_id", "meta/version", "meta/signal_count"}) {
    for (const char* damaged : {"x1", "", "18446744073709551616", "-1", "12 "}) {
      Folder dir;
      { ASSERT_TRUE(node::SignalStore::Open(dir.path(), "s", std::string(32, 'k')).ok()); }
      WriteRaw(dir.path(), {{key, damaged}});
      auto store = node::SignalStore::Open(dir.path(), "s", std::string(32, 'k'));
      ASSERT_FALSE(store.ok()) << key << " = '" << damaged << "'";
      EXPECT_NE(store.status().message().find(std::string("'") + key + "'"), std::string::npos)
          << store.status().message();
      EXPECT_NE(store.status().message().find(dir.path()), std::string::npos);
    }
  }
  for (const char* key : {"m/digest_sequence", "m/release_next"}) {
    Folder dir;
    { ASSERT_TRUE(broker::BrokerStore::Open(dir.path()).ok()); }
    WriteRaw(dir.path(), {{key, "seven"}});
    auto store = broker::BrokerStore::Open(dir.path());
    ASSERT_FALSE(store.ok()) << key;
    EXPECT_NE(store.status().message().find(std::string("'") + key + "'"), std::string::npos)
        << store.status().message();
  }
  Folder dir;
  { ASSERT_TRUE(broker::BrokerStore::Open(dir.path()).ok()); }
  WriteRaw(dir.path(), {{"m/schedule_last", "yesterday"}});
  auto store = broker::BrokerStore::Open(dir.path());
  ASSERT_TRUE(store.ok()) << store.status().message();
  auto last = (*store)->LastScheduledRun();
  ASSERT_FALSE(last.ok());
  EXPECT_NE(last.status().message().find("m/schedule_last"), std::string::npos);
}

// A counter at the top of its range is still read exactly.
TEST(StoreFormat, CountersAtTheirLimitsAreReadExactly) {
  Folder dir;
  { ASSERT_TRUE(node::SignalStore::Open(dir.path(), "s", std::string(32, 'k')).ok()); }
  WriteRaw(dir.path(), {{"meta/signal_count", "18446744073709551615"}});
  auto store = node::SignalStore::Open(dir.path(), "s", std::string(32, 'k'));
  ASSERT_TRUE(store.ok()) << store.status().message();
  EXPECT_EQ((*store)->CountSignals(), UINT64_MAX);
}

// The migrator itself: only the steps after the stored version run, in order,
// each with its version; a failing step stops there and says where.
TEST(StoreFormat, MigrationsRunInOrderFromTheStoredVersion) {
  Folder dir;
  WriteRaw(dir.path(), {{"x/format", "1"}, {"old/a", "1"}});
  std::vector<int> ran;
  StoreFormat format{"the test store", "signaal-test", "x/format", {}};
  format.steps.push_back({1, "stamp", [&](rocksdb::DB&, rocksdb::WriteBatch&) {
                            ran.push_back(1);
                            return Status::Ok();
                          }});
  format.steps.push_back({2, "rename old/ to new/", [&](rocksdb::DB& db, rocksdb::WriteBatch& batch) {
                            ran.push_back(2);
                            std::string v;
                            if (db.Get(rocksdb::ReadOptions(), "old/a", &v).ok()) {
                              batch.Put("new/a", v);
                              batch.Delete("old/a");
                            }
                            return Status::Ok();
                          }});
  format.steps.push_back({3, "fails", [&](rocksdb::DB&, rocksdb::WriteBatch& batch) {
                            ran.push_back(3);
                            batch.Put("half/written", "x");
                            return Status::Runtime("disk on fire");
                          }});
  auto db = OpenRocksDb(dir.path(), "the test store");
  ASSERT_TRUE(db.ok());
  auto migrated = MigrateStore(**db, format, dir.path());
  ASSERT_FALSE(migrated.ok());
  EXPECT_EQ(ran, (std::vector<int>{2, 3}));
  EXPECT_NE(migrated.status().message().find("migrating the test store in " + dir.path() + " to format 3: disk on fire"),
            std::string::npos);
  std::string v;
  EXPECT_TRUE((*db)->Get(rocksdb::ReadOptions(), "x/format", &v).ok());
  EXPECT_EQ(v, "2");  // step 2 done, step 3 not
  EXPECT_TRUE((*db)->Get(rocksdb::ReadOptions(), "new/a", &v).ok());
  EXPECT_TRUE((*db)->Get(rocksdb::ReadOptions(), "old/a", &v).IsNotFound());
  EXPECT_TRUE((*db)->Get(rocksdb::ReadOptions(), "half/written", &v).IsNotFound());

  // Fixed, it goes on from 2.
  ran.clear();
  format.steps[2].apply = [&](rocksdb::DB&, rocksdb::WriteBatch&) {
    ran.push_back(3);
    return Status::Ok();
  };
  auto again = MigrateStore(**db, format, dir.path());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 2);
  EXPECT_EQ(ran, std::vector<int>{3});
  auto found = ReadFormatVersion(**db, format, dir.path());
  EXPECT_EQ(*found, 3);
}

}  // namespace
}  // namespace signaal
