#include "outbox.h"

#include "signaal/log.h"
#include "signaal/period.h"
#include "summariser.h"

namespace signaal::node {

Result<std::vector<std::string>> Outbox::Publish(int64_t now) {
  std::string oldest = IsoWeekOf(DateFromUnix(now - int64_t{86400} * retention_days_));
  std::vector<SignalStore::PendingSnapshot> pending;
  std::vector<std::string> published;
  std::vector<std::string> dirty = store_.DirtyPeriods();
  uint64_t version = store_.last_version();
  for (const auto& period : dirty) {
    if (period < oldest) continue;  // outside the retention window: never sent
    wire::SummarySnapshot snap;
    snap.set_node_id(node_id_);
    snap.set_period(period);
    snap.set_version(++version);
    snap.set_taxonomy_version(ref_.taxonomy_version());
    snap.set_created_unix(now);
    for (auto& cell : Summarise(store_.SignalsOf(period), static_cast<uint32_t>(min_cell_))) *snap.add_cells() = std::move(cell);
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
  pending_ = store_.PendingVersions();
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
  for (const auto& period : due_periods) {
    if (auto e = entries.find(period); e != entries.end()) due.push_back(e->second.envelope);
  }
  return due;
}

void Outbox::OnAck(const std::string& period, uint64_t version) {
  if (Status s = store_.Acknowledge(period, version, true); !s.ok()) spdlog::error("{}", s.message());
  pending_ = store_.PendingVersions();
  if (!pending_.count(period)) schedule_.erase(period);
}

void Outbox::OnNack(const std::string& reason, const std::string& period, uint64_t version) {
  if (reason == "stale-version" && !period.empty()) {
    // The broker holds a newer version of this week; this one will never be taken.
    store_.Acknowledge(period, version, false);
    pending_ = store_.PendingVersions();
    return;
  }
  auto it = schedule_.find(period);
  if (it != schedule_.end() && (reason == "revoked" || reason == "unknown-signing-key")) {
    it->second.delay = std::chrono::seconds(60);
  }
}

std::vector<std::string> Outbox::PendingPeriods() const {
  std::vector<std::string> out;
  for (const auto& [period, version] : pending_) out.push_back(period);
  return out;
}

}  // namespace signaal::node
