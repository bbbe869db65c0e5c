#include "node_daemon.h"
#include "node_metrics.h"

#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <filesystem>

#include "signaal/files.h"
#include "signaal/log.h"
#include "signaal/period.h"
#include "signaal/service.h"
#include "signaal/text.h"
#include "signaal/wire_limits.h"
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
  // The scrubber itself is loaded when a quote needs it (ScrubberCache).
  if (Status s = PiiScrubber::Check(config.reference_dir.empty() ? ReferenceData::DefaultDir() : config.reference_dir,
                                    config.dictionary);
      !s.ok()) {
    return s.Prefixed(config.path + ": key 'scrub.dictionary'");
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
  if (!config.web_listen.empty()) {
    if (Status s = d->StartIntakePage(); !s.ok()) return s;
  }
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
      scrubbers_(std::make_unique<ScrubberCache>(
          config_.reference_dir.empty() ? ReferenceData::DefaultDir() : config_.reference_dir, config_.dictionary)),
      store_(std::move(store)),
      outbox_(*store_, ref_, config_.id, keys_.signing, config_.retention_days, config_.min_cell),
      ctx_(1) {
  store_->SetScrubbers(scrubbers_.get());
  link_ = std::make_unique<BrokerLink>(ctx_, config_.broker_endpoint, keys_.curve, config_.broker_public_key);
  worker_ = std::make_unique<StoreWorker>(ctx_, config_, ref_, *store_);
  handler_ = std::make_unique<LocalControl>(
      LocalControl::Context{config_, ref_, *store_, outbox_, *link_, counters_, [this] { SendDue(); },
                            [this](wire::NodeStatus& status) { DescribeJobs(status); }, scrubbers_.get()});
}

NodeDaemon::~NodeDaemon() {
  intake_.reset();  // the page's thread ends before its socket's peer closes
  web_.reset();
  worker_.reset();  // waits for the job it runs: all of it is stored, or nothing
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
  int64_t next_advice = 0;  // at start and on every new connection, then every kAdviceFeedInterval
  int64_t next_recover = 0;
  ServiceManager service;  // systemd readiness and watchdog; a no-op outside systemd
  service.NotifyReady("node " + config_.id + ", broker " + config_.broker_endpoint);
  while (!stop.load()) {
    service.NotifyWatchdog();
    zmq::pollitem_t items[] = {
        {control_->handle(), 0, ZMQ_POLLIN, 0},
        {link_->socket().handle(), 0, ZMQ_POLLIN, 0},
        {link_->monitor().handle(), 0, ZMQ_POLLIN, 0},
        {worker_->socket().handle(), 0, ZMQ_POLLIN, 0},
        {metrics_ ? metrics_->socket().handle() : nullptr, 0, ZMQ_POLLIN, 0},
        {web_ ? web_->handle() : nullptr, 0, ZMQ_POLLIN, 0},
    };
    try {
      zmq::poll(items, web_ ? 6 : metrics_ ? 5 : 4, std::chrono::milliseconds(200));
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) continue;
      return Status::Runtime(std::string("poll failed: ") + e.what());
    }
    if (items[0].revents & ZMQ_POLLIN) OnControlMessage();
    if (items[1].revents & ZMQ_POLLIN) OnBrokerMessage();
    if (items[3].revents & ZMQ_POLLIN) OnJobFinished();
    if (metrics_ && (items[4].revents & ZMQ_POLLIN)) metrics_->HandleOne([this] { return RenderMetrics(); });
    if (metrics_) metrics_->CloseIdle();  // scrapers that never finish a request
    if (web_ && (items[5].revents & ZMQ_POLLIN)) OnWebMessage();
    if (items[2].revents & ZMQ_POLLIN) {
      if (link_->OnMonitor()) {
        // A fresh connection: resend what is pending without waiting for backoff.
        outbox_.ResetBackoff();
        next_heartbeat = 0;
        next_advice = 0;
        broker_sends_no_digests_ = false;  // perhaps upgraded meanwhile
      }
    }

    int64_t now = Now();
    link_->Maintain(now);
    scrubbers_->ReleaseIfIdle(std::chrono::steady_clock::now());
    // Publication and the purge wait while a job holds the store (store_jobs.h).
    bool idle = !worker_->busy() && waiting_.empty();
    if (now >= next_purge && idle) {
      StartPurge(now);
      next_purge = now + 86400;
      idle = false;
    }
    if (now >= next_publish && idle) {
      auto published = outbox_.Publish(now);
      if (!published.ok()) spdlog::error("{}", published.status().message());
      else if (!published->empty()) spdlog::info("new snapshots for {} weeks", published->size());
      next_publish = now + config_.interval_s;
    }
    if (now >= next_heartbeat) {
      SendHeartbeat();
      next_heartbeat = now + config_.heartbeat_s;
    }
    if (now >= next_advice || advice_stale_) {
      advice_stale_ = false;
      AskAdviceFeed();
      next_advice = now + kAdviceFeedInterval;
    }
    // A full disk: RocksDB is read-only until the space is back. Status says
    // so until a write succeeds or Resume finds the cause gone.
    if (now >= next_recover && !store_->LastFailure().message.empty()) {
      if (Status r = store_->Recover(); !r.ok()) spdlog::debug("{}", r.message());
      next_recover = now + 5;
    }
    SendDue();
  }
  service.NotifyStopping();
  spdlog::info("signaal-node stopping");
  return Status::Ok();
}

void NodeDaemon::StartPurge(int64_t now) {
  auto job = std::make_unique<StoreJob>();
  job->purge_before = IsoWeekOf(DateFromUnix(now - int64_t{86400} * config_.retention_days));
  job->now = now;
  // Quotes leave the broker before their signals leave the node: in the
  // last week of their week's retention they are withdrawn, and the week,
  // still inside the window, goes out once more without them.
  auto expired = store_->ExpireQuotes(AddWeeks(job->purge_before, 1), now);
  if (!expired.ok()) {
    spdlog::error("retention: {}", expired.status().message());
  } else if (*expired > 0) {
    spdlog::info("retention: withdrew {} quotes of weeks before {}", *expired, AddWeeks(job->purge_before, 1));
    if (auto published = outbox_.Publish(now); !published.ok()) spdlog::error("{}", published.status().message());
    SendDue();
  }
  StartJob(std::move(job));
}

void NodeDaemon::StartJob(std::unique_ptr<StoreJob> job) {
  // From here until OnJobFinished the job owns the store's signal side.
  outbox_.Hold(true);
  worker_->Start(std::move(job), Now());
}

void NodeDaemon::OnJobFinished() {
  std::unique_ptr<StoreJob> job = worker_->Finished();
  if (!job) return;
  outbox_.Hold(false);  // the signal side is the loop's again
  if (!job->request.has_import_csv() && !job->request.has_erase() && !job->request.has_backup()) {
    if (!job->purge_status.ok()) {
      spdlog::error("{}", job->purge_status.message());
    } else if (job->purged > 0) {
      if (Status s = outbox_.Refresh(); !s.ok()) spdlog::error("{}", s.message());
      spdlog::info("retention: purged {} signals from before {} ({} days) in {} ms", job->purged,
                   job->purge_before, config_.retention_days, job->millis);
    }
  } else {
    spdlog::info("{}: done in {} ms{}", job->Describe(), job->millis, job->response.ok() ? "" : ", refused or failed");
    wire::NodeResponse resp = handler_->Finish(*job, Now());
    zmq::message_t rid(job->routing_id.data(), job->routing_id.size());
    // The asker may have gone (its CLI stopped); the job's effect stands.
    Reply(rid, job->web_number, resp);
  }
  while (!worker_->busy() && !waiting_.empty()) {
    Waiting next = std::move(waiting_.front());
    waiting_.pop_front();
    Dispatch(std::move(next.routing_id), std::move(next.request), next.account, next.web_number);
  }
}

namespace {

// The account of the process at the other end of a control connection
// (SO_PEERCRED on its ipc socket): who approved a quote is who ran the
// command, not a name the request carries.
std::string PeerAccount(zmq::message_t& frame) {
  const int fd = zmq_msg_get(frame.handle(), ZMQ_SRCFD);
  ucred cred{};
  socklen_t size = sizeof cred;
  if (fd < 0 || getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &size) != 0) return "unknown";
  char buf[1024];
  passwd pw{};
  passwd* found = nullptr;
  if (getpwuid_r(cred.uid, &pw, buf, sizeof buf, &found) == 0 && found) return found->pw_name;
  return "uid " + std::to_string(cred.uid);
}

// Requests that change the store wait while a job holds it (store_jobs.h).
bool ChangesStore(const wire::NodeRequest& req) {
  if (req.has_add() || req.has_correct() || req.has_follow_up() || req.has_publish() || IsStoreJob(req)) return true;
  return req.has_quotes() && req.quotes().action() != wire::QuoteRequest::LIST &&
         req.quotes().action() != wire::QuoteRequest::SHOW;
}

}  // namespace

void NodeDaemon::Dispatch(zmq::message_t routing_id, wire::NodeRequest request, const std::string& account,
                          const std::string& web_number) {
  if (IsStoreJob(request)) {
    auto job = std::make_unique<StoreJob>();
    job->request = std::move(request);
    job->routing_id = routing_id.to_string();
    job->web_number = web_number;
    job->now = Now();
    StartJob(std::move(job));
    return;
  }
  Reply(routing_id, web_number, handler_->Handle(request, Now(), account, !web_number.empty()));
}

void NodeDaemon::Reply(const zmq::message_t& routing_id, const std::string& web_number,
                       const wire::NodeResponse& response) {
  if (web_number.empty()) {
    SendProto(*control_, response, &routing_id);
    return;
  }
  if (!web_) return;
  // [routing id][number][NodeResponse]; the page's thread may have given up
  // on it (its NodeLink drops an answer to an earlier number).
  try {
    web_->send(zmq::buffer(routing_id.data(), routing_id.size()), zmq::send_flags::sndmore | zmq::send_flags::dontwait);
    web_->send(zmq::buffer(web_number), zmq::send_flags::sndmore | zmq::send_flags::dontwait);
    SendProto(*web_, response);
  } catch (const zmq::error_t& e) {
    spdlog::warn("intake page: cannot answer: {}", e.what());
  }
}

void NodeDaemon::DescribeJobs(wire::NodeStatus& status) const {
  status.set_requests_waiting(static_cast<uint32_t>(waiting_.size()));
  if (!worker_->busy()) return;
  status.set_job(worker_->what());
  status.set_job_since(worker_->since());
  status.set_job_stage(JobProgress::StageName(worker_->progress().stage.load(std::memory_order_relaxed)));
  status.set_job_rows(worker_->progress().rows.load(std::memory_order_relaxed));
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
  // With every heartbeat the node stays subscribed to the digests its
  // signals fed, from the newest it keeps: a broker that restarted learns of
  // it again, and one that has not sends nothing twice (same connection).
  if (broker_sends_no_digests_) return;
  auto cursor = store_->DigestCursor();
  if (!cursor.ok()) return spdlog::error("{}", cursor.status().message());
  wire::ClientMessage subscribe;
  subscribe.set_schema(wire::SCHEMA_V2);
  subscribe.mutable_subscribe()->set_after_sequence(*cursor);
  link_->Send(subscribe);
}

void NodeDaemon::AskAdviceFeed() {
  if (broker_sends_no_digests_) return;
  wire::ClientMessage m;
  m.set_schema(wire::SCHEMA_V2);
  m.mutable_advice_feed_request();
  link_->Send(m);
}

void NodeDaemon::OnDigest(const wire::Digest& digest) {
  // Only what the node may hold and show: a published digest (numbered) of
  // an area it lies in, every string within its bound and printable.
  Status ok = CheckWireStrings(digest);
  if (ok.ok() && digest.sequence() == 0) ok = Status::Refused("it has no sequence number: not a published digest");
  if (ok.ok()) {
    // Its weeks are its period's: whatever later walks a kept digest's weeks
    // walks at most a year of them.
    auto range = ParsePeriod(digest.period());
    if (!range.ok()) {
      ok = Status::Refused("its period is not a period");
    } else if (range->from != digest.from_week() || range->to != digest.to_week()) {
      ok = Status::Refused("its weeks are not those of its period");
    }
  }
  if (ok.ok() && !ref_.RegionWithin(config_.municipality, digest.region())) {
    ok = Status::Refused("it is not of an area this node lies in");
  }
  if (!ok.ok()) {
    counters_.digests_refused++;
    return spdlog::warn("did not keep a digest from the broker: {}", ok.message());
  }
  if (Status s = store_->KeepDigest(digest, SignalStore::kDigestsKept); !s.ok()) return spdlog::error("{}", s.message());
  counters_.digests_received++;
  advice_stale_ = true;  // a new digest: its advice section may hold news for the feed too
  spdlog::info("kept digest {} of {} {}", digest.sequence(), digest.region(), digest.period());
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
    if (m->has_digest()) {
      OnDigest(m->digest().digest());
      continue;
    }
    if (m->has_advice_feed()) {
      if (Status s = CheckWireStrings(m->advice_feed()); !s.ok()) {
        spdlog::warn("did not keep the advice feed from the broker: {}", s.message());
      } else if (Status k = store_->KeepAdviceFeed(m->advice_feed()); !k.ok()) {
        spdlog::error("{}", k.message());
      }
      continue;
    }
    if (m->has_heartbeat_ack() && m->heartbeat_ack().has_newest_version()) {
      outbox_.OnBrokerNewest(m->heartbeat_ack().newest_version(), now);
    }
    if (m->has_ack()) {
      counters_.snapshots_acked++;
      counters_.last_ack_unix = now;
      outbox_.OnAck(m->ack().period(), m->ack().version());
      if (!m->ack().refused_quotes().empty()) {
        counters_.quotes_refused += m->ack().refused_quotes_size();
        for (const auto& r : m->ack().refused_quotes()) {
          spdlog::warn("broker refused quote {} of {}: {} ({}); `signaal node quotes show {}` to edit it",
                       EscapeText(r.quote_id()), EscapeText(m->ack().period()), EscapeText(r.reason()),
                       EscapeText(r.detail()), EscapeText(r.quote_id()));
        }
        if (Status s = store_->RefuseQuotes(m->ack().refused_quotes(), now); !s.ok()) spdlog::error("{}", s.message());
      }
    } else if (m->has_nack() && m->nack().reason() == "forbidden" && m->nack().period().empty()) {
      // A broker from before issue 18 refuses a node's Subscribe and advice
      // request: no snapshot was refused. Asked again only on a new connection.
      if (!broker_sends_no_digests_) {
        spdlog::info("the broker sends no digests to nodes (it is older than this node): {}", m->nack().detail());
      }
      broker_sends_no_digests_ = true;
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
  } else if (ChangesStore(req)) {
    // These change the store: at once when no job holds it, else after it.
    std::string account = PeerAccount(frames[1]);
    if (!worker_->busy() && waiting_.empty()) {
      Dispatch(std::move(frames[0]), std::move(req), account, "");
      return;
    }
    if (waiting_.size() < kMaxWaiting) {
      waiting_.push_back({std::move(frames[0]), std::move(req), std::move(account), ""});
      return;
    }
    resp = NodeError(Status::Refused("busy: " + worker_->what() + " is running and " +
                                     std::to_string(waiting_.size()) +
                                     " requests wait for it; try again when `signaal node status` shows no job"));
  } else {
    resp = handler_->Handle(req, Now(), PeerAccount(frames[1]));
  }
  SendProto(*control_, resp, &frames[0]);
}

}  // namespace signaal::node

namespace signaal::node {

Status NodeDaemon::StartIntakePage() {
  web_ = std::make_unique<zmq::socket_t>(ctx_, zmq::socket_type::router);
  web_->set(zmq::sockopt::linger, 0);
  web_->set(zmq::sockopt::router_mandatory, true);
  web_->bind(web::IntakePage::kLoopEndpoint);
  auto page = web::IntakePage::Start(ctx_, config_, ref_);
  if (!page.ok()) return page.status();
  intake_ = std::move(*page);
  return Status::Ok();
}

void NodeDaemon::OnWebMessage() {
  std::vector<zmq::message_t> frames;
  bool too_many = false;
  if (!RecvBounded(*web_, frames, 3, &too_many) || too_many || frames.size() != 3) {
    // The page is this process's own code: a malformed request is a bug, counted and logged.
    counters_.control_refused++;
    spdlog::error("intake page: a request that is not [number][NodeRequest]");
    return;
  }
  const std::string number = frames[1].to_string();
  wire::NodeRequest req;
  if (!req.ParseFromArray(frames[2].data(), static_cast<int>(frames[2].size()))) {
    counters_.control_refused++;
    Reply(frames[0], number, NodeError(Status::Usage("the request is not a NodeRequest")));
    return;
  }
  // Who decided on a quote: the page's account, told apart from a system account of the same name.
  const std::string account = "web:" + req.web_account();
  if (ChangesStore(req) && (worker_->busy() || !waiting_.empty())) {
    // The page does not wait behind a long job: the volunteer is told at once, and nothing is queued
    // that could be stored after the page gave up (and stored twice when they try again).
    Reply(frames[0], number,
          NodeError(Status::Refused("busy: " + worker_->what() + " is running; try again in a minute")));
    return;
  }
  Dispatch(std::move(frames[0]), std::move(req), account, number);
}

}  // namespace signaal::node
