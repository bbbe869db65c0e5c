#include "signaal/zmq_util.h"

#include <zmq.h>

#include <atomic>
#include <cstring>

// Draft-only in Debian's zmq.h (DESIGN §7); the option itself is in the library.
#ifndef ZMQ_ZAP_ENFORCE_DOMAIN
#define ZMQ_ZAP_ENFORCE_DOMAIN 93
#endif

namespace signaal {

void MakeCurveServer(zmq::socket_t& socket, const CurveKeyPair& server, const std::string& zap_domain,
                     int64_t max_message) {
  socket.set(zmq::sockopt::curve_server, true);
  socket.set(zmq::sockopt::curve_secretkey, server.secret_key);
  socket.set(zmq::sockopt::zap_domain, zap_domain);
  // ZMQ_ZAP_ENFORCE_DOMAIN is draft-only in Debian's headers; without it a
  // CURVE server with no ZAP reply admits every key.
  int enforce = 1;
  zmq_setsockopt(socket.handle(), ZMQ_ZAP_ENFORCE_DOMAIN, &enforce, sizeof enforce);
  socket.set(zmq::sockopt::maxmsgsize, max_message);
  socket.set(zmq::sockopt::handshake_ivl, 5000);
  socket.set(zmq::sockopt::linger, 200);
}

void MakeCurveClient(zmq::socket_t& socket, const CurveKeyPair& client, const std::string& server_public,
                     int64_t max_message) {
  socket.set(zmq::sockopt::curve_serverkey, server_public);
  socket.set(zmq::sockopt::curve_publickey, client.public_key);
  socket.set(zmq::sockopt::curve_secretkey, client.secret_key);
  socket.set(zmq::sockopt::maxmsgsize, max_message);
  socket.set(zmq::sockopt::handshake_ivl, 5000);
  socket.set(zmq::sockopt::linger, 200);
}

bool RecvBounded(zmq::socket_t& socket, std::vector<zmq::message_t>& frames, size_t max_frames, bool* too_many) {
  frames.clear();
  if (too_many) *too_many = false;
  bool overflow = false;
  while (true) {
    zmq::message_t msg;
    auto got = socket.recv(msg, frames.empty() ? zmq::recv_flags::dontwait : zmq::recv_flags::none);
    if (!got) return false;
    bool more = msg.more();
    if (frames.size() < max_frames) {
      frames.push_back(std::move(msg));
    } else {
      overflow = true;
    }
    if (!more) break;
  }
  if (overflow) {
    if (too_many) *too_many = true;
    return false;
  }
  return true;
}

bool SendProto(zmq::socket_t& socket, const google::protobuf::MessageLite& message,
               const zmq::message_t* routing_id) {
  std::string bytes = message.SerializeAsString();
  try {
    if (routing_id) {
      zmq::message_t id(routing_id->data(), routing_id->size());
      if (!socket.send(id, zmq::send_flags::sndmore | zmq::send_flags::dontwait)) return false;
    }
    return socket.send(zmq::buffer(bytes), zmq::send_flags::dontwait).has_value();
  } catch (const zmq::error_t&) {
    // EHOSTUNREACH with ZMQ_ROUTER_MANDATORY: the peer has gone.
    return false;
  }
}

namespace {
std::atomic<uint64_t> monitor_counter{0};
}

HandshakeWatch::HandshakeWatch(zmq::context_t& ctx, zmq::socket_t& watched, const std::string& name)
    : watched_(watched), monitor_(ctx, zmq::socket_type::pair) {
  std::string endpoint = "inproc://monitor-" + name + "-" + std::to_string(monitor_counter++);
  zmq_socket_monitor(watched_.handle(), endpoint.c_str(),
                     ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
                         ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL |
                         ZMQ_EVENT_DISCONNECTED);
  monitor_.set(zmq::sockopt::linger, 0);
  monitor_.connect(endpoint);
}

HandshakeWatch::~HandshakeWatch() { zmq_socket_monitor(watched_.handle(), nullptr, 0); }

HandshakeWatch::Events HandshakeWatch::Drain() {
  Events ev;
  std::vector<zmq::message_t> frames;
  while (RecvBounded(monitor_, frames, 2)) {
    if (frames.empty() || frames[0].size() < 6) continue;
    uint16_t event;
    std::memcpy(&event, frames[0].data(), sizeof event);
    switch (event) {
      case ZMQ_EVENT_HANDSHAKE_SUCCEEDED: ev.connected = true; ev.refused = false; break;
      case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
      case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL: ev.refused = true; ev.connected = false; break;
      case ZMQ_EVENT_DISCONNECTED: ev.disconnected = true; break;
      default: break;
    }
  }
  return ev;
}

Result<std::string> RequestReply(const std::string& endpoint, const CurveKeyPair* client,
                                 const std::string& server_public, const std::string& request,
                                 std::chrono::milliseconds timeout, int64_t max_message,
                                 const std::function<bool()>& keep_waiting) {
  zmq::context_t ctx(1);
  zmq::socket_t sock(ctx, zmq::socket_type::dealer);
  sock.set(zmq::sockopt::linger, 0);
  sock.set(zmq::sockopt::maxmsgsize, max_message);
  if (client) MakeCurveClient(sock, *client, server_public, max_message);
  sock.set(zmq::sockopt::linger, 0);
  HandshakeWatch watch(ctx, sock, "request");
  try {
    sock.connect(endpoint);
  } catch (const zmq::error_t& e) {
    return Status::Usage("cannot connect to " + endpoint + ": " + e.what());
  }
  sock.send(zmq::buffer(request), zmq::send_flags::dontwait);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      if (!keep_waiting || !keep_waiting()) break;
      deadline = std::chrono::steady_clock::now() + timeout;
      continue;
    }
    zmq::pollitem_t items[] = {{sock.handle(), 0, ZMQ_POLLIN, 0}, {watch.socket().handle(), 0, ZMQ_POLLIN, 0}};
    zmq::poll(items, 2, left);
    if (items[1].revents & ZMQ_POLLIN) {
      auto ev = watch.Drain();
      if (ev.refused) {
        return Status::Refused("refused by " + endpoint + ": this key is not enrolled there, or it was revoked");
      }
      // The server went away mid-request (a crash or restart): say so now
      // instead of waiting out the timeout. It may have finished the request.
      if (ev.disconnected && !(items[0].revents & ZMQ_POLLIN)) {
        return Status::Unreachable("the connection to " + endpoint +
                                   " closed before an answer came; the request may or may not have been carried out");
      }
    }
    if (items[0].revents & ZMQ_POLLIN) {
      std::vector<zmq::message_t> frames;
      if (RecvBounded(sock, frames, 1)) return frames[0].to_string();
    }
  }
  return Status::Unreachable("no answer from " + endpoint + " within " + std::to_string(timeout.count() / 1000.0).substr(0, 4) + " s; is it running?");
}

}  // namespace signaal
