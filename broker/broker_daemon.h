// BrokerDaemon: the regional broker. One thread, one poll loop over the
// sockets it alone owns — the ZAP handler, the public `listen` ROUTER (nodes
// and subscribers), the `control` ROUTER (administrators) and its end of the
// digest worker's pipe — read top to bottom in Run(). Snapshots are
// group-committed: every message waiting on `listen` is read (within a
// bound), and the snapshots among them are stored with one synced write
// before any of them is acked. Digests, fetched, published or scheduled, are
// built on the worker's thread; the loop records, sends and delivers them.
// What one peer may cost is bounded: a drain of `listen` by messages, bytes
// and time; a subscriber's filter by the regions there are; its fetches by
// Admission; and work for a connection that closed is dropped (PeerWatch).
// Its code: broker_daemon.cc (start-up, the loop, snapshots, control),
// broker_daemon_subscribers.cc (subscriptions and catch-up),
// broker_daemon_digests.cc (fetches, publishing, the schedule).
#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <zmq.hpp>

#include "admission.h"
#include "broker_store.h"
#include "control_handler.h"
#include "digest_builder.h"
#include "digest_schedule.h"
#include "digest_service.h"
#include "disclosure_policy.h"
#include "mail_service.h"
#include "peer_watch.h"
#include "principal_registry.h"
#include "quote_screen.h"
#include "broker_control.pb.h"
#include "wire.pb.h"
#include "signaal/metrics.h"
#include "signaal/config.h"
#include "signaal/keys.h"
#include "signaal/reference_data.h"
#include "snapshot_validator.h"
#include "theme_table.h"
#include "upstream.h"
#include "zap_handler.h"

namespace signaal::broker {

class BrokerDaemon {
 public:
  // Loads reference data and keys, opens the store and binds the sockets.
  static Result<std::unique_ptr<BrokerDaemon>> Create(const BrokerConfig& config);
  // Everything Create checks before it opens the store: keys, reference
  // data, region, schedule, the data folder. Touches nothing, so
  // `run --check` may run beside a running broker.
  static Status CheckConfig(const BrokerConfig& config);
  ~BrokerDaemon();

  // Serves until `stop` becomes true.
  Status Run(const std::atomic<bool>& stop);

 private:
  // What CheckConfig read and checked, handed on so Create reads nothing twice.
  struct Prepared {
    KeyFile keys;
    ReferenceData ref;
    std::optional<DigestSchedule> schedule;
    PTable ptable;
    std::unique_ptr<PiiScrubber> scrubber;  // scrubs arriving quotes again (QuoteScreen)
    std::optional<MailSender> mail;  // set when [mail] from is
    std::optional<KeyFile> upstream_keys;  // set when [upstream] endpoint is
  };
  static Result<Prepared> Prepare(const BrokerConfig& config);
  // The wall clock, in Unix seconds.
  static int64_t Now();

  BrokerDaemon(BrokerConfig config, ReferenceData ref, PTable ptable, std::unique_ptr<PiiScrubber> scrubber,
               std::unique_ptr<BrokerStore> store);
  Status Bind(const CurveKeyPair& server_key);

  // Drains `listen` (up to kMaxDrain messages or kMaxDrainTime), then
  // commits the snapshots.
  void OnListenReady();
  // Drops the digest work of connections on `listen` that have closed.
  void OnListenEvents();
  // Handles one message if one is waiting; false when none was.
  bool OnListenMessage();
  // Stores the pending snapshots in one synced write, then answers each.
  void CommitSnapshots();
  // An info line on what was ingested, at most once a minute.
  void LogIngest(int64_t now, bool force = false);
  void OnControlMessage();
  // A regional broker's link upward, in `status` and the metrics.
  void AddUpstream(wire::BrokerStatus& status) const;
  void Reply(const zmq::message_t& routing_id, const wire::BrokerMessage& message);
  void Nack(const zmq::message_t& routing_id, const std::string& reason, const std::string& detail,
            const std::string& period = "", uint64_t version = 0, uint64_t stored_version = 0);

  void HandleSnapshot(zmq::message_t& rid, const wire::Principal& node, const wire::SignedEnvelope& env);
  void HandleHeartbeat(const zmq::message_t& rid, const wire::Principal& node, const wire::Heartbeat& hb);
  // `fd`: the connection it came on (SourceFd), so it ends if that closes.
  void HandleSubscribe(const zmq::message_t& rid, int fd, const wire::Principal& sub, const wire::Subscribe& req);
  // `fd`: the connection it came on (SourceFd), so it is dropped if that closes.
  void HandleDigestRequest(const zmq::message_t& rid, int fd, const wire::Principal& sub,
                           const wire::DigestRequest& req);
  // An administrator's publish_digest: queued, answered once built.
  void HandlePublishRequest(const zmq::message_t& rid, const wire::Principal& admin, const wire::PublishDigest& req);
  // An administrator's risk report: the recorded digests for the period
  // handed to the worker; answered once made.
  void HandleRiskReportRequest(const zmq::message_t& rid, const wire::Principal& admin,
                               const wire::RiskReportRequest& req);
  void AnswerRiskReport(DigestJob& job);
  // Takes a digest the DigestService finished and answers by its kind.
  void OnDigestFinished();
  // A fetched digest: sent to the subscriber who asked.
  void AnswerFetch(DigestJob& job);
  // A published digest: delivered to subscribers, and the administrator
  // answered; the schedule's run is recorded once its last digest is done.
  void AnswerPublish(DigestJob& job);

  // Queues the scheduled digests when their time has come (and once at
  // start for a run missed while the broker was down).
  void RunSchedule(int64_t now);

  // Sends a published digest to every registered subscriber entitled to it
  // that is not catching up.
  void Deliver(const wire::Digest& digest);
  // One page of every catch-up due; returns how long the loop may sleep
  // before the next is due (zero while a page is ready to go).
  std::chrono::milliseconds CatchUp();
  // True if `who` may have the published digests of `region`: a subscriber
  // for its enrolled regions, a node for every area its municipality lies in.
  bool Entitled(const wire::Principal& who, const std::vector<std::string>& filter,
                const std::string& region) const;
  // A subscriber or node still enrolled, unrevoked: who may hold a subscription.
  const wire::Principal* Reader(const std::string& id) const;
  // The advice on the asker's area (wire AdviceFeed).
  void HandleAdviceFeed(const zmq::message_t& rid, const wire::Principal& who);
  // The mails of a published digest: one per address of every active
  // subscriber entitled to its region, due now (broker_daemon_subscribers.cc).
  std::vector<storage::MailItem> MailFor(const wire::Digest& digest) const;
  // A queued mail's subscriber is active and still has its address.
  bool StillWanted(const storage::MailItem& item) const;

  BrokerConfig config_;
  ReferenceData ref_;
  std::unique_ptr<PiiScrubber> scrubber_;
  std::unique_ptr<BrokerStore> store_;
  PrincipalRegistry registry_;
  ThemeTable table_;
  DisclosurePolicy policy_;
  SnapshotValidator validator_;
  QuoteScreen quote_screen_;
  Counters counters_;
  int64_t started_ = 0;

  zmq::context_t ctx_;
  std::unique_ptr<ZapHandler> zap_;  // bound before the server sockets
  std::unique_ptr<zmq::socket_t> listen_;
  std::unique_ptr<zmq::socket_t> control_;
  std::unique_ptr<ControlHandler> control_handler_;
  std::unique_ptr<MetricsEndpoint> metrics_;  // null unless [metrics] listen is set
  std::unique_ptr<DigestService> digests_;
  std::unique_ptr<PeerWatch> listen_watch_;  // closed connections on `listen`
  std::unique_ptr<MailService> mail_;        // null unless [mail] from is set
  std::unique_ptr<Upstream> upstream_;       // null unless [upstream] endpoint is set
  Admission admission_;

  // A subscriber's live registration: where to send and what it asked for.
  // A new one first catches up on the stored digests after its cursor, a
  // page per poll round (a catch-up of years must not hold the loop); live
  // digests wait for the catch-up to reach them in the store, so they come
  // once and in order.
  struct Subscription {
    std::string routing_id;
    std::vector<std::string> filter;
    int fd = -1;  // its connection (SourceFd): a closed one ends it
    bool catching_up = false;
    // The newest digest sequence sent on this connection or passed over
    // (not entitled): where a catch-up goes on, and what a repeated
    // Subscribe on the same connection need not be sent again.
    uint64_t cursor = 0;
    uint64_t caught_up = 0;       // digests the catch-up sent
    // A page that could not be sent (the peer's queue full, or gone) is
    // tried again later, and the subscription given up after kCatchUpTries.
    int failed_tries = 0;
    std::chrono::steady_clock::time_point retry_at{};
  };
  std::map<std::string, Subscription> subscriptions_;  // by principal id
  static constexpr size_t kCatchUpPage = 16;
  static constexpr std::chrono::milliseconds kCatchUpRetry{100};
  static constexpr int kCatchUpTries = 300;  // 30 s of a full queue
  // One subscriber's page; false when the subscription is to be dropped.
  bool CatchUpPage(const std::string& id, Subscription& subscription);

  std::optional<DigestSchedule> schedule_;
  int64_t next_run_ = 0;

  // A snapshot that passed the validator, waiting for its group commit.
  struct PendingSnapshot {
    zmq::message_t routing_id;
    wire::SummarySnapshot snapshot;              // without the refused quotes
    std::vector<wire::QuoteRefusal> refused;     // told in the Ack
  };
  // Bounds of one drain of `listen`: the other sockets wait meanwhile, and
  // pending snapshots are held in memory until their write.
  static constexpr size_t kMaxDrain = 256;
  static constexpr std::chrono::milliseconds kMaxDrainTime{50};
  static constexpr size_t kMaxPendingBytes = 16 << 20;
  std::vector<PendingSnapshot> pending_;
  size_t pending_bytes_ = 0;

  // What was ingested since the last info line.
  struct IngestTally {
    int64_t since = 0;
    uint64_t batches = 0, stored = 0, duplicates = 0, refused = 0;
  };
  IngestTally tally_;
};

}  // namespace signaal::broker
