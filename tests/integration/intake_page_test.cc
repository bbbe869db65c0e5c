// The node's intake page (issue 17) used as volunteers and a coordinator use
// it, and as an attacker would: a real node with [web] on, accounts made with
// the real CLI, every request over a loopback socket.
#include <gtest/gtest.h>

#include <set>

#include "network.h"
#include "signaal/period.h"
#include "web_client.h"

namespace signaal::test {
namespace {

using namespace std::chrono_literals;
using Fields = std::vector<std::pair<std::string, std::string>>;

class IntakePage : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(net_.StartBroker("limburg", 5, 2));
    node_ = net_.AddNode("Cliëntenraad Heerlen", "clientenraad", "GM0917");
    ASSERT_NE(node_, nullptr);
    port_ = net_.EnableIntakePage(*node_);
    ASSERT_NE(port_, 0);
    anna_ = AddUser("anna", "volunteer");
    carla_ = AddUser("carla", "volunteer");
    bert_ = AddUser("bert", "coordinator");
  }

  std::string AddUser(const std::string& name, const std::string& role) {
    std::string password = net_.AddIntakeUser(*node_, name, role);
    EXPECT_FALSE(password.empty());
    return password;
  }

  Fields Signal(const std::string& text) {
    return {{"datum", Today().ToIso()}, {"gemeente", "GM0917"}, {"thema", "schulden"},
            {"subthema", ""},           {"leeftijd", "27-66"},  {"kanaal", "clientenraad"},
            {"ernst", "2"},             {"status", "open"},     {"toelichting", text},
            {"persoon", ""},            {"postcode", ""},       {"citaat", ""}};
  }

  static Date Today() { return DateFromUnix(std::time(nullptr)); }

  // The signal the redirect's notice names, or "".
  static std::string StoredId(WebClient& c) {
    auto page = c.Get("/signaal/nieuw");
    size_t at = page.body.find("Opgeslagen als signaal ");
    return at == std::string::npos ? "" : page.body.substr(at + 23, 8);
  }

  nlohmann::json CliSignals() {
    auto r = net_.NodeCli(*node_, {"signal", "list", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.Json();
  }

  bool StillServing() {
    WebClient c(port_);
    return c.Get("/inloggen").status == 200 && net_.NodeCli(*node_, {"status"}).exit_code == 0;
  }

  TempDir dir_;
  Network net_{dir_};
  NodeHandle* node_ = nullptr;
  int port_ = 0;
  std::string anna_, carla_, bert_;
};

TEST_F(IntakePage, AVolunteerRecordsSeesCorrectsAndErasesTheirSignal) {
  WebClient anna(port_);
  ASSERT_TRUE(anna.Login("anna", anna_));
  auto stored = anna.Post("/signaal/nieuw", Signal("Kon de energierekening niet betalen"));
  ASSERT_EQ(stored.status, 303) << stored.body;
  const std::string id = StoredId(anna);
  ASSERT_EQ(id.size(), 8u);

  auto list = anna.Get("/signalen");
  ASSERT_EQ(list.status, 200);
  EXPECT_NE(list.body.find(id), std::string::npos);
  EXPECT_NE(list.body.find("Schulden &amp; geldzaken"), std::string::npos);
  EXPECT_NE(list.body.find("Kon de energierekening niet betalen"), std::string::npos);  // their own words, to tell signals apart

  // The correction form holds what was entered, the toelichting opened.
  auto form = anna.Get("/signalen/" + id);
  ASSERT_EQ(form.status, 200);
  EXPECT_NE(form.body.find("Kon de energierekening niet betalen"), std::string::npos);
  Fields corrected = Signal("Kon de huur niet betalen");
  corrected[2].second = "wonen";
  corrected.erase(corrected.end() - 1);  // no quote in a correction
  auto saved = anna.Post("/signalen/" + id, corrected);
  ASSERT_EQ(saved.status, 303) << saved.body;
  auto signals = CliSignals();
  ASSERT_EQ(signals.size(), 1u);
  EXPECT_EQ(signals[0]["id"], id);
  EXPECT_EQ(signals[0]["theme"], "wonen");
  EXPECT_EQ(signals[0]["entered_by"], "anna");  // recorded with the signal, locally
  EXPECT_EQ(signals[0]["has_text"], true);

  ASSERT_EQ(anna.Get("/signalen/" + id + "/wissen").status, 200);
  auto erased = anna.Post("/signalen/" + id + "/wissen", {});
  EXPECT_EQ(erased.status, 303) << erased.body;
  EXPECT_TRUE(CliSignals().empty());
}

TEST_F(IntakePage, AnotherAccountCannotSeeCorrectOrEraseIt) {
  WebClient anna(port_), carla(port_);
  ASSERT_TRUE(anna.Login("anna", anna_));
  ASSERT_EQ(anna.Post("/signaal/nieuw", Signal("Wachtlijst schuldhulp")).status, 303);
  const std::string id = StoredId(anna);
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(carla.Login("carla", carla_));
  EXPECT_EQ(carla.Get("/signalen").body.find(id), std::string::npos);
  auto peek = carla.Get("/signalen/" + id);
  EXPECT_EQ(peek.status, 404);
  EXPECT_EQ(peek.body.find("Wachtlijst"), std::string::npos);
  Fields change = Signal("overschreven");
  change.pop_back();
  EXPECT_EQ(carla.Post("/signalen/" + id, change).status, 422);
  EXPECT_NE(carla.Post("/signalen/" + id + "/wissen", {}).status, 303);
  auto signals = CliSignals();
  ASSERT_EQ(signals.size(), 1u);
  EXPECT_EQ(signals[0]["theme"], "schulden");
}

TEST_F(IntakePage, TenWrongPasswordsLockTheNameAndAreLoggedWithoutThePassword) {
  WebClient mallory(port_);
  std::vector<int> statuses;
  for (int i = 0; i < 10; ++i) {
    mallory.Get("/inloggen");
    statuses.push_back(mallory.Post("/inloggen", {{"naam", "anna"}, {"wachtwoord", "geheim-fout-" + std::to_string(i)}}).status);
  }
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 401), 5);
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 429), 5);
  // Locked: the right password waits too.
  WebClient anna(port_);
  EXPECT_FALSE(anna.Login("anna", anna_));
  const std::string log = node_->daemon->ReadLog();
  EXPECT_NE(log.find("failed login for 'anna'"), std::string::npos);
  EXPECT_EQ(log.find("geheim-fout"), std::string::npos);
  EXPECT_EQ(log.find(anna_), std::string::npos);
  // Another volunteer at the same address is not locked out by them.
  WebClient carla(port_);
  EXPECT_TRUE(carla.Login("carla", carla_));
  EXPECT_TRUE(StillServing());
}

TEST_F(IntakePage, AForgedOrReplayedCsrfTokenIsRefusedAndNothingStored) {
  WebClient anna(port_), carla(port_);
  ASSERT_TRUE(anna.Login("anna", anna_));
  ASSERT_TRUE(carla.Login("carla", carla_));
  Fields forged = Signal("vals");
  forged.insert(forged.begin(), {"csrf", std::string(64, 'a')});
  EXPECT_EQ(anna.Post("/signaal/nieuw", forged).status, 403);
  Fields missing = Signal("zonder token");
  missing.insert(missing.begin(), {"csrf", ""});
  EXPECT_EQ(anna.Post("/signaal/nieuw", missing).status, 403);
  // Carla's token with anna's session.
  Fields other = Signal("token van een ander");
  other.insert(other.begin(), {"csrf", carla.csrf});
  EXPECT_EQ(anna.Post("/signaal/nieuw", other).status, 403);
  // Replayed after logout: the session and its token are gone.
  const std::string old_cookie = anna.cookie, old_token = anna.csrf;
  ASSERT_EQ(anna.Post("/uitloggen", {}).status, 303);
  anna.cookie = old_cookie;
  Fields replayed = Signal("na uitloggen");
  replayed.insert(replayed.begin(), {"csrf", old_token});
  EXPECT_EQ(anna.Post("/signaal/nieuw", replayed).status, 403);
  EXPECT_TRUE(CliSignals().empty());
  EXPECT_NE(node_->daemon->ReadLog().find("CSRF token is wrong"), std::string::npos);
  EXPECT_TRUE(StillServing());
}

TEST_F(IntakePage, AForgedOrStaleCookieIsNotASession) {
  WebClient anna(port_);
  ASSERT_TRUE(anna.Login("anna", anna_));
  WebClient forger(port_);
  forger.cookie = std::string(64, 'f');
  EXPECT_EQ(forger.Get("/signalen").status, 303);
  forger.cookie = anna.cookie + "x";
  EXPECT_EQ(forger.Get("/signalen").status, 303);
  // A disabled account's session ends at once.
  ASSERT_EQ(net_.NodeCli(*node_, {"user", "disable", "anna"}).exit_code, 0);
  EXPECT_EQ(anna.Get("/signalen").status, 303);
  EXPECT_EQ(anna.Get("/signalen").Location(), "/inloggen");
  // A reset password ends carla's session too.
  WebClient carla(port_);
  ASSERT_TRUE(carla.Login("carla", carla_));
  ASSERT_EQ(net_.NodeCli(*node_, {"user", "reset", "carla"}).exit_code, 0);
  EXPECT_EQ(carla.Get("/signalen").status, 303);
}

TEST_F(IntakePage, AnOversizedFormIsRefusedAndTheNodeServesOn) {
  WebClient anna(port_);
  ASSERT_TRUE(anna.Login("anna", anna_));
  Fields big = Signal(std::string(200 * 1024, 'x'));
  auto r = anna.Post("/signaal/nieuw", big);
  EXPECT_EQ(r.status, 413);
  // Announced small, sent large: still refused.
  std::string body = "csrf=" + anna.csrf + "&toelichting=" + std::string(100 * 1024, 'y');
  auto lied = anna.Raw("POST /signaal/nieuw HTTP/1.1\r\nHost: x\r\nCookie: signaal_sessie=" + anna.cookie +
                       "\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n" +
                       [&] {
                         char size[16];
                         std::snprintf(size, sizeof size, "%zx\r\n", body.size());
                         return std::string(size) + body + "\r\n0\r\n\r\n";
                       }());
  EXPECT_NE(lied.status, 303);
  // A head of 100 kB.
  auto head = anna.Raw("GET /signalen HTTP/1.1\r\nHost: x\r\nX-Filler: " + std::string(100 * 1024, 'z') +
                       "\r\nConnection: close\r\n\r\n");
  EXPECT_TRUE(head.status == 431 || head.status == 413 || head.status == 0) << head.status;
  EXPECT_TRUE(CliSignals().empty());
  EXPECT_TRUE(StillServing());
}

TEST_F(IntakePage, ScriptInEveryFieldIsEscapedWhereverItIsShown) {
  const std::string evil = "<script>alert(1)</script>\"'><img src=x onerror=alert(2)>";
  WebClient anna(port_);
  ASSERT_TRUE(anna.Login("anna", anna_));
  Fields fields = Signal(evil);
  for (auto& [name, value] : fields) {
    if (name != "datum" && name != "thema" && name != "gemeente") value = evil;
  }
  auto refused = anna.Post("/signaal/nieuw", fields);
  EXPECT_EQ(refused.status, 422);
  EXPECT_EQ(refused.body.find("<script>alert"), std::string::npos);
  EXPECT_EQ(refused.body.find("<img src=x"), std::string::npos);
  EXPECT_NE(refused.body.find("&lt;script&gt;"), std::string::npos);  // shown back, as text

  Fields ok = Signal(evil);
  ok.back().second = evil;  // the quote
  ok.emplace_back("toestemming", "ja");
  ASSERT_EQ(anna.Post("/signaal/nieuw", ok).status, 303);
  const std::string id = StoredId(anna);
  for (const std::string& path : {std::string("/signalen"), "/signalen/" + id, "/signalen/" + id + "/wissen"}) {
    auto page = anna.Get(path);
    EXPECT_EQ(page.status, 200) << path;
    EXPECT_EQ(page.body.find("<script>alert"), std::string::npos) << path;
    EXPECT_EQ(page.body.find("<img src=x"), std::string::npos) << path;
  }
  WebClient bert(port_);
  ASSERT_TRUE(bert.Login("bert", bert_));
  auto quotes = bert.Get("/citaten");
  ASSERT_EQ(quotes.status, 200);
  EXPECT_NE(quotes.body.find("Signaal " + id), std::string::npos);
  EXPECT_EQ(quotes.body.find("<script>alert"), std::string::npos);
  EXPECT_EQ(quotes.body.find("<img src=x"), std::string::npos);
  // The login form shows a name back: escaped too.
  WebClient mallory(port_);
  mallory.Get("/inloggen");
  auto login = mallory.Post("/inloggen", {{"naam", evil}, {"wachtwoord", "x"}});
  EXPECT_EQ(login.body.find("<script>alert"), std::string::npos);
  // Every page says where scripts may come from: this node only.
  EXPECT_NE(quotes.headers["content-security-policy"].find("script-src 'self'"), std::string::npos);
}

TEST_F(IntakePage, APathOutsideTheAppIsRefused) {
  WebClient anna(port_);
  ASSERT_TRUE(anna.Login("anna", anna_));
  for (const char* path : {"/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/signalen/../../etc/passwd",
                                  "/stijl.css/../../node.toml", "//etc/passwd", "/signalen/S1/../../../x"}) {
    auto r = anna.Get(path);
    EXPECT_TRUE(r.status == 404 || r.status == 400 || r.status == 303) << path << ": " << r.status;
    EXPECT_EQ(r.body.find("root:"), std::string::npos) << path;
    EXPECT_EQ(r.body.find("public_key"), std::string::npos) << path;
  }
  EXPECT_EQ(anna.Raw("DELETE /signalen HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").status, 405);
  EXPECT_TRUE(StillServing());
}

TEST_F(IntakePage, TheCoordinatorReviewsQuotesAndSeesTheNodeInWords) {
  WebClient anna(port_), bert(port_);
  ASSERT_TRUE(anna.Login("anna", anna_));
  Fields with_quote = Signal("gesprek op het spreekuur");
  with_quote.back().second = "Ik durf de post niet meer open te maken, zei Jan de Vries.";
  with_quote.emplace_back("toestemming", "ja");
  ASSERT_EQ(anna.Post("/signaal/nieuw", with_quote).status, 303);
  const std::string id = StoredId(anna);
  EXPECT_EQ(anna.Get("/citaten").status, 404);  // a volunteer does not review
  EXPECT_EQ(anna.Get("/stand").status, 404);
  ASSERT_TRUE(bert.Login("bert", bert_));
  auto quotes = bert.Get("/citaten");
  ASSERT_EQ(quotes.status, 200);
  EXPECT_NE(quotes.body.find("Ik durf de post niet meer open te maken"), std::string::npos);
  EXPECT_EQ(quotes.body.find("Jan de Vries"), std::string::npos);  // scrubbed at intake
  auto approved = bert.Post("/citaten/" + id + "/goedkeuren", {});
  ASSERT_EQ(approved.status, 303);
  EXPECT_NE(bert.Get("/citaten").body.find("goedgekeurd"), std::string::npos);
  auto q = net_.NodeCli(*node_, {"quotes", "list", "--json"}).Json();
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(q[0]["state"], "approved");
  EXPECT_EQ(q[0]["decided_by"], "web:bert");
  auto status = bert.Get("/stand");
  ASSERT_EQ(status.status, 200);
  EXPECT_NE(status.body.find("Verbonden met de regio"), std::string::npos) << status.body;
  EXPECT_NE(status.body.find("signalen opgeslagen"), std::string::npos);
}

TEST_F(IntakePage, TheHintMarksWhatLooksLikePersonalData) {
  WebClient anna(port_);
  ASSERT_TRUE(anna.Login("anna", anna_));
  auto r = anna.Post("/hint", {{"tekst", "Bel mevrouw Jansen op 06-12345678"}});
  ASSERT_EQ(r.status, 200);
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  ASSERT_TRUE(j.contains("spans")) << r.body;
  std::set<std::string> kinds;
  for (const auto& s : j["spans"]) kinds.insert(s["kind"].get<std::string>());
  EXPECT_TRUE(kinds.count("naam")) << r.body;
  EXPECT_TRUE(kinds.count("telefoon")) << r.body;
  EXPECT_EQ(anna.Post("/hint", {{"csrf", "nee"}, {"tekst", "x"}}).status, 403);
}

}  // namespace
}  // namespace signaal::test
