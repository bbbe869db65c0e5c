// DigestService: the broker's digest path in one place — the queue of
// digests asked for, the worker that builds them (every number published
// through the DisclosurePolicy), and the record of what was released. The
// daemon hands it requests and, when socket() is readable, takes back
// finished digests to send; it never builds or records one itself.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>

#include <zmq.hpp>

#include "broker_store.h"
#include "digest_worker.h"
#include "disclosure_policy.h"
#include "signaal/reference_data.h"
#include "theme_table.h"

namespace signaal::broker {

class DigestService {
 public:
  // Starts the worker in `ctx`; `table` is copied (cheaply) for each job.
  DigestService(zmq::context_t& ctx, const ReferenceData& ref, const DisclosurePolicy& policy, BrokerStore& store,
                const ThemeTable& table);

  // The worker's pipe, for the daemon's poll loop.
  zmq::socket_t& socket() { return worker_.socket(); }

  // Queues a digest to build; false, and nothing queued, when `bounded` and
  // the queue is full (what anyone on the network asks for is bounded; the
  // schedule's few are not).
  bool Queue(std::unique_ptr<DigestJob> job, bool bounded);
  // True when Queue would refuse a bounded job.
  bool Full() const;

  // The digest the worker finished, once socket() is readable, as released:
  // a fetched one recorded in the audit trail, a published one stored,
  // numbered and recorded. When recording fails the result is that error
  // (Unreachable: the digest must not leave). Null if none was waiting.
  std::unique_ptr<DigestJob> Finish();

  // Queued or being built.
  uint32_t building() const { return static_cast<uint32_t>(queue_.size() + (worker_.busy() ? 1 : 0)); }
  // True while a digest of the schedule's run `when` is still queued.
  bool RunPending(int64_t when) const;

  // Digests asked for and not yet handed to the worker, at most.
  static constexpr size_t kMaxQueued = 8;

 private:
  void StartNext();

  BrokerStore& store_;
  const ThemeTable& table_;
  DigestWorker worker_;
  std::deque<std::unique_ptr<DigestJob>> queue_;
};

}  // namespace signaal::broker
