// Fuzz target: the two control decoders and their handlers —
//   broker: ControlRequest (the administrators' `control` port) handed to
//           broker::ControlHandler on a real BrokerStore and PrincipalRegistry,
//           with a ThemeTable holding a few fixed snapshots;
//   node:   NodeRequest (the node's local ipc control) handed to
//           node::LocalControl on a real SignalStore and Outbox.
//
// Input layout: the first byte's low bit picks the side (0 broker, 1 node);
// the rest is up to kMaxRequests requests, each a varint length followed by
// that many bytes of serialised request (a short last one takes the rest), so
// that one input can enrol and then publish, or import and then erase.
//
// State is bounded: every input starts from empty stores in a new scratch
// folder (in /dev/shm when there is one), removed after the input. That makes
// every crash replayable from its input alone.
#include <zmq.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>
#include <zmq.hpp>

#include "broker_link.h"
#include "broker_store.h"
#include "control_handler.h"
#include "digest_builder.h"
#include "disclosure_policy.h"
#include "fuzz_common.h"
#include "local_control.h"
#include "outbox.h"
#include "principal_registry.h"
#include "signaal.pb.h"
#include "signaal/config.h"
#include "signaal/keys.h"
#include "signal_store.h"
#include "snapshot_validator.h"
#include "theme_table.h"

namespace {

using namespace signaal;

constexpr int kMaxRequests = 8;

// The requests of one input: varint length, bytes; at most kMaxRequests.
std::vector<std::string> SplitRequests(const uint8_t* data, size_t size) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < size && out.size() < kMaxRequests) {
    uint64_t len = 0;
    int shift = 0;
    while (pos < size && shift < 35) {
      uint8_t b = data[pos++];
      len |= static_cast<uint64_t>(b & 0x7f) << shift;
      shift += 7;
      if (!(b & 0x80)) break;
    }
    size_t take = static_cast<size_t>(std::min<uint64_t>(len, size - pos));
    out.emplace_back(reinterpret_cast<const char*>(data + pos), take);
    pos += take;
  }
  return out;
}

// A fixed, valid CURVE public key in Z85 (the bytes 0x01..0x20).
std::string FixedCurveKey() {
  uint8_t raw[32];
  for (int i = 0; i < 32; ++i) raw[i] = static_cast<uint8_t>(i + 1);
  char z85[41] = {};
  if (!zmq_z85_encode(z85, raw, sizeof raw)) __builtin_trap();
  return z85;
}

wire::SummarySnapshot FixtureSnapshot(const std::string& node, const std::string& period,
                                      const std::vector<std::tuple<const char*, const char*, const char*, uint32_t,
                                                                   uint32_t>>& cells) {
  wire::SummarySnapshot s;
  s.set_node_id(node);
  s.set_period(period);
  s.set_version(1);
  s.set_taxonomy_version(fuzz::Ref().taxonomy_version());
  s.set_created_unix(fuzz::kNow);
  for (const auto& [gm, theme, sub, signals, persons] : cells) {
    auto* c = s.add_cells();
    c->set_municipality(gm);
    c->set_theme(theme);
    c->set_subtheme(sub);
    c->set_signals(signals);
    c->set_persons(persons);
  }
  return s;
}

// ---------------------------------------------------------------- broker

void RunBroker(const std::vector<std::string>& requests) {
  static const BrokerConfig config = [] {
    BrokerConfig c;
    c.path = "/etc/signaal/broker.toml";
    c.region = "limburg";
    c.data_dir = "/nonexistent";
    c.key_file = "/nonexistent/broker.key";
    return c;
  }();
  static const std::vector<wire::SummarySnapshot> fixtures = {
      FixtureSnapshot("helpdesk-heerlen", "2026-W46",
                      {{"GM0917", "schulden", "schulden.schuldhulpverlening", 6, 5},
                       {"GM0917", "werk", "", 3, 3},
                       {"GM0928", "schulden", "", 9, 8}}),
      FixtureSnapshot("clientenraad-venlo", "2026-W46",
                      {{"GM0983", "schulden", "schulden.budgetbeheer", 12, 10}, {"GM0917", "werk", "", 2, 1}}),
      FixtureSnapshot("helpdesk-heerlen", "2026-W47", {{"GM0917", "schulden", "", 4, 4}}),
  };
  fuzz::ScratchDir dir;
  auto store = broker::BrokerStore::Open(dir.path());
  if (!store.ok()) __builtin_trap();
  broker::PrincipalRegistry registry(**store);
  auto admin = registry.EnrollAdmin("fuzz-admin", FixedCurveKey());
  if (!admin.ok()) __builtin_trap();
  broker::ThemeTable table(fuzz::Ref());
  for (const auto& s : fixtures) {
    if (!(*store)->OfferSnapshot(s).ok()) __builtin_trap();
    table.Put(s);
  }
  broker::DisclosurePolicy policy(static_cast<uint32_t>(config.k), static_cast<uint32_t>(config.min_organisations));
  broker::DigestBuilder builder(fuzz::Ref(), table, policy);
  broker::Counters counters;
  broker::ControlHandler handler(broker::ControlHandler::Context{
      config, fuzz::Ref(), **store, registry, table, builder, policy, counters, fuzz::kNow,
      [] { return uint64_t{0}; }, [](const wire::Digest&) {}});
  for (const auto& bytes : requests) {
    wire::ControlRequest request;
    if (!request.ParseFromString(bytes)) continue;
    wire::ControlResponse response = handler.Handle(request, *admin, fuzz::kNow);
    if (fuzz::Verbose()) {
      std::fprintf(stderr, "  broker request %d: ok %d %s (body %d)\n", static_cast<int>(request.body_case()),
                   response.ok(), response.error().c_str(), static_cast<int>(response.body_case()));
    }
    // A refusal always says why, and with an exit code the CLI knows.
    if (!response.ok() && (response.error().empty() || response.error_code() == 0)) __builtin_trap();
    (void)response.SerializeAsString();
  }
}

// ---------------------------------------------------------------- node

struct NodeFixture {
  NodeConfig config;
  zmq::context_t ctx{1};
  std::unique_ptr<node::BrokerLink> link;  // never connects: nothing listens there
  node::NodeCounters counters;
  std::string secret = std::string(32, 's');
  std::string data_key = std::string(32, 'k');
};

NodeFixture& Node() {
  static NodeFixture* f = [] {
    auto* n = new NodeFixture;
    n->config.path = "/etc/signaal/node.toml";
    n->config.id = "fuzz-node";
    n->config.name = "Fuzz node";
    n->config.type = "helpdesk";
    n->config.municipality = "GM0917";
    n->config.broker_endpoint = "tcp://127.0.0.1:9";
    CurveKeyPair broker_key = GenerateCurveKeyPair();
    n->config.broker_public_key = broker_key.public_key;
    n->config.retention_days = 365;
    n->config.min_cell = 3;
    n->link = std::make_unique<node::BrokerLink>(n->ctx, n->config.broker_endpoint, GenerateCurveKeyPair(),
                                                 broker_key.public_key);
    return n;
  }();
  return *f;
}

void RunNode(const std::vector<std::string>& requests) {
  NodeFixture& f = Node();
  fuzz::ScratchDir dir;
  uint64_t signals = 0;
  {
    auto store = node::SignalStore::Open(dir.path(), f.secret, f.data_key);
    if (!store.ok()) __builtin_trap();
    node::Outbox outbox(**store, fuzz::Ref(), f.config.id, fuzz::TestSigningKey(), f.config.retention_days,
                        f.config.min_cell);
    // "Sending" hands each due snapshot to the broker's validator, and acks
    // or nacks it as the broker would: what a node signs, the broker takes.
    auto send_now = [&outbox] {
      static const broker::SnapshotValidator validator(fuzz::Ref());
      static const wire::Principal enrolled = [] {
        wire::Principal p;
        p.set_id(Node().config.id);
        p.set_role(wire::ROLE_NODE);
        p.set_sign_public_key(fuzz::TestSigningKey().public_hex);
        return p;
      }();
      for (const auto& bytes : outbox.Due(std::chrono::steady_clock::now())) {
        wire::SignedEnvelope env;
        if (!env.ParseFromString(bytes)) __builtin_trap();
        wire::SummarySnapshot snapshot;
        broker::Refusal refusal;
        if (!validator.Check(env, enrolled, fuzz::kNow, snapshot, refusal)) {
          std::fprintf(stderr, "fuzz: the broker refuses the node's snapshot: %s: %s\n", refusal.reason.c_str(),
                       refusal.detail.c_str());
          __builtin_trap();
        }
        if (fuzz::Verbose()) {
          std::fprintf(stderr, "  sent %s v%llu, %d cells: acked\n", snapshot.period().c_str(),
                       static_cast<unsigned long long>(snapshot.version()), snapshot.cells_size());
        }
        outbox.OnAck(snapshot.period(), snapshot.version());
      }
    };
    node::LocalControl control(
        node::LocalControl::Context{f.config, fuzz::Ref(), **store, outbox, *f.link, f.counters, send_now});
    for (const auto& bytes : requests) {
      wire::NodeRequest request;
      if (!request.ParseFromString(bytes)) continue;
      wire::NodeResponse response = control.Handle(request, fuzz::kNow);
      if (fuzz::Verbose()) {
        std::fprintf(stderr, "  node request %d: ok %d %s (body %d)\n", static_cast<int>(request.body_case()),
                     response.ok(), response.error().c_str(), static_cast<int>(response.body_case()));
      }
      if (!response.ok() && (response.error().empty() || response.error_code() == 0)) __builtin_trap();
      (void)response.SerializeAsString();
    }
    signals = (*store)->CountSignals();
  }
  // A restart finds what was stored.
  auto again = node::SignalStore::Open(dir.path(), f.secret, f.data_key);
  if (!again.ok() || (*again)->CountSignals() != signals) __builtin_trap();
  node::Outbox outbox(**again, fuzz::Ref(), f.config.id, fuzz::TestSigningKey(), f.config.retention_days,
                      f.config.min_cell);
  (void)outbox.PendingPeriods();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool quiet = [] {
    spdlog::set_level(spdlog::level::off);
    return true;
  }();
  (void)quiet;
  if (size == 0) return 0;
  auto requests = SplitRequests(data + 1, size - 1);
  if (data[0] & 1) {
    RunNode(requests);
  } else {
    RunBroker(requests);
  }
  return 0;
}
