// The broker as a real process on loopback, spoken to at the protocol level:
// the test plays nodes, strangers and attackers with real CURVE keys and real
// signed protobuf, and the administrator through the control port.
//
// Covers: an unenrolled key is refused (ZAP fails closed); a revoked node is
// refused on its already-open connection; duplicates and older versions never
// double-count; random bytes and oversized messages leave the broker serving;
// a restarted broker keeps its aggregates.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <random>
#include <thread>

#include "process.h"
#include "signaal.pb.h"
#include "signaal/keys.h"
#include "signaal/period.h"
#include "signaal/zmq_util.h"

namespace signaal::test {
namespace {

using namespace std::chrono_literals;

// A node as the broker sees it: keys, an open DEALER, signed snapshots.
class FakeNode {
 public:
  FakeNode(zmq::context_t& ctx, std::string id, const std::string& endpoint, const std::string& broker_key)
      : id_(std::move(id)), socket_(ctx, zmq::socket_type::dealer) {
    keys_.curve = GenerateCurveKeyPair();
    keys_.signing = GenerateSigningKeyPair();
    MakeCurveClient(socket_, keys_.curve, broker_key);
    socket_.set(zmq::sockopt::linger, 0);
    watch_ = std::make_unique<HandshakeWatch>(ctx, socket_, id_);
    endpoint_ = endpoint;
  }

  // Connects once enrolled: libzmq does not reconnect after a refused handshake.
  void Connect() { socket_.connect(endpoint_); }

  wire::EnrolmentRequest Enrolment() const {
    wire::EnrolmentRequest r;
    r.set_node_id(id_);
    r.set_name(id_);
    r.set_type("helpdesk");
    r.set_municipality("GM0917");
    r.set_curve_public_key(keys_.curve.public_key);
    r.set_sign_public_key(keys_.signing.public_hex);
    return r;
  }

  wire::SummarySnapshot Snapshot(const std::string& period, uint64_t version, uint32_t signals) const {
    wire::SummarySnapshot s;
    s.set_node_id(id_);
    s.set_period(period);
    s.set_version(version);
    s.set_taxonomy_version("2026.1");
    auto* c = s.add_cells();
    c->set_municipality("GM0917");
    c->set_theme("schulden");
    c->set_subtheme("schulden.schuldhulpverlening");
    c->set_signals(signals);
    c->set_persons(signals);
    return s;
  }

  void SendRaw(const std::string& bytes) { socket_.send(zmq::buffer(bytes), zmq::send_flags::none); }

  void Send(const wire::SummarySnapshot& s, const SigningKeyPair* signer = nullptr) {
    const SigningKeyPair& k = signer ? *signer : keys_.signing;
    wire::ClientMessage m;
    m.set_schema(1);
    auto* env = m.mutable_snapshot();
    env->set_payload(s.SerializeAsString());
    env->set_signature(*Sign(k, env->payload()));
    env->set_key_id(KeyId(k.public_hex));
    SendRaw(m.SerializeAsString());
  }

  // The next answer, or nullopt after `timeout`. Notes a refused handshake.
  std::optional<wire::BrokerMessage> Receive(std::chrono::milliseconds timeout = 5000ms) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      zmq::pollitem_t items[] = {{socket_.handle(), 0, ZMQ_POLLIN, 0},
                                 {watch_->socket().handle(), 0, ZMQ_POLLIN, 0}};
      zmq::poll(items, 2, 100ms);
      if (items[1].revents & ZMQ_POLLIN) refused_ = refused_ || watch_->Drain().refused;
      if (items[0].revents & ZMQ_POLLIN) {
        zmq::message_t msg;
        (void)socket_.recv(msg);
        wire::BrokerMessage m;
        if (m.ParseFromArray(msg.data(), static_cast<int>(msg.size()))) return m;
      }
    }
    return std::nullopt;
  }

  bool refused() const { return refused_; }
  const KeyFile& keys() const { return keys_; }

 private:
  std::string id_;
  std::string endpoint_;
  KeyFile keys_;
  zmq::socket_t socket_;
  std::unique_ptr<HandshakeWatch> watch_;
  bool refused_ = false;
};

class BrokerProtocol : public ::testing::Test {
 protected:
  void SetUp() override {
    listen_ = "tcp://127.0.0.1:" + std::to_string(FreePort());
    control_ = "tcp://127.0.0.1:" + std::to_string(FreePort());
    auto init = RunCommand({BrokerBinary(), "init", "--dir", dir_.path() + "/broker", "--listen", listen_,
                            "--control", control_, "--json"});
    ASSERT_EQ(init.exit_code, 0) << init.err;
    auto j = nlohmann::json::parse(init.out);
    config_ = j["config"];
    broker_key_ = j["public_key"];
    admin_ = *ReadKeyFile(j["admin_key"].get<std::string>());
    broker_ = std::make_unique<Daemon>(std::vector<std::string>{BrokerBinary(), "run", "--config", config_},
                                       dir_.path() + "/broker.log");
    ASSERT_TRUE(broker_->WaitForLog("signaal-broker ready", 20s)) << broker_->ReadLog();
    week_ = IsoWeekOf(Today());
  }

  Result<wire::ControlResponse> Control(const wire::ControlRequest& req) {
    return Call<wire::ControlResponse>(control_, &admin_.curve, broker_key_, req, 5000ms);
  }

  void Enrol(const FakeNode& node) {
    wire::ControlRequest req;
    req.set_schema(1);
    *req.mutable_enroll_node() = node.Enrolment();
    auto r = Control(req);
    ASSERT_TRUE(r.ok()) << r.status().message();
    ASSERT_TRUE(r->ok()) << r->error();
  }

  // Enrols `node` and connects it.
  void Join(FakeNode& node) {
    Enrol(node);
    node.Connect();
  }

  // Signals the broker shows for schulden in GM0917 this week (k = 5 applies).
  int64_t ShownSignals() {
    wire::ControlRequest req;
    req.set_schema(1);
    req.mutable_themes()->set_region("GM0917");
    req.mutable_themes()->set_weeks(1);
    auto r = Control(req);
    if (!r.ok() || !r->ok()) return -1;
    for (const auto& row : r->themes().rows()) {
      if (row.theme() == "schulden") return row.suppressed() ? -2 : row.signals();
    }
    return 0;
  }

  std::map<std::string, uint64_t> Counters() {
    wire::ControlRequest req;
    req.set_schema(1);
    req.mutable_status();
    auto r = Control(req);
    std::map<std::string, uint64_t> out;
    if (r.ok()) out.insert(r->status().counters().begin(), r->status().counters().end());
    return out;
  }

  TempDir dir_;
  std::string listen_, control_, config_, broker_key_, week_;
  KeyFile admin_;
  std::unique_ptr<Daemon> broker_;
  zmq::context_t ctx_{1};
};

TEST_F(BrokerProtocol, UnenrolledKeyIsRefusedAtTheHandshake) {
  FakeNode stranger(ctx_, "stranger", listen_, broker_key_);
  stranger.Connect();
  stranger.Send(stranger.Snapshot(week_, 1, 9));
  auto answer = stranger.Receive(3000ms);
  EXPECT_FALSE(answer.has_value()) << "an unenrolled key got an answer: the ZAP handler failed open";
  EXPECT_TRUE(stranger.refused()) << "the client saw no HANDSHAKE_FAILED_AUTH";
  EXPECT_GE(Counters()["handshake.refused"], 1u);
  EXPECT_EQ(ShownSignals(), 0);

  // The administrator port refuses a node-less stranger too, and an admin key on the public port.
  KeyFile other;
  other.curve = GenerateCurveKeyPair();
  wire::ControlRequest req;
  req.set_schema(1);
  req.mutable_status();
  auto r = Call<wire::ControlResponse>(control_, &other.curve, broker_key_, req, 3000ms);
  EXPECT_EQ(r.status().code(), Code::kRefused) << r.status().message();
}

TEST_F(BrokerProtocol, RevocationTakesEffectOnTheOpenConnection) {
  FakeNode node(ctx_, "helpdesk", listen_, broker_key_);
  Join(node);
  node.Send(node.Snapshot(week_, 1, 7));
  auto ack = node.Receive();
  ASSERT_TRUE(ack && ack->has_ack()) << (ack ? ack->DebugString() : "no answer");
  EXPECT_EQ(ShownSignals(), 7);

  wire::ControlRequest revoke;
  revoke.set_schema(1);
  revoke.mutable_revoke()->set_id("helpdesk");
  auto r = Control(revoke);
  ASSERT_TRUE(r.ok() && r->ok());

  // Same socket, same connection: the next snapshot is refused and not stored.
  node.Send(node.Snapshot(week_, 2, 30));
  auto nack = node.Receive();
  ASSERT_TRUE(nack && nack->has_nack()) << (nack ? nack->DebugString() : "no answer");
  EXPECT_EQ(nack->nack().reason(), "revoked");
  EXPECT_EQ(ShownSignals(), 7);
}

TEST_F(BrokerProtocol, DuplicatesAndOlderVersionsNeverDoubleCount) {
  FakeNode node(ctx_, "clientenraad", listen_, broker_key_);
  Join(node);
  node.Send(node.Snapshot(week_, 5, 8));
  ASSERT_TRUE(node.Receive()->has_ack());
  node.Send(node.Snapshot(week_, 5, 8));  // a retry of the same version
  auto again = node.Receive();
  ASSERT_TRUE(again && again->has_ack());
  node.Send(node.Snapshot(week_, 3, 50));  // a replayed older version
  auto stale = node.Receive();
  ASSERT_TRUE(stale && stale->has_nack());
  EXPECT_EQ(stale->nack().reason(), "stale-version");
  EXPECT_EQ(ShownSignals(), 8);

  node.Send(node.Snapshot(week_, 6, 11));  // a correction replaces, never adds
  ASSERT_TRUE(node.Receive()->has_ack());
  EXPECT_EQ(ShownSignals(), 11);

  // Signed by a key that is not this node's: refused, nothing stored.
  auto other = GenerateSigningKeyPair();
  node.Send(node.Snapshot(week_, 7, 40), &other);
  auto bad = node.Receive();
  ASSERT_TRUE(bad && bad->has_nack());
  EXPECT_EQ(bad->nack().reason(), "unknown-signing-key");
  EXPECT_EQ(ShownSignals(), 11);

  // Restart: the aggregate is unchanged.
  broker_->Stop();
  broker_->Start();
  ASSERT_TRUE(broker_->WaitForLog("signaal-broker ready", 20s));
  EXPECT_EQ(ShownSignals(), 11);
}

TEST_F(BrokerProtocol, HostileBytesLeaveTheBrokerServing) {
  // Random bytes straight onto the TCP port: not even a ZMTP greeting.
  std::mt19937_64 rng(42);
  int port = std::stoi(listen_.substr(listen_.rfind(':') + 1));
  for (int i = 0; i < 20; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    std::string junk(1 + rng() % 4096, '\0');
    for (auto& c : junk) c = static_cast<char>(rng());
    (void)::send(fd, junk.data(), junk.size(), MSG_NOSIGNAL);
    ::close(fd);
  }

  // An enrolled node sending garbage, wrong schemas and an oversized message.
  FakeNode node(ctx_, "zelfhulp", listen_, broker_key_);
  Join(node);
  node.SendRaw("\x08\x01\x12\xff\xff\xff not protobuf");
  auto malformed = node.Receive();
  ASSERT_TRUE(malformed && malformed->has_nack());
  EXPECT_EQ(malformed->nack().reason(), "malformed");

  wire::ClientMessage future;
  future.set_schema(99);
  future.mutable_heartbeat();
  node.SendRaw(future.SerializeAsString());
  auto schema = node.Receive();
  ASSERT_TRUE(schema && schema->has_nack());
  EXPECT_EQ(schema->nack().reason(), "schema");

  node.SendRaw(std::string(static_cast<size_t>(kMaxWireMessage) + 1024, 'x'));
  EXPECT_FALSE(node.Receive(1500ms).has_value());

  // The broker still answers its administrator and other nodes.
  ASSERT_TRUE(broker_->Running());
  auto status = Counters();
  EXPECT_GE(status["nack.malformed"], 1u);
  FakeNode healthy(ctx_, "healthy", listen_, broker_key_);
  Join(healthy);
  healthy.Send(healthy.Snapshot(week_, 1, 6));
  auto ack = healthy.Receive();
  ASSERT_TRUE(ack && ack->has_ack());
}

}  // namespace
}  // namespace signaal::test
