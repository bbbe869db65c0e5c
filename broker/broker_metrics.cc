#include "broker_metrics.h"

#include <map>

#include "signaal/metrics.h"

namespace signaal::broker {
namespace {

// Counters with a name and help of their own; any other counter is exported
// as signaal_broker_<name>_total with dots as underscores.
const std::map<std::string, std::pair<std::string, std::string>>& KnownCounters() {
  static const std::map<std::string, std::pair<std::string, std::string>> known = {
      {"received", {"signaal_broker_messages_received_total", "Messages received on the listen socket."}},
      {"acked", {"signaal_broker_snapshots_acked_total", "Snapshots acknowledged (stored or duplicate)."}},
      {"snapshots.stored", {"signaal_broker_snapshots_stored_total", "Snapshots stored as a new version."}},
      {"snapshots.duplicate", {"signaal_broker_snapshots_duplicate_total", "Snapshots acked again as duplicates."}},
      {"handshake.refused", {"signaal_broker_handshakes_refused_total", "CURVE handshakes refused (unknown or revoked keys)."}},
      {"digests.published", {"signaal_broker_digests_built_total", "Digests built and published since start."}},
      {"digests.delivered", {"signaal_broker_digests_delivered_total", "Digests sent to subscribers."}},
      {"digests.fetched", {"signaal_broker_digests_fetched_total", "Digests fetched on request by subscribers."}},
      {"send.dropped", {"signaal_broker_sends_dropped_total", "Messages dropped because a peer's queue was full."}},
      {"mail.sent", {"signaal_broker_mail_sent_total", "Digest mails the SMTP server accepted."}},
      {"mail.failed_attempts", {"signaal_broker_mail_failed_attempts_total", "Digest mail attempts that failed (each is retried)."}},
      {"mail.given_up", {"signaal_broker_mail_given_up_total", "Digest mails given up after [mail] give_up_hours."}},
  };
  return known;
}

std::string MetricName(const std::string& counter) {
  std::string name = "signaal_broker_";
  for (char c : counter) name += (c == '.' || c == '-') ? '_' : c;
  return name + "_total";
}

}  // namespace

std::string RenderBrokerMetrics(const wire::BrokerStatus& s, const std::vector<wire::Principal>& principals,
                                int64_t now) {
  MetricsPage m;
  m.Gauge("signaal_broker_info", "Region and taxonomy version (always 1).", 1,
          {{"region", s.region()}, {"taxonomy", s.taxonomy_version()}});
  m.Gauge("signaal_broker_start_time_seconds", "When the broker started (unix time).",
          static_cast<double>(s.started_unix()));
  m.Gauge("signaal_broker_snapshots_held", "Newest snapshot versions held, one per node and week.",
          static_cast<double>(s.snapshots_stored()));
  m.Gauge("signaal_broker_digests_published", "Digests in the broker's store.",
          static_cast<double>(s.digests_published()));
  m.Gauge("signaal_broker_digests_building", "Digests queued for the digest worker or being built.",
          static_cast<double>(s.digests_building()));
  m.Gauge("signaal_broker_mail_queued", "Digest mails waiting to be accepted by the SMTP server.",
          static_cast<double>(s.mail_queued()));
  if (!s.upstream_state().empty()) {
    m.Gauge("signaal_broker_upstream_connected", "1 while the link to the upper broker is connected.",
            s.upstream_state() == "connected" ? 1 : 0);
    m.Gauge("signaal_broker_upstream_weeks_pending", "Weeks changed or made and not yet acked by the upper broker.",
            static_cast<double>(s.upstream_weeks_pending()));
  }
  std::map<std::string, int> enrolled, connected;
  for (const auto& p : principals) {
    if (p.revoked()) continue;
    std::string role = p.role() == wire::ROLE_NODE         ? "node"
                       : p.role() == wire::ROLE_SUBSCRIBER ? "subscriber"
                       : p.role() == wire::ROLE_BROKER     ? "broker"
                                                           : "admin";
    enrolled[role]++;
    if (p.last_seen_unix() > 0 && now - p.last_seen_unix() <= kConnectedWithinSeconds) connected[role]++;
  }
  for (const char* role : {"node", "subscriber", "broker", "admin"}) {
    m.Gauge("signaal_broker_principals_enrolled", "Enrolled, unrevoked principals by role.", enrolled[role],
            {{"role", role}});
  }
  for (const char* role : {"node", "subscriber", "admin"}) {
    m.Gauge("signaal_broker_principals_connected", "Principals heard from in the last 120 s, by role.",
            connected[role], {{"role", role}});
  }
  // Refusals by reason: one family; the counters map is sorted, so all
  // "nack.*" entries come together.
  bool any_nack = false;
  for (const auto& [name, value] : s.counters()) any_nack |= name.rfind("nack.", 0) == 0;
  std::map<std::string, uint64_t> sorted(s.counters().begin(), s.counters().end());
  if (!any_nack) m.Counter("signaal_broker_snapshots_nacked_total", "Messages refused with a Nack, by reason.", 0);
  for (const auto& [name, value] : sorted) {
    if (name.rfind("nack.", 0) != 0) continue;
    m.Counter("signaal_broker_snapshots_nacked_total", "Messages refused with a Nack, by reason.",
              static_cast<double>(value), {{"reason", name.substr(5)}});
  }
  for (const auto& [counter, family] : KnownCounters()) {
    auto it = sorted.find(counter);
    m.Counter(family.first, family.second, it == sorted.end() ? 0.0 : static_cast<double>(it->second));
  }
  for (const auto& [name, value] : sorted) {
    if (name.rfind("nack.", 0) == 0 || KnownCounters().count(name)) continue;
    m.Counter(MetricName(name), "Broker counter '" + name + "' (docs/OPERATIONS.md).", static_cast<double>(value));
  }
  return m.text();
}

}  // namespace signaal::broker
