// Admission: how much each subscriber may ask of the broker's one digest
// worker. A fetch costs a build; a subscriber asking without end, or many at
// once, would push every other subscriber's digest to later. Two limits per
// principal (the authenticated key, never the connection): fetches queued or
// being built at once, and fetches admitted in the last hour (a sliding
// window). Administrators and the schedule are not counted: they have a lane
// of their own (DigestService). Loop thread only.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "wire.pb.h"
#include "signaal/reference_data.h"
#include "signaal/status.h"

namespace signaal::broker {

class Admission {
 public:
  struct Limits {
    uint32_t queued_per_subscriber = 2;  // broker.toml [digests] queued_per_subscriber
    uint32_t fetches_per_hour = 30;      // broker.toml [digests] fetches_per_hour
  };
  explicit Admission(Limits limits) : limits_(limits) {}

  // Whether `principal`, with `queued` fetches queued or being built now,
  // may ask for one more at `now` (unix seconds). Ok, and counted against
  // the hour; or Refused with a sentence naming the limit and when to ask
  // again, and not counted.
  Status Admit(const std::string& principal, uint32_t queued, int64_t now);

  const Limits& limits() const { return limits_; }

 private:
  Limits limits_;
  // Per principal, when its fetches of the last hour were admitted, oldest
  // first: at most fetches_per_hour each, for enrolled subscribers only.
  std::map<std::string, std::deque<int64_t>> admitted_;
};

// A Subscribe's region filter as the broker keeps it: sorted, each region
// once. Every digest delivered is checked against it, so its size is
// bounded by what can mean anything — the regions the reference data
// knows — and checking it costs O(its size) once. Usage naming the region
// when one is unknown; Refused when it lists more entries than there are
// regions (a 4 MB filter of one code repeated is refused unread).
Result<std::vector<std::string>> SubscribeFilter(const ReferenceData& ref, const wire::Subscribe& req);

}  // namespace signaal::broker
