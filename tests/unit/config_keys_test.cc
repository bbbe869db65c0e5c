// Unit tests of configuration loading and key files.
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>

#include <filesystem>
#include <fstream>

#include "signaal/config.h"
#include "signaal/files.h"
#include "signaal/keys.h"
#include "signaal/text.h"

namespace signaal {
namespace {

class Scratch : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/signaal-config-test-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& text) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    return path;
  }
  // A minimal node.toml with `extra` lines in [node].
  std::string NodeText(const std::string& extra) {
    return "[node]\nid = \"n\"\ntype = \"helpdesk\"\ndata_dir = \"data\"\nkey_file = \"node.key\"\n" + extra +
           "[broker]\nendpoint = \"tcp://127.0.0.1:7450\"\npublic_key = \"k\"\n";
  }
  std::string dir_;
};

TEST(ExampleConfigs, DocumentedExamplesAreValid) {
  auto node = LoadNodeConfig(std::string(SIGNAAL_SOURCE_DATA_DIR) + "/../deploy/config/node.toml");
  ASSERT_TRUE(node.ok()) << node.status().message();
  EXPECT_EQ(node->interval_s, 60);
  EXPECT_EQ(node->min_cell, 3);
  auto broker = LoadBrokerConfig(std::string(SIGNAAL_SOURCE_DATA_DIR) + "/../deploy/config/broker.toml");
  ASSERT_TRUE(broker.ok()) << broker.status().message();
  EXPECT_EQ(broker->k, 5);
  EXPECT_EQ(broker->max_deviation, kDefaultMaxDeviation);
  EXPECT_EQ(broker->variance, kDefaultVariance);
}

TEST_F(Scratch, AnUpstreamIsAllFourKeysOrNone) {
  const std::string head = "[broker]\ndata_dir = \"d\"\nkey_file = \"k\"\n[upstream]\n";
  auto r = LoadBrokerConfig(Write("u1.toml", head + "endpoint = \"tcp://127.0.0.1:7460\"\nid = \"zl\"\n"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("key 'upstream.public_key' is missing"), std::string::npos) << r.status().message();
  r = LoadBrokerConfig(Write("u2.toml", head + "endpoint = \"ipc:///x\"\npublic_key = \"k\"\nid = \"zl\"\n"
                                               "key_file = \"u.key\"\n"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("upstream.endpoint"), std::string::npos) << r.status().message();
  r = LoadBrokerConfig(Write("u3.toml", head + "endpoint = \"tcp://127.0.0.1:7460\"\npublic_key = \"k\"\n"
                                               "id = \"zl\"\nkey_file = \"u.key\"\n"));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->upstream_id, "zl");
  EXPECT_EQ(r->upstream_key_file.back(), 'y');  // taken relative to the config's folder
  auto again = ParseBrokerConfig(RenderBrokerConfig(*r), r->path);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(again->upstream_endpoint, r->upstream_endpoint);
}

TEST_F(Scratch, CellKeyParametersAreReadAndChecked) {
  const std::string head = "[broker]\ndata_dir = \"d\"\nkey_file = \"k\"\n[disclosure]\n";
  auto r = LoadBrokerConfig(Write("a.toml", head + "max_deviation = 3\nvariance = 1.5\n"));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->max_deviation, 3);
  EXPECT_EQ(r->variance, 1.5);
  r = LoadBrokerConfig(Write("b.toml", head + "variance = 1\n"));  // an integer is a number too
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->variance, 1.0);
  r = LoadBrokerConfig(Write("c.toml", head + "variance = \"1.0\"\n"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("disclosure.variance' must be a number"), std::string::npos) << r.status().message();
  r = LoadBrokerConfig(Write("d.toml", head + "max_deviation = 0\n"));  // no noise: refused
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("disclosure.max_deviation"), std::string::npos) << r.status().message();
  r = LoadBrokerConfig(Write("e.toml", head + "max_deviation = 21\n"));
  ASSERT_FALSE(r.ok());
}

TEST_F(Scratch, UnknownKeysAndWrongTypesAreNamed) {
  auto path = Write("broker.toml", "[broker]\ndata_dir = \"d\"\nkey_file = \"k\"\nlisten_on = \"x\"\n");
  auto r = LoadBrokerConfig(path);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("broker.listen_on"), std::string::npos) << r.status().message();

  path = Write("broker2.toml", "[broker]\ndata_dir = \"d\"\nkey_file = \"k\"\n[disclosure]\nk = \"five\"\n");
  r = LoadBrokerConfig(path);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("disclosure.k"), std::string::npos) << r.status().message();

  path = Write("broker3.toml", "[brokr]\ndata_dir = \"d\"\n");
  r = LoadBrokerConfig(path);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("[brokr]"), std::string::npos) << r.status().message();
}

TEST_F(Scratch, RelativePathsFollowTheConfigFile) {
  auto path = Write("broker.toml", "[broker]\ndata_dir = \"data\"\nkey_file = \"broker.key\"\n");
  auto r = LoadBrokerConfig(path);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->data_dir, dir_ + "/data");
  EXPECT_EQ(r->key_file, dir_ + "/broker.key");
}

TEST_F(Scratch, RenderedConfigsLoadBack) {
  NodeConfig n;
  n.id = "zelfhulp-sittard";
  n.name = "Zelfhulp \"Sittard\"";
  n.type = "zelfhulp";
  n.municipality = "GM1883";
  n.data_dir = dir_ + "/data";
  n.key_file = dir_ + "/node.key";
  n.control = "ipc://" + dir_ + "/node.sock";
  n.broker_endpoint = "tcp://127.0.0.1:7450";
  n.broker_public_key = GenerateCurveKeyPair().public_key;
  auto path = Write("node.toml", RenderNodeConfig(n));
  auto back = LoadNodeConfig(path);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->name, n.name);
  EXPECT_EQ(back->broker_public_key, n.broker_public_key);

  BrokerConfig b;
  b.data_dir = dir_ + "/data";
  b.key_file = dir_ + "/broker.key";
  b.max_deviation = 3;
  b.variance = 0.1 + 0.2;  // not short in decimal: must still read back exactly
  auto broker_path = Write("broker.toml", RenderBrokerConfig(b));
  auto broker_back = LoadBrokerConfig(broker_path);
  ASSERT_TRUE(broker_back.ok()) << broker_back.status().message();
  EXPECT_EQ(broker_back->max_deviation, 3);
  EXPECT_EQ(broker_back->variance, b.variance);
  b.variance = 2.0;  // a whole number still written as a TOML float
  broker_back = LoadBrokerConfig(Write("broker-b.toml", RenderBrokerConfig(b)));
  ASSERT_TRUE(broker_back.ok()) << broker_back.status().message();
  EXPECT_EQ(broker_back->variance, 2.0);
}

TEST_F(Scratch, ScheduleReachesAYearAndNamesItsPeriods) {
  const std::string head = "[broker]\ndata_dir = \"d\"\nkey_file = \"k\"\n[schedule]\n";
  auto r = LoadBrokerConfig(Write("a.toml", head + "weeks = 53\nperiods = \"month,half-year,year\"\n"));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->schedule_weeks, 53);
  EXPECT_EQ(r->schedule_periods, "month,half-year,year");
  auto longer = LoadBrokerConfig(Write("b.toml", head + "weeks = 54\n"));
  ASSERT_FALSE(longer.ok());
  EXPECT_NE(longer.status().message().find("schedule.weeks"), std::string::npos) << longer.status().message();
  // The default is the weekly digest alone, and a rendered config keeps the key.
  BrokerConfig c;
  EXPECT_EQ(c.schedule_periods, "");
  c.data_dir = dir_ + "/data";
  c.key_file = dir_ + "/broker.key";
  c.schedule_periods = "quarter,year";
  auto back = LoadBrokerConfig(Write("c.toml", RenderBrokerConfig(c)));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->schedule_periods, "quarter,year");
}

TEST_F(Scratch, KeyFilesArePrivateAndNeverOverwritten) {
  KeyFile k;
  k.curve = GenerateCurveKeyPair();
  k.signing = GenerateSigningKeyPair();
  k.pseudonym_secret_hex = ToHex(RandomBytes(32));
  std::string path = dir_ + "/node.key";
  ASSERT_TRUE(WriteKeyFile(path, k).ok());
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  KeyFile other;
  other.curve = GenerateCurveKeyPair();
  auto again = WriteKeyFile(path, other);
  EXPECT_EQ(again.code(), Code::kRefused);
  auto back = ReadKeyFile(path);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->curve.secret_key, k.curve.secret_key);
  EXPECT_EQ(back->pseudonym_secret_hex, k.pseudonym_secret_hex);

  chmod(path.c_str(), 0644);
  auto loose = ReadKeyFile(path);
  ASSERT_FALSE(loose.ok());
  EXPECT_NE(loose.status().message().find("0644"), std::string::npos) << loose.status().message();
}

TEST_F(Scratch, UnknownLogLevelsAreRefusedNotSilenced) {
  const std::string head = "[broker]\ndata_dir = \"d\"\nkey_file = \"k\"\n[log]\n";
  auto r = LoadBrokerConfig(Write("shout.toml", head + "level = \"shout\"\n"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), dir_ + "/shout.toml: key 'log.level': unknown level 'shout' (use trace, debug, "
                                          "info, warn, error, critical or off)");
  for (const std::string level : {"trace", "debug", "info", "warn", "error", "critical", "off"}) {
    auto ok = LoadBrokerConfig(Write(level + ".toml", head + "level = \"" + level + "\"\n"));
    EXPECT_TRUE(ok.ok()) << level << ": " << ok.status().message();
  }
  auto node = LoadNodeConfig(Write("node.toml", NodeText("") + "[log]\nlevel = \"loud\"\n"));
  ASSERT_FALSE(node.ok());
  EXPECT_NE(node.status().message().find("node.toml: key 'log.level': unknown level 'loud'"), std::string::npos)
      << node.status().message();
}

TEST_F(Scratch, TheNodeControlSocketIsAnIpcPathOnly) {
  for (const std::string bad : {"tcp://0.0.0.0:7460", "tcp://127.0.0.1:7460", "tcp://localhost:7460",
                                "tcp://[::1]:7460", "ipc://relative/node.sock", "inproc://node", "/tmp/node.sock"}) {
    auto r = LoadNodeConfig(Write("node.toml", NodeText("control = \"" + bad + "\"\n")));
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.status().message().find("node.toml: key 'node.control': '" + bad + "' is not ipc:///ABSOLUTE/PATH"),
              std::string::npos)
        << r.status().message();
  }
  auto ok = LoadNodeConfig(Write("node.toml", NodeText("control = \"ipc://" + dir_ + "/c/node.sock\"\n")));
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  auto by_default = LoadNodeConfig(Write("node.toml", NodeText("")));
  ASSERT_TRUE(by_default.ok()) << by_default.status().message();
  EXPECT_EQ(by_default->control, "ipc://" + dir_ + "/data/control/node.sock");
}

TEST_F(Scratch, TheBrokerControlPortIsTcpOrIpc) {
  // CURVE with administrator keys only: it may listen beyond loopback (remote administration).
  const std::string head = "[broker]\ndata_dir = \"d\"\nkey_file = \"k\"\n";
  for (const std::string good : {"tcp://127.0.0.1:7451", "tcp://0.0.0.0:7451", "ipc:///run/signaal/control.sock"}) {
    auto r = LoadBrokerConfig(Write("b.toml", head + "control = \"" + good + "\"\n"));
    EXPECT_TRUE(r.ok()) << good << ": " << r.status().message();
  }
  for (const std::string bad : {"0.0.0.0:7451", "ipc://control.sock", "udp://x:1"}) {
    auto r = LoadBrokerConfig(Write("b.toml", head + "control = \"" + bad + "\"\n"));
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.status().message().find("key 'broker.control': '" + bad + "'"), std::string::npos)
        << r.status().message();
  }
}

// A control socket's place: the folder must be the daemon's own.
class SocketPath : public Scratch {
 protected:
  mode_t ModeOf(const std::string& path) {
    struct stat st {};
    return lstat(path.c_str(), &st) == 0 ? st.st_mode : 0;
  }
  // Binds a unix socket at `path`; with `listen`, keeps listening until Close().
  int Bind(const std::string& path, bool listen) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0) << path;
    if (listen) {
      EXPECT_EQ(::listen(fd, 1), 0);
    }
    return fd;
  }
};

TEST_F(SocketPath, AMissingFolderIsMadeForTheDaemonAlone) {
  std::string sock = dir_ + "/a/control/node.sock";
  EXPECT_TRUE(PrepareSocketPath(sock, false).ok()) << "--check makes nothing";
  EXPECT_FALSE(FileExists(dir_ + "/a"));
  ASSERT_TRUE(PrepareSocketPath(sock, true).ok());
  EXPECT_EQ(ModeOf(dir_ + "/a/control") & 0777, 0700u);
  EXPECT_TRUE(PrepareSocketPath(sock, true).ok()) << "and it is its own the next time";
}

TEST_F(SocketPath, ASharedOrForeignFolderIsRefusedAndLeftAsItIs) {
  std::string shared = dir_ + "/shared";
  mkdir(shared.c_str(), 0777);
  chmod(shared.c_str(), 01777);  // like /tmp
  for (bool create : {false, true}) {
    Status s = PrepareSocketPath(shared + "/node.sock", create);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.message().find("folder " + shared + " is open to group or others (mode 1777)"), std::string::npos)
        << s.message();
  }
  EXPECT_EQ(ModeOf(shared) & 07777, 01777u) << "a folder the daemon did not make is never chmod'ed";
  chmod(shared.c_str(), 0750);
  EXPECT_FALSE(PrepareSocketPath(shared + "/node.sock", true).ok()) << "group may reach it";

  std::string own = dir_ + "/own";
  mkdir(own.c_str(), 0700);
  std::string link = dir_ + "/link";
  ASSERT_EQ(symlink(own.c_str(), link.c_str()), 0);
  Status s = PrepareSocketPath(link + "/node.sock", true);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("folder " + link + " is a symbolic link"), std::string::npos) << s.message();

  std::string foreign = dir_ + "/foreign";
  mkdir(foreign.c_str(), 0700);
  if (geteuid() == 0) {  // only root can give a folder away
    ASSERT_EQ(chown(foreign.c_str(), 65534, 65534), 0);
    s = PrepareSocketPath(foreign + "/node.sock", true);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.message().find("belongs to uid 65534"), std::string::npos) << s.message();
  }
}

TEST_F(SocketPath, OnlyAStaleSocketIsRemoved) {
  std::string own = dir_ + "/own";
  mkdir(own.c_str(), 0700);
  std::string file = own + "/node.sock";
  std::ofstream(file) << "precious";
  for (bool create : {false, true}) {
    Status s = PrepareSocketPath(file, create);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.message().find(file + " exists and is not a socket"), std::string::npos) << s.message();
  }
  EXPECT_TRUE(FileExists(file)) << "never deleted";
  std::remove(file.c_str());
  ASSERT_EQ(symlink((dir_ + "/elsewhere").c_str(), file.c_str()), 0);
  EXPECT_FALSE(PrepareSocketPath(file, true).ok()) << "a link is no socket either";
  std::remove(file.c_str());

  int live = Bind(file, true);
  EXPECT_TRUE(PrepareSocketPath(file, false).ok()) << "--check beside the running daemon";
  Status s = PrepareSocketPath(file, true);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("another process listens on " + file), std::string::npos) << s.message();
  EXPECT_EQ(ModeOf(file) & S_IFMT, static_cast<mode_t>(S_IFSOCK));
  close(live);
  // The crashed run's socket: nobody listens any more, so it goes.
  ASSERT_TRUE(S_ISSOCK(ModeOf(file)));
  EXPECT_TRUE(PrepareSocketPath(file, true).ok());
  EXPECT_FALSE(FileExists(file));
}

TEST(Signatures, VerifyOnlyTheSignedBytesWithTheRightKey) {
  auto k = GenerateSigningKeyPair();
  auto sig = Sign(k, "snapshot bytes");
  ASSERT_TRUE(sig.ok());
  EXPECT_EQ(sig->size(), 64u);
  EXPECT_TRUE(Verify(k.public_hex, "snapshot bytes", *sig));
  EXPECT_FALSE(Verify(k.public_hex, "snapshot bytez", *sig));
  EXPECT_FALSE(Verify(GenerateSigningKeyPair().public_hex, "snapshot bytes", *sig));
  EXPECT_EQ(KeyId(k.public_hex).size(), 16u);
  EXPECT_TRUE(IsValidCurveKey(GenerateCurveKeyPair().public_key));
  EXPECT_FALSE(IsValidCurveKey("short"));
}

TEST(Text, SlugsAreReadableAscii) {
  EXPECT_EQ(Slug("Cliëntenraad Heerlen"), "clientenraad-heerlen");
  EXPECT_EQ(Slug("  Provinciale Helpdesk — Sociale Zekerheid "), "provinciale-helpdesk-sociale-zekerheid");
  EXPECT_EQ(Slug("Zelfhulpnetwerk Sittard-Geleen"), "zelfhulpnetwerk-sittard-geleen");
  EXPECT_EQ(SplitList(" a, b,,c "), (std::vector<std::string>{"a", "b", "c"}));
}

}  // namespace
}  // namespace signaal
