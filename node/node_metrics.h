// The node's metrics page for Prometheus: the same numbers as
// `signaal node status`, as counters and gauges. Counts only: no signal,
// theme or citizen ever appears in it.
#pragma once

#include <cstdint>
#include <string>

#include "local_control.h"
#include "node_control.pb.h"

namespace signaal::node {

std::string RenderNodeMetrics(const wire::NodeStatus& status, const NodeCounters& counters, int64_t now);

}  // namespace signaal::node
