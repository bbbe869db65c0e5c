// What became of a signal at the source (issue 18, part 4): a partner sets a
// signal's status and adds follow-up notes from the CLI; the notes are kept
// sealed like the free text — on disk nowhere readable — and never leave.
// A real node and broker, the real CLI.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "network.h"

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

}  // namespace
}  // namespace signaal::test
