// Whole networks on loopback, set up and used only through the command-line
// contract: real daemons, real CURVE keys, real RocksDB folders.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "network.h"
#include "signaal/config.h"
#include "signaal/reference_data.h"

namespace signaal::test {
namespace {

using namespace std::chrono_literals;

std::vector<std::string> MunicipalitiesOf(const std::string& region) {
  static ReferenceData ref = *ReferenceData::Load(SourceDir() + "/data");
  return ref.FindRegion(region)->municipalities;
}

CommandResult Generate(const std::string& out, const std::string& gms, int rows, int seed, bool dutch = false) {
  std::vector<std::string> args = {GenBinary(), "--rows", std::to_string(rows), "--seed", std::to_string(seed),
                                   "--municipalities", gms, "--from", WeeksAgo(5), "--weeks", "6", "--out", out};
  if (dutch) args.insert(args.end(), {"--separator", ";", "--bom", "--dutch-dates"});
  return RunCommand(args);
}

nlohmann::json FetchDigest(Network& net, const std::string& key, const std::string& region) {
  auto r = net.Cli({"digest", "fetch", "--broker", net.listen(), "--broker-key", net.broker_key(), "--key", key,
                    "--period", WeeksAgo(5) + ".." + WeeksAgo(0), "--region", region, "--format", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.Json();
}

TEST(Network, ThreeNodesReachTheSubscriberWithTheInputsCounts) {
  TempDir dir;
  Network net(dir);
  ASSERT_TRUE(net.StartBroker());
  struct Partner {
    std::string org, type, gm, gen_gms;
    bool dutch;
  };
  std::vector<Partner> partners = {
      {"Cliëntenraad Heerlen", "clientenraad", "GM0917", "GM0917", false},
      {"Provinciale Helpdesk Sociale Zekerheid", "helpdesk", "GM0935", "GM0935,GM0917,GM1883,GM0983,GM0957", true},
      {"Zelfhulpnetwerk Sittard-Geleen", "zelfhulp", "GM1883", "GM1883", false},
  };
  std::vector<std::string> files;
  std::vector<NodeHandle*> nodes;
  for (size_t i = 0; i < partners.size(); ++i) {
    const auto& p = partners[i];
    NodeHandle* node = net.AddNode(p.org, p.type, p.gm);
    ASSERT_NE(node, nullptr);
    std::string csv = dir.path() + "/signals-" + std::to_string(i) + ".csv";
    ASSERT_EQ(Generate(csv, p.gen_gms, 250, static_cast<int>(i) + 11, p.dutch).exit_code, 0);
    auto imp = net.NodeCli(*node, {"signal", "import", csv});
    ASSERT_EQ(imp.exit_code, 0) << imp.err;
    auto pub = net.NodeCli(*node, {"publish"});
    ASSERT_EQ(pub.exit_code, 0) << pub.err;
    files.push_back(csv);
    nodes.push_back(node);
  }
  for (auto* node : nodes) ASSERT_TRUE(net.Drained(*node)) << node->daemon->ReadLog();

  std::string key = net.AddSubscriber("adviesraad-zuid", "zuid-limburg");
  ASSERT_FALSE(key.empty());
  std::string period = WeeksAgo(5) + ".." + WeeksAgo(0);
  auto pub = net.BrokerCli({"digest", "publish", "--period", period, "--region", "zuid-limburg"});
  ASSERT_EQ(pub.exit_code, 0) << pub.err;
  auto sub = net.Cli({"digest", "subscribe", "--broker", net.listen(), "--broker-key", net.broker_key(), "--key", key,
                      "--out", dir.path() + "/digests", "--once"});
  ASSERT_EQ(sub.exit_code, 0) << sub.err;
  std::ifstream in(dir.path() + "/digests/zuid-limburg/" + period + ".json");
  ASSERT_TRUE(in.good()) << sub.out;
  auto digest = nlohmann::json::parse(in);

  // Expected counts straight from the three input files.
  std::map<std::string, int> expected;
  for (const auto& f : files) {
    for (const auto& [code, n] : CountSignalsInCsv(f, MunicipalitiesOf("zuid-limburg"))) expected[code] += n;
  }
  ASSERT_GT(expected[""], 400);
  EXPECT_EQ(digest["region"], "zuid-limburg");
  EXPECT_EQ(digest["policy"]["k"], 5);
  EXPECT_EQ(digest["policy"]["method"], "cell-key");
  // Every number is the true count perturbed by at most D (the cell-key
  // method): the test knows the truth from its inputs, not the noise.
  const int d = digest["policy"]["max_deviation"].get<int>();
  ASSERT_GE(d, 1);
  auto near = [d](const nlohmann::json& shown, int truth) { return std::abs(shown.get<int>() - truth) <= d; };
  EXPECT_TRUE(near(digest["total"]["signals"], expected[""])) << digest["total"]["signals"] << " vs " << expected[""];
  EXPECT_EQ(digest["organisations"], 3);
  int themes_seen = 0, shown = 0, suppressed = 0;
  for (const auto& theme : digest["themes"]) {
    ++themes_seen;
    std::vector<nlohmann::json> cells = {theme};
    for (const auto& s : theme["subthemes"]) cells.push_back(s);
    for (const auto& cell : cells) {
      std::string code = cell["theme"];
      ASSERT_GT(expected[code], 0) << code << " is in the digest but not in the input";
      if (cell["suppressed"]) {
        ++suppressed;
        EXPECT_TRUE(cell["signals"].is_null());
        EXPECT_TRUE(cell["organisations"].is_null());
      } else {
        ++shown;
        if (code.find('.') == std::string::npos) {
          EXPECT_TRUE(near(cell["signals"], expected[code])) << code << ": " << cell["signals"] << " vs " << expected[code];
        } else {
          // Nodes generalise cells below privacy.min_cell to their theme, so a
          // subtheme may show fewer signals than the input, never more (but D).
          EXPECT_LE(cell["signals"].get<int>(), expected[code] + d) << code;
        }
        EXPECT_GE(cell["signals"].get<int>(), 5) << code;
        EXPECT_LE(cell["organisations"].get<int>(), 3);
      }
    }
  }
  // Context: the weekly series ends with the period's six weeks, whose shown
  // numbers add up to the period's total within D each; the previous period
  // is named.
  ASSERT_EQ(digest["weeks"].size(), 13u) << digest.dump();
  EXPECT_EQ(digest["weeks"].back(), WeeksAgo(0));
  EXPECT_EQ(digest["previous_period"], WeeksAgo(11) + ".." + WeeksAgo(6));
  const auto& weekly = digest["total"]["weekly"];
  ASSERT_EQ(weekly.size(), 13u);
  int period_sum = 0;
  bool all_shown = true;
  for (size_t i = 7; i < 13; ++i) {
    if (weekly[i].is_null()) {
      all_shown = false;
    } else {
      period_sum += weekly[i].get<int>();
    }
  }
  for (size_t i = 0; i < 7; ++i) EXPECT_EQ(weekly[i], 0) << "signals before the generated weeks";
  if (all_shown) {
    EXPECT_LE(std::abs(period_sum - expected[""]), 6 * d) << period_sum << " vs " << expected[""];
  }
  EXPECT_LE(period_sum, expected[""] + 6 * d);
  EXPECT_EQ(digest["total"]["previous_signals"], 0);
  int expected_themes = 0;
  for (const auto& [code, n] : expected) expected_themes += !code.empty() && code.find('.') == std::string::npos;
  EXPECT_EQ(themes_seen, expected_themes);
  EXPECT_GT(shown, 10);
  EXPECT_GT(suppressed, 0);  // small subthemes exist in 750 signals over 54 subthemes

  // The HTML page: self-contained, the headline number, the suppressed marker
  // with its explanation, a chart with a text alternative, real table headers.
  std::ifstream html_in(dir.path() + "/digests/zuid-limburg/" + period + ".html");
  std::stringstream html_ss;
  html_ss << html_in.rdbuf();
  std::string html = html_ss.str();
  EXPECT_NE(html.find("<html lang=\"nl\">"), std::string::npos);
  EXPECT_NE(html.find(to_string(digest["total"]["signals"]) + " signalen van"), std::string::npos) << html.substr(0, 2000);
  EXPECT_NE(html.find("licht verstoord"), std::string::npos) << "the digest does not say its numbers are perturbed";
  EXPECT_NE(html.find("&lt;5</abbr>"), std::string::npos);
  EXPECT_NE(html.find("id=\"suppressed-note\""), std::string::npos);
  EXPECT_NE(html.find("role=\"img\" aria-label=\"Alle signalen per week"), std::string::npos);
  EXPECT_NE(html.find("<th scope=\"col\">Thema</th>"), std::string::npos);
  for (const char* external : {"http://", "https://", "src=", "@import", "url("}) {
    EXPECT_EQ(html.find(external), std::string::npos) << "the page refers to something outside it: " << external;
  }
  std::ifstream csv_in(dir.path() + "/digests/zuid-limburg/" + period + ".csv");
  std::string header;
  std::getline(csv_in, header);
  EXPECT_NE(header.find("code;level;label;suppressed;signals"), std::string::npos) << header;

  // A second subscriber folder: catch-up writes the digest once, runs --exec
  // once with the files, keeps only the themes asked for; run again, the
  // cursor says there is nothing new.
  std::string second = dir.path() + "/digests-schulden";
  std::vector<std::string> sub2 = {"digest", "subscribe", "--broker", net.listen(), "--broker-key", net.broker_key(),
                                   "--key", key, "--out", second, "--once", "--theme", "schulden", "--format",
                                   "json,html", "--exec", "echo \"$SIGNAAL_DIGEST_PERIOD $#\" >> " + second + "/exec.log"};
  for (int run = 0; run < 2; ++run) {
    auto r = net.Cli(sub2);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  std::ifstream exec_log(second + "/exec.log");
  std::string line, all;
  int lines = 0;
  while (std::getline(exec_log, line)) {
    ++lines;
    all += line;
  }
  EXPECT_EQ(lines, 1) << all;
  EXPECT_EQ(all, period + " 2");
  std::ifstream only_in(second + "/zuid-limburg/" + period + ".json");
  auto only = nlohmann::json::parse(only_in);
  ASSERT_EQ(only["themes"].size(), 1u);
  EXPECT_EQ(only["themes"][0]["theme"], "schulden");
  EXPECT_EQ(only["total"]["signals"], digest["total"]["signals"]) << "the same cell, the same number";

  // The privacy officer's figure: the attacker over what left for the period.
  auto risk = net.BrokerCli({"risk-report", "--period", period, "--json"});
  ASSERT_EQ(risk.exit_code, 0) << risk.err;
  auto report = risk.Json();
  EXPECT_GE(report["digests"].get<int>(), 1) << risk.out;
  EXPECT_GT(report["numbers"].get<int>(), 0) << risk.out;
  EXPECT_EQ(report["exact"], 0) << risk.out;
  EXPECT_EQ(report["max_deviation"], digest["policy"]["max_deviation"]);
  auto risk_nl = net.BrokerCli({"risk-report", "--period", period});
  EXPECT_NE(risk_nl.out.find("Restrisico"), std::string::npos) << risk_nl.out;
  EXPECT_EQ(net.BrokerCli({"risk-report", "--period", "2026-W99"}).exit_code, 2);

  // A subscriber for Zuid-Limburg may not fetch Noord-Limburg.
  auto forbidden = net.Cli({"digest", "fetch", "--broker", net.listen(), "--broker-key", net.broker_key(), "--key",
                            key, "--period", period, "--region", "noord-limburg"});
  EXPECT_EQ(forbidden.exit_code, 4) << forbidden.out;
}

TEST(Network, UnackedOutboxSurvivesRestartsAndCountsOnce) {
  TempDir dir;
  Network net(dir);
  // One organisation here: this test counts, so its numbers may be shown.
  ASSERT_TRUE(net.StartBroker("limburg", 5, 1));
  NodeHandle* node = net.AddNode("Spreekuur Kerkrade", "spreekuur", "GM0928");
  ASSERT_NE(node, nullptr);
  std::string key = net.AddSubscriber("adviesraad-kerkrade", "GM0928");

  net.broker().Stop();  // the broker is away
  std::string csv = dir.path() + "/signals.csv";
  ASSERT_EQ(Generate(csv, "GM0928", 200, 5).exit_code, 0);
  ASSERT_EQ(net.NodeCli(*node, {"signal", "import", csv}).exit_code, 0);
  ASSERT_EQ(net.NodeCli(*node, {"publish"}).exit_code, 0);
  auto status = net.NodeCli(*node, {"status", "--json"}).Json();
  EXPECT_GT(status["outbox_depth"].get<int>(), 0);

  node->daemon->Kill();  // a crash with an unacked outbox
  ASSERT_TRUE(net.StartNode(*node));
  net.broker().Start();
  ASSERT_TRUE(net.broker().WaitForLog("signaal-broker ready", 20s));
  ASSERT_TRUE(net.Drained(*node, 60s)) << node->daemon->ReadLog();

  int expected = CountSignalsInCsv(csv, {"GM0928"})[""];
  auto fetched = FetchDigest(net, key, "GM0928");
  const int d = fetched["policy"]["max_deviation"].get<int>();
  const int first = fetched["total"]["signals"].get<int>();
  EXPECT_LE(std::abs(first - expected), d) << first << " vs " << expected;
  auto total = [&] { return FetchDigest(net, key, "GM0928")["total"]["signals"].get<int>(); };

  // The privacy report shows the policy, the broker and the last snapshot sent, decoded.
  auto report = net.NodeCli(*node, {"privacy-report", "--json"}).Json();
  EXPECT_EQ(report["broker"]["public_key"], net.broker_key());
  EXPECT_EQ(report["policy"]["min_cell"], 3);
  EXPECT_EQ(report["policy"]["retention_days"], 365);
  ASSERT_FALSE(report["last_snapshot_sent"].is_null()) << report.dump();
  EXPECT_GT(report["last_snapshot_sent"]["cells"].size(), 0u);
  auto nl = net.NodeCli(*node, {"privacy-report"});
  EXPECT_NE(nl.out.find("Wat de organisatie verlaat"), std::string::npos) << nl.out;
  auto en = net.NodeCli(*node, {"privacy-report", "--lang", "en"});
  EXPECT_NE(en.out.find("What leaves the organisation"), std::string::npos) << en.out;
  EXPECT_EQ(en.out.find("K-0"), std::string::npos) << "a citizen reference in the privacy report";

  // Publishing again and restarting the broker changes nothing.
  ASSERT_EQ(net.NodeCli(*node, {"publish"}).exit_code, 0);
  net.broker().Stop();
  net.broker().Start();
  ASSERT_TRUE(net.broker().WaitForLog("signaal-broker ready", 20s));
  EXPECT_EQ(total(), first) << "the same records show the same number";

  // One more signal: a new version of its week replaces the old one, never adds to it.
  auto add = net.NodeCli(*node, {"signal", "add", "--theme", "schulden", "--municipality", "Kerkrade"});
  ASSERT_EQ(add.exit_code, 0) << add.err;
  ASSERT_EQ(net.NodeCli(*node, {"publish"}).exit_code, 0);
  ASSERT_TRUE(net.Drained(*node));
  const int plus_one = total();
  EXPECT_LE(std::abs(plus_one - (expected + 1)), d) << plus_one << " vs " << expected + 1;

  // Erasure on a citizen's request: the weeks are re-sent at once and the counts drop.
  for (const char* ref : {"Jan Jansen", "jan.jansen", " JAN JANSEN "}) {
    ASSERT_EQ(net.NodeCli(*node, {"signal", "add", "--theme", "werk", "--municipality", "GM0928", "--person", ref})
                  .exit_code,
              0);
  }
  ASSERT_EQ(net.NodeCli(*node, {"publish"}).exit_code, 0);
  ASSERT_TRUE(net.Drained(*node));
  EXPECT_LE(std::abs(total() - (expected + 4)), d);
  auto erase = net.NodeCli(*node, {"signal", "erase", "--person", "jan jansen", "--json"});
  ASSERT_EQ(erase.exit_code, 0) << erase.err;
  EXPECT_EQ(erase.Json()["erased"], 3);
  ASSERT_TRUE(net.Drained(*node));
  // The erased records' keys left the cell's key with them: the same records
  // as before the three, so exactly the same number.
  EXPECT_EQ(total(), plus_one);
  EXPECT_EQ(net.NodeCli(*node, {"signal", "erase", "--person", "jan jansen"}).exit_code, 2);
}

TEST(Network, UnenrolledNodeSaysItIsRefused) {
  TempDir dir;
  Network net(dir);
  ASSERT_TRUE(net.StartBroker());
  NodeHandle* node = net.AddNode("Panel Venlo", "panel", "GM0983", /*enrol=*/false);
  ASSERT_NE(node, nullptr);
  EXPECT_TRUE(WaitUntil([&] { return net.NodeCli(*node, {"status", "--json"}).Json()["broker_state"] == "refused"; },
                        15s));
  auto human = net.NodeCli(*node, {"status"});
  EXPECT_NE(human.out.find("refused by broker"), std::string::npos) << human.out;
  EXPECT_TRUE(node->daemon->WaitForLog("refused by broker", 5s));

  // init never overwrites keys or config.
  auto again = RunCommand({NodeBinary(), "init", "--dir", node->dir, "--org", "Panel Venlo", "--type", "panel",
                           "--municipality", "GM0983", "--broker", net.listen(), "--broker-key", net.broker_key()});
  EXPECT_EQ(again.exit_code, 4);
  EXPECT_NE(again.err.find("never overwrites"), std::string::npos) << again.err;
  auto broker_again = RunCommand({BrokerBinary(), "init", "--dir", dir.path() + "/broker"});
  EXPECT_EQ(broker_again.exit_code, 4) << broker_again.err;

  // A key file others can read stops the daemon with a sentence naming it.
  std::string key = node->dir + "/node.key";
  ASSERT_EQ(chmod(key.c_str(), 0644), 0);
  auto check = RunCommand({NodeBinary(), "run", "--config", node->config, "--check"});
  EXPECT_EQ(check.exit_code, 4);
  EXPECT_NE(check.err.find(key), std::string::npos) << check.err;
  EXPECT_NE(check.err.find("0644"), std::string::npos) << check.err;
}

TEST(Network, RevokedNodeIsRefusedAndSaysSo) {
  TempDir dir;
  Network net(dir);
  ASSERT_TRUE(net.StartBroker());
  NodeHandle* node = net.AddNode("Spreekuur Roermond", "spreekuur", "GM0957");
  ASSERT_NE(node, nullptr);
  ASSERT_TRUE(WaitUntil([&] { return net.NodeCli(*node, {"status", "--json"}).Json()["broker_state"] == "connected"; },
                        15s));
  auto revoke = net.BrokerCli({"revoke", node->id});
  ASSERT_EQ(revoke.exit_code, 0) << revoke.err;
  auto principals = net.BrokerCli({"principals", "--json"}).Json();
  bool revoked = false;
  for (const auto& p : principals) revoked = revoked || (p["id"] == node->id && p["status"] == "revoked");
  EXPECT_TRUE(revoked) << principals.dump();

  auto add = net.NodeCli(*node, {"signal", "add", "--theme", "wonen", "--municipality", "GM0957"});
  ASSERT_EQ(add.exit_code, 0) << add.err;
  ASSERT_EQ(net.NodeCli(*node, {"publish"}).exit_code, 0);
  EXPECT_TRUE(WaitUntil([&] { return net.NodeCli(*node, {"status", "--json"}).Json()["broker_state"] == "refused"; },
                        15s));
  auto status = net.NodeCli(*node, {"status", "--json"}).Json();
  EXPECT_EQ(status["outbox_depth"], 1) << "the refused snapshot must stay in the outbox";
  auto broker = net.BrokerCli({"status", "--json"}).Json();
  EXPECT_EQ(broker["snapshots_stored"], 0);
}

TEST(Network, BrokerPrintsItsPTable) {
  TempDir dir;
  Network net(dir);
  ASSERT_TRUE(net.StartBroker());
  auto r = net.BrokerCli({"ptable", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto table = r.Json();
  EXPECT_EQ(table["max_deviation"], kDefaultMaxDeviation) << r.out;
  EXPECT_EQ(table["k"], 5);
  ASSERT_EQ(table["rows"].size(), static_cast<size_t>(kDefaultMaxDeviation) + 1) << r.out;
  for (const auto& row : table["rows"]) {
    double sum = 0;
    for (double p : row["p"]) sum += p;
    EXPECT_NEAR(sum, 1.0, 1e-12) << row.dump();
  }
  auto human = net.BrokerCli({"ptable"});
  ASSERT_EQ(human.exit_code, 0) << human.err;
  EXPECT_NE(human.out.find("maximale afwijking D = " + std::to_string(kDefaultMaxDeviation)), std::string::npos) << human.out;
}

TEST(Network, ImportIsAllOrNothingAndNamesEveryBadRow) {
  TempDir dir;
  Network net(dir);
  ASSERT_TRUE(net.StartBroker());
  NodeHandle* node = net.AddNode("Cliëntenraad Maastricht", "clientenraad", "GM0935");
  ASSERT_NE(node, nullptr);
  std::string csv = dir.path() + "/bad.csv";
  // "datum" is Dutch for date and reads as it (DutchSpreadsheet); "kleur" is no column.
  std::ofstream(csv) << "\xEF\xBB\xBF"
                        "datum;municipality;theme;kleur\n";
  auto unknown_column = net.NodeCli(*node, {"signal", "import", csv});
  EXPECT_EQ(unknown_column.exit_code, 2);
  EXPECT_NE(unknown_column.err.find("kleur"), std::string::npos) << unknown_column.err;

  std::ofstream(csv, std::ios::trunc) << "date;municipality;theme;subtheme;text\n"
                                         "01-10-2026;Maastricht;schulden;budgetbeheer;\"regel een;\nregel twee\"\n"
                                         "31-02-2026;GM0935;schulden;;\n"
                                         "2026-10-02;Atlantis;wonen;;\n"
                                         "2026-10-03;GM0935;wonen;schulden.budgetbeheer;\n"
                                         "2026-10-04;Beek (L.);werk;;\n";
  auto bad = net.NodeCli(*node, {"signal", "import", csv});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("row 4, field date"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("row 5, field municipality"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("row 6, field subtheme"), std::string::npos) << bad.err;
  auto list = net.NodeCli(*node, {"signal", "list", "--json"}).Json();
  EXPECT_EQ(list.size(), 0u) << "a failed import stored something";

  auto skip = net.NodeCli(*node, {"signal", "import", csv, "--skip-invalid"});
  EXPECT_EQ(skip.exit_code, 0) << skip.err;
  list = net.NodeCli(*node, {"signal", "list", "--json"}).Json();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0]["subtheme"], "schulden.budgetbeheer");
  EXPECT_EQ(list[1]["municipality"], "GM0888");
}

}  // namespace
}  // namespace signaal::test
