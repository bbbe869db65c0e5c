// BrokerDaemon, its subscribers: registering a Subscribe (with its bounded
// filter and catch-up) and delivering published digests. Apart from
// broker_daemon.cc to keep each file readable; the same class, the same
// thread (the poll loop).
#include "broker_daemon.h"

#include "broker_area.h"

#include "signaal/log.h"
#include "signaal/zmq_util.h"

namespace signaal::broker {

bool BrokerDaemon::Entitled(const wire::Principal& sub, const std::vector<std::string>& filter,
                            const std::string& region) const {
  // Digests stored before the area was enforced may be of a region outside it.
  if (!BrokerArea(ref_, config_.region).Covers(region)) return false;
  bool enrolled = false;
  for (const auto& r : sub.regions()) enrolled = enrolled || ref_.RegionWithin(region, r);
  if (!enrolled) return false;
  if (filter.empty()) return true;
  for (const auto& f : filter) {
    if (ref_.RegionWithin(region, f)) return true;
  }
  return false;
}

void BrokerDaemon::HandleSubscribe(const zmq::message_t& rid, const wire::Principal& sub,
                                   const wire::Subscribe& req) {
  auto filter = SubscribeFilter(ref_, req);
  if (!filter.ok()) {
    return Nack(rid, filter.status().code() == Code::kRefused ? "filter-too-large" : "unknown-region",
                filter.status().message());
  }
  for (const auto& f : *filter) {
    Status inside = BrokerArea(ref_, config_.region).CheckRegion(f, "field 'regions'");
    if (!inside.ok()) return Nack(rid, "outside-area", inside.message());
  }
  subscriptions_[sub.id()] = Subscription{rid.to_string(), *filter};
  // Catch up: every published digest after the subscriber's cursor that it may see.
  size_t sent = 0;
  store_->ForEachDigestAfter(req.after_sequence(), [&](const wire::Digest& d) {
    if (!Entitled(sub, *filter, d.region())) return;
    wire::BrokerMessage m;
    m.set_schema(wire::SCHEMA_V1);
    *m.mutable_digest()->mutable_digest() = d;
    m.mutable_digest()->set_catch_up(true);
    Reply(rid, m);
    ++sent;
  });
  if (sent > 0) spdlog::info("caught up subscriber {} with {} digests", sub.id(), sent);
}

void BrokerDaemon::Deliver(const wire::Digest& digest) {
  for (auto it = subscriptions_.begin(); it != subscriptions_.end();) {
    const wire::Principal* sub = registry_.Authorise(it->first, wire::ROLE_SUBSCRIBER);
    if (!sub) {
      it = subscriptions_.erase(it);
      continue;
    }
    if (Entitled(*sub, it->second.filter, digest.region())) {
      wire::BrokerMessage m;
      m.set_schema(wire::SCHEMA_V1);
      *m.mutable_digest()->mutable_digest() = digest;
      zmq::message_t rid(it->second.routing_id.data(), it->second.routing_id.size());
      // A gone subscriber is dropped here and catches up from its cursor later.
      if (!SendProto(*listen_, m, &rid)) {
        it = subscriptions_.erase(it);
        continue;
      }
      counters_["digests.delivered"]++;
    }
    ++it;
  }
}

}  // namespace signaal::broker
