// Upstream: a regional broker's link to its upper broker (provincial or
// national; broker.toml [upstream]). The regional broker is enrolled there as
// a node is here — its own CURVE and signing keys, an enrolment request, ZAP —
// and sends, per week, its region's cells combined over all its partners
// (ThemeTable::RegionCells): signed snapshots with versions, acked by the
// upper broker, kept in the BrokerStore until then, so that nothing is lost
// while the upper broker is away and a restart sends only weeks that changed.
// Partners are named upward only by a token (HMAC of the node id under this
// broker's upstream secret), never with their own numbers.
//
// One owner (the broker's poll loop) for its socket, as every socket here.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "broker_control.pb.h"
#include "broker_store.h"
#include "theme_table.h"
#include "wire.pb.h"
#include "signaal/broker_link.h"
#include "signaal/keys.h"
#include "signaal/reference_data.h"

namespace signaal::broker {

class Upstream {
 public:
  struct Settings {
    std::string endpoint;          // the upper broker's listen endpoint
    std::string upper_public_key;  // its CURVE server key (Z85)
    std::string id;                // this broker's id there (its enrolment request's node_id)
    KeyFile keys;                  // curve, signing and the partner-token secret
  };
  Upstream(zmq::context_t& ctx, BrokerStore& store, const ReferenceData& ref, Settings settings);

  // Every week the table holds is compared with what was last made for the
  // upper broker (the store's up/w/): a week that changed while this broker
  // was down goes out again, one that did not stays as it is.
  Status Start(const ThemeTable& table, int64_t now);
  // A node's snapshot of `week` was stored: the week is made again at the next Tick.
  void MarkChanged(const std::string& week) { changed_.insert(week); }

  // The link's sockets, to poll (they may change after Tick).
  zmq::socket_t& socket() { return link_->socket(); }
  zmq::socket_t& monitor() { return link_->monitor(); }
  void OnMonitor(int64_t now);
  // Answers from the upper broker: acks, refusals, heartbeat answers.
  void OnMessage(const ThemeTable& table, int64_t now);
  // Makes the changed weeks, sends what is due and the heartbeat.
  void Tick(const ThemeTable& table, int64_t now);

  wire::UpstreamStatus StatusView() const;
  size_t pending() const { return pending_.size(); }

 private:
  // Makes `week` from the table; stores and schedules it if its cells differ
  // from what was last made (or `force`).
  Status Make(const ThemeTable& table, const std::string& week, int64_t now, bool force = false);
  void SendDue(std::chrono::steady_clock::time_point now);
  uint64_t Token(const std::string& organisation) const;

  struct Backoff {
    std::chrono::steady_clock::time_point next;
    std::chrono::seconds delay{1};
  };
  BrokerStore& store_;
  const ReferenceData& ref_;
  Settings settings_;
  std::unique_ptr<BrokerLink> link_;
  std::set<std::string> changed_;
  bool backlog_ = false;  // changed weeks left over from the last Tick's bound
  // Weeks made and not yet acked -> their version; the envelopes stay in
  // the store and are read only when sent.
  std::map<std::string, uint64_t> pending_;
  std::map<std::string, Backoff> schedule_;
  std::string token_secret_;  // raw bytes of the key file's pseudonym secret
  uint64_t version_ = 0;
  uint64_t acked_weeks_ = 0;
  uint64_t newest_acked_ = 0;  // the highest version the upper broker acked
  int64_t last_ack_ = 0, last_heard_ = 0, last_heartbeat_ = 0, last_make_ = 0;
  uint64_t refused_ = 0;
  std::string last_refusal_;
};

}  // namespace signaal::broker
