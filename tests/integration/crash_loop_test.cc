// Crash loops: a broker and three nodes under continuous imports and automatic
// publication while random daemons are killed with SIGKILL and restarted. At
// the end the broker's numbers must equal, exactly, what the nodes accepted:
// nothing lost, nothing counted twice, and an import killed half-way left
// nothing of itself.
//
// SIGNAAL_CRASH_CYCLES sets the number of kill/restart cycles (default 30 in
// ctest; the long run in docs/RELIABILITY.md uses 100 and more), and
// SIGNAAL_CRASH_SEED the random seed (printed, so a failure can be replayed).
#include <gtest/gtest.h>

#include <cstdlib>
#include <future>
#include <iostream>
#include <random>

#include "network.h"

namespace signaal::test {
namespace {

using namespace std::chrono_literals;

int SignalsAt(Network& net, const NodeHandle& node) {
  auto s = net.NodeStatus(node);
  return s.is_null() ? -1 : s["signals"].get<int>();
}

// Signals per theme over the last `weeks` weeks in the broker's live view;
// a suppressed row makes the comparison impossible and is reported as "?".
std::map<std::string, int> BrokerThemeTotals(Network& net, int weeks) {
  auto r = net.BrokerCli({"themes", "--weeks", std::to_string(weeks), "--json"});
  std::map<std::string, int> totals;
  auto j = r.Json();
  if (j.is_null()) {
    totals["?"] = -1;
    return totals;
  }
  for (const auto& row : j["rows"]) {
    if (row.value("suppressed", false)) {
      totals["?"]++;
      continue;
    }
    totals[row["theme"].get<std::string>()] += row["signals"].get<int>();
  }
  return totals;
}

struct Tally {
  int cycles = 0;
  int kills_broker = 0;
  int kills_node = 0;
  int imports_ok = 0;
  int imports_cut = 0;      // the importing node died before it answered
  int cut_but_stored = 0;   // ...after its write was synced
  int reruns = 0;
};

TEST(CrashLoop, KilledDaemonsLoseNothingAndCountNothingTwice) {
  const int cycles = EnvInt("SIGNAAL_CRASH_CYCLES", 30);
  const unsigned seed = static_cast<unsigned>(EnvInt("SIGNAAL_CRASH_SEED", 20261123));
  std::cout << "crash loop: " << cycles << " cycles, seed " << seed << "\n";
  std::mt19937 rng(seed);

  TempDir dir;
  Network net(dir);
  // k = 2 and one organisation per cell: the live view then shows every theme
  // total of this data, so the comparison below is exact.
  ASSERT_TRUE(net.StartBroker("limburg", 2, 1));
  const std::vector<std::string> gms = {"GM0917", "GM0935", "GM1883"};
  std::vector<NodeHandle*> nodes;
  for (size_t i = 0; i < gms.size(); ++i) {
    // Publication every second: snapshots are always on their way.
    NodeHandle* n = net.AddNode("Partner " + std::to_string(i + 1), "spreekuur", gms[i], true, 1);
    ASSERT_NE(n, nullptr);
    nodes.push_back(n);
  }

  std::map<std::string, int> expected;  // per theme, from the accepted files
  std::vector<int> accepted(nodes.size(), 0);
  Tally t;
  for (int c = 0; c < cycles; ++c) {
    size_t target = rng() % nodes.size();
    NodeHandle& node = *nodes[target];
    int rows = 200 + static_cast<int>(rng() % 1800);
    std::string csv = dir.path() + "/batch-" + std::to_string(c) + ".csv";
    auto gen = RunCommand({GenBinary(), "--rows", std::to_string(rows), "--seed", std::to_string(1000 + c),
                           "--municipalities", gms[target], "--from", WeeksAgo(1), "--weeks", "2", "--out", csv});
    ASSERT_EQ(gen.exit_code, 0) << gen.err;
    int before = SignalsAt(net, node);
    ASSERT_EQ(before, accepted[target]) << "node " << node.id << " holds signals nobody accepted";

    // The import runs while a victim is chosen and killed at a random moment.
    auto import = std::async(std::launch::async, [&] {
      return RunCommand({CliBinary(), "node", "signal", "import", csv, "--config", node.config}, 4s);
    });
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % 40000));
    int roll = static_cast<int>(rng() % 4);
    Daemon* victim = roll == 0 ? &net.broker() : roll == 1 ? nodes[(target + 1) % nodes.size()]->daemon.get()
                                                           : node.daemon.get();
    victim->Kill();
    (victim == &net.broker() ? t.kills_broker : t.kills_node)++;

    // Restarted at once: a request the CLI still holds may reach the new daemon.
    victim->Start();
    bool broker = victim == &net.broker();
    ASSERT_TRUE(victim->WaitForLog(broker ? "signaal-broker ready" : "signaal-node ready", 20s)) << victim->ReadLog();
    auto result = import.get();

    // Whatever happened, the node holds the whole file or none of it.
    int after = SignalsAt(net, node);
    if (result.exit_code == 0) {
      ++t.imports_ok;
      ASSERT_EQ(after, before + rows) << result.out;
    } else {
      ++t.imports_cut;
      ASSERT_TRUE(after == before || after == before + rows)
          << "a killed import left " << after - before << " of " << rows << " signals";
      if (after == before) {
        // Nothing of it remains, so it can simply be run again.
        auto again = net.NodeCli(node, {"signal", "import", csv});
        ASSERT_EQ(again.exit_code, 0) << again.err;
        ++t.reruns;
      } else {
        ++t.cut_but_stored;
      }
    }
    accepted[target] += rows;
    for (const auto& [code, n] : CountSignalsInCsv(csv, {gms[target]})) {
      if (!code.empty() && code.find('.') == std::string::npos) expected[code] += n;
    }
    ++t.cycles;
  }

  // Quiet: every node publishes what is left and the broker acks it.
  for (size_t i = 0; i < nodes.size(); ++i) {
    ASSERT_EQ(SignalsAt(net, *nodes[i]), accepted[i]);
    ASSERT_EQ(net.NodeCli(*nodes[i], {"publish"}).exit_code, 0);
    ASSERT_TRUE(net.Drained(*nodes[i], 60s)) << nodes[i]->daemon->ReadLog();
  }
  auto got = BrokerThemeTotals(net, 3);
  int total = 0;
  for (const auto& [code, n] : expected) total += n;
  std::cout << "crash loop: " << t.cycles << " cycles, " << t.kills_broker << " broker kills, " << t.kills_node
            << " node kills; imports " << t.imports_ok << " answered, " << t.imports_cut << " cut off ("
            << t.cut_but_stored << " already stored, " << t.reruns << " re-run); " << total
            << " signals checked over " << expected.size() << " themes\n";
  // The live view shows each week's count perturbed by at most D (the
  // cell-key method): a theme over three weeks within 3 D of the truth.
  const int d = net.BrokerCli({"ptable", "--json"}).Json()["max_deviation"].get<int>();
  ASSERT_GE(d, 1);
  EXPECT_EQ(got.count("?"), 0u) << "a suppressed row";
  for (const auto& [code, n] : expected) {
    EXPECT_LE(std::abs(got[code] - n), 3 * d) << code << ": " << got[code] << " shown, " << n << " imported";
  }
  for (const auto& [code, n] : got) EXPECT_TRUE(code == "?" || expected.count(code)) << code << " was never imported";
  EXPECT_GT(total, cycles * 200);
}

}  // namespace
}  // namespace signaal::test
