// ZapHandler: the broker's ZeroMQ authentication handler (ZAP, RFC 27). It
// admits a CURVE client only if its public key is enrolled and active, and
// only on the socket its role may use: nodes and subscribers on `listen`,
// administrators on `control`. The admitted principal's id becomes the
// connection's User-Id, which every message handler checks again.
//
// It must be bound before any CURVE server socket, on the same context; the
// server sockets set ZMQ_ZAP_ENFORCE_DOMAIN so that no reply means refusal.
#pragma once

#include <cstdint>
#include <string>

#include <zmq.hpp>

#include "principal_registry.h"

namespace signaal::broker {

class ZapHandler {
 public:
  ZapHandler(zmq::context_t& ctx, const PrincipalRegistry& registry);
  zmq::socket_t& socket() { return socket_; }
  // Answers one pending request; call when socket() is readable.
  void HandleOne();
  uint64_t admitted() const { return admitted_; }
  uint64_t refused() const { return refused_; }

 private:
  // The principal id to admit, or "" to refuse (with `reason` set).
  std::string Decide(const std::string& domain, const std::string& mechanism, const std::string& key,
                     std::string& reason) const;

  const PrincipalRegistry& registry_;
  zmq::socket_t socket_;
  uint64_t admitted_ = 0;
  uint64_t refused_ = 0;
};

}  // namespace signaal::broker
