// The broker as a real process on loopback, spoken to at the protocol level:
// the test plays nodes, strangers and attackers with real CURVE keys and real
// signed protobuf, and the administrator through the control port.
//
// Covers: an unenrolled key is refused (ZAP fails closed); a revoked node is
// refused on its already-open connection; duplicates and older versions never
// double-count; random bytes and oversized messages leave the broker serving;
// a burst drained into one group commit is answered as one by one;
// every kind of bad message on the public and control ports is refused with a
// reason and counted; a subscriber that never reads does not stall anyone; a
// restarted broker keeps its aggregates.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <functional>
#include <iostream>
#include <optional>
#include <random>
#include <thread>

#include "process.h"
#include "broker_control.pb.h"
#include "wire.pb.h"
#include "signaal/config.h"
#include "signaal/keys.h"
#include "signaal/reference_data.h"
#include "signaal/ptable.h"
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
    // A refused handshake removes the DEALER's only pipe, and a blocking send
    // with no pipe waits forever: a send that cannot go gives up instead.
    socket_.set(zmq::sockopt::sndtimeo, 2000);
    watch_ = std::make_unique<HandshakeWatch>(ctx, socket_, id_);
    endpoint_ = endpoint;
  }

  // Connects once enrolled: libzmq does not reconnect after a refused handshake.
  void Connect() { socket_.connect(endpoint_); }
  // Before Connect(): a peer that barely reads, with the smallest buffers.
  void ShrinkReceiveQueue() {
    socket_.set(zmq::sockopt::rcvhwm, 1);
    socket_.set(zmq::sockopt::rcvbuf, 4096);
  }

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
    c->set_key_sum(KeyOf(signals));
    return s;
  }
  // The key sum a cell of `signals` carries: fixed by the count here, so the
  // test can say what the broker publishes for it.
  static uint32_t KeyOf(uint32_t signals) { return signals * 0x9e3779b9u + 0x7f4a7c15u; }

  void SendRaw(const std::string& bytes) { socket_.send(zmq::buffer(bytes), zmq::send_flags::none); }
  void SendFrames(const std::vector<std::string>& frames) {
    for (size_t i = 0; i < frames.size(); ++i) {
      socket_.send(zmq::buffer(frames[i]), i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
    }
  }

  // A snapshot in its signed envelope, as a ClientMessage's bytes.
  std::string Signed(const wire::SummarySnapshot& s, const SigningKeyPair* signer = nullptr) const {
    const SigningKeyPair& k = signer ? *signer : keys_.signing;
    wire::ClientMessage m;
    m.set_schema(2);
    auto* env = m.mutable_snapshot();
    env->set_payload(s.SerializeAsString());
    env->set_signature(*Sign(k, env->payload()));
    env->set_key_id(KeyId(k.public_hex));
    return m.SerializeAsString();
  }
  void Send(const wire::SummarySnapshot& s, const SigningKeyPair* signer = nullptr) { SendRaw(Signed(s, signer)); }

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

  // What the broker shows for one cell of `signals` from FakeNode::Snapshot
  // (the contract of docs/PRIVACY.md with broker.toml's defaults: k = 5, D
  // and V): the perturbed count; -2 for the mark; 0 when not listed.
  static int64_t Published(uint32_t signals) { return Published(signals, FakeNode::KeyOf(signals)); }
  // The same for a cell of several snapshots: `key` is their key sums' sum.
  static int64_t Published(uint32_t signals, uint32_t key) {
    static const PTable table = *PTable::Make(kDefaultMaxDeviation, kDefaultVariance);
    const uint64_t s = table.Perturb(signals, key);
    if (s == 0) return 0;
    const uint64_t p = std::clamp<uint64_t>(table.Perturb(signals, DerivedKey(key, 1)), 1, s);
    return s < 5 || p < 5 ? -2 : static_cast<int64_t>(s);
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
  EXPECT_EQ(ShownSignals(), Published(7));

  wire::ControlRequest revoke;
  revoke.set_schema(1);
  revoke.mutable_revoke()->set_id("helpdesk");
  auto r = Control(revoke);
  ASSERT_TRUE(r.ok() && r->ok());

  // Same socket, same connection: the next snapshot is refused and not stored,
  // and the refusal is there within a second of the revocation.
  node.Send(node.Snapshot(week_, 2, 30));
  auto nack = node.Receive(1000ms);
  ASSERT_TRUE(nack && nack->has_nack()) << (nack ? nack->DebugString() : "no answer");
  EXPECT_EQ(nack->nack().reason(), "revoked");
  EXPECT_EQ(ShownSignals(), Published(7));
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
  EXPECT_EQ(ShownSignals(), Published(8));

  node.Send(node.Snapshot(week_, 6, 11));  // a correction replaces, never adds
  ASSERT_TRUE(node.Receive()->has_ack());
  EXPECT_EQ(ShownSignals(), Published(11));

  // Signed by a key that is not this node's: refused, nothing stored.
  auto other = GenerateSigningKeyPair();
  node.Send(node.Snapshot(week_, 7, 40), &other);
  auto bad = node.Receive();
  ASSERT_TRUE(bad && bad->has_nack());
  EXPECT_EQ(bad->nack().reason(), "unknown-signing-key");
  EXPECT_EQ(ShownSignals(), Published(11));

  // Restart: the aggregate is unchanged.
  broker_->Stop();
  broker_->Start();
  ASSERT_TRUE(broker_->WaitForLog("signaal-broker ready", 20s));
  EXPECT_EQ(ShownSignals(), Published(11));
}

TEST_F(BrokerProtocol, ABurstIsAnsweredAsIfEachSnapshotCameAlone) {
  // Sent without waiting, so the broker drains them together into one group
  // commit: two versions of one week, a retry, replays, and a heartbeat.
  FakeNode node(ctx_, "spreekuur", listen_, broker_key_);
  Join(node);
  std::string last_week = AddWeeks(week_, -1);
  auto changed = node.Snapshot(week_, 6, 77);  // version 6 again, other cells
  std::vector<std::string> burst = {node.Signed(node.Snapshot(week_, 5, 8)), node.Signed(node.Snapshot(week_, 5, 8)),
                                    node.Signed(node.Snapshot(week_, 3, 50)), node.Signed(node.Snapshot(week_, 6, 11)),
                                    node.Signed(changed), node.Signed(node.Snapshot(last_week, 2, 4))};
  wire::ClientMessage hb;
  hb.set_schema(1);
  hb.mutable_heartbeat();
  burst.push_back(hb.SerializeAsString());
  for (const auto& m : burst) node.SendRaw(m);
  std::vector<wire::BrokerMessage> answers;
  while (answers.size() < burst.size()) {
    auto a = node.Receive();
    ASSERT_TRUE(a) << "answer " << answers.size() << " missing";
    answers.push_back(*a);
  }
  auto acked = [&](size_t i, uint64_t version) {
    return answers[i].has_ack() && answers[i].ack().version() == version;
  };
  EXPECT_TRUE(acked(0, 5) && acked(1, 5) && acked(3, 6) && acked(5, 2));
  for (size_t i : {2, 4}) {
    ASSERT_TRUE(answers[i].has_nack()) << answers[i].DebugString();
    EXPECT_EQ(answers[i].nack().reason(), "stale-version");
  }
  EXPECT_EQ(answers[2].nack().stored_version(), 5u);
  EXPECT_EQ(answers[4].nack().stored_version(), 6u);
  ASSERT_TRUE(answers[6].has_heartbeat_ack());
  EXPECT_EQ(answers[6].heartbeat_ack().newest_version(), 6u) << "the heartbeat was answered before the batch's write";
  EXPECT_EQ(ShownSignals(), Published(11));
  auto counters = Counters();
  EXPECT_EQ(counters["snapshots.stored"], 3u);
  EXPECT_EQ(counters["snapshots.duplicate"], 1u);
  EXPECT_EQ(counters["nack.stale-version"], 2u);
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

  // Over ZMQ_MAXMSGSIZE: libzmq drops the connection before the broker sees
  // a byte of it; the node reconnects and is served again.
  FakeNode node(ctx_, "zelfhulp", listen_, broker_key_);
  Join(node);
  node.SendRaw(std::string(static_cast<size_t>(kMaxWireMessage) + 1024, 'x'));
  EXPECT_FALSE(node.Receive(1500ms).has_value());
  node.Send(node.Snapshot(week_, 1, 6));
  auto reconnected = node.Receive(10000ms);
  ASSERT_TRUE(reconnected && reconnected->has_ack()) << "the node was not served after an oversized message";
  ASSERT_TRUE(broker_->Running());
}

// Every kind of bad message an enrolled peer can send on the public port:
// each gets a Nack with its reason, is counted under nack.<reason>, stores
// nothing, and the broker goes on serving a well-behaved neighbour.
TEST_F(BrokerProtocol, EveryKindOfBadMessageIsRefusedCountedAndNotStored) {
  FakeNode node(ctx_, "helpdesk", listen_, broker_key_);
  FakeNode neighbour(ctx_, "neighbour", listen_, broker_key_);
  Join(node);
  Join(neighbour);
  FakeNode subscriber(ctx_, "raad", listen_, broker_key_);
  {
    wire::ControlRequest req;
    req.set_schema(1);
    auto* e = req.mutable_enroll_subscriber();
    e->set_name("raad");
    e->add_regions("limburg");
    e->set_curve_public_key(subscriber.keys().curve.public_key);
    auto r = Control(req);
    ASSERT_TRUE(r.ok() && r->ok());
    subscriber.Connect();
  }
  node.Send(node.Snapshot(week_, 5, 8));
  ASSERT_TRUE(node.Receive()->has_ack());
  ASSERT_EQ(ShownSignals(), Published(8));

  auto with = [&](const std::function<void(wire::SummarySnapshot&)>& change) {
    auto s = node.Snapshot(week_, 9, 40);
    change(s);
    return node.Signed(s);
  };
  auto envelope = [&](const std::function<void(wire::SignedEnvelope&)>& change) {
    wire::ClientMessage m;
    m.ParseFromString(node.Signed(node.Snapshot(week_, 9, 40)));
    change(*m.mutable_snapshot());
    return m.SerializeAsString();
  };
  std::mt19937_64 rng(7);
  auto random_bytes = [&](size_t n) {
    std::string b(n, '\0');
    for (auto& c : b) c = static_cast<char>(rng());
    return b;
  };
  std::string valid = node.Signed(node.Snapshot(week_, 9, 40));
  wire::ClientMessage future_schema;
  future_schema.ParseFromString(valid);
  future_schema.set_schema(3);
  // A node from before the cell-key method: a schema-1 snapshot.
  wire::ClientMessage old_schema;
  old_schema.ParseFromString(valid);
  old_schema.set_schema(1);
  auto no_key_sum = node.Snapshot(week_, 9, 40);
  no_key_sum.mutable_cells(0)->clear_key_sum();
  // A node may subscribe to the digests its signals fed (issue 18), but not
  // have one built on demand.
  wire::ClientMessage digest_request;
  digest_request.set_schema(1);
  digest_request.mutable_digest_request()->set_period(week_);
  auto neighbour_snapshot = neighbour.Snapshot(week_, 9, 40);
  auto other_key = GenerateSigningKeyPair();

  struct Case {
    std::string what;
    std::vector<std::string> frames;
    std::string reason;
    FakeNode* from;
  };
  std::vector<Case> cases = {
      {"random bytes", {"\x08\x01\x12\xff\xff\xff not protobuf"}, "malformed", &node},
      {"random bytes (long)", {random_bytes(3000)}, "malformed", &node},
      {"a truncated message", {valid.substr(0, valid.size() / 2)}, "malformed", &node},
      {"extra frames", {valid, "and more"}, "malformed", &node},
      {"no body", {"\x08\x01"}, "malformed", &node},
      {"an unknown schema version", {future_schema.SerializeAsString()}, "schema", &node},
      {"a snapshot of schema 1", {old_schema.SerializeAsString()}, "schema", &node},
      {"a cell without a key sum", {node.Signed(no_key_sum)}, "schema", &node},
      {"a snapshot from a subscriber", {subscriber.Signed(subscriber.Snapshot(week_, 1, 40))}, "forbidden", &subscriber},
      {"a digest request from a node", {digest_request.SerializeAsString()}, "forbidden", &node},
      {"no signature", {envelope([](auto& e) { e.clear_signature(); })}, "bad-signature", &node},
      {"a broken signature", {envelope([](auto& e) { e.mutable_signature()->at(5) ^= 1; })}, "bad-signature", &node},
      {"a tampered payload", {envelope([](auto& e) { e.mutable_payload()->back() ^= 1; })}, "bad-signature", &node},
      {"another node's key", {node.Signed(neighbour_snapshot, &neighbour.keys().signing)}, "unknown-signing-key", &node},
      {"an unknown key", {node.Signed(node.Snapshot(week_, 9, 40), &other_key)}, "unknown-signing-key", &node},
      {"another node's name", {node.Signed(neighbour_snapshot)}, "wrong-node", &node},
      {"a payload that is not a snapshot", {envelope([&](auto& e) {
         e.set_payload("\xff\xff\xff");
         e.set_signature(*Sign(node.keys().signing, e.payload()));
       })}, "invalid-snapshot", &node},
      {"version 0", {with([](auto& s) { s.set_version(0); })}, "invalid-snapshot", &node},
      {"a period in the future", {with([&](auto& s) { s.set_period(AddWeeks(week_, 3)); })}, "invalid-period", &node},
      {"a period before any retention", {with([](auto& s) { s.set_period("2011-W05"); })}, "invalid-period", &node},
      {"week 60", {with([](auto& s) { s.set_period("2026-W60"); })}, "invalid-period", &node},
      {"another taxonomy", {with([](auto& s) { s.set_taxonomy_version("1999.1"); })}, "taxonomy-version", &node},
      {"an unknown theme", {with([](auto& s) { s.mutable_cells(0)->set_theme("astrologie"); })}, "unknown-code", &node},
      {"an unknown subtheme", {with([](auto& s) { s.mutable_cells(0)->set_subtheme("werk.astrologie"); })}, "unknown-code", &node},
      {"an unknown municipality", {with([](auto& s) { s.mutable_cells(0)->set_municipality("GM9999"); })}, "unknown-code", &node},
      {"an unknown age band", {with([](auto& s) { s.mutable_cells(0)->set_age_band("120+"); })}, "unknown-code", &node},
      {"a negative count", {with([](auto& s) { s.mutable_cells(0)->set_signals(static_cast<uint32_t>(-3)); })}, "invalid-count", &node},
      {"an overflowing count", {with([](auto& s) { s.mutable_cells(0)->set_signals(4'000'000'000u); })}, "invalid-count", &node},
      {"more persons than signals", {with([](auto& s) { s.mutable_cells(0)->set_persons(41); })}, "invalid-count", &node},
      {"zero signals", {with([](auto& s) { s.mutable_cells(0)->set_signals(0); })}, "invalid-count", &node},
      {"the same cell twice", {with([](auto& s) { *s.add_cells() = s.cells(0); })}, "invalid-snapshot", &node},
      // Each cell within its limit, together over the snapshot's ceiling (issue 15, finding 6).
      {"cells that add up past the ceiling", {with([](auto& s) {
         s.mutable_cells(0)->set_age_band("");
         s.mutable_cells(0)->set_channel("");
         s.mutable_cells(0)->set_signals(1'000'000);
         s.mutable_cells(0)->set_persons(1);
         for (const auto& age : ReferenceData::AgeBands()) {
           for (const auto& channel : ReferenceData::Channels()) {
             auto* c = s.add_cells();
             *c = s.cells(0);
             c->set_age_band(age);
             c->set_channel(channel);
           }
         }
       })}, "invalid-total", &node},
      {"a replayed older version", {node.Signed(node.Snapshot(week_, 3, 40))}, "stale-version", &node},
  };
  std::map<std::string, uint64_t> expected;
  for (const auto& c : cases) {
    c.from->SendFrames(c.frames);
    auto answer = c.from->Receive();
    ASSERT_TRUE(answer.has_value()) << c.what << ": no answer";
    ASSERT_TRUE(answer->has_nack()) << c.what << ": " << answer->DebugString();
    EXPECT_EQ(answer->nack().reason(), c.reason) << c.what << ": " << answer->nack().detail();
    EXPECT_FALSE(answer->nack().detail().empty()) << c.what;
    expected["nack." + c.reason]++;
  }
  expected["malformed.frames"] = 1;
  EXPECT_EQ(ShownSignals(), Published(8)) << "a refused snapshot changed the aggregate";
  auto counters = Counters();
  for (const auto& [name, n] : expected) EXPECT_EQ(counters[name], n) << name;
  std::cout << "hostile input on the listen port: " << cases.size() << " kinds refused with a Nack\n";

  // The neighbour was never held up, and the node itself is still served.
  neighbour.Send(neighbour.Snapshot(week_, 1, 6));
  auto ack = neighbour.Receive();
  ASSERT_TRUE(ack && ack->has_ack());
  node.Send(node.Snapshot(week_, 10, 9));
  ASSERT_TRUE(node.Receive()->has_ack());
  EXPECT_EQ(ShownSignals(), Published(15, FakeNode::KeyOf(9) + FakeNode::KeyOf(6)));
}

// The administrator's port: malformed requests get an error answer and a
// counter; other roles' keys never get past the handshake.
TEST_F(BrokerProtocol, ControlPortRefusesMalformedRequests) {
  zmq::socket_t admin(ctx_, zmq::socket_type::dealer);
  MakeCurveClient(admin, admin_.curve, broker_key_);
  admin.set(zmq::sockopt::linger, 0);
  admin.set(zmq::sockopt::sndtimeo, 5000);  // never a hang if the connection goes
  admin.connect(control_);
  auto ask = [&](const std::vector<std::string>& frames) -> std::optional<wire::ControlResponse> {
    for (size_t i = 0; i < frames.size(); ++i) {
      admin.send(zmq::buffer(frames[i]), i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
    }
    zmq::pollitem_t items[] = {{admin.handle(), 0, ZMQ_POLLIN, 0}};
    if (zmq::poll(items, 1, 5000ms) <= 0) return std::nullopt;
    zmq::message_t msg;
    (void)admin.recv(msg);
    wire::ControlResponse r;
    if (!r.ParseFromArray(msg.data(), static_cast<int>(msg.size()))) return std::nullopt;
    return r;
  };
  wire::ControlRequest future;
  future.set_schema(7);
  future.mutable_status();
  wire::ControlRequest empty;
  empty.set_schema(1);
  std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
      {"random bytes", {"\xff\xfe\x01 not a request"}},
      {"extra frames", {future.SerializeAsString(), "more"}},
      {"an unknown schema version", {future.SerializeAsString()}},
      {"no operation", {empty.SerializeAsString()}},
  };
  for (const auto& [what, frames] : cases) {
    auto r = ask(frames);
    ASSERT_TRUE(r.has_value()) << what << ": no answer";
    EXPECT_FALSE(r->ok()) << what;
    EXPECT_FALSE(r->error().empty()) << what;
  }
  auto counters = Counters();
  EXPECT_EQ(counters["control.malformed"], 2u);
  EXPECT_EQ(counters["control.schema"], 1u);

  // A node's key, even an enrolled one, is no administrator.
  FakeNode node(ctx_, "helpdesk", listen_, broker_key_);
  Enrol(node);
  wire::ControlRequest status;
  status.set_schema(1);
  status.mutable_status();
  auto refused = Call<wire::ControlResponse>(control_, &node.keys().curve, broker_key_, status, 3000ms);
  EXPECT_EQ(refused.status().code(), Code::kRefused) << refused.status().message();
  std::cout << "hostile input on the control port: " << cases.size() + 1 << " kinds refused\n";
  EXPECT_TRUE(Control(status).ok());
}

// Digests and risk reports are made on the broker's worker thread: while
// the worker is busy, the same loop goes on acking snapshots and answering
// the control port. The status view's `digests_building` says when the
// worker has work, so no timing is assumed: every answer counted below came
// while it was busy.
TEST_F(BrokerProtocol, SnapshotsAreAckedWhileDigestsAreBuilt) {
  FakeNode node(ctx_, "helpdesk", listen_, broker_key_);
  Join(node);
  // Thirteen weeks of small cells in two municipalities of Parkstad, so the
  // digests' weekly series hold many cells below k for the risk report to
  // attack.
  const std::vector<std::string> municipalities = {"GM0917", "GM0928"};
  const std::vector<std::string> subthemes = {"schulden.schuldhulpverlening", "schulden.budgetbeheer",
                                              "werk.reintegratie", "wmo.begeleiding", "jeugd.jeugdhulp"};
  std::mt19937 rng(7);
  for (int w = 0; w < 13; ++w) {
    wire::SummarySnapshot s = node.Snapshot(AddWeeks(week_, -w), 1, 6);
    s.clear_cells();
    for (const auto& m : municipalities) {
      for (const auto& sub : subthemes) {
        auto* c = s.add_cells();
        c->set_municipality(m);
        c->set_theme(sub.substr(0, sub.find('.')));
        c->set_subtheme(sub);
        c->set_signals(1 + rng() % 2);
        c->set_persons(c->signals());
        c->set_key_sum(static_cast<uint32_t>(rng()));
      }
    }
    node.Send(s);
    auto ack = node.Receive();
    ASSERT_TRUE(ack && ack->has_ack()) << (ack ? ack->DebugString() : "no answer");
  }

  // Digests build in milliseconds now; the worker's long job is the risk
  // report, integer programmes over every number released for a period.
  // Two digests are published, then the report is asked for and not waited
  // for, on one administrator connection.
  zmq::socket_t admin(ctx_, zmq::socket_type::dealer);
  MakeCurveClient(admin, admin_.curve, broker_key_);
  admin.set(zmq::sockopt::linger, 0);
  admin.set(zmq::sockopt::sndtimeo, 5000);
  admin.connect(control_);
  auto answer = [&](std::chrono::milliseconds timeout) -> std::optional<wire::ControlResponse> {
    zmq::pollitem_t item{admin.handle(), 0, ZMQ_POLLIN, 0};
    if (zmq::poll(&item, 1, timeout) != 1) return std::nullopt;
    zmq::message_t msg;
    wire::ControlResponse r;
    if (!admin.recv(msg) || !r.ParseFromArray(msg.data(), static_cast<int>(msg.size()))) return std::nullopt;
    return r;
  };
  const std::string quarter = AddWeeks(week_, -12) + ".." + week_;
  const int publishes = 2;
  for (int i = 0; i < publishes; ++i) {
    wire::ControlRequest req;
    req.set_schema(1);
    req.mutable_publish_digest()->set_region(i % 2 ? "zuid-limburg" : "parkstad");
    req.mutable_publish_digest()->set_period(quarter);
    ASSERT_TRUE(admin.send(zmq::buffer(req.SerializeAsString()), zmq::send_flags::none));
  }
  // Every publish is answered, in order, each with its digest.
  for (int i = 0; i < publishes; ++i) {
    auto r = answer(120000ms);
    ASSERT_TRUE(r) << "publish " << i << " was never answered";
    ASSERT_TRUE(r->ok()) << r->error();
    EXPECT_EQ(r->digest().sequence(), static_cast<uint64_t>(i + 1));
    EXPECT_EQ(r->digest().region(), i % 2 ? "zuid-limburg" : "parkstad");
  }
  // As many reports as the queue takes from one requester, so the worker is
  // busy for a while on any machine.
  wire::ControlRequest risk;
  risk.set_schema(1);
  risk.mutable_risk_report()->set_period(quarter);
  const int reports = 8;
  for (int i = 0; i < reports; ++i) {
    ASSERT_TRUE(admin.send(zmq::buffer(risk.SerializeAsString()), zmq::send_flags::none));
  }

  wire::ControlRequest status;
  status.set_schema(1);
  status.mutable_status();
  auto building = [&] {
    auto r = Control(status);
    EXPECT_TRUE(r.ok() && r->ok());
    return r.ok() ? r->status().digests_building() : 0u;
  };
  // The status request has a connection of its own and may overtake the
  // report's request while its handshake is under way.
  WaitUntil([&] { return building() > 0; }, 10s);
  int acked_while_building = 0, status_while_building = 0;
  for (uint64_t version = 2; version < 200; ++version) {
    if (building() == 0) break;
    ++status_while_building;
    node.Send(node.Snapshot(week_, version, 6));
    auto ack = node.Receive(10000ms);
    ASSERT_TRUE(ack && ack->has_ack()) << "a snapshot waited behind the worker";
    if (building() > 0) ++acked_while_building;
  }
  EXPECT_GT(status_while_building, 0) << "no status answer came while the worker was busy";
  EXPECT_GT(acked_while_building, 0) << "no snapshot was acked while the worker was busy";

  std::optional<wire::ControlResponse> report;
  for (int i = 0; i < reports; ++i) {
    auto r = answer(600000ms);
    ASSERT_TRUE(r) << "risk report " << i << " was never answered";
    ASSERT_TRUE(r->ok()) << r->error();
    report = r;
  }
  EXPECT_EQ(report->risk_report().digests(), 2u);
  EXPECT_GT(report->risk_report().cells_attacked(), 0u);
  EXPECT_EQ(report->risk_report().exact(), 0u) << "a small cell was pinned from two digests";
  std::cout << status_while_building << " status answers and " << acked_while_building
            << " snapshot acks came while the worker made " << reports << " risk reports of "
            << report->risk_report().cells_attacked() << " cells, " << report->risk_report().millis() << " ms each\n";
}

// A subscriber that never reads must not hold up the broker: once its queue
// (ZMQ_SNDHWM) is full, sends to it are dropped and counted, and it catches
// up from its cursor when it reads again.
// The broker scrubs every quote again on arrival: one in which it finds
// personal data, or that is malformed, is refused by name in the Ack and
// left out of what is stored; the rest of the snapshot (cells and the clean
// quote) is stored, and a retry of the same snapshot is the same duplicate.
TEST_F(BrokerProtocol, QuotesWithPersonalDataAreRefusedAndTheRestStored) {
  FakeNode node(ctx_, "helpdesk", listen_, broker_key_);
  Join(node);
  wire::SummarySnapshot snap = node.Snapshot(week_, 1, 20);
  auto quote = [&](const std::string& id, const std::string& text, const std::string& theme = "schulden") {
    auto* q = snap.add_quotes();
    q->set_id(id);
    q->set_text(text);
    q->set_theme(theme);
  };
  quote("00000000000000a1", "De post blijft dicht, ik durf hem niet meer open te maken.");
  quote("00000000000000a2", "Bel mij gerust op 06-12345678 als er nieuws is.");
  quote("00000000000000a3", "Mevrouw Jansen van nummer 12 helpt me met de formulieren.");
  quote("not-an-id", "Een citaat zonder geldig kenmerk.");
  quote("00000000000000a5", "Een thema dat niet bestaat.", "geen-thema");
  quote("00000000000000a6", std::string(501, 'x'));
  node.Send(snap);
  auto ack = node.Receive();
  ASSERT_TRUE(ack && ack->has_ack()) << (ack ? ack->DebugString() : "no answer");
  std::map<std::string, std::string> refused;
  for (const auto& r : ack->ack().refused_quotes()) refused[r.quote_id()] = r.reason() + ": " + r.detail();
  ASSERT_EQ(ack->ack().refused_quotes_size(), 5) << ack->DebugString();
  EXPECT_EQ(refused.count("00000000000000a1"), 0u);
  EXPECT_EQ(refused["00000000000000a2"].rfind("quote-personal-data", 0), 0u) << refused["00000000000000a2"];
  EXPECT_NE(refused["00000000000000a2"].find("telefoon"), std::string::npos);
  EXPECT_NE(refused["00000000000000a3"].find("naam"), std::string::npos) << refused["00000000000000a3"];
  EXPECT_EQ(refused[""].rfind("quote-invalid", 0), 0u);
  EXPECT_EQ(refused["00000000000000a5"].rfind("quote-invalid", 0), 0u);
  EXPECT_EQ(refused["00000000000000a6"].rfind("quote-invalid", 0), 0u);
  // The refusal never repeats the text it refused.
  EXPECT_EQ(ack->DebugString().find("06-12345678"), std::string::npos);
  EXPECT_EQ(ack->DebugString().find("Jansen"), std::string::npos);
  // The same snapshot again: a duplicate, refused the same way.
  node.Send(snap);
  auto again = node.Receive();
  ASSERT_TRUE(again && again->has_ack()) << (again ? again->DebugString() : "no answer");
  EXPECT_EQ(again->ack().refused_quotes_size(), 5);
  auto counters = Counters();
  EXPECT_EQ(counters["quotes.stored"], 1u);
  EXPECT_EQ(counters["quotes.refused"], 10u);
  EXPECT_EQ(counters["snapshots.duplicate"], 1u);
  EXPECT_EQ(broker_->ReadLog().find("06-12345678"), std::string::npos) << "a refused quote's text is in the log";
}

TEST_F(BrokerProtocol, StalledSubscriberNeverStallsTheBroker) {
  FakeNode node(ctx_, "helpdesk", listen_, broker_key_);
  Join(node);
  for (uint32_t w = 0; w < 4; ++w) {
    node.Send(node.Snapshot(AddWeeks(week_, -static_cast<int>(w)), 1, 20));
    ASSERT_TRUE(node.Receive()->has_ack());
  }
  for (int i = 0; i < 4; ++i) {
    wire::ControlRequest req;
    req.set_schema(1);
    req.mutable_publish_digest()->set_region("limburg");
    req.mutable_publish_digest()->set_period(AddWeeks(week_, -i));
    auto r = Control(req);
    ASSERT_TRUE(r.ok() && r->ok()) << (r.ok() ? r->error() : r.status().message());
  }
  FakeNode stalled(ctx_, "stalled", listen_, broker_key_);
  {
    wire::ControlRequest req;
    req.set_schema(1);
    auto* e = req.mutable_enroll_subscriber();
    e->set_name("stalled");
    e->add_regions("limburg");
    e->set_curve_public_key(stalled.keys().curve.public_key);
    ASSERT_TRUE(Control(req)->ok());
    stalled.ShrinkReceiveQueue();
    stalled.Connect();
  }
  // It sends Subscribe after Subscribe from 0 and never reads. Repeated on
  // the same connection, a Subscribe replays nothing already sent on it.
  wire::ClientMessage sub;
  sub.set_schema(1);
  sub.mutable_subscribe();
  for (int i = 0; i < 5000; ++i) stalled.SendRaw(sub.SerializeAsString());
  // Meanwhile a node is answered promptly and the administrator too.
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(WaitUntil([&] { return Counters()["digests.caught_up"] >= 4; }, 30s)) << "no catch-up";
  node.Send(node.Snapshot(week_, 2, 21));
  auto ack = node.Receive(10000ms);
  ASSERT_TRUE(ack && ack->has_ack()) << "the broker stalled behind a subscriber that does not read";
  const auto acked = std::chrono::steady_clock::now() - t0;
  auto counters = Counters();
  EXPECT_EQ(counters["digests.caught_up"], 4u) << "the repeated Subscribes replayed the digests again";
  std::cout << "stalled subscriber: " << counters["digests.caught_up"] << " digests sent for 5,000 Subscribes, "
            << counters["send.dropped"] << " sends dropped, node acked after "
            << std::chrono::duration_cast<std::chrono::milliseconds>(acked).count() << " ms\n";
  EXPECT_TRUE(broker_->Running());
}

}  // namespace
}  // namespace signaal::test
