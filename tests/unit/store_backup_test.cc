// Backups of both stores while open, their offline restore, and how a node
// restored from an older backup catches up with a broker that holds newer
// versions of its weeks.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "broker_store.h"
#include "outbox.h"
#include "signal_store.h"
#include "signaal/backup.h"
#include "signaal/files.h"
#include "signaal/keys.h"
#include "unit_support.h"

namespace signaal {
namespace {
namespace fs = std::filesystem;

const ReferenceData& Ref() { return test::SourceReferenceData(); }

class Backups : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/signaal-backup-test-XXXXXX";
    root_ = mkdtemp(tmpl);
    data_ = root_ + "/data";
    store_ = std::move(*node::SignalStore::Open(data_, "secret", std::string(32, 'k')));
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(root_);
  }
  node::ValidatedSignal Signal(const std::string& date, const std::string& theme) {
    wire::SignalInput in;
    in.set_date(date);
    in.set_municipality("GM0917");
    in.set_theme(theme);
    return std::get<node::ValidatedSignal>(node::ValidateSignal(in, Ref(), "clientenraad", {2026, 11, 23}));
  }
  BackupSpec Spec(const std::string& out) {
    BackupSpec spec;
    spec.out = out;
    spec.data_dir = data_;
    spec.manifest = {{"what", node::kNodeBackupWhat}, {"node_id", "n"}};
    return spec;
  }
  RestoreSpec Restore(const std::string& from, const std::string& data_dir) {
    RestoreSpec spec;
    spec.from = from;
    spec.data_dir = data_dir;
    spec.what = node::kNodeBackupWhat;
    spec.identity_key = "node_id";
    spec.identity = "n";
    spec.format_current = node::NodeStoreFormat().current();
    spec.binary = "signaal-node";
    return spec;
  }
  std::string root_, data_;
  std::unique_ptr<node::SignalStore> store_;
};

TEST_F(Backups, NodeBackupWhileOpenIsACompleteStoreWithAManifest) {
  ASSERT_TRUE(store_->Add({Signal("2026-10-05", "schulden"), Signal("2026-10-13", "werk")}, 1).ok());
  auto done = store_->Backup(Spec(root_ + "/b1"));
  ASSERT_TRUE(done.ok()) << done.status().message();
  EXPECT_EQ(done->path, root_ + "/b1");
  EXPECT_GT(done->files, 2u);
  EXPECT_GT(done->bytes, 0u);
  // Changes after the backup are not in it.
  ASSERT_TRUE(store_->Add({Signal("2026-10-14", "werk")}, 2).ok());

  auto manifest = ReadBackupManifest(root_ + "/b1");
  ASSERT_TRUE(manifest.ok()) << manifest.status().message();
  EXPECT_EQ((*manifest)["what"], "signaal-node store");
  EXPECT_EQ((*manifest)["node_id"], "n");
  EXPECT_EQ((*manifest)["format_version"], node::NodeStoreFormat().current());
  EXPECT_EQ((*manifest)["signals"], 2);
  EXPECT_EQ((*manifest)["dirty_weeks"], 2);
  EXPECT_EQ((*manifest)["keys"], nlohmann::json::array());
  EXPECT_EQ((*manifest)["software_version"], SIGNAAL_VERSION);
  EXPECT_FALSE(fs::exists(root_ + "/b1/keys"));

  // The backup's store opens as it is.
  auto copy = node::SignalStore::Open(root_ + "/b1", "secret", std::string(32, 'k'));
  ASSERT_TRUE(copy.ok()) << copy.status().message();
  EXPECT_EQ((*copy)->CountSignals(), 2u);
  // Nothing but the backup itself is left in the parent.
  int entries = 0;
  for (const auto& e : fs::directory_iterator(root_)) entries += e.path().filename().string()[0] == '.' ? 100 : 1;
  EXPECT_EQ(entries, 2);  // data, b1
}

TEST_F(Backups, RefusesToOverwriteOrToWriteInsideTheStore) {
  fs::create_directories(root_ + "/full");
  ASSERT_TRUE(WriteFileAtomic(root_ + "/full/precious", "keep me").ok());
  auto refused = store_->Backup(Spec(root_ + "/full"));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Code::kRefused);
  EXPECT_EQ(refused.status().message(), root_ + "/full exists and is not empty; a backup never overwrites");
  EXPECT_EQ(*ReadFile(root_ + "/full/precious"), "keep me");

  auto inside = store_->Backup(Spec(data_ + "/backup"));
  ASSERT_FALSE(inside.ok());
  EXPECT_NE(inside.status().message().find("overlaps the data folder"), std::string::npos);
  auto relative = store_->Backup(Spec("backup"));
  ASSERT_FALSE(relative.ok());
  EXPECT_NE(relative.status().message().find("absolute path"), std::string::npos);
  auto no_parent = store_->Backup(Spec(root_ + "/missing/backup"));
  ASSERT_FALSE(no_parent.ok());
  EXPECT_NE(no_parent.status().message().find(root_ + "/missing does not exist"), std::string::npos);

  // An empty folder is taken (systemd or an operator may have made it).
  fs::create_directories(root_ + "/empty");
  EXPECT_TRUE(store_->Backup(Spec(root_ + "/empty")).ok());
  EXPECT_TRUE(fs::exists(root_ + "/empty/backup.json"));
  // And never a second time.
  EXPECT_FALSE(store_->Backup(Spec(root_ + "/empty")).ok());
  for (const auto& e : fs::directory_iterator(root_)) {
    EXPECT_EQ(e.path().filename().string().find(".partial"), std::string::npos) << e.path();
  }
}

TEST_F(Backups, KeysOnlyWhenAskedAndPrivate) {
  std::string key = root_ + "/node.key";
  ASSERT_TRUE(WriteNewPrivateFile(key, "secret key material").ok());
  auto spec = Spec(root_ + "/with-keys");
  spec.key_files = {key};
  auto done = store_->Backup(spec);
  ASSERT_TRUE(done.ok()) << done.status().message();
  struct stat st {};
  ASSERT_EQ(::stat((root_ + "/with-keys/keys/node.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(*ReadFile(root_ + "/with-keys/keys/node.key"), "secret key material");
  EXPECT_EQ((*ReadBackupManifest(root_ + "/with-keys"))["keys"], nlohmann::json::array({"node.key"}));
  ASSERT_EQ(::stat((root_ + "/with-keys").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST_F(Backups, RestoreRefusesAStoreInPlaceAnotherNodeAndANewerFormat) {
  ASSERT_TRUE(store_->Add({Signal("2026-10-05", "schulden")}, 1).ok());
  std::string key = root_ + "/node.key";
  ASSERT_TRUE(WriteNewPrivateFile(key, "the key").ok());
  auto spec = Spec(root_ + "/b");
  spec.key_files = {key};
  ASSERT_TRUE(store_->Backup(spec).ok());

  auto onto_store = RestoreBackup(Restore(root_ + "/b", data_));
  ASSERT_FALSE(onto_store.ok());
  EXPECT_EQ(onto_store.status().code(), Code::kRefused);
  EXPECT_NE(onto_store.status().message().find(data_ + "/db already holds a store"), std::string::npos);

  auto other = Restore(root_ + "/b", root_ + "/new");
  other.identity = "m";
  auto wrong = RestoreBackup(other);
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("node_id 'n'; the configuration is for 'm'"), std::string::npos);

  auto older_binary = Restore(root_ + "/b", root_ + "/new");
  older_binary.format_current = 0;
  auto newer = RestoreBackup(older_binary);
  ASSERT_FALSE(newer.ok());
  EXPECT_NE(newer.status().message().find("newer Signaalnet (format " + std::to_string(node::NodeStoreFormat().current()) +
                                          "); this binary reads format 0"),
            std::string::npos);

  auto not_backup = RestoreBackup(Restore(root_, root_ + "/new"));
  ASSERT_FALSE(not_backup.ok());
  EXPECT_NE(not_backup.status().message().find("has no backup.json"), std::string::npos);
  EXPECT_FALSE(fs::exists(root_ + "/new/db"));

  // A key file that differs from the backup's is refused before anything is copied.
  auto differing = Restore(root_ + "/b", root_ + "/new");
  differing.key_file = root_ + "/other.key";
  ASSERT_TRUE(WriteNewPrivateFile(differing.key_file, "another key").ok());
  EXPECT_FALSE(RestoreBackup(differing).ok());
  EXPECT_FALSE(fs::exists(root_ + "/new/db"));

  // Into an empty place, with the key file missing: both come back.
  auto good = Restore(root_ + "/b", root_ + "/new");
  good.key_file = root_ + "/restored.key";
  auto restored = RestoreBackup(good);
  ASSERT_TRUE(restored.ok()) << restored.status().message();
  EXPECT_EQ(*ReadFile(root_ + "/restored.key"), "the key");
  auto reopened = node::SignalStore::Open(root_ + "/new", "secret", std::string(32, 'k'));
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ((*reopened)->CountSignals(), 1u);
}

TEST_F(Backups, BrokerBackupCarriesPrincipalsAndSnapshots) {
  std::string broker_dir = root_ + "/broker";
  auto broker = broker::BrokerStore::Open(broker_dir);
  ASSERT_TRUE(broker.ok());
  wire::Principal p;
  p.set_id("admin");
  p.set_role(wire::ROLE_ADMIN);
  ASSERT_TRUE((*broker)->PutPrincipal(p).ok());
  wire::SummarySnapshot snap;
  snap.set_node_id("n");
  snap.set_period("2026-W41");
  snap.set_version(3);
  ASSERT_TRUE((*broker)->OfferSnapshot(snap).ok());
  BackupSpec spec;
  spec.out = root_ + "/bb";
  spec.data_dir = broker_dir;
  spec.manifest = {{"what", broker::kBrokerBackupWhat}, {"region", "limburg"}};
  auto done = (*broker)->Backup(spec);
  ASSERT_TRUE(done.ok()) << done.status().message();
  auto manifest = *ReadBackupManifest(root_ + "/bb");
  EXPECT_EQ(manifest["principals"], 1);
  EXPECT_EQ(manifest["snapshots"], 1);
  EXPECT_EQ(manifest["region"], "limburg");
  auto copy = broker::BrokerStore::Open(root_ + "/bb");
  ASSERT_TRUE(copy.ok());
  EXPECT_EQ((*copy)->SnapshotVersion("n", "2026-W41"), 3u);
}

// The broker tells a stale node which version it holds; the node lifts its
// counter past it and sends its week again, once.
TEST_F(Backups, StaleNackWithTheBrokersVersionLiftsTheCounterAndResends) {
  ASSERT_TRUE(store_->Add({Signal("2026-10-05", "schulden")}, 1).ok());
  node::Outbox outbox(*store_, Ref(), "n", GenerateSigningKeyPair(), 3650);
  int64_t now = 1795000000;
  ASSERT_EQ(*outbox.Publish(now), std::vector<std::string>{"2026-W41"});
  ASSERT_EQ(store_->PendingVersions()->at("2026-W41"), 1u);

  outbox.OnNack("stale-version", "2026-W41", 1, 7, now);
  EXPECT_EQ(store_->last_version(), 8u);
  EXPECT_EQ(store_->PendingVersions()->at("2026-W41"), 8u);
  EXPECT_TRUE(store_->DirtyPeriods().empty());
  EXPECT_EQ(outbox.depth(), 1u);
  EXPECT_EQ(outbox.Due(std::chrono::steady_clock::now()).size(), 1u);  // at once, no backoff

  // The same version with other cells (a counter reused after a restore).
  outbox.OnNack("stale-version", "2026-W41", 8, 8, now);
  EXPECT_EQ(store_->PendingVersions()->at("2026-W41"), 9u);

  // A late Nack of a version we no longer hold changes nothing but the counter floor.
  outbox.OnNack("stale-version", "2026-W41", 3, 2, now);
  EXPECT_EQ(store_->PendingVersions()->at("2026-W41"), 9u);
  // An absurd version from a confused broker is not followed.
  outbox.OnNack("stale-version", "2026-W41", 9, uint64_t{1} << 60, now);
  EXPECT_LT(store_->last_version(), 100u);
}

TEST(BrokerStoreOffer, SameVersionWithOtherCellsIsStaleNotADuplicate) {
  char tmpl[] = "/tmp/signaal-offer-test-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  {
    auto store = broker::BrokerStore::Open(dir);
    wire::SummarySnapshot a;
    a.set_node_id("n");
    a.set_period("2026-W41");
    a.set_version(4);
    a.set_created_unix(100);
    auto* c = a.add_cells();
    c->set_theme("werk");
    c->set_signals(3);
    EXPECT_EQ(*(*store)->OfferSnapshot(a), broker::BrokerStore::Offer::kStored);
    wire::SummarySnapshot retry = a;
    retry.set_created_unix(200);  // made again, same cells: a retry
    EXPECT_EQ(*(*store)->OfferSnapshot(retry), broker::BrokerStore::Offer::kDuplicate);
    wire::SummarySnapshot other = a;
    other.mutable_cells(0)->set_signals(5);
    EXPECT_EQ(*(*store)->OfferSnapshot(other), broker::BrokerStore::Offer::kStale);
    EXPECT_EQ((*store)->SnapshotVersion("n", "2026-W41"), 4u);
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace signaal
