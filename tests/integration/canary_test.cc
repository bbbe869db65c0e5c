// The canary test (DESIGN §6): personal data planted in a node's raw signals
// must appear nowhere on the wire, in the broker's files, in any digest or in
// any log line of either daemon — and nowhere readable in the node's own files.
// Quotes the citizens gave with consent, full of the same identifiers, are
// scrubbed at intake and approved: they leave, and the identifiers do not.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "network.h"
#include "signaal/period.h"

namespace signaal::test {
namespace {

using namespace std::chrono_literals;

// A TCP proxy on loopback that forwards to `target_port` and keeps every byte
// that crosses it, both ways.
class RecordingProxy {
 public:
  explicit RecordingProxy(int target_port) : target_port_(target_port) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr = Loopback(0);
    ::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    ::listen(listener_, 16);
    thread_ = std::thread([this] { Loop(); });
  }
  ~RecordingProxy() {
    stop_ = true;
    thread_.join();
    for (int fd : fds_) ::close(fd);
    ::close(listener_);
  }
  int port() const { return port_; }
  std::string Captured() {
    std::lock_guard<std::mutex> lock(mu_);
    return captured_;
  }

 private:
  static sockaddr_in Loopback(int port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
  }
  void Loop() {
    std::vector<std::pair<int, int>> pairs;  // (from, to), both directions listed
    char buf[65536];
    while (!stop_) {
      std::vector<pollfd> fds = {{listener_, POLLIN, 0}};
      for (auto& [from, to] : pairs) fds.push_back({from, POLLIN, 0});
      if (::poll(fds.data(), fds.size(), 100) <= 0) continue;
      if (fds[0].revents & POLLIN) {
        int client = ::accept(listener_, nullptr, nullptr);
        int server = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr = Loopback(target_port_);
        if (client >= 0 && ::connect(server, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
          pairs.push_back({client, server});
          pairs.push_back({server, client});
          fds_.push_back(client);
          fds_.push_back(server);
        }
      }
      for (size_t i = 1; i < fds.size(); ++i) {
        if (!(fds[i].revents & (POLLIN | POLLHUP))) continue;
        auto [from, to] = pairs[i - 1];
        ssize_t n = ::read(from, buf, sizeof buf);
        if (n <= 0) continue;
        {
          std::lock_guard<std::mutex> lock(mu_);
          captured_.append(buf, static_cast<size_t>(n));
        }
        (void)::send(to, buf, static_cast<size_t>(n), MSG_NOSIGNAL);
      }
    }
  }
  int target_port_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::string captured_;
  std::vector<int> fds_;
};

// A BSN that passes the elfproef: 9*d1 + 8*d2 + ... + 2*d8 - d9 divisible by 11.
std::string Bsn(int seed) {
  for (int attempt = 0;; ++attempt) {
    int d[9];
    int x = seed * 7919 + attempt * 104729 + 123456;
    for (int i = 0; i < 8; ++i) {
      d[i] = x % 10;
      x = x / 10 + (i + 3) * 31;
    }
    int sum = 0;
    for (int i = 0; i < 8; ++i) sum += (9 - i) * d[i];
    d[8] = sum % 11;
    if (d[8] > 9 || d[0] == 0) continue;
    std::string out;
    for (int v : d) out += static_cast<char>('0' + v);
    return out;
  }
}

std::string ReadAll(const std::filesystem::path& dir) {
  std::string all;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    all += ss.str();
  }
  return all;
}

TEST(Canary, PlantedPersonalDataIsFoundNowhereOutsideTheNode) {
  TempDir dir;
  Network net(dir);
  ASSERT_TRUE(net.StartBroker());
  int broker_port = std::stoi(net.listen().substr(net.listen().rfind(':') + 1));
  RecordingProxy proxy(broker_port);
  net.set_node_broker_endpoint("tcp://127.0.0.1:" + std::to_string(proxy.port()));
  NodeHandle* node = net.AddNode("Cliëntenraad Canary", "clientenraad", "GM0917");
  ASSERT_NE(node, nullptr);
  // The most talkative log level: no line of it may carry personal data.
  node->daemon->Stop();
  {
    std::ifstream in(node->config);
    std::stringstream text;
    text << in.rdbuf();
    std::string config = text.str();
    auto at = config.find("level = \"info\"");
    ASSERT_NE(at, std::string::npos);
    config.replace(at, 14, "level = \"debug\"");
    std::ofstream(node->config, std::ios::trunc) << config;
  }
  ASSERT_TRUE(net.StartNode(*node));

  const char* first[] = {"Fenna", "Joris", "Anouk", "Bram", "Lotte", "Sem", "Noor", "Daan"};
  const char* last[] = {"Kuipers", "Verhoeven", "Smeets", "Brouwers", "Hendriks", "Ramakers", "Lemmens", "Coenen"};
  std::vector<std::string> canaries;
  // Every 20th citizen also gives a quote, with consent, full of the same
  // identifiers: scrubbed at intake, approved by the coordinator, it leaves.
  std::string csv = "date,municipality,theme,text,person,quote_consent,quote\n";
  std::string week_day = MondayOfWeek(WeeksAgo(1))->ToIso();
  for (int i = 0; i < 1000; ++i) {
    std::string name = std::string(first[i % 8]) + " " + last[(i / 8) % 8] + "-" + std::to_string(1000 + i);
    std::string bsn = Bsn(i);
    char iban[32], phone[32], street[64];
    std::snprintf(iban, sizeof iban, "NL%02dRABO%010d", 10 + i % 89, 300000000 + i * 7);
    std::snprintf(phone, sizeof phone, "06-%08d", 40000000 + i * 13);
    std::snprintf(street, sizeof street, "Akerstraat %d", 100 + i);
    std::string email = "fenna.canary" + std::to_string(i) + "@example.nl";
    for (const auto& c : {name, bsn, std::string(iban), std::string(phone), std::string(street), email}) canaries.push_back(c);
    csv += week_day + ",GM0917," + (i % 2 ? "schulden" : "inkomen") + ",\"" + name + " (BSN " + bsn + ", " + iban +
           ", " + phone + ", " + email + ", " + street + ") meldt een probleem\"," + (i % 3 ? bsn : name);
    if (i % 20 == 0) {
      csv += ",ja,\"Ik ben " + name + ", bel me op " + phone + " of mail " + email + ". Mijn BSN is " + bsn +
             ", rekening " + iban + ", ik woon op " + street + " en de schulden groeien me boven het hoofd.\"";
    } else {
      csv += ",,";
    }
    csv += "\n";
  }
  std::string csv_path = dir.path() + "/canary.csv";
  std::ofstream(csv_path) << csv;
  // A refused import whose bad rows are full of canaries: the refusal names
  // rows and fields to the person importing, the daemon's log names none.
  std::string bad_path = dir.path() + "/canary-bad.csv";
  std::ofstream(bad_path) << "date,municipality,theme,text,person\n"
                          << week_day << ",GM0917,geen-thema-" << canaries[0] << ",\"" << canaries[1] << "\","
                          << canaries[2] << "\n"
                          << "niet-" << canaries[3] << ",GM9999,schulden,x," << canaries[4] << "\n";
  EXPECT_NE(net.NodeCli(*node, {"signal", "import", bad_path}).exit_code, 0);
  auto imp = net.NodeCli(*node, {"signal", "import", csv_path});
  ASSERT_EQ(imp.exit_code, 0) << imp.err;
  // The coordinator approves every quote as the scrubber left it.
  auto pending = net.NodeCli(*node, {"quotes", "list", "--state", "pending", "--json"});
  ASSERT_EQ(pending.exit_code, 0) << pending.err;
  ASSERT_EQ(pending.Json().size(), 50u) << pending.out;
  for (const auto& q : pending.Json()) {
    auto approve = net.NodeCli(*node, {"quotes", "approve", q["quote_id"].get<std::string>()});
    ASSERT_EQ(approve.exit_code, 0) << approve.err << q.dump();
  }
  ASSERT_EQ(net.NodeCli(*node, {"publish"}).exit_code, 0);
  ASSERT_TRUE(WaitUntil([&] { return net.NodeCli(*node, {"status", "--json"}).Json()["outbox_depth"] == 0; }, 30s));
  // Erase some citizens, by the references as entered.
  for (int i : {1, 4, 7}) {  // rows whose person column holds the BSN
    auto erase = net.NodeCli(*node, {"signal", "erase", "--person", Bsn(i)});
    EXPECT_EQ(erase.exit_code, 0) << erase.err;
  }
  ASSERT_TRUE(WaitUntil([&] { return net.NodeCli(*node, {"status", "--json"}).Json()["outbox_depth"] == 0; }, 30s));
  std::string key = net.AddSubscriber("adviesraad-canary", "limburg");
  std::string period = WeeksAgo(1);
  ASSERT_EQ(net.BrokerCli({"digest", "publish", "--period", period, "--region", "parkstad"}).exit_code, 0);
  auto sub = net.Cli({"digest", "subscribe", "--broker", net.listen(), "--broker-key", net.broker_key(), "--key", key,
                      "--out", dir.path() + "/digests", "--once"});
  ASSERT_EQ(sub.exit_code, 0) << sub.err;
  auto report = net.NodeCli(*node, {"privacy-report", "--json"});
  // The quotes did leave: the privacy report lists them, scrubbed.
  ASSERT_EQ(report.exit_code, 0) << report.err;
  EXPECT_EQ(report.Json()["quotes_sent"].size(), 50u) << report.out;
  EXPECT_NE(report.out.find("[TELEFOON]"), std::string::npos) << report.out;
  net.broker().Stop();
  node->daemon->Stop();

  std::string wire = proxy.Captured();
  std::string broker_files = ReadAll(dir.path() + "/broker");
  std::string digests = ReadAll(dir.path() + "/digests");
  std::string node_files = ReadAll(node->dir + "/data");
  std::string logs = node->daemon->ReadLog() + net.broker().ReadLog();
  ASSERT_NE(logs.find("imported 1000 signals"), std::string::npos) << logs;
  ASSERT_GT(wire.size(), 1000u) << "nothing crossed the proxy";
  ASSERT_FALSE(digests.empty());
  ASSERT_NE(digests.find("\"signals\""), std::string::npos);
  size_t checked = 0;
  for (const auto& c : canaries) {
    ++checked;
    EXPECT_EQ(wire.find(c), std::string::npos) << c << " crossed the wire";
    EXPECT_EQ(broker_files.find(c), std::string::npos) << c << " is in the broker's files";
    EXPECT_EQ(digests.find(c), std::string::npos) << c << " is in a digest";
    EXPECT_EQ(node_files.find(c), std::string::npos) << c << " is readable in the node's files";
    EXPECT_EQ(report.out.find(c), std::string::npos) << c << " is in the privacy report";
    EXPECT_EQ(logs.find(c), std::string::npos) << c << " is in a daemon's log";
  }
  EXPECT_EQ(checked, 6000u);
}

}  // namespace
}  // namespace signaal::test
