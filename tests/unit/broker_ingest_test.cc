// Unit tests of the broker's ingest path: the group commit's decisions within
// one batch, the newest version kept per node, the packed ThemeTable, and the
// validator's cell checks and cached keys, and the digest worker thread.
#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <functional>

#include "broker_store.h"
#include "digest_worker.h"
#include "snapshot_validator.h"
#include "theme_table.h"
#include "signaal/keys.h"
#include "signaal/period.h"
#include "unit_support.h"

namespace signaal::broker {
namespace {

using test::TempFolder;

const ReferenceData& Ref() { return test::SourceReferenceData(); }

wire::SummarySnapshot Snapshot(const std::string& node, const std::string& period, uint64_t version,
                               uint32_t signals = 4) {
  wire::SummarySnapshot s;
  s.set_node_id(node);
  s.set_period(period);
  s.set_version(version);
  s.set_taxonomy_version(Ref().taxonomy_version());
  auto* c = s.add_cells();
  c->set_municipality("GM0917");
  c->set_theme("schulden");
  c->set_subtheme("schulden.schuldhulpverlening");
  c->set_signals(signals);
  c->set_persons(1);
  c->set_key_sum(0x9e3779b9u * signals);
  return s;
}

using Offer = BrokerStore::Offer;

TEST(GroupCommit, DecidesABatchAsOneByOneAndStoresOnlyTheNewest) {
  // Two versions of one (node, week) in a batch, retries and replays among them.
  std::vector<wire::SummarySnapshot> batch = {
      Snapshot("a", "2026-W40", 3, 8),  Snapshot("a", "2026-W40", 3, 8),  // stored, then a retry
      Snapshot("a", "2026-W40", 2, 50),                                   // older than the batch's own
      Snapshot("a", "2026-W40", 5, 11),                                   // a correction
      Snapshot("a", "2026-W40", 5, 99),                                   // same number, other cells
      Snapshot("a", "2026-W40", 4, 7),  Snapshot("a", "2026-W41", 1, 2), Snapshot("b", "2026-W40", 9, 3),
  };
  TempFolder one, many;
  auto single = std::move(*BrokerStore::Open(one.path()));
  std::vector<Offer> expected;
  for (const auto& s : batch) expected.push_back(*single->OfferSnapshot(s));
  ASSERT_EQ(expected, (std::vector<Offer>{Offer::kStored, Offer::kDuplicate, Offer::kStale, Offer::kStored,
                                          Offer::kStale, Offer::kStale, Offer::kStored, Offer::kStored}));
  {
    auto store = std::move(*BrokerStore::Open(many.path()));
    EXPECT_EQ(store->NewestVersion("a"), 0u);  // asked before: the cached answer must follow the batch
    std::vector<const wire::SummarySnapshot*> ptrs;
    for (const auto& s : batch) ptrs.push_back(&s);
    auto results = store->OfferSnapshots(ptrs);
    ASSERT_TRUE(results.ok()) << results.status().message();
    std::vector<Offer> got;
    for (const auto& r : *results) got.push_back(r.offer);
    EXPECT_EQ(got, expected);
    // A stale one's Nack names the version it lost against when it was decided.
    EXPECT_EQ((*results)[2].stored_version, 3u);
    EXPECT_EQ((*results)[4].stored_version, 5u);
    EXPECT_EQ((*results)[5].stored_version, 5u);
    EXPECT_EQ(store->NewestVersion("a"), 5u);
    EXPECT_EQ(store->NewestVersion("b"), 9u);
    // A retry of the batch's winner in the next batch is a duplicate.
    EXPECT_EQ(*store->OfferSnapshot(Snapshot("a", "2026-W40", 5, 11)), Offer::kDuplicate);
  }
  auto reopened = std::move(*BrokerStore::Open(many.path()));
  std::map<std::string, std::pair<uint64_t, uint32_t>> held;
  reopened->ForEachSnapshot([&](const wire::SummarySnapshot& s) {
    held[s.node_id() + "/" + s.period()] = {s.version(), s.cells(0).signals()};
  });
  EXPECT_EQ(held, (std::map<std::string, std::pair<uint64_t, uint32_t>>{
                      {"a/2026-W40", {5, 11}}, {"a/2026-W41", {1, 2}}, {"b/2026-W40", {9, 3}}}));
  EXPECT_EQ(reopened->NewestVersion("a"), 5u);
}

TEST(ThemeTable, PackedCellsAggregateAsTheSnapshotsSay) {
  ThemeTable table(Ref());
  auto s = Snapshot("n1", "2026-W40", 1, 4);
  // Same codes, other age band: one cell for the aggregates.
  auto* c = s.add_cells();
  *c = s.cells(0);
  c->set_age_band("18-26");
  c->set_signals(6);
  c->set_persons(2);
  auto* other = s.add_cells();
  other->set_municipality("GM0935");  // Maastricht: outside the set asked below
  other->set_theme("werk");
  other->set_signals(5);
  other->set_persons(5);
  table.Put(s);
  table.Put(Snapshot("n0", "2026-W40", 1, 3));
  table.Put(Snapshot("n0", "2026-W41", 1, 2));
  table.Put(Snapshot("n0", "2026-W41", 2, 1));  // replaces, never adds
  EXPECT_EQ(table.snapshot_count(), 3u);
  EXPECT_EQ(table.LatestPeriod("n0"), "2026-W41");
  EXPECT_EQ(table.LatestPeriod("n1"), "2026-W40");
  EXPECT_EQ(table.LatestPeriod("nobody"), "");

  auto t = table.AggregateIn({"GM0917"}, {"2026-W40", "2026-W41"});
  ASSERT_EQ(t.size(), 3u);  // "", schulden, its subtheme; werk lies outside
  for (const char* code : {"", "schulden", "schulden.schuldhulpverlening"}) {
    EXPECT_EQ(t[code].signals, 4u + 6 + 3 + 1) << code;
    EXPECT_EQ(t[code].persons, 1u + 2 + 1 + 1) << code;
    EXPECT_EQ(t[code].organisations, (std::set<std::string>{"n0", "n1"})) << code;
  }
  auto both = table.AggregateIn({"GM0917", "GM0935"}, {"2026-W40"});
  EXPECT_EQ(both["werk"].signals, 5u);
  EXPECT_EQ(both["werk"].organisations, std::set<std::string>{"n1"});
  EXPECT_EQ(both[""].signals, 4u + 6 + 5 + 3);
  EXPECT_TRUE(table.AggregateIn({"GM0917"}, {"2026-W39"}).empty());
  EXPECT_TRUE(table.AggregateIn({"GM9999"}, {"2026-W40"}).empty());
}

// The digest worker reads a copy while the loop goes on putting snapshots:
// neither side may see the other's changes, in a week both hold or a new one.
TEST(ThemeTable, ACopyKeepsItsWeeksWhileTheOriginalChanges) {
  ThemeTable table(Ref());
  table.Put(Snapshot("n0", "2026-W40", 1, 3));
  table.Put(Snapshot("n1", "2026-W40", 1, 4));
  table.Put(Snapshot("n0", "2026-W41", 1, 2));
  auto copy = std::make_unique<ThemeTable>(table);
  auto signals = [](const ThemeTable& t, const char* week) { return t.AggregateIn({"GM0917"}, {week})[""].signals; };

  table.Put(Snapshot("n0", "2026-W40", 2, 30));  // replaces a cell both hold
  table.Put(Snapshot("n2", "2026-W40", 1, 5));   // a node the copy never saw
  table.Put(Snapshot("n0", "2026-W42", 1, 7));   // a week the copy never saw
  EXPECT_EQ(signals(table, "2026-W40"), 30u + 4 + 5);
  EXPECT_EQ(signals(*copy, "2026-W40"), 3u + 4);
  EXPECT_EQ(signals(*copy, "2026-W42"), 0u);
  EXPECT_EQ(copy->snapshot_count(), 3u);
  EXPECT_EQ(copy->LatestPeriod("n0"), "2026-W41");
  EXPECT_EQ(table.LatestPeriod("n0"), "2026-W42");

  copy->Put(Snapshot("n1", "2026-W41", 1, 9));  // and the other way round
  EXPECT_EQ(signals(table, "2026-W41"), 2u);
  EXPECT_EQ(signals(*copy, "2026-W41"), 2u + 9);

  // The week left unshared once the copy is gone is changed in place, and right.
  copy.reset();
  table.Put(Snapshot("n1", "2026-W41", 1, 6));
  EXPECT_EQ(signals(table, "2026-W41"), 2u + 6);
  EXPECT_EQ(table.AggregateIn({"GM0917"}, {"2026-W41"})[""].organisations, (std::set<std::string>{"n0", "n1"}));
}

class CellCheck : public ::testing::Test {
 protected:
  void SetUp() override {
    keys_ = GenerateSigningKeyPair();
    node_.set_id("n1");
    node_.set_role(wire::ROLE_NODE);
    node_.set_sign_public_key(keys_.public_hex);
  }
  wire::SignedEnvelope Sign(const wire::SummarySnapshot& s, const SigningKeyPair& k) const {
    wire::SignedEnvelope env;
    env.set_payload(s.SerializeAsString());
    env.set_signature(*signaal::Sign(k, env.payload()));
    env.set_key_id(KeyId(k.public_hex));
    return env;
  }
  // A snapshot of this week with cells of the given themes (GM0917, no subtheme).
  wire::SummarySnapshot WithThemes(const std::vector<std::string>& themes) const {
    auto s = Snapshot("n1", IsoWeekOf(Today()), 1);
    s.clear_cells();
    for (const auto& t : themes) {
      auto* c = s.add_cells();
      c->set_municipality("GM0917");
      c->set_theme(t);
      c->set_signals(2);
      c->set_persons(1);
      c->set_key_sum(7);
    }
    return s;
  }
  bool Check(const wire::SummarySnapshot& s, Refusal& r) const {
    wire::SummarySnapshot out;
    return validator_.Check(Sign(s, keys_), node_, std::time(nullptr), out, r);
  }
  SigningKeyPair keys_;
  wire::Principal node_;
  SnapshotValidator validator_{Ref()};
};

TEST_F(CellCheck, ARegionalBrokersCellsNameTheirPartnersAndStayInItsRegion) {
  Refusal r;
  // A node's cell with partners: only a regional broker sends them.
  auto s = WithThemes({"schulden"});
  s.mutable_cells(0)->add_partners()->set_token(1);
  EXPECT_FALSE(Check(s, r));
  EXPECT_EQ(r.reason, "invalid-snapshot") << r.detail;

  node_.set_role(wire::ROLE_BROKER);
  node_.add_regions("parkstad");
  s = WithThemes({"schulden", "werk"});
  auto partner = [](wire::SummaryCell* c, uint64_t token, bool open, bool dealt_with) {
    auto* p = c->add_partners();
    p->set_token(token);
    p->set_has_open(open);
    p->set_has_dealt_with(dealt_with);
  };
  for (auto& c : *s.mutable_cells()) {
    c.set_open(1);
    c.set_open_key_sum(3);
    partner(&c, 5, true, false);
    partner(&c, 9, false, true);
  }
  EXPECT_TRUE(Check(s, r)) << r.detail;
  // Each shape of a bad cell, refused with the cell named.
  auto bad = [&](const std::function<void(wire::SummaryCell&)>& change, const std::string& reason) {
    auto t = s;
    change(*t.mutable_cells(1));
    Refusal refusal;
    EXPECT_FALSE(Check(t, refusal)) << reason;
    EXPECT_EQ(refusal.reason, reason) << refusal.detail;
    EXPECT_EQ(refusal.detail.rfind("cell 1: ", 0), 0u) << refusal.detail;
  };
  bad([](wire::SummaryCell& c) { c.clear_partners(); }, "invalid-partners");
  bad([&](wire::SummaryCell& c) { partner(&c, 12, false, true); }, "invalid-partners");   // 3 partners, 2 signals
  bad([](wire::SummaryCell& c) { c.mutable_partners(1)->set_token(5); }, "invalid-partners");  // a token twice
  bad([](wire::SummaryCell& c) { c.mutable_partners(1)->set_token(2); }, "invalid-partners");  // not sorted
  bad([](wire::SummaryCell& c) { c.mutable_partners(0)->set_has_open(false); }, "invalid-partners");  // open, none marked
  bad([](wire::SummaryCell& c) { c.mutable_partners(0)->set_has_dealt_with(true); c.set_open(2); },
      "invalid-partners");  // all open, yet one marked dealt-with
  bad([](wire::SummaryCell& c) { c.set_age_band("18-26"); }, "invalid-partners");
  bad([](wire::SummaryCell& c) { c.set_municipality("GM0935"); }, "outside-area");  // Maastricht: not Parkstad
  s.mutable_cells(1)->clear_open();
  s.mutable_cells(1)->clear_open_key_sum();
  EXPECT_FALSE(Check(s, r));  // marks without an open count
  EXPECT_EQ(r.reason, "invalid-partners");
}

TEST_F(CellCheck, NamesTheFirstRepeatedOrBadCell) {
  Refusal r;
  EXPECT_TRUE(Check(WithThemes({"schulden", "werk", "wonen"}), r)) << r.detail;
  EXPECT_FALSE(Check(WithThemes({"werk", "schulden", "wonen", "schulden", "werk"}), r));
  EXPECT_EQ(r.reason, "invalid-snapshot");
  EXPECT_EQ(r.detail, "cell 3: the same cell appears twice");
  EXPECT_FALSE(Check(WithThemes({"werk", "werk", "nonsense"}), r));
  EXPECT_EQ(r.detail, "cell 1: the same cell appears twice");
  EXPECT_FALSE(Check(WithThemes({"werk", "nonsense", "werk"}), r));
  EXPECT_EQ(r.reason, "unknown-code");
  EXPECT_EQ(r.detail, "cell 1: unknown theme 'nonsense'");
  // Cells differing only in age band or channel are different cells.
  auto s = WithThemes({"werk", "werk"});
  s.mutable_cells(1)->set_channel("helpdesk");
  EXPECT_TRUE(Check(s, r)) << r.detail;
  s.mutable_cells(1)->set_channel("carrier-pigeon");
  EXPECT_FALSE(Check(s, r));
  EXPECT_EQ(r.detail, "cell 1: unknown channel 'carrier-pigeon'");
  // A subtheme is checked against its own theme.
  auto sub = WithThemes({"werk"});
  sub.mutable_cells(0)->set_subtheme("schulden.schuldhulpverlening");
  EXPECT_FALSE(Check(sub, r));
  EXPECT_EQ(r.reason, "unknown-code");
}

TEST_F(CellCheck, AReEnrolledKeyReplacesTheCachedOne) {
  Refusal r;
  auto s = WithThemes({"werk"});
  EXPECT_TRUE(Check(s, r)) << r.detail;
  auto old_keys = keys_;
  keys_ = GenerateSigningKeyPair();
  node_.set_sign_public_key(keys_.public_hex);
  EXPECT_TRUE(Check(s, r)) << r.detail;
  wire::SummarySnapshot out;
  EXPECT_FALSE(validator_.Check(Sign(s, old_keys), node_, std::time(nullptr), out, r));
  EXPECT_EQ(r.reason, "unknown-signing-key");
}

TEST(DigestWorker, BuildsFromItsCopyWhatTheLoopWouldHaveBuilt) {
  ThemeTable table(Ref());
  std::string week = IsoWeekOf(Today());
  for (int n = 0; n < 6; ++n) table.Put(Snapshot("n" + std::to_string(n), week, 1, 3 + n));
  DisclosurePolicy policy(5, 2, *PTable::Make(2, 1.0));
  auto expected = DigestBuilder(Ref(), table, policy).Build("GM0917", week, 1000, DigestBuilder::Context::kFull);
  ASSERT_TRUE(expected.ok()) << expected.status().message();

  zmq::context_t ctx(1);
  DigestWorker worker(ctx, Ref(), policy);
  for (const char* period : {week.c_str(), "1999-W99"}) {
    auto job = std::make_unique<DigestJob>();
    job->region = "GM0917";
    job->period = period;
    job->now = 1000;
    job->table = std::make_unique<ThemeTable>(table);
    worker.Start(std::move(job));
    EXPECT_TRUE(worker.busy());
    table.Put(Snapshot("n9", week, 1, 50));  // the loop goes on; the copy does not change
    zmq::pollitem_t item{worker.socket().handle(), 0, ZMQ_POLLIN, 0};
    ASSERT_EQ(zmq::poll(&item, 1, std::chrono::milliseconds(30000)), 1);
    auto done = worker.Finished();
    ASSERT_TRUE(done);
    EXPECT_FALSE(worker.busy());
    if (std::string(period) == week) {
      ASSERT_TRUE(done->result.ok()) << done->result.status().message();
      EXPECT_EQ(done->result->SerializeAsString(), expected->SerializeAsString());
      // Handed back, to be freed on the loop's thread: the worker never
      // changes the table's shared weeks' owner counts (digest_worker.h).
      EXPECT_NE(done->table, nullptr) << "the worker handed back its snapshot";
    } else {
      EXPECT_FALSE(done->result.ok());
    }
  }
}

// The hand-over of finding 12 (issue 15), for ThreadSanitizer
// (deploy/test.sh --tsan): the worker reads a snapshot of the table while
// the loop goes on; once the job is back, the loop changes the same week in
// place (use_count() is 1 again). That write must happen after the worker's
// last read of the week, visibly: when the worker freed the copy on its own
// thread and the job came back as a pointer through libzmq, TSan reported
// the write in Put against the worker's read in ReadGrid.
TEST(DigestWorker, TheLoopChangesAWeekInPlaceOnlyAfterItsSnapshotIsBack) {
  ThemeTable table(Ref());
  const std::string week = IsoWeekOf(Today());
  for (int n = 0; n < 6; ++n) table.Put(Snapshot("n" + std::to_string(n), week, 1, 3 + n));
  DisclosurePolicy policy(5, 2, *PTable::Make(2, 1.0));
  zmq::context_t ctx(1);
  DigestWorker worker(ctx, Ref(), policy);
  for (uint64_t version = 2; version < 40; ++version) {
    auto job = std::make_unique<DigestJob>();
    job->region = "GM0917";
    job->period = week;
    job->now = 1000;
    job->table = std::make_unique<ThemeTable>(table);
    worker.Start(std::move(job));
    zmq::pollitem_t item{worker.socket().handle(), 0, ZMQ_POLLIN, 0};
    ASSERT_EQ(zmq::poll(&item, 1, std::chrono::milliseconds(30000)), 1);
    auto done = worker.Finished();
    ASSERT_TRUE(done);
    ASSERT_TRUE(done->result.ok()) << done->result.status().message();
    done.reset();  // the snapshot freed here, on the loop's thread
    table.Put(Snapshot("n0", week, version, 3 + static_cast<uint32_t>(version)));  // in place now
  }
}

}  // namespace
}  // namespace signaal::broker
