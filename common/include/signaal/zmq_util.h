// ZeroMQ helpers: CURVE set-up that fails closed, bounded receives, one-frame
// protobuf messages, handshake monitoring and a simple request/response client.
// Sockets stay owned by their caller; nothing here keeps a socket.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include <google/protobuf/message_lite.h>
#include <zmq.hpp>

#include "signaal/keys.h"
#include "signaal/status.h"

namespace signaal {

// Largest message accepted on the broker's public port and its control port.
constexpr int64_t kMaxWireMessage = 4 * 1024 * 1024;
// Largest message on a node's local control socket (carries whole CSV files).
constexpr int64_t kMaxLocalMessage = 256 * 1024 * 1024;

// ZAP domains: the role a key may take depends on the socket it reaches.
inline constexpr const char* kListenDomain = "signaal-listen";
inline constexpr const char* kControlDomain = "signaal-control";

// Makes `socket` a CURVE server that only admits keys a ZAP handler approves:
// sets ZMQ_ZAP_DOMAIN and ZMQ_ZAP_ENFORCE_DOMAIN (libzmq 4.3 admits any key
// without them), bounds message size and handshake time, small linger.
void MakeCurveServer(zmq::socket_t& socket, const CurveKeyPair& server, const std::string& zap_domain,
                     int64_t max_message = kMaxWireMessage);
// Makes `socket` a CURVE client of the server with public key `server_public`.
void MakeCurveClient(zmq::socket_t& socket, const CurveKeyPair& client, const std::string& server_public,
                     int64_t max_message = kMaxWireMessage);

// Receives one whole multipart message of at most `max_frames` frames into
// `frames`. Returns false when nothing was waiting (non-blocking) or when the
// message had more frames (the rest is drained and dropped; `too_many` set).
bool RecvBounded(zmq::socket_t& socket, std::vector<zmq::message_t>& frames, size_t max_frames,
                 bool* too_many = nullptr);

// Sends a protobuf message as one frame, after an optional routing id frame.
bool SendProto(zmq::socket_t& socket, const google::protobuf::MessageLite& message,
               const zmq::message_t* routing_id = nullptr);

// Watches a socket's handshakes through the socket monitor so a client can
// tell "refused by broker" from "no answer". Poll `socket()` in your loop and
// call Drain() when it is readable.
class HandshakeWatch {
 public:
  HandshakeWatch(zmq::context_t& ctx, zmq::socket_t& watched, const std::string& name);
  ~HandshakeWatch();
  zmq::socket_t& socket() { return monitor_; }
  // Reads pending events; returns what they say.
  struct Events {
    bool connected = false;      // a handshake succeeded
    bool refused = false;        // HANDSHAKE_FAILED_AUTH or _PROTOCOL
    bool disconnected = false;
  };
  Events Drain();

 private:
  zmq::socket_t& watched_;
  zmq::socket_t monitor_;
};

// One request/response exchange with a CURVE server (broker listen/control)
// or a local ipc socket (empty `server_public`): connects a DEALER, sends,
// waits. Unreachable after `timeout`; Refused when the handshake is refused.
// `keep_waiting`, if given, is asked each time `timeout` passes without an
// answer: true waits another `timeout` (the server says it is still at it).
Result<std::string> RequestReply(const std::string& endpoint, const CurveKeyPair* client,
                                 const std::string& server_public, const std::string& request,
                                 std::chrono::milliseconds timeout, int64_t max_message = kMaxWireMessage,
                                 const std::function<bool()>& keep_waiting = nullptr);

// Typed wrapper around RequestReply.
template <typename Response>
Result<Response> Call(const std::string& endpoint, const CurveKeyPair* client,
                      const std::string& server_public, const google::protobuf::MessageLite& request,
                      std::chrono::milliseconds timeout, int64_t max_message = kMaxWireMessage,
                      const std::function<bool()>& keep_waiting = nullptr) {
  auto raw = RequestReply(endpoint, client, server_public, request.SerializeAsString(), timeout, max_message,
                          keep_waiting);
  if (!raw.ok()) return raw.status();
  Response response;
  if (!response.ParseFromString(*raw)) {
    return Status::Runtime("the answer from " + endpoint + " could not be decoded");
  }
  return response;
}

}  // namespace signaal
