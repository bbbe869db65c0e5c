// The broker's digest schedule with a real broker and node: a run missed while
// the broker was down is made up once at start, and never twice.
#include <gtest/gtest.h>

#include <ctime>
#include <fstream>
#include <sstream>
#include <thread>

#include "network.h"

namespace signaal::test {
namespace {

using namespace std::chrono_literals;

// Today's weekday in UTC, as the schedule names it.
std::string TodayUtc() {
  static const char* days[] = {"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"};
  std::time_t now = std::time(nullptr);
  std::tm t{};
  gmtime_r(&now, &t);
  return days[t.tm_wday];
}

// Replaces the broker config's [schedule] keys written by `broker init`.
void SetSchedule(const std::string& config, const std::string& from, const std::string& weekly) {
  std::ifstream in(config);
  std::stringstream text;
  text << in.rdbuf();
  std::string s = text.str();
  auto replace = [&s](const std::string& from, const std::string& to) {
    auto at = s.find(from);
    ASSERT_NE(at, std::string::npos) << from << " not in the broker config";
    s.replace(at, from.size(), to);
  };
  replace("weekly = \"" + from + "\"", "weekly = \"" + weekly + "\"");
  if (from.empty()) replace("timezone = \"Europe/Amsterdam\"", "timezone = \"UTC\"");
  std::ofstream(config) << s;
}

nlohmann::json PublishedDigests(Network& net) {
  auto r = net.BrokerCli({"digests", "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.Json();
}

// Waits until the broker has no digest queued or being built.
bool DigestsBuilt(Network& net) {
  for (int i = 0; i < 600; ++i) {
    auto r = net.BrokerCli({"status", "--json"});
    if (r.exit_code == 0 && r.Json()["digests_building"] == 0) return true;
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

TEST(DigestSchedule, MissedRunIsMadeUpOnceAtStart) {
  TempDir dir;
  Network net(dir);
  ASSERT_TRUE(net.StartBroker("limburg", 5, 1));
  NodeHandle* node = net.AddNode("Spreekuur Kerkrade", "spreekuur", "GM0928");
  ASSERT_NE(node, nullptr);
  std::string csv = dir.path() + "/signals.csv";
  ASSERT_EQ(RunCommand({GenBinary(), "--rows", "300", "--seed", "3", "--municipalities", "GM0928", "--from",
                        WeeksAgo(2), "--weeks", "2", "--out", csv})
                .exit_code,
            0);
  ASSERT_EQ(net.NodeCli(*node, {"signal", "import", csv}).exit_code, 0);
  ASSERT_EQ(net.NodeCli(*node, {"publish"}).exit_code, 0);
  ASSERT_TRUE(net.Drained(*node));
  EXPECT_EQ(PublishedDigests(net).size(), 0u);

  // Today at 00:00 UTC has passed: the broker was "down" for that run.
  net.broker().Stop();
  SetSchedule(net.broker_config(), "", TodayUtc() + " 00:00");
  net.broker().Start();
  ASSERT_TRUE(net.broker().WaitForLog("signaal-broker ready", 60s)) << net.broker().ReadLog();
  EXPECT_TRUE(net.broker().WaitForLog("digests scheduled " + TodayUtc() + " 00:00 UTC for limburg", 1s))
      << net.broker().ReadLog();
  // The made-up run is built beside the serving loop, not before it.
  ASSERT_TRUE(DigestsBuilt(net)) << net.broker().ReadLog();
  auto digests = PublishedDigests(net);
  ASSERT_EQ(digests.size(), 1u) << digests.dump();
  EXPECT_EQ(digests[0]["region"], "limburg");
  EXPECT_EQ(digests[0]["period"], WeeksAgo(1));
  auto status = net.BrokerCli({"status", "--json"}).Json();
  EXPECT_EQ(status["counters"]["digests.scheduled_runs"], 1) << status.dump();

  // The run is remembered: a restart makes nothing up again.
  net.broker().Stop();
  net.broker().Start();
  ASSERT_TRUE(net.broker().WaitForLog("signaal-broker ready", 60s));
  ASSERT_TRUE(DigestsBuilt(net)) << net.broker().ReadLog();
  EXPECT_EQ(PublishedDigests(net).size(), 1u);

  // A schedule the broker cannot read stops it at start, naming the file and key.
  net.broker().Stop();
  SetSchedule(net.broker_config(), TodayUtc() + " 00:00", "someday 07:00");
  auto check = RunCommand({BrokerBinary(), "run", "--config", net.broker_config(), "--check"});
  EXPECT_NE(check.exit_code, 0);
  EXPECT_NE(check.err.find(net.broker_config()), std::string::npos) << check.err;
  EXPECT_NE(check.err.find("schedule.weekly"), std::string::npos) << check.err;
}

}  // namespace
}  // namespace signaal::test
