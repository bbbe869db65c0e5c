// A full disk under the node's store: the import that does not fit fails
// whole, the daemon keeps running and says why in its status, and once the
// space is back it writes again by itself — no restart — and nothing is lost
// or counted twice. The store lives on a small tmpfs that the test fills with
// a filler file and empties again.
//
// Mounting needs root, or an unprivileged user and mount namespace: as root
// the test mounts the tmpfs itself; otherwise it runs itself again under
// `unshare -rm` (SIGNAAL_FULL_DISK_INNER=1), where it is root of its own
// namespace. It skips only when neither can mount.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "network.h"
#include "signaal/config.h"

namespace signaal::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// A tmpfs of `size` mounted over `path`, keeping what the folder held.
class SmallDisk {
 public:
  SmallDisk(const std::string& path, const std::string& size) : path_(path) {
    std::error_code ec;
    fs::rename(path, path + ".before", ec);
    if (ec) return;
    fs::create_directories(path);
    mounted_ = ::mount("tmpfs", path.c_str(), "tmpfs", 0, ("size=" + size + ",mode=0700").c_str()) == 0;
    bool ok = mounted_;
    // Folders and files; the control socket is made anew by the daemon.
    for (auto it = fs::recursive_directory_iterator(path + ".before", ec); ok && !ec && it != fs::end(it);
         it.increment(ec)) {
      fs::path to = fs::path(path) / fs::relative(it->path(), path + ".before");
      if (it->is_directory()) {
        // With its mode: the daemon refuses a control folder others may enter.
        fs::create_directories(to, ec);
        if (!ec) fs::permissions(to, fs::status(it->path()).permissions(), ec);
      } else if (it->is_regular_file()) {
        fs::copy_file(it->path(), to, ec);
      }
    }
    copied_ = ok && !ec;
  }
  ~SmallDisk() {
    if (mounted_) ::umount2(path_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_ && copied_; }
  // Writes a filler file until the disk is full; returns its size.
  size_t Fill() {
    std::ofstream f(filler(), std::ios::binary);
    std::string mib(1 << 20, 'f');
    size_t written = 0;
    while (f.write(mib.data(), static_cast<std::streamsize>(mib.size()))) {
      f.flush();
      if (!f) break;
      written += mib.size();
    }
    return written;
  }
  void Empty() { fs::remove(filler()); }

 private:
  std::string filler() const { return path_ + "/filler"; }
  std::string path_;
  bool mounted_ = false;
  bool copied_ = false;
};

bool CanMountHere() {
  TempDir probe;
  return ::mount("tmpfs", probe.path().c_str(), "tmpfs", 0, "size=1m") == 0 &&
         ::umount2(probe.path().c_str(), MNT_DETACH) == 0;
}

std::string GenerateCsv(const std::string& dir, const std::string& name, int rows, int seed, int weeks) {
  std::string csv = dir + "/" + name;
  auto r = RunCommand({GenBinary(), "--rows", std::to_string(rows), "--seed", std::to_string(seed),
                       "--municipalities", "GM0935", "--from", WeeksAgo(weeks - 1), "--weeks",
                       std::to_string(weeks), "--out", csv},
                      300s);
  return r.exit_code == 0 ? csv : "";
}

void NodeRecoversWhenSpaceReturns() {
  const int weeks = 8;
  TempDir dir;
  Network net(dir);
  ASSERT_TRUE(net.StartBroker("limburg", 2, 1));
  NodeHandle* node = net.AddNode("Helpdesk Maastricht", "helpdesk", "GM0935");
  ASSERT_NE(node, nullptr);
  // The store onto 256 MiB: room for the large import's log and table files
  // and for RocksDB's 16 MiB memtable, which it wants free before it
  // recovers by itself (its SstFileManager's reserve).
  node->daemon->Stop();
  SmallDisk disk(node->dir + "/data", "256m");
  ASSERT_TRUE(disk.mounted());
  ASSERT_TRUE(net.StartNode(*node)) << node->daemon->ReadLog();

  std::string small = GenerateCsv(dir.path(), "small.csv", 2000, 51, weeks);
  std::string large = GenerateCsv(dir.path(), "large.csv", 200000, 52, weeks);
  ASSERT_FALSE(small.empty());
  ASSERT_FALSE(large.empty());
  ASSERT_EQ(net.NodeCli(*node, {"signal", "import", small}).exit_code, 0);

  size_t filled = disk.Fill();
  std::cout << "filler: " << (filled >> 20) << " MiB\n";
  // More than RocksDB's write-ahead log has in reserve: the write fails.
  auto failed = net.NodeCli(*node, {"signal", "import", large});
  EXPECT_NE(failed.exit_code, 0);
  EXPECT_NE(failed.err.find("No space left"), std::string::npos) << failed.err;
  ASSERT_TRUE(node->daemon->Running()) << "the node died on the full disk\n" << node->daemon->ReadLog();
  auto status = net.NodeStatus(*node);
  ASSERT_FALSE(status.is_null()) << "status does not answer";
  EXPECT_EQ(status["signals"], 2000) << "part of the failed import was stored";
  EXPECT_FALSE(status["store_error"].is_null()) << status.dump();
  auto human = net.NodeCli(*node, {"status"});
  EXPECT_NE(human.out.find("writes fail since"), std::string::npos) << human.out;

  disk.Empty();
  // No restart: RocksDB clears its read-only state once the space is there
  // (and the node's Resume), and status says so.
  EXPECT_TRUE(WaitUntil([&] { return net.NodeStatus(*node)["store_error"].is_null(); }, 30s))
      << net.NodeStatus(*node).dump() << node->daemon->ReadLog();
  auto again = net.NodeCli(*node, {"signal", "import", large});
  ASSERT_EQ(again.exit_code, 0) << again.err << node->daemon->ReadLog();
  EXPECT_EQ(net.NodeStatus(*node)["signals"], 202000);

  // Nothing lost, nothing twice: the broker's numbers are the two files'.
  ASSERT_EQ(net.NodeCli(*node, {"publish"}).exit_code, 0);
  ASSERT_TRUE(net.Drained(*node, 60s));
  std::map<std::string, int> expected;
  for (const auto& file : {small, large}) {
    for (const auto& [key, n] : CountSignalsInCsv(file, {"GM0935"}, true)) {
      std::string code = key.substr(key.find('|') + 1);
      if (!code.empty() && code.find('.') == std::string::npos) expected[key] += n;
    }
  }
  std::map<std::string, int> got;
  auto themes = net.BrokerCli({"themes", "--weeks", std::to_string(weeks), "--json"}).Json();
  for (const auto& row : themes["rows"]) {
    got[row["period"].get<std::string>() + "|" + row["theme"].get<std::string>()] += row["signals"].get<int>();
  }
  EXPECT_TRUE(WithinDeviation(got, expected, kDefaultMaxDeviation))
      << nlohmann::json(got).dump() << "\n" << nlohmann::json(expected).dump();
  EXPECT_TRUE(net.NodeStatus(*node)["store_error"].is_null()) << node->daemon->ReadLog();
  node->daemon->Stop();  // before the tmpfs goes
}

TEST(FullDisk, NodeKeepsRunningAndWritesAgainWhenSpaceReturns) {
  if (std::getenv("SIGNAAL_FULL_DISK_INNER") || CanMountHere()) return NodeRecoversWhenSpaceReturns();
  // Not root: the same test in a user and mount namespace of its own.
  // RunCommand does not search PATH.
  std::string unshare = fs::exists("/usr/bin/unshare") ? "/usr/bin/unshare" : "/bin/unshare";
  auto inner = RunCommand({unshare, "-rm", fs::read_symlink("/proc/self/exe").string(),
                           "--gtest_filter=FullDisk.NodeKeepsRunningAndWritesAgainWhenSpaceReturns"},
                          600s, {{"SIGNAAL_FULL_DISK_INNER", "1"}});
  if (inner.exit_code != 0 && inner.out.find("[ RUN") == std::string::npos) {
    GTEST_SKIP() << "cannot mount a tmpfs: not root, and `unshare -rm` failed: " << inner.err;
  }
  std::cout << inner.out;
  EXPECT_EQ(inner.exit_code, 0) << inner.err;
}

}  // namespace
}  // namespace signaal::test
