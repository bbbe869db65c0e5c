// Unit tests of what the broker does with what strangers and its own peers
// send: refused handshakes logged within bounds, strings bounded before they
// are stored (and those stored before cut on load), and cells outside the
// broker's area refused.
#include <gtest/gtest.h>

#include <spdlog/sinks/ostream_sink.h>

#include <algorithm>
#include <ctime>
#include <sstream>

#include "broker_area.h"
#include "broker_store.h"
#include "handshake_log.h"
#include "principal_registry.h"
#include "snapshot_validator.h"
#include "signaal/keys.h"
#include "signaal/log.h"
#include "signaal/period.h"
#include "signaal/wire_limits.h"
#include "unit_support.h"

namespace signaal::broker {
namespace {

using test::TempFolder;

const ReferenceData& Ref() { return test::SourceReferenceData(); }

// Makes the default logger write into a string for the test's lifetime.
class CapturedLog {
 public:
  CapturedLog() : previous_(spdlog::default_logger()) {
    auto logger = std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::ostream_sink_mt>(out_));
    logger->set_formatter(SafeFormatter());
    spdlog::set_default_logger(logger);
  }
  ~CapturedLog() { spdlog::set_default_logger(previous_); }
  std::vector<std::string> Lines() {
    spdlog::default_logger()->flush();
    std::vector<std::string> lines;
    std::istringstream in(out_.str());
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }

 private:
  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> previous_;
};

size_t Containing(const std::vector<std::string>& lines, const std::string& text) {
  return static_cast<size_t>(
      std::count_if(lines.begin(), lines.end(), [&](const std::string& l) { return l.find(text) != std::string::npos; }));
}

TEST(HandshakeLog, AFloodFromOneAddressIsOneLineAndOneSummaryAMinute) {
  CapturedLog log;
  HandshakeLog h;
  const int64_t t0 = 1'800'000'000;
  for (int i = 0; i < 10'000; ++i) h.Refused("192.0.2.7", "signaal-listen", "key not enrolled or revoked", t0 + i / 1000);
  h.Tick(t0 + 59);
  auto lines = log.Lines();
  ASSERT_EQ(lines.size(), 1u) << "one line for the first refusal, nothing more within the minute";
  EXPECT_NE(lines[0].find("refused a handshake from 192.0.2.7 on signaal-listen"), std::string::npos) << lines[0];
  h.Tick(t0 + 60);
  lines = log.Lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[1].find("9999 failed handshakes from 192.0.2.7 in the last minute"), std::string::npos) << lines[1];
  EXPECT_EQ(h.unlogged(), 9999u);
  // The next minute starts afresh: its first refusal has a line again.
  h.Refused("192.0.2.7", "signaal-listen", "key not enrolled or revoked", t0 + 61);
  EXPECT_EQ(log.Lines().size(), 3u);
  // One lone refusal needs no summary.
  h.Tick(t0 + 200);
  EXPECT_EQ(log.Lines().size(), 3u);
}

TEST(HandshakeLog, StoppingSaysWhatTheMinuteHeldSoFar) {
  CapturedLog log;
  HandshakeLog h;
  const int64_t t0 = 1'800'000'000;
  for (int i = 0; i < 300; ++i) h.Refused("192.0.2.8", "signaal-control", "role not allowed on this port", t0);
  h.Flush(t0 + 12);
  auto lines = log.Lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[1].find("299 failed handshakes from 192.0.2.8 in the last 12 s (latest on signaal-control: role not "
                          "allowed on this port)"),
            std::string::npos)
      << lines[1];
  h.Flush(t0 + 13);
  EXPECT_EQ(log.Lines().size(), 2u) << "said once";
}

TEST(HandshakeLog, AFloodFromManyAddressesStaysBoundedInLinesAndMemory) {
  CapturedLog log;
  HandshakeLog h;
  const int64_t t0 = 1'800'000'000;
  uint64_t refusals = 0;
  for (int minute = 0; minute < 3; ++minute) {
    for (int i = 0; i < 50'000; ++i) {
      std::string address = "10." + std::to_string(i % 5000 / 250) + "." + std::to_string(i % 250) + ".1";
      h.Refused(address, "signaal-listen", "key not enrolled or revoked", t0 + minute * 60 + i / 1000);
      ++refusals;
      ASSERT_LE(h.sources(), HandshakeLog::kMaxSources);
    }
  }
  h.Tick(t0 + 1000);
  auto lines = log.Lines();
  // Per minute: 20 single refusals, 20 summaries of the busiest, one line for the rest.
  EXPECT_LE(lines.size(), 3 * (2 * HandshakeLog::kMaxLinesPerMinute + 1)) << lines.size();
  EXPECT_EQ(Containing(lines, "other addresses in the last minute"), 3u);
  EXPECT_EQ(Containing(lines, "at least"), 3u) << "more addresses than kept: said as a lower bound";
  EXPECT_EQ(h.unlogged(), refusals - 3 * HandshakeLog::kMaxLinesPerMinute);
}

TEST(PrincipalRegistry, StringsStoredBeforeTheBoundsAreCutOnLoad) {
  TempFolder dir;
  auto store = BrokerStore::Open(dir.path());
  ASSERT_TRUE(store.ok());
  wire::Principal p;
  p.set_id("helpdesk");
  p.set_name("Helpdesk \x1b[31mRood");
  p.set_role(wire::ROLE_NODE);
  p.set_curve_public_key(GenerateCurveKeyPair().public_key);
  p.set_software_version(std::string(4 << 20, 'v'));  // as a heartbeat once left it
  p.set_taxonomy_version(std::string(4 << 20, 't'));
  ASSERT_TRUE((*store)->PutPrincipal(p).ok());
  CapturedLog log;
  PrincipalRegistry registry(**store);
  const wire::Principal* loaded = registry.Find("helpdesk");
  ASSERT_NE(loaded, nullptr);
  EXPECT_EQ(loaded->software_version().size(), kMaxCodeBytes);
  EXPECT_EQ(loaded->taxonomy_version().size(), kMaxCodeBytes);
  EXPECT_EQ(loaded->name(), p.name()) << "within its bound: kept, and escaped where it is printed";
  size_t listed = 0;
  for (const auto& q : registry.List()) listed += q.ByteSizeLong();
  EXPECT_LT(listed, 1024u) << "the list of principals fits any answer again";
  EXPECT_EQ(Containing(log.Lines(), "2 stored principal fields were longer than allowed"), 1u);
  // A revocation answers with the principal: small again too.
  auto revoked = registry.Revoke("helpdesk");
  ASSERT_TRUE(revoked.ok());
  EXPECT_LT(revoked->ByteSizeLong(), 1024u);
}

TEST(PrincipalRegistry, EnrolmentRefusesAnUnknownType) {
  TempFolder dir;
  auto store = BrokerStore::Open(dir.path());
  PrincipalRegistry reg(**store);
  wire::EnrolmentRequest req;
  req.set_node_id("bakkerij");
  req.set_name("Bakkerij");
  req.set_type("bakery\x1b[2J");
  req.set_municipality("GM0917");
  req.set_curve_public_key(GenerateCurveKeyPair().public_key);
  req.set_sign_public_key(GenerateSigningKeyPair().public_hex);
  auto p = reg.EnrollNode(req, Ref());
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("field 'type': 'bakery\\x1b[2J' is not one of"), std::string::npos)
      << p.status().message();
}

TEST(BrokerArea, CoversItsOwnRegionsAndMunicipalitiesOnly) {
  BrokerArea parkstad(Ref(), "parkstad");
  EXPECT_TRUE(parkstad.HasMunicipality("GM0917"));   // Heerlen
  EXPECT_FALSE(parkstad.HasMunicipality("GM0983"));  // Venlo
  EXPECT_TRUE(parkstad.Covers("parkstad"));
  EXPECT_TRUE(parkstad.Covers("GM0928"));
  EXPECT_FALSE(parkstad.Covers("zuid-limburg"));  // wider than the area
  EXPECT_FALSE(parkstad.Covers("noord-limburg"));
  Status s = parkstad.CheckRegion("noord-limburg", "--regions");
  EXPECT_EQ(s.code(), Code::kRefused);
  EXPECT_EQ(s.message(), "--regions: region 'noord-limburg' does not lie inside this broker's region parkstad");
  s = parkstad.CheckMunicipality("GM0983", "enrolment request: field 'municipality'");
  EXPECT_EQ(s.message(), "enrolment request: field 'municipality': Venlo (GM0983) lies outside this broker's region "
                         "parkstad");
  BrokerArea limburg(Ref(), "limburg");
  for (const auto& m : Ref().municipalities()) EXPECT_TRUE(limburg.HasMunicipality(m.code)) << m.code;
}

class AreaValidator : public ::testing::Test {
 protected:
  void SetUp() override {
    keys_ = GenerateSigningKeyPair();
    node_.set_id("helpdesk");
    node_.set_role(wire::ROLE_NODE);
    node_.set_sign_public_key(keys_.public_hex);
  }
  // A snapshot of this week with one cell per municipality, signed.
  wire::SignedEnvelope Signed(const std::vector<std::string>& gms, const std::string& theme = "schulden") {
    wire::SummarySnapshot s;
    s.set_node_id("helpdesk");
    s.set_period(IsoWeekOf(Today()));
    s.set_version(1);
    s.set_taxonomy_version(Ref().taxonomy_version());
    for (const auto& gm : gms) {
      auto* c = s.add_cells();
      c->set_municipality(gm);
      c->set_theme(theme);
      c->set_signals(3);
      c->set_persons(3);
      c->set_key_sum(7);
    }
    wire::SignedEnvelope env;
    env.set_payload(s.SerializeAsString());
    env.set_signature(*Sign(keys_, env.payload()));
    env.set_key_id(KeyId(keys_.public_hex));
    return env;
  }
  Refusal Check(const wire::SignedEnvelope& env, const std::string& area) {
    SnapshotValidator validator(Ref(), area);
    wire::SummarySnapshot out;
    Refusal r;
    if (validator.Check(env, node_, std::time(nullptr), out, r)) r.reason = "ok";
    return r;
  }
  SigningKeyPair keys_;
  wire::Principal node_;
};

TEST_F(AreaValidator, CellsOutsideTheAreaAreRefused) {
  EXPECT_EQ(Check(Signed({"GM0917", "GM0928"}), "parkstad").reason, "ok");
  Refusal r = Check(Signed({"GM0917", "GM0983"}), "parkstad");
  EXPECT_EQ(r.reason, "outside-area");
  EXPECT_EQ(r.detail, "cell 1: municipality GM0983 lies outside this broker's region parkstad");
  EXPECT_EQ(Check(Signed({"GM0917", "GM0983"}), "limburg").reason, "ok");
  EXPECT_EQ(Check(Signed({"GM0917", "GM0983"}), "").reason, "ok") << "no area: the reference data's";
}

TEST_F(AreaValidator, StringsOutsideTheirClassAreRefusedBeforeAnyLookup) {
  Refusal r = Check(Signed({"GM0917"}, "schulden\n2026 admin revoked x"), "limburg");
  EXPECT_EQ(r.reason, "invalid-string");
  EXPECT_NE(r.detail.find("field 'cells[0].theme'"), std::string::npos) << r.detail;
  EXPECT_EQ(r.detail.find('\n'), std::string::npos) << r.detail;
  r = Check(Signed({std::string(5000, 'G')}), "limburg");
  EXPECT_EQ(r.reason, "invalid-string");
  EXPECT_LT(r.detail.size(), 300u);
}

}  // namespace
}  // namespace signaal::broker
