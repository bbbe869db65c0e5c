// The on-disk format version of both stores: stamped on creation, older
// stores migrated step by step, newer stores refused with a message naming
// the folder and both versions.
#include <gtest/gtest.h>

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
  EXPECT_EQ(node::NodeStoreFormat().current(), 4);
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
  EXPECT_EQ(ReadRaw(fresh.path(), "m/format_version"), "1");

  WriteRaw(old.path(), {{"m/digest_sequence", "4"}});
  {
    auto store = broker::BrokerStore::Open(old.path());
    ASSERT_TRUE(store.ok()) << store.status().message();
    EXPECT_EQ((*store)->last_digest_sequence(), 4u);
  }
  EXPECT_EQ(ReadRaw(old.path(), "m/format_version"), "1");

  WriteRaw(newer.path(), {{"m/format_version", "2"}});
  auto store = broker::BrokerStore::Open(newer.path());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), Code::kRefused);
  EXPECT_NE(store.status().message().find(newer.path() + " was written by a newer Signaalnet (format 2)"),
            std::string::npos);
  EXPECT_NE(store.status().message().find("Upgrade signaal-broker"), std::string::npos);
}

TEST(StoreFormat, UnreadableVersionIsAnErrorNamingKeyAndFolder) {
  Folder dir;
  WriteRaw(dir.path(), {{"meta/format_version", "two"}});
  auto store = node::SignalStore::Open(dir.path(), "s", std::string(32, 'k'));
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.status().message().find(dir.path()), std::string::npos);
  EXPECT_NE(store.status().message().find("meta/format_version holds 'two'"), std::string::npos);
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
