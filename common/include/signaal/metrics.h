// Metrics for Prometheus: a page in the text exposition format (0.0.4), and
// the small HTTP endpoint a daemon serves it on — a ZeroMQ STREAM socket in
// the daemon's own poll loop, so no thread and no HTTP library. Bind it to
// loopback (`[metrics] listen = "tcp://127.0.0.1:9471"`): it has no
// authentication, and holds only counts, never personal data.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "signaal/status.h"

namespace signaal {

// One scrape's worth of metrics. Each family is written once with its HELP
// and TYPE lines, then its samples.
class MetricsPage {
 public:
  using Labels = std::vector<std::pair<std::string, std::string>>;
  void Counter(const std::string& name, const std::string& help, double value, const Labels& labels = {});
  void Gauge(const std::string& name, const std::string& help, double value, const Labels& labels = {});
  const std::string& text() const { return text_; }

 private:
  void Sample(const std::string& name, const std::string& type, const std::string& help, double value,
              const Labels& labels);
  std::string text_;
  std::string last_family_;
};

// Serves GET /metrics over plain HTTP/1.x on a STREAM socket. Anything else
// gets 404 or 400; a request head over 8 KiB or a connection that sends no
// complete head is dropped. One owner: the daemon's poll loop.
class MetricsEndpoint {
 public:
  static Result<std::unique_ptr<MetricsEndpoint>> Bind(zmq::context_t& ctx, const std::string& endpoint);
  zmq::socket_t& socket() { return socket_; }
  // Reads what is waiting and answers complete requests with `render()`.
  void HandleOne(const std::function<std::string()>& render);
  uint64_t served() const { return served_; }

 private:
  explicit MetricsEndpoint(zmq::context_t& ctx) : socket_(ctx, zmq::socket_type::stream) {}
  void Reply(const zmq::message_t& peer, const std::string& status, const std::string& body);
  zmq::socket_t socket_;
  std::map<std::string, std::string> pending_;  // request bytes so far, by peer
  uint64_t served_ = 0;
};

}  // namespace signaal
