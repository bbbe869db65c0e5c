// The node's incremental week aggregates against the reference Summarise:
// after random adds, erasures by id and by person and retention purges, every
// week's cells from the aggregates are byte for byte those Summarise makes
// from the stored signals, with and without minimisation, key sums included;
// erasure takes back exactly the key sums an add put in; and an old-format
// store gets its aggregates (with key sums) built on opening.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <random>
#include <functional>
#include <set>

#include "aggregates.h"
#include "node_restore.h"
#include "signal_store.h"
#include "summariser.h"
#include "signaal/backup.h"
#include "signaal/keys.h"
#include "signaal/rocks.h"
#include "unit_support.h"

namespace signaal::node {
namespace {

using Folder = test::TempFolder;

const std::vector<std::string> kWeeks = {"2026-W38", "2026-W39", "2026-W40", "2026-W41"};

// Few values per field, so cells are often small and get merged.
ValidatedSignal RandomSignal(std::mt19937& rng, const std::string& week) {
  auto pick = [&](const std::vector<std::string>& v) { return v[rng() % v.size()]; };
  ValidatedSignal v;
  auto& r = v.record;
  r.set_period(week);
  r.set_date("2026-09-21");
  r.set_municipality(pick({"GM0917", "GM0935"}));
  r.set_theme(pick({"schulden", "werk"}));
  std::string sub = pick({"", ".a", ".b"});
  if (!sub.empty()) r.set_subtheme(r.theme() + sub);
  r.set_age_band(pick({"0-17", "18-26", "unknown"}));
  r.set_channel(pick({"helpdesk", "spreekuur"}));
  r.set_status(pick({"open", "open", "referred", "resolved"}));
  if (rng() % 4 != 0) r.set_text("tekst");
  if (rng() % 10 < 7) v.person_reference = "K-" + std::to_string(rng() % 15);
  return v;
}

// The reference's record keys: the store's own.
RecordKeyOf KeysOf(const SignalStore& store) {
  return [&store](const std::string& id) {
    auto key = store.RecordKey(id);
    EXPECT_TRUE(key.ok()) << key.status().message();
    return key.ok() ? *key : 0u;
  };
}

std::string Serialised(const std::vector<wire::SummaryCell>& cells) {
  std::string out;
  for (const auto& c : cells) out += c.SerializeAsString() + "\n";
  return out;
}

// Every week, at min_cell 1 and 5: aggregates == reference.
void ExpectSameAsReference(const SignalStore& store, const std::string& when) {
  for (const auto& week : kWeeks) {
    auto signals = store.SignalsOf(week);
    for (uint32_t min_cell : {1u, 5u}) {
      auto expected = Summarise(signals, min_cell, KeysOf(store));
      auto got = store.WeekCells(week, min_cell);
      ASSERT_EQ(Serialised(got), Serialised(expected))
          << when << ", week " << week << ", min_cell " << min_cell << ": " << got.size() << " cells, expected "
          << expected.size();
    }
  }
}

TEST(Aggregates, MatchTheReferenceSummaryAfterRandomChanges) {
  Folder dir;
  std::mt19937 rng(20261201);
  auto store = std::move(*SignalStore::Open(dir.path(), "secret", std::string(32, 'k')));
  std::vector<std::string> ids;
  size_t purged_weeks = 0;
  for (int step = 0; step < 120; ++step) {
    unsigned op = rng() % 20;
    std::string what;
    if (op < 12 || ids.empty()) {
      std::vector<ValidatedSignal> batch;
      size_t n = 1 + rng() % (op == 0 ? 40 : 6);
      for (size_t i = 0; i < n; ++i) {
        batch.push_back(RandomSignal(rng, kWeeks[purged_weeks + rng() % (kWeeks.size() - purged_weeks)]));
      }
      auto added = store->Add(batch, 1000 + step);
      ASSERT_TRUE(added.ok()) << added.status().message();
      for (const auto& s : *added) ids.push_back(s.id());
      what = "add " + std::to_string(n);
    } else if (op < 14) {
      // A partner's follow-up: the signal moves between the open and the
      // dealt-with part of its cell.
      size_t i = rng() % ids.size();
      const char* status = std::vector<const char*>{"open", "referred", "resolved"}[rng() % 3];
      auto followed = store->FollowUp(ids[i], status, rng() % 2 ? "gebeld" : "", "tester", 1000 + step);
      ASSERT_TRUE(followed.ok()) << followed.status().message();
      what = "follow-up " + ids[i] + " " + status;
    } else if (op < 16) {
      size_t i = rng() % ids.size();
      auto erased = store->EraseById(ids[i]);
      ASSERT_TRUE(erased.ok());
      what = "erase " + ids[i] + " (" + std::to_string(erased->count) + ")";
      ids.erase(ids.begin() + static_cast<long>(i));
    } else if (op < 19) {
      std::string person = (rng() % 2 ? " k-" : "K-") + std::to_string(rng() % 15);
      auto erased = store->EraseByPerson(person);
      ASSERT_TRUE(erased.ok());
      what = "erase person " + person + " (" + std::to_string(erased->count) + ")";
      std::set<std::string> live;
      for (const auto& s : store->List("")) live.insert(s.id());
      std::erase_if(ids, [&](const std::string& id) { return !live.count(id); });
    } else if (purged_weeks + 1 < kWeeks.size()) {
      ++purged_weeks;
      ASSERT_TRUE(store->PurgeBefore(kWeeks[purged_weeks]).ok());
      what = "purge before " + kWeeks[purged_weeks];
      std::set<std::string> live;
      for (const auto& s : store->List("")) live.insert(s.id());
      std::erase_if(ids, [&](const std::string& id) { return !live.count(id); });
    }
    ExpectSameAsReference(*store, "step " + std::to_string(step) + " (" + what + ")");
    if (HasFatalFailure()) return;
  }
  EXPECT_GT(ids.size(), 20u);  // the run left something to summarise
  store.reset();
  store = std::move(*SignalStore::Open(dir.path(), "secret", std::string(32, 'k')));
  ExpectSameAsReference(*store, "after reopening");
}

// A store of 30 signals in one week whose first agg/ row `spoil` rewrites;
// the aggregate path must then disagree with the reference.
void ExpectSpoiledRowNoticed(unsigned seed, const std::function<std::string(const std::string&)>& spoil) {
  Folder dir;
  std::mt19937 rng(seed);
  {
    auto store = std::move(*SignalStore::Open(dir.path(), "secret", std::string(32, 'k')));
    std::vector<ValidatedSignal> batch;
    for (int i = 0; i < 30; ++i) batch.push_back(RandomSignal(rng, kWeeks[0]));
    ASSERT_TRUE(store->Add(batch, 1).ok());
  }
  {
    auto db = OpenRocksDb(dir.path(), "the test store");
    ASSERT_TRUE(db.ok());
    std::unique_ptr<rocksdb::Iterator> it((*db)->NewIterator(rocksdb::ReadOptions()));
    it->Seek("agg/");
    ASSERT_TRUE(it->Valid() && it->key().starts_with("agg/"));
    ASSERT_TRUE((*db)->Put(rocksdb::WriteOptions(), it->key(), spoil(it->value().ToString())).ok());
  }
  auto store = std::move(*SignalStore::Open(dir.path(), "secret", std::string(32, 'k')));
  EXPECT_NE(Serialised(store->WeekCells(kWeeks[0], 1)),
            Serialised(Summarise(store->SignalsOf(kWeeks[0]), 1, KeysOf(*store))));
}

// The comparison itself can fail: a wrong count in one agg/ row shows.
TEST(Aggregates, ADisagreeingAggregateIsNoticed) {
  ExpectSpoiledRowNoticed(7, [](const std::string&) { return std::string("99,0,0,0"); });
}

// So can the key sums alone: one agg/ row's key sum off by one shows,
// counts untouched.
TEST(Aggregates, ADisagreeingKeySumIsNoticed) {
  ExpectSpoiledRowNoticed(8, [](std::string value) {
    size_t last = value.rfind(',');
    uint32_t sum = static_cast<uint32_t>(std::stoul(value.substr(last + 1)));
    return value.substr(0, last + 1) + std::to_string(sum + 1);
  });
}

// Random stores (several seeds), minimisation from off to heavy: the key sum
// of every cell is the same on both paths, set on every cell, and the week's
// key sums add up to the sum of all its signals' keys however cells merge.
TEST(Aggregates, KeySumsOfBothPathsAgreeOnRandomStores) {
  size_t merged_cells = 0;
  for (unsigned seed : {1u, 2u, 3u, 4u, 5u}) {
    Folder dir;
    std::mt19937 rng(seed);
    auto store = std::move(*SignalStore::Open(dir.path(), "secret-" + std::to_string(seed), std::string(32, 'k')));
    std::vector<ValidatedSignal> batch;
    size_t n = 20 + rng() % 200;
    for (size_t i = 0; i < n; ++i) batch.push_back(RandomSignal(rng, kWeeks[rng() % kWeeks.size()]));
    ASSERT_TRUE(store->Add(batch, 1).ok());
    ASSERT_TRUE(store->EraseById("S0000003").ok());
    for (const auto& week : kWeeks) {
      auto signals = store->SignalsOf(week);
      uint32_t all = 0;
      for (const auto& s : signals) all += *RecordKey("secret-" + std::to_string(seed), s.id());
      for (uint32_t min_cell : {2u, 3u, 5u, 8u, 1000u}) {
        auto reference = Summarise(signals, min_cell, KeysOf(*store));
        auto cells = store->WeekCells(week, min_cell);
        ASSERT_EQ(cells.size(), reference.size()) << "seed " << seed << ", " << week << ", min_cell " << min_cell;
        uint32_t sum = 0;
        for (size_t i = 0; i < cells.size(); ++i) {
          ASSERT_TRUE(cells[i].has_key_sum() && reference[i].has_key_sum());
          EXPECT_EQ(cells[i].key_sum(), reference[i].key_sum())
              << "seed " << seed << ", " << week << ", min_cell " << min_cell << ", cell " << cells[i].ShortDebugString();
          sum += cells[i].key_sum();
          if (cells[i].age_band().empty()) ++merged_cells;
        }
        EXPECT_EQ(sum, all) << "seed " << seed << ", " << week << ", min_cell " << min_cell;
      }
    }
  }
  EXPECT_GT(merged_cells, 20u);  // minimisation did merge cells
}

// At min_cell 1 each cell is one agg/ row: its key sum is the sum, mod 2^32,
// of the record keys of exactly the signals in it, computed here apart from
// the store (RecordKey from the secret and the id).
TEST(Aggregates, ACellsKeySumIsTheSumOfItsSignalsRecordKeys) {
  Folder dir;
  std::mt19937 rng(99);
  auto store = std::move(*SignalStore::Open(dir.path(), "the secret", std::string(32, 'k')));
  std::vector<ValidatedSignal> batch;
  for (int i = 0; i < 300; ++i) batch.push_back(RandomSignal(rng, kWeeks[rng() % 2]));
  ASSERT_TRUE(store->Add(batch, 1).ok());
  size_t wrapped = 0;
  for (const auto& week : {kWeeks[0], kWeeks[1]}) {
    std::map<std::string, uint64_t> sums;  // not reduced: to see that sums do wrap
    for (const auto& s : store->SignalsOf(week)) {
      auto key = RecordKey("the secret", s.id());
      ASSERT_TRUE(key.ok());
      sums[s.municipality() + "|" + s.theme() + "|" + s.subtheme() + "|" + s.age_band() + "|" + s.channel()] += *key;
    }
    auto cells = store->WeekCells(week, 1);
    ASSERT_EQ(cells.size(), sums.size());
    for (const auto& c : cells) {
      std::string cell = c.municipality() + "|" + c.theme() + "|" + c.subtheme() + "|" + c.age_band() + "|" + c.channel();
      ASSERT_TRUE(sums.count(cell)) << cell;
      EXPECT_EQ(c.key_sum(), static_cast<uint32_t>(sums[cell])) << cell;
      if (sums[cell] > 0xFFFFFFFFu) ++wrapped;
    }
  }
  EXPECT_GT(wrapped, 0u);  // the mod 2^32 was exercised
}

// Erasure, by id and by person, subtracts exactly: after adding signals to
// cells that already hold others and erasing them again, every agg/ row and
// every cell is as if they had never been added.
TEST(Aggregates, ErasureTakesBackExactlyTheKeysItsSignalsAdded) {
  Folder dir;
  std::mt19937 rng(5);
  auto store = std::move(*SignalStore::Open(dir.path(), "secret", std::string(32, 'k')));
  std::vector<ValidatedSignal> base;
  for (int i = 0; i < 60; ++i) base.push_back(RandomSignal(rng, kWeeks[0]));
  auto stored = store->Add(base, 1);
  ASSERT_TRUE(stored.ok());
  auto before = Serialised(store->WeekCells(kWeeks[0], 1));
  auto before_merged = Serialised(store->WeekCells(kWeeks[0], 5));

  // Copies of stored signals' fields: they land in existing cells, so an
  // erasure must subtract from a sum, not delete a row.
  std::vector<ValidatedSignal> extra;
  for (int i = 0; i < 6; ++i) {
    ValidatedSignal v = base[static_cast<size_t>(i) * 7];
    v.person_reference = i < 3 ? "" : "Extra-person";
    extra.push_back(v);
  }
  auto added = store->Add(extra, 2);
  ASSERT_TRUE(added.ok());
  ASSERT_NE(Serialised(store->WeekCells(kWeeks[0], 1)), before);
  for (int i = 0; i < 3; ++i) {
    auto erased = store->EraseById((*added)[static_cast<size_t>(i)].id());
    ASSERT_TRUE(erased.ok());
    EXPECT_EQ(erased->count, 1u);
  }
  auto erased = store->EraseByPerson("extra person");
  ASSERT_TRUE(erased.ok());
  EXPECT_EQ(erased->count, 3u);
  EXPECT_EQ(Serialised(store->WeekCells(kWeeks[0], 1)), before);
  EXPECT_EQ(Serialised(store->WeekCells(kWeeks[0], 5)), before_merged);

  // And the same holds against a store that never saw them.
  Folder other;
  auto never = std::move(*SignalStore::Open(other.path(), "secret", std::string(32, 'k')));
  ASSERT_TRUE(never->Add(base, 1).ok());
  EXPECT_EQ(Serialised(never->WeekCells(kWeeks[0], 1)), before);
}

TEST(Aggregates, AnOldFormatStoreGetsItsAggregatesOnOpening) {
  Folder dir;
  std::mt19937 rng(11);
  {
    auto store = std::move(*SignalStore::Open(dir.path(), "secret", std::string(32, 'k')));
    std::vector<ValidatedSignal> batch;
    for (int i = 0; i < 200; ++i) batch.push_back(RandomSignal(rng, kWeeks[rng() % kWeeks.size()]));
    ASSERT_TRUE(store->Add(batch, 1).ok());
  }
  {
    // What a format-1 binary left: signals, no aggregates.
    auto db = OpenRocksDb(dir.path(), "the test store");
    ASSERT_TRUE(db.ok());
    rocksdb::WriteBatch batch;
    std::unique_ptr<rocksdb::Iterator> it((*db)->NewIterator(rocksdb::ReadOptions()));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      if (it->key().starts_with("agg/") || it->key().starts_with("agp/") || it->key().starts_with("meta/signal_count")) {
        batch.Delete(it->key());
      }
    }
    batch.Put("meta/format_version", "1");
    ASSERT_TRUE((*db)->Write(rocksdb::WriteOptions(), &batch).ok());
  }
  auto store = SignalStore::Open(dir.path(), "secret", std::string(32, 'k'));
  ASSERT_TRUE(store.ok()) << store.status().message();
  EXPECT_EQ((*store)->CountSignals(), 200u);
  for (const auto& week : kWeeks) EXPECT_FALSE((*store)->WeekCells(week, 1).empty()) << week;
  ExpectSameAsReference(**store, "after migrating");
}

// Every agg/ and agp/ row of a closed store, "key=value" per line.
std::string AggregateRows(const std::string& dir) {
  auto db = OpenRocksDb(dir, "the test store");
  EXPECT_TRUE(db.ok());
  if (!db.ok()) return "";
  std::string out;
  std::unique_ptr<rocksdb::Iterator> it((*db)->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek("ag"); it->Valid() && it->key().starts_with("ag"); it->Next()) {
    out += it->key().ToString() + "=" + it->value().ToString() + "\n";
  }
  return out;
}

// The comma-separated fields of an agg/ value.
std::vector<std::string> Fields(const std::string& value) {
  std::vector<std::string> out(1);
  for (char c : value) {
    if (c == ',') {
      out.emplace_back();
    } else {
      out.back().push_back(c);
    }
  }
  return out;
}

// An agg/ value as a binary of an older format wrote it: its first `n` fields.
std::string FirstFields(const std::string& value, size_t n) {
  std::string out;
  auto fields = Fields(value);
  for (size_t i = 0; i < n && i < fields.size(); ++i) out += (i ? "," : "") + fields[i];
  return out;
}

// A format-3 store (agg/ values without key sums) is migrated to format 4 on
// opening: its aggregates then equal, row for row, those of a fresh store
// given the same signals under the same secret. Without the secret the step
// refuses and leaves the store as it was (all or nothing).
TEST(Aggregates, AFormat3StoreGetsTheKeySumsOfAFreshStore) {
  Folder old_dir, fresh_dir;
  std::mt19937 rng(31);
  std::vector<ValidatedSignal> signals;
  for (int i = 0; i < 250; ++i) signals.push_back(RandomSignal(rng, kWeeks[rng() % kWeeks.size()]));
  for (const auto* dir : {&old_dir, &fresh_dir}) {
    auto store = std::move(*SignalStore::Open(dir->path(), "migrating secret", std::string(32, 'k')));
    ASSERT_TRUE(store->Add(signals, 1).ok());
    ASSERT_TRUE(store->EraseByPerson("K-3").ok());
  }
  const std::string fresh_rows = AggregateRows(fresh_dir.path());
  {
    // What a format-3 binary left: the same counts, no key sums.
    auto db = OpenRocksDb(old_dir.path(), "the test store");
    ASSERT_TRUE(db.ok());
    rocksdb::WriteBatch batch;
    std::unique_ptr<rocksdb::Iterator> it((*db)->NewIterator(rocksdb::ReadOptions()));
    size_t rows = 0;
    for (it->Seek("agg/"); it->Valid() && it->key().starts_with("agg/"); it->Next()) {
      std::string value = it->value().ToString();
      batch.Put(it->key(), FirstFields(value, 3));
      ++rows;
    }
    ASSERT_GT(rows, 20u);
    batch.Put("meta/format_version", "3");
    // Published before, and a snapshot still waiting for the broker's ack
    // (signed without key sums): the migration must send every week again.
    for (const auto& week : kWeeks) batch.Delete("dirty/" + week);
    batch.Put("out/" + kWeeks[0], "an envelope without key sums");
    batch.Put("outv/" + kWeeks[0], "7");
    ASSERT_TRUE((*db)->Write(rocksdb::WriteOptions(), &batch).ok());

    auto refused = MigrateStore(**db, NodeStoreFormat(), old_dir.path());
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.status().message().find("pseudonym secret"), std::string::npos) << refused.status().message();
  }
  const std::string old_rows = AggregateRows(old_dir.path());
  EXPECT_NE(old_rows, fresh_rows);
  {
    auto db = OpenRocksDb(old_dir.path(), "the test store");
    ASSERT_TRUE(db.ok());
    std::unique_ptr<rocksdb::Iterator> it((*db)->NewIterator(rocksdb::ReadOptions()));
    for (it->Seek("agg/"); it->Valid() && it->key().starts_with("agg/"); it->Next()) {
      EXPECT_EQ(std::count(it->value().data(), it->value().data() + it->value().size(), ','), 2);  // still 3 fields
    }
    std::string version;
    ASSERT_TRUE((*db)->Get(rocksdb::ReadOptions(), "meta/format_version", &version).ok());
    EXPECT_EQ(version, "3");  // the refused step wrote nothing
  }

  auto migrated = SignalStore::Open(old_dir.path(), "migrating secret", std::string(32, 'k'));
  ASSERT_TRUE(migrated.ok()) << migrated.status().message();
  auto fresh = std::move(*SignalStore::Open(fresh_dir.path(), "migrating secret", std::string(32, 'k')));
  for (const auto& week : kWeeks) {
    for (uint32_t min_cell : {1u, 5u}) {
      EXPECT_EQ(Serialised((*migrated)->WeekCells(week, min_cell)), Serialised(fresh->WeekCells(week, min_cell)))
          << week << ", min_cell " << min_cell;
    }
  }
  ExpectSameAsReference(**migrated, "after migrating from format 3");
  // Every week it holds signals of is changed, and nothing waits unsent.
  std::set<std::string> held;
  for (const auto& s : (*migrated)->List("")) held.insert(s.period());
  const auto dirty = (*migrated)->DirtyPeriods();
  EXPECT_EQ(std::set<std::string>(dirty.begin(), dirty.end()), held);
  EXPECT_TRUE((*migrated)->Outbox()->empty());
  EXPECT_TRUE((*migrated)->PendingVersions()->empty());
  migrated->reset();
  fresh.reset();
  EXPECT_EQ(AggregateRows(old_dir.path()), fresh_rows);
  std::string version;
  auto db = OpenRocksDb(old_dir.path(), "the test store");
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE((*db)->Get(rocksdb::ReadOptions(), "meta/format_version", &version).ok());
  EXPECT_EQ(version, std::to_string(NodeStoreFormat().current()));
  EXPECT_EQ(NodeStoreFormat().current(), 6);
}

// A format-5 store (agg/ values without open counts) is migrated to format 6
// on opening: its aggregates then equal those of a fresh store, and every
// week it holds is sent again, now with the share still open.
TEST(Aggregates, AFormat5StoreGetsTheOpenCountsOfAFreshStore) {
  Folder old_dir, fresh_dir;
  std::mt19937 rng(53);
  std::vector<ValidatedSignal> signals;
  for (int i = 0; i < 200; ++i) signals.push_back(RandomSignal(rng, kWeeks[rng() % kWeeks.size()]));
  for (const auto* dir : {&old_dir, &fresh_dir}) {
    auto store = std::move(*SignalStore::Open(dir->path(), "migrating secret", std::string(32, 'k')));
    ASSERT_TRUE(store->Add(signals, 1).ok());
  }
  const std::string fresh_rows = AggregateRows(fresh_dir.path());
  {
    auto db = OpenRocksDb(old_dir.path(), "the test store");
    ASSERT_TRUE(db.ok());
    rocksdb::WriteBatch batch;
    std::unique_ptr<rocksdb::Iterator> it((*db)->NewIterator(rocksdb::ReadOptions()));
    size_t open_rows = 0;
    for (it->Seek("agg/"); it->Valid() && it->key().starts_with("agg/"); it->Next()) {
      std::string value = it->value().ToString();
      ASSERT_EQ(Fields(value).size(), 6u) << value;
      if (Fields(value)[4] != "0") ++open_rows;
      batch.Put(it->key(), FirstFields(value, 4));
    }
    EXPECT_GT(open_rows, 10u);  // the fresh store counted open signals
    batch.Put("meta/format_version", "5");
    for (const auto& week : kWeeks) batch.Delete("dirty/" + week);
    ASSERT_TRUE((*db)->Write(rocksdb::WriteOptions(), &batch).ok());
  }
  EXPECT_NE(AggregateRows(old_dir.path()), fresh_rows);
  auto migrated = SignalStore::Open(old_dir.path(), "migrating secret", std::string(32, 'k'));
  ASSERT_TRUE(migrated.ok()) << migrated.status().message();
  ExpectSameAsReference(**migrated, "after migrating from format 5");
  EXPECT_EQ((*migrated)->DirtyPeriods().size(), kWeeks.size());
  migrated->reset();
  EXPECT_EQ(AggregateRows(old_dir.path()), fresh_rows);
}

// A backup taken at format 3, restored by `signaal-node restore`: the restore
// migrates it with the pseudonym secret from the node's key file, so the
// restored store has the key sums it would have had from the start.
TEST(Aggregates, AFormat3BackupIsRestoredWithKeySums) {
  Folder root;
  const std::string secret = "restore secret";
  KeyFile keys{GenerateCurveKeyPair(), GenerateSigningKeyPair(), ToHex(secret), ToHex(std::string(32, 'k'))};
  const std::string key_file = root.path() + "/node.key";
  ASSERT_TRUE(WriteKeyFile(key_file, keys).ok());
  std::mt19937 rng(41);
  std::vector<ValidatedSignal> signals;
  for (int i = 0; i < 120; ++i) signals.push_back(RandomSignal(rng, kWeeks[rng() % kWeeks.size()]));
  const std::string original = root.path() + "/original";
  {
    auto store = std::move(*SignalStore::Open(original, secret, std::string(32, 'k')));
    ASSERT_TRUE(store->Add(signals, 1).ok());
  }
  const std::string rows = AggregateRows(original);
  {
    auto db = OpenRocksDb(original, "the test store");
    ASSERT_TRUE(db.ok());
    rocksdb::WriteBatch batch;
    std::unique_ptr<rocksdb::Iterator> it((*db)->NewIterator(rocksdb::ReadOptions()));
    for (it->Seek("agg/"); it->Valid() && it->key().starts_with("agg/"); it->Next()) {
      std::string value = it->value().ToString();
      batch.Put(it->key(), FirstFields(value, 3));
    }
    batch.Put("meta/format_version", "3");
    ASSERT_TRUE((*db)->Write(rocksdb::WriteOptions(), &batch).ok());
    BackupSpec spec;
    spec.out = root.path() + "/backup";
    spec.data_dir = original;
    spec.manifest = {{"what", kNodeBackupWhat}, {"node_id", "n"}, {"format_version", 3}};
    auto made = WriteBackup(**db, spec);
    ASSERT_TRUE(made.ok()) << made.status().message();
  }
  NodeConfig config;
  config.path = root.path() + "/node.toml";
  config.id = "n";
  config.data_dir = root.path() + "/restored";
  config.key_file = key_file;
  config.control = "ipc://" + root.path() + "/no-node.sock";
  auto restored = RestoreNode(config, root.path() + "/backup");
  ASSERT_TRUE(restored.ok()) << restored.status().message();
  EXPECT_EQ(restored->back(), "the store opens; format " + std::to_string(NodeStoreFormat().current()));
  EXPECT_EQ(AggregateRows(config.data_dir), rows);
  auto store = SignalStore::Open(config.data_dir, secret, std::string(32, 'k'));
  ASSERT_TRUE(store.ok()) << store.status().message();
  ExpectSameAsReference(**store, "after restoring a format-3 backup");
}

}  // namespace
}  // namespace signaal::node
