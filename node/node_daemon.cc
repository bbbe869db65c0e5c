#include "node_daemon.h"
#include "node_metrics.h"

#include <sys/stat.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>

#include "signaal/files.h"
#include "signaal/log.h"
#include "signaal/period.h"
#include "signaal/service.h"
#include "signaal/zmq_util.h"

namespace signaal::node {
namespace {

int64_t Now() { return static_cast<int64_t>(std::time(nullptr)); }

}  // namespace

Status NodeDaemon::CheckConfig(const NodeConfig& config) { return Prepare(config).status(); }

Result<NodeDaemon::Prepared> NodeDaemon::Prepare(const NodeConfig& config) {
  auto keys = ReadKeyFile(config.key_file);
  if (!keys.ok()) return keys.status().Prefixed(config.path + ": key 'node.key_file'");
  if (keys->signing.public_hex.empty() || keys->pseudonym_secret_hex.empty() || keys->data_key_hex.empty()) {
    return Status::Usage(config.path + ": key 'node.key_file': " + config.key_file +
                         " lacks the signing key, pseudonym secret or data key; is it a node key?");
  }
  auto secret = FromHex(keys->pseudonym_secret_hex);
  if (!secret.ok()) return Status::Usage("key file " + config.key_file + ": field 'pseudonym_secret' is not hex");
  auto data_key = FromHex(keys->data_key_hex);
  if (!data_key.ok() || data_key->size() != 32) {
    return Status::Usage("key file " + config.key_file + ": field 'data_key' is not a 32-byte hex key");
  }
  if (!IsValidCurveKey(config.broker_public_key)) {
    return Status::Usage(config.path + ": key 'broker.public_key' is not a Z85 CURVE key");
  }
  auto ref = ReferenceData::Load(config.reference_dir.empty() ? ReferenceData::DefaultDir() : config.reference_dir);
  if (!ref.ok()) return ref.status().Prefixed(config.path + ": key 'node.reference_dir'");
  if (std::find(ReferenceData::Channels().begin(), ReferenceData::Channels().end(), config.type) ==
      ReferenceData::Channels().end()) {
    return Status::Usage(config.path + ": key 'node.type': unknown type '" + config.type + "'");
  }
  if (Status s = CheckWritableFolder(config.data_dir); !s.ok()) {
    return s.Prefixed(config.path + ": key 'node.data_dir'");
  }
  // The config reader took only ipc://: the socket's folder must be the node's own.
  if (Status s = PrepareSocketPath(IpcPath(config.control), false); !s.ok()) {
    return s.Prefixed(config.path + ": key 'node.control'");
  }
  return Prepared{std::move(*keys), std::move(*ref), std::move(*secret), std::move(*data_key)};
}

Result<std::unique_ptr<NodeDaemon>> NodeDaemon::Create(const NodeConfig& config) {
  auto parts = Prepare(config);
  if (!parts.ok()) return parts.status();
  auto store = SignalStore::Open(config.data_dir, parts->pseudonym_secret, parts->data_key);
  if (!store.ok()) return store.status().Prefixed(config.path + ": key 'node.data_dir'");
  std::unique_ptr<NodeDaemon> d(
      new NodeDaemon(config, std::move(parts->keys), std::move(parts->ref), std::move(*store)));
  if (Status s = d->BindControl(); !s.ok()) return s;
  if (!config.metrics_listen.empty()) {
    auto metrics = MetricsEndpoint::Bind(d->ctx_, config.metrics_listen);
    if (!metrics.ok()) return metrics.status().Prefixed(config.path + ": key 'metrics.listen'");
    d->metrics_ = std::move(*metrics);
  }
  return d;
}

NodeDaemon::NodeDaemon(NodeConfig config, KeyFile keys, ReferenceData ref, std::unique_ptr<SignalStore> store)
    : config_(std::move(config)),
      keys_(std::move(keys)),
      ref_(std::move(ref)),
      store_(std::move(store)),
      outbox_(*store_, ref_, config_.id, keys_.signing, config_.retention_days, config_.min_cell),
      ctx_(1) {
  link_ = std::make_unique<BrokerLink>(ctx_, config_.broker_endpoint, keys_.curve, config_.broker_public_key);
  handler_ = std::make_unique<LocalControl>(LocalControl::Context{
      config_, ref_, *store_, outbox_, *link_, counters_, [this] { SendDue(); }});
}

NodeDaemon::~NodeDaemon() {
  control_.reset();
  link_.reset();
}

Status NodeDaemon::BindControl() {
  // Only the node's own user may reach the control socket (ipc://, said the config reader).
  if (Status s = PrepareSocketPath(IpcPath(config_.control), true); !s.ok()) {
    return s.Prefixed(config_.path + ": key 'node.control'");
  }
  control_ = std::make_unique<zmq::socket_t>(ctx_, zmq::socket_type::router);
  control_->set(zmq::sockopt::maxmsgsize, kMaxLocalMessage);
  control_->set(zmq::sockopt::linger, 0);
  control_->set(zmq::sockopt::router_mandatory, true);
  try {
    control_->bind(config_.control);
  } catch (const zmq::error_t& e) {
    return Status::Runtime("cannot bind the control socket " + config_.control + " (node.control): " + e.what());
  }
  return Status::Ok();
}

Status NodeDaemon::Run(const std::atomic<bool>& stop) {
  spdlog::info("signaal-node ready: node {}, broker {}, {} signals, outbox {}", config_.id, config_.broker_endpoint,
               store_->CountSignals(), outbox_.depth());
  int64_t next_publish = Now() + config_.interval_s;
  int64_t next_purge = 0;  // at start, then daily
  int64_t next_heartbeat = 0;
  ServiceManager service;  // systemd readiness and watchdog; a no-op outside systemd
  service.NotifyReady("node " + config_.id + ", broker " + config_.broker_endpoint);
  while (!stop.load()) {
    service.NotifyWatchdog();
    zmq::pollitem_t items[] = {
        {control_->handle(), 0, ZMQ_POLLIN, 0},
        {link_->socket().handle(), 0, ZMQ_POLLIN, 0},
        {link_->monitor().handle(), 0, ZMQ_POLLIN, 0},
        {metrics_ ? metrics_->socket().handle() : nullptr, 0, ZMQ_POLLIN, 0},
    };
    try {
      zmq::poll(items, metrics_ ? 4 : 3, std::chrono::milliseconds(200));
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) continue;
      return Status::Runtime(std::string("poll failed: ") + e.what());
    }
    if (items[0].revents & ZMQ_POLLIN) OnControlMessage();
    if (items[1].revents & ZMQ_POLLIN) OnBrokerMessage();
    if (metrics_ && (items[3].revents & ZMQ_POLLIN)) metrics_->HandleOne([this] { return RenderMetrics(); });
    if (metrics_) metrics_->CloseIdle();  // scrapers that never finish a request
    if (items[2].revents & ZMQ_POLLIN) {
      if (link_->OnMonitor()) {
        // A fresh connection: resend what is pending without waiting for backoff.
        outbox_.ResetBackoff();
        next_heartbeat = 0;
      }
    }

    int64_t now = Now();
    link_->Maintain(now);
    if (now >= next_purge) {
      PurgeExpired(now);
      next_purge = now + 86400;
    }
    if (now >= next_publish) {
      auto published = outbox_.Publish(now);
      if (!published.ok()) spdlog::error("{}", published.status().message());
      else if (!published->empty()) spdlog::info("new snapshots for {} weeks", published->size());
      next_publish = now + config_.interval_s;
    }
    if (now >= next_heartbeat) {
      SendHeartbeat();
      next_heartbeat = now + config_.heartbeat_s;
    }
    SendDue();
  }
  service.NotifyStopping();
  spdlog::info("signaal-node stopping");
  return Status::Ok();
}

void NodeDaemon::PurgeExpired(int64_t now) {
  std::string oldest = IsoWeekOf(DateFromUnix(now - int64_t{86400} * config_.retention_days));
  auto purged = store_->PurgeBefore(oldest);
  if (!purged.ok()) {
    spdlog::error("{}", purged.status().message());
  } else if (*purged > 0) {
    if (Status s = outbox_.Refresh(); !s.ok()) spdlog::error("{}", s.message());
    spdlog::info("retention: purged {} signals from before {} ({} days)", *purged, oldest, config_.retention_days);
  }
}

void NodeDaemon::SendDue() {
  if (link_->state() == BrokerLink::State::kRefused) return;
  for (const auto& envelope : outbox_.Due(std::chrono::steady_clock::now())) {
    wire::ClientMessage m;
    m.set_schema(wire::SCHEMA_V2);  // its cells carry key sums
    if (!m.mutable_snapshot()->ParseFromString(envelope)) continue;
    if (link_->Send(m)) counters_.snapshots_sent++;
  }
}

void NodeDaemon::SendHeartbeat() {
  wire::ClientMessage m;
  m.set_schema(wire::SCHEMA_V2);
  auto* hb = m.mutable_heartbeat();
  hb->set_outbox_depth(static_cast<uint32_t>(outbox_.depth()));
  hb->set_software_version(SIGNAAL_VERSION);
  hb->set_taxonomy_version(ref_.taxonomy_version());
  link_->Send(m);
}

std::string NodeDaemon::RenderMetrics() {
  wire::NodeRequest request;
  request.mutable_status();
  int64_t now = Now();
  return RenderNodeMetrics(handler_->Handle(request, now).status(), counters_, now);
}

void NodeDaemon::OnBrokerMessage() {
  while (auto m = link_->Receive()) {
    int64_t now = Now();
    if (!m->has_nack() || m->nack().reason() != "revoked") link_->HeardFromBroker(now);
    if (m->has_heartbeat_ack() && m->heartbeat_ack().has_newest_version()) {
      outbox_.OnBrokerNewest(m->heartbeat_ack().newest_version(), now);
    }
    if (m->has_ack()) {
      counters_.snapshots_acked++;
      counters_.last_ack_unix = now;
      outbox_.OnAck(m->ack().period(), m->ack().version());
    } else if (m->has_nack()) {
      counters_.snapshots_nacked++;
      counters_.nacked_by_reason[m->nack().reason()]++;
      counters_.last_nack = m->nack().reason() + ": " + m->nack().detail();
      spdlog::warn("broker refused: {} ({})", m->nack().reason(), m->nack().detail());
      outbox_.OnNack(m->nack().reason(), m->nack().period(), m->nack().version(), m->nack().stored_version(), now);
      if (m->nack().reason() == "revoked") link_->RefusedByBroker(now);
    }
  }
}

void NodeDaemon::OnControlMessage() {
  std::vector<zmq::message_t> frames;
  bool too_many = false;
  bool received = RecvBounded(*control_, frames, 2, &too_many);
  if (!received && !too_many) return;
  wire::NodeRequest req;
  wire::NodeResponse resp;
  if (too_many || frames.size() != 2) {
    // Answered when there is someone to answer: a request is one frame.
    counters_.control_refused++;
    if (frames.empty()) return;
    resp = NodeError(Status::Usage("a request is one frame; this one had more"));
  } else if (!req.ParseFromArray(frames[1].data(), static_cast<int>(frames[1].size()))) {
    counters_.control_refused++;
    resp = NodeError(Status::Usage("the request is not a NodeRequest"));
  } else if (req.schema() != wire::SCHEMA_V1) {
    counters_.control_refused++;
    resp = NodeError(Status::Refused("schema version " + std::to_string(req.schema()) + " is not supported"));
  } else {
    resp = handler_->Handle(req, Now());
  }
  SendProto(*control_, resp, &frames[0]);
}

}  // namespace signaal::node
