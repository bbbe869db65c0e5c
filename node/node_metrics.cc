#include "node_metrics.h"

#include "signaal/metrics.h"

namespace signaal::node {

std::string RenderNodeMetrics(const wire::NodeStatus& s, const NodeCounters& c, int64_t now) {
  MetricsPage m;
  m.Gauge("signaal_node_info", "Software and taxonomy version (always 1).", 1,
          {{"node", s.node_id()}, {"version", s.software_version()}, {"taxonomy", s.taxonomy_version()}});
  m.Gauge("signaal_node_signals_stored", "Signals held in the node's store.", static_cast<double>(s.signals()));
  m.Gauge("signaal_node_outbox_depth", "Snapshots waiting for the broker's ack.", s.outbox_depth());
  m.Gauge("signaal_node_dirty_periods", "Weeks changed since their last snapshot.", s.dirty_periods());
  m.Counter("signaal_node_snapshots_sent_total", "Snapshots sent to the broker (resends included).",
            static_cast<double>(s.snapshots_sent()));
  m.Counter("signaal_node_snapshots_acked_total", "Snapshots the broker acknowledged.",
            static_cast<double>(s.snapshots_acked()));
  if (c.nacked_by_reason.empty()) {
    m.Counter("signaal_node_snapshots_nacked_total", "Snapshots the broker refused, by reason.", 0);
  }
  for (const auto& [reason, n] : c.nacked_by_reason) {
    m.Counter("signaal_node_snapshots_nacked_total", "Snapshots the broker refused, by reason.",
              static_cast<double>(n), {{"reason", reason}});
  }
  for (const char* state : {"connected", "unreachable", "refused"}) {
    m.Gauge("signaal_node_broker_state", "The connection to the broker (1 for the current state).",
            s.broker_state() == state ? 1 : 0, {{"state", state}});
  }
  if (s.last_ack_unix() > 0) {
    m.Gauge("signaal_node_last_ack_timestamp_seconds", "When the broker last acknowledged a snapshot (unix time).",
            static_cast<double>(s.last_ack_unix()));
    m.Gauge("signaal_node_last_ack_age_seconds", "Seconds since the broker last acknowledged a snapshot.",
            static_cast<double>(now - s.last_ack_unix()));
  }
  m.Counter("signaal_node_control_refused_total", "Local control requests refused as malformed.",
            static_cast<double>(s.control_refused()));
  m.Counter("signaal_node_broker_malformed_total", "Undecodable messages from the broker.",
            static_cast<double>(s.broker_malformed()));
  return m.text();
}

}  // namespace signaal::node
