#include "store_worker.h"

#include <cstdio>

namespace signaal::node {
namespace {

// The pipe's one frame: a ring, nothing in it.
void Ring(zmq::socket_t& pipe) { pipe.send(zmq::const_buffer("", 0), zmq::send_flags::none); }

bool WaitRing(zmq::socket_t& pipe, zmq::recv_flags flags) {
  zmq::message_t frame;
  return pipe.recv(frame, flags).has_value();
}

}  // namespace

StoreWorker::StoreWorker(zmq::context_t& ctx, const NodeConfig& config, const ReferenceData& ref, SignalStore& store)
    : pipe_(ctx, zmq::socket_type::pair) {
  pipe_.set(zmq::sockopt::linger, 0);
  char endpoint[64];
  std::snprintf(endpoint, sizeof endpoint, "inproc://store-worker-%p", static_cast<void*>(this));
  pipe_.bind(endpoint);
  thread_ = std::thread(Run, std::ref(ctx), std::string(endpoint), std::cref(config), std::cref(ref),
                        std::ref(store), std::ref(progress_), std::ref(slots_));
}

StoreWorker::~StoreWorker() {
  {
    std::lock_guard<std::mutex> lock(slots_.mu);
    slots_.stop = true;
  }
  Ring(pipe_);
  thread_.join();
  // A job finished after the daemon stopped reading is freed with slots_.
}

void StoreWorker::Start(std::unique_ptr<StoreJob> job, int64_t now) {
  progress_.rows.store(0, std::memory_order_relaxed);
  progress_.stage.store(JobProgress::kQueued, std::memory_order_relaxed);
  busy_ = true;
  what_ = job->Describe();
  since_ = now;
  {
    std::lock_guard<std::mutex> lock(slots_.mu);
    slots_.to_worker = std::move(job);
  }
  Ring(pipe_);
}

std::unique_ptr<StoreJob> StoreWorker::Finished() {
  if (!WaitRing(pipe_, zmq::recv_flags::dontwait)) return nullptr;
  std::unique_ptr<StoreJob> job;
  {
    std::lock_guard<std::mutex> lock(slots_.mu);
    job = std::move(slots_.from_worker);
  }
  if (job) busy_ = false;
  return job;
}

void StoreWorker::Run(zmq::context_t& ctx, std::string endpoint, const NodeConfig& config, const ReferenceData& ref,
                      SignalStore& store, JobProgress& progress, Slots& slots) {
  zmq::socket_t pipe(ctx, zmq::socket_type::pair);
  pipe.set(zmq::sockopt::linger, 0);
  pipe.connect(endpoint);
  while (WaitRing(pipe, zmq::recv_flags::none)) {
    std::unique_ptr<StoreJob> job;
    {
      std::lock_guard<std::mutex> lock(slots.mu);
      if (slots.stop) return;
      job = std::move(slots.to_worker);
    }
    if (!job) continue;
    RunStoreJob(*job, config, ref, store, &progress);
    {
      std::lock_guard<std::mutex> lock(slots.mu);
      slots.from_worker = std::move(job);
    }
    Ring(pipe);
  }
}

}  // namespace signaal::node
