#include "broker_daemon.h"
#include "broker_area.h"
#include "broker_metrics.h"
#include "risk_report.h"

#include <chrono>
#include <vector>
#include <ctime>

#include "signaal/files.h"
#include "signaal/log.h"
#include "signaal/period.h"
#include "signaal/service.h"
#include "signaal/text.h"
#include "signaal/wire_limits.h"
#include "signaal/zmq_util.h"

namespace signaal::broker {
namespace {

// The authenticated principal id of the connection a frame came from.
std::string UserId(zmq::message_t& frame) {
  try {
    const char* id = frame.gets("User-Id");
    return id ? id : "";
  } catch (const zmq::error_t&) {
    return "";
  }
}

}  // namespace

int64_t BrokerDaemon::Now() { return static_cast<int64_t>(std::time(nullptr)); }

Status BrokerDaemon::CheckConfig(const BrokerConfig& config) { return Prepare(config).status(); }

Result<BrokerDaemon::Prepared> BrokerDaemon::Prepare(const BrokerConfig& config) {
  auto keys = ReadKeyFile(config.key_file);
  if (!keys.ok()) return keys.status().Prefixed(config.path + ": key 'broker.key_file'");
  std::string ref_dir = config.reference_dir.empty() ? ReferenceData::DefaultDir() : config.reference_dir;
  auto ref = ReferenceData::Load(ref_dir);
  if (!ref.ok()) return ref.status().Prefixed(config.path + ": key 'broker.reference_dir'");
  if (!ref->FindRegion(config.region)) {
    return Status::Usage(config.path + ": key 'broker.region': unknown region '" + config.region + "'");
  }
  auto schedule = DigestSchedule::FromConfig(config, *ref);
  if (!schedule.ok()) return schedule.status();
  for (const auto& region : *schedule ? (*schedule)->regions() : std::vector<std::string>{}) {
    Status s = BrokerArea(*ref, config.region).CheckRegion(region, config.path + ": key 'schedule.regions'");
    if (!s.ok()) return s;
  }
  if (!IpcPath(config.control).empty()) {
    if (Status s = PrepareSocketPath(IpcPath(config.control), false); !s.ok()) {
      return s.Prefixed(config.path + ": key 'broker.control'");
    }
  }
  if (Status s = CheckWritableFolder(config.data_dir); !s.ok()) {
    return s.Prefixed(config.path + ": key 'broker.data_dir'");
  }
  // D and V are checked together here, not key by key in the config reader:
  // whether a variance can be met depends on the deviation.
  auto ptable = PTable::Make(static_cast<uint32_t>(config.max_deviation), config.variance);
  // (D = 0, the table without noise, never gets here: the config reader
  // takes 1..20.)
  if (!ptable.ok()) {
    return Status::Usage(config.path + ": keys 'disclosure.max_deviation' and 'disclosure.variance': " +
                         ptable.status().message());
  }
  auto scrubber = PiiScrubber::Load(ref_dir, config.dictionary);
  if (!scrubber.ok()) return scrubber.status().Prefixed(config.path + ": key 'scrub.dictionary'");
  std::optional<MailSender> mail;
  if (!config.mail_from.empty()) {
    auto sender = MailService::SenderFromConfig(config);
    if (!sender.ok()) return sender.status();
    mail = std::move(*sender);
  }
  std::optional<KeyFile> upstream_keys;
  if (!config.upstream_endpoint.empty()) {
    auto up = ReadKeyFile(config.upstream_key_file);
    if (!up.ok()) return up.status().Prefixed(config.path + ": key 'upstream.key_file'");
    if (up->signing.secret_hex.empty() || up->pseudonym_secret_hex.size() < 64) {
      return Status::Usage(config.path + ": key 'upstream.key_file': " + config.upstream_key_file +
                           " holds no signing key or partner-token secret; make it with `signaal-broker upstream init`");
    }
    if (!IsValidCurveKey(config.upstream_public_key)) {
      return Status::Usage(config.path + ": key 'upstream.public_key' is not a Z85 CURVE key");
    }
    upstream_keys = std::move(*up);
  }
  return Prepared{std::move(*keys),   std::move(*ref),      std::move(*schedule), std::move(*ptable),
                  std::move(*scrubber), std::move(mail), std::move(upstream_keys)};
}

Result<std::unique_ptr<BrokerDaemon>> BrokerDaemon::Create(const BrokerConfig& config) {
  auto parts = Prepare(config);
  if (!parts.ok()) return parts.status();
  auto store = BrokerStore::Open(config.data_dir);
  if (!store.ok()) return store.status().Prefixed(config.path + ": key 'broker.data_dir'");
  std::unique_ptr<BrokerDaemon> d(new BrokerDaemon(config, std::move(parts->ref), std::move(parts->ptable),
                                                  std::move(parts->scrubber), std::move(*store)));
  d->schedule_ = std::move(parts->schedule);
  if (Status s = d->Bind(parts->keys.curve); !s.ok()) return s;
  if (parts->mail) {
    d->mail_ = std::make_unique<MailService>(d->ctx_, d->config_, std::move(*parts->mail), *d->store_, d->counters_);
    d->digests_->set_mail_for([daemon = d.get()](const wire::Digest& digest) { return daemon->MailFor(digest); });
    spdlog::info("mail: digests are mailed from {} through {}", d->config_.mail_from, d->config_.mail_smtp_url);
  }
  if (parts->upstream_keys) {
    d->upstream_ = std::make_unique<Upstream>(
        d->ctx_, *d->store_, d->ref_,
        Upstream::Settings{config.upstream_endpoint, config.upstream_public_key, config.upstream_id,
                           std::move(*parts->upstream_keys)});
  }
  if (!config.metrics_listen.empty()) {
    auto metrics = MetricsEndpoint::Bind(d->ctx_, config.metrics_listen);
    if (!metrics.ok()) return metrics.status().Prefixed(config.path + ": key 'metrics.listen'");
    d->metrics_ = std::move(*metrics);
  }
  return d;
}

BrokerDaemon::BrokerDaemon(BrokerConfig config, ReferenceData ref, PTable ptable, std::unique_ptr<PiiScrubber> scrubber,
                           std::unique_ptr<BrokerStore> store)
    : config_(std::move(config)),
      ref_(std::move(ref)),
      scrubber_(std::move(scrubber)),
      store_(std::move(store)),
      registry_(*store_),
      table_(ref_),
      policy_(static_cast<uint32_t>(config_.k), static_cast<uint32_t>(config_.min_organisations), std::move(ptable)),
      validator_(ref_, config_.region),
      quote_screen_(ref_, *scrubber_),
      started_(Now()),
      ctx_(1),
      admission_(Admission::Limits{static_cast<uint32_t>(config_.digests_queued_per_subscriber),
                                   static_cast<uint32_t>(config_.digests_fetches_per_hour)}) {
  // The newest snapshot per (node, period) is the state; rebuild the table from it.
  // A revoked regional broker's region no longer counts (issue 19); a
  // revoked node's weeks do: they were what its partner heard.
  store_->ForEachSnapshot([&](const wire::SummarySnapshot& s) {
    const wire::Principal* sender = registry_.Find(s.node_id());
    if (sender && sender->revoked() && sender->role() == wire::ROLE_BROKER) return;
    table_.Put(s);
  });
  control_handler_ = std::make_unique<ControlHandler>(ControlHandler::Context{
      config_, ref_, *store_, registry_, table_, policy_, counters_, started_, [this] { return zap_->refused(); },
      [this] { return digests_->building(); }, [this] { return mail_ ? mail_->queued() : uint64_t{0}; }});
}

BrokerDaemon::~BrokerDaemon() {
  mail_.reset();     // lets a send under way finish (or abandons it) and records it in the store
  digests_.reset();  // abandons the running build and joins the worker thread, which uses ctx_
  listen_watch_.reset();  // stops monitoring `listen` before it closes
  // Close server sockets before the ZAP handler they depend on.
  listen_.reset();
  control_.reset();
  zap_.reset();
}

Status BrokerDaemon::Bind(const CurveKeyPair& server_key) {
  // The ZAP handler first: a CURVE server bound without one would fail open.
  zap_ = std::make_unique<ZapHandler>(ctx_, registry_, counters_);
  try {
    listen_ = std::make_unique<zmq::socket_t>(ctx_, zmq::socket_type::router);
    MakeCurveServer(*listen_, server_key, kListenDomain);
    listen_->set(zmq::sockopt::router_mandatory, true);
    listen_->set(zmq::sockopt::sndhwm, 1000);
    listen_watch_ = std::make_unique<PeerWatch>(ctx_, *listen_, "listen");
    listen_->bind(config_.listen);
  } catch (const zmq::error_t& e) {
    return Status::Runtime("cannot listen on " + config_.listen + " (broker.listen): " + e.what());
  }
  try {
    control_ = std::make_unique<zmq::socket_t>(ctx_, zmq::socket_type::router);
    MakeCurveServer(*control_, server_key, kControlDomain);
    control_->set(zmq::sockopt::router_mandatory, true);
    if (!IpcPath(config_.control).empty()) {
      if (Status s = PrepareSocketPath(IpcPath(config_.control), true); !s.ok()) {
        return s.Prefixed(config_.path + ": key 'broker.control'");
      }
    }
    control_->bind(config_.control);
  } catch (const zmq::error_t& e) {
    return Status::Runtime("cannot listen on " + config_.control + " (broker.control): " + e.what());
  }
  digests_ = std::make_unique<DigestService>(ctx_, ref_, policy_, *store_, table_);
  return Status::Ok();
}

Status BrokerDaemon::Run(const std::atomic<bool>& stop) {
  if (schedule_) {
    // A run missed while the broker was down is made up once, now.
    int64_t latest = schedule_->LatestAtOrBefore(Now());
    auto last = store_->LastScheduledRun();
    if (!last.ok()) return last.status();
    if (latest > *last) RunSchedule(latest);
    next_run_ = schedule_->NextAfter(Now());
    std::string regions;
    for (const auto& r : schedule_->regions()) regions += (regions.empty() ? "" : ", ") + r;
    spdlog::info("digests scheduled {} for {}; next run {}", schedule_->Describe(), regions, IsoTimeUtc(next_run_));
  }
  if (upstream_) {
    if (Status s = upstream_->Start(table_, Now()); !s.ok()) return s.Prefixed("upstream");
  }
  spdlog::info("signaal-broker ready: region {}, listen {}, control {}, {} snapshots, {} digests", config_.region,
               config_.listen, config_.control, table_.snapshot_count(), store_->last_digest_sequence());
  tally_.since = Now();
  ServiceManager service;  // systemd readiness and watchdog; a no-op outside systemd
  service.NotifyReady("region " + config_.region + ", listen " + config_.listen);
  auto catch_up_wait = std::chrono::milliseconds(200);
  while (!stop.load()) {
    service.NotifyWatchdog();
    // The peer watch comes first: a closed connection is known before any
    // message of a later one that may reuse its descriptor (peer_watch.h).
    std::vector<zmq::pollitem_t> items = {
        {listen_watch_->socket().handle(), 0, ZMQ_POLLIN, 0},
        {zap_->socket().handle(), 0, ZMQ_POLLIN, 0},
        {listen_->handle(), 0, ZMQ_POLLIN, 0},
        {control_->handle(), 0, ZMQ_POLLIN, 0},
        {digests_->socket().handle(), 0, ZMQ_POLLIN, 0},
    };
    // The optional ones after the fixed five: the metrics endpoint when
    // configured, the mail worker's doorbell when mail is on.
    const size_t metrics_at = items.size();
    if (metrics_) items.push_back({metrics_->socket().handle(), 0, ZMQ_POLLIN, 0});
    const size_t mail_at = items.size();
    if (mail_) items.push_back({mail_->socket().handle(), 0, ZMQ_POLLIN, 0});
    const size_t upstream_at = items.size();
    if (upstream_) {
      items.push_back({upstream_->socket().handle(), 0, ZMQ_POLLIN, 0});
      items.push_back({upstream_->monitor().handle(), 0, ZMQ_POLLIN, 0});
    }
    try {
      zmq::poll(items.data(), items.size(), std::min(std::chrono::milliseconds(200), catch_up_wait));
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) continue;
      return Status::Runtime(std::string("poll failed: ") + e.what());
    }
    OnListenEvents();  // every round, whatever woke it: see above
    if (items[1].revents & ZMQ_POLLIN) zap_->HandleOne();
    if (items[2].revents & ZMQ_POLLIN) OnListenReady();
    if (items[3].revents & ZMQ_POLLIN) OnControlMessage();
    if (items[4].revents & ZMQ_POLLIN) OnDigestFinished();
    if (metrics_ && (items[metrics_at].revents & ZMQ_POLLIN)) {
      metrics_->HandleOne([this] {
        wire::BrokerStatus status = control_handler_->StatusView().status();
        AddUpstream(status);
        return RenderBrokerMetrics(status, registry_.List(), Now());
      });
    }
    if (mail_ && (items[mail_at].revents & ZMQ_POLLIN)) mail_->OnFinished(Now());
    if (upstream_) {
      if (items[upstream_at + 1].revents & ZMQ_POLLIN) upstream_->OnMonitor(Now());
      if (items[upstream_at].revents & ZMQ_POLLIN) upstream_->OnMessage(table_, Now());
      upstream_->Tick(table_, Now());
    }
    if (metrics_) metrics_->CloseIdle();  // scrapers that never finish a request
    if (schedule_ && Now() >= next_run_) {
      RunSchedule(next_run_);
      next_run_ = schedule_->NextAfter(Now());
    }
    catch_up_wait = CatchUp();
    if (mail_) {
      catch_up_wait = mail_->Tick(Now(), [this](const storage::MailItem& m) { return StillWanted(m); }, catch_up_wait);
    }
    LogIngest(Now());
    zap_->Tick(Now());
  }
  LogIngest(Now(), true);
  service.NotifyStopping();
  spdlog::info("signaal-broker stopping");
  return Status::Ok();
}

void BrokerDaemon::Reply(const zmq::message_t& rid, const wire::BrokerMessage& message) {
  if (!SendProto(*listen_, message, &rid)) counters_["send.dropped"]++;
}

void BrokerDaemon::Nack(const zmq::message_t& rid, const std::string& reason, const std::string& detail,
                        const std::string& period, uint64_t version, uint64_t stored_version) {
  counters_["nack." + reason]++;
  wire::BrokerMessage m;
  m.set_schema(wire::SCHEMA_V1);
  auto* n = m.mutable_nack();
  n->set_reason(reason);
  n->set_detail(detail);
  n->set_period(period);
  n->set_version(version);
  n->set_stored_version(stored_version);
  Reply(rid, m);
}

void BrokerDaemon::OnListenReady() {
  // Read everything waiting, so that the snapshots among it share one synced
  // write: that write, not the checks, is what a snapshot costs. Bounded by
  // count, bytes and time, so the other sockets wait one round at most
  // kMaxDrainTime plus one message's work.
  const auto deadline = std::chrono::steady_clock::now() + kMaxDrainTime;
  for (size_t n = 0; n < kMaxDrain && pending_bytes_ < kMaxPendingBytes; ++n) {
    if (!OnListenMessage()) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      counters_["drain.time_bound"]++;
      break;
    }
  }
  CommitSnapshots();
}

void BrokerDaemon::OnListenEvents() {
  // Enough for any round; the rest wait for the next (peer_watch.h).
  for (int fd : listen_watch_->Gone(1024)) {
    if (size_t dropped = digests_->DropFetchesFrom(fd); dropped > 0) {
      counters_["digests.dropped_gone"] += dropped;
      spdlog::info("dropped {} digest requests of a connection that closed", dropped);
    }
    std::erase_if(subscriptions_, [fd](const auto& entry) { return entry.second.fd == fd; });
  }
}

bool BrokerDaemon::OnListenMessage() {
  std::vector<zmq::message_t> frames;
  bool too_many = false;
  bool received = RecvBounded(*listen_, frames, 2, &too_many);
  if (!received && !too_many) return false;
  counters_["received"]++;
  if (too_many || frames.size() != 2) {
    counters_["malformed.frames"]++;
    if (frames.size() == 2) Nack(frames[0], "malformed", "a message is one frame; this one had more");
    return true;
  }
  zmq::message_t& rid = frames[0];
  std::string user = UserId(frames[1]);
  // Authorise by the authenticated User-Id, looked up again now: a key revoked
  // since its handshake is refused on the connection it already has.
  const wire::Principal* who = registry_.Find(user);
  if (!who || who->revoked()) {
    Nack(rid, "revoked", "this key is no longer enrolled at the broker");
    return true;
  }
  wire::ClientMessage msg;
  if (!msg.ParseFromArray(frames[1].data(), static_cast<int>(frames[1].size()))) {
    Nack(rid, "malformed", "the message is not a ClientMessage");
    return true;
  }
  if (msg.schema() != wire::SCHEMA_V1 && msg.schema() != wire::SCHEMA_V2) {
    Nack(rid, "schema", "schema version " + std::to_string(msg.schema()) + " is not supported (this broker speaks 1 and 2)");
    return true;
  }
  // Every string the peer sent, bounded and of its class, before any is stored or logged.
  if (Status s = CheckWireStrings(msg); !s.ok()) {
    Nack(rid, "invalid-string", s.message());
    return true;
  }
  registry_.Touch(who->id(), Now());
  // A regional broker sends snapshots and heartbeats as a node does.
  bool node = who->role() == wire::ROLE_NODE || who->role() == wire::ROLE_BROKER;
  bool sub = who->role() == wire::ROLE_SUBSCRIBER;
  using C = wire::ClientMessage;
  if (msg.body_case() == C::kSnapshot && node) {
    if (msg.schema() < wire::SCHEMA_V2) {
      // A node from before the cell-key method: its cells carry no key sums,
      // and no digest could publish them.
      wire::SummarySnapshot old;
      (void)old.ParseFromString(msg.snapshot().payload());  // only to name the week; empty if unreadable
      Nack(rid, "schema", "a snapshot of schema 1 has no cell key sums; this broker needs schema 2 (update signaal-node)",
           old.period(), old.version());
      return true;
    }
    HandleSnapshot(rid, *who, msg.snapshot());
    return true;
  }
  // Anything else is answered after the snapshots before it are stored, as
  // if each message were handled alone: a heartbeat's newest version and a
  // digest count them.
  CommitSnapshots();
  switch (msg.body_case()) {
    case C::kSnapshot:
      break;
    case C::kHeartbeat:
      if (!node) break;
      HandleHeartbeat(rid, *who, msg.heartbeat());
      return true;
    case C::kSubscribe:
      if (!sub && who->role() != wire::ROLE_NODE) break;
      HandleSubscribe(rid, SourceFd(frames[1]), *who, msg.subscribe());
      return true;
    case C::kAdviceFeedRequest:
      if (!sub && who->role() != wire::ROLE_NODE) break;
      HandleAdviceFeed(rid, *who);
      return true;
    case C::kDigestRequest:
      if (!sub) break;
      HandleDigestRequest(rid, SourceFd(frames[1]), *who, msg.digest_request());
      return true;
    case C::BODY_NOT_SET:
      Nack(rid, "malformed", "the message carries no body");
      return true;
  }
  Nack(rid, "forbidden", "a " + std::string(node ? "node" : "subscriber") + " may not send this message");
  return true;
}

void BrokerDaemon::HandleSnapshot(zmq::message_t& rid, const wire::Principal& node, const wire::SignedEnvelope& env) {
  wire::SummarySnapshot snap;
  Refusal refusal;
  if (!validator_.Check(env, node, Now(), snap, refusal)) {
    tally_.refused++;
    spdlog::warn("refused a snapshot from {}: {} ({})", node.id(), refusal.reason, refusal.detail);
    return Nack(rid, refusal.reason, refusal.detail, snap.period(), snap.version());
  }
  std::vector<wire::QuoteRefusal> refused = quote_screen_.Screen(snap);
  if (!refused.empty()) {
    counters_["quotes.refused"] += refused.size();
    for (const auto& r : refused) {
      spdlog::warn("refused quote {} of {} {}: {} ({})", r.quote_id(), node.id(), snap.period(), r.reason(), r.detail());
    }
  }
  pending_bytes_ += env.payload().size();
  pending_.push_back({std::move(rid), std::move(snap), std::move(refused)});
}

void BrokerDaemon::CommitSnapshots() {
  if (pending_.empty()) return;
  std::vector<const wire::SummarySnapshot*> batch;
  batch.reserve(pending_.size());
  for (const auto& p : pending_) batch.push_back(&p.snapshot);
  auto offers = store_->OfferSnapshots(batch);
  if (!offers.ok()) spdlog::error("{}", offers.status().message());
  size_t stored = 0;
  for (size_t i = 0; i < pending_.size(); ++i) {
    const zmq::message_t& rid = pending_[i].routing_id;
    const wire::SummarySnapshot& snap = pending_[i].snapshot;
    if (!offers.ok()) {
      Nack(rid, "store-failed", "the broker could not store the snapshot; it will be resent", snap.period(),
           snap.version());
      continue;
    }
    auto [offer, stored_version] = (*offers)[i];
    if (offer == BrokerStore::Offer::kStale) {
      // The stored version lets a node restored from a backup lift its counter past it.
      tally_.refused++;
      Nack(rid, "stale-version",
           (stored_version == snap.version() ? "a different snapshot with version " + std::to_string(stored_version)
                                             : "a newer version (" + std::to_string(stored_version) + ")") +
               " of " + snap.period() + " is already stored",
           snap.period(), snap.version(), stored_version);
      continue;
    }
    if (offer == BrokerStore::Offer::kStored) {
      table_.Put(snap);
      if (upstream_) upstream_->MarkChanged(snap.period());
      counters_["snapshots.stored"]++;
      counters_["quotes.stored"] += static_cast<uint64_t>(snap.quotes_size());
      ++stored;
      spdlog::debug("stored {} {} v{} ({} cells)", snap.node_id(), snap.period(), snap.version(), snap.cells_size());
    } else {
      counters_["snapshots.duplicate"]++;
      tally_.duplicates++;
    }
    // Acked only now: the batch's write above was synced.
    counters_["acked"]++;
    wire::BrokerMessage m;
    m.set_schema(wire::SCHEMA_V1);
    auto* ack = m.mutable_ack();
    ack->set_node_id(snap.node_id());
    ack->set_period(snap.period());
    ack->set_version(snap.version());
    for (const auto& r : pending_[i].refused) *ack->add_refused_quotes() = r;
    Reply(rid, m);
  }
  spdlog::debug("committed {} snapshots, {} stored", pending_.size(), stored);
  tally_.batches++;
  tally_.stored += stored;
  pending_.clear();
  pending_bytes_ = 0;
}

void BrokerDaemon::LogIngest(int64_t now, bool force) {
  if (!force && now - tally_.since < 60) return;
  if (tally_.batches > 0 || tally_.refused > 0) {
    spdlog::info("ingest: {} snapshots stored, {} duplicates, {} refused in {} s ({} group commits)", tally_.stored,
                 tally_.duplicates, tally_.refused, now - tally_.since, tally_.batches);
  }
  tally_ = IngestTally{now};
}

void BrokerDaemon::HandleHeartbeat(const zmq::message_t& rid, const wire::Principal& node,
                                   const wire::Heartbeat& hb) {
  registry_.Touch(node.id(), Now(), &hb);
  counters_["heartbeats"]++;
  wire::BrokerMessage m;
  m.set_schema(wire::SCHEMA_V1);
  m.mutable_heartbeat_ack()->set_broker_time_unix(Now());
  m.mutable_heartbeat_ack()->set_newest_version(store_->NewestVersion(node.id()));
  Reply(rid, m);
}

void BrokerDaemon::AddUpstream(wire::BrokerStatus& status) const {
  if (!upstream_) return;
  const wire::UpstreamStatus up = upstream_->StatusView();
  status.set_upstream_state(up.state());
  status.set_upstream_weeks_pending(up.weeks_pending());
}

void BrokerDaemon::OnControlMessage() {
  std::vector<zmq::message_t> frames;
  bool too_many = false;
  bool received = RecvBounded(*control_, frames, 2, &too_many);
  if (!received && !too_many) return;
  if (frames.size() != 2) {
    counters_["control.malformed"]++;
    return;
  }
  wire::ControlResponse response;
  const wire::Principal* admin = registry_.Authorise(UserId(frames[1]), wire::ROLE_ADMIN);
  wire::ControlRequest req;
  if (too_many) {
    counters_["control.malformed"]++;
    response = ErrorResponse(Status::Usage("a request is one frame; this one had more"));
  } else if (!admin) {
    response = ErrorResponse(Status::Refused("this key is not an active administrator"));
  } else if (!req.ParseFromArray(frames[1].data(), static_cast<int>(frames[1].size()))) {
    counters_["control.malformed"]++;
    response = ErrorResponse(Status::Usage("the request is not a ControlRequest"));
  } else if (req.schema() != wire::SCHEMA_V1) {
    counters_["control.schema"]++;
    response = ErrorResponse(Status::Refused("schema version " + std::to_string(req.schema()) + " is not supported"));
  } else if (Status s = CheckWireStrings(req); !s.ok()) {
    // An enrolment request is the partner's text: bounded before it is stored or printed.
    counters_["control.invalid-string"]++;
    response = ErrorResponse(s);
  } else if (req.body_case() == wire::ControlRequest::kRiskReport) {
    registry_.Touch(admin->id(), Now());
    return HandleRiskReportRequest(frames[0], *admin, req.risk_report());  // answered once made
  } else if (req.body_case() == wire::ControlRequest::kPublishDigest) {
    registry_.Touch(admin->id(), Now());
    return HandlePublishRequest(frames[0], *admin, req.publish_digest());  // answered once built
  } else if (req.body_case() == wire::ControlRequest::kUpstreamStatus) {
    registry_.Touch(admin->id(), Now());
    response = OkResponse();
    if (upstream_) {
      *response.mutable_upstream() = upstream_->StatusView();
    } else {
      response.mutable_upstream()->set_configured(false);
    }
  } else {
    registry_.Touch(admin->id(), Now());
    response = control_handler_->Handle(req, *admin, Now());
    if (req.body_case() == wire::ControlRequest::kStatus && response.ok()) AddUpstream(*response.mutable_status());
    if (req.body_case() == wire::ControlRequest::kRevoke && response.ok() &&
        response.principal().role() == wire::ROLE_BROKER) {
      // Its region leaves every later digest; what it sent stays on disk
      // (a backup of this broker still explains earlier digests). Above
      // this broker, every week it fed goes again without it.
      const std::vector<std::string> weeks = table_.Weeks();
      table_.Drop(response.principal().id());
      if (upstream_) {
        for (const auto& week : weeks) upstream_->MarkChanged(week);
      }
      spdlog::info("the cells of regional broker {} no longer count", response.principal().id());
    }
  }
  SendProto(*control_, response, &frames[0]);
}

}  // namespace signaal::broker
