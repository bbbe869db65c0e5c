// Network: a whole Signaalnet on loopback for integration tests — a broker and
// nodes set up only through the real command-line contract (init, enroll,
// run), each in its own folder under one TempDir.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <tuple>

#include "process.h"

namespace signaal::test {

struct NodeHandle {
  std::string id;
  std::string config;
  std::string dir;
  std::unique_ptr<Daemon> daemon;
};

class Network {
 public:
  explicit Network(const TempDir& dir) : dir_(dir.path()) {}

  // Initialises and starts the broker; false (with a message on stderr) on failure.
  bool StartBroker(const std::string& region = "limburg", int k = 5, int min_organisations = 2);
  // init + enroll + run; `interval_s` is the automatic publish interval.
  NodeHandle* AddNode(const std::string& org, const std::string& type, const std::string& gm,
                      bool enrol = true, int interval_s = 60);
  bool StartNode(NodeHandle& node);
  // Turns the node's intake page on (plain HTTP on a free loopback port) and
  // restarts it; the port, or 0 (with a message on stderr) on failure.
  int EnableIntakePage(NodeHandle& node);
  // `signaal node user add NAME --role ROLE`; the password it printed.
  std::string AddIntakeUser(const NodeHandle& node, const std::string& name, const std::string& role);
  // keys generate + enroll-subscriber; returns the key file.
  std::string AddSubscriber(const std::string& name, const std::string& regions);

  CommandResult Cli(std::vector<std::string> args, std::chrono::seconds timeout = std::chrono::seconds(60)) const;
  CommandResult NodeCli(const NodeHandle& node, std::vector<std::string> args) const;
  CommandResult BrokerCli(std::vector<std::string> args) const;
  // `signaal node status --json`, or null when the node does not answer.
  nlohmann::json NodeStatus(const NodeHandle& node) const;
  // Waits until the node has nothing left to send (outbox empty, no changed week).
  bool Drained(const NodeHandle& node, std::chrono::seconds timeout = std::chrono::seconds(30)) const;

  // Nodes added from now on connect here instead of the broker's endpoint
  // (e.g. a recording proxy in front of it).
  void set_node_broker_endpoint(std::string endpoint) { node_broker_endpoint_ = std::move(endpoint); }

  Daemon& broker() { return *broker_; }
  const std::string& listen() const { return listen_; }
  const std::string& broker_key() const { return broker_key_; }
  const std::string& broker_config() const { return broker_config_; }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  std::string listen_, control_, broker_key_, broker_config_, node_broker_endpoint_;
  std::unique_ptr<Daemon> broker_;
  std::map<std::string, std::unique_ptr<NodeHandle>> nodes_;
};

// Signals per theme and per subtheme ("" key = all) in a CSV written by
// signaal-gen, for the municipalities of `region_gms` — computed here, apart
// from the system's own importer, so tests compare against the input itself.
// With `by_week`, keyed "<ISO week>|<code>" instead.
std::map<std::string, int> CountSignalsInCsv(const std::string& path, const std::vector<std::string>& region_gms,
                                             bool by_week = false);
// True if every count in `shown` lies within `d` of the one in `truth` (an
// absent key counts 0): what the cell-key method promises of published numbers.
bool WithinDeviation(const std::map<std::string, int>& shown, const std::map<std::string, int>& truth, int d);

// The current ISO week minus `n` weeks, e.g. "2026-W40".
std::string WeeksAgo(int n);

}  // namespace signaal::test
