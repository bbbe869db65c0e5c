// The broker's metrics page for Prometheus: the counters of
// `signaal broker status`, snapshots refused by reason, enrolled and
// recently heard principals. Counts only: no theme numbers, no names.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "broker_control.pb.h"

namespace signaal::broker {

// A principal counts as connected when heard from within this many seconds
// (nodes send a heartbeat every 15 s by default).
constexpr int64_t kConnectedWithinSeconds = 120;

std::string RenderBrokerMetrics(const wire::BrokerStatus& status, const std::vector<wire::Principal>& principals,
                                int64_t now);

}  // namespace signaal::broker
