// Backup while running and restore after losing the data folder, for a node
// and for the broker, with real daemons on loopback. The broker's theme
// totals are compared with the input CSVs, counted apart from the system.
#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>
#include <thread>

#include "network.h"
#include "signaal/config.h"

namespace signaal::test {
namespace {

using namespace std::chrono_literals;
constexpr int kWeeks = 6;
// broker.toml's default maximum deviation: every shown count is within it.
constexpr int kD = kDefaultMaxDeviation;
const std::string kGm = "GM0935";

// signaal-gen rows over the last kWeeks weeks, added to `expected` per theme.
std::string Generate(const TempDir& dir, const std::string& name, int seed, int rows,
                     std::map<std::string, int>* expected) {
  std::string csv = dir.path() + "/" + name + ".csv";
  auto gen = RunCommand({GenBinary(), "--rows", std::to_string(rows), "--seed", std::to_string(seed),
                         "--municipalities", kGm, "--from", WeeksAgo(kWeeks - 1), "--weeks", std::to_string(kWeeks),
                         "--out", csv});
  EXPECT_EQ(gen.exit_code, 0) << gen.err;
  if (expected) {
    // Per week and theme, as the live view shows them.
    for (const auto& [key, n] : CountSignalsInCsv(csv, {kGm}, true)) {
      std::string code = key.substr(key.find('|') + 1);
      if (!code.empty() && code.find('.') == std::string::npos) (*expected)[key] += n;
    }
  }
  return csv;
}

std::map<std::string, int> BrokerTotals(const Network& net) {
  std::map<std::string, int> got;
  auto themes = net.BrokerCli({"themes", "--weeks", std::to_string(kWeeks), "--json"}).Json();
  for (const auto& row : themes["rows"]) {
    if (row.value("suppressed", false)) return {{"<suppressed>", 1 << 20}};
    got[row["period"].get<std::string>() + "|" + row["theme"].get<std::string>()] += row["signals"].get<int>();
  }
  return got;
}

void ImportAndPublish(const Network& net, const NodeHandle& node, const std::string& csv) {
  auto imp = net.NodeCli(node, {"signal", "import", csv});
  ASSERT_EQ(imp.exit_code, 0) << imp.err;
  ASSERT_EQ(net.NodeCli(node, {"publish"}).exit_code, 0);
}

std::string DataDir(const NodeHandle& node) { return LoadNodeConfig(node.config)->data_dir; }

// The node is backed up while it runs, changes afterwards (more signals,
// sent and acked), then loses its data folder and is restored from the
// older backup. The broker holds newer versions of its weeks than the
// restored node; the node learns them from the stale-version refusals and
// sends its weeks again above them. Nothing is counted twice or lost.
TEST(Backup, NodeRestoredFromAnOlderBackupCatchesUpWithoutDoubleCounting) {
  TempDir dir;
  Network net(dir);
  ASSERT_TRUE(net.StartBroker("limburg", 2, 1));
  NodeHandle* node = net.AddNode("Cliëntenraad Maastricht", "clientenraad", kGm);
  ASSERT_NE(node, nullptr);

  std::map<std::string, int> before_backup, expected;
  std::string a = Generate(dir, "a", 11, 2000, &before_backup);
  ImportAndPublish(net, *node, a);
  ASSERT_TRUE(net.Drained(*node));
  expected = before_backup;

  std::string backup = dir.path() + "/node-backup";
  auto made = net.NodeCli(*node, {"backup", "--out", backup, "--json"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  auto result = made.Json();
  EXPECT_EQ(result["manifest"]["signals"], 2000);
  EXPECT_EQ(result["manifest"]["node_id"], node->id);
  EXPECT_EQ(result["manifest"]["outbox"], 0);
  EXPECT_EQ(result["manifest"]["keys"], nlohmann::json::array());
  std::cout << "node backup of 2000 signals: " << result["millis"] << " ms, " << result["bytes"] << " bytes in "
            << result["files"] << " files\n";
  // Never over an existing backup.
  auto again = net.NodeCli(*node, {"backup", "--out", backup});
  EXPECT_EQ(again.exit_code, 4) << again.err;
  EXPECT_NE(again.err.find("not empty"), std::string::npos) << again.err;

  // After the backup: more signals, sent and acked.
  std::string b = Generate(dir, "b", 12, 700, &expected);
  ImportAndPublish(net, *node, b);
  ASSERT_TRUE(net.Drained(*node));
  ASSERT_TRUE(WaitUntil([&] { return WithinDeviation(BrokerTotals(net), expected, kD); }, 20s));

  // The data folder is lost.
  node->daemon->Stop();
  std::filesystem::remove_all(DataDir(*node));
  auto restored = RunCommand({NodeBinary(), "restore", "--from", backup, "--config", node->config});
  ASSERT_EQ(restored.exit_code, 0) << restored.err;
  auto twice = RunCommand({NodeBinary(), "restore", "--from", backup, "--config", node->config});
  EXPECT_EQ(twice.exit_code, 4);
  EXPECT_NE(twice.err.find("already holds a store"), std::string::npos) << twice.err;
  ASSERT_TRUE(net.StartNode(*node));
  auto s = net.NodeStatus(*node);
  EXPECT_EQ(s["signals"], 2000);
  EXPECT_EQ(s["outbox_depth"], 0);
  EXPECT_EQ(s["dirty_periods"], 0);
  // A running node is not restored over.
  auto running = RunCommand({NodeBinary(), "restore", "--from", backup, "--config", node->config});
  EXPECT_EQ(running.exit_code, 4);
  EXPECT_NE(running.err.find("is running"), std::string::npos) << running.err;

  // New signals arrive at the restored node. Its version counter is back at
  // the backup's, so its next snapshots reuse numbers the broker already
  // holds with other cells (B's): they are refused as stale, the node lifts
  // its counter past the broker's versions and sends again. What the broker
  // shows is then what the node holds: A and C, B lost with the data folder.
  std::map<std::string, int> node_holds = before_backup;
  std::string c = Generate(dir, "c", 13, 500, &node_holds);
  ImportAndPublish(net, *node, c);
  ASSERT_TRUE(WaitUntil([&] { return WithinDeviation(BrokerTotals(net), node_holds, kD); }, 30s)) << node->daemon->ReadLog();
  ASSERT_TRUE(net.Drained(*node));
  s = net.NodeStatus(*node);
  EXPECT_GE(s["snapshots_nacked"].get<int>(), 1) << "the restored node's versions were never stale?";
  EXPECT_NE(s["last_nack"].get<std::string>().find("stale-version"), std::string::npos) << s.dump();

  // The operator imports again what came in after the backup: everything,
  // once.
  for (const auto& [theme, n] : node_holds) expected[theme] += n - before_backup[theme];
  ImportAndPublish(net, *node, b);
  ASSERT_TRUE(WaitUntil([&] { return WithinDeviation(BrokerTotals(net), expected, kD); }, 30s)) << node->daemon->ReadLog();
  ASSERT_TRUE(net.Drained(*node));
  s = net.NodeStatus(*node);
  EXPECT_EQ(s["signals"], 3200);
  // Settled: no refusal loop.
  int nacked = s["snapshots_nacked"];
  std::this_thread::sleep_for(3s);
  EXPECT_EQ(net.NodeStatus(*node)["snapshots_nacked"], nacked);
  EXPECT_TRUE(WithinDeviation(BrokerTotals(net), expected, kD));
}

nlohmann::json PrincipalsView(const Network& net) {
  auto principals = net.BrokerCli({"principals", "--json"}).Json();
  nlohmann::json out = nlohmann::json::array();
  for (const auto& p : principals) {
    out.push_back({{"id", p["id"]}, {"role", p["role"]}, {"status", p["status"]}, {"key", p["public_key"]}});
  }
  return out;
}

// The broker is backed up while it runs, receives more afterwards, loses its
// data folder and is restored. Principals and published digests come back as
// they were; the node notices from the heartbeat answer that the broker
// lacks weeks it had acked and sends them again.
TEST(Backup, BrokerRestoredKeepsPrincipalsAndDigestsAndNodesResendTheRest) {
  TempDir dir;
  Network net(dir);
  ASSERT_TRUE(net.StartBroker("limburg", 2, 1));
  NodeHandle* node = net.AddNode("Spreekuur Maastricht", "spreekuur", kGm);
  ASSERT_NE(node, nullptr);
  ASSERT_FALSE(net.AddSubscriber("adviesraad", "limburg").empty());
  std::map<std::string, int> expected;
  ImportAndPublish(net, *node, Generate(dir, "a", 21, 1500, &expected));
  ASSERT_TRUE(net.Drained(*node));
  auto pub = net.BrokerCli({"digest", "publish", "--period", WeeksAgo(2), "--region", "limburg"});
  ASSERT_EQ(pub.exit_code, 0) << pub.err;
  auto principals = PrincipalsView(net);
  auto digests = net.BrokerCli({"digests", "--json"}).Json();
  ASSERT_EQ(principals.size(), 3u) << principals.dump();  // admin, node, subscriber
  ASSERT_EQ(digests.size(), 1u) << digests.dump();

  std::string backup = dir.path() + "/broker-backup";
  auto made = net.BrokerCli({"backup", "--out", backup, "--with-keys", "--json"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  auto result = made.Json();
  EXPECT_EQ(result["manifest"]["principals"], 3);
  EXPECT_EQ(result["manifest"]["digest_sequence"], 1);
  EXPECT_EQ(result["manifest"]["keys"], nlohmann::json::array({"broker.key"}));
  std::cout << "broker backup: " << result["millis"] << " ms, " << result["bytes"] << " bytes\n";

  ImportAndPublish(net, *node, Generate(dir, "b", 22, 600, &expected));
  ASSERT_TRUE(net.Drained(*node));
  ASSERT_TRUE(WaitUntil([&] { return WithinDeviation(BrokerTotals(net), expected, kD); }, 20s));

  net.broker().Stop();
  auto config = LoadBrokerConfig(net.broker_config());
  ASSERT_TRUE(config.ok());
  std::filesystem::remove_all(config->data_dir);
  auto restored = RunCommand({BrokerBinary(), "restore", "--from", backup, "--config", net.broker_config()});
  ASSERT_EQ(restored.exit_code, 0) << restored.err;
  net.broker().Start();
  ASSERT_TRUE(net.broker().WaitForLog("signaal-broker ready", 20s));
  EXPECT_EQ(PrincipalsView(net), principals);
  EXPECT_EQ(net.BrokerCli({"digests", "--json"}).Json(), digests);
  // The weeks acked after the backup come back without anyone asking.
  EXPECT_TRUE(WaitUntil([&] { return WithinDeviation(BrokerTotals(net), expected, kD); }, 60s)) << node->daemon->ReadLog();
  EXPECT_TRUE(net.Drained(*node));
}

}  // namespace
}  // namespace signaal::test
