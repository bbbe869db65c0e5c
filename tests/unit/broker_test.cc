// Unit tests of the broker's parts, each in-process with a real RocksDB in a
// temporary folder.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>

#include "advice_section.h"
#include "broker_store.h"
#include "control_handler.h"
#include "digest_builder.h"
#include "disclosure_policy.h"
#include "principal_registry.h"
#include "snapshot_validator.h"
#include "theme_table.h"
#include "digest_render.h"
#include "signaal/keys.h"
#include "signaal/period.h"
#include "unit_support.h"

namespace signaal::broker {
namespace {

using test::TempFolder;

const ReferenceData& Ref() { return test::SourceReferenceData(); }

wire::SummarySnapshot Snapshot(const std::string& node, const std::string& period, uint64_t version) {
  wire::SummarySnapshot s;
  s.set_node_id(node);
  s.set_period(period);
  s.set_version(version);
  s.set_taxonomy_version(Ref().taxonomy_version());
  return s;
}

void AddCell(wire::SummarySnapshot& s, const std::string& gm, const std::string& theme, const std::string& sub,
             uint32_t signals, uint32_t persons) {
  auto* c = s.add_cells();
  c->set_municipality(gm);
  c->set_theme(theme);
  c->set_subtheme(sub);
  c->set_signals(signals);
  c->set_persons(persons);
  c->set_key_sum(signals * 2654435761u);  // any key: the validator only asks that there is one
}

TEST(BrokerStore, KeepsNewestVersionAndRefusesOlder) {
  TempFolder dir;
  {
    auto store = BrokerStore::Open(dir.path());
    ASSERT_TRUE(store.ok()) << store.status().message();
    EXPECT_EQ(*(*store)->OfferSnapshot(Snapshot("a", "2026-W40", 3)), BrokerStore::Offer::kStored);
    EXPECT_EQ(*(*store)->OfferSnapshot(Snapshot("a", "2026-W40", 3)), BrokerStore::Offer::kDuplicate);
    EXPECT_EQ(*(*store)->OfferSnapshot(Snapshot("a", "2026-W40", 2)), BrokerStore::Offer::kStale);
    EXPECT_EQ(*(*store)->OfferSnapshot(Snapshot("a", "2026-W40", 5)), BrokerStore::Offer::kStored);
    wire::Digest d;
    EXPECT_EQ(*(*store)->AppendDigest(d), 1u);
  }
  auto reopened = BrokerStore::Open(dir.path());
  ASSERT_TRUE(reopened.ok());
  int count = 0;
  (*reopened)->ForEachSnapshot([&](const wire::SummarySnapshot& s) {
    ++count;
    EXPECT_EQ(s.version(), 5u);
  });
  EXPECT_EQ(count, 1);
  EXPECT_EQ((*reopened)->last_digest_sequence(), 1u);
  EXPECT_EQ(*(*reopened)->OfferSnapshot(Snapshot("a", "2026-W40", 4)), BrokerStore::Offer::kStale);
}

TEST(PrincipalRegistry, EnrolsRevokesAndRefusesDuplicates) {
  TempFolder dir;
  auto store = BrokerStore::Open(dir.path());
  PrincipalRegistry reg(**store);
  auto sign = GenerateSigningKeyPair();
  wire::EnrolmentRequest req;
  req.set_node_id("clientenraad-heerlen");
  req.set_name("Cliëntenraad Heerlen");
  req.set_type("clientenraad");
  req.set_municipality("GM0917");
  req.set_curve_public_key(GenerateCurveKeyPair().public_key);
  req.set_sign_public_key(sign.public_hex);
  auto p = reg.EnrollNode(req, Ref());
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_NE(reg.FindActiveByKey(req.curve_public_key()), nullptr);
  EXPECT_FALSE(reg.EnrollNode(req, Ref()).ok());  // same id
  EXPECT_NE(reg.Authorise("clientenraad-heerlen", wire::ROLE_NODE), nullptr);
  EXPECT_EQ(reg.Authorise("clientenraad-heerlen", wire::ROLE_ADMIN), nullptr);

  ASSERT_TRUE(reg.Revoke("clientenraad-heerlen").ok());
  EXPECT_EQ(reg.FindActiveByKey(req.curve_public_key()), nullptr);
  EXPECT_EQ(reg.Authorise("clientenraad-heerlen", wire::ROLE_NODE), nullptr);
  EXPECT_FALSE(reg.Revoke("nobody").ok());

  // A registry reloaded from the store sees the revocation.
  PrincipalRegistry again(**store);
  EXPECT_EQ(again.FindActiveByKey(req.curve_public_key()), nullptr);
  ASSERT_NE(again.Find("clientenraad-heerlen"), nullptr);
  EXPECT_TRUE(again.Find("clientenraad-heerlen")->revoked());

  wire::EnrollSubscriber sub;
  sub.set_name("Adviesraad Heerlen");
  sub.add_regions("atlantis");
  sub.set_curve_public_key(GenerateCurveKeyPair().public_key);
  auto refused = reg.EnrollSubscriber(sub, Ref());
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("atlantis"), std::string::npos);
}

class ValidatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    keys_ = GenerateSigningKeyPair();
    node_.set_id("helpdesk");
    node_.set_role(wire::ROLE_NODE);
    node_.set_sign_public_key(keys_.public_hex);
    week_ = IsoWeekOf(Today());
  }
  wire::SignedEnvelope Sign(const wire::SummarySnapshot& s, const SigningKeyPair& k) {
    wire::SignedEnvelope env;
    env.set_payload(s.SerializeAsString());
    env.set_signature(*signaal::Sign(k, env.payload()));
    env.set_key_id(KeyId(k.public_hex));
    return env;
  }
  bool Check(const wire::SignedEnvelope& env, Refusal& r) {
    wire::SummarySnapshot out;
    return SnapshotValidator(Ref()).Check(env, node_, std::time(nullptr), out, r);
  }
  SigningKeyPair keys_;
  wire::Principal node_;
  std::string week_;
};

TEST_F(ValidatorTest, AcceptsAWellFormedSignedSnapshot) {
  auto s = Snapshot("helpdesk", week_, 1);
  AddCell(s, "GM0917", "schulden", "schulden.schuldhulpverlening", 4, 3);
  Refusal r;
  EXPECT_TRUE(Check(Sign(s, keys_), r)) << r.reason << ": " << r.detail;
  // With open counts (all open, none, some) and without: all well-formed.
  for (uint32_t open : {4u, 0u, 1u}) {
    s.mutable_cells(0)->set_open(open);
    s.mutable_cells(0)->set_open_key_sum(open * 12345u);
    EXPECT_TRUE(Check(Sign(s, keys_), r)) << open << " open: " << r.reason << ": " << r.detail;
  }
}

TEST_F(ValidatorTest, RefusesEachKindOfBadSnapshot) {
  struct Case {
    std::string name, reason;
    std::function<void(wire::SummarySnapshot&)> mutate;
  };
  std::vector<Case> cases = {
      {"other node", "wrong-node", [](auto& s) { s.set_node_id("someone-else"); }},
      {"future", "invalid-period", [&](auto& s) { s.set_period(AddWeeks(week_, 3)); }},
      {"bad week", "invalid-period", [](auto& s) { s.set_period("2026-W60"); }},
      {"theme", "unknown-code", [](auto& s) { s.mutable_cells(0)->set_theme("nonsense"); }},
      {"subtheme", "unknown-code", [](auto& s) { s.mutable_cells(0)->set_subtheme("werk.reintegratie"); }},
      {"gm", "unknown-code", [](auto& s) { s.mutable_cells(0)->set_municipality("GM0363"); }},
      {"persons", "invalid-count", [](auto& s) { s.mutable_cells(0)->set_persons(9); }},
      {"zero", "invalid-count", [](auto& s) { s.mutable_cells(0)->set_signals(0); }},
      {"huge", "invalid-count", [](auto& s) { s.mutable_cells(0)->set_signals(4'000'000'000u); }},
      {"twice", "invalid-snapshot", [](auto& s) { *s.add_cells() = s.cells(0); }},
      {"version", "invalid-snapshot", [](auto& s) { s.set_version(0); }},
      {"taxonomy", "taxonomy-version", [](auto& s) { s.set_taxonomy_version("1999.1"); }},
      {"no key sum", "schema", [](auto& s) { s.mutable_cells(0)->clear_key_sum(); }},
      {"more open than signals", "invalid-count",
       [](auto& s) {
         s.mutable_cells(0)->set_open(5);
         s.mutable_cells(0)->set_open_key_sum(7);
       }},
      {"open without its key sum", "schema", [](auto& s) { s.mutable_cells(0)->set_open(2); }},
      {"open key sum without open", "schema", [](auto& s) { s.mutable_cells(0)->set_open_key_sum(7); }},
  };
  for (const auto& c : cases) {
    auto s = Snapshot("helpdesk", week_, 2);
    AddCell(s, "GM0917", "schulden", "schulden.schuldhulpverlening", 4, 3);
    c.mutate(s);
    Refusal r;
    EXPECT_FALSE(Check(Sign(s, keys_), r)) << c.name;
    EXPECT_EQ(r.reason, c.reason) << c.name << ": " << r.detail;
  }
}

// Issue 15, finding 6: cells each within kMaxCellCount that add up past a
// snapshot's ceiling (and past 2^32) are refused as a whole.
TEST_F(ValidatorTest, RefusesASnapshotWhoseCellsAddUpPastTheCeiling) {
  // Distinct cells of the largest count each: municipalities x themes x age bands x channels.
  auto full = [&](size_t cells) {
    auto s = Snapshot("helpdesk", week_, 1);
    for (const auto& m : Ref().municipalities()) {
      for (const Theme* t : Ref().TopThemes()) {
        for (const auto& age : ReferenceData::AgeBands()) {
          for (const auto& channel : ReferenceData::Channels()) {
            if (static_cast<size_t>(s.cells_size()) == cells) return s;
            AddCell(s, m.code, t->code, "", kMaxCellCount, 1);
            s.mutable_cells(s.cells_size() - 1)->set_age_band(age);
            s.mutable_cells(s.cells_size() - 1)->set_channel(channel);
          }
        }
      }
    }
    return s;
  };
  static_assert(kMaxSnapshotSignals % kMaxCellCount == 0);
  const size_t at_ceiling = kMaxSnapshotSignals / kMaxCellCount;
  Refusal r;
  EXPECT_TRUE(Check(Sign(full(at_ceiling), keys_), r)) << r.reason << ": " << r.detail;
  EXPECT_FALSE(Check(Sign(full(at_ceiling + 1), keys_), r));
  EXPECT_EQ(r.reason, "invalid-total") << r.detail;
  // Past 2^32 in all: 4,295 cells of 1,000,000 summed in 32 bits would read 32,704.
  auto wraps = full(4'295);
  ASSERT_EQ(wraps.cells_size(), 4'295);
  EXPECT_FALSE(Check(Sign(wraps, keys_), r));
  EXPECT_EQ(r.reason, "invalid-total") << r.detail;
  EXPECT_NE(r.detail.find("4295000000"), std::string::npos) << r.detail;
}

// Finding 6 past the validator: whatever reached the table (a restored
// store, a later ceiling), a sum past 32 bits shows as the largest count,
// never as a small wrapped one, in the digest and in the themes view.
TEST(BrokerSums, ATotalPast32BitsSaturatesInDigestsAndTheThemesView) {
  const std::string week = IsoWeekOf(Today());
  ThemeTable table(Ref());
  for (const char* node : {"a", "b", "c"}) {
    auto s = Snapshot(node, week, 1);
    AddCell(s, "GM0917", "schulden", "", 4'000'000'000u, 4'000'000'000u);
    table.Put(s);
  }
  EXPECT_EQ(table.Aggregate("parkstad", {week})[""].signals, 12'000'000'000u) << "summed in 64 bits";
  auto table_policy = PTable::Make(5, 1.0);
  ASSERT_TRUE(table_policy.ok());
  const DisclosurePolicy policy(5, 2, *table_policy);
  DigestBuilder builder(Ref(), table, policy);
  auto digest = builder.Build("parkstad", week, 1000);
  ASSERT_TRUE(digest.ok()) << digest.status().message();
  EXPECT_EQ(digest->total().signals(), UINT32_MAX);
  EXPECT_EQ(digest->total().persons(), UINT32_MAX);
  EXPECT_EQ(FindCell(*digest, "schulden")->signals(), UINT32_MAX);

  TempFolder dir;
  auto store = BrokerStore::Open(dir.path());
  ASSERT_TRUE(store.ok());
  PrincipalRegistry registry(**store);
  BrokerConfig config;
  Counters counters;
  ControlHandler handler({config, Ref(), **store, registry, table, policy, counters, 0, [] { return uint64_t{0}; },
                          [] { return uint32_t{0}; }, [] { return uint64_t{0}; }});
  wire::ControlRequest req;
  req.mutable_themes()->set_region("parkstad");
  req.mutable_themes()->set_weeks(1);
  wire::Principal admin;
  admin.set_id("admin");
  auto r = handler.Handle(req, admin, std::time(nullptr));
  ASSERT_TRUE(r.ok()) << r.error();
  ASSERT_EQ(r.themes().rows_size(), 1);
  // 12,000,000,000 in 32 bits would read 3,410,065,408.
  EXPECT_EQ(r.themes().rows(0).signals(), UINT32_MAX);
  EXPECT_EQ(r.themes().rows(0).persons(), UINT32_MAX);
}

TEST_F(ValidatorTest, RefusesForeignOrBrokenSignatures) {
  auto s = Snapshot("helpdesk", week_, 1);
  AddCell(s, "GM0917", "schulden", "", 4, 3);
  Refusal r;
  // Signed by another node's key.
  EXPECT_FALSE(Check(Sign(s, GenerateSigningKeyPair()), r));
  EXPECT_EQ(r.reason, "unknown-signing-key");
  // Right key id, tampered payload.
  auto env = Sign(s, keys_);
  s.mutable_cells(0)->set_signals(40);
  env.set_payload(s.SerializeAsString());
  EXPECT_FALSE(Check(env, r));
  EXPECT_EQ(r.reason, "bad-signature");
  // Garbage payload with a valid signature over it.
  wire::SignedEnvelope junk;
  junk.set_payload("\xff\xff\xff garbage");
  junk.set_signature(*signaal::Sign(keys_, junk.payload()));
  junk.set_key_id(KeyId(keys_.public_hex));
  EXPECT_FALSE(Check(junk, r));
  EXPECT_EQ(r.reason, "invalid-snapshot");
}

wire::Advice AdviceRecord(const std::string& id, const std::string& region, const std::string& status,
                          int64_t updated) {
  wire::Advice a;
  a.set_id(id);
  a.set_title("Advies " + id);
  a.set_council("Adviesraad");
  a.set_addressee("college van B&W");
  a.set_region(region);
  a.set_status(status);
  a.set_updated_unix(updated);
  return a;
}

TEST(AdviceSection, OpenAlwaysSettledOnceConceptsAndOtherAreasNever) {
  const int64_t since = 1000;
  std::vector<wire::Advice> all = {
      AdviceRecord("A0001", "GM0917", "verstuurd", 10),          // open, long unchanged: shown
      AdviceRecord("A0002", "GM0917", "opgevolgd", 10),          // settled before: not again
      AdviceRecord("A0003", "parkstad", "afgewezen", 2000),      // settled since: shown, changed
      AdviceRecord("A0004", "parkstad", "concept", 3000),        // a draft: never
      AdviceRecord("A0005", "noord-limburg", "verstuurd", 3000), // another area: never
      AdviceRecord("A0006", "zuid-limburg", "verstuurd", 3000),  // the area around it: not a part of it
      AdviceRecord("A0007", "GM0928", "reactie-ontvangen", 1500),
  };
  wire::Digest d;
  d.set_region("parkstad");
  AddAdviceSection(d, all, Ref(), since);
  std::vector<std::string> ids;
  for (const auto& a : d.advice()) ids.push_back(a.id());
  EXPECT_EQ(ids, (std::vector<std::string>{"A0003", "A0007", "A0001"}));  // newest change first
  EXPECT_TRUE(d.advice(0).changed());
  EXPECT_FALSE(d.advice(2).changed());
  EXPECT_EQ(d.advice(2).region_name(), "Heerlen");
  EXPECT_EQ(d.advice_more(), 0u);
  EXPECT_EQ(d.advice_since_unix(), since);

  // At most kMaxAdvice; the rest counted, not dropped silently.
  std::vector<wire::Advice> many;
  for (int i = 0; i < kMaxAdvice + 5; ++i) many.push_back(AdviceRecord("A" + std::to_string(1000 + i), "parkstad", "verstuurd", i));
  AddAdviceSection(d, many, Ref(), since);
  EXPECT_EQ(d.advice_size(), kMaxAdvice);
  EXPECT_EQ(d.advice_more(), 5u);
  EXPECT_EQ(d.advice(0).id(), "A1024");
}

TEST(AdviceSection, AResponseShowsAsItsFirstSentenceAndKindsAreSeries) {
  EXPECT_EQ(FirstSentence("Het college neemt het advies over. Uitvoering in 2027."), "Het college neemt het advies over.");
  EXPECT_EQ(FirstSentence("Wordt besproken op 3.12 in de raad"), "Wordt besproken op 3.12 in de raad");
  EXPECT_EQ(FirstSentence("Nee! Geen geld."), "Nee!");
  const std::string long_one(300, 'x');
  EXPECT_EQ(CodePointCount(FirstSentence(long_one)), kMaxResponseShown);
  EXPECT_EQ(FirstSentence(std::string(250, 'e') + "ë"), std::string(239, 'e') + "…");
  EXPECT_EQ(DigestKind(*ParsePeriod("2026-W41")), "week");
  EXPECT_EQ(DigestKind(*ParsePeriod("2026-W38..2026-W41")), "weeks-4");
  EXPECT_EQ(DigestKind(*ParsePeriod("2026-10")), "month");
  EXPECT_EQ(DigestKind(*ParsePeriod("2026-Q4")), "quarter");
}

}  // namespace
}  // namespace signaal::broker
