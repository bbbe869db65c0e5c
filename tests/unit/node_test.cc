// Unit tests of the node's parts, with a real RocksDB in a temporary folder.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <fstream>
#include <sstream>

#include "intake.h"
#include "outbox.h"
#include "signal_store.h"
#include "summariser.h"
#include "hmac.h"
#include "signaal/keys.h"
#include "signaal/labels.h"
#include "sealing.h"
#include "unit_support.h"

namespace signaal::node {
namespace {

const ReferenceData& Ref() { return test::SourceReferenceData(); }

class NodeStore : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/signaal-node-test-XXXXXX";
    dir_ = mkdtemp(tmpl);
    Reopen();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Reopen() {
    store_.reset();
    store_ = std::move(*SignalStore::Open(dir_, "secret-for-tests", std::string(32, 'k')));
  }
  ValidatedSignal Signal(const std::string& date, const std::string& theme, const std::string& person = "") {
    wire::SignalInput in;
    in.set_date(date);
    in.set_municipality("GM0917");
    in.set_theme(theme);
    in.set_person(person);
    in.set_text("Wachttijd schuldhulp");
    auto v = ValidateSignal(in, Ref(), "clientenraad", {2026, 11, 23});
    return std::get<ValidatedSignal>(v);
  }
  std::string dir_;
  std::unique_ptr<SignalStore> store_;
};

TEST_F(NodeStore, OneCitizenUnderEveryWritingOfTheReferenceIsOnePerson) {
  auto added = store_->Add({Signal("2026-10-05", "schulden", "123456782"),
                            Signal("2026-10-06", "schulden", "1234.56.782"),
                            Signal("2026-10-07", "schulden", " 123456782 "), Signal("2026-10-07", "schulden")},
                           1000);
  ASSERT_TRUE(added.ok());
  EXPECT_EQ(added->at(0).id(), "S0000001");
  auto stored = store_->SignalsOf("2026-W41");
  ASSERT_EQ(stored.size(), 4u);
  EXPECT_TRUE(stored[0].text().empty());
  EXPECT_FALSE(stored[0].sealed_text().empty());
  EXPECT_EQ(store_->OpenText(stored[0])->first, "Wachttijd schuldhulp");
  // A sealed value moved to another signal does not open.
  auto moved = stored[1];
  moved.set_sealed_text(stored[0].sealed_text());
  EXPECT_FALSE(store_->OpenText(moved).ok());
  auto cells = Summarise(store_->SignalsOf("2026-W41"), 1, [&](const std::string& id) { return *store_->RecordKey(id); });
  ASSERT_EQ(cells.size(), 1u);
  EXPECT_EQ(cells[0].signals(), 4u);
  EXPECT_EQ(cells[0].persons(), 2u);  // the pseudonymous citizen, and one without a reference
  EXPECT_EQ(Pseudonym("s", "1234-56-782"), Pseudonym("s", "123456782"));
  EXPECT_NE(Pseudonym("s", "123456782"), Pseudonym("t", "123456782"));

  // The raw reference is nowhere in the store's files.
  store_.reset();
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir_)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    EXPECT_EQ(ss.str().find("123456782"), std::string::npos) << entry.path();
    EXPECT_EQ(ss.str().find("Wachttijd"), std::string::npos) << entry.path();
  }
}

TEST_F(NodeStore, VersionsAreMonotonicAcrossReopenAndAcksKeepNewerEntries) {
  auto keys = GenerateSigningKeyPair();
  ASSERT_TRUE(store_->Add({Signal("2026-10-05", "werk"), Signal("2026-10-12", "wonen")}, 1).ok());
  int64_t now = 1795000000;  // 2026-11-19
  {
    Outbox outbox(*store_, Ref(), "n", keys, 365);
    auto first = outbox.Publish(now);
    ASSERT_TRUE(first.ok());
    EXPECT_EQ(first->size(), 2u);
    EXPECT_EQ(store_->last_version(), 2u);
    EXPECT_TRUE(outbox.Publish(now)->empty());  // nothing changed
  }
  Reopen();
  ASSERT_TRUE(store_->Add({Signal("2026-10-06", "werk")}, 2).ok());
  Outbox outbox(*store_, Ref(), "n", keys, 365);
  ASSERT_EQ(*outbox.Publish(now), std::vector<std::string>{"2026-W41"});
  auto entries = *store_->Outbox();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries["2026-W41"].version, 3u);  // replaced the unsent version 1

  // The signed payload verifies and carries both signals of the week.
  wire::SignedEnvelope env;
  ASSERT_TRUE(env.ParseFromString(entries["2026-W41"].envelope));
  EXPECT_TRUE(Verify(keys.public_hex, env.payload(), env.signature()));
  wire::SummarySnapshot snap;
  ASSERT_TRUE(snap.ParseFromString(env.payload()));
  EXPECT_EQ(snap.cells(0).signals(), 2u);
  EXPECT_EQ(snap.SerializeAsString().find("Wachttijd"), std::string::npos);

  outbox.OnAck("2026-W41", 1);  // an ack of the old version keeps the new one pending
  EXPECT_EQ(store_->Outbox()->count("2026-W41"), 1u);
  EXPECT_EQ(outbox.depth(), 2u);
  EXPECT_EQ(outbox.Due(std::chrono::steady_clock::now()).size(), 2u);
  EXPECT_TRUE(outbox.Due(std::chrono::steady_clock::now()).empty());  // backing off
  outbox.OnAck("2026-W41", 3);
  EXPECT_EQ(store_->Outbox()->count("2026-W41"), 0u);
  EXPECT_EQ(outbox.depth(), 1u);
  outbox.OnNack("stale-version", "2026-W42", 2);
  EXPECT_TRUE(store_->Outbox()->empty());
}

// What leaves the node carries a key sum on every cell (schema 2), also on a
// cell merged by minimisation; the sums are those of the stored signals'
// record keys.
TEST_F(NodeStore, EverySnapshotCellCarriesItsKeySum) {
  std::vector<ValidatedSignal> batch;
  for (int i = 0; i < 6; ++i) batch.push_back(Signal("2026-10-05", "werk", "K-" + std::to_string(i)));
  // Two small cells of one theme: below min_cell 3 they merge into one.
  for (const char* sub : {"wonen.betaalbaarheid", "wonen.woning_vinden"}) {
    batch.push_back(Signal("2026-10-06", "wonen"));
    batch.back().record.set_subtheme(sub);
  }
  ASSERT_TRUE(store_->Add(batch, 1).ok());
  Outbox outbox(*store_, Ref(), "n", GenerateSigningKeyPair(), 365, 3);
  ASSERT_TRUE(outbox.Publish(1795000000).ok());
  wire::SignedEnvelope env;
  ASSERT_TRUE(env.ParseFromString((*store_->Outbox())["2026-W41"].envelope));
  wire::SummarySnapshot snap;
  ASSERT_TRUE(snap.ParseFromString(env.payload()));
  std::map<std::string, uint32_t> expected;  // by theme: every cell here is a whole theme
  for (const auto& s : store_->SignalsOf("2026-W41")) expected[s.theme()] += *RecordKey("secret-for-tests", s.id());
  ASSERT_EQ(snap.cells_size(), 2);
  for (const auto& c : snap.cells()) {
    EXPECT_TRUE(c.has_key_sum()) << c.ShortDebugString();
    EXPECT_EQ(c.key_sum(), expected[c.theme()]) << c.ShortDebugString();
  }
  EXPECT_EQ(snap.cells(1).theme(), "wonen");
  EXPECT_EQ(snap.cells(1).signals(), 2u);
  EXPECT_TRUE(snap.cells(1).subtheme().empty());
}

TEST_F(NodeStore, WeeksOutsideRetentionAreNeverSent) {
  ASSERT_TRUE(store_->Add({Signal("2024-01-10", "werk")}, 1).ok());
  Outbox outbox(*store_, Ref(), "n", GenerateSigningKeyPair(), 365);
  EXPECT_TRUE(outbox.Publish(1795000000)->empty());
  EXPECT_TRUE(store_->Outbox()->empty());
  EXPECT_EQ(outbox.depth(), 0u);
  EXPECT_TRUE(store_->DirtyPeriods().empty());
}

std::string AllFiles(const std::string& dir) {
  std::string all;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    all += ss.str();
  }
  return all;
}

TEST_F(NodeStore, ErasureRemovesTheValuesFromTheFiles) {
  ASSERT_TRUE(store_->Add({Signal("2026-10-05", "werk", "K-1"), Signal("2026-10-13", "werk", "K-1"),
                           Signal("2026-10-13", "wonen", "K-2")},
                          1)
                  .ok());
  std::string sealed = store_->SignalsOf("2026-W41")[0].sealed_text();
  ASSERT_FALSE(sealed.empty());
  Outbox outbox(*store_, Ref(), "n", GenerateSigningKeyPair(), 365);
  ASSERT_TRUE(outbox.Publish(1795000000).ok());
  EXPECT_TRUE(store_->DirtyPeriods().empty());

  auto erased = store_->EraseByPerson(" k-1 ");
  ASSERT_TRUE(erased.ok());
  EXPECT_EQ(erased->count, 2u);
  EXPECT_EQ(erased->periods, (std::vector<std::string>{"2026-W41", "2026-W42"}));
  EXPECT_EQ(store_->DirtyPeriods(), (std::vector<std::string>{"2026-W41", "2026-W42"}));
  EXPECT_EQ(store_->CountSignals(), 1u);
  EXPECT_EQ(store_->EraseById("S0000099")->count, 0u);

  std::string files = AllFiles(dir_);
  EXPECT_EQ(files.find(sealed), std::string::npos) << "erased ciphertext is still in the RocksDB files";
  // The republished week 41 has no cells left; week 42 keeps the other citizen.
  ASSERT_TRUE(outbox.Publish(1795000000).ok());
  wire::SignedEnvelope env;
  ASSERT_TRUE(env.ParseFromString((*store_->Outbox())["2026-W41"].envelope));
  wire::SummarySnapshot snap;
  ASSERT_TRUE(snap.ParseFromString(env.payload()));
  EXPECT_EQ(snap.cells_size(), 0);
}

TEST_F(NodeStore, RetentionPurgesOldWeeksOnly) {
  ASSERT_TRUE(store_->Add({Signal("2025-06-02", "werk"), Signal("2025-06-03", "werk"), Signal("2026-10-05", "werk")}, 1)
                  .ok());
  auto purged = store_->PurgeBefore("2025-W30");
  ASSERT_TRUE(purged.ok());
  EXPECT_EQ(*purged, 2u);
  EXPECT_EQ(store_->CountSignals(), 1u);
  EXPECT_EQ(store_->List("").size(), 1u);
  EXPECT_EQ(store_->DirtyPeriods(), std::vector<std::string>{"2026-W41"});  // the purge marks nothing to resend
}

storage::StoredSignal Raw(const std::string& sub, const std::string& age, const std::string& channel,
                       const std::string& person) {
  static int next = 0;
  storage::StoredSignal s;
  s.set_id("R" + std::to_string(++next));
  s.set_municipality("GM0917");
  s.set_theme("schulden");
  s.set_subtheme(sub);
  s.set_age_band(age);
  s.set_channel(channel);
  s.set_person_pseudonym(person);
  return s;
}

// The keyed-once crypto the store uses gives what the one-shot functions give.
TEST(NodeCrypto, KeyedOnceSealerAndHmacMatchTheOneShotFunctions) {
  std::string key(32, 'k');
  auto sealer = Sealer::Create(key);
  ASSERT_TRUE(sealer.ok());
  for (const std::string& text : std::vector<std::string>{"", "Wachttijd schuldhulp", std::string(1000, 'x')}) {
    auto sealed = sealer->Seal(text, "S0000001/text");
    ASSERT_TRUE(sealed.ok());
    EXPECT_EQ(*Unseal(key, *sealed, "S0000001/text"), text);
    EXPECT_FALSE(Unseal(key, *sealed, "S0000002/text").ok());
    EXPECT_NE(*sealer->Seal(text, "S0000001/text"), *sealed);  // a fresh nonce each time
  }
  EXPECT_FALSE(Sealer::Create("short").ok());
  auto mac = HmacSha256Key::Create("secret-for-tests");
  ASSERT_TRUE(mac.ok());
  for (const std::string& data : std::vector<std::string>{"123456782", "", "k-1"}) {
    EXPECT_EQ(*mac->Mac(data), HmacSha256("secret-for-tests", data));
    EXPECT_EQ(*mac->Mac(data), HmacSha256("secret-for-tests", data));  // again, after re-initialising
  }
}

TEST(Summariser, SmallCellsAreGeneralisedAndThemeTotalsStayComplete) {
  std::vector<storage::StoredSignal> signals;
  for (int i = 0; i < 4; ++i) signals.push_back(Raw("schulden.budgetbeheer", "27-66", "helpdesk", "p" + std::to_string(i)));
  signals.push_back(Raw("schulden.budgetbeheer", "67+", "helpdesk", "p0"));
  signals.push_back(Raw("schulden.budgetbeheer", "18-26", "spreekuur", "p9"));
  signals.push_back(Raw("schulden.budgetbeheer", "18-26", "zelfhulp", "p8"));
  signals.push_back(Raw("schulden.vroegsignalering", "0-17", "helpdesk", "p7"));
  // Keys from the id's number, so each cell's expected sum is plain arithmetic.
  auto key_of = [](const std::string& id) { return 0x40000000u * static_cast<uint32_t>(std::stoul(id.substr(1))); };
  uint32_t all_keys = 0;
  for (const auto& s : signals) all_keys += key_of(s.id());
  auto cells = Summarise(signals, 3, key_of);
  uint32_t total = 0, key_total = 0;
  std::map<std::string, wire::SummaryCell> by;
  for (const auto& c : cells) {
    total += c.signals();
    key_total += c.key_sum();
    EXPECT_TRUE(c.has_key_sum());
    by[c.subtheme() + "|" + c.age_band() + "|" + c.channel()] = c;
  }
  EXPECT_EQ(total, 8u);
  EXPECT_EQ(key_total, all_keys);  // generalising adds key sums, mod 2^32
  ASSERT_EQ(cells.size(), 3u);
  EXPECT_EQ(by["schulden.budgetbeheer|27-66|helpdesk"].signals(), 4u);
  // Three small cells of one subtheme: age band and channel generalised, together big enough.
  EXPECT_EQ(by["schulden.budgetbeheer||"].signals(), 3u);
  EXPECT_EQ(by["schulden.budgetbeheer||"].persons(), 3u);
  // Small even without age and channel: counted at theme level only.
  EXPECT_EQ(by["||"].signals(), 1u);
  EXPECT_EQ(by["||"].key_sum(), key_of(signals[7].id()));
  // min_cell 1 keeps every cell as it is.
  EXPECT_EQ(Summarise(signals, 1, key_of).size(), 5u);
}

// Issue 15, finding 6, at the node: merging small cells into one whose sum
// passes 32 bits gives the largest count, not a wrapped small one; the key
// sum still adds mod 2^32 (the cell-key method).
TEST(Summariser, MergedCountsSaturateAndKeySumsStillWrap) {
  CellAggregate big{"GM0917", "schulden", "", "", "", UINT32_MAX - 1, UINT32_MAX - 1, 0, 0x80000000u};
  CellAggregate small{"GM0917", "schulden", "", "18-26", "", 3, 3, 0, 0x80000001u};
  EXPECT_EQ(big.persons(), UINT32_MAX - 1);
  CellAggregate both = big;
  both.distinct = 5;
  EXPECT_EQ(both.persons(), UINT32_MAX) << "anonymous + distinct saturates";
  auto cells = SummariseAggregates({big, small}, 5, [](const CellAggregate&) { return std::vector<std::string>{}; });
  ASSERT_EQ(cells.size(), 1u);
  EXPECT_EQ(cells[0].age_band(), "");
  EXPECT_EQ(cells[0].signals(), UINT32_MAX) << "32-bit sum would read 1";
  EXPECT_EQ(cells[0].persons(), UINT32_MAX);
  EXPECT_EQ(cells[0].key_sum(), 1u) << "key sums wrap on purpose";
}

TEST(Intake, ChecksEveryFieldAndNamesIt) {
  Date today{2026, 11, 23};
  auto check = [&](std::function<void(wire::SignalInput&)> f) {
    wire::SignalInput in;
    in.set_date("2026-10-05");
    in.set_municipality("Heerlen");
    in.set_theme("schulden");
    f(in);
    return ValidateSignal(in, Ref(), "helpdesk", today);
  };
  auto ok = check([](auto&) {});
  ASSERT_TRUE(std::holds_alternative<ValidatedSignal>(ok));
  const auto& r = std::get<ValidatedSignal>(ok).record;
  EXPECT_EQ(r.municipality(), "GM0917");
  EXPECT_EQ(r.channel(), "helpdesk");
  EXPECT_EQ(r.age_band(), "unknown");
  EXPECT_EQ(r.period(), "2026-W41");
  auto field = [&](std::function<void(wire::SignalInput&)> f) {
    auto v = check(f);
    return std::holds_alternative<FieldError>(v) ? std::get<FieldError>(v).field : "";
  };
  EXPECT_EQ(field([](auto& in) { in.set_date("2026-12-25"); }), "date");
  EXPECT_EQ(field([](auto& in) { in.set_municipality("Amsterdam"); }), "municipality");
  EXPECT_EQ(field([](auto& in) { in.set_theme("geld"); }), "theme");
  EXPECT_EQ(field([](auto& in) { in.set_subtheme("werk.scholing"); }), "subtheme");
  EXPECT_EQ(field([](auto& in) { in.set_age_band("old"); }), "age_band");
  EXPECT_EQ(field([](auto& in) { in.set_channel("fax"); }), "channel");
  EXPECT_EQ(field([](auto& in) { in.set_status("gone"); }), "status");
  EXPECT_EQ(field([](auto& in) { in.set_quote("x"); }), "quote");
  EXPECT_EQ(field([](auto& in) { in.set_postcode4("AB"); }), "postcode4");
  auto sub = check([](auto& in) { in.set_theme("schulden.budgetbeheer"); });
  EXPECT_EQ(std::get<ValidatedSignal>(sub).record.subtheme(), "schulden.budgetbeheer");
}

TEST(Intake, CsvReportsEveryBadRowAndRefusesUnknownColumns) {
  Date today{2026, 11, 23};
  std::string csv =
      "date,municipality,theme,severity,quote_consent,quote\n"
      "2026-10-01,GM0917,werk,2,ja,mag geciteerd\n"
      "2026-10-02,GM0917,werk,7,,\n"
      "2026-10-03,GM9999,werk,,,\n"
      "2026-10-04,GM0917,werk,,misschien,\n";
  auto out = ParseSignalCsv(csv, "f.csv", Ref(), "spreekuur", today);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->rows, 4u);
  EXPECT_EQ(out->valid.size(), 1u);
  ASSERT_EQ(out->errors.size(), 3u);
  EXPECT_EQ(out->errors[0].row(), 3u);
  EXPECT_EQ(out->errors[0].field(), "severity");
  EXPECT_EQ(out->errors[1].field(), "municipality");
  EXPECT_EQ(out->errors[2].field(), "quote_consent");
  // "gemeente" is the Dutch for municipality (DutchSpreadsheet below); "kleur" is nothing.
  auto unknown = ParseSignalCsv("date,gemeente,theme,kleur\n", "f.csv", Ref(), "spreekuur", today);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("kleur"), std::string::npos);
  auto missing = ParseSignalCsv("date,theme\n", "f.csv", Ref(), "spreekuur", today);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("municipality"), std::string::npos);
}

}  // namespace
}  // namespace signaal::node

namespace signaal::node {
namespace {

// Spreadsheets as volunteers keep them (issue 17, part 3): Dutch column
// names, themes and subthemes by their labels, channels and statuses in
// Dutch; a label that fits several is an error naming them.
TEST(DutchSpreadsheet, HeadersAndLabelsAsVolunteersWriteThem) {
  const ReferenceData& ref = test::SourceReferenceData();
  const std::string csv =
      "Datum;Gemeente;Thema;Subthema;Leeftijd;Kanaal;Status;Toelichting;Citaat;Toestemming\n"
      "21-09-2026;Heerlen;Schulden & geldzaken;;67+;Cliëntenraad;doorverwezen;tekst;;\n"
      "21-09-2026;GM0917;schulden en geldzaken;Toegang & wachttijd schuldhulpverlening;;inloop;opgelost;;;\n"
      "21-09-2026;GM0917;bijstandsuitkering;;;;;;Het geld is op.;ja\n";
  auto out = ParseSignalCsv(csv, "export.csv", ref, "helpdesk", Date{2026, 11, 1});
  ASSERT_TRUE(out.ok()) << out.status().message();
  ASSERT_TRUE(out->errors.empty()) << out->errors[0].field() << ": " << out->errors[0].message();
  ASSERT_EQ(out->valid.size(), 3u);
  EXPECT_EQ(out->valid[0].record.theme(), "schulden");
  EXPECT_EQ(out->valid[0].record.channel(), "clientenraad");
  EXPECT_EQ(out->valid[0].record.status(), "referred");
  EXPECT_EQ(out->valid[1].record.subtheme().rfind("schulden.", 0), 0u) << out->valid[1].record.subtheme();
  EXPECT_EQ(out->valid[1].record.channel(), "spreekuur");
  EXPECT_EQ(out->valid[1].record.status(), "resolved");
  EXPECT_EQ(out->valid[2].record.theme(), "inkomen");  // a subtheme's label names its theme too
  EXPECT_EQ(out->valid[2].record.subtheme(), "inkomen.bijstand");
  EXPECT_TRUE(out->valid[2].record.quote_consent());
}

TEST(DutchSpreadsheet, AnAmbiguousOrUnknownLabelIsAnErrorNamingTheCandidates) {
  const ReferenceData& ref = test::SourceReferenceData();
  auto ambiguous = ResolveTheme(ref, "zorg", "");
  ASSERT_TRUE(std::holds_alternative<LabelError>(ambiguous));
  EXPECT_NE(std::get<LabelError>(ambiguous).message.find("Mantelzorg & informele zorg"), std::string::npos)
      << std::get<LabelError>(ambiguous).message;
  auto unknown = ResolveTheme(ref, "Voetbal", "");
  ASSERT_TRUE(std::holds_alternative<LabelError>(unknown));
  EXPECT_NE(std::get<LabelError>(unknown).message.find("Schulden & geldzaken"), std::string::npos);
  auto bad = ParseSignalCsv("datum,gemeente,onderwerp,kleur\n", "x.csv", ref, "helpdesk", Date{2026, 11, 1});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("unknown column 'kleur'"), std::string::npos) << bad.status().message();
  EXPECT_NE(bad.status().message().find("toelichting"), std::string::npos);
  EXPECT_EQ(FoldLabel(" Schulden &  Geldzaken "), "schulden en geldzaken");
  EXPECT_EQ(FoldLabel("Cliëntenraad"), "clientenraad");
  EXPECT_EQ(ColumnForHeader("Leeftijd"), "age_band");
}

// The labels a template offers in its dropdowns (signaal/labels.h) read back
// as their codes, and every column's Dutch header names its column: a
// template filled in as offered imports.
TEST(DutchSpreadsheet, EveryTemplateLabelReadsBackAsItsCode) {
  for (const auto& c : ReferenceData::Channels()) EXPECT_EQ(ResolveChannel(ChannelLabel(c)), c) << ChannelLabel(c);
  for (const auto& s : ReferenceData::Statuses()) EXPECT_EQ(ResolveStatus(StatusLabel(s)), s) << StatusLabel(s);
  for (const auto& a : ReferenceData::AgeBands()) EXPECT_EQ(ResolveAgeBand(AgeBandLabel(a)), a) << AgeBandLabel(a);
  for (const auto& col : SignalColumns()) EXPECT_EQ(ColumnForHeader(DutchHeader(col)), col) << DutchHeader(col);
  auto out = ParseSignalCsv("datum;gemeente;thema;leeftijd\n21-09-2026;Heerlen;schulden;Onbekend\n", "t.csv",
                            test::SourceReferenceData(), "helpdesk", Date{2026, 11, 1});
  ASSERT_TRUE(out.ok()) << out.status().message();
  ASSERT_EQ(out->valid.size(), 1u);
  EXPECT_EQ(out->valid[0].record.age_band(), "unknown");
}

}  // namespace
}  // namespace signaal::node
