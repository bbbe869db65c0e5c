// Peers with ordinary keys, and strangers without, trying what issue 15 found
// on the landed daemons, against the real broker, node and CLI on loopback:
// oversized and ESC-laden strings in heartbeats, enrolment requests and
// snapshots (refused, never stored, never printed raw); strings stored by an
// older broker (cut on load, printed escaped); a broker asked to serve
// outside its region (refused); and a flood of failed handshakes (a bounded
// number of log lines).
#include <gtest/gtest.h>

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

#include "broker_store.h"
#include "network.h"
#include "broker_control.pb.h"
#include "signaal/keys.h"
#include "signaal/period.h"
#include "signaal/zmq_util.h"

namespace signaal::test {
namespace {

using namespace std::chrono_literals;

// A node's keys on an open CURVE connection to the broker: what an attacker
// with an ordinary enrolled key holds.
class PeerNode {
 public:
  PeerNode(zmq::context_t& ctx, const std::string& endpoint, const std::string& broker_key)
      : socket_(ctx, zmq::socket_type::dealer) {
    keys_.curve = GenerateCurveKeyPair();
    keys_.signing = GenerateSigningKeyPair();
    MakeCurveClient(socket_, keys_.curve, broker_key);
    socket_.set(zmq::sockopt::linger, 0);
    socket_.set(zmq::sockopt::sndtimeo, 2000);
    endpoint_ = endpoint;
  }
  void Connect() { socket_.connect(endpoint_); }

  // The enrolment request `signaal-node init` would write, with `name`.
  std::string EnrolmentFile(const std::string& dir, const std::string& id, const std::string& name,
                            const std::string& gm = "GM0917") const {
    wire::EnrolmentRequest r;
    r.set_node_id(id);
    r.set_name(name);
    r.set_type("helpdesk");
    r.set_municipality(gm);
    r.set_curve_public_key(keys_.curve.public_key);
    r.set_sign_public_key(keys_.signing.public_hex);
    std::string json;
    google::protobuf::util::JsonPrintOptions opts;
    opts.preserve_proto_field_names = true;
    EXPECT_TRUE(google::protobuf::util::MessageToJsonString(r, &json, opts).ok());
    std::string path = dir + "/" + id + "-enrolment.json";
    std::ofstream(path) << json;
    return path;
  }

  void Send(const wire::ClientMessage& m) {
    std::string bytes = m.SerializeAsString();
    socket_.send(zmq::buffer(bytes), zmq::send_flags::none);
  }
  std::optional<wire::BrokerMessage> Heartbeat(const std::string& software, const std::string& taxonomy = "2026.1") {
    wire::ClientMessage m;
    m.set_schema(2);
    m.mutable_heartbeat()->set_software_version(software);
    m.mutable_heartbeat()->set_taxonomy_version(taxonomy);
    Send(m);
    return Receive();
  }
  std::optional<wire::BrokerMessage> Snapshot(const wire::SummarySnapshot& s) {
    wire::ClientMessage m;
    m.set_schema(2);
    auto* env = m.mutable_snapshot();
    env->set_payload(s.SerializeAsString());
    env->set_signature(*Sign(keys_.signing, env->payload()));
    env->set_key_id(KeyId(keys_.signing.public_hex));
    Send(m);
    return Receive();
  }
  std::optional<wire::BrokerMessage> Receive(std::chrono::milliseconds timeout = 5000ms) {
    zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
    if (zmq::poll(&item, 1, timeout) <= 0) return std::nullopt;
    zmq::message_t msg;
    (void)socket_.recv(msg);
    wire::BrokerMessage m;
    if (!m.ParseFromArray(msg.data(), static_cast<int>(msg.size()))) return std::nullopt;
    return m;
  }

 private:
  KeyFile keys_;
  std::string endpoint_;
  zmq::socket_t socket_;
};

std::string NackReason(const std::optional<wire::BrokerMessage>& m) {
  return m && m->has_nack() ? m->nack().reason() : (m ? m->DebugString() : "no answer");
}

bool HasRawControl(const std::string& s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return c == '\x1b' || c == '\x07' || c == '\r'; });
}

size_t LinesContaining(const std::string& text, const std::string& what) {
  size_t n = 0;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) n += line.find(what) != std::string::npos;
  return n;
}

uint64_t Counter(const Network& net, const std::string& name) {
  auto j = net.BrokerCli({"status", "--json"}).Json();
  return j.is_null() || !j["counters"].contains(name) ? 0 : j["counters"][name].get<uint64_t>();
}

TEST(HostilePeer, PeerStringsAreBoundedAndEveryPrintIsEscaped) {
  TempDir dir;
  Network net(dir);
  ASSERT_TRUE(net.StartBroker());
  zmq::context_t ctx(1);
  PeerNode evil(ctx, net.listen(), net.broker_key());

  // An enrolment request whose name clears the administrator's screen and
  // forges a line: refused, and the refusal itself prints escaped, on one line.
  auto r = net.BrokerCli({"enroll", evil.EnrolmentFile(dir.path(), "evil-org",
                                                       "Evil \x1b[2J\x1b[31mOrg\nadmin revoked everyone")});
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_FALSE(HasRawControl(r.err + r.out)) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find("field 'enroll_node.name' holds character U+001B"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("Evil \\x1b[2J\\x1b[31mOrg\\nadmin revoked everyone"), std::string::npos) << r.err;

  r = net.BrokerCli({"enroll", evil.EnrolmentFile(dir.path(), "evil-org", "Evil Org")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  evil.Connect();
  auto ok = evil.Heartbeat("1.0.0");
  ASSERT_TRUE(ok && ok->has_heartbeat_ack()) << NackReason(ok);

  // Heartbeats: 4 MiB of version, a terminal title and clear screen, a forged log line.
  const std::string forged = "\n2026-12-02T10:00:00.000 info [signaal-broker] admin revoked evil-org";
  for (const std::string& version : {std::string((4 << 20) - 4096, 'v'), std::string("1.0\x1b]0;pwned\x07\x1b[2J"),
                                     "1.0" + forged}) {
    auto nack = evil.Heartbeat(version);
    EXPECT_EQ(NackReason(nack), "invalid-string");
    if (nack && nack->has_nack()) {
      EXPECT_LT(nack->nack().detail().size(), 400u);
      EXPECT_FALSE(HasRawControl(nack->nack().detail()) || nack->nack().detail().find('\n') != std::string::npos);
    }
  }
  EXPECT_EQ(NackReason(evil.Heartbeat("1.0.0", "2026.1\x1b[5m")), "invalid-string");
  // A signed snapshot naming a node with a newline in its id.
  wire::SummarySnapshot snap;
  snap.set_node_id("evil-org" + forged);
  snap.set_period(IsoWeekOf(Today()));
  snap.set_version(1);
  snap.set_taxonomy_version("2026.1");
  EXPECT_EQ(NackReason(evil.Snapshot(snap)), "invalid-string");
  EXPECT_EQ(Counter(net, "nack.invalid-string"), 5u);

  // The administrator's view is whole and clean: the last good heartbeat's version.
  r = net.BrokerCli({"principals"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("evil-org"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("1.0.0 / 2026.1"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("vvvv"), std::string::npos);
  EXPECT_LT(r.out.size(), 2000u);
  r = net.BrokerCli({"revoke", "evil-org"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("revoked evil-org"), std::string::npos) << r.out;

  // The broker's log holds no raw control character and no forged line.
  net.broker().Stop();
  std::string log = net.broker().ReadLog();
  EXPECT_FALSE(HasRawControl(log));
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) EXPECT_NE(line.rfind("2026-12-02T10:00:00.000", 0), 0u) << line;
}

// A principal as a broker from before the bounds stored it: the 4 MiB version
// of finding 4 and a name with ESC sequences. Written into the stopped
// broker's store, as an upgrade finds it.
void StoreOldPrincipal(const std::string& data_dir, const std::string& id, wire::Role role,
                       const std::string& curve_public_key, const std::vector<std::string>& regions = {}) {
  auto store = broker::BrokerStore::Open(data_dir);
  ASSERT_TRUE(store.ok()) << store.status().message();
  wire::Principal p;
  p.set_id(id);
  p.set_name("Old \x1b[2J\x1b[31mOrg\nadmin revoked all");
  p.set_role(role);
  p.set_curve_public_key(curve_public_key);
  p.set_municipality("GM0917");
  p.set_type("helpdesk");
  p.set_software_version(std::string((4 << 20) - 8192, 'v') + "\x1b[5m");
  p.set_taxonomy_version("2026.1\x1b[0m");
  for (const auto& r : regions) p.add_regions(r);
  ASSERT_TRUE((*store)->PutPrincipal(p).ok());
}

TEST(HostilePeer, StringsStoredBeforeTheBoundsPrintSafelyAndRevokeWorks) {
  TempDir dir;
  Network net(dir);
  ASSERT_TRUE(net.StartBroker("parkstad", 5, 1));
  net.broker().Stop();
  std::string data_dir = dir.path() + "/broker/data";
  StoreOldPrincipal(data_dir, "old-node", wire::ROLE_NODE, GenerateCurveKeyPair().public_key);
  // A subscriber a parkstad broker enrolled for noord-limburg before it kept to its area.
  std::string key = dir.path() + "/old-council.key";
  auto gen = net.Cli({"keys", "generate", "--out", key, "--json"});
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  StoreOldPrincipal(data_dir, "old-council", wire::ROLE_SUBSCRIBER, gen.Json()["public_key"], {"noord-limburg"});
  net.broker().Start();
  ASSERT_TRUE(net.broker().WaitForLog("signaal-broker ready", 20s)) << net.broker().ReadLog();
  EXPECT_TRUE(net.broker().WaitForLog("stored principal fields were longer than allowed", 1s));

  auto r = net.BrokerCli({"principals"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(HasRawControl(r.out)) << r.out;
  EXPECT_NE(r.out.find("Old \\x1b[2J\\x1b[31mOrg\\nadmin revoked all"), std::string::npos) << r.out;
  EXPECT_EQ(LinesContaining(r.out, "admin revoked all"), 2u) << "one row each, no line of its own";
  EXPECT_LT(r.out.size(), 4000u);
  r = net.BrokerCli({"principals", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = r.Json();
  ASSERT_TRUE(j.is_array()) << r.out.substr(0, 200);
  EXPECT_FALSE(HasRawControl(r.out));
  r = net.BrokerCli({"revoke", "old-node"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(HasRawControl(r.out + r.err));

  // The old subscriber is not served outside the area it was wrongly given.
  r = net.Cli({"digest", "fetch", "--broker", net.listen(), "--broker-key", net.broker_key(), "--key", key,
               "--period", WeeksAgo(1), "--region", "noord-limburg"});
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_NE(r.err.find("region 'noord-limburg' does not lie inside this broker's region parkstad (outside-area)"),
            std::string::npos)
      << r.err;
}

TEST(HostilePeer, AParkstadBrokerServesParkstadOnly) {
  TempDir dir;
  Network net(dir);
  ASSERT_TRUE(net.StartBroker("parkstad", 5, 1));

  // A Venlo node is not enrolled.
  NodeHandle* venlo = net.AddNode("Helpdesk Venlo", "helpdesk", "GM0983", /*enrol=*/false);
  ASSERT_NE(venlo, nullptr);
  auto r = net.BrokerCli({"enroll", venlo->dir + "/enrolment.json"});
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_NE(r.err.find("field 'municipality': Venlo (GM0983) lies outside this broker's region parkstad"),
            std::string::npos)
      << r.err;
  r = net.BrokerCli({"principals", "--json"});
  EXPECT_EQ(r.out.find("helpdesk-venlo"), std::string::npos) << r.out;

  // A Heerlen node's Venlo cells are refused; its Heerlen week is stored.
  NodeHandle* heerlen = net.AddNode("Helpdesk Heerlen", "helpdesk", "GM0917");
  ASSERT_NE(heerlen, nullptr);
  std::string venlo_week = WeeksAgo(2), heerlen_week = WeeksAgo(1);
  r = net.NodeCli(*heerlen, {"signal", "add", "--theme", "schulden", "--municipality", "GM0983", "--date",
                             MondayOfWeek(venlo_week)->ToIso()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (int i = 0; i < 6; ++i) {
    r = net.NodeCli(*heerlen, {"signal", "add", "--theme", "schulden", "--municipality", "GM0917", "--date",
                               MondayOfWeek(heerlen_week)->ToIso()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  ASSERT_EQ(net.NodeCli(*heerlen, {"publish"}).exit_code, 0);
  ASSERT_TRUE(WaitUntil(
      [&] {
        auto s = net.NodeStatus(*heerlen);
        return !s.is_null() && s["snapshots_acked"].get<uint64_t>() >= 1 &&
               s["last_nack"].get<std::string>().find("outside-area") != std::string::npos;
      },
      30s))
      << net.NodeStatus(*heerlen).dump();
  auto status = net.NodeStatus(*heerlen);
  EXPECT_NE(status["last_nack"].get<std::string>().find("municipality GM0983 lies outside this broker's region parkstad"),
            std::string::npos)
      << status.dump();
  EXPECT_GE(Counter(net, "nack.outside-area"), 1u);
  r = net.BrokerCli({"principals", "--json"});
  for (const auto& p : r.Json()) {
    if (p["id"] == "helpdesk-heerlen") {
      EXPECT_EQ(p["latest_period"], heerlen_week) << p.dump();
    }
  }

  // Nobody is served outside parkstad: not noord-limburg, not a region wider than the area.
  for (const std::string region : {"noord-limburg", "limburg", "GM0983"}) {
    std::string key = dir.path() + "/council-" + region + ".key";
    auto gen = net.Cli({"keys", "generate", "--out", key, "--json"});
    ASSERT_EQ(gen.exit_code, 0) << gen.err;
    r = net.BrokerCli({"enroll-subscriber", "--name", "Adviesraad " + region, "--regions", region, "--public-key",
                       gen.Json()["public_key"].get<std::string>()});
    EXPECT_EQ(r.exit_code, 4) << region << ": " << r.err;
    EXPECT_NE(r.err.find("--regions: region '" + region + "' does not lie inside this broker's region parkstad"),
              std::string::npos)
        << r.err;
    r = net.BrokerCli({"themes", "--region", region});
    EXPECT_EQ(r.exit_code, 4) << region << ": " << r.err;
    r = net.BrokerCli({"digest", "publish", "--period", heerlen_week, "--region", region});
    EXPECT_EQ(r.exit_code, 4) << region << ": " << r.err;
  }
  EXPECT_EQ(net.BrokerCli({"themes", "--region", "GM0917"}).exit_code, 0);
  EXPECT_FALSE(net.AddSubscriber("Adviesraad Heerlen", "GM0917,parkstad").empty());

  // Nor does it schedule digests for a region outside its own.
  std::ifstream in(net.broker_config());
  std::stringstream text;
  text << in.rdbuf();
  std::string config = text.str();
  for (const auto& [from, to] : {std::pair<std::string, std::string>{"weekly = \"\"", "weekly = \"monday 07:00\""},
                                 {"regions = \"\"", "regions = \"parkstad,noord-limburg\""}}) {
    auto at = config.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    config.replace(at, from.size(), to);
  }
  std::string variant = dir.path() + "/scheduled.toml";
  std::ofstream(variant) << config;
  r = RunCommand({BrokerBinary(), "run", "--config", variant, "--check"});
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find(variant + ": key 'schedule.regions': region 'noord-limburg' does not lie inside this broker's "
                                 "region parkstad"),
            std::string::npos)
      << r.err;
}

TEST(HostilePeer, FailedHandshakesDoNotFloodTheLog) {
  TempDir dir;
  Network net(dir);
  ASSERT_TRUE(net.StartBroker());
  // Strangers without an enrolled key, 50 new connections at a time: each
  // handshake is refused (libzmq gives up on a refused one), so a stranger
  // floods by connecting again and again.
  zmq::context_t ctx(1);
  const uint64_t kFlood = 1000;
  auto deadline = std::chrono::steady_clock::now() + 60s;
  while (Counter(net, "handshake.refused") < kFlood && std::chrono::steady_clock::now() < deadline) {
    std::vector<std::unique_ptr<zmq::socket_t>> strangers;
    for (int i = 0; i < 50; ++i) {
      auto s = std::make_unique<zmq::socket_t>(ctx, zmq::socket_type::dealer);
      MakeCurveClient(*s, GenerateCurveKeyPair(), net.broker_key());
      s->set(zmq::sockopt::linger, 0);
      s->connect(net.listen());
      strangers.push_back(std::move(s));
    }
    std::this_thread::sleep_for(100ms);
  }
  uint64_t refused = Counter(net, "handshake.refused");
  ASSERT_GE(refused, kFlood);
  uint64_t unlogged = Counter(net, "handshake.refused_unlogged");
  net.broker().Stop();
  std::string log = net.broker().ReadLog();
  size_t lines = LinesContaining(log, "handshake");
  std::cout << refused << " refused handshakes, " << lines << " log lines about them, log " << log.size()
            << " bytes\n";
  // Within the minute: one line for the first, one summary line when the broker stops.
  EXPECT_EQ(LinesContaining(log, "refused a handshake from 127.0.0.1"), 1u) << log.substr(0, 2000);
  EXPECT_EQ(lines, 2u) << log.substr(0, 2000);
  EXPECT_EQ(LinesContaining(log, "failed handshakes from 127.0.0.1 in the last"), 1u) << log.substr(0, 2000);
  EXPECT_GE(unlogged + 1, refused) << "counted, as the metric says";
  EXPECT_LT(log.size(), 4096u);
}

}  // namespace
}  // namespace signaal::test
