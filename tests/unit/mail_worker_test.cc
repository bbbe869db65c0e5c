// The broker's mail queue and its worker, without a broker: a mail crosses
// to the worker and back through the slot (ThreadSanitizer watches this in
// the TSan pass), a failure is kept in the store with its next attempt, a
// mail is given up after give_up_hours, and the queue survives a reopen.
// The SMTP server is a loopback port nobody listens on: every send fails
// fast with "couldn't connect".
#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <thread>

#include <zmq.hpp>

#include "broker_store.h"
#include "mail_service.h"
#include "unit_support.h"

namespace signaal::broker {
namespace {

using test::TempFolder;
using namespace std::chrono_literals;

BrokerConfig MailConfig(int give_up_hours = 72) {
  BrokerConfig c;
  c.mail_from = "digests@signaal.example.org";
  c.mail_smtp_url = "smtp://127.0.0.1:1";  // refused at once
  c.mail_retry_first_s = 60;
  c.mail_retry_max_s = 3600;
  c.mail_give_up_hours = give_up_hours;
  c.mail_timeout_s = 5;
  return c;
}

wire::Digest SmallDigest() {
  wire::Digest d;
  d.set_region("parkstad");
  d.set_region_name("Parkstad");
  d.set_period("2026-W41");
  d.set_from_week("2026-W41");
  d.set_to_week("2026-W41");
  d.mutable_total()->set_signals(12);
  return d;
}

storage::MailItem Item(const std::string& address, int64_t queued) {
  storage::MailItem m;
  m.set_subscriber("adviesraad-parkstad");
  m.set_address(address);
  m.set_queued_unix(queued);
  m.set_next_unix(queued);
  return m;
}

// Runs the loop's side until the worker's doorbell rang and the outcome is recorded.
void RunOnce(MailService& mail, int64_t now) {
  auto wait = mail.Tick(now, [](const storage::MailItem&) { return true; }, 200ms);
  (void)wait;
  zmq::pollitem_t item{mail.socket().handle(), 0, ZMQ_POLLIN, 0};
  ASSERT_EQ(zmq::poll(&item, 1, std::chrono::milliseconds(20000)), 1) << "the worker never rang";
  mail.OnFinished(now);
}

TEST(MailQueue, AFailedMailStaysQueuedWithItsNextAttempt) {
  TempFolder dir;
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  {
    auto store = BrokerStore::Open(dir.path());
    ASSERT_TRUE(store.ok());
    wire::Digest d = SmallDigest();
    std::vector<storage::MailItem> mail = {Item("raad@example.nl", now), Item("secretaris@example.nl", now)};
    ASSERT_TRUE((*store)->AppendDigest(d, "", &mail).ok());
    EXPECT_EQ(mail[0].sequence(), 1u);  // numbered with the digest, in the same write
    zmq::context_t ctx(1);
    Counters counters;
    auto sender = MailService::SenderFromConfig(MailConfig());
    ASSERT_TRUE(sender.ok()) << sender.status().message();
    MailService service(ctx, MailConfig(), *sender, **store, counters);
    EXPECT_EQ(service.queued(), 2u);
    ASSERT_NO_FATAL_FAILURE(RunOnce(service, now));
    EXPECT_EQ(counters["mail.failed_attempts"], 1u);
    EXPECT_EQ(counters["mail.sent"], 0u);
    EXPECT_EQ(service.queued(), 2u);
    // The other is due now, the failed one only in a minute.
    ASSERT_NO_FATAL_FAILURE(RunOnce(service, now));
    EXPECT_EQ(counters["mail.failed_attempts"], 2u);
    EXPECT_GT(service.Tick(now, [](const storage::MailItem&) { return true; }, 200ms).count(), 0);
  }
  // Reopened, as after a restart: both are there, each with its attempt.
  auto store = BrokerStore::Open(dir.path());
  ASSERT_TRUE(store.ok());
  size_t damaged = 0;
  auto queued = (*store)->AllMail(&damaged);
  ASSERT_EQ(queued.size(), 2u);
  EXPECT_EQ(damaged, 0u);
  for (const auto& m : queued) {
    EXPECT_EQ(m.attempts(), 1u);
    EXPECT_EQ(m.next_unix(), now + 60);
    EXPECT_NE(m.last_error().find("SMTP"), std::string::npos) << m.last_error();
  }
}

TEST(MailQueue, AMailIsGivenUpAfterGiveUpHoursAndADroppedOneLeaves) {
  TempFolder dir;
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  auto store = BrokerStore::Open(dir.path());
  ASSERT_TRUE(store.ok());
  wire::Digest d = SmallDigest();
  std::vector<storage::MailItem> mail = {Item("raad@example.nl", now - 2 * 3600), Item("oud@example.nl", now)};
  ASSERT_TRUE((*store)->AppendDigest(d, "", &mail).ok());
  zmq::context_t ctx(1);
  Counters counters;
  auto sender = MailService::SenderFromConfig(MailConfig(1));
  ASSERT_TRUE(sender.ok());
  MailService service(ctx, MailConfig(1), *sender, **store, counters);
  // oud@ was removed from the subscriber: dropped when its turn comes.
  auto wanted = [](const storage::MailItem& m) { return m.address() != "oud@example.nl"; };
  for (int i = 0; i < 3 && service.queued() > 0; ++i) {
    if (service.Tick(now, wanted, 200ms).count() == 0) continue;  // dropped: nothing was sent
    zmq::pollitem_t item{service.socket().handle(), 0, ZMQ_POLLIN, 0};
    if (zmq::poll(&item, 1, std::chrono::milliseconds(20000)) == 1) service.OnFinished(now);
  }
  EXPECT_EQ(service.queued(), 0u);
  EXPECT_EQ(counters["mail.given_up"], 1u);
  EXPECT_EQ(counters["mail.dropped"], 1u);
  size_t damaged = 0;
  EXPECT_TRUE((*store)->AllMail(&damaged).empty());
}

TEST(MailQueue, TheSenderIsCheckedFromTheConfig) {
  BrokerConfig c = MailConfig();
  c.mail_username = "signaal";
  auto s = MailService::SenderFromConfig(c);  // a password over an unencrypted link: refused
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("starttls"), std::string::npos) << s.status().message();
  c.mail_starttls = "required";
  s = MailService::SenderFromConfig(c);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("password_file"), std::string::npos) << s.status().message();
  c = MailConfig();
  c.mail_from = "digests@localhost";
  EXPECT_FALSE(MailService::SenderFromConfig(c).ok());
  c = MailConfig();
  c.mail_smtp_url = "http://example.org/";
  EXPECT_FALSE(MailService::SenderFromConfig(c).ok());
  c = MailConfig();
  c.mail_from_name = "Signaalnet\r\nBcc: spy@example.org";
  EXPECT_FALSE(MailService::SenderFromConfig(c).ok());
  c = MailConfig();
  c.mail_starttls = "maybe";
  EXPECT_FALSE(MailService::SenderFromConfig(c).ok());
}

}  // namespace
}  // namespace signaal::broker
