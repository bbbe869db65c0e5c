#include "digest_worker.h"

#include "risk_report.h"

#include <chrono>
#include <cstdio>
#include <cstring>

namespace signaal::broker {
namespace {

// The one frame of the pipe: a job's pointer; null asks the worker to stop.
void SendJob(zmq::socket_t& pipe, DigestJob* job) { pipe.send(zmq::buffer(&job, sizeof job), zmq::send_flags::none); }

DigestJob* ReceiveJob(zmq::socket_t& pipe, zmq::recv_flags flags) {
  zmq::message_t frame;
  if (!pipe.recv(frame, flags) || frame.size() != sizeof(DigestJob*)) return nullptr;
  DigestJob* job = nullptr;
  std::memcpy(&job, frame.data(), sizeof job);
  return job;
}

}  // namespace

DigestWorker::DigestWorker(zmq::context_t& ctx, const ReferenceData& ref, const DisclosurePolicy& policy)
    : pipe_(ctx, zmq::socket_type::pair) {
  pipe_.set(zmq::sockopt::linger, 0);
  char endpoint[64];
  std::snprintf(endpoint, sizeof endpoint, "inproc://digest-worker-%p", static_cast<void*>(this));
  pipe_.bind(endpoint);
  thread_ = std::thread(Run, std::ref(ctx), std::string(endpoint), std::cref(ref), policy);
}

DigestWorker::~DigestWorker() {
  SendJob(pipe_, nullptr);
  thread_.join();
  // A job finished after the daemon stopped reading is freed here.
  while (DigestJob* left = ReceiveJob(pipe_, zmq::recv_flags::dontwait)) delete left;
}

void DigestWorker::Start(std::unique_ptr<DigestJob> job) {
  busy_ = true;
  SendJob(pipe_, job.release());
}

std::unique_ptr<DigestJob> DigestWorker::Finished() {
  std::unique_ptr<DigestJob> job(ReceiveJob(pipe_, zmq::recv_flags::dontwait));
  if (job) busy_ = false;
  return job;
}

void DigestWorker::Run(zmq::context_t& ctx, std::string endpoint, const ReferenceData& ref, DisclosurePolicy policy) {
  zmq::socket_t pipe(ctx, zmq::socket_type::pair);
  pipe.set(zmq::sockopt::linger, 0);
  pipe.connect(endpoint);
  // One job at a time, each built from its own copies, then handed back.
  while (DigestJob* job = ReceiveJob(pipe, zmq::recv_flags::none)) {
    auto started = std::chrono::steady_clock::now();
    if (job->kind == DigestJob::Kind::kRiskReport) {
      job->risk = MakeRiskReport(ref, *job->table, policy, job->period, job->released);
      job->released.clear();
    } else {
      DigestBuilder builder(ref, *job->table, policy);
      job->result = builder.Build(job->region, job->period, job->now, DigestBuilder::Context::kFull);
    }
    job->build_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started)
                        .count();
    job->table.reset();  // freed here, not in the poll loop
    SendJob(pipe, job);
  }
}

}  // namespace signaal::broker
