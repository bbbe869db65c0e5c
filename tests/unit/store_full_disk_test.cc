// The broker's store on a full disk: a group commit that does not fit fails
// whole (the daemon Nacks it `store-failed`), the process lives on, and once
// the space is back the store writes again without being reopened, with
// everything stored before intact. The store lives on a tmpfs the test fills
// and empties (mounted as root, or as root of a user namespace under
// `unshare -rm`; skipped only when neither can mount).
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "broker_store.h"
#include "unit_support.h"

namespace signaal::broker {
namespace {

namespace fs = std::filesystem;

// A snapshot of about `cells` × 40 bytes.
wire::SummarySnapshot Snapshot(const std::string& node, const std::string& period, uint64_t version, int cells) {
  wire::SummarySnapshot s;
  s.set_node_id(node);
  s.set_period(period);
  s.set_version(version);
  for (int i = 0; i < cells; ++i) {
    auto* c = s.add_cells();
    c->set_municipality("GM" + std::to_string(1000 + i % 9000));
    c->set_theme("schulden");
    c->set_subtheme("schulden.wachttijd");
    c->set_signals(static_cast<uint32_t>(i + 1));
    c->set_persons(1);
    c->set_key_sum(static_cast<uint32_t>(i * 2654435761u));
  }
  return s;
}

size_t Fill(const std::string& file) {
  std::ofstream f(file, std::ios::binary);
  std::string mib(1 << 20, 'f');
  size_t written = 0;
  while (f.write(mib.data(), static_cast<std::streamsize>(mib.size())) && f.flush()) written += mib.size();
  return written;
}

void BrokerStoreSurvivesAFullDisk() {
  test::TempFolder dir;
  const std::string disk = dir.path() + "/disk";
  fs::create_directories(disk);
  ASSERT_EQ(::mount("tmpfs", disk.c_str(), "tmpfs", 0, "size=512m"), 0);
  struct Unmount {
    std::string path;
    ~Unmount() { ::umount2(path.c_str(), MNT_DETACH); }
  } unmount{disk};

  auto opened = BrokerStore::Open(disk + "/data");
  ASSERT_TRUE(opened.ok()) << opened.status().message();
  BrokerStore& store = **opened;
  auto first = Snapshot("node-a", "2026-W40", 1, 100);
  ASSERT_TRUE(store.OfferSnapshots({&first}).ok());

  Fill(disk + "/filler");
  // A group commit larger than what RocksDB's write-ahead log holds in
  // reserve (70 MiB: the 64 MiB memtable plus a tenth): it meets the full disk.
  std::vector<wire::SummarySnapshot> big;
  for (int i = 0; i < 80; ++i) big.push_back(Snapshot("node-b" + std::to_string(i), "2026-W10", 1, 25000));
  std::vector<const wire::SummarySnapshot*> batch;
  for (const auto& s : big) batch.push_back(&s);
  auto failed = store.OfferSnapshots(batch);
  ASSERT_FALSE(failed.ok()) << "the disk was not full";
  EXPECT_NE(failed.status().message().find("No space left"), std::string::npos) << failed.status().message();
  EXPECT_EQ(store.SnapshotVersion("node-b0", "2026-W10"), 0u) << "part of the failed commit was stored";

  fs::remove(disk + "/filler");
  // RocksDB clears its read-only state once 64 MiB are free (it looks every
  // 5 s); each offer in the meantime tries Resume.
  auto again = store.OfferSnapshots(batch);
  for (int i = 0; i < 30 && !again.ok(); ++i) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    again = store.OfferSnapshots(batch);
  }
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(store.SnapshotVersion("node-a", "2026-W40"), 1u);
  EXPECT_EQ(store.SnapshotVersion("node-b79", "2026-W10"), 1u);
  uint64_t stored = 0;
  store.ForEachSnapshot([&](const wire::SummarySnapshot&) { ++stored; });
  EXPECT_EQ(stored, 1u + 80u);  // node-a's week and the 80 others, each once
}

TEST(StoreFullDisk, BrokerStoreWritesAgainWhenSpaceReturns) {
  if (std::getenv("SIGNAAL_FULL_DISK_INNER") || geteuid() == 0) return BrokerStoreSurvivesAFullDisk();
  pid_t pid = fork();
  if (pid == 0) {
    setenv("SIGNAAL_FULL_DISK_INNER", "1", 1);
    std::string self = fs::read_symlink("/proc/self/exe").string();
    execlp("unshare", "unshare", "-rm", self.c_str(), "--gtest_filter=StoreFullDisk.*", static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) == 127) {
    GTEST_SKIP() << "cannot mount a tmpfs: not root, and `unshare -rm` failed";
  }
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace signaal::broker
