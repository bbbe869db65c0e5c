// ZapHandler: the broker's ZeroMQ authentication handler (ZAP, RFC 27). It
// admits a CURVE client only if its public key is enrolled and active, and
// only on the socket its role may use: nodes and subscribers on `listen`,
// administrators on `control`. The admitted principal's id becomes the
// connection's User-Id, which every message handler checks again.
//
// It must be bound before any CURVE server socket, on the same context; the
// server sockets set ZMQ_ZAP_ENFORCE_DOMAIN so that no reply means refusal.
// Refusals are logged through a HandshakeLog: limited by source address.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include <zmq.hpp>

#include "handshake_log.h"
#include "principal_registry.h"

namespace signaal::broker {

class ZapHandler {
 public:
  // `counters` (the broker's, outliving the handler) gets
  // handshake.refused_unlogged: refusals said only in a summary line.
  ZapHandler(zmq::context_t& ctx, const PrincipalRegistry& registry, std::map<std::string, uint64_t>& counters);
  // Says what the refusal log still holds: the broker stops.
  ~ZapHandler();
  zmq::socket_t& socket() { return socket_; }
  // Answers one pending request; call when socket() is readable.
  void HandleOne();
  // Writes the refusal log's summary lines when their minute is over.
  void Tick(int64_t now) { log_.Tick(now); }
  uint64_t admitted() const { return admitted_; }
  uint64_t refused() const { return refused_; }

 private:
  // The principal id to admit, or "" to refuse (with `reason` set).
  std::string Decide(const std::string& domain, const std::string& mechanism, const std::string& key,
                     std::string& reason) const;

  const PrincipalRegistry& registry_;
  std::map<std::string, uint64_t>& counters_;
  zmq::socket_t socket_;
  uint64_t admitted_ = 0;
  uint64_t refused_ = 0;
  HandshakeLog log_;
};

}  // namespace signaal::broker
