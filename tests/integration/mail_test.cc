// The digest mail (issue 18, part 5) with a real broker, a real node and a
// real SMTP server (tests/integration/smtp_sink.py, python3-aiosmtpd) on
// loopback: every address of every subscriber entitled to a digest gets it
// exactly once — across a broker restart with mails still queued, and with
// the SMTP server down for a while — as a message whose parts are the
// digest's HTML, Markdown, CSV and an .xlsx of the same numbers
// (tests/integration/mail_check.py, python3-openpyxl). Prints the figures:
// messages sent, duplicates, lost.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "network.h"

namespace signaal::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// Debian's Python, where python3-aiosmtpd and python3-openpyxl are installed
// (not whatever python3 comes first on PATH).
const char* const kPython = "/usr/bin/python3";

std::string Script(const std::string& name) { return SourceDir() + "/tests/integration/" + name; }

// The SMTP server, as a daemon: writes each message it accepts to `out`.
std::unique_ptr<Daemon> StartSink(const std::string& dir, int port, std::vector<std::string> extra = {}) {
  std::vector<std::string> argv = {kPython, Script("smtp_sink.py"), "--port", std::to_string(port), "--out",
                                   dir + "/mailbox"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  auto sink = std::make_unique<Daemon>(argv, dir + "/smtp.log");
  if (!sink->WaitForLog("ready", 20s)) {
    std::cerr << sink->ReadLog();
    return nullptr;
  }
  return sink;
}

size_t Received(const std::string& dir) {
  size_t n = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir + "/mailbox", ec)) n += e.path().extension() == ".eml" ? 1 : 0;
  return n;
}

// Turns [mail] on in the broker's config, written by `broker init` with mail off.
void ConfigureMail(const std::string& config, int port, const std::string& more) {
  std::string text = ReadText(config);
  const std::string off = "from = \"\"\nsmtp_url = \"smtp://localhost:25\"\n";
  auto at = text.find(off);
  ASSERT_NE(at, std::string::npos) << text;
  text.replace(at, off.size(),
               "from = \"digests@signaal.example.org\"\nsmtp_url = \"smtp://127.0.0.1:" + std::to_string(port) +
                   "\"\nretry_first_s = 1\nretry_max_s = 4\n" + more);
  std::ofstream(config) << text;
}

nlohmann::json Status(Network& net) { return net.BrokerCli({"status", "--json"}).Json(); }
uint64_t Queued(Network& net) {
  auto s = Status(net);
  return s.is_object() ? s["mail_queued"].get<uint64_t>() : 999;
}

// A broker with one node's signals over four weeks, restarted with [mail] on.
struct MailNet {
  TempDir dir;
  Network net{dir};
  NodeHandle* node = nullptr;
  int smtp_port = FreePort();

  void SetUp(const std::string& mail_more = "") {
    ASSERT_TRUE(net.StartBroker("limburg", 5, 1));
    node = net.AddNode("Spreekuur Kerkrade", "spreekuur", "GM0928");
    ASSERT_NE(node, nullptr);
    std::string csv = dir.path() + "/signals.csv";
    ASSERT_EQ(RunCommand({GenBinary(), "--rows", "400", "--seed", "5", "--municipalities", "GM0928,GM0917", "--from",
                          WeeksAgo(4), "--weeks", "4", "--out", csv})
                  .exit_code,
              0);
    ASSERT_EQ(net.NodeCli(*node, {"signal", "import", csv}).exit_code, 0);
    ASSERT_EQ(net.NodeCli(*node, {"publish"}).exit_code, 0);
    ASSERT_TRUE(net.Drained(*node));
    net.broker().Stop();
    ConfigureMail(net.broker_config(), smtp_port, mail_more);
    net.broker().Start();
    ASSERT_TRUE(net.broker().WaitForLog("signaal-broker ready", 30s)) << net.broker().ReadLog();
    ASSERT_TRUE(net.broker().WaitForLog("mail: digests are mailed from", 1s)) << net.broker().ReadLog();
  }

  // keys generate + enroll-subscriber with its addresses; the key file.
  std::string Subscriber(const std::string& name, const std::string& regions, const std::vector<std::string>& emails) {
    std::string key = dir.path() + "/" + name + ".key";
    auto gen = net.Cli({"keys", "generate", "--out", key, "--json"});
    EXPECT_EQ(gen.exit_code, 0) << gen.err;
    std::vector<std::string> args = {"enroll-subscriber", "--name", name, "--regions", regions, "--public-key",
                                     gen.Json()["public_key"].get<std::string>()};
    for (const auto& e : emails) args.insert(args.end(), {"--email", e});
    auto r = net.BrokerCli(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return key;
  }

  void Publish(const std::string& region, const std::string& period) {
    auto r = net.BrokerCli({"digest", "publish", "--period", period, "--region", region});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  // Every message received, checked (mail_check.py), against the files of
  // subscriber `key` when given.
  nlohmann::json Check(const std::string& key = "") {
    std::vector<std::string> argv = {kPython, Script("mail_check.py"), dir.path() + "/mailbox"};
    if (!key.empty()) {
      auto sub = net.Cli({"digest", "subscribe", "--broker", net.listen(), "--broker-key", net.broker_key(), "--key",
                          key, "--out", dir.path() + "/digests", "--format", "html,md,csv", "--once"});
      EXPECT_EQ(sub.exit_code, 0) << sub.err;
      argv.push_back(dir.path() + "/digests");
    }
    auto r = RunCommand(argv, 120s);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.Json();
  }
};

struct Tally {
  size_t sent = 0, duplicates = 0, lost = 0;
};

// Counts Message-IDs per recipient against what was expected: every
// (address, digest) once. A Message-ID names its digest ("digest-<seq>.").
Tally Count(const nlohmann::json& checked, const std::set<std::pair<std::string, int>>& expected) {
  Tally t;
  std::map<std::string, int> seen;
  std::set<std::pair<std::string, int>> got;
  for (const auto& m : checked["messages"]) {
    std::string id = m["message_id"];
    std::string to = m["to"];
    if (to.size() > 2 && to.front() == '<') to = to.substr(1, to.size() - 2);
    int seq = std::atoi(id.substr(id.find("digest-") + 7).c_str());
    ++t.sent;
    if (seen[id]++ > 0) ++t.duplicates;
    got.insert({to, seq});
  }
  for (const auto& e : expected) t.lost += got.count(e) ? 0 : 1;
  return t;
}

std::set<std::pair<std::string, int>> Expect(const std::vector<std::string>& addresses, int first, int last) {
  std::set<std::pair<std::string, int>> out;
  for (const auto& a : addresses) {
    for (int s = first; s <= last; ++s) out.insert({a, s});
  }
  return out;
}

TEST(Mail, EveryRecipientGetsEachDigestOnceAcrossARestart) {
  auto started = std::chrono::steady_clock::now();
  MailNet m;
  ASSERT_NO_FATAL_FAILURE(m.SetUp());
  // A slow relay: a quarter of a second before each RCPT is answered.
  auto sink = StartSink(m.dir.path(), m.smtp_port, {"--delay", "0.25"});
  ASSERT_NE(sink, nullptr);
  std::string key = m.Subscriber("Adviesraad Parkstad", "parkstad",
                                 {"secretaris@adviesraad-parkstad.example.nl", "Voorzitter@Adviesraad-Parkstad.example.NL"});
  m.Subscriber("Adviesraad Limburg", "limburg", {"raad@limburg.example.org"});
  // Four digests of Parkstad: both councils are entitled to each.
  for (const auto& period : {WeeksAgo(1), WeeksAgo(2), WeeksAgo(3), WeeksAgo(4) + ".." + WeeksAgo(1)}) {
    ASSERT_NO_FATAL_FAILURE(m.Publish("parkstad", period));
  }
  // Stop the broker with mails still queued, and start it again.
  ASSERT_TRUE(WaitUntil([&] { return Received(m.dir.path()) >= 3; }, 60s)) << m.net.broker().ReadLog();
  uint64_t queued_at_stop = Queued(m.net);
  m.net.broker().Stop();
  size_t received_at_stop = Received(m.dir.path());
  m.net.broker().Start();
  ASSERT_TRUE(m.net.broker().WaitForLog("signaal-broker ready", 30s));
  EXPECT_TRUE(m.net.broker().WaitForLog("digest mails queued from before the start", 1s)) << m.net.broker().ReadLog();
  ASSERT_TRUE(WaitUntil([&] { return Received(m.dir.path()) >= 12 && Queued(m.net) == 0; }, 120s))
      << Received(m.dir.path()) << " received\n" << m.net.broker().ReadLog();
  std::this_thread::sleep_for(2s);  // time for a duplicate to show up

  const std::vector<std::string> addresses = {"secretaris@adviesraad-parkstad.example.nl",
                                              "Voorzitter@adviesraad-parkstad.example.nl", "raad@limburg.example.org"};
  auto checked = m.Check(key);
  Tally t = Count(checked, Expect(addresses, 1, 4));
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started).count();
  std::cout << "mail across a restart: " << t.sent << " messages sent (12 expected), " << t.duplicates
            << " duplicates, " << t.lost << " lost; broker stopped with " << queued_at_stop << " queued and "
            << received_at_stop << " received; " << seconds << " s\n";
  EXPECT_EQ(t.sent, 12u);
  EXPECT_EQ(t.duplicates, 0u);
  EXPECT_EQ(t.lost, 0u);
  EXPECT_GT(queued_at_stop, 0u) << "the broker was to stop with mails queued";

  size_t compared = 0;
  for (const auto& msg : checked["messages"]) {
    SCOPED_TRACE(msg.dump());
    EXPECT_EQ(msg["mime_version"], "1.0");
    EXPECT_EQ(msg["subject"].get<std::string>().rfind("Signalenrapportage Parkstad", 0), 0u);
    EXPECT_LE(msg["longest_line"].get<int>(), 998);
    EXPECT_FALSE(msg["bare_lf"].get<bool>());
    EXPECT_EQ(msg["attachments"].size(), 2u);
    EXPECT_EQ(msg["xlsx_vs_csv"], "equal");
    EXPECT_NE(msg["types"].dump().find("multipart/alternative"), std::string::npos);
    if (msg["to"].get<std::string>().find("parkstad") != std::string::npos) {
      // The subscriber's own files of the same digest.
      EXPECT_FALSE(msg.contains("missing"));
      EXPECT_TRUE(msg.value("html_equal", false));
      EXPECT_TRUE(msg.value("text_equal", false));
      EXPECT_TRUE(msg.value("csv_equal", false));
      ++compared;
    }
  }
  EXPECT_EQ(compared, 8u);
  // One line per send, and none holds a number of the digest's body.
  std::string log = m.net.broker().ReadLog();
  EXPECT_NE(log.find("mail: digest 1 to secretaris@adviesraad-parkstad.example.nl sent (attempt 1"),
            std::string::npos) << log;
  auto status = Status(m.net);
  EXPECT_EQ(status["counters"]["mail.sent"].get<uint64_t>(), 12u - received_at_stop) << status.dump();
}

TEST(Mail, RetriesWhileTheServerIsDownAndValidatesAddresses) {
  auto started = std::chrono::steady_clock::now();
  MailNet m;
  ASSERT_NO_FATAL_FAILURE(m.SetUp());
  // Addresses are checked when enrolled: no header or SMTP command can be smuggled in.
  std::string pub = m.dir.path() + "/x.key";
  auto gen = m.net.Cli({"keys", "generate", "--out", pub, "--json"});
  for (const std::string& bad : std::vector<std::string>{"raad@example.nl\r\nBcc: spy@example.org", "geen-apenstaartje.nl", "a@@example.nl",
                                "raad@localhost", "raad@example.n1", "<raad@example.nl>", "raad @example.nl",
                                std::string(250, 'a') + "@example.nl"}) {
    auto r = m.net.BrokerCli({"enroll-subscriber", "--name", "Kwaadwillend", "--regions", "parkstad", "--public-key",
                              gen.Json()["public_key"].get<std::string>(), "--email", bad});
    EXPECT_NE(r.exit_code, 0) << bad;
  }
  std::string key = m.Subscriber("Adviesraad Parkstad", "parkstad", {"secretaris@adviesraad-parkstad.example.nl"});
  auto changed = m.net.BrokerCli({"subscriber-email", "adviesraad-parkstad", "--add", "notulist@adviesraad-parkstad.example.nl",
                                  "--add", "oud@adviesraad-parkstad.example.nl", "--json"});
  ASSERT_EQ(changed.exit_code, 0) << changed.err;
  EXPECT_EQ(changed.Json()["emails"].size(), 3u) << changed.out;
  changed = m.net.BrokerCli({"subscriber-email", "adviesraad-parkstad", "--remove", "oud@adviesraad-parkstad.example.nl",
                             "--json"});
  ASSERT_EQ(changed.exit_code, 0) << changed.err;
  EXPECT_EQ(changed.Json()["emails"].size(), 2u) << changed.out;
  // Refused (4) by the wire's string limits before the address check (2) sees it.
  EXPECT_EQ(m.net.BrokerCli({"subscriber-email", "adviesraad-parkstad", "--add", "x@y.nl\nBcc: z@y.nl"}).exit_code, 4);
  EXPECT_EQ(m.net.BrokerCli({"subscriber-email", "adviesraad-parkstad", "--add", "x@y"}).exit_code, 2);

  // No SMTP server yet: the broker retries, 1 s doubling (up to 4 s here).
  ASSERT_NO_FATAL_FAILURE(m.Publish("parkstad", WeeksAgo(1)));
  ASSERT_NO_FATAL_FAILURE(m.Publish("parkstad", WeeksAgo(2)));
  ASSERT_TRUE(m.net.broker().WaitForLog("failed (attempt 2)", 60s)) << m.net.broker().ReadLog();
  EXPECT_EQ(Queued(m.net), 4u);
  auto sink = StartSink(m.dir.path(), m.smtp_port);
  ASSERT_NE(sink, nullptr);
  ASSERT_TRUE(WaitUntil([&] { return Received(m.dir.path()) >= 4 && Queued(m.net) == 0; }, 60s))
      << m.net.broker().ReadLog();
  std::this_thread::sleep_for(2s);
  auto checked = m.Check();
  Tally t = Count(checked, Expect({"secretaris@adviesraad-parkstad.example.nl", "notulist@adviesraad-parkstad.example.nl"},
                                  1, 2));
  auto status = Status(m.net);
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started).count();
  std::cout << "mail with the SMTP server down at first: " << t.sent << " messages sent (4 expected), "
            << t.duplicates << " duplicates, " << t.lost << " lost, "
            << status["counters"]["mail.failed_attempts"] << " failed attempts before; " << seconds << " s\n";
  EXPECT_EQ(t.sent, 4u);
  EXPECT_EQ(t.duplicates, 0u);
  EXPECT_EQ(t.lost, 0u);
  EXPECT_GE(status["counters"]["mail.failed_attempts"].get<uint64_t>(), 4u);
  EXPECT_EQ(status["counters"]["mail.sent"].get<uint64_t>(), 4u);
}

TEST(Mail, StartTlsAndAuthWithARelay) {
  MailNet m;
  const std::string d = m.dir.path();
  auto cert = RunCommand({"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", d + "/smtp.key",
                          "-out", d + "/smtp.crt", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext",
                          "subjectAltName=IP:127.0.0.1"});
  ASSERT_EQ(cert.exit_code, 0) << cert.err;
  {
    std::ofstream(d + "/smtp.password") << "geheim-wachtwoord\n";
  }
  ::chmod((d + "/smtp.password").c_str(), 0600);
  ASSERT_NO_FATAL_FAILURE(m.SetUp("starttls = \"required\"\nusername = \"signaal\"\npassword_file = \"" + d +
                                  "/smtp.password\"\nca_file = \"" + d + "/smtp.crt\"\n"));
  auto sink = StartSink(d, m.smtp_port, {"--tls", d + "/smtp.crt", d + "/smtp.key", "--auth", "signaal:geheim-wachtwoord"});
  ASSERT_NE(sink, nullptr);
  m.Subscriber("Adviesraad Parkstad", "parkstad", {"secretaris@adviesraad-parkstad.example.nl"});
  ASSERT_NO_FATAL_FAILURE(m.Publish("parkstad", WeeksAgo(1)));
  ASSERT_TRUE(WaitUntil([&] { return Received(d) >= 1 && Queued(m.net) == 0; }, 60s)) << m.net.broker().ReadLog()
                                                                                       << sink->ReadLog();
  auto checked = m.Check();
  ASSERT_EQ(checked["messages"].size(), 1u);
  EXPECT_EQ(checked["messages"][0]["xlsx_vs_csv"], "equal");
  // The password is nowhere in the broker's log.
  EXPECT_EQ(m.net.broker().ReadLog().find("geheim-wachtwoord"), std::string::npos);
}

}  // namespace
}  // namespace signaal::test
