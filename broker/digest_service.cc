#include "digest_service.h"

#include <algorithm>

#include "advice_section.h"
#include "signaal/period.h"

namespace signaal::broker {
namespace {

bool FromSubscriber(const DigestJob& job) { return job.kind == DigestJob::Kind::kFetch; }

}  // namespace

DigestService::DigestService(zmq::context_t& ctx, const ReferenceData& ref, const DisclosurePolicy& policy,
                             BrokerStore& store, const ThemeTable& table)
    : ref_(ref), store_(store), table_(table), worker_(ctx, ref, policy) {}

bool DigestService::Full(DigestJob::Kind kind) const {
  if (kind == DigestJob::Kind::kFetch) return subscribers_.size() >= kMaxQueued;
  size_t asked = 0;
  for (const auto& j : operators_) asked += j->scheduled_run == 0 ? 1 : 0;
  return asked >= kMaxQueued;
}

Status DigestService::Queue(std::unique_ptr<DigestJob> job) {
  if (job->scheduled_run == 0 && Full(job->kind)) {
    return Status::Unreachable("the broker is building other digests; try again later");
  }
  (FromSubscriber(*job) ? subscribers_ : operators_).push_back(std::move(job));
  StartNext();
  return Status::Ok();
}

uint32_t DigestService::QueuedFor(const std::string& requester) const {
  uint32_t n = worker_.busy() && running_.kind == DigestJob::Kind::kFetch && running_.requester == requester ? 1 : 0;
  for (const auto& j : subscribers_) n += j->requester == requester ? 1 : 0;
  return n;
}

size_t DigestService::DropFetchesFrom(int fd) {
  if (fd < 0) return 0;
  const size_t before = subscribers_.size();
  subscribers_.erase(std::remove_if(subscribers_.begin(), subscribers_.end(),
                                    [&](const std::unique_ptr<DigestJob>& j) { return j->source_fd == fd; }),
                     subscribers_.end());
  size_t dropped = before - subscribers_.size();
  if (worker_.busy() && running_.kind == DigestJob::Kind::kFetch && running_.source_fd == fd) {
    worker_.Abandon();
    ++dropped;
  }
  return dropped;
}

bool DigestService::RunPending(int64_t when) const {
  for (const auto& queued : operators_) {
    if (queued->scheduled_run == when) return true;
  }
  return false;
}

void DigestService::StartNext() {
  if (worker_.busy()) return;
  std::unique_ptr<DigestJob> job;
  if (!operators_.empty()) {
    job = std::move(operators_.front());
    operators_.pop_front();
  } else if (!subscribers_.empty()) {
    // Subscribers take turns: the oldest fetch of someone other than the
    // one served last, if there is one.
    auto next = std::find_if(subscribers_.begin(), subscribers_.end(),
                             [&](const std::unique_ptr<DigestJob>& j) { return j->requester != last_served_; });
    if (next == subscribers_.end()) next = subscribers_.begin();
    job = std::move(*next);
    subscribers_.erase(next);
    last_served_ = job->requester;
  } else {
    return;
  }
  running_ = Running{job->kind, job->requester, job->source_fd};
  // The worker's immutable snapshot, made on this thread (and freed on it
  // in Finish): the two tables share every week until this one changes it.
  job->table = std::make_unique<const ThemeTable>(table_);
  worker_.Start(std::move(job));
}

std::string DigestService::ParsedKind(const wire::Digest& digest) {
  auto range = ParsePeriod(digest.period());
  // A digest the builder made always has a period ParsePeriod reads.
  return range.ok() ? DigestKind(*range) : digest.period();
}

Status DigestService::AddAdvice(wire::Digest& digest, const std::string& kind) const {
  auto all = store_.AllAdvice();
  if (!all.ok()) return all.status();
  auto last = store_.LastPublished(digest.region(), kind);
  if (!last.ok()) return last.status();
  int64_t since = *last;
  if (since == 0) {
    // The first digest of its series: what changed during its period.
    auto monday = MondayOfWeek(digest.from_week());
    since = monday.ok() ? DaysFromCivil(*monday) * 86400 : 0;
  }
  AddAdviceSection(digest, *all, ref_, since);
  return Status::Ok();
}

std::unique_ptr<DigestJob> DigestService::Finish() {
  std::unique_ptr<DigestJob> job = worker_.Finished();
  if (!job) return nullptr;
  job->table.reset();  // here, on the table's own thread (digest_worker.h)
  StartNext();
  if (job->abandoned || job->kind == DigestJob::Kind::kRiskReport || !job->result.ok()) return job;
  const std::string who = job->requester.empty() ? "schedule" : job->requester;
  // What was done with the signals: read here, where the store lives, and
  // added before the digest is stored or leaves.
  if (Status s = AddAdvice(*job->result, ParsedKind(*job->result)); !s.ok()) {
    job->result = Status::Unreachable(s.message());
    return job;
  }
  if (job->kind == DigestJob::Kind::kPublish) {
    if (mail_for_) job->mail = mail_for_(*job->result);
    if (auto seq = store_.AppendDigest(*job->result, ParsedKind(*job->result), mail_for_ ? &job->mail : nullptr);
        !seq.ok()) {
      job->mail.clear();
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
