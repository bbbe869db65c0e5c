#include "zap_handler.h"

#include <zmq.h>

#include <ctime>
#include <vector>

#include "signaal/log.h"
#include "signaal/zmq_util.h"

namespace signaal::broker {

ZapHandler::ZapHandler(zmq::context_t& ctx, const PrincipalRegistry& registry,
                       std::map<std::string, uint64_t>& counters)
    : registry_(registry), counters_(counters), socket_(ctx, zmq::socket_type::rep) {
  socket_.set(zmq::sockopt::linger, 0);
  socket_.bind("inproc://zeromq.zap.01");
}

ZapHandler::~ZapHandler() { log_.Flush(static_cast<int64_t>(std::time(nullptr))); }

std::string ZapHandler::Decide(const std::string& domain, const std::string& mechanism, const std::string& key,
                               std::string& reason) const {
  if (mechanism != "CURVE") {
    reason = "mechanism " + mechanism + " is not allowed";
    return "";
  }
  if (key.size() != 32) {
    reason = "malformed CURVE credentials";
    return "";
  }
  char z85[41] = {0};
  zmq_z85_encode(z85, reinterpret_cast<const uint8_t*>(key.data()), 32);
  const wire::Principal* p = registry_.FindActiveByKey(z85);
  if (!p) {
    reason = "key not enrolled or revoked";
    return "";
  }
  bool on_control = domain == kControlDomain;
  bool on_listen = domain == kListenDomain;
  bool allowed = (on_control && p->role() == wire::ROLE_ADMIN) ||
                 (on_listen && (p->role() == wire::ROLE_NODE || p->role() == wire::ROLE_SUBSCRIBER ||
                                p->role() == wire::ROLE_BROKER));
  if (!allowed) {
    reason = "role not allowed on this port";
    return "";
  }
  return p->id();
}

void ZapHandler::HandleOne() {
  std::vector<zmq::message_t> frames;
  if (!RecvBounded(socket_, frames, 8) || frames.size() < 6) {
    // A REP socket must answer before it can receive again; a malformed ZAP
    // request can only come from libzmq itself, so answer with a refusal.
    if (!frames.empty()) {
      socket_.send(zmq::str_buffer("1.0"), zmq::send_flags::sndmore);
      socket_.send(zmq::str_buffer(""), zmq::send_flags::sndmore);
      socket_.send(zmq::str_buffer("500"), zmq::send_flags::sndmore);
      socket_.send(zmq::str_buffer("malformed ZAP request"), zmq::send_flags::sndmore);
      socket_.send(zmq::str_buffer(""), zmq::send_flags::sndmore);
      socket_.send(zmq::str_buffer(""), zmq::send_flags::none);
    }
    return;
  }
  std::string version = frames[0].to_string();
  std::string request_id = frames[1].to_string();
  std::string domain = frames[2].to_string();
  std::string address = frames[3].to_string();
  std::string mechanism = frames[5].to_string();
  std::string key = frames.size() > 6 ? frames[6].to_string() : std::string();

  std::string reason;
  std::string user_id = version == "1.0" ? Decide(domain, mechanism, key, reason) : std::string();
  if (version != "1.0") reason = "unknown ZAP version";
  bool ok = !user_id.empty();
  if (ok) {
    ++admitted_;
    spdlog::debug("admitted {} from {} on {}", user_id, address, domain);
  } else {
    ++refused_;
    log_.Refused(address, domain, reason, static_cast<int64_t>(std::time(nullptr)));
    counters_["handshake.refused_unlogged"] = log_.unlogged();
  }
  socket_.send(zmq::buffer(version), zmq::send_flags::sndmore);
  socket_.send(zmq::buffer(request_id), zmq::send_flags::sndmore);
  socket_.send(zmq::buffer(std::string(ok ? "200" : "400")), zmq::send_flags::sndmore);
  socket_.send(zmq::buffer(std::string(ok ? "OK" : reason)), zmq::send_flags::sndmore);
  socket_.send(zmq::buffer(user_id), zmq::send_flags::sndmore);
  socket_.send(zmq::str_buffer(""), zmq::send_flags::none);
}

}  // namespace signaal::broker
