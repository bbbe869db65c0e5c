// Faults a real deployment meets: the broker away for a long time, and
// hostile bytes on the node's local control socket. Real daemons on loopback.
#include <gtest/gtest.h>

#include <iostream>
#include <random>
#include <set>

#include <zmq.hpp>

#include "network.h"
#include "node_control.pb.h"
#include "signaal/config.h"

namespace signaal::test {
namespace {

using namespace std::chrono_literals;

// The broker is away while twelve weeks of signals come in, in batches, each
// followed by a publication: the node keeps accepting, its outbox holds at
// most one snapshot per week (the newest), its status says since when the
// broker is unreachable, and everything arrives, exactly once, on return.
TEST(Reliability, BrokerAwayForWeeksThenEverythingArrivesOnce) {
  TempDir dir;
  Network net(dir);
  ASSERT_TRUE(net.StartBroker("limburg", 2, 1));
  NodeHandle* node = net.AddNode("Cliëntenraad Maastricht", "clientenraad", "GM0935");
  ASSERT_NE(node, nullptr);
  ASSERT_TRUE(WaitUntil([&] { return net.NodeStatus(*node)["broker_state"] == "connected"; }, 15s));

  net.broker().Stop();
  ASSERT_TRUE(WaitUntil([&] { return net.NodeStatus(*node)["broker_state"] == "unreachable"; }, 60s));
  auto human = net.NodeCli(*node, {"status"});
  EXPECT_NE(human.out.find("unreachable since"), std::string::npos) << human.out;

  const int weeks = 12, batches = 8;
  std::map<std::string, int> expected;
  size_t max_depth = 0;
  std::set<std::string> weeks_with_signals;
  for (int b = 0; b < batches; ++b) {
    std::string csv = dir.path() + "/batch-" + std::to_string(b) + ".csv";
    ASSERT_EQ(RunCommand({GenBinary(), "--rows", "1000", "--seed", std::to_string(50 + b), "--municipalities",
                          "GM0935", "--from", WeeksAgo(weeks - 1), "--weeks", std::to_string(weeks), "--out", csv})
                  .exit_code,
              0);
    auto imp = net.NodeCli(*node, {"signal", "import", csv, "--json"});
    ASSERT_EQ(imp.exit_code, 0) << imp.err;
    auto imported = imp.Json();
    for (const auto& p : imported["periods"]) weeks_with_signals.insert(p.get<std::string>());
    for (const auto& [key, n] : CountSignalsInCsv(csv, {"GM0935"}, true)) {
      std::string code = key.substr(key.find('|') + 1);
      if (!code.empty() && code.find('.') == std::string::npos) expected[key] += n;
    }
    ASSERT_EQ(net.NodeCli(*node, {"publish"}).exit_code, 0);
    auto s = net.NodeStatus(*node);
    size_t depth = s["outbox_depth"].get<size_t>();
    max_depth = std::max(max_depth, depth);
    std::set<std::string> pending;
    for (const auto& p : s["pending_periods"]) pending.insert(p.get<std::string>());
    EXPECT_EQ(pending.size(), depth) << "two snapshots of one week in the outbox";
    EXPECT_EQ(pending, weeks_with_signals) << "the outbox holds a week without signals, or misses one";
    EXPECT_EQ(s["broker_state"], "unreachable");
  }
  EXPECT_LE(max_depth, static_cast<size_t>(weeks));
  EXPECT_EQ(net.NodeStatus(*node)["signals"], 1000 * batches);
  std::cout << "broker away: " << batches << " publications of " << weeks << " weeks, outbox at most " << max_depth
            << " snapshots\n";

  net.broker().Start();
  ASSERT_TRUE(net.broker().WaitForLog("signaal-broker ready", 20s));
  // The node notices on its own (reconnect and backoff), without a publish.
  ASSERT_TRUE(WaitUntil(
      [&] {
        auto s = net.NodeStatus(*node);
        return s["outbox_depth"] == 0 && s["broker_state"] == "connected";
      },
      90s))
      << node->daemon->ReadLog();
  std::map<std::string, int> got;
  auto themes = net.BrokerCli({"themes", "--weeks", std::to_string(weeks), "--json"}).Json();
  for (const auto& row : themes["rows"]) {
    ASSERT_FALSE(row.value("suppressed", false)) << row.dump();
    got[row["period"].get<std::string>() + "|" + row["theme"].get<std::string>()] += row["signals"].get<int>();
  }
  // Each week's theme count as imported, perturbed by at most D (broker.toml's
  // default): nothing lost, nothing counted twice.
  EXPECT_TRUE(WithinDeviation(got, expected, kDefaultMaxDeviation)) << nlohmann::json(got).dump() << "\n" << nlohmann::json(expected).dump();
  auto broker = net.BrokerCli({"status", "--json"}).Json();
  EXPECT_EQ(broker["snapshots_stored"], weeks_with_signals.size()) << "only the newest version of each week is sent";
}

// Whatever reaches the node's local control socket, the node answers or
// counts it and goes on serving.
TEST(Reliability, NodeLocalControlRefusesMalformedRequests) {
  TempDir dir;
  Network net(dir);
  ASSERT_TRUE(net.StartBroker());
  NodeHandle* node = net.AddNode("Spreekuur Venlo", "spreekuur", "GM0983");
  ASSERT_NE(node, nullptr);
  auto config = LoadNodeConfig(node->config);
  ASSERT_TRUE(config.ok()) << config.status().message();
  std::string endpoint = config->control;
  ASSERT_EQ(endpoint.rfind("ipc://", 0), 0u) << endpoint;

  zmq::context_t ctx(1);
  zmq::socket_t peer(ctx, zmq::socket_type::dealer);
  peer.set(zmq::sockopt::linger, 0);
  peer.set(zmq::sockopt::sndtimeo, 5000);  // never a hang if the node goes
  peer.connect(endpoint);
  auto ask = [&](const std::vector<std::string>& frames) -> std::optional<wire::NodeResponse> {
    for (size_t i = 0; i < frames.size(); ++i) {
      peer.send(zmq::buffer(frames[i]), i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
    }
    zmq::pollitem_t items[] = {{peer.handle(), 0, ZMQ_POLLIN, 0}};
    if (zmq::poll(items, 1, 5000ms) <= 0) return std::nullopt;
    zmq::message_t msg;
    (void)peer.recv(msg);
    wire::NodeResponse r;
    if (!r.ParseFromArray(msg.data(), static_cast<int>(msg.size()))) return std::nullopt;
    return r;
  };
  std::mt19937_64 rng(3);
  std::string junk(2048, '\0');
  for (auto& c : junk) c = static_cast<char>(rng());
  wire::NodeRequest future;
  future.set_schema(5);
  future.mutable_status();
  wire::NodeRequest empty;
  empty.set_schema(1);
  wire::NodeRequest bad_import;
  bad_import.set_schema(1);
  bad_import.mutable_import_csv()->set_content(junk);
  wire::NodeRequest bad_add;
  bad_add.set_schema(1);
  bad_add.mutable_add()->mutable_signal()->set_theme("astrologie");
  struct Case {
    std::string what;
    std::vector<std::string> frames;
    bool counted;  // malformed (counted) rather than refused on its content
  };
  std::vector<Case> cases = {
      {"random bytes", {"\xff\xff\x01 not a request"}, true},
      {"random bytes (long)", {junk}, true},
      {"extra frames", {future.SerializeAsString(), "more", "and more"}, true},
      {"an unknown schema version", {future.SerializeAsString()}, true},
      {"no operation", {empty.SerializeAsString()}, false},
      {"an import that is not CSV", {bad_import.SerializeAsString()}, false},
      {"a signal with an unknown theme", {bad_add.SerializeAsString()}, false},
  };
  uint64_t counted = 0;
  for (const auto& c : cases) {
    auto r = ask(c.frames);
    ASSERT_TRUE(r.has_value()) << c.what << ": no answer";
    EXPECT_FALSE(r->ok()) << c.what;
    EXPECT_FALSE(r->error().empty()) << c.what;
    counted += c.counted;
  }
  auto s = net.NodeStatus(*node);
  EXPECT_EQ(s["control_refused"], counted);
  EXPECT_EQ(s["signals"], 0) << "a refused request stored something";
  EXPECT_TRUE(node->daemon->Running());
  auto add = net.NodeCli(*node, {"signal", "add", "--theme", "wonen", "--municipality", "GM0983"});
  EXPECT_EQ(add.exit_code, 0) << add.err;
  std::cout << "hostile input on the node's local control: " << cases.size() << " kinds refused\n";
}

}  // namespace
}  // namespace signaal::test
