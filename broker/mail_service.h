// MailService: the digest mail queue — every published digest to every
// e-mail address of the subscribers entitled to it, until the SMTP server
// accepted it. Durable: a mail is written to the store (mq/) in the same
// write as its digest (AppendDigest), taken off only after the server said
// 250, retried after a failure with a doubling wait ([mail] retry_first_s up
// to retry_max_s), given up give_up_hours after its digest with an error in
// the log, and picked up again from the store when the broker starts.
//
// Used on the daemon's loop thread only, as DigestService is; the sending
// itself is the MailWorker's (mail_worker.h), one mail at a time. One log
// line per attempt — recipient, digest, outcome, attempt — and never
// anything of the digest's content. Counters: mail.sent,
// mail.failed_attempts, mail.given_up, mail.dropped; queued() is the gauge.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "broker_store.h"
#include "control_handler.h"
#include "mail_worker.h"
#include "signaal/config.h"
#include "signaal/status.h"

namespace signaal::broker {

class MailService {
 public:
  // The sender from `[mail]`, the password read from its file; Usage naming
  // the key at fault. Nothing is opened or started.
  static Result<MailSender> SenderFromConfig(const BrokerConfig& config);

  // Loads the queue from `store` and starts the worker in `ctx`.
  MailService(zmq::context_t& ctx, const BrokerConfig& config, MailSender sender, BrokerStore& store,
              Counters& counters);
  // Stops the worker (a send under way gets MailWorker::kStopGrace) and
  // records how its last mail went, while the store is still open.
  ~MailService();

  zmq::socket_t& socket() { return worker_.socket(); }

  // Whether a queued mail is still wanted when its turn comes: its
  // subscriber is active and still has the address.
  using StillWanted = std::function<bool(const storage::MailItem&)>;
  // Starts the next mail that is due if the worker is free; returns how
  // long the loop may sleep before one is due (at most `cap`).
  std::chrono::milliseconds Tick(int64_t now, const StillWanted& wanted, std::chrono::milliseconds cap);
  // The worker's doorbell rang: records the outcome of the mail it sent.
  void OnFinished(int64_t now);
  // Mails AppendDigest has just stored with their digest.
  void Added(std::vector<storage::MailItem> items);

  uint64_t queued() const { return queue_.size(); }

 private:
  void Record(MailJob& job, int64_t now);
  // The wait after `attempts` failures: retry_first_s doubling, at most retry_max_s.
  int64_t Backoff(uint32_t attempts) const;

  BrokerStore& store_;
  Counters& counters_;
  const int64_t retry_first_s_, retry_max_s_, give_up_s_;
  std::map<std::string, storage::MailItem> queue_;  // by store key: digest order, then address
  MailWorker worker_;  // last: its thread starts once the queue exists
};

}  // namespace signaal::broker
