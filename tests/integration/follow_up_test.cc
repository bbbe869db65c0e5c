// What became of a signal at the source (issue 18, part 4): a partner sets a
// signal's status and adds follow-up notes from the CLI; the notes are kept
// sealed like the free text — on disk nowhere readable — and never leave.
// A real node and broker, the real CLI.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "network.h"
#include "signaal/period.h"

namespace signaal::test {
namespace {

// True if `needle` occurs in any file under `dir`, read as bytes.
bool FoundIn(const std::string& dir, const std::string& needle) {
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    if (bytes.str().find(needle) != std::string::npos) return true;
  }
  return false;
}

TEST(FollowUp, APartnerRecordsWhatBecameOfASignalAndTheNoteStaysSealed) {
  TempDir dir;
  Network net(dir);
  ASSERT_TRUE(net.StartBroker());
  NodeHandle* node = net.AddNode("Spreekuur Kerkrade", "spreekuur", "GM0928");
  ASSERT_NE(node, nullptr);
  auto added = net.NodeCli(*node, {"signal", "add", "--theme", "schulden", "--municipality", "GM0928", "--json"});
  ASSERT_EQ(added.exit_code, 0) << added.err;
  const std::string id = added.Json()["id"];

  const std::string note = "Doorverwezen naar de schuldhulp van Kerkrade, afspraak op 9 december";
  auto first = net.NodeCli(*node, {"signal", "follow-up", id, "--status", "doorverwezen", "--note", note, "--json"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(first.Json()["status"], "referred");
  ASSERT_EQ(first.Json()["follow_up"].size(), 1u);
  const std::string line = first.Json()["follow_up"][0];
  EXPECT_NE(line.find(": " + note), std::string::npos) << line;
  EXPECT_TRUE(first.Json()["status_changed"].is_string());

  // A second note, one line whatever was typed; the status in Dutch or English.
  auto second = net.NodeCli(*node, {"signal", "follow-up", id, "--status", "opgelost", "--note",
                                    "Regeling getroffen.\nDossier\tgesloten.", "--json"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(second.Json()["status"], "resolved");
  ASSERT_EQ(second.Json()["follow_up"].size(), 2u);
  EXPECT_NE(second.Json()["follow_up"][1].get<std::string>().find("Regeling getroffen. Dossier gesloten."),
            std::string::npos);
  auto listed = net.NodeCli(*node, {"signal", "list", "--json"});
  EXPECT_EQ(listed.Json()[0]["status"], "resolved");

  // Refused with the option named, nothing changed.
  auto bad = net.NodeCli(*node, {"signal", "follow-up", id, "--status", "klaar"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("--status"), std::string::npos) << bad.err;
  auto long_note = net.NodeCli(*node, {"signal", "follow-up", id, "--note", std::string(1001, 'x')});
  EXPECT_NE(long_note.exit_code, 0);
  EXPECT_NE(long_note.err.find("--note"), std::string::npos) << long_note.err;
  auto unknown = net.NodeCli(*node, {"signal", "follow-up", "999999", "--note", "x"});
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_EQ(net.NodeCli(*node, {"signal", "follow-up", id, "--json", "--note", "derde"}).Json()["follow_up"].size(), 3u);

  // Sealed: not in the node's store files, not in any log, not at the broker.
  ASSERT_EQ(net.NodeCli(*node, {"publish"}).exit_code, 0);
  ASSERT_TRUE(net.Drained(*node));
  ASSERT_TRUE(FoundIn(node->dir, "Spreekuur Kerkrade")) << "the search reads nothing";  // node.toml
  EXPECT_FALSE(FoundIn(node->dir, "schuldhulp van Kerkrade")) << "the note is readable in the node's store";
  EXPECT_FALSE(FoundIn(net.dir(), "Regeling getroffen")) << "a note is readable somewhere on disk";
}

nlohmann::json Digest(Network& net, const std::string& key, const std::string& week) {
  auto r = net.Cli({"digest", "fetch", "--broker", net.listen(), "--broker-key", net.broker_key(), "--key", key,
                    "--period", week, "--region", "parkstad", "--format", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.Json();
}

const nlohmann::json* ThemeIn(const nlohmann::json& digest, const std::string& code) {
  for (const auto& t : digest["themes"]) {
    if (t["theme"] == code) return &t;
  }
  return nullptr;
}

// The digest's share still open per theme comes from the statuses partners
// keep, counts the statuses as they are now (a follow-up sends the week
// again), and is perturbed like every number.
TEST(FollowUp, TheDigestShowsPerThemeTheShareStillOpenAtThePartners) {
  TempDir dir;
  Network net(dir);
  ASSERT_TRUE(net.StartBroker("parkstad"));
  const std::string week = WeeksAgo(1);
  const std::string day = MondayOfWeek(week)->ToIso();
  NodeHandle* heerlen = net.AddNode("Cliëntenraad Heerlen", "clientenraad", "GM0917");
  NodeHandle* kerkrade = net.AddNode("Spreekuur Kerkrade", "spreekuur", "GM0928");
  ASSERT_TRUE(heerlen && kerkrade);
  // Heerlen: 30 on debts, 20 open and 10 resolved; Kerkrade: 30, 15 open and 15 referred on.
  // Work: 12 each, all open.
  auto write = [&](const std::string& name, const std::string& gm, int open, const std::string& other, int others) {
    std::string csv = "date,municipality,theme,status\n";
    for (int i = 0; i < open + others; ++i) csv += day + "," + gm + ",schulden," + (i < open ? "open" : other) + "\n";
    for (int i = 0; i < 12; ++i) csv += day + "," + gm + ",werk,\n";
    std::ofstream(dir.path() + "/" + name) << csv;
    return dir.path() + "/" + name;
  };
  for (auto [node, file] : {std::pair{heerlen, write("heerlen.csv", "GM0917", 20, "opgelost", 10)},
                            std::pair{kerkrade, write("kerkrade.csv", "GM0928", 15, "doorverwezen", 15)}}) {
    auto imp = net.NodeCli(*node, {"signal", "import", file});
    ASSERT_EQ(imp.exit_code, 0) << imp.err;
    ASSERT_EQ(net.NodeCli(*node, {"publish"}).exit_code, 0);
    ASSERT_TRUE(net.Drained(*node));
  }
  const std::string key = net.AddSubscriber("adviesraad-parkstad", "parkstad");
  ASSERT_FALSE(key.empty());
  auto before = Digest(net, key, week);
  ASSERT_TRUE(before["policy"]["max_deviation"].is_number()) << before.dump();
  const int d = before["policy"]["max_deviation"];
  ASSERT_GT(d, 0) << "the numbers are perturbed";
  const nlohmann::json* debts = ThemeIn(before, "schulden");
  ASSERT_NE(debts, nullptr) << before.dump();
  ASSERT_TRUE((*debts)["open"].is_number()) << debts->dump();
  EXPECT_NEAR((*debts)["open"].get<int>(), 35, d);
  EXPECT_NEAR((*debts)["dealt_with"].get<int>(), 25, d);
  EXPECT_NEAR((*debts)["open_share"].get<double>(), 35.0 / 60, 0.1);
  const nlohmann::json* work = ThemeIn(before, "werk");
  ASSERT_NE(work, nullptr);
  EXPECT_EQ((*work)["dealt_with"], 0) << "a zero stays zero";
  ASSERT_TRUE(before["total"]["open"].is_number()) << before["total"].dump();
  EXPECT_NEAR(before["total"]["open"].get<int>(), 35 + 24, d);

  // Heerlen resolves half the debts it still had open: the week goes out again.
  auto resolve = [&](int how_many) {
    auto listed = net.NodeCli(*heerlen, {"signal", "list", "--json"});
    ASSERT_EQ(listed.exit_code, 0) << listed.err;
    int resolved = 0;
    for (const auto& s : listed.Json()) {
      if (resolved == how_many || s["theme"] != "schulden" || s["status"] != "open") continue;
      auto r = net.NodeCli(*heerlen, {"signal", "follow-up", s["id"], "--status", "opgelost"});
      ASSERT_EQ(r.exit_code, 0) << r.err;
      ++resolved;
    }
    ASSERT_EQ(resolved, how_many);
    ASSERT_EQ(net.NodeCli(*heerlen, {"publish"}).exit_code, 0);
    ASSERT_TRUE(net.Drained(*heerlen));
  };
  resolve(10);
  auto after = Digest(net, key, week);
  debts = ThemeIn(after, "schulden");
  ASSERT_NE(debts, nullptr);
  ASSERT_TRUE((*debts)["open"].is_number()) << debts->dump();
  EXPECT_NEAR((*debts)["open"].get<int>(), 25, d);
  EXPECT_NEAR((*debts)["dealt_with"].get<int>(), 35, d);
  EXPECT_EQ(after["themes"].size(), before["themes"].size());

  // Now only Kerkrade has open debts: that would be one partner's own
  // number, so the share is withheld, while the theme's numbers stay.
  resolve(10);
  auto withheld = Digest(net, key, week);
  debts = ThemeIn(withheld, "schulden");
  ASSERT_NE(debts, nullptr);
  EXPECT_TRUE((*debts)["open_suppressed"].get<bool>()) << debts->dump();
  EXPECT_TRUE((*debts)["open"].is_null());
  EXPECT_NEAR((*debts)["signals"].get<int>(), 60, d);
  // The HTML says it in words.
  auto html = net.Cli({"digest", "fetch", "--broker", net.listen(), "--broker-key", net.broker_key(), "--key", key,
                       "--period", week, "--region", "parkstad", "--format", "html"});
  ASSERT_EQ(html.exit_code, 0) << html.err;
  EXPECT_NE(html.out.find(">Nog open</th>"), std::string::npos);
  EXPECT_NE(html.out.find("bij de partners nog open."), std::string::npos);
}

}  // namespace
}  // namespace signaal::test
