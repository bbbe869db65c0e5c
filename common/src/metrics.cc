#include "signaal/metrics.h"

#include <cmath>
#include <cstdio>

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

Result<std::unique_ptr<MetricsEndpoint>> MetricsEndpoint::Bind(zmq::context_t& ctx, const std::string& endpoint) {
  std::unique_ptr<MetricsEndpoint> m(new MetricsEndpoint(ctx));
  try {
    m->socket_.set(zmq::sockopt::linger, 0);
    m->socket_.bind(endpoint);
  } catch (const zmq::error_t& e) {
    return Status::Runtime("cannot serve metrics on " + endpoint + ": " + e.what());
  }
  return m;
}

void MetricsEndpoint::Reply(const zmq::message_t& peer, const std::string& status, const std::string& body) {
  std::string response = "HTTP/1.1 " + status +
                         "\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\nContent-Length: " +
                         std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
  // STREAM sockets: the peer's routing id, then the bytes; an empty message
  // after the routing id closes the connection.
  try {
    socket_.send(zmq::buffer(peer.data(), peer.size()), zmq::send_flags::sndmore | zmq::send_flags::dontwait);
    socket_.send(zmq::buffer(response), zmq::send_flags::dontwait);
    socket_.send(zmq::buffer(peer.data(), peer.size()), zmq::send_flags::sndmore | zmq::send_flags::dontwait);
    socket_.send(zmq::message_t(), zmq::send_flags::dontwait);
  } catch (const zmq::error_t&) {
    // A scraper that went away: nothing to do.
  }
}

void MetricsEndpoint::HandleOne(const std::function<std::string()>& render) {
  zmq::message_t peer, data;
  if (!socket_.recv(peer, zmq::recv_flags::dontwait)) return;
  if (!peer.more() || !socket_.recv(data, zmq::recv_flags::dontwait)) return;
  // Drain any further frames: a STREAM message is exactly two.
  while (data.more()) {
    zmq::message_t extra;
    if (!socket_.recv(extra, zmq::recv_flags::dontwait)) break;
    if (!extra.more()) break;
  }
  std::string id = peer.to_string();
  if (data.size() == 0) {  // connected or disconnected
    pending_.erase(id);
    return;
  }
  std::string& head = pending_[id];
  head.append(static_cast<const char*>(data.data()), data.size());
  if (head.size() > kMaxHead) {
    Reply(peer, "431 Request Header Fields Too Large", "");
    pending_.erase(id);
    return;
  }
  if (head.find("\r\n\r\n") == std::string::npos && head.find("\n\n") == std::string::npos) return;
  std::string line = head.substr(0, head.find_first_of("\r\n"));
  pending_.erase(id);
  if (line.rfind("GET /metrics ", 0) == 0 || line == "GET /metrics") {
    ++served_;
    Reply(peer, "200 OK", render());
  } else if (line.rfind("GET ", 0) == 0) {
    Reply(peer, "404 Not Found", "only /metrics is served here\n");
  } else {
    Reply(peer, "400 Bad Request", "");
  }
}

}  // namespace signaal
