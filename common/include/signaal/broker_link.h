// BrokerLink: a client's one connection to the broker it reports to — a
// node's to its broker, a regional broker's to its upper broker
// (broker/upstream.h): a CURVE DEALER it alone owns, the socket monitor that
// tells "refused by broker" from "no answer", and the connection state
// `signaal node status` and `signaal broker upstream status` report.
//
// libzmq does not reconnect after a refused handshake, so a refused link
// rebuilds its socket every 30 s: enrolment at the broker may follow later.
// Library signaal_uplink (common/src/uplink/): it speaks wire.proto.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <zmq.hpp>

#include "wire.pb.h"
#include "signaal/keys.h"
#include "signaal/zmq_util.h"

namespace signaal {

class BrokerLink {
 public:
  enum class State { kConnecting, kConnected, kUnreachable, kRefused };

  // `peer` names the broker in log lines ("broker", "upper broker").
  BrokerLink(zmq::context_t& ctx, std::string endpoint, CurveKeyPair client, std::string broker_public,
             std::string peer = "broker");

  // Sockets to poll: the DEALER and its monitor (may change after Maintain()).
  zmq::socket_t& socket() { return *socket_; }
  zmq::socket_t& monitor() { return watch_->socket(); }

  // Reads monitor events; rebuilds a refused socket when it is time. Returns
  // true when a (re)connection just succeeded.
  bool OnMonitor();
  void Maintain(int64_t now);

  bool Send(const wire::ClientMessage& message);
  // The next message from the broker, if one is waiting and decodes.
  std::optional<wire::BrokerMessage> Receive();

  // Called when the broker answered: proof of life.
  void HeardFromBroker(int64_t now);
  // The broker refused this node's key on an open connection (revocation).
  void RefusedByBroker(int64_t now) { SetState(State::kRefused, now); }

  State state() const { return state_; }
  std::string StateName() const;
  int64_t state_since() const { return state_since_; }
  uint64_t malformed() const { return malformed_; }

 private:
  void Build();
  void SetState(State s, int64_t now);

  zmq::context_t& ctx_;
  std::string endpoint_;
  CurveKeyPair client_;
  std::string broker_public_;
  std::string peer_;
  std::unique_ptr<zmq::socket_t> socket_;
  std::unique_ptr<HandshakeWatch> watch_;
  State state_ = State::kConnecting;
  int64_t state_since_ = 0;
  int64_t last_heard_ = 0;
  int64_t built_at_ = 0;
  uint64_t malformed_ = 0;
};

}  // namespace signaal
