// The node's incremental week aggregates against the reference Summarise:
// after random adds, erasures by id and by person and retention purges, every
// week's cells from the aggregates are byte for byte those Summarise makes
// from the stored signals, with and without minimisation; and an old-format
// store gets its aggregates built on opening.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <set>

#include "aggregates.h"
#include "signal_store.h"
#include "summariser.h"
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
  r.set_status("open");
  if (rng() % 4 != 0) r.set_text("tekst");
  if (rng() % 10 < 7) v.person_reference = "K-" + std::to_string(rng() % 15);
  return v;
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
      auto expected = Summarise(signals, min_cell);
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

// The comparison itself can fail: a wrong count in one agg/ row shows.
TEST(Aggregates, ADisagreeingAggregateIsNoticed) {
  Folder dir;
  std::mt19937 rng(7);
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
    ASSERT_TRUE((*db)->Put(rocksdb::WriteOptions(), it->key(), "99,0,0").ok());
  }
  auto store = std::move(*SignalStore::Open(dir.path(), "secret", std::string(32, 'k')));
  EXPECT_NE(Serialised(store->WeekCells(kWeeks[0], 1)), Serialised(Summarise(store->SignalsOf(kWeeks[0]), 1)));
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

}  // namespace
}  // namespace signaal::node
