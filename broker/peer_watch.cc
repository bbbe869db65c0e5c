#include "peer_watch.h"

#include <atomic>
#include <cstdint>
#include <cstring>

namespace signaal::broker {
namespace {
std::atomic<int> watch_counter{0};
}  // namespace

PeerWatch::PeerWatch(zmq::context_t& ctx, zmq::socket_t& watched, const std::string& name)
    : watched_(watched), monitor_(ctx, zmq::socket_type::pair) {
  const std::string endpoint = "inproc://peer-watch-" + name + "-" + std::to_string(watch_counter++);
  zmq_socket_monitor(watched_.handle(), endpoint.c_str(), ZMQ_EVENT_DISCONNECTED);
  monitor_.set(zmq::sockopt::linger, 0);
  monitor_.connect(endpoint);
}

PeerWatch::~PeerWatch() { zmq_socket_monitor(watched_.handle(), nullptr, 0); }

std::vector<int> PeerWatch::Gone(size_t max) {
  std::vector<int> gone;
  for (size_t n = 0; n < max; ++n) {
    // An event is two frames: event number and value, then the endpoint.
    zmq::message_t event, endpoint;
    if (!monitor_.recv(event, zmq::recv_flags::dontwait)) break;
    while (event.more() && monitor_.recv(endpoint, zmq::recv_flags::dontwait) && endpoint.more()) {
    }
    if (event.size() < 6) continue;
    uint16_t id;
    uint32_t value;
    std::memcpy(&id, event.data(), sizeof id);
    std::memcpy(&value, static_cast<const char*>(event.data()) + 2, sizeof value);
    if (id == ZMQ_EVENT_DISCONNECTED) gone.push_back(static_cast<int>(value));
  }
  return gone;
}

int SourceFd(zmq::message_t& frame) { return zmq_msg_get(frame.handle(), ZMQ_SRCFD); }

}  // namespace signaal::broker
