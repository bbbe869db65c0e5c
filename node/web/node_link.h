// NodeLink: the intake page's line to the node's poll loop, which alone owns
// the store — a DEALER on an inproc endpoint, used by the page's thread
// only. Framing: [request number, 8 bytes][NodeRequest]; the loop answers
// [the same number][NodeResponse], so an answer that comes after its
// request gave up is recognised and dropped.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include <zmq.hpp>

#include "node_control.pb.h"
#include "signaal/status.h"

namespace signaal::node::web {

class NodeLink {
 public:
  // Connects at once; made on one thread, then used on the page's (the
  // thread's start is the hand-over).
  NodeLink(zmq::context_t& ctx, const std::string& endpoint);
  // One request and its answer; Unreachable after `timeout`.
  Result<wire::NodeResponse> Ask(wire::NodeRequest request, std::chrono::milliseconds timeout);

 private:
  zmq::socket_t socket_;
  uint64_t next_ = 1;
};

}  // namespace signaal::node::web
