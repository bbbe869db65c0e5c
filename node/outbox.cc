#include "outbox.h"

#include "signaal/log.h"
#include "signaal/period.h"

namespace signaal::node {

Outbox::Outbox(SignalStore& store, const ReferenceData& ref, std::string node_id, SigningKeyPair signing,
               int retention_days, int min_cell)
    : store_(store), ref_(ref), node_id_(std::move(node_id)), signing_(std::move(signing)),
      retention_days_(retention_days), min_cell_(min_cell) {
  // Nothing is lost if this read fails: the entries stay in the store, and the
  // next publish, ack or purge reads them again (and reports its own error).
  if (Status s = Refresh(); !s.ok()) spdlog::error("the outbox: {}", s.message());
}

Status Outbox::Refresh() {
  auto pending = store_.PendingVersions();
  if (!pending.ok()) return pending.status();
  pending_ = std::move(*pending);
  return Status::Ok();
}

Result<std::vector<std::string>> Outbox::Publish(int64_t now) { return PublishPeriods(store_.DirtyPeriods(), now); }

Result<std::vector<std::string>> Outbox::PublishPeriods(const std::vector<std::string>& dirty, int64_t now) {
  std::string oldest = IsoWeekOf(DateFromUnix(now - int64_t{86400} * retention_days_));
  std::vector<SignalStore::PendingSnapshot> pending;
  std::vector<std::string> published;
  uint64_t version = store_.last_version();
  for (const auto& period : dirty) {
    if (period < oldest) continue;  // outside the retention window: never sent
    wire::SummarySnapshot snap;
    snap.set_node_id(node_id_);
    snap.set_period(period);
    snap.set_version(++version);
    snap.set_taxonomy_version(ref_.taxonomy_version());
    snap.set_created_unix(now);
    for (auto& cell : store_.WeekCells(period, static_cast<uint32_t>(min_cell_))) *snap.add_cells() = std::move(cell);
    // The week's approved quotes travel with it; one withdrawn is absent.
    auto quotes = store_.WeekQuotes(period);
    if (!quotes.ok()) return quotes.status();
    for (auto& q : *quotes) *snap.add_quotes() = std::move(q);
    wire::SignedEnvelope env;
    env.set_payload(snap.SerializeAsString());
    auto sig = Sign(signing_, env.payload());
    if (!sig.ok()) return sig.status();
    env.set_signature(*sig);
    env.set_key_id(KeyId(signing_.public_hex));
    pending.push_back({period, version, env.SerializeAsString()});
    published.push_back(period);
    schedule_.erase(period);
  }
  if (dirty.empty()) return published;
  if (Status s = store_.CommitSnapshots(pending, dirty); !s.ok()) return s;
  if (Status s = Refresh(); !s.ok()) return s;
  return published;
}

std::vector<std::string> Outbox::Due(std::chrono::steady_clock::time_point now) {
  std::vector<std::string> due_periods;
  for (const auto& [period, version] : pending_) {
    auto it = schedule_.find(period);
    if (it != schedule_.end() && now < it->second.next) continue;
    Backoff& b = schedule_[period];
    if (it != schedule_.end()) b.delay = std::min(b.delay * 2, std::chrono::seconds(60));
    b.next = now + b.delay;
    due_periods.push_back(period);
  }
  std::vector<std::string> due;
  if (due_periods.empty()) return due;
  auto entries = store_.Outbox();
  if (!entries.ok()) {
    spdlog::error("cannot send the outbox: {}", entries.status().message());  // retried at the next round
    return due;
  }
  for (const auto& period : due_periods) {
    if (auto e = entries->find(period); e != entries->end()) due.push_back(e->second.envelope);
  }
  return due;
}

void Outbox::OnAck(const std::string& period, uint64_t version) {
  if (Status s = store_.Acknowledge(period, version, true); !s.ok()) spdlog::error("{}", s.message());
  if (Status s = Refresh(); !s.ok()) spdlog::error("{}", s.message());
  if (!pending_.count(period)) schedule_.erase(period);
}

void Outbox::OnNack(const std::string& reason, const std::string& period, uint64_t version, uint64_t stored_version,
                    int64_t now) {
  // A broker that holds a version at or above ours holds state we no longer
  // have (we were restored from a backup): our current state of the week goes
  // out again above the broker's version. The bound keeps a confused broker
  // from running the counter out.
  constexpr uint64_t kMaxPlausibleVersion = uint64_t{1} << 48;
  if (reason == "stale-version" && !period.empty() && stored_version >= version && stored_version > 0 &&
      stored_version < kMaxPlausibleVersion) {
    spdlog::warn("the broker holds version {} of {}, ours was {}; summarising the week again above it",
                 stored_version, period, version);
    if (Status s = store_.Supersede(period, version, stored_version); !s.ok()) {
      spdlog::error("{}", s.message());
      return;
    }
    schedule_.erase(period);
    if (held_) {  // the week stays dirty: published after the job
      if (Status s = Refresh(); !s.ok()) spdlog::error("{}", s.message());
      return;
    }
    if (auto republished = PublishPeriods({period}, now); !republished.ok()) spdlog::error("{}", republished.status().message());
    if (Status s = Refresh(); !s.ok()) spdlog::error("{}", s.message());
    return;
  }
  if (reason == "stale-version" && !period.empty()) {
    // The broker holds a newer version of this week; this one will never be taken.
    if (Status s = store_.Acknowledge(period, version, false); !s.ok()) spdlog::error("{}", s.message());
    if (Status s = Refresh(); !s.ok()) spdlog::error("{}", s.message());
    return;
  }
  auto it = schedule_.find(period);
  if (it != schedule_.end() && (reason == "revoked" || reason == "unknown-signing-key")) {
    it->second.delay = std::chrono::seconds(60);
  }
}

void Outbox::OnBrokerNewest(uint64_t newest, int64_t now) {
  auto lost = store_.ForgetAcksAbove(newest);
  if (!lost.ok()) {
    spdlog::error("{}", lost.status().message());
    return;
  }
  if (lost->empty()) return;
  spdlog::warn("the broker holds nothing above version {} from this node, yet acked {} weeks above it; was it "
               "restored from a backup? Sending them again",
               newest, lost->size());
  for (const auto& period : *lost) schedule_.erase(period);
  if (held_) return;  // the weeks stay dirty: published after the job
  if (auto sent = PublishPeriods(*lost, now); !sent.ok()) spdlog::error("{}", sent.status().message());
}

std::vector<std::string> Outbox::PendingPeriods() const {
  std::vector<std::string> out;
  for (const auto& [period, version] : pending_) out.push_back(period);
  return out;
}

}  // namespace signaal::node
