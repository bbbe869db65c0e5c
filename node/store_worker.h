// StoreWorker: the thread that runs the node's long StoreJobs (store_jobs.h),
// one at a time, so the poll loop never waits for an import, an erasure, a
// backup or the retention purge. ZeroMQ Guide style, as the broker's
// DigestWorker: the worker thread alone owns its end of an inproc PAIR; the
// NodeDaemon alone owns the other end and polls it. The pipe only rings: a
// job crosses through a slot under a mutex, so every write on one side
// happens-before every read on the other, visibly to ThreadSanitizer (which
// cannot see libzmq's own ordering). Its ownership — with the store's signal
// side, see store_jobs.h — passes with it: to the worker on Start, back on
// Finished.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <zmq.hpp>

#include "signal_store.h"
#include "store_jobs.h"
#include "signaal/config.h"
#include "signaal/reference_data.h"

namespace signaal::node {

class StoreWorker {
 public:
  // Binds the daemon's end in `ctx` and starts the thread. `config`, `ref`
  // and `store` outlive the worker; the worker touches the store only while
  // it holds a job.
  StoreWorker(zmq::context_t& ctx, const NodeConfig& config, const ReferenceData& ref, SignalStore& store);
  // Stops the thread after the job it is running, if any (a job cut off by a
  // stop has written all of itself or nothing, as after a kill).
  ~StoreWorker();

  // The daemon's end, to poll for a finished job.
  zmq::socket_t& socket() { return pipe_; }
  bool busy() const { return busy_; }
  // What the running job is (StoreJob::Describe, noted on Start: the loop
  // does not touch a job while the worker holds it) and since when.
  const std::string& what() const { return what_; }
  int64_t since() const { return since_; }
  const JobProgress& progress() const { return progress_; }

  // Hands a job to the worker; only when not busy.
  void Start(std::unique_ptr<StoreJob> job, int64_t now);
  // The finished job, once socket() is readable; null if none was waiting.
  std::unique_ptr<StoreJob> Finished();

 private:
  // What crosses between the threads; only under `mu`.
  struct Slots {
    std::mutex mu;
    std::unique_ptr<StoreJob> to_worker;
    std::unique_ptr<StoreJob> from_worker;
    bool stop = false;
  };
  static void Run(zmq::context_t& ctx, std::string endpoint, const NodeConfig& config, const ReferenceData& ref,
                  SignalStore& store, JobProgress& progress, Slots& slots);

  zmq::socket_t pipe_;
  Slots slots_;
  JobProgress progress_;
  std::thread thread_;
  bool busy_ = false;
  std::string what_;
  int64_t since_ = 0;
};

}  // namespace signaal::node
