// The intake page in real headless Chromium, used with the keyboard alone as
// a volunteer who does not use a mouse would: log in, record a signal, find
// it in the list, correct it; a second volunteer does not see it; the
// coordinator's pages. Screenshots of each page land in
// build/test-artifacts/intake-*.png.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "browser.h"
#include "network.h"

namespace signaal::test {
namespace {

using namespace std::chrono_literals;

class IntakeInBrowser : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(net_.StartBroker("limburg", 5, 2));
    node_ = net_.AddNode("Cliëntenraad Heerlen", "clientenraad", "GM0917");
    ASSERT_NE(node_, nullptr);
    port_ = net_.EnableIntakePage(*node_);
    ASSERT_NE(port_, 0);
    anna_ = net_.AddIntakeUser(*node_, "anna", "volunteer");
    carla_ = net_.AddIntakeUser(*node_, "carla", "volunteer");
    bert_ = net_.AddIntakeUser(*node_, "bert", "coordinator");
    artifacts_ = std::string(SIGNAAL_BIN_DIR) + "/test-artifacts";
    std::filesystem::create_directories(artifacts_);
  }

  std::unique_ptr<Browser> Launch(const std::string& who) {
    std::string error;
    auto b = Browser::Launch(dir_.path() + "/chromium-" + who, &error);
    EXPECT_TRUE(b) << error << " (deploy/install-deps.sh --test installs Debian's chromium)";
    return b;
  }

  std::string Url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }

  void Shot(Browser& b, const std::string& name) {
    std::ofstream(artifacts_ + "/intake-" + name + ".png", std::ios::binary) << b.Screenshot();
  }

  static std::string Focused(Browser& b) {
    auto j = b.Evaluate("(document.activeElement.name || document.activeElement.id || "
                        "document.activeElement.textContent || '').trim()");
    return j.is_string() ? j.get<std::string>() : "";
  }

  // Tabs forward until the element named `name` has focus (at most 60 presses).
  static bool TabTo(Browser& b, const std::string& name) {
    for (int i = 0; i < 60; ++i) {
      if (Focused(b) == name) return true;
      if (!b.Key("Tab")) return false;
    }
    return false;
  }

  static std::string Text(Browser& b, const std::string& selector) {
    auto j = b.Evaluate("(document.querySelector('" + selector + "') || {}).textContent || ''");
    return j.is_string() ? j.get<std::string>() : "";
  }

  // Logs in with the keyboard from the login page.
  void LogIn(Browser& b, const std::string& name, const std::string& password) {
    std::string error;
    ASSERT_TRUE(b.Open(Url("/inloggen"), 1024, 900, &error)) << error;
    // The name field has focus when the page opens (autofocus, applied just after load).
    ASSERT_TRUE(WaitUntil([&] { return Focused(b) == "naam"; }, 5s)) << Focused(b);
    ASSERT_TRUE(b.Type(name));
    ASSERT_TRUE(b.Key("Tab"));
    ASSERT_EQ(Focused(b), "wachtwoord");
    ASSERT_TRUE(b.Type(password));
    ASSERT_TRUE(b.KeyAndWaitForLoad("Enter"));
    ASSERT_NE(b.Evaluate("location.pathname").get<std::string>().find("/signaal/nieuw"), std::string::npos);
  }

  TempDir dir_;
  Network net_{dir_};
  NodeHandle* node_ = nullptr;
  int port_ = 0;
  std::string anna_, carla_, bert_, artifacts_;
};

TEST_F(IntakeInBrowser, AVolunteerRecordsFindsAndCorrectsASignalWithTheKeyboardAlone) {
  auto anna = Launch("anna");
  ASSERT_TRUE(anna);
  std::string error;
  ASSERT_TRUE(anna->Open(Url("/inloggen"), 1024, 900, &error)) << error;
  Shot(*anna, "inloggen");
  LogIn(*anna, "anna", anna_);
  Shot(*anna, "nieuw-signaal");

  // Every field has a label; the focus ring shows.
  EXPECT_EQ(anna->Evaluate("[...document.querySelectorAll('input:not([type=hidden]),select,textarea')]"
                           ".filter(e => !document.querySelector('label[for=\"' + e.id + '\"]')).length"),
            0);
  ASSERT_TRUE(TabTo(*anna, "thema"));
  EXPECT_EQ(anna->Evaluate("getComputedStyle(document.activeElement).outlineStyle"), "solid");
  for (char c : std::string("Schulden")) ASSERT_TRUE(anna->Char(c));  // type-ahead in the list
  EXPECT_EQ(anna->Evaluate("document.activeElement.value"), "schulden");
  ASSERT_TRUE(TabTo(*anna, "toelichting"));
  ASSERT_TRUE(anna->Type("Mevrouw kon de energierekening niet betalen. Bel haar op 06-12345678."));
  // The scrubber's hint, while typing: a telephone number.
  bool hinted = WaitUntil(
      [&] { return Text(*anna, "#toelichting-scrub").find("telefoonnummer") != std::string::npos; }, 10s);
  EXPECT_TRUE(hinted) << Text(*anna, "#toelichting-scrub");
  Shot(*anna, "hint");
  ASSERT_TRUE(TabTo(*anna, "Signaal opslaan"));
  ASSERT_TRUE(anna->KeyAndWaitForLoad("Enter"));
  const std::string notice = Text(*anna, ".notice");
  ASSERT_NE(notice.find("Opgeslagen als signaal S"), std::string::npos) << notice;
  const std::string id = notice.substr(notice.find("signaal S") + 8, 8);
  Shot(*anna, "opgeslagen");

  // To the list by its link in the menu.
  ASSERT_TRUE(TabTo(*anna, "Mijn signalen"));
  ASSERT_TRUE(anna->KeyAndWaitForLoad("Enter"));
  EXPECT_NE(Text(*anna, "main").find(id), std::string::npos);
  EXPECT_NE(Text(*anna, "main").find("Schulden & geldzaken"), std::string::npos);
  Shot(*anna, "mijn-signalen");

  // Correct it: its link, then the toelichting replaced.
  ASSERT_TRUE(TabTo(*anna, "Corrigeren signaal " + id));
  ASSERT_TRUE(anna->KeyAndWaitForLoad("Enter"));
  ASSERT_TRUE(TabTo(*anna, "toelichting"));
  ASSERT_TRUE(anna->Key("a", 2));  // Ctrl+A
  ASSERT_TRUE(anna->Key("Backspace"));
  ASSERT_TRUE(anna->Type("Kon de energierekening niet betalen; doorverwezen naar schuldhulp."));
  Shot(*anna, "corrigeren");
  ASSERT_TRUE(TabTo(*anna, "Correctie opslaan"));
  ASSERT_TRUE(anna->KeyAndWaitForLoad("Enter"));
  EXPECT_NE(Text(*anna, ".notice").find("gecorrigeerd"), std::string::npos) << Text(*anna, "main");
  ASSERT_TRUE(anna->Navigate(Url("/signalen/" + id)));
  EXPECT_EQ(anna->Evaluate("document.querySelector('[name=toelichting]').value"),
            "Kon de energierekening niet betalen; doorverwezen naar schuldhulp.");

  // Nothing came from anywhere but the node (data: is Chromium's own date-picker icon, never the network).
  for (const auto& url : anna->Requests()) {
    EXPECT_TRUE(url.rfind(Url("/"), 0) == 0 || url.rfind("data:", 0) == 0) << url;
  }

  // A second volunteer does not see it, and cannot open it.
  auto carla = Launch("carla");
  ASSERT_TRUE(carla);
  LogIn(*carla, "carla", carla_);
  ASSERT_TRUE(carla->Navigate(Url("/signalen")));
  EXPECT_EQ(Text(*carla, "main").find(id), std::string::npos);
  Shot(*carla, "ander-account");
  ASSERT_TRUE(carla->Navigate(Url("/signalen/" + id)));
  EXPECT_EQ(Text(*carla, "main").find("energierekening"), std::string::npos);
}

TEST_F(IntakeInBrowser, FitsAPhoneAndShowsErrorsNextToTheirField) {
  auto anna = Launch("anna");
  ASSERT_TRUE(anna);
  LogIn(*anna, "anna", anna_);
  std::string error;
  ASSERT_TRUE(anna->Open(Url("/signaal/nieuw"), 375, 740, &error)) << error;
  EXPECT_LE(anna->Evaluate("document.documentElement.scrollWidth").get<int>(), 375);
  // A quote without consent: the error stands beside the field and in the list at the top.
  ASSERT_TRUE(TabTo(*anna, "thema"));
  for (char c : std::string("Wonen")) ASSERT_TRUE(anna->Char(c));
  ASSERT_TRUE(TabTo(*anna, "citaat"));
  ASSERT_TRUE(anna->Type("Ik slaap al maanden op de bank bij mijn zus."));
  ASSERT_TRUE(TabTo(*anna, "Signaal opslaan"));
  ASSERT_TRUE(anna->KeyAndWaitForLoad("Enter"));
  EXPECT_NE(Text(*anna, "#toestemming-fout").find("toestemming"), std::string::npos) << Text(*anna, "main");
  EXPECT_EQ(anna->Evaluate("document.querySelector('#toestemming').getAttribute('aria-invalid')"), "true");
  EXPECT_NE(Text(*anna, "#fouten").find("Toestemming"), std::string::npos);
  EXPECT_EQ(anna->Evaluate("document.querySelector('#citaat').value"), "Ik slaap al maanden op de bank bij mijn zus.");
  EXPECT_LE(anna->Evaluate("document.documentElement.scrollWidth").get<int>(), 375);
  Shot(*anna, "telefoon-fout");
}

TEST_F(IntakeInBrowser, TheCoordinatorSeesTheQuoteReviewAndTheNodeInWords) {
  auto anna = Launch("anna");
  ASSERT_TRUE(anna);
  LogIn(*anna, "anna", anna_);
  ASSERT_TRUE(anna->Evaluate("(() => { const f = document.getElementById('signaal-form');"
                             "f.thema.value = 'schulden'; f.citaat.value = 'De brieven stapelen zich op, zei mevrouw "
                             "Jansen.'; f.toestemming.checked = true; return true; })()")
                  .get<bool>());
  ASSERT_TRUE(TabTo(*anna, "Signaal opslaan"));
  ASSERT_TRUE(anna->KeyAndWaitForLoad("Enter"));
  auto bert = Launch("bert");
  ASSERT_TRUE(bert);
  LogIn(*bert, "bert", bert_);
  ASSERT_TRUE(bert->Navigate(Url("/citaten")));
  EXPECT_NE(Text(*bert, "main").find("De brieven stapelen zich op"), std::string::npos);
  EXPECT_EQ(Text(*bert, "main").find("Jansen"), std::string::npos);
  Shot(*bert, "citaten");
  ASSERT_TRUE(TabTo(*bert, "Goedkeuren"));
  ASSERT_TRUE(bert->KeyAndWaitForLoad("Enter"));
  EXPECT_NE(Text(*bert, ".notice").find("goedgekeurd"), std::string::npos);
  ASSERT_TRUE(bert->Navigate(Url("/stand")));
  EXPECT_NE(Text(*bert, "main").find("Verbonden met de regio"), std::string::npos) << Text(*bert, "main");
  Shot(*bert, "stand");
}

}  // namespace
}  // namespace signaal::test
