// Configuration validated at start: each mistake an installer makes stops the
// daemon with one sentence naming the file and the key, and `run --check`
// says the same without starting — even beside a running daemon.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "network.h"

namespace signaal::test {
namespace {

using namespace std::chrono_literals;

// A copy of `config` with one line replaced (or a line added after `[section]`).
std::string Variant(const std::string& dir, const std::string& config, const std::string& from, const std::string& to,
                    const std::string& name) {
  std::string text = ReadText(config);
  auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  std::string path = dir + "/" + name + ".toml";
  std::ofstream(path) << text;
  return path;
}

struct Mistake {
  std::string name, from, to;
  std::vector<std::string> said;  // all of these in the one sentence
};

void ExpectRefused(const std::string& binary, const std::string& dir, const std::string& config, const Mistake& m) {
  std::string path = Variant(dir, config, m.from, m.to, m.name);
  for (bool check : {true, false}) {
    std::vector<std::string> argv = {binary, "run", "--config", path};
    if (check) argv.push_back("--check");
    auto r = RunCommand(argv, 20s);
    EXPECT_NE(r.exit_code, 0) << m.name << (check ? " --check" : "");
    EXPECT_NE(r.err.find(path), std::string::npos) << m.name << ": " << r.err;
    for (const auto& s : m.said) EXPECT_NE(r.err.find(s), std::string::npos) << m.name << ": " << r.err;
    // One sentence: a single line on stderr.
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << m.name << ": " << r.err;
  }
}

TEST(ConfigCheck, NodeMistakesNameTheKey) {
  TempDir dir;
  Network net(dir);
  ASSERT_TRUE(net.StartBroker());
  NodeHandle* node = net.AddNode("Spreekuur Kerkrade", "spreekuur", "GM0928");
  ASSERT_NE(node, nullptr);
  std::string config = node->config;
  std::string text = ReadText(config);
  auto line = [&](const std::string& key) {
    auto at = text.find("\n" + key + " = ");
    return text.substr(at + 1, text.find('\n', at + 1) - at - 1);
  };
  std::string readable_key = dir.path() + "/readable.key";
  std::filesystem::copy_file(node->dir + "/node.key", readable_key);
  chmod(readable_key.c_str(), 0644);
  std::ofstream(dir.path() + "/a-file") << "not a folder";
  // Finding 11: a control socket where others reach it, or over a file that is no socket.
  std::string own = dir.path() + "/own";
  mkdir(own.c_str(), 0700);
  std::ofstream(own + "/node.sock") << "precious";
  std::string shared = dir.path() + "/shared";
  mkdir(shared.c_str(), 0700);
  chmod(shared.c_str(), 01777);

  std::vector<Mistake> mistakes = {
      {"unknown-key", "[privacy]", "[privacy]\ncolour = \"blue\"", {"unknown key 'privacy.colour'"}},
      {"wrong-type", line("min_cell"), "min_cell = \"three\"", {"'privacy.min_cell'", "integer"}},
      {"missing-key-file", line("key_file"), "key_file = \"" + dir.path() + "/none.key\"",
       {"'node.key_file'", "none.key", "missing"}},
      {"readable-key-file", line("key_file"), "key_file = \"" + readable_key + "\"",
       {"'node.key_file'", "chmod 600"}},
      {"data-under-a-file", line("data_dir"), "data_dir = \"" + dir.path() + "/a-file/data\"",
       {"'node.data_dir'", "not a folder"}},
      {"bad-broker-key", line("public_key"), "public_key = \"not-a-key\"", {"'broker.public_key'"}},
      {"bad-type", line("type"), "type = \"bakery\"", {"'node.type'", "bakery"}},
      {"metrics-not-tcp", "[metrics]\nlisten = \"\"", "[metrics]\nlisten = \"ipc:///tmp/metrics\"",
       {"'metrics.listen'"}},
      {"control-on-tcp", line("control"), "control = \"tcp://0.0.0.0:7460\"",
       {"'node.control'", "'tcp://0.0.0.0:7460' is not ipc:///ABSOLUTE/PATH"}},
      {"control-on-loopback", line("control"), "control = \"tcp://127.0.0.1:7460\"", {"'node.control'"}},
      {"control-in-shared-folder", line("control"), "control = \"ipc://" + shared + "/node.sock\"",
       {"'node.control'", "folder " + shared + " is open to group or others (mode 1777)"}},
      {"control-over-a-file", line("control"), "control = \"ipc://" + own + "/node.sock\"",
       {"'node.control'", own + "/node.sock exists and is not a socket"}},
      {"log-level-unknown", "[log]\nlevel = \"info\"", "[log]\nlevel = \"shout\"",
       {"'log.level'", "'shout'", "trace, debug, info, warn, error, critical or off"}},
  };
  for (const auto& m : mistakes) ExpectRefused(NodeBinary(), dir.path(), config, m);
  // Refused, and left as they were: the file kept, the shared folder not chmod'ed.
  EXPECT_TRUE(std::filesystem::is_regular_file(own + "/node.sock"));
  struct stat st {};
  ASSERT_EQ(stat(shared.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 01777u);
  EXPECT_TRUE(std::filesystem::is_empty(shared));

  // --check beside the running node: valid, and the node still answers.
  auto check = RunCommand({NodeBinary(), "run", "--config", config, "--check"});
  EXPECT_EQ(check.exit_code, 0) << check.err;
  EXPECT_NE(check.out.find("is valid"), std::string::npos);
  EXPECT_FALSE(net.NodeStatus(*node).is_null()) << "--check disturbed the running node";
}

TEST(ConfigCheck, BrokerMistakesNameTheKey) {
  TempDir dir;
  Network net(dir);
  ASSERT_TRUE(net.StartBroker());
  std::string config = net.broker_config();
  std::string text = ReadText(config);
  auto line = [&](const std::string& key) {
    auto at = text.find("\n" + key + " = ");
    return text.substr(at + 1, text.find('\n', at + 1) - at - 1);
  };
  std::ofstream(dir.path() + "/a-file") << "not a folder";
  std::vector<Mistake> mistakes = {
      {"unknown-key", "[disclosure]", "[disclosure]\nkk = 5", {"unknown key 'disclosure.kk'"}},
      {"wrong-type", line("k"), "k = \"five\"", {"'disclosure.k'"}},
      {"k-out-of-range", line("k"), "k = 1", {"'disclosure.k'"}},
      {"missing-key-file", line("key_file"), "key_file = \"" + dir.path() + "/none.key\"",
       {"'broker.key_file'", "missing"}},
      {"data-under-a-file", line("data_dir"), "data_dir = \"" + dir.path() + "/a-file/data\"",
       {"'broker.data_dir'", "not a folder"}},
      {"variance-unmet", line("variance"), "variance = 5.5",
       {"disclosure.variance 5.5 cannot be met with disclosure.max_deviation 5"}},
      {"no-noise", line("max_deviation"), "max_deviation = 0", {"'disclosure.max_deviation'"}},
      {"unknown-region", line("region"), "region = \"atlantis\"", {"'broker.region'", "atlantis"}},
      {"bad-schedule", "weekly = \"\"", "weekly = \"someday 07:00\"", {"'schedule.weekly'"}},
      {"bad-timezone", "weekly = \"\"\ntimezone = \"Europe/Amsterdam\"",
       "weekly = \"monday 07:00\"\ntimezone = \"Europe/Maastricht\"", {"'schedule.timezone'"}},
      {"log-level-unknown", "[log]\nlevel = \"info\"", "[log]\nlevel = \"shout\"",
       {"'log.level'", "'shout'", "trace, debug, info, warn, error, critical or off"}},
      {"control-not-an-endpoint", line("control"), "control = \"0.0.0.0:7451\"", {"'broker.control'"}},
  };
  for (const auto& m : mistakes) ExpectRefused(BrokerBinary(), dir.path(), config, m);
  auto check = RunCommand({BrokerBinary(), "run", "--config", config, "--check"});
  EXPECT_EQ(check.exit_code, 0) << check.err;
  EXPECT_TRUE(net.broker().Running());
}

}  // namespace
}  // namespace signaal::test
