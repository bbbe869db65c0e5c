// BrokerDaemon, its digests: a subscriber's fetch, an administrator's
// publish and risk report, the schedule, and the answers when the
// DigestService has built them. Apart from broker_daemon.cc to keep each file
// readable; the same class, the same thread (the poll loop).
#include "broker_daemon.h"

#include "broker_area.h"
#include "risk_report.h"

#include "signaal/log.h"
#include "signaal/period.h"
#include "signaal/zmq_util.h"

namespace signaal::broker {
namespace {

// A digest to build, asked for now.
std::unique_ptr<DigestJob> NewDigestJob(DigestJob::Kind kind, std::string region, std::string period,
                                        std::string requester, int64_t now, std::string routing_id = "") {
  auto job = std::make_unique<DigestJob>();
  job->kind = kind;
  job->region = std::move(region);
  job->period = std::move(period);
  job->requester = std::move(requester);
  job->routing_id = std::move(routing_id);
  job->now = now;
  return job;
}

}  // namespace

void BrokerDaemon::HandleDigestRequest(const zmq::message_t& rid, int fd, const wire::Principal& sub,
                                       const wire::DigestRequest& req) {
  std::string region = req.region().empty() && sub.regions_size() > 0 ? sub.regions(0) : req.region();
  if (!ref_.FindRegion(region)) return Nack(rid, "unknown-region", "region '" + region + "' is not known");
  Status inside = BrokerArea(ref_, config_.region).CheckRegion(region, "field 'region'");
  if (!inside.ok()) return Nack(rid, "outside-area", inside.message());
  if (!Entitled(sub, {}, region)) {
    return Nack(rid, "forbidden-region", "this subscriber is not enrolled for region " + region);
  }
  // The lane's bound first, so a fetch refused for it does not count
  // against the subscriber's hour.
  if (digests_->Full(DigestJob::Kind::kFetch)) {
    return Nack(rid, "unavailable", "the broker is building other digests; try again later");
  }
  if (Status s = admission_.Admit(sub.id(), digests_->QueuedFor(sub.id()), Now()); !s.ok()) {
    spdlog::info("refused a digest request of {}: {}", sub.id(), s.message());
    return Nack(rid, "too-many-requests", s.message());
  }
  auto job = NewDigestJob(DigestJob::Kind::kFetch, region, req.period(), sub.id(), Now(), rid.to_string());
  job->source_fd = fd;
  if (Status s = digests_->Queue(std::move(job)); !s.ok()) Nack(rid, "unavailable", s.message());
}

void BrokerDaemon::HandlePublishRequest(const zmq::message_t& rid, const wire::Principal& admin,
                                        const wire::PublishDigest& req) {
  std::string region = req.region().empty() ? config_.region : req.region();
  if (ref_.FindRegion(region)) {  // an unknown region is named by the digest builder
    if (Status s = BrokerArea(ref_, config_.region).CheckRegion(region, "--region"); !s.ok()) {
      return (void)SendProto(*control_, ErrorResponse(s), &rid);
    }
  }
  // The administrators' lane: no subscriber load fills it (DigestService).
  if (Status s = digests_->Queue(NewDigestJob(DigestJob::Kind::kPublish, region, req.period(), admin.id(), Now(),
                                              rid.to_string()));
      !s.ok()) {
    SendProto(*control_, ErrorResponse(s), &rid);
  }
}

void BrokerDaemon::HandleRiskReportRequest(const zmq::message_t& rid, const wire::Principal& admin,
                                           const wire::RiskReportRequest& req) {
  auto range = ParsePeriod(req.period());
  if (!range.ok()) return (void)SendProto(*control_, ErrorResponse(range.status().Prefixed("--period")), &rid);
  if (digests_->Full(DigestJob::Kind::kRiskReport)) {  // refused before reading anything for it
    SendProto(*control_, ErrorResponse(Status::Unreachable("the broker is building other digests; try again later")),
              &rid);
    return;
  }
  auto job = NewDigestJob(DigestJob::Kind::kRiskReport, config_.region, range->label, admin.id(), Now(),
                         rid.to_string());
  // The newest records that can say anything about the period, read here
  // and handed over: the worker touches no store.
  job->released = store_->NewestReleases(
      kMaxRiskDigests, [&](const storage::ReleaseRecord& r) { return ReleaseTouches(r, *range); }, &job->truncated);
  if (Status s = digests_->Queue(std::move(job)); !s.ok()) {  // not expected: nothing was queued since Full()
    SendProto(*control_, ErrorResponse(s), &rid);
  }
}

void BrokerDaemon::OnDigestFinished() {
  std::unique_ptr<DigestJob> job = digests_->Finish();
  if (!job) return;
  if (job->abandoned) {
    // Its requester's connection closed (or the broker is stopping): nobody
    // to answer, nothing recorded.
    counters_["digests.abandoned"]++;
    spdlog::info("abandoned the {} of {} for {} {} after {} ms", job->kind == DigestJob::Kind::kRiskReport ? "risk report" : "digest",
                 job->requester.empty() ? "schedule" : job->requester, job->region, job->period, job->build_ms);
    return;
  }
  switch (job->kind) {
    case DigestJob::Kind::kFetch: return AnswerFetch(*job);
    case DigestJob::Kind::kPublish: return AnswerPublish(*job);
    case DigestJob::Kind::kRiskReport: return AnswerRiskReport(*job);
  }
}

void BrokerDaemon::AnswerRiskReport(DigestJob& job) {
  wire::ControlResponse response;
  if (!job.risk.ok()) {
    response = ErrorResponse(job.risk.status());
  } else {
    job.risk->set_truncated(job.truncated);
    const wire::RiskReport& r = *job.risk;
    spdlog::info("{} asked for the risk report of {}: {} digests, {} cells attacked, {} narrowed below k, {} exact, "
                 "in {} ms",
                 job.requester, r.period(), r.digests(), r.cells_attacked(), r.narrowed_below_k(), r.exact(),
                 r.millis());
    response = OkResponse();
    *response.mutable_risk_report() = std::move(*job.risk);
  }
  zmq::message_t rid(job.routing_id.data(), job.routing_id.size());
  SendProto(*control_, response, &rid);
}

void BrokerDaemon::AnswerFetch(DigestJob& job) {
  zmq::message_t rid(job.routing_id.data(), job.routing_id.size());
  if (!job.result.ok()) {
    if (job.result.status().code() == Code::kUnreachable) {
      spdlog::error("{}", job.result.status().message());
      return Nack(rid, "unavailable", "the broker cannot record the digest; try again later");
    }
    return Nack(rid, "invalid-request", job.result.status().message());
  }
  spdlog::info("{} fetched a digest for {} {}: built in {} ms", job.requester, job.region, job.result->period(),
               job.build_ms);
  counters_["digests.fetched"]++;
  wire::BrokerMessage m;
  m.set_schema(wire::SCHEMA_V1);
  *m.mutable_digest()->mutable_digest() = std::move(*job.result);
  Reply(rid, m);
}

void BrokerDaemon::AnswerPublish(DigestJob& job) {
  wire::ControlResponse response;
  if (!job.result.ok()) {
    response = ErrorResponse(job.result.status());
  } else {
    counters_["digests.published"]++;
    const wire::Digest& d = *job.result;
    spdlog::info("published digest {} for {} {} ({} cells shown, {} suppressed): built in {} ms{}", d.sequence(),
                 d.region(), d.period(), d.policy().cells_published(), d.policy().cells_suppressed(), job.build_ms,
                 job.scheduled_run ? ", as scheduled" : "");
    Deliver(d);
    if (mail_) mail_->Added(std::move(job.mail));
    response = OkResponse();
    *response.mutable_digest() = std::move(*job.result);
  }
  if (!response.ok()) {
    spdlog::error("{} digest for {} {} failed: {}", job.scheduled_run ? "scheduled" : "published", job.region,
                  job.period.empty() ? "(latest)" : job.period, response.error());
  }
  if (!job.routing_id.empty()) {
    zmq::message_t rid(job.routing_id.data(), job.routing_id.size());
    SendProto(*control_, response, &rid);
  }
  if (job.scheduled_run == 0) return;
  // The run counts as made once its last region is done, failed or not; a
  // broker stopped before that makes the run up when it starts again.
  if (digests_->RunPending(job.scheduled_run)) return;
  counters_["digests.scheduled_runs"]++;
  if (Status s = store_->SetLastScheduledRun(job.scheduled_run); !s.ok()) spdlog::error("{}", s.message());
}

void BrokerDaemon::RunSchedule(int64_t when) {
  for (const auto& period : schedule_->PeriodsFor(when)) {
    for (const auto& region : schedule_->regions()) {
      auto job = NewDigestJob(DigestJob::Kind::kPublish, region, period, "schedule", Now());
      job->scheduled_run = when;
      if (Status s = digests_->Queue(std::move(job)); !s.ok()) spdlog::error("scheduled digest: {}", s.message());
    }
  }
}

}  // namespace signaal::broker
