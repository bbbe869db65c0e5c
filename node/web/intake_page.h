// IntakePage: the intake page as the node daemon runs it — the app, its line
// to the daemon's poll loop and the HTTP(S) server, started together from
// the [web] config and stopped in the right order (the server's thread
// first, then what it used).
#pragma once

#include <memory>
#include <string>

#include <zmq.hpp>

#include "signaal/config.h"
#include "signaal/reference_data.h"
#include "signaal/status.h"

namespace signaal::node::web {

class HttpServer;
class IntakeApp;
class NodeLink;

class IntakePage {
 public:
  // The inproc endpoint the daemon's loop binds for the page.
  static constexpr const char* kLoopEndpoint = "inproc://signaal-node-intake";

  // Reads the certificate and key (if set), connects to the loop at
  // kLoopEndpoint (bound already) and starts serving on web.listen.
  static Result<std::unique_ptr<IntakePage>> Start(zmq::context_t& ctx, const NodeConfig& config, ReferenceData ref);
  ~IntakePage();

  int port() const;
  std::string url() const;

 private:
  IntakePage() = default;
  std::unique_ptr<NodeLink> link_;
  std::unique_ptr<IntakeApp> app_;
  std::unique_ptr<HttpServer> server_;  // last: stopped first
  std::string scheme_host_;
};

}  // namespace signaal::node::web
