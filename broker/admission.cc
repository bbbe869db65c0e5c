#include "admission.h"

#include <algorithm>

namespace signaal::broker {

Status Admission::Admit(const std::string& principal, uint32_t queued, int64_t now) {
  if (queued >= limits_.queued_per_subscriber) {
    return Status::Refused("this subscriber already has " + std::to_string(queued) +
                           " digests waiting (at most " + std::to_string(limits_.queued_per_subscriber) +
                           " at once); ask again when one has come");
  }
  std::deque<int64_t>& times = admitted_[principal];
  while (!times.empty() && times.front() <= now - 3600) times.pop_front();
  if (times.size() >= limits_.fetches_per_hour) {
    const int64_t wait = times.front() + 3600 - now;
    return Status::Refused("this subscriber asked for " + std::to_string(times.size()) +
                           " digests in the last hour (at most " + std::to_string(limits_.fetches_per_hour) +
                           "); ask again in " + std::to_string((wait + 59) / 60) + " min");
  }
  times.push_back(now);
  return Status::Ok();
}

Result<std::vector<std::string>> SubscribeFilter(const ReferenceData& ref, const wire::Subscribe& req) {
  const size_t known = ref.RegionCodes().size();
  if (static_cast<size_t>(req.regions_size()) > known) {
    return Status::Refused("a filter names at most the " + std::to_string(known) + " regions there are; this one had " +
                           std::to_string(req.regions_size()) + " entries");
  }
  std::vector<std::string> filter(req.regions().begin(), req.regions().end());
  std::sort(filter.begin(), filter.end());
  filter.erase(std::unique(filter.begin(), filter.end()), filter.end());
  for (const auto& f : filter) {
    if (!ref.FindRegion(f)) {
      // Named, but not echoed whole: a peer chooses its length.
      return Status::Usage("region '" + f.substr(0, 64) + (f.size() > 64 ? "…" : "") + "' is not known");
    }
  }
  return filter;
}

}  // namespace signaal::broker
