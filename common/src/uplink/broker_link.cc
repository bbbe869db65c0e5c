#include "signaal/broker_link.h"

#include <ctime>

#include "signaal/log.h"

namespace signaal {
namespace {
int64_t Now() { return static_cast<int64_t>(std::time(nullptr)); }
constexpr int64_t kRetryRefusedAfter = 30;
// No answer to heartbeats for this long means the broker is unreachable.
constexpr int64_t kSilenceIsUnreachable = 45;
}  // namespace

BrokerLink::BrokerLink(zmq::context_t& ctx, std::string endpoint, CurveKeyPair client, std::string broker_public,
                       std::string peer)
    : ctx_(ctx),
      endpoint_(std::move(endpoint)),
      client_(std::move(client)),
      broker_public_(std::move(broker_public)),
      peer_(std::move(peer)) {
  state_since_ = Now();
  Build();
}

void BrokerLink::Build() {
  watch_.reset();
  socket_ = std::make_unique<zmq::socket_t>(ctx_, zmq::socket_type::dealer);
  MakeCurveClient(*socket_, client_, broker_public_);
  socket_->set(zmq::sockopt::sndhwm, 100);
  socket_->set(zmq::sockopt::linger, 0);
  watch_ = std::make_unique<HandshakeWatch>(ctx_, *socket_, peer_);
  socket_->connect(endpoint_);
  built_at_ = Now();
}

void BrokerLink::SetState(State s, int64_t now) {
  if (s == state_) return;
  state_ = s;
  state_since_ = now;
  switch (s) {
    case State::kConnected: spdlog::info("connected to {} {}", peer_, endpoint_); break;
    case State::kRefused:
      spdlog::error("refused by {} {}: this key is not enrolled there or was revoked", peer_, endpoint_);
      break;
    case State::kUnreachable: spdlog::warn("{} {} is unreachable", peer_, endpoint_); break;
    case State::kConnecting: break;
  }
}

bool BrokerLink::OnMonitor() {
  auto ev = watch_->Drain();
  int64_t now = Now();
  if (ev.refused) SetState(State::kRefused, now);
  if (ev.connected) {
    SetState(State::kConnected, now);
    last_heard_ = now;
    return true;
  }
  if (ev.disconnected && state_ == State::kConnected) SetState(State::kUnreachable, now);
  return false;
}

void BrokerLink::Maintain(int64_t now) {
  if (state_ == State::kRefused && now - built_at_ >= kRetryRefusedAfter) {
    Build();
    return;
  }
  if (state_ == State::kConnecting && now - state_since_ >= 10) SetState(State::kUnreachable, now);
  if (state_ == State::kConnected && last_heard_ > 0 && now - last_heard_ >= kSilenceIsUnreachable) {
    SetState(State::kUnreachable, now);
  }
}

void BrokerLink::HeardFromBroker(int64_t now) {
  last_heard_ = now;
  if (state_ != State::kConnected) SetState(State::kConnected, now);
}

bool BrokerLink::Send(const wire::ClientMessage& message) {
  if (state_ == State::kRefused) return false;
  return SendProto(*socket_, message);
}

std::optional<wire::BrokerMessage> BrokerLink::Receive() {
  std::vector<zmq::message_t> frames;
  if (!RecvBounded(*socket_, frames, 1)) {
    if (!frames.empty()) ++malformed_;
    return std::nullopt;
  }
  wire::BrokerMessage m;
  // Schema 2 changed only what a node sends; a broker answers in 1 or 2.
  if (!m.ParseFromArray(frames[0].data(), static_cast<int>(frames[0].size())) ||
      (m.schema() != wire::SCHEMA_V1 && m.schema() != wire::SCHEMA_V2)) {
    ++malformed_;
    return std::nullopt;
  }
  return m;
}

std::string BrokerLink::StateName() const {
  switch (state_) {
    case State::kConnecting: return "connecting";
    case State::kConnected: return "connected";
    case State::kUnreachable: return "unreachable";
    case State::kRefused: return "refused";
  }
  return "unknown";
}

}  // namespace signaal
