#include "digest_service.h"

namespace signaal::broker {

DigestService::DigestService(zmq::context_t& ctx, const ReferenceData& ref, const DisclosurePolicy& policy,
                             BrokerStore& store, const ThemeTable& table)
    : store_(store), table_(table), worker_(ctx, ref, policy) {}

bool DigestService::Full() const {
  size_t asked = 0;
  for (const auto& j : queue_) asked += j->scheduled_run == 0 ? 1 : 0;
  return asked >= kMaxQueued;
}

bool DigestService::Queue(std::unique_ptr<DigestJob> job, bool bounded) {
  if (bounded && Full()) return false;
  queue_.push_back(std::move(job));
  StartNext();
  return true;
}

bool DigestService::RunPending(int64_t when) const {
  for (const auto& queued : queue_) {
    if (queued->scheduled_run == when) return true;
  }
  return false;
}

void DigestService::StartNext() {
  if (worker_.busy() || queue_.empty()) return;
  std::unique_ptr<DigestJob> job = std::move(queue_.front());
  queue_.pop_front();
  job->table = std::make_unique<ThemeTable>(table_);
  worker_.Start(std::move(job));
}

std::unique_ptr<DigestJob> DigestService::Finish() {
  std::unique_ptr<DigestJob> job = worker_.Finished();
  if (!job) return nullptr;
  StartNext();
  if (job->kind == DigestJob::Kind::kRiskReport || !job->result.ok()) return job;
  const std::string who = job->requester.empty() ? "schedule" : job->requester;
  if (job->kind == DigestJob::Kind::kPublish) {
    if (auto seq = store_.AppendDigest(*job->result); !seq.ok()) {
      job->result = seq.status();
      return job;
    }
  }
  // Recorded before it leaves: the trail holds everything that did.
  if (Status s = store_.RecordRelease(*job->result, who, job->kind == DigestJob::Kind::kPublish ? "publish" : "fetch",
                                      job->now);
      !s.ok()) {
    job->result = Status::Unreachable(s.message());
  }
  return job;
}

}  // namespace signaal::broker
