// Unit tests of the broker's parts, each in-process with a real RocksDB in a
// temporary folder.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>

#include "broker_store.h"
#include "digest_builder.h"
#include "disclosure_policy.h"
#include "disclosure_table.h"
#include "principal_registry.h"
#include "snapshot_validator.h"
#include "theme_table.h"
#include "signaal/digest_render.h"
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

TEST(BrokerStore, KeepsEveryReleaseOnceAcrossRestarts) {
  TempFolder dir;
  wire::Digest d;
  d.set_region("parkstad");
  d.set_from_week("2026-W40");
  d.set_to_week("2026-W41");
  d.mutable_total()->set_signals(12);
  {
    auto store = BrokerStore::Open(dir.path());
    ASSERT_TRUE(store.ok());
    wire::Digest published = d;
    ASSERT_TRUE((*store)->AppendDigest(published).ok());
    d.set_generated_unix(1);
    ASSERT_TRUE((*store)->RecordRelease(d).ok());
    d.set_generated_unix(2);  // the same numbers fetched again
    ASSERT_TRUE((*store)->RecordRelease(d).ok());
    EXPECT_EQ((*store)->Releases().size(), 2u);
  }
  auto reopened = BrokerStore::Open(dir.path());
  ASSERT_TRUE(reopened.ok());
  ASSERT_EQ((*reopened)->Releases().size(), 2u);
  EXPECT_EQ((*reopened)->Releases()[1].total().signals(), 12u);
}

TEST(DigestBuilder, AggregatesAcrossNodesWithinTheRegionOnly) {
  ThemeTable table(Ref());
  auto a = Snapshot("a", "2026-W40", 1);
  AddCell(a, "GM0917", "schulden", "schulden.schuldhulpverlening", 6, 6);  // Heerlen, parkstad
  AddCell(a, "GM0983", "schulden", "schulden.schuldhulpverlening", 50, 40);  // Venlo, noord
  auto b = Snapshot("b", "2026-W41", 1);
  AddCell(b, "GM0928", "schulden", "schulden.schuldhulpverlening", 3, 2);  // Kerkrade, parkstad
  AddCell(b, "GM0928", "schulden", "schulden.budgetbeheer", 2, 2);
  AddCell(b, "GM0935", "werk", "", 9, 8);  // Maastricht, not parkstad
  table.Put(a);
  table.Put(b);
  DisclosurePolicy policy(5);
  DigestBuilder builder(Ref(), table, policy);
  auto d = builder.Build("parkstad", "2026-W40..2026-W41", 1000);
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d->from_week(), "2026-W40");
  EXPECT_EQ(d->to_week(), "2026-W41");
  ASSERT_EQ(d->themes_size(), 1);  // werk is in Maastricht, outside Parkstad
  const auto& schulden = d->themes(0);
  EXPECT_EQ(schulden.code(), "schulden");
  EXPECT_EQ(schulden.signals(), 11u);
  EXPECT_EQ(schulden.persons(), 10u);
  EXPECT_EQ(schulden.organisations(), 2u);
  ASSERT_EQ(schulden.subthemes_size(), 2);
  EXPECT_TRUE(schulden.subthemes(1).suppressed());  // budgetbeheer: 2 signals < k
  EXPECT_EQ(schulden.subthemes(1).signals(), 0u);
  EXPECT_EQ(schulden.subthemes(1).organisations(), 0u);
  // Shown, schuldhulpverlening (9) would give budgetbeheer away as 11 - 9:
  // secondary suppression hides it too.
  EXPECT_TRUE(schulden.subthemes(0).suppressed());
  EXPECT_EQ(schulden.subthemes(0).signals(), 0u);
  EXPECT_EQ(d->policy().k(), 5u);
  EXPECT_EQ(d->policy().cells_suppressed(), 2u);
  EXPECT_EQ(d->policy().cells_secondary(), 1u);

  auto limburg = builder.Build("limburg", "2026-W40..2026-W41", 1000);
  ASSERT_TRUE(limburg.ok());
  EXPECT_EQ(limburg->total().signals(), 70u);
  EXPECT_FALSE(builder.Build("atlantis", "2026-W40", 1000).ok());
  EXPECT_FALSE(builder.Build("limburg", "2026-W41..2026-W40", 1000).ok());
}

// The breakdown by municipality: a part per municipality of the region,
// themes only, audited after the region's own numbers. Kerkrade's 3 is below
// k, and Heerlen's 20 shown would give it away as 23 − 20: both are hidden,
// while the region's 23 stays shown.
TEST(DigestBuilder, BreakdownByMunicipalityHidesWhatTheRegionGivesAway) {
  ThemeTable table(Ref());
  for (const char* node : {"a", "b"}) {
    auto s = Snapshot(node, "2026-W40", 1);
    AddCell(s, "GM0917", "schulden", "schulden.schuldhulpverlening", 10, 10);  // Heerlen
    table.Put(s);
  }
  auto c = Snapshot("c", "2026-W40", 1);
  AddCell(c, "GM0928", "schulden", "schulden.schuldhulpverlening", 3, 3);  // Kerkrade
  table.Put(c);
  DisclosurePolicy policy(5);
  DigestBuilder builder(Ref(), table, policy);
  auto d = builder.Build("parkstad", "2026-W40", 1000);
  ASSERT_TRUE(d.ok()) << d.status().message();
  ASSERT_EQ(d->themes_size(), 1);
  EXPECT_EQ(d->themes(0).signals(), 23u);
  EXPECT_FALSE(d->themes(0).suppressed());
  ASSERT_EQ(d->municipalities_size(), 7);  // Parkstad's seven, by name
  std::map<std::string, const wire::Digest*> by_name;
  for (const auto& m : d->municipalities()) {
    by_name[m.region_name()] = &m;
    EXPECT_TRUE(m.themes_only());
    for (const auto& t : m.themes()) EXPECT_EQ(t.subthemes_size(), 0) << m.region_name();
  }
  EXPECT_EQ(d->municipalities(0).region_name(), "Beekdaelen");
  const wire::Digest& heerlen = *by_name.at("Heerlen");
  const wire::Digest& kerkrade = *by_name.at("Kerkrade");
  EXPECT_EQ(heerlen.region(), "GM0917");
  EXPECT_TRUE(kerkrade.total().suppressed());
  EXPECT_TRUE(kerkrade.themes(0).suppressed());
  EXPECT_TRUE(heerlen.themes(0).suppressed()) << "20 shown would give Kerkrade away as 23 - 20";
  EXPECT_TRUE(heerlen.total().suppressed());
  EXPECT_GT(heerlen.policy().cells_secondary(), 0u);
  EXPECT_EQ(by_name.at("Brunssum")->total().signals(), 0u);
  EXPECT_FALSE(by_name.at("Brunssum")->total().suppressed());

  // The ledger's view: the region, then each municipality, as releases of their own.
  auto flat = FlatReleases(*d);
  ASSERT_EQ(flat.size(), 8u);
  EXPECT_EQ(flat[0].municipalities_size(), 0);
  EXPECT_EQ(flat[0].region(), "parkstad");
  EXPECT_EQ(flat[1].region(), d->municipalities(0).region());

  // A municipality's own digest has no breakdown.
  auto own = builder.Build("GM0917", "2026-W40", 1000);
  ASSERT_TRUE(own.ok());
  EXPECT_EQ(own->municipalities_size(), 0);
}

// A quarter's context: the twelve baseline weeks and the thirteen weeks
// the chart draws, not every week of the period; the trend's baseline is the
// twelve weeks before the period, however many of its own weeks are listed.
TEST(DigestBuilder, LongestPeriodReleasesOnlyTheWeeksItShows) {
  ThemeTable table(Ref());
  const std::string from = "2026-W17", to = "2026-W30";  // 14 weeks, the longest period
  for (int i = -12; i < 14; ++i) {
    std::string week = AddWeeks(from, i);
    // 10 a week in the first seven baseline weeks, 30 in the last five, 20 in the period.
    uint32_t per_node = i < -5 ? 5 : i < 0 ? 15 : 10;
    for (const char* node : {"a", "b"}) {
      auto s = Snapshot(node, week, static_cast<uint64_t>(i + 100));
      AddCell(s, "GM0917", "schulden", "schulden.schuldhulpverlening", per_node, per_node);
      table.Put(s);
    }
  }
  DisclosurePolicy policy(5);
  DigestBuilder builder(Ref(), table, policy);
  auto d = builder.Build("parkstad", from + ".." + to, 1000, {}, DigestBuilder::Context::kFull);
  ASSERT_TRUE(d.ok()) << d.status().message();
  ASSERT_EQ(d->weeks_size(), DigestBuilder::kBaselineWeeks + DigestBuilder::kSeriesWeeks);
  EXPECT_EQ(d->weeks(0).period(), AddWeeks(from, -12));
  EXPECT_EQ(d->weeks(11).period(), AddWeeks(from, -1));
  EXPECT_EQ(d->weeks(12).period(), AddWeeks(to, -12));
  EXPECT_EQ(d->weeks(24).period(), to);
  EXPECT_EQ(d->total().signals(), 280u);
  // A quarter gets its breakdown too: Heerlen has it all, the others nothing.
  ASSERT_EQ(d->municipalities_size(), static_cast<int>(Ref().FindRegion("parkstad")->municipalities.size()));
  for (const auto& part : d->municipalities()) {
    EXPECT_EQ(part.total().signals(), part.region() == "GM0917" ? 280u : 0u) << part.region();
  }
  // (7 × 10 + 5 × 30) / 12 a week over 14 weeks.
  EXPECT_NEAR(JudgeDigestTrend(*d, "schulden").expected, 220.0 / 12 * 14, 1e-9);

  // Longer than a quarter: refused, saying why.
  auto year = builder.Build("parkstad", "2026-W01..2026-W30", 1000, {}, DigestBuilder::Context::kFull);
  ASSERT_FALSE(year.ok());
  EXPECT_NE(year.status().message().find("at most 14"), std::string::npos) << year.status().message();
  EXPECT_TRUE(builder.Build("parkstad", "2026-Q2", 1000).ok());

  // A short period lists all its weeks after the baseline.
  auto six = builder.Build("parkstad", "2026-W25..2026-W30", 1000, {}, DigestBuilder::Context::kFull);
  ASSERT_TRUE(six.ok()) << six.status().message();
  ASSERT_EQ(six->weeks_size(), 18);
  EXPECT_EQ(six->weeks(12).period(), "2026-W25");
}

TEST(DisclosurePolicy, SuppressesBelowKOnSignalsOrPersonsOrOneOrganisation) {
  DisclosurePolicy p(5);
  EXPECT_FALSE(p.PrimarySuppressed(0, 0, 0));
  EXPECT_TRUE(p.PrimarySuppressed(4, 4, 2));
  EXPECT_TRUE(p.PrimarySuppressed(9, 4, 2));   // one person reported many times
  EXPECT_TRUE(p.PrimarySuppressed(40, 30, 1));  // one organisation's own numbers
  EXPECT_FALSE(p.PrimarySuppressed(5, 5, 2));
  EXPECT_TRUE(DisclosurePolicy(5, 3).PrimarySuppressed(50, 50, 2));
}

// A municipality × theme table with its sub-region and region margins: a
// 2 × 2 rectangle of hidden cells is the classic minimum, and Bounds gives
// the textbook interval.
TEST(DisclosureTable, BoundsFollowTheMarginsAndProtectFormsARectangle) {
  // Municipalities 0,1 in sub-region A, 2,3 in sub-region B; themes 0..2.
  const uint64_t v[4][3] = {{2, 9, 12}, {8, 7, 10}, {11, 6, 9}, {7, 13, 8}};
  DisclosureTable t(1, 4, 3);
  auto add = [&](std::vector<int> munis, std::vector<int> themes, int level) {
    TableCell c;
    c.weeks = {0};
    c.municipalities = munis;
    c.leaves = themes;
    for (int m : munis)
      for (int l : themes) c.signals += v[m][l];
    c.shown = c.signals >= 5;
    c.sensitive = !c.shown;
    c.in_digest = true;
    c.level = level;
    return t.Add(c);
  };
  std::vector<std::vector<int>> areas = {{0}, {1}, {2}, {3}, {0, 1}, {2, 3}, {0, 1, 2, 3}};
  std::vector<std::vector<int>> themes = {{0}, {1}, {2}, {0, 1, 2}};
  std::vector<int> ids;
  for (size_t a = 0; a < areas.size(); ++a)
    for (size_t th = 0; th < themes.size(); ++th)
      ids.push_back(add(areas[a], themes[th], static_cast<int>(a / 4 + th / 3)));
  const int small = ids[0];  // municipality 0, theme 0: 2 signals
  ASSERT_FALSE(t.cell(small).shown);
  // Hidden alone, it is its margin minus its shown neighbours.
  auto alone = t.Bounds({small});
  ASSERT_TRUE(alone.ok());
  EXPECT_EQ((*alone)[0].lower, 2);
  EXPECT_EQ((*alone)[0].upper, 2);

  DisclosurePolicy policy(5);
  auto outcome = policy.Protect(t);
  ASSERT_TRUE(outcome.ok()) << outcome.status().message();
  EXPECT_GE(outcome->secondary, 3);  // at least the other corners of a rectangle
  EXPECT_EQ(outcome->unprotectable, 0);
  std::vector<int> hidden;
  for (int c = 0; c < t.size(); ++c) {
    if (!t.cell(c).shown) hidden.push_back(c);
  }
  auto b = t.Bounds(hidden);
  ASSERT_TRUE(b.ok());
  for (size_t i = 0; i < hidden.size(); ++i) EXPECT_GE((*b)[i].width(), 5) << "cell " << hidden[i];
  EXPECT_GE(outcome->tightest, 5);
}

// The audit's shortcuts against plain Bounds on random tables: a cell of
// weeks × municipalities × leaves with random cells shown. Bounds with
// `enough` must agree with the exact bounds on every "at least k wide?"
// and give exact bounds below k; BoundsIfHidden must give what Bounds gives
// with the candidate hidden.
TEST(DisclosureTable, ShortcutsAnswerAsTheExactBounds) {
  std::mt19937 rng(7);
  int compared = 0, narrow = 0;
  for (int round = 0; round < 400; ++round) {
    const int weeks = 3, munis = 4, leaves = 3;
    std::vector<uint64_t> value(static_cast<size_t>(weeks * munis * leaves));
    for (auto& v : value) v = rng() % 4 == 0 ? 0 : rng() % 12;
    DisclosureTable t(weeks, munis, leaves);
    auto pick = [&](int n) {
      std::vector<int> out;
      for (int i = 0; i < n; ++i)
        if (rng() % 2) out.push_back(i);
      if (out.empty()) out.push_back(static_cast<int>(rng() % static_cast<unsigned>(n)));
      return out;
    };
    for (int c = 0; c < 40; ++c) {
      TableCell cell;
      cell.weeks = pick(weeks);
      cell.municipalities = pick(munis);
      cell.leaves = pick(leaves);
      for (int w : cell.weeks)
        for (int m : cell.municipalities)
          for (int l : cell.leaves) cell.signals += value[static_cast<size_t>((w * munis + m) * leaves + l)];
      cell.shown = rng() % 3 != 0;
      t.Add(cell);
    }
    std::vector<int> all(static_cast<size_t>(t.size()));
    for (int c = 0; c < t.size(); ++c) all[static_cast<size_t>(c)] = c;
    const double k = 5;
    auto exact = t.Bounds(all);
    auto quick = t.Bounds(all, k);
    ASSERT_TRUE(exact.ok() && quick.ok());
    for (size_t i = 0; i < all.size(); ++i) {
      const Interval &e = (*exact)[i], &q = (*quick)[i];
      ASSERT_EQ(e.width() >= k, q.width() >= k) << "round " << round << " cell " << i;
      if (e.width() < k) {
        EXPECT_EQ(e.lower, q.lower);
        EXPECT_EQ(e.upper, q.upper);
        ++narrow;
      } else {  // values the cell can take, so inside its exact bounds
        EXPECT_GE(q.lower, e.lower);
        EXPECT_LE(q.upper, e.upper);
      }
      ++compared;
    }
    // What-if: every shown cell as the candidate, for a narrow target.
    int target = -1;
    for (size_t i = 0; i < all.size(); ++i) {
      if ((*exact)[i].width() < k && !t.cell(static_cast<int>(i)).shown) target = static_cast<int>(i);
    }
    if (target < 0) continue;
    std::vector<int> candidates;
    for (int c = 0; c < t.size(); ++c) {
      if (t.cell(c).shown) candidates.push_back(c);
    }
    auto what_if = t.BoundsIfHidden(target, candidates, Interval::kUnbounded);
    ASSERT_TRUE(what_if.ok());
    ASSERT_LE(what_if->size(), candidates.size());
    // It stops after the first candidate that leaves the target unbounded.
    if (what_if->size() < candidates.size()) {
      EXPECT_EQ(what_if->back().width(), Interval::kUnbounded);
    }
    // With k: the same answers below k, and it stops at the first at k or more.
    auto what_if_k = t.BoundsIfHidden(target, candidates, k);
    ASSERT_TRUE(what_if_k.ok());
    for (size_t i = 0; i < candidates.size(); ++i) {
      t.cell(candidates[i]).shown = false;
      auto b = t.Bounds({target});
      t.cell(candidates[i]).shown = true;
      ASSERT_TRUE(b.ok());
      if (i < what_if->size()) {
        EXPECT_EQ((*what_if)[i].lower, b->front().lower) << "round " << round << " candidate " << candidates[i];
        EXPECT_EQ((*what_if)[i].upper, b->front().upper) << "round " << round << " candidate " << candidates[i];
      }
      if (i < what_if_k->size()) {
        const Interval& q = (*what_if_k)[i];
        ASSERT_EQ(q.width() >= k, b->front().width() >= k) << "round " << round << " candidate " << candidates[i];
        if (q.width() < k) {
          EXPECT_EQ(q.lower, b->front().lower);
        }
        const bool last = i + 1 == what_if_k->size();
        // It goes on only while below k, and stops early only at k or more.
        EXPECT_TRUE(last || q.width() < k) << "candidate " << i;
        EXPECT_TRUE(!last || what_if_k->size() == candidates.size() || q.width() >= k) << "candidate " << i;
      }
    }
  }
  EXPECT_GT(narrow, 20);  // the comparison covered both kinds of cell
  EXPECT_GT(compared - narrow, 20);
}

}  // namespace
}  // namespace signaal::broker
