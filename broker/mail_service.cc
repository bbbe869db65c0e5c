#include "mail_service.h"

#include <algorithm>
#include <ctime>

#include "mail_address.h"
#include "mime.h"
#include "signaal/files.h"
#include "signaal/log.h"
#include "signaal/text.h"

namespace signaal::broker {

Result<MailSender> MailService::SenderFromConfig(const BrokerConfig& c) {
  const std::string at = c.path + ": key 'mail.";
  MailSender s;
  auto from = mail::CheckMailAddress(c.mail_from, at + "from'");
  if (!from.ok()) return from.status();
  s.from = *from;
  s.from_name = c.mail_from_name;
  if (c.mail_from_name.size() > 100) return Status::Usage(at + "from_name' is longer than 100 bytes");
  // Checked here, not at every mail: a name no header can carry stops the start.
  if (auto name = mail::EncodeHeaderText(c.mail_from_name, 6, at + "from_name'"); !name.ok()) return name.status();
  s.smtp.url = c.mail_smtp_url;
  bool smtps = c.mail_smtp_url.rfind("smtps://", 0) == 0;
  if (!smtps && c.mail_smtp_url.rfind("smtp://", 0) != 0) {
    return Status::Usage(at + "smtp_url' must be smtp://HOST:PORT or smtps://HOST:PORT, not " +
                         QuoteText(c.mail_smtp_url));
  }
  auto starttls = mail::ParseStartTls(c.mail_starttls);
  if (!starttls.ok()) return starttls.status().Prefixed(at + "starttls'");
  s.smtp.starttls = *starttls;
  s.smtp.username = c.mail_username;
  s.smtp.ca_file = c.mail_ca_file;
  s.smtp.timeout_s = c.mail_timeout_s;
  if (!c.mail_username.empty()) {
    // A password goes over the wire only encrypted, and lives only in a
    // file of its own that nobody else can read.
    if (!smtps && *starttls != mail::StartTls::kRequired) {
      return Status::Usage(at + "username' is set: then 'mail.starttls' must be \"required\" (or smtp_url smtps://), "
                           "so the password never travels in the clear");
    }
    if (c.mail_password_file.empty()) return Status::Usage(at + "username' is set but 'mail.password_file' is not");
    if (Status p = CheckPrivateFile(c.mail_password_file); !p.ok()) return p.Prefixed(at + "password_file'");
    auto password = ReadFile(c.mail_password_file);
    if (!password.ok()) return password.status().Prefixed(at + "password_file'");
    std::string pw = *password;
    while (!pw.empty() && (pw.back() == '\n' || pw.back() == '\r')) pw.pop_back();
    if (pw.empty()) return Status::Usage(at + "password_file' is empty");
    s.smtp.password = std::move(pw);
  }
  return s;
}

MailService::MailService(zmq::context_t& ctx, const BrokerConfig& config, MailSender sender, BrokerStore& store,
                         Counters& counters)
    : store_(store),
      counters_(counters),
      retry_first_s_(config.mail_retry_first_s),
      retry_max_s_(std::max(config.mail_retry_max_s, config.mail_retry_first_s)),
      give_up_s_(int64_t{3600} * config.mail_give_up_hours),
      worker_(ctx, std::move(sender)) {
  size_t damaged = 0;
  for (auto& item : store_.AllMail(&damaged)) queue_[BrokerStore::MailKey(item)] = std::move(item);
  if (damaged > 0) spdlog::error("{} queued digest mails are damaged in the store and are not sent", damaged);
  if (!queue_.empty()) spdlog::info("mail: {} digest mails queued from before the start", queue_.size());
}

MailService::~MailService() {
  worker_.Stop();
  // A mail the server accepted while the broker was stopping is taken off
  // the queue now, so it is not sent twice.
  if (auto job = worker_.Finished()) Record(*job, static_cast<int64_t>(std::time(nullptr)));
}

void MailService::Added(std::vector<storage::MailItem> items) {
  for (auto& item : items) queue_[BrokerStore::MailKey(item)] = std::move(item);
}

int64_t MailService::Backoff(uint32_t attempts) const {
  int64_t wait = retry_first_s_;
  for (uint32_t i = 1; i < attempts && wait < retry_max_s_; ++i) wait *= 2;
  return std::min(wait, retry_max_s_);
}

std::chrono::milliseconds MailService::Tick(int64_t now, const StillWanted& wanted, std::chrono::milliseconds cap) {
  using std::chrono::milliseconds;
  if (worker_.busy() || queue_.empty()) return cap;
  // The earliest due, in digest order among equals (the map's order).
  auto next = queue_.end();
  for (auto it = queue_.begin(); it != queue_.end(); ++it) {
    if (next == queue_.end() || it->second.next_unix() < next->second.next_unix()) next = it;
  }
  if (next->second.next_unix() > now) return std::min(cap, milliseconds(1000 * (next->second.next_unix() - now)));
  storage::MailItem item = next->second;
  if (!wanted(item)) {
    // The address was removed or the subscriber revoked since the digest.
    spdlog::info("mail: digest {} to {} dropped: no longer a recipient", item.sequence(), EscapeText(item.address()));
    counters_["mail.dropped"]++;
    if (Status s = store_.DeleteMail(item); !s.ok()) spdlog::error("{}", s.message());
    queue_.erase(next);
    return milliseconds(0);
  }
  auto digest = store_.FindDigest(item.sequence());
  if (!digest.ok()) {
    spdlog::error("mail: digest {} to {} given up: {}", item.sequence(), EscapeText(item.address()),
                  digest.status().message());
    counters_["mail.given_up"]++;
    if (Status s = store_.DeleteMail(item); !s.ok()) spdlog::error("{}", s.message());
    queue_.erase(next);
    return milliseconds(0);
  }
  auto job = std::make_unique<MailJob>();
  job->item = std::move(item);
  job->digest = std::move(*digest);
  worker_.Start(std::move(job));
  return cap;
}

void MailService::OnFinished(int64_t now) {
  if (auto job = worker_.Finished()) Record(*job, now);
}

void MailService::Record(MailJob& job, int64_t now) {
  storage::MailItem& item = job.item;
  const uint32_t attempt = item.attempts() + 1;
  const std::string to = EscapeText(item.address());
  if (job.outcome.ok()) {
    counters_["mail.sent"]++;
    spdlog::info("mail: digest {} to {} sent (attempt {}, {} bytes, {} ms)", item.sequence(), to, attempt, job.bytes,
                 job.millis);
    if (Status s = store_.DeleteMail(item); !s.ok()) spdlog::error("{}", s.message());
    queue_.erase(BrokerStore::MailKey(item));
    return;
  }
  counters_["mail.failed_attempts"]++;
  const std::string why = EscapeText(job.outcome.message());
  if (now - item.queued_unix() >= give_up_s_) {
    counters_["mail.given_up"]++;
    spdlog::error("mail: digest {} to {} given up after attempt {}, {} h after it was published: {}", item.sequence(),
                  to, attempt, (now - item.queued_unix()) / 3600, why);
    if (Status s = store_.DeleteMail(item); !s.ok()) spdlog::error("{}", s.message());
    queue_.erase(BrokerStore::MailKey(item));
    return;
  }
  item.set_attempts(attempt);
  item.set_next_unix(now + Backoff(attempt));
  item.set_last_error(job.outcome.message().substr(0, 300));
  spdlog::warn("mail: digest {} to {} failed (attempt {}), next attempt in {} s: {}", item.sequence(), to, attempt,
               item.next_unix() - now, why);
  if (Status s = store_.PutMail(item); !s.ok()) spdlog::error("{}", s.message());
  queue_[BrokerStore::MailKey(item)] = item;
}

}  // namespace signaal::broker
