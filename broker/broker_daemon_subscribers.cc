// BrokerDaemon, its subscribers: registering a Subscribe (with its bounded
// filter and catch-up) and delivering published digests. Apart from
// broker_daemon.cc to keep each file readable; the same class, the same
// thread (the poll loop).
#include "broker_daemon.h"

#include "advice_section.h"
#include "broker_area.h"

#include <algorithm>
#include <chrono>

#include "signaal/log.h"
#include "signaal/text.h"
#include "signaal/zmq_util.h"

namespace signaal::broker {

const wire::Principal* BrokerDaemon::Reader(const std::string& id) const {
  if (const wire::Principal* sub = registry_.Authorise(id, wire::ROLE_SUBSCRIBER)) return sub;
  return registry_.Authorise(id, wire::ROLE_NODE);
}

bool BrokerDaemon::Entitled(const wire::Principal& sub, const std::vector<std::string>& filter,
                            const std::string& region) const {
  // Digests stored before the area was enforced may be of a region outside it.
  if (!BrokerArea(ref_, config_.region).Covers(region)) return false;
  bool enrolled = false;
  if (sub.role() == wire::ROLE_NODE) {
    // What its signals fed: its municipality's digests and its regions'.
    enrolled = ref_.RegionWithin(sub.municipality(), region);
  }
  for (const auto& r : sub.regions()) enrolled = enrolled || ref_.RegionWithin(region, r);
  if (!enrolled) return false;
  if (filter.empty()) return true;
  for (const auto& f : filter) {
    if (ref_.RegionWithin(region, f)) return true;
  }
  return false;
}

std::vector<storage::MailItem> BrokerDaemon::MailFor(const wire::Digest& digest) const {
  std::vector<storage::MailItem> mail;
  const int64_t now = Now();
  for (const auto& p : registry_.List()) {
    if (p.role() != wire::ROLE_SUBSCRIBER || p.revoked() || p.emails().empty()) continue;
    if (!Entitled(p, {}, digest.region())) continue;
    for (const auto& address : p.emails()) {
      storage::MailItem item;
      item.set_subscriber(p.id());
      item.set_address(address);
      item.set_queued_unix(now);
      item.set_next_unix(now);
      mail.push_back(std::move(item));
    }
  }
  return mail;
}

bool BrokerDaemon::StillWanted(const storage::MailItem& item) const {
  const wire::Principal* sub = registry_.Authorise(item.subscriber(), wire::ROLE_SUBSCRIBER);
  return sub && std::find(sub->emails().begin(), sub->emails().end(), item.address()) != sub->emails().end();
}

void BrokerDaemon::HandleSubscribe(const zmq::message_t& rid, int fd, const wire::Principal& sub,
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
  // The catch-up itself runs a page per round (CatchUp), the first page in
  // this round.
  Subscription s;
  s.routing_id = rid.to_string();
  s.filter = std::move(*filter);
  s.fd = fd;
  s.catching_up = true;
  s.cursor = req.after_sequence();
  // The CLI repeats its Subscribe every 10 s with the cursor it has written
  // (a keep-alive that re-registers after a broker restart). What this same
  // connection was already sent is on its way, in order: not sent twice.
  if (auto old = subscriptions_.find(sub.id());
      old != subscriptions_.end() && old->second.routing_id == s.routing_id && old->second.filter == s.filter) {
    s.cursor = std::max(s.cursor, old->second.cursor);
  }
  subscriptions_[sub.id()] = std::move(s);
}

std::chrono::milliseconds BrokerDaemon::CatchUp() {
  using std::chrono::milliseconds;
  const auto now = std::chrono::steady_clock::now();
  auto wait = milliseconds(200);
  for (auto it = subscriptions_.begin(); it != subscriptions_.end();) {
    Subscription& s = it->second;
    if (s.catching_up && now >= s.retry_at && !CatchUpPage(it->first, s)) {
      it = subscriptions_.erase(it);
      continue;
    }
    if (s.catching_up) {
      auto due = std::chrono::ceil<milliseconds>(s.retry_at - now);
      wait = std::min(wait, std::max(due, milliseconds(0)));
    }
    ++it;
  }
  return wait;
}

bool BrokerDaemon::CatchUpPage(const std::string& id, Subscription& s) {
  const wire::Principal* sub = Reader(id);
  if (!sub) return false;  // revoked meanwhile
  auto page = store_->DigestsAfter(s.cursor, kCatchUpPage);
  if (!page.ok()) {
    // Not the subscriber's doing, and not mended by trying again: it stays
    // subscribed for live digests, and the log says what it missed.
    spdlog::error("catch-up of subscriber {} stopped after digest {}: {}", EscapeText(id), s.cursor,
                  page.status().message());
    s.catching_up = false;
    return true;
  }
  zmq::message_t rid(s.routing_id.data(), s.routing_id.size());
  for (const wire::Digest& d : page->digests) {
    if (d.sequence() > s.cursor && Entitled(*sub, s.filter, d.region())) {
      wire::BrokerMessage m;
      m.set_schema(wire::SCHEMA_V1);
      *m.mutable_digest()->mutable_digest() = d;
      m.mutable_digest()->set_catch_up(true);
      if (!SendProto(*listen_, m, &rid)) {
        // Its queue is full (it reads slowly) or it has gone: this digest
        // again later, from here.
        if (++s.failed_tries >= kCatchUpTries) {
          spdlog::info("gave up the catch-up of subscriber {} at digest {}: it does not read", EscapeText(id),
                       d.sequence());
          counters_["digests.catch_up_abandoned"]++;
          return false;
        }
        s.retry_at = std::chrono::steady_clock::now() + kCatchUpRetry;
        return true;
      }
      s.failed_tries = 0;
      ++s.caught_up;
      counters_["digests.caught_up"]++;
    }
    s.cursor = std::max(s.cursor, d.sequence());
  }
  for (uint64_t seq : page->damaged) {
    spdlog::warn("stored digest {} cannot be read; subscriber {} does not get it", seq, EscapeText(id));
  }
  s.cursor = std::max(s.cursor, page->last);
  if (!page->more) {
    s.catching_up = false;
    if (s.caught_up > 0) spdlog::info("caught up subscriber {} with {} digests", EscapeText(id), s.caught_up);
  }
  return true;
}

void BrokerDaemon::Deliver(const wire::Digest& digest) {
  for (auto it = subscriptions_.begin(); it != subscriptions_.end();) {
    const wire::Principal* sub = Reader(it->first);
    if (!sub) {
      it = subscriptions_.erase(it);
      continue;
    }
    // One catching up gets it from the store, in order, when it gets there.
    if (it->second.catching_up) {
      ++it;
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
    it->second.cursor = std::max(it->second.cursor, digest.sequence());
    ++it;
  }
}

void BrokerDaemon::HandleAdviceFeed(const zmq::message_t& rid, const wire::Principal& who) {
  auto all = store_->AllAdvice();
  if (!all.ok()) {
    spdlog::error("advice feed for {}: {}", EscapeText(who.id()), all.status().message());
    return Nack(rid, "unavailable", "the broker cannot read its advice records; try again later");
  }
  // The areas the asker may read about: a node's municipality (and so every
  // area around it), a subscriber's regions and their parts.
  std::vector<const wire::Advice*> mine;
  for (const auto& a : *all) {
    if (a.status() == "concept") continue;
    bool about = who.role() == wire::ROLE_NODE && ref_.RegionWithin(who.municipality(), a.region());
    for (const auto& r : who.regions()) about = about || ref_.RegionWithin(a.region(), r);
    if (about) mine.push_back(&a);
  }
  wire::BrokerMessage m;
  m.set_schema(wire::SCHEMA_V1);
  auto* feed = m.mutable_advice_feed();
  // The advice as it stands: no "since" to compare with.
  for (auto& a : AdviceAsShown(mine, ref_, 0, kMaxAdviceFeed, nullptr)) *feed->add_advice() = std::move(a);
  feed->set_generated_unix(Now());
  counters_["advice_feed.sent"]++;
  Reply(rid, m);
}

}  // namespace signaal::broker
