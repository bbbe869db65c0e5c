// LocalControl: answers the `signaal node …` command on the node host —
// add, import, list, status, publish. Pure request -> response; the daemon
// owns the ipc socket (in a 0700 folder: the file system is the access control).
// Import, erase and backup are StoreJobs (store_jobs.h): the daemon runs them
// on its StoreWorker and hands the finished job to Finish; Handle runs them
// inline, for callers without a worker (tests, the fuzzer).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "signaal/broker_link.h"
#include "outbox.h"
#include "signal_store.h"
#include "store_jobs.h"
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
  uint64_t quotes_refused = 0;   // quotes the broker refused (Ack.refused_quotes)
  uint64_t digests_received = 0;  // published digests kept (issue 18)
  uint64_t digests_refused = 0;   // digests the broker sent that the node would not keep
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
    // Fills in the running job and the requests waiting for it; null without a worker.
    std::function<void(wire::NodeStatus&)> describe_jobs = nullptr;
    // Marks personal data in a quote under review; null: no spans shown.
    ScrubberCache* scrubbers = nullptr;
  };
  explicit LocalControl(Context c) : c_(std::move(c)) {}

  // `account`: who asked (the control peer's user), recorded with a quote's
  // review. `from_web`: the node's own intake page asks, for the account the
  // request names (web_account), within what a volunteer or coordinator may
  // do there (WebRefusal); on the control socket that field is refused.
  wire::NodeResponse Handle(const wire::NodeRequest& request, int64_t now, const std::string& account = "",
                            bool from_web = false);
  // The answer to a finished StoreJob, on the loop: an erasure's weeks are
  // published and sent at once (the broker replaces the old counts).
  wire::NodeResponse Finish(StoreJob& job, int64_t now);

 private:
  wire::NodeResponse Add(const wire::AddSignal& req, int64_t now, const std::string& entered_by);
  wire::NodeResponse List(const wire::ListSignals& req) const;
  // --- The intake page's requests (local_control_intake.cc) ---
  // The refusal of what the page may not ask for its account and role;
  // nothing when it may.
  std::optional<wire::NodeResponse> WebRefusal(const wire::NodeRequest& req) const;
  wire::NodeResponse ListMine(const wire::ListSignals& req) const;
  wire::NodeResponse Show(const wire::ShowSignal& req, const wire::NodeRequest& asked) const;
  wire::NodeResponse Correct(const wire::CorrectSignal& req, const wire::NodeRequest& asked, int64_t now);
  wire::NodeResponse Hint(const wire::ScrubHint& req) const;
  wire::NodeResponse Accounts(const wire::AccountRequest& req, int64_t now, const std::string& account,
                              bool from_web);
  wire::NodeResponse StatusView() const;
  wire::NodeResponse Publish(int64_t now);
  wire::NodeResponse Report() const;
  // What became of a signal at the source (issue 18): its status, a sealed note.
  wire::NodeResponse FollowUp(const wire::FollowUp& req, const std::string& account, int64_t now);
  // What the region made of the signals (local_control_digests.cc): the kept
  // digests and advice feed, and the month's figures in the status.
  wire::NodeResponse Digests(const wire::DigestsRequest& req) const;
  Status AddFeedback(wire::NodeStatus& status, int64_t now) const;
  wire::NodeResponse Quotes(const wire::QuoteRequest& req, int64_t now, const std::string& account);
  // A quote as the CLI shows it, with what the scrubber finds in it now.
  wire::QuoteView View(const SignalStore::QuoteInfo& q) const;

  Context c_;
};

wire::NodeResponse NodeError(const Status& status);
// A stored signal as the CLI and the page list it (free text left out).
wire::SignalRecord SignalRecordOf(const storage::StoredSignal& s);
// An empty answer that says ok, for the caller to fill in.
wire::NodeResponse NodeOk();

}  // namespace signaal::node
