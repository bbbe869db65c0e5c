// NodeDaemon: the partner's node. One poll loop over the sockets it alone
// owns — the local control ROUTER (ipc), the intake page's ROUTER (inproc,
// when [web] is on), the DEALER to the broker and that DEALER's monitor, the
// StoreWorker's pipe — with timers for automatic
// publication, heartbeats and outbox resends. Long work on the store (import,
// erasure, backup, retention purge) runs on the StoreWorker's thread, one job
// at a time; requests that change the store wait for it in a short queue,
// everything else (status, the broker link) is answered meanwhile. Who owns
// which part of the store when: store_jobs.h. Read Run() top to bottom.
#pragma once

#include <atomic>
#include <deque>
#include <memory>

#include <zmq.hpp>

#include "signaal/broker_link.h"
#include "local_control.h"
#include "outbox.h"
#include "scrubber_cache.h"
#include "signal_store.h"
#include "store_worker.h"
#include "web/intake_page.h"
#include "signaal/config.h"
#include "signaal/metrics.h"
#include "signaal/keys.h"
#include "signaal/reference_data.h"

namespace signaal::node {

class NodeDaemon {
 public:
  // Loads keys and reference data, opens the store, binds the control socket.
  static Result<std::unique_ptr<NodeDaemon>> Create(const NodeConfig& config);
  // Everything Create checks before it opens the store: keys, reference
  // data, the data folder. Touches nothing, so `run --check` may run beside
  // a running node. Errors name the config file and the key.
  static Status CheckConfig(const NodeConfig& config);
  ~NodeDaemon();

  Status Run(const std::atomic<bool>& stop);

 private:
  // What CheckConfig read and checked, handed on so Create reads nothing twice.
  struct Prepared {
    KeyFile keys;
    ReferenceData ref;
    std::string pseudonym_secret, data_key;  // decoded from the key file
  };
  static Result<Prepared> Prepare(const NodeConfig& config);

  NodeDaemon(NodeConfig config, KeyFile keys, ReferenceData ref, std::unique_ptr<SignalStore> store);
  Status BindControl();
  // The intake page's socket, then the page (its thread connects to it).
  Status StartIntakePage();
  void OnControlMessage();
  // A request from the intake page: [number][NodeRequest], answered with
  // [number][NodeResponse] on the same socket.
  void OnWebMessage();
  void OnBrokerMessage();
  std::string RenderMetrics();
  void SendDue();
  // Also renews the node's subscription to the digests its signals fed.
  void SendHeartbeat();
  void AskAdviceFeed();
  // A digest the broker delivered: checked, then kept (SignalStore::KeepDigest).
  void OnDigest(const wire::Digest& digest);
  // How often the node asks for the advice on its area besides at each connection.
  static constexpr int64_t kAdviceFeedInterval = 900;
  // The broker refused the node's Subscribe (one from before issue 18):
  // not asked again on this connection.
  bool broker_sends_no_digests_ = false;
  // A digest came: the advice feed is asked for again on the next round.
  bool advice_stale_ = false;
  // A request that changes the store, once no job holds it: a StoreJob goes
  // to the worker, anything else (add, publish) is answered at once.
  // `account`: who asked (the peer's user, for the quote review's record).
  // `web_number`: the intake page's request number ("" from the control socket).
  void Dispatch(zmq::message_t routing_id, wire::NodeRequest request, const std::string& account,
                const std::string& web_number);
  // An answer to whoever asked: the control socket, or the intake page's.
  void Reply(const zmq::message_t& routing_id, const std::string& web_number, const wire::NodeResponse& response);
  void StartJob(std::unique_ptr<StoreJob> job);
  // The worker's finished job: its answer sent, then the waiting requests.
  void OnJobFinished();
  // Retention: raw signals older than privacy.retention_days go (a job).
  void StartPurge(int64_t now);
  void DescribeJobs(wire::NodeStatus& status) const;

  // Requests that change the store (add, import, erase, backup, publish)
  // wait here while a job runs; beyond kMaxWaiting they are refused.
  static constexpr size_t kMaxWaiting = 4;
  struct Waiting {
    zmq::message_t routing_id;
    wire::NodeRequest request;
    std::string account;
    std::string web_number;
  };

  NodeConfig config_;
  KeyFile keys_;
  ReferenceData ref_;
  // For quotes: loaded when one needs it, let go when idle. Before store_:
  // the store points at it.
  std::unique_ptr<ScrubberCache> scrubbers_;
  std::unique_ptr<SignalStore> store_;
  Outbox outbox_;
  NodeCounters counters_;
  zmq::context_t ctx_;
  std::unique_ptr<BrokerLink> link_;
  std::unique_ptr<zmq::socket_t> control_;
  std::unique_ptr<LocalControl> handler_;
  std::unique_ptr<MetricsEndpoint> metrics_;  // null unless [metrics] listen is set
  std::unique_ptr<StoreWorker> worker_;      // after ctx_ and store_: stopped before them
  std::unique_ptr<zmq::socket_t> web_;       // null unless [web] listen is set
  std::unique_ptr<web::IntakePage> intake_;  // after web_: its thread stops before the socket closes
  std::deque<Waiting> waiting_;
};

}  // namespace signaal::node
