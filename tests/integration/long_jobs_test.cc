// Long work on the node's store — a large CSV import — runs on the node's
// worker thread: meanwhile `signaal node status` answers well inside its 5 s
// timeout and says what runs, the broker keeps getting heartbeats, systemd's
// watchdog keeps getting pings, a request that changes the store waits for
// the job instead of failing, and the import is complete and correct.
//
// SIGNAAL_LONG_IMPORT_ROWS sets the file's size (default 300,000 rows, about
// 37 MB: 20 s of import on a loaded 2-core machine; 1,000,000 for the figure
// in the findings).
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <future>
#include <iostream>
#include <sstream>
#include <thread>

#include "network.h"
#include "signaal/config.h"

namespace signaal::test {
namespace {

using namespace std::chrono_literals;

// systemd's end of sd_notify: counts WATCHDOG=1 datagrams.
class WatchdogListener {
 public:
  explicit WatchdogListener(const std::string& path) : path_(path) {
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    path.copy(addr.sun_path, sizeof(addr.sun_path) - 1);
    bound_ = fd_ >= 0 && bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~WatchdogListener() {
    if (fd_ >= 0) close(fd_);
    unlink(path_.c_str());
  }
  bool bound() const { return bound_; }
  // Pings received since the last call.
  int Pings() {
    int n = 0;
    char buf[4096];
    for (ssize_t got; (got = recv(fd_, buf, sizeof buf, 0)) > 0;) {
      n += std::string(buf, static_cast<size_t>(got)).find("WATCHDOG=1") != std::string::npos;
    }
    return n;
  }

 private:
  std::string path_;
  int fd_ = -1;
  bool bound_ = false;
};

void SetInConfig(const std::string& path, const std::string& from, const std::string& to) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  auto pos = text.find(from);
  ASSERT_NE(pos, std::string::npos) << from;
  text.replace(pos, from.size(), to);
  std::ofstream(path, std::ios::trunc) << text;
}

uint64_t BrokerHeartbeats(Network& net) {
  auto j = net.BrokerCli({"status", "--json"}).Json();
  return j.is_null() ? 0 : j["counters"].value("heartbeats", uint64_t{0});
}

TEST(LongJobs, StatusBrokerLinkAndWatchdogAnswerDuringALargeImport) {
  const int rows = EnvInt("SIGNAAL_LONG_IMPORT_ROWS", 300000);
  TempDir dir;
  Network net(dir);
  ASSERT_TRUE(net.StartBroker("limburg", 2, 1));
  NodeHandle* node = net.AddNode("Spreekuur Maastricht", "spreekuur", "GM0935");
  ASSERT_NE(node, nullptr);
  // A heartbeat a second, and systemd's watchdog at 2 s (pings every 1 s), so
  // a stalled loop shows within the import.
  node->daemon->Stop();
  SetInConfig(node->config, "heartbeat_s = 15", "heartbeat_s = 1");
  WatchdogListener watchdog(dir.path() + "/notify");
  ASSERT_TRUE(watchdog.bound());
  setenv("NOTIFY_SOCKET", (dir.path() + "/notify").c_str(), 1);
  setenv("WATCHDOG_USEC", "2000000", 1);
  bool started = net.StartNode(*node);
  unsetenv("NOTIFY_SOCKET");
  unsetenv("WATCHDOG_USEC");
  ASSERT_TRUE(started) << node->daemon->ReadLog();
  ASSERT_TRUE(WaitUntil([&] { return net.NodeStatus(*node)["broker_state"] == "connected"; }, 20s));

  const int weeks = 12;
  std::string csv = dir.path() + "/large.csv";
  ASSERT_EQ(RunCommand({GenBinary(), "--rows", std::to_string(rows), "--seed", "14", "--municipalities", "GM0935",
                        "--from", WeeksAgo(weeks - 1), "--weeks", std::to_string(weeks), "--out", csv},
                       300s)
                .exit_code,
            0);

  watchdog.Pings();
  uint64_t heartbeats_before = BrokerHeartbeats(net);
  auto started_at = std::chrono::steady_clock::now();
  auto import = std::async(std::launch::async, [&] {
    return RunCommand({CliBinary(), "node", "signal", "import", csv, "--json", "--config", node->config}, 600s);
  });
  // A hand-entered signal while the import runs: it waits for the import
  // (the store has one writer at a time) and is then stored, not refused.
  std::this_thread::sleep_for(300ms);
  auto add = std::async(std::launch::async, [&] {
    return RunCommand({CliBinary(), "node", "signal", "add", "--theme", "wonen", "--municipality", "GM0935",
                       "--json", "--config", node->config},
                      600s);
  });

  int asked = 0, answered = 0, saw_job = 0, pings = 0;
  double slowest = 0;
  while (import.wait_for(500ms) != std::future_status::ready) {
    // Read as systemd does: a full notify queue would block the daemon's sd_notify.
    pings += watchdog.Pings();
    auto t0 = std::chrono::steady_clock::now();
    auto s = RunCommand({CliBinary(), "node", "status", "--json", "--config", node->config}, 30s);
    double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ++asked;
    if (s.exit_code != 0) continue;
    ++answered;
    slowest = std::max(slowest, took);
    auto j = s.Json();
    if (!j["job"].is_null() && j["job"]["what"].get<std::string>().find("import") != std::string::npos) ++saw_job;
  }
  double import_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_at).count();
  uint64_t heartbeats_during = BrokerHeartbeats(net) - heartbeats_before;
  pings += watchdog.Pings();
  std::cout << "import of " << rows << " rows: " << import_s << " s; status asked " << asked << " times, answered "
            << answered << ", slowest " << slowest << " s; " << heartbeats_during << " heartbeats at the broker, "
            << pings << " watchdog pings\n";

  auto imported = import.get();
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_EQ(imported.Json()["imported"], rows);
  auto added = add.get();
  EXPECT_EQ(added.exit_code, 0) << added.err;

  EXPECT_GE(asked, 2) << "the import was too short to ask status during it";
  EXPECT_EQ(answered, asked) << "status timed out during the import";
  EXPECT_LT(slowest, 2.5) << "status waited for the import";
  EXPECT_GT(saw_job, 0) << "status never said an import runs";
  // Heartbeats every second, pings every second; some slack for a loaded machine.
  EXPECT_GE(heartbeats_during, static_cast<uint64_t>(import_s / 2)) << "the broker link went quiet";
  EXPECT_GE(pings, static_cast<int>(import_s / 2)) << "the watchdog went unfed";

  // Complete and correct: every row, once, and the broker's numbers are the file's.
  EXPECT_EQ(net.NodeStatus(*node)["signals"], rows + 1);
  ASSERT_EQ(net.NodeCli(*node, {"publish"}).exit_code, 0);
  ASSERT_TRUE(net.Drained(*node, 60s));
  std::map<std::string, int> expected;
  for (const auto& [key, n] : CountSignalsInCsv(csv, {"GM0935"}, true)) {
    std::string code = key.substr(key.find('|') + 1);
    if (!code.empty() && code.find('.') == std::string::npos) expected[key] += n;
  }
  std::string added_week = added.Json()["period"].get<std::string>();
  expected[added_week + "|wonen"] += 1;
  std::map<std::string, int> got;
  auto themes = net.BrokerCli({"themes", "--weeks", std::to_string(weeks), "--json"}).Json();
  for (const auto& row : themes["rows"]) {
    ASSERT_FALSE(row.value("suppressed", false)) << row.dump();
    got[row["period"].get<std::string>() + "|" + row["theme"].get<std::string>()] += row["signals"].get<int>();
  }
  EXPECT_TRUE(WithinDeviation(got, expected, kDefaultMaxDeviation))
      << nlohmann::json(got).dump() << "\n" << nlohmann::json(expected).dump();
}

}  // namespace
}  // namespace signaal::test
