#include "network.h"

#include <fstream>
#include <iostream>
#include <sstream>

#include "signaal/period.h"

namespace signaal::test {

using namespace std::chrono_literals;

bool Network::StartBroker(const std::string& region, int k, int min_organisations) {
  listen_ = "tcp://127.0.0.1:" + std::to_string(FreePort());
  control_ = "tcp://127.0.0.1:" + std::to_string(FreePort());
  auto init = RunCommand({BrokerBinary(), "init", "--dir", dir_ + "/broker", "--region", region, "--listen", listen_,
                          "--control", control_, "--k", std::to_string(k),
                          "--min-organisations", std::to_string(min_organisations), "--json"});
  if (init.exit_code != 0) {
    std::cerr << "broker init failed: " << init.err << "\n";
    return false;
  }
  auto j = init.Json();
  broker_config_ = j["config"];
  broker_key_ = j["public_key"];
  broker_ = std::make_unique<Daemon>(std::vector<std::string>{BrokerBinary(), "run", "--config", broker_config_},
                                     dir_ + "/broker.log");
  if (!broker_->WaitForLog("signaal-broker ready", 20s)) {
    std::cerr << broker_->ReadLog();
    return false;
  }
  return true;
}

NodeHandle* Network::AddNode(const std::string& org, const std::string& type, const std::string& gm, bool enrol,
                             int interval_s) {
  auto node = std::make_unique<NodeHandle>();
  node->dir = dir_ + "/node-" + std::to_string(nodes_.size() + 1);
  auto init = RunCommand({NodeBinary(), "init", "--dir", node->dir, "--org", org, "--type", type, "--municipality",
                          gm, "--broker", node_broker_endpoint_.empty() ? listen_ : node_broker_endpoint_,
                          "--broker-key", broker_key_, "--json"});
  if (init.exit_code != 0) {
    std::cerr << "node init failed: " << init.err << "\n";
    return nullptr;
  }
  auto j = init.Json();
  node->id = j["node_id"];
  node->config = j["config"];
  // A shorter publish interval for tests that wait for automatic publication.
  std::ifstream in(node->config);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  auto pos = text.find("interval_s = 60");
  if (pos != std::string::npos) text.replace(pos, 15, "interval_s = " + std::to_string(interval_s));
  std::ofstream(node->config, std::ios::trunc) << text;
  if (enrol) {
    auto r = BrokerCli({"enroll", j["enrolment_request"]});
    if (r.exit_code != 0) {
      std::cerr << "enroll failed: " << r.err << "\n";
      return nullptr;
    }
  }
  node->daemon = std::make_unique<Daemon>(std::vector<std::string>{NodeBinary(), "run", "--config", node->config},
                                          node->dir + "/node.log");
  if (!node->daemon->WaitForLog("signaal-node ready", 20s)) {
    std::cerr << node->daemon->ReadLog();
    return nullptr;
  }
  NodeHandle* raw = node.get();
  nodes_[node->id] = std::move(node);
  return raw;
}

bool Network::StartNode(NodeHandle& node) {
  node.daemon->Start();
  return node.daemon->WaitForLog("signaal-node ready", 20s);
}

int Network::EnableIntakePage(NodeHandle& node) {
  node.daemon->Stop();
  const int port = FreePort();
  std::string text = ReadText(node.config);
  const size_t web = text.find("[web]");
  const size_t listen = web == std::string::npos ? web : text.find("listen = \"\"", web);
  if (listen == std::string::npos) {
    std::cerr << node.config << " has no [web] listen = \"\"\n";
    return 0;
  }
  text.replace(listen, 11, "listen = \"127.0.0.1:" + std::to_string(port) + "\"");
  std::ofstream(node.config, std::ios::trunc) << text;
  if (!StartNode(node) || !node.daemon->WaitForLog("intake page on http://127.0.0.1:", 5s)) {
    std::cerr << node.daemon->ReadLog();
    return 0;
  }
  return port;
}

std::string Network::AddIntakeUser(const NodeHandle& node, const std::string& name, const std::string& role) {
  auto r = NodeCli(node, {"user", "add", name, "--role", role, "--json"});
  if (r.exit_code != 0) std::cerr << "user add " << name << ": " << r.err << "\n";
  return r.exit_code == 0 ? r.Json().value("password", "") : "";
}

std::string Network::AddSubscriber(const std::string& name, const std::string& regions) {
  std::string key = dir_ + "/" + name + ".key";
  auto gen = Cli({"keys", "generate", "--out", key, "--json"});
  if (gen.exit_code != 0) return "";
  auto r = BrokerCli({"enroll-subscriber", "--name", name, "--regions", regions, "--public-key",
                      gen.Json()["public_key"].get<std::string>()});
  return r.exit_code == 0 ? key : "";
}

CommandResult Network::Cli(std::vector<std::string> args, std::chrono::seconds timeout) const {
  args.insert(args.begin(), CliBinary());
  return RunCommand(args, timeout);
}

CommandResult Network::NodeCli(const NodeHandle& node, std::vector<std::string> args) const {
  args.insert(args.begin(), {"node"});
  args.insert(args.end(), {"--config", node.config});
  CommandResult r = Cli(args, 120s);
  // A command that hung says nothing of why; the node's log may.
  if (r.err.find("[killed after timeout]") != std::string::npos && node.daemon) {
    std::string log = node.daemon->ReadLog();
    if (log.size() > 4000) log = "..." + log.substr(log.size() - 4000);
    r.err += "\n[the node's log]\n" + log;
  }
  return r;
}

CommandResult Network::BrokerCli(std::vector<std::string> args) const {
  args.insert(args.begin(), {"broker"});
  args.insert(args.end(), {"--config", broker_config_});
  return Cli(args);
}

nlohmann::json Network::NodeStatus(const NodeHandle& node) const {
  return NodeCli(node, {"status", "--json"}).Json();
}

bool Network::Drained(const NodeHandle& node, std::chrono::seconds timeout) const {
  return WaitUntil(
      [&] {
        auto s = NodeStatus(node);
        return !s.is_null() && s["outbox_depth"] == 0 && s["dirty_periods"] == 0;
      },
      timeout);
}

std::map<std::string, int> CountSignalsInCsv(const std::string& path, const std::vector<std::string>& region_gms,
                                             bool by_week) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);
  char sep = text.find(';') < text.find('\n') ? ';' : ',';
  // Records of fields, honouring quotes (fields may hold separators and line breaks).
  std::vector<std::vector<std::string>> records(1);
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') field += text[++i];
      else if (c == '"') quoted = false;
      else field += c;
    } else if (c == '"') {
      quoted = true;
    } else if (c == sep) {
      records.back().push_back(field);
      field.clear();
    } else if (c == '\n') {
      records.back().push_back(field);
      field.clear();
      records.emplace_back();
    } else if (c != '\r') {
      field += c;
    }
  }
  std::map<std::string, int> counts;
  if (records.empty()) return counts;
  const auto& header = records.front();
  auto col = [&](const std::string& name) {
    for (size_t i = 0; i < header.size(); ++i) {
      if (header[i] == name) return i;
    }
    return header.size();
  };
  size_t gm = col("municipality"), theme = col("theme"), sub = col("subtheme"), date = col("date");
  for (size_t r = 1; r < records.size(); ++r) {
    const auto& rec = records[r];
    if (rec.size() < header.size()) continue;
    if (std::find(region_gms.begin(), region_gms.end(), rec[gm]) == region_gms.end()) continue;
    std::string week;
    if (by_week) {
      auto d = date < rec.size() ? ParseDate(rec[date]) : Result<Date>(Status::Usage("no date column"));
      if (!d.ok()) continue;
      week = IsoWeekOf(*d) + "|";
    }
    counts[week]++;
    counts[week + rec[theme]]++;
    if (!rec[sub].empty()) counts[week + rec[sub]]++;
  }
  return counts;
}

bool WithinDeviation(const std::map<std::string, int>& shown, const std::map<std::string, int>& truth, int d) {
  auto at = [](const std::map<std::string, int>& m, const std::string& k) {
    auto it = m.find(k);
    return it == m.end() ? 0 : it->second;
  };
  for (const auto& [k, n] : truth) {
    if (std::abs(at(shown, k) - n) > d) return false;
  }
  for (const auto& [k, n] : shown) {
    if (!truth.count(k) && n > d) return false;
  }
  return true;
}

std::string WeeksAgo(int n) { return AddWeeks(IsoWeekOf(Today()), -n); }

}  // namespace signaal::test
