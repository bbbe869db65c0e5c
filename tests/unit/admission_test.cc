// Unit tests of what one peer may ask of the broker (issue 15, findings 1
// and 2): Admission's per-subscriber limits, the Subscribe filter's bound,
// and the DigestService's two lanes — subscriber load never refuses or
// holds up an administrator's or the schedule's digest, subscribers take
// turns, and the fetches of a closed connection are dropped.
#include <gtest/gtest.h>

#include <chrono>

#include "admission.h"
#include "broker_store.h"
#include "digest_service.h"
#include "signaal/period.h"
#include "unit_support.h"

namespace signaal::broker {
namespace {

using test::TempFolder;

const ReferenceData& Ref() { return test::SourceReferenceData(); }

TEST(Admission, LimitsFetchesQueuedAtOnceByPrincipal) {
  Admission a({2, 100});
  EXPECT_TRUE(a.Admit("s1", 0, 1000).ok());
  EXPECT_TRUE(a.Admit("s1", 1, 1000).ok());
  Status s = a.Admit("s1", 2, 1000);
  EXPECT_EQ(s.code(), Code::kRefused);
  EXPECT_NE(s.message().find("at most 2 at once"), std::string::npos) << s.message();
  // Another subscriber is not affected.
  EXPECT_TRUE(a.Admit("s2", 0, 1000).ok());
}

TEST(Admission, LimitsFetchesPerHourInASlidingWindow) {
  Admission a({8, 3});
  EXPECT_TRUE(a.Admit("s1", 0, 1000).ok());
  EXPECT_TRUE(a.Admit("s1", 0, 1100).ok());
  EXPECT_TRUE(a.Admit("s1", 0, 1200).ok());
  Status s = a.Admit("s1", 0, 1300);
  EXPECT_EQ(s.code(), Code::kRefused);
  EXPECT_NE(s.message().find("ask again in 55 min"), std::string::npos) << s.message();
  EXPECT_FALSE(a.Admit("s1", 0, 4599).ok()) << "the first is not an hour old yet";
  EXPECT_TRUE(a.Admit("s1", 0, 4600).ok()) << "the first has left the window";
  EXPECT_FALSE(a.Admit("s1", 0, 4600).ok());
  EXPECT_TRUE(a.Admit("s2", 0, 4600).ok());
}

TEST(Admission, ARefusedFetchIsNotCounted) {
  Admission a({1, 2});
  EXPECT_TRUE(a.Admit("s1", 0, 1000).ok());
  for (int i = 0; i < 50; ++i) EXPECT_FALSE(a.Admit("s1", 1, 1000).ok());  // refused while one waits
  EXPECT_TRUE(a.Admit("s1", 0, 1001).ok()) << "the refused ones used up the hour";
}

TEST(SubscribeFilter, IsDeduplicatedAndBoundedByTheRegionsThereAre) {
  wire::Subscribe req;
  for (int i = 0; i < 5; ++i) {
    req.add_regions("GM0917");
    req.add_regions("parkstad");
  }
  auto f = SubscribeFilter(Ref(), req);
  ASSERT_TRUE(f.ok()) << f.status().message();
  EXPECT_EQ(*f, (std::vector<std::string>{"GM0917", "parkstad"}));

  // What the filer sent: one code 500,000 times (here as many as it takes).
  wire::Subscribe big;
  for (size_t i = 0; i <= Ref().RegionCodes().size(); ++i) big.add_regions("GM0917");
  auto refused = SubscribeFilter(Ref(), big);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Code::kRefused);

  wire::Subscribe unknown;
  unknown.add_regions(std::string(100000, 'x'));
  auto u = SubscribeFilter(Ref(), unknown);
  ASSERT_FALSE(u.ok());
  EXPECT_EQ(u.status().code(), Code::kUsage);
  EXPECT_LT(u.status().message().size(), 200u) << "a peer's long code is not echoed whole";
}

class Lanes : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = BrokerStore::Open(dir_.path() + "/store");
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(*store);
    service_ = std::make_unique<DigestService>(ctx_, Ref(), policy_, *store_, table_);
  }

  static std::unique_ptr<DigestJob> Job(DigestJob::Kind kind, const std::string& requester, int fd = -1,
                                        int64_t scheduled_run = 0) {
    auto job = std::make_unique<DigestJob>();
    job->kind = kind;
    job->requester = requester;
    job->region = "GM0917";
    job->period = IsoWeekOf(Today());
    job->source_fd = fd;
    job->scheduled_run = scheduled_run;
    job->now = 1000;
    return job;
  }

  // The next finished job's requester, in the order the worker built them.
  std::string Next() {
    zmq::pollitem_t item{service_->socket().handle(), 0, ZMQ_POLLIN, 0};
    if (zmq::poll(&item, 1, std::chrono::milliseconds(30000)) != 1) return "(none)";
    auto job = service_->Finish();
    if (!job) return "(empty)";
    EXPECT_EQ(job->table, nullptr) << "the snapshot is freed on the loop's thread, in Finish";
    return job->requester;
  }

  TempFolder dir_;
  zmq::context_t ctx_{1};
  ThemeTable table_{Ref()};
  DisclosurePolicy policy_{5, 2, *PTable::Make(2, 1.0)};
  std::unique_ptr<BrokerStore> store_;
  std::unique_ptr<DigestService> service_;
};

TEST_F(Lanes, SubscriberLoadNeverRefusesOrOvertakesAdministratorsAndTheSchedule) {
  ASSERT_TRUE(service_->Queue(Job(DigestJob::Kind::kFetch, "running")).ok());  // the worker's, at once
  for (size_t i = 0; i < DigestService::kMaxQueued; ++i) {
    ASSERT_TRUE(service_->Queue(Job(DigestJob::Kind::kFetch, "sub" + std::to_string(i))).ok());
  }
  EXPECT_TRUE(service_->Full(DigestJob::Kind::kFetch));
  EXPECT_EQ(service_->Queue(Job(DigestJob::Kind::kFetch, "late")).code(), Code::kUnreachable);
  // The subscribers' lane is full; the administrators' is not.
  EXPECT_FALSE(service_->Full(DigestJob::Kind::kPublish));
  EXPECT_TRUE(service_->Queue(Job(DigestJob::Kind::kPublish, "admin")).ok());
  EXPECT_TRUE(service_->Queue(Job(DigestJob::Kind::kPublish, "schedule", -1, 77)).ok());
  EXPECT_TRUE(service_->RunPending(77));
  EXPECT_EQ(service_->building(), DigestService::kMaxQueued + 3);

  // Administrators and the schedule come right after the build running.
  EXPECT_EQ(Next(), "running");
  EXPECT_EQ(Next(), "admin");
  EXPECT_EQ(Next(), "schedule");
  EXPECT_FALSE(service_->RunPending(77));
  for (size_t i = 0; i < DigestService::kMaxQueued; ++i) EXPECT_EQ(Next(), "sub" + std::to_string(i));
  EXPECT_EQ(service_->building(), 0u);
}

TEST_F(Lanes, TheAdministratorsLaneHasABoundOfItsOwnButNotTheSchedule) {
  ASSERT_TRUE(service_->Queue(Job(DigestJob::Kind::kPublish, "running")).ok());
  for (size_t i = 0; i < DigestService::kMaxQueued; ++i) {
    ASSERT_TRUE(service_->Queue(Job(DigestJob::Kind::kPublish, "admin")).ok());
  }
  EXPECT_TRUE(service_->Full(DigestJob::Kind::kRiskReport));
  EXPECT_EQ(service_->Queue(Job(DigestJob::Kind::kPublish, "admin")).code(), Code::kUnreachable);
  EXPECT_TRUE(service_->Queue(Job(DigestJob::Kind::kPublish, "schedule", -1, 5)).ok());
  EXPECT_FALSE(service_->Full(DigestJob::Kind::kFetch)) << "subscribers have a lane of their own";
  for (size_t i = 0; i < DigestService::kMaxQueued + 2; ++i) EXPECT_NE(Next(), "(none)");
}

TEST_F(Lanes, SubscribersTakeTurnsAndEachIsCountedAlone) {
  ASSERT_TRUE(service_->Queue(Job(DigestJob::Kind::kFetch, "x")).ok());
  ASSERT_TRUE(service_->Queue(Job(DigestJob::Kind::kFetch, "a")).ok());
  ASSERT_TRUE(service_->Queue(Job(DigestJob::Kind::kFetch, "a")).ok());
  ASSERT_TRUE(service_->Queue(Job(DigestJob::Kind::kFetch, "b")).ok());
  EXPECT_EQ(service_->QueuedFor("x"), 1u) << "the one being built counts";
  EXPECT_EQ(service_->QueuedFor("a"), 2u);
  EXPECT_EQ(service_->QueuedFor("b"), 1u);
  EXPECT_EQ(service_->QueuedFor("admin"), 0u);
  EXPECT_EQ(Next(), "x");
  EXPECT_EQ(Next(), "a");
  EXPECT_EQ(Next(), "b") << "b's turn before a's second";
  EXPECT_EQ(Next(), "a");
}

TEST_F(Lanes, TheFetchesOfAClosedConnectionAreDropped) {
  ASSERT_TRUE(service_->Queue(Job(DigestJob::Kind::kFetch, "running", 3)).ok());
  ASSERT_TRUE(service_->Queue(Job(DigestJob::Kind::kFetch, "gone", 7)).ok());
  ASSERT_TRUE(service_->Queue(Job(DigestJob::Kind::kFetch, "gone", 7)).ok());
  ASSERT_TRUE(service_->Queue(Job(DigestJob::Kind::kFetch, "stays", 8)).ok());
  ASSERT_TRUE(service_->Queue(Job(DigestJob::Kind::kPublish, "admin", 7)).ok());
  EXPECT_EQ(service_->DropFetchesFrom(-1), 0u);
  EXPECT_EQ(service_->DropFetchesFrom(7), 2u);
  EXPECT_EQ(service_->QueuedFor("gone"), 0u);
  EXPECT_EQ(Next(), "running");
  EXPECT_EQ(Next(), "admin") << "only fetches are dropped: a publish is delivered to everyone";
  EXPECT_EQ(Next(), "stays");
  EXPECT_EQ(service_->building(), 0u);
}

}  // namespace
}  // namespace signaal::broker
