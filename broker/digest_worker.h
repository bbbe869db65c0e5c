// DigestWorker: builds every digest — fetched, published or scheduled — on a
// thread of its own, so a year's digest with its context never stalls the
// broker's poll loop. ZeroMQ Guide style: the worker thread alone owns its end
// of an inproc PAIR; the DigestService alone owns the other end and polls it
// through the daemon. A job travels as one frame holding a pointer, whose
// ownership passes with it. The worker builds from the job's own copy of the
// table and nothing else: no memory of earlier releases is needed.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <zmq.hpp>

#include "digest_builder.h"
#include "disclosure_policy.h"
#include "broker_control.pb.h"
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
  std::string requester;      // the principal id, for the log
  int64_t scheduled_run = 0;  // the schedule's run this is part of; 0 = none
  std::string region, period;
  int64_t now = 0;
  std::unique_ptr<ThemeTable> table;
  // kRiskReport: the recorded digests it attacks (oldest first), whether the
  // record held more than it took, and its result.
  std::vector<wire::Digest> released;
  bool truncated = false;
  Result<wire::RiskReport> risk = Status::Runtime("not made");
  Result<wire::Digest> result = Status::Runtime("not built");
  int64_t build_ms = 0;
};

class DigestWorker {
 public:
  // Binds the daemon's end in `ctx` and starts the thread.
  DigestWorker(zmq::context_t& ctx, const ReferenceData& ref, const DisclosurePolicy& policy);
  // Stops the thread after the build it is running, if any.
  ~DigestWorker();

  // The daemon's end, to poll for finished jobs.
  zmq::socket_t& socket() { return pipe_; }
  bool busy() const { return busy_; }
  // Hands a job to the worker; only when not busy.
  void Start(std::unique_ptr<DigestJob> job);
  // The finished job, once socket() is readable; null if none was waiting.
  std::unique_ptr<DigestJob> Finished();

 private:
  static void Run(zmq::context_t& ctx, std::string endpoint, const ReferenceData& ref, DisclosurePolicy policy);

  zmq::socket_t pipe_;
  std::thread thread_;
  bool busy_ = false;
};

}  // namespace signaal::broker
