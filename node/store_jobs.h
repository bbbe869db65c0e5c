// StoreJobs: the node's long work on its store — a CSV import (parse and
// commit), an erasure (scan, delete, compact), a backup and the retention
// purge — as jobs that run on the StoreWorker's thread, so the poll loop keeps
// answering `status` and keeps the broker link alive meanwhile.
//
// Who owns what while a job is out (the rule; see also signal_store.h):
//   - The job owns the store's signal side — sig/, agg/, agp/, the dirty/
//     markers' deletion, meta/next_id, meta/signal_count, and the store's
//     keyed sealer, pseudonym key and record keys — from the moment the loop
//     hands it to the worker until the loop takes it back. One job at a time.
//   - The loop keeps the outbox side (out/, outv/, acked/, meta/last_acked,
//     meta/version) and reads only what RocksDB serves consistently (the
//     counts, the dirty and outbox keys). It neither publishes (which reads
//     agg/ and deletes dirty/ markers) nor adds a signal until the job is
//     back: such requests wait (NodeDaemon) and publication is held (Outbox).
// A job holds everything it works on: the request, moved in, and its result.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "signal_store.h"
#include "node_control.pb.h"
#include "signaal/config.h"
#include "signaal/reference_data.h"

namespace signaal::node {

// How far the running job is: written by the worker (atomics only), read by
// the loop for `status`. What the job is and since when the loop notes itself
// when it hands the job over.
struct JobProgress {
  enum Stage : int { kQueued, kReading, kWriting, kCompacting, kCopying };
  std::atomic<uint64_t> rows{0};  // rows read so far (an import)
  std::atomic<int> stage{kQueued};
  static const char* StageName(int stage);
};

struct StoreJob {
  // `request` holds an import_csv, erase or backup; with no body it is the
  // retention purge of the weeks before `purge_before`.
  wire::NodeRequest request;
  std::string purge_before;
  int64_t now = 0;
  // Who waits for the answer on the control socket; empty for the daemon's own.
  std::string routing_id;
  // The intake page's request number when the page asked, else "".
  std::string web_number;
  // The answer, as far as the job can give it: an erasure's is completed by
  // LocalControl::Finish on the loop (the weeks published and sent).
  wire::NodeResponse response;
  uint32_t purged = 0;  // the purge's signals
  Status purge_status = Status::Ok();
  int64_t millis = 0;

  // "import export.csv", "erase", "backup", "retention purge": for status and the log.
  std::string Describe() const;
};

// True for the requests that run as a StoreJob (import, erase, backup).
bool IsStoreJob(const wire::NodeRequest& request);

// Runs `job` against the store; on the worker's thread, or inline when no
// loop is waiting (tests, the fuzzer). `progress` may be null.
void RunStoreJob(StoreJob& job, const NodeConfig& config, const ReferenceData& ref, SignalStore& store,
                 JobProgress* progress);

}  // namespace signaal::node
