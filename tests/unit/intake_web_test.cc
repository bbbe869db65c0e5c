// Unit tests of the intake page's parts: the form reader, sessions, the
// login guard, and IntakeApp against a stand-in for the node's loop.
#include <gtest/gtest.h>

#include <sodium.h>

#include "web/form.h"
#include "web/intake_app.h"
#include "web/sessions.h"

namespace signaal::node::web {
namespace {

TEST(IntakeForm, DecodesAndBoundsWhatABrowserSends) {
  auto f = Form::Parse("naam=anna&toelichting=kon+de+huur+niet+%E2%82%AC+betalen&leeg=&enkel");
  ASSERT_TRUE(f.ok()) << f.status().message();
  EXPECT_EQ(f->Get("naam"), "anna");
  EXPECT_EQ(f->Get("toelichting"), "kon de huur niet € betalen");
  EXPECT_TRUE(f->Has("leeg"));
  EXPECT_TRUE(f->Has("enkel"));
  EXPECT_EQ(f->Get("ontbreekt"), "");
  EXPECT_FALSE(Form::Parse("a=%zz").ok());
  EXPECT_FALSE(Form::Parse("a=%4").ok());
  EXPECT_FALSE(Form::Parse("a=%ff%fe").ok());  // not UTF-8
  std::string many;
  for (int i = 0; i <= 64; ++i) many += "f" + std::to_string(i) + "=x&";
  EXPECT_FALSE(Form::Parse(many).ok());
  EXPECT_FALSE(Form::Parse(std::string(65, 'n') + "=x").ok());
  // A repeated field keeps its first value: a second csrf cannot override the first.
  EXPECT_EQ(Form::Parse("csrf=goed&csrf=vals")->Get("csrf"), "goed");
}

TEST(IntakeSessions, EndWhenIdleOrOldAndAreBounded) {
  SessionTable t(600, 3);
  Session& a = t.Create(1000);
  const std::string id = a.id;
  EXPECT_EQ(id.size(), 64u);
  EXPECT_NE(a.csrf, id);
  ASSERT_NE(t.Find(id, 1500), nullptr);
  ASSERT_NE(t.Find(id, 2000), nullptr);   // touched at 1500
  EXPECT_EQ(t.Find(id, 2601), nullptr);   // 601 s idle
  Session& b = t.Create(0);
  const std::string old = b.id;
  for (int64_t now = 500; now < SessionTable::kMaxAge; now += 500) ASSERT_NE(t.Find(old, now), nullptr);
  EXPECT_EQ(t.Find(old, SessionTable::kMaxAge + 1), nullptr);  // never longer than 12 hours
  // Full: an anonymous session goes before a logged-in one.
  SessionTable small(600, 2);
  Session& in = small.Create(10);
  in.account = "anna";
  const std::string kept = in.id;
  const std::string anon = small.Create(20).id;
  small.Create(30);
  EXPECT_NE(small.Find(kept, 31), nullptr);
  EXPECT_EQ(small.Find(anon, 31), nullptr);
  EXPECT_EQ(small.size(), 2u);
}

TEST(IntakeSessions, TokensCompareWhole) {
  EXPECT_TRUE(SameToken("abc", "abc"));
  EXPECT_FALSE(SameToken("abd", "abc"));
  EXPECT_FALSE(SameToken("ab", "abc"));
  EXPECT_FALSE(SameToken("", ""));  // an unset token matches nothing
}

TEST(IntakeLoginGuard, LocksANameAfterFiveAndAnAddressAfterThirty) {
  LoginGuard g;
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(g.WaitFor("anna", "10.0.0.1", 100), 0);
    g.Failed("anna", "10.0.0.1", 100 + i);
  }
  EXPECT_GT(g.WaitFor("anna", "10.0.0.2", 110), 0);  // the name, from anywhere
  EXPECT_EQ(g.WaitFor("carla", "10.0.0.1", 110), 0);  // the address is not yet locked
  EXPECT_EQ(g.WaitFor("anna", "10.0.0.1", 100 + LoginGuard::kWindow + 1), 0);  // the window passed
  for (int i = 0; i < LoginGuard::kMaxAddressFailures; ++i) g.Failed("naam" + std::to_string(i), "10.0.0.9", 200);
  EXPECT_GT(g.WaitFor("bert", "10.0.0.9", 201), 0);
  g.Succeeded("anna");
  EXPECT_EQ(g.WaitFor("anna", "10.0.0.3", 111), 0);
}

// IntakeApp against a stand-in loop that knows one account.
class IntakeAppTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_GE(sodium_init(), 0);
    char hash[crypto_pwhash_STRBYTES];
    ASSERT_EQ(crypto_pwhash_str_alg(hash, "juist-wachtwoord", 16, 2, 19u << 20, crypto_pwhash_ALG_ARGON2ID13), 0);
    hash_ = hash;
    auto ref = ReferenceData::Load(ReferenceData::DefaultDir());
    ASSERT_TRUE(ref.ok()) << ref.status().message();
    IntakeApp::Options o;
    o.home_municipality = "GM0917";
    o.default_channel = "spreekuur";
    o.secure_cookie = secure_;
    app_ = std::make_unique<IntakeApp>(o, *ref, [this](wire::NodeRequest r) { return Loop(r); },
                                       [this] { return now_; });
  }

  Result<wire::NodeResponse> Loop(const wire::NodeRequest& r) {
    asked_.push_back(r);
    wire::NodeResponse out;
    out.set_ok(true);
    if (r.has_accounts()) {
      if (r.accounts().name() != "anna") {
        out.set_ok(false);
        out.set_error("no account");
        return out;
      }
      auto* a = out.mutable_accounts()->add_accounts();
      a->set_name("anna");
      a->set_role("volunteer");
      a->set_password_hash(hash_);
      a->set_password_set_unix(77);
    } else if (r.has_add()) {
      out.mutable_added()->set_id("S0000001");
    }
    return out;
  }

  HttpResponse Send(const std::string& method, const std::string& path, const std::string& body = "") {
    HttpRequest r;
    r.method = method;
    r.path = path;
    r.body = body;
    r.cookie = cookie_;
    r.client = "127.0.0.1";
    HttpResponse out = app_->Handle(r);
    for (const auto& [k, v] : out.headers) {
      if (k == "Set-Cookie") {
        set_cookie_ = v;
        cookie_ = v.substr(v.find('=') + 1, v.find(';') - v.find('=') - 1);
      }
    }
    const std::string marker = "name=\"csrf\" value=\"";
    if (size_t at = out.body.find(marker); at != std::string::npos) {
      csrf_ = out.body.substr(at + marker.size(), 64);
    }
    return out;
  }

  bool secure_ = false;
  int64_t now_ = 1'800'000'000;
  std::string hash_, cookie_, set_cookie_, csrf_;
  std::vector<wire::NodeRequest> asked_;
  std::unique_ptr<IntakeApp> app_;
};

TEST_F(IntakeAppTest, ALoginGetsANewSessionInAStrictHttpOnlyCookie) {
  EXPECT_EQ(Send("GET", "/signalen").status, 303);
  ASSERT_EQ(Send("GET", "/inloggen").status, 200);
  const std::string before = cookie_;
  EXPECT_NE(set_cookie_.find("HttpOnly"), std::string::npos);
  EXPECT_NE(set_cookie_.find("SameSite=Strict"), std::string::npos);
  EXPECT_EQ(set_cookie_.find("Secure"), std::string::npos);  // plain HTTP on loopback
  EXPECT_EQ(Send("POST", "/inloggen", "csrf=" + csrf_ + "&naam=anna&wachtwoord=fout").status, 401);
  auto in = Send("POST", "/inloggen", "csrf=" + csrf_ + "&naam=anna&wachtwoord=juist-wachtwoord");
  ASSERT_EQ(in.status, 303);
  EXPECT_NE(cookie_, before);  // no session fixation
  ASSERT_EQ(Send("GET", "/signaal/nieuw").status, 200);
  // What the page asks the loop carries the account and when its password was set.
  ASSERT_EQ(Send("POST", "/signaal/nieuw",
                 "csrf=" + csrf_ + "&datum=2026-11-30&gemeente=GM0917&thema=schulden&ernst=0").status,
            303);
  ASSERT_TRUE(asked_.back().has_add());
  EXPECT_EQ(asked_.back().web_account(), "anna");
  EXPECT_EQ(asked_.back().web_password_set(), 77);
  EXPECT_TRUE(asked_.back().no_wait());
  // The old, anonymous cookie is no session any more.
  cookie_ = before;
  EXPECT_EQ(Send("GET", "/signalen").status, 303);
}

TEST_F(IntakeAppTest, AnUnknownNameTakesAsLongAndSaysTheSame) {
  ASSERT_EQ(Send("GET", "/inloggen").status, 200);
  auto unknown = Send("POST", "/inloggen", "csrf=" + csrf_ + "&naam=niemand&wachtwoord=x");
  auto wrong = Send("POST", "/inloggen", "csrf=" + csrf_ + "&naam=anna&wachtwoord=x");
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(wrong.status, 401);
  EXPECT_NE(unknown.body.find("Naam of wachtwoord klopt niet."), std::string::npos);
  EXPECT_NE(wrong.body.find("Naam of wachtwoord klopt niet."), std::string::npos);
}

TEST_F(IntakeAppTest, TheFormsOwnErrorsStandNextToTheirFieldInDutch) {
  ASSERT_EQ(Send("GET", "/inloggen").status, 200);
  ASSERT_EQ(Send("POST", "/inloggen", "csrf=" + csrf_ + "&naam=anna&wachtwoord=juist-wachtwoord").status, 303);
  ASSERT_EQ(Send("GET", "/signaal/nieuw").status, 200);
  const size_t asked = asked_.size();
  auto r = Send("POST", "/signaal/nieuw", "csrf=" + csrf_ + "&datum=&thema=&ernst=9");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(asked_.size(), asked);  // the node was not asked
  EXPECT_NE(r.body.find("id=\"datum-fout\""), std::string::npos);
  EXPECT_NE(r.body.find("Vul de datum in."), std::string::npos);
  EXPECT_NE(r.body.find("aria-invalid=\"true\""), std::string::npos);
  EXPECT_NE(r.body.find("href=\"#thema\""), std::string::npos);  // the list at the top links to the field
}

class SecureIntakeAppTest : public IntakeAppTest {
 protected:
  void SetUp() override {
    secure_ = true;
    IntakeAppTest::SetUp();
  }
};

TEST_F(SecureIntakeAppTest, UnderTlsTheCookieIsSecure) {
  ASSERT_EQ(Send("GET", "/inloggen").status, 200);
  EXPECT_NE(set_cookie_.find("; Secure"), std::string::npos);
}

}  // namespace
}  // namespace signaal::node::web
