// DigestWorker: builds every digest — fetched, published or scheduled — and
// every risk report on a thread of its own, so a year's digest or a long
// report never stalls the broker's poll loop.
//
// Ownership, explicitly (docs/ARCHITECTURE.md, "Threads"):
// - A job is owned by the poll loop's thread except between Start() and
//   Finished(), when the worker owns it. It crosses in both directions
//   through one mutex-guarded slot each way, never through a raw pointer on
//   a socket, so every write on one side happens-before every read on the
//   other (and ThreadSanitizer can see that).
// - The ZeroMQ PAIR is only a doorbell: the worker rings it when a job is
//   done, so the loop's poll wakes up. Each end is used by one thread only.
// - The job's table is an immutable snapshot (`const ThemeTable`) made and
//   freed on the loop thread (DigestService); the worker only reads it. So
//   ThemeTable's copy-on-write, which looks at shared_ptr::use_count(), only
//   ever sees counts changed on its own thread.
// - The worker touches no store: what a risk report needs is read on the
//   loop thread and travels in the job.
// - A running build can be abandoned (Abandon(), and always on destruction):
//   the builder checks the flag between its steps, so a stopping broker
//   never waits for a long report.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <zmq.hpp>

#include "digest_builder.h"
#include "disclosure_policy.h"
#include "broker_control.pb.h"
#include "broker_storage.pb.h"
#include "wire.pb.h"
#include "signaal/reference_data.h"
#include "signaal/status.h"
#include "theme_table.h"

namespace signaal::broker {

// One digest to build: what and for whom, the consistent copies it is built
// from, and, once back from the worker, the result.
struct DigestJob {
  enum class Kind {
    kFetch,    // a subscriber's digest request: released to that subscriber only
    kPublish,  // an administrator's or the schedule's: stored, numbered, delivered
    kRiskReport,  // an administrator's: the interval attacker over `released`
  };
  Kind kind = Kind::kFetch;
  // Who is waiting for the answer: the subscriber's connection on `listen`
  // (fetch) or the administrator's on `control` (publish); empty for the
  // schedule, which nobody waits for.
  std::string routing_id;
  // The file descriptor of the requester's connection (ZMQ_SRCFD of its
  // request; -1 if unknown): when the listen socket's monitor says it
  // disconnected, its jobs are dropped (BrokerDaemon::OnListenEvents).
  int source_fd = -1;
  std::string requester;      // the principal id, for the log and the limits
  int64_t scheduled_run = 0;  // the schedule's run this is part of; 0 = none
  std::string region, period;
  int64_t now = 0;
  // The snapshot built from: made and freed by the DigestService on the
  // loop thread, only read by the worker.
  std::unique_ptr<const ThemeTable> table;
  // kRiskReport: the recorded digests it attacks (oldest first), whether the
  // record held more than it took, and its result.
  std::vector<wire::Digest> released;
  bool truncated = false;
  Result<wire::RiskReport> risk = Status::Runtime("not made");
  Result<wire::Digest> result = Status::Runtime("not built");
  int64_t build_ms = 0;
  // Set by the worker when the build stopped because it was abandoned: the
  // result is then an error nobody should be sent.
  bool abandoned = false;
  // kPublish, once stored: the mails queued with it (MailService), made by
  // the DigestService on the loop thread.
  std::vector<storage::MailItem> mail;
};

class DigestWorker {
 public:
  // Binds the daemon's end of the doorbell in `ctx` and starts the thread.
  DigestWorker(zmq::context_t& ctx, const ReferenceData& ref, const DisclosurePolicy& policy);
  // Abandons the running build, if any, and joins the thread.
  ~DigestWorker();
  DigestWorker(const DigestWorker&) = delete;
  DigestWorker& operator=(const DigestWorker&) = delete;

  // The daemon's end of the doorbell, to poll for finished jobs.
  zmq::socket_t& socket() { return bell_; }
  bool busy() const { return busy_; }
  // Hands a job to the worker; only when not busy.
  void Start(std::unique_ptr<DigestJob> job);
  // The finished job, once socket() is readable; null if none was waiting.
  std::unique_ptr<DigestJob> Finished();
  // Asks the running build to stop at its next step; it comes back through
  // Finished() with `abandoned` set. Harmless when idle.
  void Abandon() { abandon_.store(true); }

 private:
  void Run(std::string endpoint);

  const ReferenceData& ref_;
  const DisclosurePolicy policy_;  // the worker's own copy
  zmq::context_t& ctx_;
  zmq::socket_t bell_;  // loop thread only
  bool busy_ = false;   // loop thread only

  std::mutex mu_;
  std::condition_variable wake_;
  std::unique_ptr<DigestJob> next_;  // guarded by mu_: loop -> worker
  std::unique_ptr<DigestJob> done_;  // guarded by mu_: worker -> loop
  bool stop_ = false;                // guarded by mu_
  std::atomic<bool> abandon_{false};  // read by the builder between steps

  std::thread thread_;  // last: started once everything above exists
};

}  // namespace signaal::broker
