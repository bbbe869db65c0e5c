#include "digest_worker.h"

#include "risk_report.h"

#include <chrono>
#include <cstdio>

namespace signaal::broker {

DigestWorker::DigestWorker(zmq::context_t& ctx, const ReferenceData& ref, const DisclosurePolicy& policy)
    : ref_(ref), policy_(policy), ctx_(ctx), bell_(ctx, zmq::socket_type::pair) {
  bell_.set(zmq::sockopt::linger, 0);
  char endpoint[64];
  std::snprintf(endpoint, sizeof endpoint, "inproc://digest-worker-%p", static_cast<void*>(this));
  bell_.bind(endpoint);
  thread_ = std::thread(&DigestWorker::Run, this, std::string(endpoint));
}

DigestWorker::~DigestWorker() {
  abandon_.store(true);
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_one();
  thread_.join();
  // A job finished after the daemon stopped reading is freed here, with its
  // table, on the thread that owns the daemon.
}

void DigestWorker::Start(std::unique_ptr<DigestJob> job) {
  busy_ = true;
  abandon_.store(false);  // meant for the job before, which is back already
  {
    std::lock_guard<std::mutex> lock(mu_);
    next_ = std::move(job);
  }
  wake_.notify_one();
}

std::unique_ptr<DigestJob> DigestWorker::Finished() {
  zmq::message_t ring;
  while (bell_.recv(ring, zmq::recv_flags::dontwait)) {
  }
  std::unique_ptr<DigestJob> job;
  {
    std::lock_guard<std::mutex> lock(mu_);
    job = std::move(done_);
  }
  if (job) busy_ = false;
  return job;
}

void DigestWorker::Run(std::string endpoint) {
  zmq::socket_t bell(ctx_, zmq::socket_type::pair);
  bell.set(zmq::sockopt::linger, 0);
  bell.connect(endpoint);
  for (;;) {
    std::unique_ptr<DigestJob> job;
    {
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait(lock, [&] { return stop_ || next_ != nullptr; });
      if (stop_) return;
      job = std::move(next_);
    }
    // One job at a time, from its own snapshot, then handed back.
    auto started = std::chrono::steady_clock::now();
    if (job->kind == DigestJob::Kind::kRiskReport) {
      job->risk = MakeRiskReport(ref_, *job->table, policy_, job->period, job->released, &abandon_);
      job->released.clear();
    } else {
      DigestBuilder builder(ref_, *job->table, policy_);
      job->result = builder.Build(job->region, job->period, job->now, DigestBuilder::Context::kFull, &abandon_);
    }
    job->abandoned = abandon_.load();
    job->build_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started)
                        .count();
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = std::move(job);
    }
    // The doorbell carries nothing: the job is in done_. A full pipe cannot
    // happen (one job is out at a time), and a dropped ring would only delay.
    (void)bell.send(zmq::str_buffer("."), zmq::send_flags::dontwait);
  }
}

}  // namespace signaal::broker
