// The scrubber's detectors one by one: what each must find, with its exact
// span, and the look-alikes in a volunteer's note it must leave alone
// (amounts, times, durations, places, organisations). The corpus test
// (scrub_corpus_test.cc) measures the whole on annotated notes.
#include <gtest/gtest.h>

#include "../../common/src/scrub/scrub_detect.h"
#include "signaal/scrub.h"

namespace signaal {
namespace {

class Scrub : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto loaded = PiiScrubber::Load(SIGNAAL_SOURCE_DATA_DIR);
    ASSERT_TRUE(loaded.ok()) << loaded.status().message();
    scrubber_ = std::move(*loaded).release();
  }
  static void TearDownTestSuite() { delete scrubber_; }
  static std::string Scrubbed(const std::string& text) { return scrubber_->Scrub(text).text; }
  static PiiScrubber* scrubber_;
};
PiiScrubber* Scrub::scrubber_ = nullptr;

TEST(ScrubChecks, ElfproefAndIbanMod97) {
  EXPECT_TRUE(scrub::PassesElfproef("111222333"));
  EXPECT_TRUE(scrub::PassesElfproef("123456782"));
  EXPECT_FALSE(scrub::PassesElfproef("123456789"));
  EXPECT_FALSE(scrub::PassesElfproef("000000000"));
  EXPECT_FALSE(scrub::PassesElfproef("12345678"));
  EXPECT_TRUE(scrub::PassesIbanCheck("NL91ABNA0417164300"));
  EXPECT_TRUE(scrub::PassesIbanCheck("nl91 abna 0417 1643 00"));
  EXPECT_FALSE(scrub::PassesIbanCheck("NL91ABNA0417164301"));
  EXPECT_TRUE(scrub::PassesIbanCheck("BE68539007547034"));
  EXPECT_TRUE(scrub::PassesIbanCheck("DE89370400440532013000"));
}

TEST_F(Scrub, NumbersWithACheck) {
  EXPECT_EQ(Scrubbed("BSN 123456782, rekening NL91 ABNA 0417 1643 00."), "BSN [BSN], rekening [IBAN].");
  EXPECT_EQ(Scrubbed("zijn nummer is 123.456.782"), "zijn nummer is [BSN]");
  EXPECT_EQ(Scrubbed("bsn: 12345678"), "bsn: [BSN]");  // eight digits after the label
  EXPECT_EQ(Scrubbed("klantnummer 123456789 bij het UWV"), "klantnummer 123456789 bij het UWV");  // fails the check
  EXPECT_EQ(Scrubbed("rekening nl91abna0417164300 en BE68 5390 0754 7034"), "rekening [IBAN] en [IBAN]");
}

TEST_F(Scrub, PhoneNumbersInEveryForm) {
  for (const char* phone : {"06-12345678", "06 12 34 56 78", "0612345678", "+31 6 1234 5678", "+31(0)6-12345678",
                            "045-5712345", "045 571 23 45", "(045) 571 2345", "0031 45 571 2345", "0800-0432",
                            "+32 470 12 34 56", "+49 241 1234567"}) {
    EXPECT_EQ(Scrubbed(std::string("bel ") + phone + " na vijven"), "bel [TELEFOON] na vijven") << phone;
  }
  for (const char* not_phone : {"om 14.30 uur", "€ 1.250,- per maand", "2 keer per week", "in week 14",
                                "sinds 2019", "op 06-12-2023 ingediend"}) {
    EXPECT_EQ(Scrubbed(not_phone).find("[TELEFOON]"), std::string::npos) << not_phone;
  }
}

TEST_F(Scrub, EmailsPostcodesAndAddresses) {
  EXPECT_EQ(Scrubbed("mail J.Jansen-Smit+wmo@ziggo.nl."), "mail [E-MAIL].");
  EXPECT_EQ(Scrubbed("woont op Akerstraat 14a, 6411 AB Heerlen"), "woont op [ADRES], [POSTCODE] Heerlen");
  EXPECT_EQ(Scrubbed("adres: Burgemeester de Hesselleplein 3-B"), "adres: [ADRES]");
  EXPECT_EQ(Scrubbed("woont aan de akerstraat 14 in Heerlen"), "woont aan de [ADRES] in Heerlen");
  EXPECT_EQ(Scrubbed("postcode 6411ab"), "postcode [POSTCODE]");
  // A street without a number, and a number after an ordinary noun, stay.
  EXPECT_EQ(Scrubbed("woont aan de Akerstraat"), "woont aan de Akerstraat");
  EXPECT_EQ(Scrubbed("zie de vergadering 2 van het jaar"), "zie de vergadering 2 van het jaar");
  EXPECT_EQ(Scrubbed("het kost 1400 en dat is veel"), "het kost 1400 en dat is veel");
}

TEST_F(Scrub, DatesAndAgesButNotDurations) {
  EXPECT_EQ(Scrubbed("geboren op 12-03-1958"), "geboren op [DATUM]");
  EXPECT_EQ(Scrubbed("geboren op 3 maart 1958"), "geboren op [DATUM]");
  EXPECT_EQ(Scrubbed("geb. 1958, weduwe"), "geb. [DATUM], weduwe");
  EXPECT_EQ(Scrubbed("sinds 2019 in de bijstand"), "sinds 2019 in de bijstand");
  EXPECT_EQ(Scrubbed("in maart op dinsdag"), "in maart op dinsdag");
  EXPECT_EQ(Scrubbed("ik ben 67 en woon alleen"), "ik ben [LEEFTIJD] en woon alleen");
  EXPECT_EQ(Scrubbed("een 67-jarige vrouw"), "een [LEEFTIJD] vrouw");
  EXPECT_EQ(Scrubbed("haar zoon van 16 spijbelt"), "haar zoon van [LEEFTIJD] spijbelt");
  EXPECT_EQ(Scrubbed("meneer is 45 jaar oud"), "meneer is [LEEFTIJD] oud");
  EXPECT_EQ(Scrubbed("zit al 3 jaar in de schulden"), "zit al 3 jaar in de schulden");
  EXPECT_EQ(Scrubbed("2 jaar geleden verhuisd"), "2 jaar geleden verhuisd");
  EXPECT_EQ(Scrubbed("het is 50 euro per maand"), "het is 50 euro per maand");
}

TEST_F(Scrub, NamesByTitleInitialsRelationAndParticle) {
  EXPECT_EQ(Scrubbed("mevrouw Jansen belde"), "mevrouw [NAAM] belde");
  EXPECT_EQ(Scrubbed("dhr. P. van der Linden kwam langs"), "dhr. [NAAM] kwam langs");
  EXPECT_EQ(Scrubbed("haar dochter Sanne staat op de wachtlijst"), "haar dochter [NAAM] staat op de wachtlijst");
  EXPECT_EQ(Scrubbed("gesproken met de Vries over de aanvraag"), "gesproken met [NAAM] over de aanvraag");
  EXPECT_EQ(Scrubbed("Fatima El Amrani en Ayşe Yılmaz kwamen samen"), "[NAAM] en [NAAM] kwamen samen");
  EXPECT_EQ(Scrubbed("mw. jansen-de vries"), "mw. [NAAM]");
  // Places, organisations and ordinary words at a sentence's start stay.
  EXPECT_EQ(Scrubbed("Woont in Heerlen en gaat naar het UWV en de Belastingdienst."),
            "Woont in Heerlen en gaat naar het UWV en de Belastingdienst.");
  EXPECT_EQ(Scrubbed("Sociale Zaken heeft de bijstand stopgezet."), "Sociale Zaken heeft de bijstand stopgezet.");
}

TEST_F(Scrub, SpansCountCodePointsAndBrokenUtf8ComesOutReplaced) {
  auto spans = scrubber_->Find("Zoë Jansen belt");
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0], (PiiSpan{0, 10, PiiKind::kName}));
  auto out = scrubber_->Scrub(std::string("te\xff laat, bel 06-12345678"));
  EXPECT_EQ(out.text, "te\xEF\xBF\xBD laat, bel [TELEFOON]");
  ASSERT_EQ(out.spans.size(), 1u);
  EXPECT_EQ(out.spans[0].start, 14u);  // "te", U+FFFD, " laat, bel " before it
}

}  // namespace
}  // namespace signaal
