// The StoreWorker runs an import on its own thread while this thread does
// what the daemon's loop may do meanwhile (the rule in store_jobs.h): read the
// counts, the dirty weeks, the outbox and the job's progress, and take an ack.
// Built with -fsanitize=thread it checks that nothing else is shared.
#include <gtest/gtest.h>

#include <ctime>
#include <memory>

#include <zmq.hpp>

#include "outbox.h"
#include "signal_store.h"
#include "store_worker.h"
#include "signaal/keys.h"
#include "unit_support.h"

namespace signaal::node {
namespace {

const ReferenceData& Ref() { return test::SourceReferenceData(); }

TEST(StoreWorker, ImportRunsBesideTheLoopsReadsAndAcks) {
  test::TempFolder dir;
  auto opened = SignalStore::Open(dir.path(), "secret-for-tests", std::string(32, 'k'));
  ASSERT_TRUE(opened.ok()) << opened.status().message();
  SignalStore& store = **opened;
  NodeConfig config;
  config.id = "spreekuur-test";
  config.type = "spreekuur";
  config.data_dir = dir.path();
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  Outbox outbox(store, Ref(), config.id, GenerateSigningKeyPair(), 3650, 1);

  // One week in the outbox, to be acked while the import runs.
  wire::SignalInput in;
  in.set_date("2026-10-05");
  in.set_municipality("GM0917");
  in.set_theme("schulden");
  auto one = ValidateSignal(in, Ref(), config.type, DateFromUnix(now));
  ASSERT_TRUE(store.Add({std::get<ValidatedSignal>(one)}, now).ok());
  auto published = outbox.Publish(now);
  ASSERT_TRUE(published.ok());
  ASSERT_EQ(outbox.depth(), 1u);
  const std::string week = published->front();
  const uint64_t version = store.PendingVersions()->at(week);

  constexpr int kRows = 40000;
  std::string csv = "date,municipality,theme,person,text\n";
  for (int i = 0; i < kRows; ++i) {
    csv += "2026-10-0" + std::to_string(1 + i % 9) + ",GM0917,schulden,ref-" + std::to_string(i % 500) +
           ",wachttijd\n";
  }
  auto job = std::make_unique<StoreJob>();
  job->request.mutable_import_csv()->set_file_name("large.csv");
  job->request.mutable_import_csv()->set_content(std::move(csv));
  job->now = now;

  zmq::context_t ctx(1);
  StoreWorker worker(ctx, config, Ref(), store);
  outbox.Hold(true);
  worker.Start(std::move(job), now);
  EXPECT_TRUE(worker.busy());
  EXPECT_EQ(worker.what(), "import large.csv");

  std::unique_ptr<StoreJob> done;
  int turns = 0;
  uint64_t seen_rows = 0;
  while (!done) {
    zmq::pollitem_t items[] = {{worker.socket().handle(), 0, ZMQ_POLLIN, 0}};
    zmq::poll(items, 1, std::chrono::milliseconds(1));
    if (items[0].revents & ZMQ_POLLIN) done = worker.Finished();
    // The loop's share: reads, and the outbox side.
    uint64_t count = store.CountSignals();
    EXPECT_TRUE(count == 1 || count == 1 + kRows) << count;
    (void)store.DirtyPeriods();
    (void)store.LastFailure();
    (void)store.last_version();
    seen_rows = std::max(seen_rows, worker.progress().rows.load());
    if (turns++ == 0) outbox.OnAck(week, version);
  }
  outbox.Hold(false);

  ASSERT_TRUE(done->response.ok()) << done->response.error();
  EXPECT_EQ(done->response.import_result().imported(), static_cast<uint32_t>(kRows));
  EXPECT_EQ(store.CountSignals(), 1u + kRows);
  EXPECT_EQ(outbox.depth(), 0u) << "the ack taken during the job was lost";
  EXPECT_FALSE(worker.busy());
  EXPECT_GT(turns, 1);
  EXPECT_LE(seen_rows, static_cast<uint64_t>(kRows));
  // The weeks the import touched are dirty, and publishing after it sends them.
  auto after = outbox.Publish(now);
  ASSERT_TRUE(after.ok());
  EXPECT_FALSE(after->empty());
}

}  // namespace
}  // namespace signaal::node
