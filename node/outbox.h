// Outbox: turns changed weeks into signed snapshots and keeps each one until
// the broker acks it. A newer version of a week replaces an unsent older one,
// so the outbox holds at most one snapshot per week; entries are resent with
// exponential backoff (1 s doubling to 60 s) and survive restarts because
// they live in the SignalStore.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "signal_store.h"
#include "signaal/keys.h"
#include "signaal/reference_data.h"

namespace signaal::node {

class Outbox {
 public:
  Outbox(SignalStore& store, const ReferenceData& ref, std::string node_id, SigningKeyPair signing,
         int retention_days, int min_cell = 1);

  // Makes a new snapshot version for every dirty week inside the retention
  // window; returns the weeks that got one.
  Result<std::vector<std::string>> Publish(int64_t now);

  // Serialised SignedEnvelopes due for (re)sending now.
  std::vector<std::string> Due(std::chrono::steady_clock::time_point now);
  // Makes every entry due at once (after a reconnect or `publish`).
  void ResetBackoff() { schedule_.clear(); }

  void OnAck(const std::string& period, uint64_t version);
  // `stored_version` is the broker's own version of a stale week (0 from
  // brokers that do not say): a week the broker holds newer than ours is
  // summarised again above it and sent at once, `now` dating the snapshot.
  void OnNack(const std::string& reason, const std::string& period, uint64_t version, uint64_t stored_version = 0,
              int64_t now = 0);

  // The broker's newest version of our snapshots, from its heartbeat answer:
  // weeks it acked above that are summarised and sent again at once.
  void OnBrokerNewest(uint64_t newest, int64_t now);

  // While a StoreJob holds the store's signal side (store_jobs.h), nothing is
  // published: the weeks a Nack or the broker's newest version mark changed
  // stay dirty and go out with the first Publish after the job.
  void Hold(bool held) { held_ = held; }
  bool held() const { return held_; }

  size_t depth() const { return pending_.size(); }
  // Re-reads the pending weeks after the store changed them directly (retention purge).
  Status Refresh();
  std::vector<std::string> PendingPeriods() const;

 private:
  // Makes and commits a snapshot for each of `dirty` inside the retention window.
  Result<std::vector<std::string>> PublishPeriods(const std::vector<std::string>& dirty, int64_t now);

  struct Backoff {
    std::chrono::steady_clock::time_point next;
    std::chrono::seconds delay{1};
  };
  SignalStore& store_;
  const ReferenceData& ref_;
  std::string node_id_;
  SigningKeyPair signing_;
  int retention_days_;
  int min_cell_;
  std::map<std::string, Backoff> schedule_;
  // Pending weeks -> version, mirrored from the store after every change so
  // the poll loop never reads envelopes it is not about to send.
  std::map<std::string, uint64_t> pending_;
  bool held_ = false;
};

}  // namespace signaal::node
