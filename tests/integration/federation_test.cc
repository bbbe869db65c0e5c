// Brokers federated upward (issue 19), as deployed: a provincial broker for
// Limburg, regional brokers for Zuid- and Noord-Limburg enrolled at it with
// `signaal-broker upstream init` and `signaal broker enroll`, partner nodes
// under each. The provincial digest must equal, cell for cell and perturbed
// number for perturbed number, what one broker holding every node publishes;
// kill -9 of the regional and the provincial brokers in a loop loses nothing
// and counts nothing twice; a regional broker cut off from the provincial one
// catches up; a revoked region leaves the provincial digests.
//
// SIGNAAL_CRASH_CYCLES sets the kill cycles (default 30), SIGNAAL_CRASH_SEED the seed.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <thread>

#include "network.h"

namespace signaal::test {
namespace {

using namespace std::chrono_literals;

// Makes `region` a regional broker of `upper`: upstream init, enrolled
// there, restarted with its [upstream] section.
::testing::AssertionResult Federate(Network& region, Network& upper) {
  auto init = RunCommand({BrokerBinary(), "upstream", "init", "--config", region.broker_config(), "--endpoint",
                          upper.listen(), "--upper-key", upper.broker_key(), "--json"});
  if (init.exit_code != 0) return ::testing::AssertionFailure() << "upstream init: " << init.err;
  auto enrol = upper.BrokerCli({"enroll", init.Json()["enrolment_request"].get<std::string>()});
  if (enrol.exit_code != 0) return ::testing::AssertionFailure() << "enroll at the upper broker: " << enrol.err;
  region.broker().Stop();
  region.broker().Start();
  if (!region.broker().WaitForLog("signaal-broker ready", 20s)) {
    return ::testing::AssertionFailure() << region.broker().ReadLog();
  }
  return ::testing::AssertionSuccess();
}

nlohmann::json Upstream(Network& region) { return region.BrokerCli({"upstream", "status", "--json"}).Json(); }

// The regional broker has nothing left for its upper broker.
bool UpstreamDrained(Network& region, std::chrono::seconds timeout = 60s) {
  return WaitUntil(
      [&] {
        auto s = Upstream(region);
        return !s.is_null() && s["weeks_pending"] == 0 && s["weeks_acked"].get<int>() > 0;
      },
      timeout);
}

// The live view of `area` over `weeks` weeks: perturbed as a digest is, one
// row per week and theme.
nlohmann::json Themes(Network& net, const std::string& area, int weeks = 10) {
  auto r = net.BrokerCli({"themes", "--region", area, "--weeks", std::to_string(weeks), "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto j = r.Json();
  return j.is_null() ? nlohmann::json() : j["rows"];
}

CommandResult Generate(const std::string& out, const std::string& gms, int rows, int seed, int from_weeks_ago,
                       int weeks) {
  return RunCommand({GenBinary(), "--rows", std::to_string(rows), "--seed", std::to_string(seed), "--municipalities",
                     gms, "--from", WeeksAgo(from_weeks_ago), "--weeks", std::to_string(weeks), "--out", out});
}

// The digest as a subscriber receives it, without what differs by when and
// where it was made.
nlohmann::json Digest(Network& net, const std::string& key, const std::string& region, const std::string& period) {
  auto r = net.Cli({"digest", "fetch", "--broker", net.listen(), "--broker-key", net.broker_key(), "--key", key,
                    "--period", period, "--region", region, "--format", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto j = r.Json();
  if (j.is_object()) j.erase("generated_at");
  return j;
}

struct Federation {
  TempDir province_dir, zuid_dir, noord_dir;
  Network province{province_dir}, zuid{zuid_dir}, noord{noord_dir};
  std::vector<std::pair<Network*, NodeHandle*>> nodes;
};

// The provincial, two regional brokers and four partners, federated.
::testing::AssertionResult StartFederation(Federation& f) {
  if (!f.province.StartBroker("limburg") || !f.zuid.StartBroker("zuid-limburg") ||
      !f.noord.StartBroker("noord-limburg")) {
    return ::testing::AssertionFailure() << "a broker did not start";
  }
  if (auto r = Federate(f.zuid, f.province); !r) return r;
  if (auto r = Federate(f.noord, f.province); !r) return r;
  struct Partner {
    Network* region;
    std::string org, type, gm;
  };
  for (const auto& p : {Partner{&f.zuid, "Cliëntenraad Heerlen", "clientenraad", "GM0917"},
                        Partner{&f.zuid, "Zelfhulp Sittard-Geleen", "zelfhulp", "GM1883"},
                        Partner{&f.noord, "Spreekuur Venlo", "spreekuur", "GM0983"},
                        Partner{&f.noord, "Cliëntenraad Venray", "clientenraad", "GM0984"}}) {
    NodeHandle* n = p.region->AddNode(p.org, p.type, p.gm, true, 1);
    if (!n) return ::testing::AssertionFailure() << "node " << p.org;
    f.nodes.emplace_back(p.region, n);
  }
  return ::testing::AssertionSuccess();
}

// Imports a fresh batch at node `i` (signals in its own municipality and a
// neighbour of its region) and publishes it.
::testing::AssertionResult Import(Federation& f, size_t i, int rows, int seed, int from_weeks_ago, int weeks) {
  auto& [net, node] = f.nodes[i];
  const std::string gms = net == &f.zuid ? "GM0917,GM1883,GM0935" : "GM0983,GM0984";
  const std::string csv = net->dir() + "/batch-" + std::to_string(seed) + ".csv";
  if (auto g = Generate(csv, gms, rows, seed, from_weeks_ago, weeks); g.exit_code != 0) {
    return ::testing::AssertionFailure() << g.err;
  }
  auto imp = net->NodeCli(*node, {"signal", "import", csv});
  if (imp.exit_code != 0) return ::testing::AssertionFailure() << imp.err;
  (void)net->NodeCli(*node, {"publish"});  // ignored on purpose: the node publishes every second anyway
  return ::testing::AssertionSuccess();
}

bool AllDrained(Federation& f) {
  for (auto& [net, node] : f.nodes) {
    if (!net->Drained(*node, 60s)) return false;
  }
  return UpstreamDrained(f.zuid) && UpstreamDrained(f.noord);
}

TEST(Federation, TheProvincialDigestIsWhatOneBrokerHoldingEveryNodePublishes) {
  Federation f;
  ASSERT_TRUE(StartFederation(f));
  for (size_t i = 0; i < f.nodes.size(); ++i) ASSERT_TRUE(Import(f, i, 300, 40 + static_cast<int>(i), 5, 6));
  ASSERT_TRUE(AllDrained(f)) << f.zuid.broker().ReadLog() << f.province.broker().ReadLog();
  auto zuid_status = f.zuid.BrokerCli({"status", "--json"}).Json();
  EXPECT_EQ(zuid_status["upstream"]["state"], "connected") << zuid_status.dump();
  EXPECT_EQ(zuid_status["upstream"]["weeks_pending"], 0) << zuid_status.dump();
  EXPECT_TRUE(f.province.BrokerCli({"status", "--json"}).Json()["upstream"].is_null());

  // The reference: one broker for all of Limburg holding every node. Each
  // node's folder is copied (same keys, same store), pointed at it and
  // enrolled there; hearing that broker holds none of its weeks, it sends
  // them all again.
  TempDir single_dir;
  Network single(single_dir);
  ASSERT_TRUE(single.StartBroker("limburg"));
  std::vector<std::unique_ptr<Daemon>> copies;
  for (auto& [net, node] : f.nodes) {
    const std::filesystem::path copy_path = single_dir.path() + "/" + node->id;
    const std::string copy = copy_path.string();
    node->daemon->Stop();  // a store is copied closed
    // Files and folders only: the control socket stays behind.
    for (const auto& e : std::filesystem::recursive_directory_iterator(node->dir)) {
      const auto to = copy_path / std::filesystem::relative(e.path(), node->dir);
      if (e.is_directory()) {
        std::filesystem::create_directories(to);
        std::filesystem::permissions(to, e.status().permissions());  // the node checks its folders' modes
      }
      if (e.is_regular_file()) {
        std::filesystem::create_directories(to.parent_path());
        std::filesystem::copy_file(e.path(), to);
      }
    }
    std::string config = ReadText(copy + "/node.toml");
    for (const auto& [from, to] : {std::pair{node->dir, copy}, std::pair{net->listen(), single.listen()},
                                   std::pair{net->broker_key(), single.broker_key()}}) {
      for (size_t at = config.find(from); at != std::string::npos; at = config.find(from, at + to.size())) {
        config.replace(at, from.size(), to);
      }
    }
    std::ofstream(copy + "/node.toml", std::ios::trunc) << config;
    auto enrol = single.BrokerCli({"enroll", copy + "/enrolment.json"});
    ASSERT_EQ(enrol.exit_code, 0) << enrol.err;
    copies.push_back(std::make_unique<Daemon>(
        std::vector<std::string>{NodeBinary(), "run", "--config", copy + "/node.toml"}, copy + ".log"));
  }
  ASSERT_TRUE(WaitUntil(
      [&] {
        auto a = single.BrokerCli({"status", "--json"}).Json(), z = f.zuid.BrokerCli({"status", "--json"}).Json(),
             n = f.noord.BrokerCli({"status", "--json"}).Json();
        return !a.is_null() && !z.is_null() && !n.is_null() &&
               a["snapshots_stored"] == z["snapshots_stored"].get<int>() + n["snapshots_stored"].get<int>();
      },
      60s))
      << single.broker().ReadLog() << ReadText(single_dir.path() + "/" + f.nodes[0].second->id + ".log");

  const std::string period = WeeksAgo(5) + ".." + WeeksAgo(0);
  const std::string key_p = f.province.AddSubscriber("provinciale-raad", "limburg");
  const std::string key_s = single.AddSubscriber("provinciale-raad", "limburg");
  for (const char* area : {"limburg", "zuid-limburg", "noord-limburg", "GM0917", "ggd-limburg-noord"}) {
    auto p = Digest(f.province, key_p, area, period);
    auto s = Digest(single, key_s, area, period);
    ASSERT_TRUE(p.is_object()) << area;
    EXPECT_GT(p["themes"].size(), 0u) << area;
    EXPECT_EQ(p.dump(), s.dump()) << area;
  }
  // The provincial broker lists its regional brokers with how far behind they are.
  auto principals = f.province.BrokerCli({"principals", "--json"}).Json();
  int brokers = 0;
  for (const auto& p : principals) {
    if (p["role"] != "broker") continue;
    ++brokers;
    EXPECT_EQ(p["weeks_behind"], 0) << p.dump();
    EXPECT_TRUE(p["region"] == "zuid-limburg" || p["region"] == "noord-limburg") << p.dump();
  }
  EXPECT_EQ(brokers, 2);
  for (auto& c : copies) c->Stop();
}

TEST(Federation, AMunicipalityBelongsToOneRegionalBroker) {
  TempDir province_dir, zuid_dir, parkstad_dir;
  Network province(province_dir), zuid(zuid_dir), parkstad(parkstad_dir);
  ASSERT_TRUE(province.StartBroker("limburg") && zuid.StartBroker("zuid-limburg") && parkstad.StartBroker("parkstad"));
  ASSERT_TRUE(Federate(zuid, province));
  auto init = RunCommand({BrokerBinary(), "upstream", "init", "--config", parkstad.broker_config(), "--endpoint",
                          province.listen(), "--upper-key", province.broker_key(), "--json"});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  auto second = province.BrokerCli({"enroll", init.Json()["enrolment_request"].get<std::string>()});
  EXPECT_EQ(second.exit_code, 4);
  EXPECT_NE(second.err.find("which regional broker 'broker-zuid-limburg' already serves"), std::string::npos)
      << second.err;
  // Nor a region outside the upper broker's own area.
  TempDir mijn_dir;
  Network mijnstreek(mijn_dir);
  ASSERT_TRUE(mijnstreek.StartBroker("mijnstreek"));
  auto again = RunCommand({BrokerBinary(), "upstream", "init", "--config", mijnstreek.broker_config(), "--endpoint",
                           zuid.listen(), "--upper-key", zuid.broker_key(), "--json"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  // Mijnstreek lies inside Zuid-Limburg: a broker above it may be Zuid-Limburg's.
  EXPECT_EQ(zuid.BrokerCli({"enroll", again.Json()["enrolment_request"].get<std::string>()}).exit_code, 0);
  // A second `upstream init` would overwrite: refused.
  auto twice = RunCommand({BrokerBinary(), "upstream", "init", "--config", mijnstreek.broker_config(), "--endpoint",
                           zuid.listen(), "--upper-key", zuid.broker_key()});
  EXPECT_EQ(twice.exit_code, 4) << twice.err;
  EXPECT_EQ(Upstream(province)["configured"], false);
}

TEST(Federation, KilledBrokersLoseNothingCountNothingTwiceAndARegionAwayCatchesUp) {
  const int cycles = EnvInt("SIGNAAL_CRASH_CYCLES", 30);
  const unsigned seed = static_cast<unsigned>(EnvInt("SIGNAAL_CRASH_SEED", 20261204));
  std::cout << "federation kill loop: " << cycles << " cycles, seed " << seed << "\n";
  std::mt19937 rng(seed);
  Federation f;
  ASSERT_TRUE(StartFederation(f));
  for (size_t i = 0; i < f.nodes.size(); ++i) ASSERT_TRUE(Import(f, i, 120, 70 + static_cast<int>(i), 3, 4));

  int kills[3] = {0, 0, 0};
  Network* brokers[3] = {&f.province, &f.zuid, &f.noord};
  for (int cycle = 0; cycle < cycles; ++cycle) {
    // New signals keep arriving, so weeks change while brokers die.
    const size_t node = rng() % f.nodes.size();
    ASSERT_TRUE(Import(f, node, 10 + static_cast<int>(rng() % 20), 1000 + cycle, static_cast<int>(rng() % 4), 1));
    std::this_thread::sleep_for(std::chrono::milliseconds(100 + rng() % 900));
    const int victim = static_cast<int>(rng() % 3);
    ++kills[victim];
    brokers[victim]->broker().Kill();
    std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 500));
    brokers[victim]->broker().Start();
    ASSERT_TRUE(brokers[victim]->broker().WaitForLog("signaal-broker ready", 30s))
        << brokers[victim]->broker().ReadLog();
  }
  std::cout << "killed: provincial " << kills[0] << ", zuid-limburg " << kills[1] << ", noord-limburg " << kills[2]
            << "\n";
  ASSERT_TRUE(AllDrained(f)) << f.zuid.broker().ReadLog();
  // The provincial broker's view of each region is the regional broker's
  // own, perturbed number for perturbed number: a signal lost or counted
  // twice would change a count and its cell key.
  EXPECT_EQ(Themes(f.province, "zuid-limburg").dump(), Themes(f.zuid, "zuid-limburg").dump());
  EXPECT_EQ(Themes(f.province, "noord-limburg").dump(), Themes(f.noord, "noord-limburg").dump());
  EXPECT_GT(Themes(f.province, "limburg").size(), 0u);

  // Away: the provincial broker is down while Zuid-Limburg's partners report
  // a week and more; back, it gets every week Zuid-Limburg made meanwhile.
  f.province.broker().Stop();
  ASSERT_TRUE(Import(f, 0, 200, 5000, 6, 2));
  ASSERT_TRUE(Import(f, 1, 200, 5001, 2, 2));
  ASSERT_TRUE(f.nodes[0].first->Drained(*f.nodes[0].second) && f.nodes[1].first->Drained(*f.nodes[1].second));
  ASSERT_TRUE(WaitUntil([&] { return Upstream(f.zuid)["weeks_pending"].get<int>() > 0; }, 30s));
  EXPECT_NE(Upstream(f.zuid)["state"], "connected");
  f.province.broker().Start();
  ASSERT_TRUE(f.province.broker().WaitForLog("signaal-broker ready", 30s));
  ASSERT_TRUE(UpstreamDrained(f.zuid)) << f.zuid.broker().ReadLog();
  EXPECT_EQ(Themes(f.province, "zuid-limburg").dump(), Themes(f.zuid, "zuid-limburg").dump());

  // Revoked: Zuid-Limburg's region leaves the provincial digests at once,
  // and after a restart too.
  auto revoke = f.province.BrokerCli({"revoke", "broker-zuid-limburg"});
  ASSERT_EQ(revoke.exit_code, 0) << revoke.err;
  EXPECT_EQ(Themes(f.province, "zuid-limburg").size(), 0u);
  f.province.broker().Stop();
  f.province.broker().Start();
  ASSERT_TRUE(f.province.broker().WaitForLog("signaal-broker ready", 30s));
  EXPECT_EQ(Themes(f.province, "zuid-limburg").size(), 0u);
  EXPECT_EQ(Themes(f.province, "noord-limburg").dump(), Themes(f.noord, "noord-limburg").dump());
  EXPECT_TRUE(WaitUntil([&] { return Upstream(f.zuid)["state"] == "refused"; }, 30s));
}

}  // namespace
}  // namespace signaal::test
