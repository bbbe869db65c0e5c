// The Prometheus endpoints of a running node and broker: scraped over HTTP
// like Prometheus would, the numbers match what was done to them, and no
// personal data planted in the signals shows up.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "network.h"

namespace signaal::test {
namespace {

using namespace std::chrono_literals;

// One HTTP/1.0 request to 127.0.0.1:port; the whole response.
std::string HttpGet(int port, const std::string& path) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return "";
  }
  std::string request = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\nUser-Agent: test\r\n\r\n";
  if (write(fd, request.data(), request.size()) != static_cast<ssize_t>(request.size())) {
    close(fd);
    return "";
  }
  std::string response;
  char buf[8192];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 5000) <= 0) break;
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) break;
    response.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return response;
}

// One sample line, "name{labels} value": false unless it has that form
// (name in [a-z_], labels in braces, a number or NaN). Hand-parsed: GCC 12
// under ASan warns about std::regex's own code, and warnings are errors.
bool ParseSample(const std::string& line, std::string& family, std::string& key, double& value) {
  size_t i = 0;
  while (i < line.size() && (std::islower(static_cast<unsigned char>(line[i])) || line[i] == '_')) ++i;
  if (i == 0) return false;
  family = line.substr(0, i);
  if (i < line.size() && line[i] == '{') {
    size_t close = line.find('}', i);
    if (close == std::string::npos) return false;
    i = close + 1;
  }
  key = line.substr(0, i);
  if (i >= line.size() || line[i] != ' ') return false;
  std::string number = line.substr(i + 1);
  if (number == "NaN") {
    value = std::nan("");
    return true;
  }
  if (number.empty() || number.find_first_not_of("-0123456789.e+") != std::string::npos) return false;
  try {
    size_t used = 0;
    value = std::stod(number, &used);
    return used == number.size();
  } catch (const std::exception&) {
    return false;
  }
}

// Samples of a metrics page: "name{labels}" -> value. Checks the format on
// the way: every sample's family has HELP and TYPE lines before it.
std::map<std::string, double> Parse(const std::string& page) {
  std::map<std::string, double> samples;
  std::set<std::string> typed;
  std::istringstream in(page);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("# TYPE ", 0) == 0) {
      typed.insert(line.substr(7, line.find(' ', 7) - 7));
      continue;
    }
    if (line.rfind("# HELP ", 0) == 0) continue;
    std::string family, key;
    double value = 0;
    bool ok = ParseSample(line, family, key, value);
    EXPECT_TRUE(ok) << "not a sample: " << line;
    if (!ok) continue;
    EXPECT_TRUE(typed.count(family)) << "no TYPE before " << line;
    samples[key] = value;
  }
  return samples;
}

std::string Body(const std::string& response) {
  auto at = response.find("\r\n\r\n");
  return at == std::string::npos ? "" : response.substr(at + 4);
}

void EnableMetrics(const std::string& config, int port) {
  std::ifstream in(config);
  std::stringstream text;
  text << in.rdbuf();
  std::string s = text.str();
  auto at = s.find("[metrics]\nlisten = \"\"");
  ASSERT_NE(at, std::string::npos) << config;
  s.replace(at, 21, "[metrics]\nlisten = \"tcp://127.0.0.1:" + std::to_string(port) + "\"");
  std::ofstream(config, std::ios::trunc) << s;
}

TEST(Metrics, NodeAndBrokerPagesMatchWhatHappened) {
  TempDir dir;
  Network net(dir);
  ASSERT_TRUE(net.StartBroker("limburg", 5, 1));
  NodeHandle* node = net.AddNode("Spreekuur Kerkrade", "spreekuur", "GM0928");
  ASSERT_NE(node, nullptr);

  int node_port = FreePort(), broker_port = FreePort();
  node->daemon->Stop();
  EnableMetrics(node->config, node_port);
  ASSERT_TRUE(net.StartNode(*node));
  net.broker().Stop();
  EnableMetrics(net.broker_config(), broker_port);
  net.broker().Start();
  ASSERT_TRUE(net.broker().WaitForLog("signaal-broker ready", 20s));

  // Signals with planted personal data in the reference and the free text.
  std::string canary = "Henriëtte Canarius-Vogelzang";
  for (int i = 0; i < 12; ++i) {
    auto add = net.NodeCli(*node, {"signal", "add", "--theme", "schulden", "--municipality", "GM0928", "--person",
                                   canary + " " + std::to_string(i), "--text", canary + " belde over haar schulden"});
    ASSERT_EQ(add.exit_code, 0) << add.err;
  }
  ASSERT_EQ(net.NodeCli(*node, {"publish"}).exit_code, 0);
  ASSERT_TRUE(net.Drained(*node));

  std::string node_page = HttpGet(node_port, "/metrics");
  ASSERT_EQ(node_page.rfind("HTTP/1.1 200 OK", 0), 0u) << node_page;
  EXPECT_NE(node_page.find("Content-Type: text/plain; version=0.0.4"), std::string::npos);
  auto n = Parse(Body(node_page));
  EXPECT_EQ(n["signaal_node_signals_stored"], 12);
  EXPECT_GE(n["signaal_node_snapshots_acked_total"], 1);
  EXPECT_EQ(n["signaal_node_outbox_depth"], 0);
  EXPECT_EQ(n["signaal_node_broker_state{state=\"connected\"}"], 1);
  EXPECT_EQ(n["signaal_node_broker_state{state=\"refused\"}"], 0);
  EXPECT_GE(n["signaal_node_last_ack_age_seconds"], 0);
  EXPECT_LT(n["signaal_node_last_ack_age_seconds"], 120);
  EXPECT_EQ(n["signaal_node_snapshots_nacked_total"], 0);

  std::string broker_page = HttpGet(broker_port, "/metrics");
  ASSERT_EQ(broker_page.rfind("HTTP/1.1 200 OK", 0), 0u) << broker_page;
  auto b = Parse(Body(broker_page));
  EXPECT_GE(b["signaal_broker_snapshots_stored_total"], 1);
  EXPECT_EQ(b["signaal_broker_snapshots_acked_total"], n["signaal_node_snapshots_acked_total"]);
  EXPECT_EQ(b["signaal_broker_principals_enrolled{role=\"node\"}"], 1);
  EXPECT_EQ(b["signaal_broker_principals_connected{role=\"node\"}"], 1);
  EXPECT_EQ(b["signaal_broker_handshakes_refused_total"], 0);

  // The administrator's view of the same node: sent this week, its versions.
  auto principals = net.BrokerCli({"principals", "--json"}).Json();
  ASSERT_TRUE(principals.is_array()) << principals.dump();
  bool found = false;
  for (const auto& p : principals) {
    if (p["id"] != node->id) continue;
    found = true;
    EXPECT_EQ(p["weeks_behind"], 0) << p.dump();
    EXPECT_FALSE(p["software_version"].get<std::string>().empty()) << p.dump();
    EXPECT_FALSE(p["taxonomy_version"].get<std::string>().empty()) << p.dump();
  }
  EXPECT_TRUE(found);

  // Revoked: the node's next snapshot is refused, and both pages say so.
  ASSERT_EQ(net.BrokerCli({"revoke", node->id}).exit_code, 0);
  ASSERT_EQ(net.NodeCli(*node, {"signal", "add", "--theme", "werk", "--municipality", "GM0928"}).exit_code, 0);
  ASSERT_EQ(net.NodeCli(*node, {"publish"}).exit_code, 0);
  ASSERT_TRUE(WaitUntil(
      [&] { return Parse(Body(HttpGet(node_port, "/metrics")))["signaal_node_broker_state{state=\"refused\"}"] == 1; },
      30s))
      << Body(HttpGet(node_port, "/metrics"));
  auto b2 = Parse(Body(HttpGet(broker_port, "/metrics")));
  EXPECT_EQ(b2["signaal_broker_principals_enrolled{role=\"node\"}"], 0);
  EXPECT_GE(b2["signaal_broker_snapshots_nacked_total{reason=\"revoked\"}"] +
                b2["signaal_broker_handshakes_refused_total"],
            1);

  // Only /metrics; nothing personal anywhere on either page.
  EXPECT_EQ(HttpGet(node_port, "/").rfind("HTTP/1.1 404", 0), 0u);
  EXPECT_EQ(HttpGet(broker_port, "/signals").rfind("HTTP/1.1 404", 0), 0u);
  for (const auto& page : {node_page, broker_page, HttpGet(node_port, "/metrics")}) {
    EXPECT_EQ(page.find("Canarius"), std::string::npos);
    EXPECT_EQ(page.find("schulden"), std::string::npos) << "a theme on a metrics page";
  }
}

}  // namespace
}  // namespace signaal::test
