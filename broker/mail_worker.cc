#include "mail_worker.h"

#include <cstdio>

namespace signaal::broker {

MailWorker::MailWorker(zmq::context_t& ctx, MailSender sender)
    : sender_(std::move(sender)), ctx_(ctx), bell_(ctx, zmq::socket_type::pair) {
  mail::InitSmtp();  // here, before the thread exists
  bell_.set(zmq::sockopt::linger, 0);
  char endpoint[64];
  std::snprintf(endpoint, sizeof endpoint, "inproc://mail-worker-%p", static_cast<void*>(this));
  bell_.bind(endpoint);
  thread_ = std::thread(&MailWorker::Run, this, std::string(endpoint));
}

void MailWorker::Stop() {
  if (!thread_.joinable()) return;
  {
    std::unique_lock<std::mutex> lock(mu_);
    stop_ = true;
    wake_.notify_one();
    idle_.wait_for(lock, kStopGrace, [&] { return !sending_; });
  }
  abandon_.store(true);
  thread_.join();
}

void MailWorker::Start(std::unique_ptr<MailJob> job) {
  busy_ = true;
  {
    std::lock_guard<std::mutex> lock(mu_);
    next_ = std::move(job);
  }
  wake_.notify_one();
}

std::unique_ptr<MailJob> MailWorker::Finished() {
  zmq::message_t ring;
  while (bell_.recv(ring, zmq::recv_flags::dontwait)) {
  }
  std::unique_ptr<MailJob> job;
  {
    std::lock_guard<std::mutex> lock(mu_);
    job = std::move(done_);
  }
  if (job) busy_ = false;
  return job;
}

void MailWorker::Run(std::string endpoint) {
  zmq::socket_t bell(ctx_, zmq::socket_type::pair);
  bell.set(zmq::sockopt::linger, 0);
  bell.connect(endpoint);
  for (;;) {
    std::unique_ptr<MailJob> job;
    {
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait(lock, [&] { return stop_ || next_ != nullptr; });
      if (stop_) return;
      job = std::move(next_);
      sending_ = true;
    }
    auto started = std::chrono::steady_clock::now();
    mail::DigestMailHeader header{sender_.from, sender_.from_name, job->item.address(), job->item.queued_unix()};
    auto message = mail::ComposeDigestMail(job->digest, header);
    if (!message.ok()) {
      job->outcome = message.status();
    } else {
      job->bytes = message->size();
      job->outcome = mail::SendMail(sender_.smtp, sender_.from, job->item.address(), *message, &abandon_);
    }
    job->millis = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started)
                      .count();
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = std::move(job);
      sending_ = false;
    }
    idle_.notify_all();
    // The doorbell carries nothing: the job is in done_ (one job is out at a time).
    (void)bell.send(zmq::str_buffer("."), zmq::send_flags::dontwait);
  }
}

}  // namespace signaal::broker
