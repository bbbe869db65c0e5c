#include "node_link.h"

#include <cstring>

namespace signaal::node::web {

NodeLink::NodeLink(zmq::context_t& ctx, const std::string& endpoint) : socket_(ctx, zmq::socket_type::dealer) {
  socket_.set(zmq::sockopt::linger, 0);
  socket_.connect(endpoint);
}

Result<wire::NodeResponse> NodeLink::Ask(wire::NodeRequest request, std::chrono::milliseconds timeout) {
  request.set_schema(wire::SCHEMA_V1);
  const uint64_t number = next_++;
  std::string payload = request.SerializeAsString();
  try {
    socket_.send(zmq::buffer(&number, sizeof number), zmq::send_flags::sndmore);
    socket_.send(zmq::buffer(payload), zmq::send_flags::none);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
      zmq::poll(&item, 1, left);
      if (!(item.revents & ZMQ_POLLIN)) continue;
      zmq::message_t id, body;
      if (!socket_.recv(id) || !id.more() || !socket_.recv(body)) continue;
      while (body.more()) {
        if (!socket_.recv(body)) break;  // frames beyond the two: not an answer of ours
      }
      uint64_t answered = 0;
      if (id.size() != sizeof answered) continue;
      std::memcpy(&answered, id.data(), sizeof answered);
      if (answered != number) continue;  // an earlier request's, given up on
      wire::NodeResponse response;
      if (!response.ParseFromArray(body.data(), static_cast<int>(body.size()))) {
        return Status::Runtime("the node's answer is not a NodeResponse");
      }
      return response;
    }
  } catch (const zmq::error_t& e) {
    return Status::Unreachable(std::string("the node's loop: ") + e.what());
  }
  return Status::Unreachable("the node did not answer within " + std::to_string(timeout.count()) + " ms");
}

}  // namespace signaal::node::web
