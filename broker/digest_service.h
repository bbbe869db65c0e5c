// DigestService: the broker's digest path in one place — the queues of
// digests asked for, the worker that builds them (every number published
// through the DisclosurePolicy), and the record of what was released. The
// daemon hands it requests and, when socket() is readable, takes back
// finished digests to send; it never builds or records one itself.
//
// Two lanes share the one worker. Subscribers' fetches wait in theirs,
// bounded in all (kMaxQueued) and per subscriber by the daemon (Admission);
// administrators' publishes and risk reports and the schedule's digests wait
// in the other, served first, bounded by kMaxQueued of administrators' own
// (the schedule's few are never refused). So no amount of subscriber load
// refuses or queues an administrator's or the schedule's work: it waits at
// most for the one build running.
//
// Used on the daemon's loop thread only; the worker gets each job's own
// immutable table snapshot, made and freed here (see digest_worker.h).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>

#include <zmq.hpp>

#include "broker_store.h"
#include "digest_worker.h"
#include "disclosure_policy.h"
#include "signaal/reference_data.h"
#include "signaal/status.h"
#include "theme_table.h"

namespace signaal::broker {

class DigestService {
 public:
  // Starts the worker in `ctx`; `table` is copied (cheaply) for each job.
  // `store` is used on this thread only, to record what was released.
  DigestService(zmq::context_t& ctx, const ReferenceData& ref, const DisclosurePolicy& policy, BrokerStore& store,
                const ThemeTable& table);

  // The worker's doorbell, for the daemon's poll loop.
  zmq::socket_t& socket() { return worker_.socket(); }

  // Queues a digest in its lane. Unreachable, and nothing queued, when that
  // lane is full; the schedule's jobs (scheduled_run != 0) are never refused.
  Status Queue(std::unique_ptr<DigestJob> job);
  // True when Queue would refuse a job of `kind` asked for by someone.
  bool Full(DigestJob::Kind kind) const;

  // A subscriber's fetches queued or being built: what Admission limits.
  uint32_t QueuedFor(const std::string& requester) const;

  // The requester on `fd` of the listen socket has gone: its queued fetches
  // are dropped and its running one abandoned. Returns how many.
  size_t DropFetchesFrom(int fd);

  // The digest the worker finished, once socket() is readable, as released:
  // a fetched one recorded in the audit trail, a published one stored,
  // numbered and recorded. When recording fails the result is that error
  // (Unreachable: the digest must not leave). An abandoned job comes back
  // with `abandoned` set and nothing recorded. Null if none was waiting.
  std::unique_ptr<DigestJob> Finish();

  // The mails of a published digest, stored in the same write as the digest
  // (the daemon's recipients; unset while [mail] is off).
  using MailFor = std::function<std::vector<storage::MailItem>(const wire::Digest&)>;
  void set_mail_for(MailFor mail_for) { mail_for_ = std::move(mail_for); }

  // Queued or being built.
  uint32_t building() const {
    return static_cast<uint32_t>(operators_.size() + subscribers_.size() + (worker_.busy() ? 1 : 0));
  }
  // True while a digest of the schedule's run `when` is still queued.
  bool RunPending(int64_t when) const;

  // Jobs that may wait in each lane, at most (the schedule's not counted).
  static constexpr size_t kMaxQueued = 8;

 private:
  void StartNext();
  // The digest's kind of period, for "the previous digest of the same kind".
  static std::string ParsedKind(const wire::Digest& digest);
  // The advice section (advice_section.h), from every record the store keeps.
  Status AddAdvice(wire::Digest& digest, const std::string& kind) const;

  const ReferenceData& ref_;
  BrokerStore& store_;
  const ThemeTable& table_;
  DigestWorker worker_;
  std::deque<std::unique_ptr<DigestJob>> operators_;    // administrators and the schedule
  std::deque<std::unique_ptr<DigestJob>> subscribers_;  // fetches
  // What the running job is, for QueuedFor and DropFetchesFrom (the job
  // itself belongs to the worker meanwhile).
  struct Running {
    DigestJob::Kind kind;
    std::string requester;
    int source_fd;
  };
  Running running_{DigestJob::Kind::kFetch, "", -1};
  std::string last_served_;  // the subscriber whose fetch started last, for turns
  MailFor mail_for_;
};

}  // namespace signaal::broker
