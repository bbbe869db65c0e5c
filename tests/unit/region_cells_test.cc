// A regional broker's cells for its upper broker (ThemeTable::RegionCells):
// an upper broker's table fed the regions' cells must sum every union of
// weeks and municipalities exactly as one table holding every partner's own
// snapshots — the same signals, persons, key sums, open counts and distinct
// organisations — so that a cell has one published value wherever it is
// shown. And nothing of one partner's own numbers goes up.
#include <gtest/gtest.h>

#include <random>

#include "broker_metrics.h"
#include "digest_builder.h"
#include "disclosure_policy.h"
#include "theme_table.h"
#include "signaal/keys.h"
#include "signaal/period.h"
#include "unit_support.h"

namespace signaal::broker {
namespace {

const ReferenceData& Ref() { return test::SourceReferenceData(); }

std::vector<std::string> Municipalities(const std::string& area) { return Ref().FindRegion(area)->municipalities; }

// One node's week: random cells in `municipalities`, some with open counts,
// some (an older node) without.
wire::SummarySnapshot NodeWeek(std::mt19937& rng, const std::string& node, const std::string& week,
                               const std::vector<std::string>& municipalities, bool sends_open) {
  wire::SummarySnapshot s;
  s.set_node_id(node);
  s.set_period(week);
  s.set_version(1);
  s.set_taxonomy_version(Ref().taxonomy_version());
  const auto themes = Ref().TopThemes();
  const int cells = std::uniform_int_distribution<int>(1, 12)(rng);
  std::set<std::tuple<std::string, std::string, std::string, std::string>> used;
  for (int i = 0; i < cells; ++i) {
    const std::string& gm = municipalities[rng() % municipalities.size()];
    const Theme* t = themes[rng() % themes.size()];
    auto subs = Ref().SubthemesOf(t->code);
    std::string sub = rng() % 3 == 0 || subs.empty() ? "" : subs[rng() % subs.size()]->code;
    std::string age = ReferenceData::AgeBands()[rng() % ReferenceData::AgeBands().size()];
    if (!used.insert({gm, t->code, sub, age}).second) continue;
    auto* c = s.add_cells();
    c->set_municipality(gm);
    c->set_theme(t->code);
    c->set_subtheme(sub);
    c->set_age_band(age);
    c->set_signals(std::uniform_int_distribution<uint32_t>(1, 9)(rng));
    c->set_persons(std::uniform_int_distribution<uint32_t>(1, c->signals())(rng));
    c->set_key_sum(static_cast<uint32_t>(rng()));
    if (sends_open) {
      c->set_open(std::uniform_int_distribution<uint32_t>(0, c->signals())(rng));
      c->set_open_key_sum(static_cast<uint32_t>(rng()));
    }
  }
  return s;
}

uint64_t Token(const std::string& secret, const std::string& name) {
  std::string mac = HmacSha256(secret, name);
  uint64_t t = 0;
  for (int i = 0; i < 8; ++i) t = t << 8 | static_cast<unsigned char>(mac[i]);
  return t;
}

// Every region's weeks, as its regional broker sends them.
void FeedRegion(const ThemeTable& region, const std::string& broker_id, ThemeTable& upper) {
  for (const auto& week : region.Weeks()) {
    wire::SummarySnapshot s;
    s.set_node_id(broker_id);
    s.set_period(week);
    s.set_version(1);
    s.set_taxonomy_version(Ref().taxonomy_version());
    for (auto& c : region.RegionCells(week, [&](const std::string& n) { return Token(broker_id, n); })) {
      *s.add_cells() = std::move(c);
    }
    upper.Put(s);
  }
}

void ExpectSameCounts(const CountsByCode& a, const CountsByCode& b, const std::string& what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (const auto& [code, x] : a) {
    auto it = b.find(code);
    ASSERT_NE(it, b.end()) << what << " " << code;
    const CellCounts& y = it->second;
    EXPECT_EQ(x.signals, y.signals) << what << " " << code;
    EXPECT_EQ(x.persons, y.persons) << what << " " << code;
    EXPECT_EQ(x.key, y.key) << what << " " << code;
    EXPECT_EQ(x.organisations, y.organisations) << what << " " << code;
    EXPECT_EQ(x.open_known, y.open_known) << what << " " << code;
    EXPECT_EQ(x.open, y.open) << what << " " << code;
    EXPECT_EQ(x.open_key, y.open_key) << what << " " << code;
    EXPECT_EQ(x.open_organisations, y.open_organisations) << what << " " << code;
    EXPECT_EQ(x.dealt_with_organisations, y.dealt_with_organisations) << what << " " << code;
  }
}

class RegionCells : public ::testing::TestWithParam<int> {};

TEST_P(RegionCells, AnUpperBrokerSumsEveryUnionAsOneBrokerHoldingEveryPartner) {
  std::mt19937 rng(static_cast<uint32_t>(GetParam()));
  const std::string last = IsoWeekOf(Today());
  std::vector<std::string> weeks;
  for (int w = 7; w >= 0; --w) weeks.push_back(AddWeeks(last, -w));
  ThemeTable single(Ref()), zuid(Ref()), noord(Ref()), upper(Ref());
  // Partners under two regional brokers, some working in several
  // municipalities of their region, and one provincial helpdesk enrolled at
  // the upper broker itself, all over the province.
  struct Partner {
    std::string id;
    std::string area;
    ThemeTable* region;
    bool sends_open;
  };
  std::vector<Partner> partners;
  for (int i = 0; i < 9; ++i) partners.push_back({"zuid-" + std::to_string(i), i < 3 ? "parkstad" : "zuid-limburg", &zuid, i != 4});
  for (int i = 0; i < 6; ++i) partners.push_back({"noord-" + std::to_string(i), "noord-limburg", &noord, true});
  partners.push_back({"helpdesk", "limburg", nullptr, true});
  for (const auto& p : partners) {
    for (const auto& week : weeks) {
      if (rng() % 4 == 0) continue;  // not every partner hears something every week
      auto s = NodeWeek(rng, p.id, week, Municipalities(p.area), p.sends_open);
      if (s.cells_size() == 0) continue;
      single.Put(s);
      (p.region ? *p.region : upper).Put(s);
    }
  }
  FeedRegion(zuid, "broker-zuid-limburg", upper);
  FeedRegion(noord, "broker-noord-limburg", upper);

  const auto all = Municipalities("limburg");
  auto one = single.ReadGrid(all, weeks);
  auto other = upper.ReadGrid(all, weeks);
  ExpectSameCounts(one.Sum(weeks, all), other.Sum(weeks, all), "all");
  for (const char* area : {"zuid-limburg", "parkstad", "mijnstreek", "noord-limburg", "ggd-limburg-noord"}) {
    ExpectSameCounts(one.Sum(weeks, Municipalities(area)), other.Sum(weeks, Municipalities(area)), area);
  }
  for (const auto& week : weeks) {
    for (const auto& gm : all) ExpectSameCounts(one.Sum({week}, {gm}), other.Sum({week}, {gm}), week + " " + gm);
  }
  const std::vector<std::string> half(weeks.begin(), weeks.begin() + 4);
  ExpectSameCounts(one.Sum(half, Municipalities("zuid-limburg")), other.Sum(half, Municipalities("zuid-limburg")),
                   "half");

  // Hence the same digest, perturbed numbers and all.
  DisclosurePolicy policy(5, 2, *PTable::Make(2, 1.0));
  for (const char* area : {"limburg", "zuid-limburg", "GM0917"}) {
    auto a = DigestBuilder(Ref(), single, policy).Build(area, weeks.front() + ".." + last, 1000);
    auto b = DigestBuilder(Ref(), upper, policy).Build(area, weeks.front() + ".." + last, 1000);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(a->SerializeAsString(), b->SerializeAsString()) << area;
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, RegionCells, ::testing::Values(1, 2, 3, 4, 5, 6, 7, 8));

TEST(RegionCellsUpward, NamePartnersOnlyByTokenAndCarryNoPartnersOwnNumbers) {
  ThemeTable region(Ref());
  const std::string week = IsoWeekOf(Today());
  wire::SummarySnapshot a, b;
  for (auto* s : {&a, &b}) {
    s->set_period(week);
    s->set_version(1);
    auto* c = s->add_cells();
    c->set_municipality("GM0917");
    c->set_theme("schulden");
    c->set_signals(s == &a ? 3 : 5);
    c->set_persons(s == &a ? 2 : 4);
    c->set_key_sum(s == &a ? 11 : 31);
    c->set_open(s == &a ? 3 : 0);
    c->set_open_key_sum(s == &a ? 11 : 0);
  }
  a.set_node_id("clientenraad-heerlen");
  b.set_node_id("helpdesk-heerlen");
  region.Put(a);
  region.Put(b);
  auto cells = region.RegionCells(week, [](const std::string& name) { return Token("secret", name); });
  ASSERT_EQ(cells.size(), 1u);
  const wire::SummaryCell& c = cells[0];
  EXPECT_EQ(c.signals(), 8u);
  EXPECT_EQ(c.persons(), 6u);
  EXPECT_EQ(c.key_sum(), 42u);
  EXPECT_EQ(c.open(), 3u);
  EXPECT_EQ(c.open_key_sum(), 11u);
  ASSERT_EQ(c.partners_size(), 2);
  EXPECT_LT(c.partners(0).token(), c.partners(1).token());
  // Which partner has open signals here, and which dealt-with ones: what
  // the open share's display rule counts, not how many.
  const uint64_t heerlen = Token("secret", "clientenraad-heerlen");
  for (const auto& p : c.partners()) {
    EXPECT_EQ(p.has_open(), p.token() == heerlen);
    EXPECT_EQ(p.has_dealt_with(), p.token() != heerlen);
  }
  std::string bytes = c.SerializeAsString();
  EXPECT_EQ(bytes.find("heerlen"), std::string::npos);
}

TEST(RegionCellsUpward, ARevokedRegionLeavesTheTable) {
  ThemeTable region(Ref()), upper(Ref());
  const std::string week = IsoWeekOf(Today());
  std::mt19937 rng(3);
  region.Put(NodeWeek(rng, "n1", week, Municipalities("parkstad"), true));
  FeedRegion(region, "broker-zuid", upper);
  ASSERT_EQ(upper.snapshot_count(), 1u);
  EXPECT_FALSE(upper.Aggregate("limburg", {week}).empty());
  upper.Drop("broker-zuid");
  EXPECT_EQ(upper.snapshot_count(), 0u);
  EXPECT_TRUE(upper.Aggregate("limburg", {week}).empty());
  EXPECT_EQ(upper.LatestPeriod("broker-zuid"), "");
}

TEST(UpstreamMetrics, ARegionalBrokerShowsItsLinkAndAnUpperBrokerItsRegionalBrokers) {
  wire::BrokerStatus status;
  wire::Principal regional;
  regional.set_id("broker-zuid-limburg");
  regional.set_role(wire::ROLE_BROKER);
  std::string page = RenderBrokerMetrics(status, {regional}, 1000);
  EXPECT_EQ(page.find("signaal_broker_upstream_"), std::string::npos);  // no [upstream]: no gauges
  EXPECT_NE(page.find("signaal_broker_principals_enrolled{role=\"broker\"} 1"), std::string::npos) << page;
  status.set_upstream_state("unreachable");
  status.set_upstream_weeks_pending(3);
  page = RenderBrokerMetrics(status, {}, 1000);
  EXPECT_NE(page.find("signaal_broker_upstream_connected 0"), std::string::npos) << page;
  EXPECT_NE(page.find("signaal_broker_upstream_weeks_pending 3"), std::string::npos) << page;
}

}  // namespace
}  // namespace signaal::broker
