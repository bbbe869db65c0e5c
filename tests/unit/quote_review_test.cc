// The node's quote review queue in its store (SignalStore, q/ qs/ qr/): a
// consented quote enters scrubbed and sealed with its signal, decisions move
// it as the coordinator's commands say, only approved and unrefused ones go
// into their week's snapshot, and erasure, the retention purge and the
// retention's withdrawal take it away.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "signal_store.h"
#include "signaal/scrub.h"
#include "unit_support.h"

namespace signaal::node {
namespace {

using Q = storage::StoredQuote;

class QuoteReview : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto loaded = PiiScrubber::Load(SIGNAAL_SOURCE_DATA_DIR);
    ASSERT_TRUE(loaded.ok()) << loaded.status().message();
    scrubbers_ = new ScrubberCache(std::shared_ptr<const PiiScrubber>(std::move(*loaded)));
  }
  static void TearDownTestSuite() { delete scrubbers_; }

  void SetUp() override {
    auto opened = SignalStore::Open(dir_.path(), "secret", std::string(32, 'k'));
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    store_ = std::move(*opened);
    store_->SetScrubbers(scrubbers_);
  }

  // A signal of `week`, with a consented quote when `quote` is given.
  std::string Add(const std::string& week, const std::string& quote = "") {
    ValidatedSignal v;
    v.record.set_period(week);
    v.record.set_date("2026-09-21");
    v.record.set_municipality("GM0917");
    v.record.set_theme("schulden");
    v.record.set_status("open");
    v.person_reference = "K-1";
    if (!quote.empty()) {
      v.record.set_quote_consent(true);
      v.record.set_quote(quote);
    }
    auto added = store_->Add({v}, 1000);
    EXPECT_TRUE(added.ok()) << added.status().message();
    return added.ok() ? added->front().id() : "";
  }

  std::string Files() {
    std::string all;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir_.path())) {
      if (!e.is_regular_file()) continue;
      std::ifstream in(e.path(), std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      all += ss.str();
    }
    return all;
  }

  static ScrubberCache* scrubbers_;
  test::TempFolder dir_;
  std::unique_ptr<SignalStore> store_;
};
ScrubberCache* QuoteReview::scrubbers_ = nullptr;

TEST_F(QuoteReview, AConsentedQuoteEntersScrubbedAndSealed) {
  const std::string id = Add("2026-W39", "Mevrouw Lemmens belt vanaf 06-12345678 over de huur.");
  Add("2026-W39");  // no quote: nothing in the queue
  auto quotes = store_->Quotes();
  ASSERT_TRUE(quotes.ok());
  ASSERT_EQ(quotes->size(), 1u);
  const auto& q = quotes->front();
  EXPECT_EQ(q.row.signal_id(), id);
  EXPECT_EQ(q.row.quote_id().size(), 16u);
  EXPECT_NE(q.row.quote_id(), id);
  EXPECT_EQ(q.row.state(), Q::PENDING);
  EXPECT_EQ(q.text, "Mevrouw [NAAM] belt vanaf [TELEFOON] over de huur.");
  // Neither the words as entered nor the scrubbed ones are readable on disk
  // (in the write-ahead log, and in the tables once the store is closed).
  store_.reset();
  const std::string files = Files();
  EXPECT_EQ(files.find("Lemmens"), std::string::npos);
  EXPECT_EQ(files.find("over de huur"), std::string::npos);
  SetUp();
  // Pending quotes do not go out.
  EXPECT_TRUE(store_->WeekQuotes("2026-W39")->empty());
}

TEST_F(QuoteReview, DecisionsMoveTheQuoteAndMarkItsWeek) {
  const std::string id = Add("2026-W39", "De post blijft dicht.");
  ASSERT_TRUE(store_->DecideQuote(id, Q::WITHDRAWN, "ria", 2000).code() == Code::kUsage);  // not approved
  ASSERT_TRUE(store_->DecideQuote(id, Q::APPROVED, "ria", 2000).ok());
  auto week = store_->WeekQuotes("2026-W39");
  ASSERT_TRUE(week.ok());
  ASSERT_EQ(week->size(), 1u);
  EXPECT_EQ((*week)[0].text(), "De post blijft dicht.");
  EXPECT_EQ((*week)[0].theme(), "schulden");
  auto q = store_->FindQuote((*week)[0].id());  // by its own id too
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->row.decided_by(), "ria");
  // An edit sends it back to review.
  ASSERT_TRUE(store_->EditQuote(id, "De post blijft\ndicht,  zegt ze.", "kees", 2100).ok());
  q = store_->FindQuote(id);
  EXPECT_EQ(q->row.state(), Q::PENDING);
  EXPECT_EQ(q->text, "De post blijft dicht, zegt ze.");
  EXPECT_EQ(q->row.edited_by(), "kees");
  EXPECT_TRUE(store_->WeekQuotes("2026-W39")->empty());
  // An edit that puts personal data back cannot be approved.
  ASSERT_TRUE(store_->EditQuote(id, "Bel Fatima El Amrani op 045-5712345.", "kees", 2200).ok());
  Status refused = store_->DecideQuote(id, Q::APPROVED, "ria", 2300);
  EXPECT_EQ(refused.code(), Code::kRefused);
  EXPECT_NE(refused.message().find("naam"), std::string::npos) << refused.message();
  ASSERT_TRUE(store_->DecideQuote(id, Q::REJECTED, "ria", 2400).ok());
  q = store_->FindQuote(id);
  EXPECT_EQ(q->row.state(), Q::REJECTED);
  EXPECT_EQ(q->text, "");  // the words go
  EXPECT_EQ(store_->DecideQuote(id, Q::APPROVED, "ria", 2500).code(), Code::kUsage);
}

TEST_F(QuoteReview, TheBrokersRefusalHoldsUntilTheNextDecision) {
  const std::string id = Add("2026-W39", "Het geld is op voor de twintigste.");
  ASSERT_TRUE(store_->DecideQuote(id, Q::APPROVED, "ria", 2000).ok());
  const std::string quote_id = store_->FindQuote(id)->row.quote_id();
  google::protobuf::RepeatedPtrField<wire::QuoteRefusal> refused;
  auto* r = refused.Add();
  r->set_quote_id(quote_id);
  r->set_reason("quote-personal-data");
  r->set_detail("naam");
  ASSERT_TRUE(store_->RefuseQuotes(refused, 2100).ok());
  EXPECT_FALSE(store_->FindQuote(id)->refusal.empty());
  EXPECT_TRUE(store_->WeekQuotes("2026-W39")->empty());
  ASSERT_TRUE(store_->DecideQuote(id, Q::APPROVED, "ria", 2200).ok());  // approved again
  EXPECT_TRUE(store_->FindQuote(id)->refusal.empty());
  EXPECT_EQ(store_->WeekQuotes("2026-W39")->size(), 1u);
}

TEST_F(QuoteReview, ErasurePurgeAndRetentionTakeItAway) {
  const std::string erased = Add("2026-W39", "Eerste citaat.");
  const std::string old = Add("2026-W30", "Tweede citaat.");
  const std::string kept = Add("2026-W40", "Derde citaat.");
  for (const auto& id : {erased, old, kept}) ASSERT_TRUE(store_->DecideQuote(id, Q::APPROVED, "ria", 2000).ok());
  ASSERT_TRUE(store_->EraseById(erased).ok());
  EXPECT_FALSE(store_->FindQuote(erased).ok());
  // Retention withdraws quotes before their week's signals go.
  auto expired = store_->ExpireQuotes("2026-W31", 3000);
  ASSERT_TRUE(expired.ok());
  EXPECT_EQ(*expired, 1u);
  EXPECT_EQ(store_->FindQuote(old)->row.state(), Q::WITHDRAWN);
  EXPECT_EQ(store_->FindQuote(old)->row.decided_by(), "retention");
  EXPECT_TRUE(store_->WeekQuotes("2026-W30")->empty());
  auto dirty = store_->DirtyPeriods();
  EXPECT_NE(std::find(dirty.begin(), dirty.end(), "2026-W30"), dirty.end());
  auto purged = store_->PurgeBefore("2026-W31");
  ASSERT_TRUE(purged.ok());
  EXPECT_FALSE(store_->FindQuote(old).ok());
  EXPECT_EQ(store_->FindQuote(kept)->row.state(), Q::APPROVED);
}

TEST(ScrubberCacheTest, LoadsOnFirstUseAndLetsGoWhenIdle) {
  ScrubberCache cache(SIGNAAL_SOURCE_DATA_DIR, PiiScrubber::kDefaultDictionary);
  EXPECT_FALSE(cache.loaded());
  auto first = cache.Get();
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_TRUE(cache.loaded());
  cache.ReleaseIfIdle(ScrubberCache::Clock::now());  // just used: kept
  EXPECT_TRUE(cache.loaded());
  cache.ReleaseIfIdle(ScrubberCache::Clock::now() + ScrubberCache::kIdle + std::chrono::seconds(1));
  EXPECT_FALSE(cache.loaded());
  // What was handed out stays usable.
  EXPECT_EQ((*first)->Scrub("bel 06-12345678").text, "bel [TELEFOON]");
  ScrubberCache missing("/nonexistent", PiiScrubber::kDefaultDictionary);
  auto failed = missing.Get();
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("/nonexistent/scrub/"), std::string::npos) << failed.status().message();
}

TEST_F(QuoteReview, WithoutAScrubberQuotesStayInTheirSignal) {
  store_->SetScrubbers(nullptr);
  Add("2026-W39", "Mevrouw Lemmens belt.");
  EXPECT_TRUE(store_->Quotes()->empty());
}

}  // namespace
}  // namespace signaal::node
