// The subscriber's side against a broker that lies (issue 15, finding 7): a
// fake broker — a ROUTER with a real CURVE key on loopback, answering the
// real `signaal digest subscribe|fetch` — names its digest's region
// "../../escaped/dir". The CLI refuses it, says why, and writes nothing,
// inside --out or outside it.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <zmq.hpp>

#include "process.h"
#include "wire.pb.h"
#include "signaal/keys.h"

namespace signaal::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

wire::Digest DigestFor(const std::string& region, const std::string& period) {
  wire::Digest d;
  d.set_sequence(1);
  d.set_region(region);
  d.set_region_name("Parkstad <b>Limburg</b>");
  d.set_period(period);
  d.set_from_week("2026-W41");
  d.set_to_week("2026-W41");
  d.set_taxonomy_version("2026.1");
  d.mutable_policy()->set_k(5);
  d.mutable_total()->set_signals(12);
  d.mutable_total()->set_persons(10);
  return d;
}

// A broker as far as a subscriber can tell: CURVE with its own key (no ZAP
// handler, so any client key is let in), answering every Subscribe and
// DigestRequest with `digest`, until destroyed.
class FakeBroker {
 public:
  explicit FakeBroker(wire::Digest digest) : keys_(GenerateCurveKeyPair()), port_(FreePort()) {
    socket_.set(zmq::sockopt::curve_server, 1);
    socket_.set(zmq::sockopt::curve_secretkey, keys_.secret_key);
    socket_.set(zmq::sockopt::linger, 0);
    socket_.bind("tcp://127.0.0.1:" + std::to_string(port_));
    thread_ = std::thread([this, digest = std::move(digest)] { Serve(digest); });
  }
  ~FakeBroker() {
    stop_ = true;
    thread_.join();
  }
  std::string endpoint() const { return "tcp://127.0.0.1:" + std::to_string(port_); }
  const std::string& public_key() const { return keys_.public_key; }
  int answered() const { return answered_; }

 private:
  void Serve(const wire::Digest& digest) {
    while (!stop_) {
      zmq::pollitem_t items[] = {{socket_.handle(), 0, ZMQ_POLLIN, 0}};
      zmq::poll(items, 1, 100ms);
      if (!(items[0].revents & ZMQ_POLLIN)) continue;
      zmq::message_t rid, body;
      if (!socket_.recv(rid) || !rid.more() || !socket_.recv(body)) continue;
      wire::ClientMessage in;
      if (!in.ParseFromArray(body.data(), static_cast<int>(body.size()))) continue;
      if (!in.has_subscribe() && !in.has_digest_request()) continue;
      wire::BrokerMessage out;
      out.set_schema(wire::SCHEMA_V1);
      *out.mutable_digest()->mutable_digest() = digest;
      std::string bytes = out.SerializeAsString();
      socket_.send(rid, zmq::send_flags::sndmore);
      socket_.send(zmq::buffer(bytes));
      ++answered_;
    }
  }

  CurveKeyPair keys_;
  int port_;
  zmq::context_t ctx_{1};
  zmq::socket_t socket_{ctx_, zmq::socket_type::router};
  std::atomic<bool> stop_{false};
  std::atomic<int> answered_{0};
  std::thread thread_;
};

// Every file under `root`, as paths relative to it.
std::vector<std::string> FilesUnder(const std::string& root) {
  std::vector<std::string> out;
  if (!fs::exists(root)) return out;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.is_regular_file()) out.push_back(fs::relative(e.path(), root).string());
  }
  return out;
}

class DigestClient : public ::testing::Test {
 protected:
  void SetUp() override {
    key_ = dir_.path() + "/subscriber.key";
    auto gen = RunCommand({CliBinary(), "keys", "generate", "--out", key_});
    ASSERT_EQ(gen.exit_code, 0) << gen.err;
    // --out two levels down, so "../../escaped/dir" would land in the TempDir.
    out_ = dir_.path() + "/council/digests";
    escaped_ = dir_.path() + "/escaped";
  }
  CommandResult Subscribe(const FakeBroker& broker) {
    return RunCommand({CliBinary(), "digest", "subscribe", "--broker", broker.endpoint(), "--broker-key",
                       broker.public_key(), "--key", key_, "--out", out_, "--once"},
                      60s);
  }
  CommandResult Fetch(const FakeBroker& broker, const std::string& out) {
    return RunCommand({CliBinary(), "digest", "fetch", "--broker", broker.endpoint(), "--broker-key",
                       broker.public_key(), "--key", key_, "--period", "2026-W41", "--region", "parkstad",
                       "--format", "html", "--out", out, "--timeout", "20"},
                      60s);
  }
  TempDir dir_;
  std::string key_, out_, escaped_;
};

TEST_F(DigestClient, AnHonestDigestIsWrittenUnderOut) {
  // The control: the fake broker is good enough to be believed.
  FakeBroker broker(DigestFor("parkstad", "2026-W41"));
  auto r = Subscribe(broker);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(out_ + "/parkstad/2026-W41.html")) << r.out;
  EXPECT_TRUE(fs::exists(out_ + "/parkstad/2026-W41.csv"));
  // The broker's markup in the region's name arrives as text.
  std::ifstream in(out_ + "/parkstad/2026-W41.html");
  std::stringstream html;
  html << in.rdbuf();
  EXPECT_EQ(html.str().find("<b>Limburg"), std::string::npos);
  EXPECT_NE(html.str().find("&lt;b&gt;Limburg"), std::string::npos) << html.str().substr(0, 400);
}

TEST_F(DigestClient, SubscribeRefusesARegionThatLeavesOut) {
  FakeBroker broker(DigestFor("../../escaped/dir", "2026-W41"));
  auto r = Subscribe(broker);
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_NE(r.err.find("no region code"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("nothing written"), std::string::npos) << r.err;
  EXPECT_GE(broker.answered(), 1);
  EXPECT_FALSE(fs::exists(escaped_)) << "written outside --out";
  EXPECT_TRUE(FilesUnder(out_).empty()) << FilesUnder(out_).front();
  EXPECT_TRUE(FilesUnder(dir_.path() + "/council").empty());
}

TEST_F(DigestClient, SubscribeRefusesAPeriodThatIsNoPeriod) {
  FakeBroker broker(DigestFor("parkstad", "../../../escaped/x"));
  auto r = Subscribe(broker);
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_NE(r.err.find("no period"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(escaped_));
  EXPECT_TRUE(FilesUnder(out_).empty());
}

TEST_F(DigestClient, FetchRefusesARegionThatLeavesOut) {
  FakeBroker broker(DigestFor("../../escaped/dir", "2026-W41"));
  fs::create_directories(out_);
  auto r = Fetch(broker, out_);
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_NE(r.err.find("no region code"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(escaped_));
  EXPECT_TRUE(FilesUnder(out_).empty());
}

}  // namespace
}  // namespace signaal::test
