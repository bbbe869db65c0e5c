// Partners see what their signals fed (issue 18, part 3): a node receives,
// over its own connection and key, the published digests of every area it
// lies in and the advice on them; `signaal node digests` lists them and
// writes them out as a subscriber does; the status says in how many this
// month's signals counted. A real broker and node on loopback, real CURVE
// keys, the real CLI.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "network.h"
#include "signaal/period.h"

namespace signaal::test {
namespace {

using namespace std::chrono_literals;

// The node's kept digests, as `signaal node digests --json` lists them,
// once it has `want` (or after 20 s, whatever it has).
nlohmann::json KeptOnce(Network& net, const NodeHandle& node, size_t want) {
  nlohmann::json j;
  for (auto until = std::chrono::steady_clock::now() + 20s; std::chrono::steady_clock::now() < until;) {
    auto r = net.NodeCli(node, {"digests", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    j = r.Json();
    if (j["digests"].size() >= want) break;
    std::this_thread::sleep_for(200ms);
  }
  return j;
}

TEST(PartnerFeedback, ANodeReceivesTheDigestsItsSignalsFedAndTheAdviceOnItsArea) {
  TempDir dir;
  Network net(dir);
  ASSERT_TRUE(net.StartBroker());
  // The advice first: the node asks for the feed when it connects.
  const std::string today = AmsterdamTime(std::time(nullptr)).date.ToIso();
  for (const std::vector<std::string>& a :
       {std::vector<std::string>{"--title", "Wachttijden schuldhulpverlening", "--council", "Adviesraad Heerlen",
                                 "--addressee", "college van B&W", "--region", "GM0917", "--sent", today},
        std::vector<std::string>{"--title", "Vervoer", "--council", "Adviesraad Venlo", "--addressee", "college",
                                 "--region", "noord-limburg", "--sent", today},
        std::vector<std::string>{"--title", "Nog een concept", "--council", "Adviesraad Parkstad", "--region",
                                 "parkstad"}}) {
    std::vector<std::string> args = {"advice", "add"};
    args.insert(args.end(), a.begin(), a.end());
    ASSERT_EQ(net.BrokerCli(args).exit_code, 0);
  }
  NodeHandle* node = net.AddNode("Cliëntenraad Heerlen", "clientenraad", "GM0917");
  ASSERT_NE(node, nullptr);
  const std::string week = WeeksAgo(2);
  for (int i = 0; i < 6; ++i) {
    auto added = net.NodeCli(*node, {"signal", "add", "--theme", "schulden", "--municipality", "GM0917", "--date",
                                     MondayOfWeek(week)->ToIso()});
    ASSERT_EQ(added.exit_code, 0) << added.err;
  }
  ASSERT_EQ(net.NodeCli(*node, {"publish"}).exit_code, 0);
  ASSERT_TRUE(net.Drained(*node)) << node->daemon->ReadLog();

  // Its municipality's and its regions' digests reach it; another region's does not.
  for (const std::string region : {"GM0917", "parkstad", "noord-limburg"}) {
    auto pub = net.BrokerCli({"digest", "publish", "--period", week, "--region", region});
    ASSERT_EQ(pub.exit_code, 0) << pub.err;
  }
  auto kept = KeptOnce(net, *node, 2);
  ASSERT_EQ(kept["digests"].size(), 2u) << kept.dump();
  EXPECT_EQ(kept["digests"][0]["region"], "GM0917");
  EXPECT_EQ(kept["digests"][1]["region"], "parkstad");
  // The advice on its area, not the concept, not Venlo's.
  ASSERT_EQ(kept["advice"].size(), 1u) << kept["advice"].dump();
  EXPECT_EQ(kept["advice"][0]["title"], "Wachttijden schuldhulpverlening");

  // Its own part in each, counted at the node: exact, even where the digest
  // shows the mark (one partner alone is below the display rules there).
  for (const auto& d : kept["digests"]) {
    ASSERT_EQ(d["own"].size(), 1u) << d.dump();
    EXPECT_EQ(d["own"][0]["theme"], "schulden");
    EXPECT_EQ(d["own"][0]["signals"], 6);
    EXPECT_EQ(d["own"][0]["open"], 6);
  }
  auto listed = net.NodeCli(*node, {"digests"});
  EXPECT_NE(listed.out.find("Schulden & geldzaken 6 (6 open)"), std::string::npos) << listed.out;

  // The status tells it in a sentence; the JSON in numbers.
  auto status = net.NodeStatus(*node);
  EXPECT_EQ(status["feedback"]["digests_this_month"], 2) << status.dump();
  EXPECT_EQ(status["feedback"]["advice_this_month"], 1);
  auto text = net.NodeCli(*node, {"status"});
  EXPECT_NE(text.out.find("Uw signalen telden deze maand mee in 2 rapportages en 1 advies."), std::string::npos)
      << text.out;

  // Written out as a subscriber writes them, the advice section included.
  auto out = net.NodeCli(*node, {"digests", "--out", dir.path() + "/rapportages", "--format", "html,json"});
  ASSERT_EQ(out.exit_code, 0) << out.err;
  auto parkstad = nlohmann::json::parse(ReadText(dir.path() + "/rapportages/parkstad/" + week + ".json"));
  EXPECT_EQ(parkstad["advice"].size(), 1u);
  EXPECT_TRUE(std::filesystem::exists(dir.path() + "/rapportages/GM0917/" + week + ".html"));

  // A restarted broker: the node subscribes again from what it keeps, and
  // gets the next digest once — nothing twice.
  net.broker().Stop();
  net.broker().Start();
  ASSERT_TRUE(net.broker().WaitForLog("signaal-broker ready", 20s));
  ASSERT_EQ(net.BrokerCli({"digest", "publish", "--period", WeeksAgo(1), "--region", "zuid-limburg"}).exit_code, 0);
  kept = KeptOnce(net, *node, 3);
  ASSERT_EQ(kept["digests"].size(), 3u) << kept.dump();
  std::set<uint64_t> sequences;
  for (const auto& d : kept["digests"]) sequences.insert(d["sequence"].get<uint64_t>());
  EXPECT_EQ(sequences.size(), 3u);
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(net.NodeCli(*node, {"digests", "--json"}).Json()["digests"].size(), 3u) << "a digest kept twice";
  EXPECT_EQ(net.NodeStatus(*node)["feedback"]["digests_refused"], 0);
}

}  // namespace
}  // namespace signaal::test
