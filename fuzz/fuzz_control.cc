// Fuzz target: the two control decoders and their handlers —
//   broker: ControlRequest (the administrators' `control` port) handed to
//           broker::ControlHandler on a real BrokerStore and PrincipalRegistry,
//           with a ThemeTable holding a few fixed snapshots (publish_digest
//           built by a DigestBuilder and stored, as the daemon's worker does);
//   node:   NodeRequest (the node's local ipc control) handed to
//           node::LocalControl on a real SignalStore and Outbox.
//
// Input layout: the first byte's low bit picks the side (0 broker, 1 node);
// the rest is up to kMaxRequests requests, each a varint length followed by
// that many bytes of serialised request (a short last one takes the rest), so
// that one input can enrol and then publish, or import and then erase.
//
// State is bounded: the stores live in a scratch folder under $TMPDIR or
// /tmp and are thrown away and opened afresh every 64 inputs, sooner when
// they grow (the broker's after any digest, see RunBroker; the node's past
// 5,000 signals). A finding that depends on
// earlier inputs shows its stack in the fuzzer's log; SIGNAAL_FUZZ_FRESH=1
// gives every input fresh stores, to check that an input replays alone.
#include <zmq.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include <zmq.hpp>

#include "signaal/broker_link.h"
#include "broker_store.h"
#include "control_handler.h"
#include "digest_builder.h"
#include "disclosure_policy.h"
#include "fuzz_common.h"
#include "signaal/ptable.h"
#include "local_control.h"
#include "outbox.h"
#include "principal_registry.h"
#include "broker_control.pb.h"
#include "node_control.pb.h"
#include "wire.pb.h"
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
    c->set_key_sum(signals * 0x9e3779b9u + persons);
  }
  return s;
}

// How many inputs share one set of stores before they are thrown away and
// opened afresh. Opening a RocksDB costs ~25 ms (it starts 16 threads and
// writes several files), far more than a request, so the stores live across
// inputs; the reset bounds their growth and the disclosure audit's cost.
// SIGNAAL_FUZZ_FRESH=1 gives every input new stores, to replay a finding
// exactly from its input alone.
int ResetEvery() {
  static const int every = [] {
    const char* v = std::getenv("SIGNAAL_FUZZ_FRESH");
    return v && *v && *v != '0' ? 1 : 64;
  }();
  return every;
}

void RemoveAtExit(const std::string& dir) {
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

// ---------------------------------------------------------------- broker

const BrokerConfig& BrokerFixtureConfig() {
  static const BrokerConfig config = [] {
    BrokerConfig c;
    c.path = "/etc/signaal/broker.toml";
    c.region = "limburg";
    c.data_dir = "/nonexistent";
    c.key_file = "/nonexistent/broker.key";
    return c;
  }();
  return config;
}

// A broker's state as BrokerDaemon builds it, without the sockets: a store
// with one administrator and three snapshots of two nodes, in a scratch folder.
struct BrokerWorld {
  BrokerWorld() {
    auto opened = broker::BrokerStore::Open(dir.path());
    if (!opened.ok()) __builtin_trap();
    store = std::move(*opened);
    registry = std::make_unique<broker::PrincipalRegistry>(*store);
    auto enrolled = registry->EnrollAdmin("fuzz-admin", FixedCurveKey());
    if (!enrolled.ok()) __builtin_trap();
    admin = *enrolled;
    static const std::vector<wire::SummarySnapshot> fixtures = {
        FixtureSnapshot("helpdesk-heerlen", "2026-W46",
                        {{"GM0917", "schulden", "schulden.schuldhulpverlening", 6, 5},
                         {"GM0917", "werk", "", 3, 3},
                         {"GM0928", "schulden", "", 9, 8}}),
        FixtureSnapshot("clientenraad-venlo", "2026-W46",
                        {{"GM0983", "schulden", "schulden.budgetbeheer", 12, 10}, {"GM0917", "werk", "", 2, 1}}),
        FixtureSnapshot("helpdesk-heerlen", "2026-W47", {{"GM0917", "schulden", "", 4, 4}}),
    };
    for (const auto& s : fixtures) {
      if (!store->OfferSnapshot(s).ok()) __builtin_trap();
      table.Put(s);
    }
    handler = std::make_unique<broker::ControlHandler>(broker::ControlHandler::Context{
        BrokerFixtureConfig(), fuzz::Ref(), *store, *registry, table, policy, counters, fuzz::kNow,
        [] { return uint64_t{0}; }, [] { return uint32_t{0}; }, [] { return uint64_t{0}; }});
  }

  wire::ControlResponse Publish(const wire::PublishDigest& req) {
    std::string region = req.region().empty() ? BrokerFixtureConfig().region : req.region();
    auto digest = builder.Build(region, req.period(), fuzz::kNow, broker::DigestBuilder::Context::kFull);
    if (!digest.ok()) return broker::ErrorResponse(digest.status());
    if (auto seq = store->AppendDigest(*digest); !seq.ok()) return broker::ErrorResponse(seq.status());
    if (Status s = store->RecordRelease(*digest, "fuzz", "publish", fuzz::kNow); !s.ok()) {
      return broker::ErrorResponse(s);
    }
    auto r = broker::OkResponse();
    *r.mutable_digest() = std::move(*digest);
    return r;
  }

  fuzz::ScratchDir dir;
  std::unique_ptr<broker::BrokerStore> store;
  std::unique_ptr<broker::PrincipalRegistry> registry;
  broker::ThemeTable table{fuzz::Ref()};
  broker::DisclosurePolicy policy{static_cast<uint32_t>(BrokerFixtureConfig().k),
                                  static_cast<uint32_t>(BrokerFixtureConfig().min_organisations),
                                  *PTable::Make(static_cast<uint32_t>(BrokerFixtureConfig().max_deviation),
                                                BrokerFixtureConfig().variance)};
  broker::DigestBuilder builder{fuzz::Ref(), table, policy};
  broker::Counters counters;
  wire::Principal admin;
  std::unique_ptr<broker::ControlHandler> handler;
  int inputs = 0;
};

void RunBroker(const std::vector<std::string>& requests) {
  // Never destroyed at exit (RocksDB's own statics may be gone by then); the
  // folder is removed at exit.
  static BrokerWorld* world = nullptr;
  static const bool cleanup = std::atexit([] { RemoveAtExit(world->dir.path()); }) == 0;
  (void)cleanup;
  // Each input publishes at most one digest (a year's, with its context,
  // is the costliest request), on a store made afresh every ResetEvery() inputs.
  if (!world || world->inputs >= ResetEvery()) {
    delete world;
    world = nullptr;
    world = new BrokerWorld();
  }
  ++world->inputs;
  bool published = false;
  for (const auto& bytes : requests) {
    wire::ControlRequest request;
    if (!request.ParseFromString(bytes)) continue;
    if (request.body_case() == wire::ControlRequest::kPublishDigest) {
      if (published) continue;
      published = true;
    }
    // Backups go to the scratch folder, never where the input points.
    if (request.has_backup() && !request.backup().out().empty()) {
      request.mutable_backup()->set_out(world->dir.path() + "/backup-" + std::to_string(world->inputs));
    }
    // Publication is the daemon's: built as its digest worker builds it, then stored.
    wire::ControlResponse response = request.has_publish_digest() ? world->Publish(request.publish_digest())
                                                                   : world->handler->Handle(request, world->admin, fuzz::kNow);
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

const NodeConfig& NodeFixtureConfig() {
  static const NodeConfig config = [] {
    NodeConfig c;
    c.path = "/etc/signaal/node.toml";
    c.id = "fuzz-node";
    c.name = "Fuzz node";
    c.type = "helpdesk";
    c.municipality = "GM0917";
    c.broker_endpoint = "tcp://127.0.0.1:9";  // nothing listens: the link never connects
    c.broker_public_key = GenerateCurveKeyPair().public_key;
    c.retention_days = 365;
    c.min_cell = 3;
    return c;
  }();
  return config;
}

const BrokerLink& Link() {
  static zmq::context_t* ctx = new zmq::context_t(1);
  static BrokerLink* link = new BrokerLink(*ctx, NodeFixtureConfig().broker_endpoint,
                                                       GenerateCurveKeyPair(), NodeFixtureConfig().broker_public_key);
  return *link;
}

const std::string kPseudonymSecret(32, 's');
const std::string kDataKey(32, 'k');

// "Sending": each due snapshot goes through the broker's validator and is
// acked as the broker would ack it. What a node signs, the broker must take.
void SendDue(node::Outbox& outbox) {
  static const broker::SnapshotValidator validator(fuzz::Ref());
  static const wire::Principal enrolled = [] {
    wire::Principal p;
    p.set_id(NodeFixtureConfig().id);
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
}

// A node's state as NodeDaemon builds it, without the sockets.
struct NodeWorld {
  NodeWorld() { Open(); }
  void Open() {
    auto opened = node::SignalStore::Open(dir.path(), kPseudonymSecret, kDataKey);
    if (!opened.ok()) __builtin_trap();
    store = std::move(*opened);
    const NodeConfig& c = NodeFixtureConfig();
    outbox = std::make_unique<node::Outbox>(*store, fuzz::Ref(), c.id, fuzz::TestSigningKey(), c.retention_days,
                                            c.min_cell);
    control = std::make_unique<node::LocalControl>(node::LocalControl::Context{
        c, fuzz::Ref(), *store, *outbox, Link(), counters, [this] { SendDue(*outbox); }});
  }
  // A restart finds what was stored.
  void Restart() {
    uint64_t signals = store->CountSignals();
    std::vector<std::string> pending = outbox->PendingPeriods();
    control.reset();
    outbox.reset();
    store.reset();
    Open();
    if (store->CountSignals() != signals || outbox->PendingPeriods() != pending) __builtin_trap();
  }

  fuzz::ScratchDir dir;
  node::NodeCounters counters;
  std::unique_ptr<node::SignalStore> store;
  std::unique_ptr<node::Outbox> outbox;
  std::unique_ptr<node::LocalControl> control;
  int inputs = 0;
};

void RunNode(const std::vector<std::string>& requests) {
  static NodeWorld* world = nullptr;  // as in RunBroker
  static const bool cleanup = std::atexit([] { RemoveAtExit(world->dir.path()); }) == 0;
  (void)cleanup;
  if (!world || world->inputs >= ResetEvery() || world->store->CountSignals() > 5000) {
    if (world) world->Restart();
    delete world;
    world = nullptr;
    world = new NodeWorld();
  }
  ++world->inputs;
  for (const auto& bytes : requests) {
    wire::NodeRequest request;
    if (!request.ParseFromString(bytes)) continue;
    if (request.has_backup() && !request.backup().out().empty()) {
      request.mutable_backup()->set_out(world->dir.path() + "/backup-" + std::to_string(world->inputs));
    }
    wire::NodeResponse response = world->control->Handle(request, fuzz::kNow);
    if (fuzz::Verbose()) {
      std::fprintf(stderr, "  node request %d: ok %d %s (body %d)\n", static_cast<int>(request.body_case()),
                   response.ok(), response.error().c_str(), static_cast<int>(response.body_case()));
    }
    if (!response.ok() && (response.error().empty() || response.error_code() == 0)) __builtin_trap();
    (void)response.SerializeAsString();
  }
  if (ResetEvery() == 1) world->Restart();
}

}  // namespace

// The scratch stores need no durability: without these, the syncs of every
// store opened per input (WAL, MANIFEST, OPTIONS, synced puts) dominate the
// run time. Defined here, they take the place of libc's for RocksDB too.
extern "C" int fsync(int) { return 0; }
extern "C" int fdatasync(int) { return 0; }

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  signaal::fuzz::Quiet();
  if (size == 0) return 0;
  auto requests = SplitRequests(data + 1, size - 1);
  if (data[0] & 1) {
    RunNode(requests);
  } else {
    RunBroker(requests);
  }
  return 0;
}
