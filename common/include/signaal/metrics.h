// Metrics for Prometheus: a page in the text exposition format (0.0.4), and
// the small HTTP endpoint a daemon serves it on — a ZeroMQ STREAM socket in
// the daemon's own poll loop, so no thread and no HTTP library. Bind it to
// loopback (`[metrics] listen = "tcp://127.0.0.1:9471"`): it has no
// authentication, and holds only counts, never personal data.
//
// A scraper sends one small request and reads one page, so the endpoint
// holds little for anyone: at most MetricsLimits::max_connections open at
// once (more are closed as they connect), each closed when it has not sent
// a complete request head within MetricsLimits::head_timeout. Half-sent
// requests by the thousand once took every descriptor of a daemon and with
// them its nodes (issue 15, finding 3); now they take at most 32.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <unordered_map>
#include <unordered_set>
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

// What the metrics endpoint allows its clients (docs/OPERATIONS.md, "Metrics").
struct MetricsLimits {
  size_t max_connections = 32;                    // open at once; more are closed on connect
  std::chrono::milliseconds head_timeout{5000};   // from connect to a complete request head
};

// Serves GET /metrics over plain HTTP/1.x on a STREAM socket. Anything else
// gets 404 or 400; a request head over 8 KiB is answered 431, one not
// complete within the head timeout 408, and either connection closed. One
// owner: the daemon's poll loop, which calls HandleOne when the socket is
// readable and CloseIdle on every turn.
class MetricsEndpoint {
 public:
  static Result<std::unique_ptr<MetricsEndpoint>> Bind(zmq::context_t& ctx, const std::string& endpoint,
                                                       MetricsLimits limits = {});
  zmq::socket_t& socket() { return socket_; }
  // Reads what is waiting (a bounded number of messages, so a flood of
  // connections cannot hold the loop) and answers complete requests with
  // `render()`.
  void HandleOne(const std::function<std::string()>& render);
  // Closes the connections that have had `head_timeout` to send a request
  // and have not. Cheap: at most max_connections to look at.
  void CloseIdle(std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now());

  uint64_t served() const { return served_; }
  size_t open_connections() const { return open_.size(); }
  uint64_t refused_connections() const { return refused_; }  // over the cap
  uint64_t timed_out_connections() const { return timed_out_; }

 private:
  using Clock = std::chrono::steady_clock;
  struct Connection {
    std::string head;  // request bytes so far
    Clock::time_point opened;
  };
  MetricsEndpoint(zmq::context_t& ctx, MetricsLimits limits)
      : socket_(ctx, zmq::socket_type::stream), limits_(limits) {}
  // One message from the socket; false when none was waiting.
  bool ReadOne(const std::function<std::string()>& render);
  void Reply(const std::string& peer, const std::string& status, const std::string& body);
  // Closes a connection (an empty message after its id) and forgets it.
  void Close(const std::string& peer);

  zmq::socket_t socket_;
  MetricsLimits limits_;
  std::unordered_map<std::string, Connection> open_;  // by routing id
  // Ids this side closed lately: a message of theirs still in the queue is
  // not a new connection. Routing ids are never reused by a socket.
  std::unordered_set<std::string> closed_;
  std::deque<std::string> closed_order_;
  uint64_t served_ = 0;
  uint64_t refused_ = 0;
  uint64_t timed_out_ = 0;
};

}  // namespace signaal
