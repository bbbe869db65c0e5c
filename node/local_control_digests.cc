// LocalControl, what came of the signals (issue 18): the published digests
// of the node's areas and the advice feed the broker sent, kept in the
// node's store, listed for `signaal node digests`, and counted for the
// status ("uw signalen telden mee in 4 rapportages en 2 adviezen deze
// maand"). All of it read from the node's own copies: nothing is asked of
// the broker, and nothing of this leaves the node.
#include "local_control.h"

#include <algorithm>
#include <cstdio>

#include "signaal/log.h"
#include "signaal/period.h"

namespace signaal::node {
namespace {

// "2026-12" for a time, in Dutch time.
std::string MonthOf(int64_t unix_seconds) {
  const Date d = AmsterdamTime(unix_seconds).date;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d", d.year, d.month);
  return buf;
}

}  // namespace

wire::NodeResponse LocalControl::Digests(const wire::DigestsRequest& req) const {
  const size_t limit = req.limit() == 0 ? 20 : std::min<size_t>(req.limit(), 200);
  auto digests = c_.store.KeptDigests(limit);
  if (!digests.ok()) return NodeError(digests.status());
  auto feed = c_.store.AdviceFeed();
  if (!feed.ok()) return NodeError(feed.status());
  auto kept = c_.store.CountKeptDigests();
  if (!kept.ok()) return NodeError(kept.status());
  auto r = NodeOk();
  auto* out = r.mutable_kept_digests();
  for (auto& d : *digests) *out->add_digests() = std::move(d);
  *out->mutable_advice() = std::move(*feed);
  out->set_kept(static_cast<uint32_t>(*kept));
  return r;
}

Status LocalControl::AddFeedback(wire::NodeStatus& status, int64_t now) const {
  status.set_digests_received(c_.counters.digests_received);
  status.set_digests_refused(c_.counters.digests_refused);
  auto kept = c_.store.CountKeptDigests();
  if (!kept.ok()) return kept.status();
  status.set_digests_kept(static_cast<uint32_t>(*kept));
  const std::string month = MonthOf(now);
  auto sent = c_.store.AckedWeeks();
  if (!sent.ok()) return sent.status();
  // Only this month's digests are read (status runs on every metrics
  // scrape): newest first, up to the first of an earlier month.
  uint32_t counted = 0;
  Status read = c_.store.ForEachKeptDigestNewestFirst([&](const wire::Digest& d) {
    if (MonthOf(d.generated_unix()) != month) return false;
    const auto weeks = PeriodRange{"", d.from_week(), d.to_week()}.Weeks();
    if (std::any_of(weeks.begin(), weeks.end(), [&](const std::string& w) { return sent->count(w) > 0; })) ++counted;
    return true;
  });
  if (!read.ok()) return read;
  status.set_digests_this_month(counted);
  auto feed = c_.store.AdviceFeed();
  if (!feed.ok()) return feed.status();
  uint32_t advice = 0;
  for (const auto& a : feed->advice()) {
    if (a.sent_date().rfind(month, 0) == 0 || a.response_date().rfind(month, 0) == 0) ++advice;
  }
  status.set_advice_this_month(advice);
  return Status::Ok();
}

}  // namespace signaal::node
