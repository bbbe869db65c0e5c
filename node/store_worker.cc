#include "store_worker.h"

#include <cstdio>
#include <cstring>

namespace signaal::node {
namespace {

// The one frame of the pipe: a job's pointer; null asks the worker to stop.
void SendJob(zmq::socket_t& pipe, StoreJob* job) { pipe.send(zmq::buffer(&job, sizeof job), zmq::send_flags::none); }

StoreJob* ReceiveJob(zmq::socket_t& pipe, zmq::recv_flags flags) {
  zmq::message_t frame;
  if (!pipe.recv(frame, flags) || frame.size() != sizeof(StoreJob*)) return nullptr;
  StoreJob* job = nullptr;
  std::memcpy(&job, frame.data(), sizeof job);
  return job;
}

}  // namespace

StoreWorker::StoreWorker(zmq::context_t& ctx, const NodeConfig& config, const ReferenceData& ref, SignalStore& store)
    : pipe_(ctx, zmq::socket_type::pair) {
  pipe_.set(zmq::sockopt::linger, 0);
  char endpoint[64];
  std::snprintf(endpoint, sizeof endpoint, "inproc://store-worker-%p", static_cast<void*>(this));
  pipe_.bind(endpoint);
  thread_ = std::thread(Run, std::ref(ctx), std::string(endpoint), std::cref(config), std::cref(ref),
                        std::ref(store), std::ref(progress_));
}

StoreWorker::~StoreWorker() {
  SendJob(pipe_, nullptr);
  thread_.join();
  // A job finished after the daemon stopped reading is freed here.
  while (StoreJob* left = ReceiveJob(pipe_, zmq::recv_flags::dontwait)) delete left;
}

void StoreWorker::Start(std::unique_ptr<StoreJob> job, int64_t now) {
  // Reset before the hand-over: the send below orders these stores before
  // anything the worker does with the job.
  progress_.rows.store(0, std::memory_order_relaxed);
  progress_.stage.store(JobProgress::kQueued, std::memory_order_relaxed);
  busy_ = true;
  what_ = job->Describe();
  since_ = now;
  SendJob(pipe_, job.release());
}

std::unique_ptr<StoreJob> StoreWorker::Finished() {
  std::unique_ptr<StoreJob> job(ReceiveJob(pipe_, zmq::recv_flags::dontwait));
  if (job) busy_ = false;
  return job;
}

void StoreWorker::Run(zmq::context_t& ctx, std::string endpoint, const NodeConfig& config, const ReferenceData& ref,
                      SignalStore& store, JobProgress& progress) {
  zmq::socket_t pipe(ctx, zmq::socket_type::pair);
  pipe.set(zmq::sockopt::linger, 0);
  pipe.connect(endpoint);
  while (StoreJob* job = ReceiveJob(pipe, zmq::recv_flags::none)) {
    RunStoreJob(*job, config, ref, store, &progress);
    SendJob(pipe, job);
  }
}

}  // namespace signaal::node
