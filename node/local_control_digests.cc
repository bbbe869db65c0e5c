// LocalControl, what came of the signals (issue 18): the published digests
// of the node's areas and the advice feed the broker sent, kept in the
// node's store, listed for `signaal node digests`, and counted for the
// status ("uw signalen telden mee in 4 rapportages en 2 adviezen deze
// maand"), each digest with this partner's own signals in its themes. All
// of it read from the node's own copies: nothing is asked of the broker, and
// nothing of this leaves the node.
#include "local_control.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "signaal/log.h"
#include "signaal/period.h"
#include "signaal/saturating.h"

namespace signaal::node {
namespace {

// "2026-12" for a time, in Dutch time.
std::string MonthOf(int64_t unix_seconds) {
  const Date d = AmsterdamTime(unix_seconds).date;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d", d.year, d.month);
  return buf;
}

// A kept digest's weeks: its period's (OnDigest keeps only a digest whose
// from and to weeks are its period's, so this is at most a year of them).
std::vector<std::string> WeeksOf(const wire::Digest& d) {
  auto range = ParsePeriod(d.period());
  return range.ok() ? range->Weeks() : std::vector<std::string>{};
}

// This node's signals per theme the digest lists, over its weeks and area:
// what the partner may know of its own share, computed here and shown only
// here. `weeks` keeps each week's cells read for an earlier digest.
wire::OwnCounts OwnCountsOf(const wire::Digest& d, const ReferenceData& ref, const SignalStore& store,
                            std::map<std::string, std::vector<wire::SummaryCell>>& weeks) {
  wire::OwnCounts own;
  const Region* region = ref.FindRegion(d.region());
  if (!region) return own;  // an area of other reference data: nothing to count
  const std::set<std::string> area(region->municipalities.begin(), region->municipalities.end());
  std::map<std::string, std::pair<uint64_t, uint64_t>> counts;
  for (const auto& t : d.themes()) counts[t.code()];
  for (const auto& week : WeeksOf(d)) {
    auto cells = weeks.find(week);
    if (cells == weeks.end()) cells = weeks.emplace(week, store.WeekCells(week, 1)).first;
    for (const auto& c : cells->second) {
      auto it = counts.find(c.theme());
      if (it == counts.end() || area.count(c.municipality()) == 0) continue;
      it->second.first += c.signals();
      it->second.second += c.open();
    }
  }
  for (const auto& t : d.themes()) {
    const auto& [signals, open] = counts[t.code()];
    auto* out = own.add_themes();
    out->set_theme(t.code());
    out->set_signals(SaturatingCast<uint32_t>(signals));
    out->set_open(SaturatingCast<uint32_t>(open));
  }
  return own;
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
  std::map<std::string, std::vector<wire::SummaryCell>> weeks;
  for (auto& d : *digests) {
    *out->add_own() = OwnCountsOf(d, c_.ref, c_.store, weeks);
    *out->add_digests() = std::move(d);
  }
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
    const auto weeks = WeeksOf(d);
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
