// PeerWatch: tells the poll loop which connections of a ROUTER socket have
// closed, so work asked for on them is dropped instead of built for nobody.
// libzmq's socket monitor names a closed connection by its file descriptor
// (ZMQ_EVENT_DISCONNECTED), which is also what a message received on it
// carries (ZMQ_SRCFD, SourceFd below); a ROUTER has no other way to learn
// that a peer left (ZMQ_ROUTER_NOTIFY is draft API, absent from Debian's
// libzmq). A descriptor can be reused by a later connection: the loop reads
// these events before the socket's messages in every round, and the
// disconnect is queued before libzmq closes the descriptor, so a reused one
// is seen only after its old connection's disconnect.
#pragma once

#include <string>
#include <vector>

#include <zmq.hpp>

namespace signaal::broker {

class PeerWatch {
 public:
  // Starts monitoring `watched`, which must outlive this.
  PeerWatch(zmq::context_t& ctx, zmq::socket_t& watched, const std::string& name);
  ~PeerWatch();
  PeerWatch(const PeerWatch&) = delete;
  PeerWatch& operator=(const PeerWatch&) = delete;

  // For the poll loop: readable when events wait.
  zmq::socket_t& socket() { return monitor_; }
  // The descriptors of connections closed since the last call, at most
  // `max` events read per call (the rest wait for the next round).
  std::vector<int> Gone(size_t max);

 private:
  zmq::socket_t& watched_;
  zmq::socket_t monitor_;
};

// The file descriptor of the connection a received frame came in on, or -1.
int SourceFd(zmq::message_t& frame);

}  // namespace signaal::broker
