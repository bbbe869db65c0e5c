#include "upstream.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "signaal/log.h"
#include "signaal/wire_limits.h"

namespace signaal::broker {
namespace {

// Weeks sent per Tick at most: a broker back after a long absence sends its
// backlog over several rounds of the loop, not in one.
constexpr size_t kMaxSendsPerTick = 32;
constexpr int64_t kHeartbeatSeconds = 15;
// A burst of node snapshots for one week makes one new version, not many.
constexpr int64_t kMakeEverySeconds = 2;
// Weeks made per Tick at most: each reads the whole week of the table on the
// loop, so a round of every partner's year is made over several rounds.
constexpr size_t kMaxMakesPerTick = 8;
constexpr auto kMaxBackoff = std::chrono::seconds(60);

}  // namespace

Upstream::Upstream(zmq::context_t& ctx, BrokerStore& store, const ReferenceData& ref, Settings settings)
    : store_(store), ref_(ref), settings_(std::move(settings)) {
  auto secret = FromHex(settings_.keys.pseudonym_secret_hex);
  token_secret_ = secret.ok() ? *secret : std::string();
  link_ = std::make_unique<BrokerLink>(ctx, settings_.endpoint, settings_.keys.curve, settings_.upper_public_key,
                                       "upper broker");
}

uint64_t Upstream::Token(const std::string& organisation) const {
  const std::string mac = HmacSha256(token_secret_, "partner|" + organisation);
  uint64_t token = 0;
  for (int i = 0; i < 8; ++i) token = token << 8 | static_cast<unsigned char>(mac[static_cast<size_t>(i)]);
  return token;
}

Status Upstream::Start(const ThemeTable& table, int64_t now) {
  if (token_secret_.size() < 32) return Status::Usage("the upstream key file holds no partner-token secret");
  auto version = store_.UpstreamVersion();
  if (!version.ok()) return version.status();
  version_ = *version;
  auto weeks = store_.AllUpstreamWeeks();
  if (!weeks.ok()) return weeks.status();
  for (const auto& [week, entry] : *weeks) {
    if (entry.acked()) {
      ++acked_weeks_;
      newest_acked_ = std::max(newest_acked_, entry.version());
    } else {
      pending_[week] = entry.version();
    }
  }
  // What changed while this broker was down: every week is compared.
  for (const auto& week : table.Weeks()) {
    if (Status s = Make(table, week, now); !s.ok()) return s;
  }
  spdlog::info("upstream {} as {}: {} weeks waiting for the upper broker, {} acked", settings_.endpoint,
               settings_.id, pending_.size(), acked_weeks_);
  return Status::Ok();
}

Status Upstream::Make(const ThemeTable& table, const std::string& week, int64_t now, bool force) {
  wire::SummarySnapshot snap;
  snap.set_node_id(settings_.id);
  snap.set_period(week);
  snap.set_taxonomy_version(ref_.taxonomy_version());
  for (auto& cell : table.RegionCells(week, [this](const std::string& o) { return Token(o); })) {
    *snap.add_cells() = std::move(cell);
  }
  // The content is the cells alone: a week whose cells did not change needs
  // no new version, however often its nodes sent it again.
  const std::string content = Sha256Hex(snap.SerializeAsString());
  auto old = store_.FindUpstreamWeek(week);
  if (!old.ok()) return old.status();
  if (!force && ((*old && (*old)->content() == content) || (!*old && snap.cells_size() == 0))) return Status::Ok();
  snap.set_version(version_ + 1);
  snap.set_created_unix(now);
  wire::SignedEnvelope envelope;
  envelope.set_payload(snap.SerializeAsString());
  auto signature = Sign(settings_.keys.signing, envelope.payload());
  if (!signature.ok()) return signature.status();
  envelope.set_signature(*signature);
  envelope.set_key_id(KeyId(settings_.keys.signing.public_hex));
  storage::UpstreamWeek entry;
  entry.set_version(snap.version());
  entry.set_content(content);
  entry.set_envelope(envelope.SerializeAsString());
  entry.set_made_unix(now);
  if (Status s = store_.PutUpstreamWeek(week, entry); !s.ok()) return s;
  version_ = snap.version();
  if (*old && (*old)->acked() && acked_weeks_ > 0) --acked_weeks_;
  pending_[week] = snap.version();
  schedule_.erase(week);  // due now
  spdlog::debug("upstream: made {} v{} ({} cells)", week, snap.version(), snap.cells_size());
  return Status::Ok();
}

void Upstream::Tick(const ThemeTable& table, int64_t now) {
  link_->Maintain(now);
  if (!changed_.empty() && (backlog_ || now - last_make_ >= kMakeEverySeconds)) {
    size_t made = 0;
    bool failed = false;
    for (auto it = changed_.begin(); it != changed_.end() && made < kMaxMakesPerTick; ++made) {
      Status s = Make(table, *it, now);
      if (!s.ok()) {
        // Kept: made again after kMakeEverySeconds (a full disk clears).
        spdlog::error("upstream: {}", s.message());
        failed = true;
        ++it;
        continue;
      }
      it = changed_.erase(it);
    }
    // What is left of a large round goes on at the next Tick; a burst that
    // was made whole waits for the next one to gather.
    backlog_ = !changed_.empty() && !failed;
    if (!backlog_) last_make_ = now;
  }
  SendDue(std::chrono::steady_clock::now());
  if (now - last_heartbeat_ >= kHeartbeatSeconds && link_->state() != BrokerLink::State::kRefused) {
    last_heartbeat_ = now;
    wire::ClientMessage m;
    m.set_schema(wire::SCHEMA_V2);
    auto* hb = m.mutable_heartbeat();
    hb->set_outbox_depth(static_cast<uint32_t>(pending_.size()));
    hb->set_software_version(SIGNAAL_VERSION);
    hb->set_taxonomy_version(ref_.taxonomy_version());
    (void)link_->Send(m);  // ignored on purpose: the next beat comes in 15 s
  }
}

void Upstream::SendDue(std::chrono::steady_clock::time_point now) {
  if (link_->state() == BrokerLink::State::kRefused) return;
  size_t sent = 0;
  for (const auto& [week, version] : pending_) {
    if (sent >= kMaxSendsPerTick) break;
    Backoff& b = schedule_[week];
    if (now < b.next) continue;
    auto entry = store_.FindUpstreamWeek(week);
    wire::ClientMessage m;
    if (!entry.ok() || !*entry || !m.mutable_snapshot()->ParseFromString((*entry)->envelope())) {
      spdlog::error("upstream: week {} cannot be read back from the store; it is made again", week);
      changed_.insert(week);
      b.next = now + kMaxBackoff;
      continue;
    }
    m.set_schema(wire::SCHEMA_V2);
    (void)link_->Send(m);  // ignored on purpose: unacked, it is sent again after its backoff
    b.next = now + b.delay;
    b.delay = std::min(b.delay * 2, kMaxBackoff);
    ++sent;
  }
}

void Upstream::OnMonitor(int64_t now) {
  (void)now;
  // A (re)connection: everything waiting is due at once.
  if (link_->OnMonitor()) schedule_.clear();
}

void Upstream::OnMessage(const ThemeTable& table, int64_t now) {
  for (int n = 0; n < 256; ++n) {
    auto m = link_->Receive();
    if (!m) return;
    last_heard_ = now;
    link_->HeardFromBroker(now);
    // The upper broker's strings are bounded before any is kept or logged.
    if (Status s = CheckWireStrings(*m); !s.ok()) {
      spdlog::warn("the upper broker sent a message with {}; ignored", LogSafe(s.message()));
      continue;
    }
    if (m->has_ack()) {
      const wire::Ack& ack = m->ack();
      auto it = pending_.find(ack.period());
      if (ack.node_id() != settings_.id || it == pending_.end() || it->second != ack.version()) continue;
      auto entry = store_.FindUpstreamWeek(ack.period());
      if (!entry.ok() || !*entry) continue;  // read again at the next ack of it
      storage::UpstreamWeek done = **entry;
      done.set_acked(true);
      done.clear_envelope();
      if (Status s = store_.PutUpstreamWeek(ack.period(), done); !s.ok()) {
        spdlog::error("upstream: {}", s.message());  // still pending: the resend is acked again
        continue;
      }
      pending_.erase(it);
      schedule_.erase(ack.period());
      ++acked_weeks_;
      newest_acked_ = std::max(newest_acked_, ack.version());
      last_ack_ = now;
    } else if (m->has_nack()) {
      const wire::Nack& nack = m->nack();
      ++refused_;
      last_refusal_ = nack.reason() + ": " + nack.detail();
      spdlog::warn("the upper broker refused {} v{}: {} ({})", nack.period(), nack.version(), LogSafe(nack.reason()),
                   LogSafe(nack.detail()));
      if (nack.reason() == "stale-version" && !nack.period().empty()) {
        // It holds a version of ours at least this high (this broker was
        // restored from an older backup): go on above it.
        version_ = std::max(version_, nack.stored_version());
        if (Status s = Make(table, nack.period(), now, true); !s.ok()) spdlog::error("upstream: {}", s.message());
      }
    } else if (m->has_heartbeat_ack() && m->heartbeat_ack().has_newest_version()) {
      // Lower than what it acked: the upper broker was restored from a
      // backup. The weeks it lost are sent again.
      const uint64_t newest = m->heartbeat_ack().newest_version();
      if (newest >= newest_acked_) continue;  // the usual answer: no store read
      auto weeks = store_.AllUpstreamWeeks();
      if (!weeks.ok()) {
        spdlog::error("upstream: {}", weeks.status().message());  // asked again at the next heartbeat
        continue;
      }
      for (const auto& [week, entry] : *weeks) {
        if (!entry.acked() || entry.version() <= newest) continue;
        spdlog::warn("the upper broker holds v{} at most; week {} (v{}) goes again", newest, week, entry.version());
        if (Status s = Make(table, week, now, true); !s.ok()) spdlog::error("upstream: {}", s.message());
      }
    }
  }
}

wire::UpstreamStatus Upstream::StatusView() const {
  wire::UpstreamStatus s;
  s.set_configured(true);
  s.set_endpoint(settings_.endpoint);
  s.set_upper_public_key(settings_.upper_public_key);
  s.set_id(settings_.id);
  s.set_state(link_->StateName());
  s.set_state_since_unix(link_->state_since());
  // Waiting: made and not acked, or changed and not made yet (Tick makes
  // at most every kMakeEverySeconds).
  std::set<std::string> waiting(changed_.begin(), changed_.end());
  for (const auto& [week, version] : pending_) waiting.insert(week);
  s.set_weeks_pending(static_cast<uint32_t>(waiting.size()));
  for (const auto& week : waiting) {
    if (s.pending_size() >= 60) break;
    s.add_pending(week);
  }
  s.set_version(version_);
  s.set_last_ack_unix(last_ack_);
  s.set_weeks_acked(static_cast<uint32_t>(acked_weeks_));
  s.set_last_heard_unix(last_heard_);
  s.set_refused(refused_);
  s.set_last_refusal(last_refusal_);
  return s;
}

}  // namespace signaal::broker
