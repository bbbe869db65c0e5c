// MailWorker: sends digest mails on a thread of its own, one at a time —
// SMTP is blocking I/O, and a relay that takes a minute to answer must not
// stall the broker's poll loop.
//
// Ownership, explicitly (docs/ARCHITECTURE.md, "Threads"), as DigestWorker:
// - A MailJob is owned by the poll loop's thread except between Start() and
//   Finished(), when the worker owns it. It crosses each way through one
//   mutex-guarded slot, never through a pointer on a socket, so every write
//   on one side happens-before every read on the other (ThreadSanitizer
//   sees it).
// - The ZeroMQ PAIR is only a doorbell: the worker rings it when a job is
//   done. Each end is used by one thread only.
// - The job carries its own copy of the digest (read from the store on the
//   loop thread): the worker touches no store.
// - The SMTP settings (with the password) are the worker's own const copy.
// - A send under way when the broker stops gets kStopGrace to finish, so a
//   mail the server is accepting is recorded as sent; then it is abandoned.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <zmq.hpp>

#include "broker_storage.pb.h"
#include "digest_mail.h"
#include "signaal/status.h"
#include "smtp_client.h"
#include "wire.pb.h"

namespace signaal::broker {

// One digest mail to send: the queue's item and the digest it is made of,
// and, once back from the worker, what came of it.
struct MailJob {
  storage::MailItem item;
  wire::Digest digest;
  Status outcome = Status::Runtime("not sent");
  int64_t millis = 0;
  size_t bytes = 0;  // the message's size, for the log
};

// Who sends and how: the worker's own copy.
struct MailSender {
  std::string from;
  std::string from_name;
  mail::SmtpSettings smtp;
};

class MailWorker {
 public:
  static constexpr std::chrono::seconds kStopGrace{3};

  // Binds the daemon's end of the doorbell in `ctx` and starts the thread.
  MailWorker(zmq::context_t& ctx, MailSender sender);
  // Lets a running send finish within kStopGrace, then abandons it and joins.
  // A job finished meanwhile stays in the slot for Finished().
  ~MailWorker() { Stop(); }
  MailWorker(const MailWorker&) = delete;
  MailWorker& operator=(const MailWorker&) = delete;

  zmq::socket_t& socket() { return bell_; }
  bool busy() const { return busy_; }
  // Hands a job to the worker; only when not busy.
  void Start(std::unique_ptr<MailJob> job);
  // The finished job, once socket() is readable (or after Stop()); null if none.
  std::unique_ptr<MailJob> Finished();
  // The destructor's work, callable earlier so the owner can record the
  // last job's outcome while its store is still open.
  void Stop();

 private:
  void Run(std::string endpoint);

  const MailSender sender_;  // read by the worker only
  zmq::context_t& ctx_;
  zmq::socket_t bell_;  // loop thread only
  bool busy_ = false;   // loop thread only

  std::mutex mu_;
  std::condition_variable wake_;   // the worker waits for a job or stop_
  std::condition_variable idle_;   // Stop() waits for the running send
  std::unique_ptr<MailJob> next_;  // guarded by mu_: loop -> worker
  std::unique_ptr<MailJob> done_;  // guarded by mu_: worker -> loop
  bool sending_ = false;           // guarded by mu_
  bool stop_ = false;              // guarded by mu_
  std::atomic<bool> abandon_{false};  // read by the SMTP transfer's progress callback

  std::thread thread_;  // last: started once everything above exists
};

}  // namespace signaal::broker
