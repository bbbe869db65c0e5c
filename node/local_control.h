// LocalControl: answers the `signaal node …` command on the node host —
// add, import, list, status, publish. Pure request -> response; the daemon
// owns the ipc socket (in a 0700 folder: the file system is the access control).
#pragma once

#include <functional>
#include <map>
#include <string>

#include "broker_link.h"
#include "outbox.h"
#include "signal_store.h"
#include "node_control.pb.h"
#include "signaal/config.h"
#include "signaal/reference_data.h"

namespace signaal::node {

// What the node counts, for status.
struct NodeCounters {
  uint64_t snapshots_sent = 0;
  uint64_t snapshots_acked = 0;
  uint64_t snapshots_nacked = 0;
  int64_t last_ack_unix = 0;
  std::string last_nack;
  uint64_t control_refused = 0;  // malformed local control requests
  std::map<std::string, uint64_t> nacked_by_reason;
};

class LocalControl {
 public:
  struct Context {
    const NodeConfig& config;
    const ReferenceData& ref;
    SignalStore& store;
    Outbox& outbox;
    const BrokerLink& link;
    const NodeCounters& counters;
    std::function<void()> send_now;  // push due outbox entries to the broker
  };
  explicit LocalControl(Context c) : c_(std::move(c)) {}

  wire::NodeResponse Handle(const wire::NodeRequest& request, int64_t now);

 private:
  wire::NodeResponse Add(const wire::AddSignal& req, int64_t now);
  wire::NodeResponse Import(const wire::ImportSignals& req, int64_t now);
  wire::NodeResponse List(const wire::ListSignals& req) const;
  wire::NodeResponse StatusView() const;
  wire::NodeResponse Publish(int64_t now);
  wire::NodeResponse Erase(const wire::EraseSignals& req, int64_t now);
  wire::NodeResponse Report() const;
  wire::NodeResponse Backup(const wire::BackupRequest& req) const;

  Context c_;
};

wire::NodeResponse NodeError(const Status& status);

}  // namespace signaal::node
