#include "signaal/metrics.h"

#include <cmath>
#include <cstdio>
#include <vector>

namespace signaal {
namespace {

constexpr size_t kMaxHead = 8192;

std::string EscapeLabel(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  char buf[64];
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  } else {
    std::snprintf(buf, sizeof buf, "%.6g", v);
  }
  return buf;
}

}  // namespace

void MetricsPage::Counter(const std::string& name, const std::string& help, double value, const Labels& labels) {
  Sample(name, "counter", help, value, labels);
}

void MetricsPage::Gauge(const std::string& name, const std::string& help, double value, const Labels& labels) {
  Sample(name, "gauge", help, value, labels);
}

void MetricsPage::Sample(const std::string& name, const std::string& type, const std::string& help, double value,
                         const Labels& labels) {
  if (name != last_family_) {
    text_ += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
    last_family_ = name;
  }
  text_ += name;
  if (!labels.empty()) {
    text_ += "{";
    for (size_t i = 0; i < labels.size(); ++i) {
      text_ += (i ? "," : "") + labels[i].first + "=\"" + EscapeLabel(labels[i].second) + "\"";
    }
    text_ += "}";
  }
  text_ += " " + FormatValue(value) + "\n";
}

Result<std::unique_ptr<MetricsEndpoint>> MetricsEndpoint::Bind(zmq::context_t& ctx, const std::string& endpoint,
                                                               MetricsLimits limits) {
  std::unique_ptr<MetricsEndpoint> m(new MetricsEndpoint(ctx, limits));
  try {
    m->socket_.set(zmq::sockopt::linger, 0);
    // Connects and disconnects arrive as empty messages: the only way to see
    // (and time out) a connection that never sends a byte.
    m->socket_.set(zmq::sockopt::stream_notify, 1);
    m->socket_.bind(endpoint);
  } catch (const zmq::error_t& e) {
    return Status::Runtime("cannot serve metrics on " + endpoint + ": " + e.what());
  }
  return m;
}

void MetricsEndpoint::Close(const std::string& peer) {
  // STREAM sockets: an empty message after the routing id closes the connection.
  try {
    socket_.send(zmq::buffer(peer), zmq::send_flags::sndmore | zmq::send_flags::dontwait);
    socket_.send(zmq::message_t(), zmq::send_flags::dontwait);
  } catch (const zmq::error_t&) {
    // Gone already: nothing to close.
  }
  open_.erase(peer);
  if (closed_.insert(peer).second) closed_order_.push_back(peer);
  // Enough to cover what can still be queued from those closed lately.
  constexpr size_t kRemember = 4096;
  while (closed_order_.size() > kRemember) {
    closed_.erase(closed_order_.front());
    closed_order_.pop_front();
  }
}

void MetricsEndpoint::Reply(const std::string& peer, const std::string& status, const std::string& body) {
  std::string response = "HTTP/1.1 " + status +
                         "\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\nContent-Length: " +
                         std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
  try {
    socket_.send(zmq::buffer(peer), zmq::send_flags::sndmore | zmq::send_flags::dontwait);
    socket_.send(zmq::buffer(response), zmq::send_flags::dontwait);
  } catch (const zmq::error_t&) {
    // A scraper that went away: nothing to do.
  }
  Close(peer);
}

void MetricsEndpoint::HandleOne(const std::function<std::string()>& render) {
  // A connection costs one or two messages; a flood of them is taken in
  // bounded bites between the daemon's other work.
  for (int i = 0; i < 256 && ReadOne(render); ++i) {
  }
}

bool MetricsEndpoint::ReadOne(const std::function<std::string()>& render) {
  zmq::message_t peer_msg, data;
  if (!socket_.recv(peer_msg, zmq::recv_flags::dontwait)) return false;
  if (!peer_msg.more() || !socket_.recv(data, zmq::recv_flags::dontwait)) return true;
  // Drain any further frames: a STREAM message is exactly two.
  while (data.more()) {
    zmq::message_t extra;
    if (!socket_.recv(extra, zmq::recv_flags::dontwait)) break;
    if (!extra.more()) break;
  }
  const std::string peer = peer_msg.to_string();
  if (closed_.count(peer)) return true;  // queued before this side closed it
  auto it = open_.find(peer);
  if (data.size() == 0) {
    if (it != open_.end()) {  // the scraper went away
      open_.erase(it);
      return true;
    }
    // A new connection. Over the cap it is closed at once, so scrapers can
    // never hold more than a few of the daemon's descriptors.
    if (open_.size() >= limits_.max_connections) {
      ++refused_;
      Close(peer);
      return true;
    }
    open_.emplace(peer, Connection{std::string(), Clock::now()});
    return true;
  }
  if (it == open_.end()) {
    // Bytes before (or without) a connect notice: the connection counts from now.
    if (open_.size() >= limits_.max_connections) {
      ++refused_;
      Close(peer);
      return true;
    }
    it = open_.emplace(peer, Connection{std::string(), Clock::now()}).first;
  }
  std::string& head = it->second.head;
  head.append(static_cast<const char*>(data.data()), data.size());
  if (head.size() > kMaxHead) {
    Reply(peer, "431 Request Header Fields Too Large", "");
    return true;
  }
  if (head.find("\r\n\r\n") == std::string::npos && head.find("\n\n") == std::string::npos) return true;
  const std::string line = head.substr(0, head.find_first_of("\r\n"));
  if (line.rfind("GET /metrics ", 0) == 0 || line == "GET /metrics") {
    ++served_;
    Reply(peer, "200 OK", render());
  } else if (line.rfind("GET ", 0) == 0) {
    Reply(peer, "404 Not Found", "only /metrics is served here\n");
  } else {
    Reply(peer, "400 Bad Request", "");
  }
  return true;
}

void MetricsEndpoint::CloseIdle(Clock::time_point now) {
  std::vector<std::string> late;
  for (const auto& [peer, c] : open_) {
    if (now - c.opened >= limits_.head_timeout) late.push_back(peer);
  }
  for (const auto& peer : late) {
    ++timed_out_;
    Reply(peer, "408 Request Timeout", "");
  }
}

}  // namespace signaal
