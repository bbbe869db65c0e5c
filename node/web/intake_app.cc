#include "intake_app.h"

#include <sodium.h>

#include <nlohmann/json.hpp>

#include "form.h"
#include "signaal/log.h"
#include "signaal/period.h"
#include "signaal/text.h"

namespace signaal::node::web {
namespace {

constexpr size_t kMaxTextChars = 4000;

// The form's field for each field the node names in an error.
const std::map<std::string, std::string>& FormFieldOf() {
  static const std::map<std::string, std::string> kFields = {
      {"date", "datum"},         {"municipality", "gemeente"}, {"theme", "thema"},      {"subtheme", "subthema"},
      {"age_band", "leeftijd"},  {"channel", "kanaal"},        {"severity", "ernst"},   {"status", "status"},
      {"text", "toelichting"},   {"person", "persoon"},        {"postcode4", "postcode"}, {"quote", "citaat"},
      {"quote_consent", "toestemming"}};
  return kFields;
}

const char* const kSignalFields[] = {"datum", "gemeente", "thema", "subthema", "leeftijd", "kanaal", "ernst",
                                     "status", "toelichting", "persoon", "postcode", "citaat", "toestemming"};

SignalForm FormValues(const Form& form) {
  SignalForm f;
  for (const char* name : kSignalFields) f.values[name] = form.Get(name);
  return f;
}

// The form as the node's SignalInput; errors the page can name itself go
// into `f.errors` (in Dutch) before the node is asked.
wire::SignalInput InputOf(SignalForm& f) {
  wire::SignalInput in;
  auto v = [&](const char* name) -> const std::string& { return f.values[name]; };
  in.set_date(v("datum"));
  in.set_municipality(v("gemeente"));
  in.set_theme(v("thema"));
  in.set_subtheme(v("subthema"));
  in.set_age_band(v("leeftijd"));
  in.set_channel(v("kanaal"));
  const std::string& severity = v("ernst");
  if (severity.empty() || severity == "0") {
    in.set_severity(0);
  } else if (severity.size() == 1 && severity[0] >= '1' && severity[0] <= '3') {
    in.set_severity(static_cast<uint32_t>(severity[0] - '0'));
  } else {
    f.errors["ernst"] = "Kies een waarde uit de lijst.";
  }
  in.set_status(v("status"));
  in.set_text(v("toelichting"));
  if (CodePointCount(v("toelichting")) > kMaxTextChars) f.errors["toelichting"] = DutchFieldError("text", "");
  in.set_person(v("persoon"));
  if (v("persoon").size() > 64) f.errors["persoon"] = "Het kenmerk is te lang: ten hoogste 64 tekens.";
  in.set_postcode4(v("postcode"));
  in.set_quote(v("citaat"));
  in.set_quote_consent(v("toestemming") == "ja");
  if (v("datum").empty()) f.errors["datum"] = DutchFieldError("date", "is required");
  if (v("thema").empty()) f.errors["thema"] = DutchFieldError("theme", "is required");
  // Said at the checkbox, where the volunteer has to act.
  if (!v("citaat").empty() && v("toestemming") != "ja") f.errors["toestemming"] = DutchFieldError("quote", "consent");
  return in;
}

// A node refusal as the form shows it: next to its field, or at the top.
void NoteRefusal(SignalForm& f, const wire::NodeResponse& r) {
  auto it = FormFieldOf().find(r.error_field());
  if (it != FormFieldOf().end()) {
    f.errors[it->second] = DutchFieldError(r.error_field(), r.error());
  } else if (r.error().rfind("busy", 0) == 0) {
    f.errors[""] = "De node is even bezig met een grote klus (bijvoorbeeld een import). Probeer het over een "
                   "minuut opnieuw; wat u invulde staat er nog.";
  } else {
    f.errors[""] = "De node kon het signaal niet opslaan: " + r.error();
  }
}

bool IsSignalIdText(const std::string& id) {
  return id.size() >= 2 && id.size() <= 20 && id[0] == 'S' &&
         id.find_first_not_of("0123456789", 1) == std::string::npos;
}

}  // namespace

IntakeApp::IntakeApp(Options options, ReferenceData ref, Ask ask, Clock clock)
    : options_(std::move(options)),
      ref_(std::move(ref)),
      ask_(std::move(ask)),
      clock_(std::move(clock)),
      sessions_(options_.session_idle_s) {}

std::string IntakeApp::Cookie(const std::string& session_id) const {
  return options_.cookie_name + "=" + session_id + "; Path=/; HttpOnly; SameSite=Strict" +
         (options_.secure_cookie ? "; Secure" : "");
}

HttpResponse IntakeApp::Redirect(const std::string& to, const std::string& cookie) {
  HttpResponse r;
  r.status = 303;
  r.headers.emplace_back("Location", to);
  if (!cookie.empty()) r.headers.emplace_back("Set-Cookie", cookie);
  r.body = "Verder: " + EscapeHtml(to) + "\n";
  r.content_type = "text/plain; charset=utf-8";
  return r;
}

HttpResponse IntakeApp::Page(int status, std::string html) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(html);
  return r;
}

FormChoices IntakeApp::Choices() const { return {&ref_, options_.home_municipality, options_.default_channel}; }

HttpResponse IntakeApp::Handle(const HttpRequest& request) {
  HttpResponse r = Route(request);
  if (r.status >= 400) {
    spdlog::warn("web: {} {} from {}: {}", EscapeText(request.method), EscapeText(request.path.substr(0, 200)),
                 request.client, r.status);
  }
  return r;
}

HttpResponse IntakeApp::Route(const HttpRequest& req) {
  const bool get = req.method == "GET" || req.method == "HEAD";
  const bool post = req.method == "POST";
  if (!get && !post) {
    HttpResponse r;
    r.status = 405;
    r.headers.emplace_back("Allow", "GET, POST");
    r.content_type = "text/plain; charset=utf-8";
    r.body = "Deze methode kent het invoerscherm niet.\n";
    return r;
  }
  if (get && req.path == "/stijl.css") return {200, "text/css; charset=utf-8", kStylesheet, {}};
  if (get && req.path == "/hint.js") return {200, "text/javascript; charset=utf-8", kHintScript, {}};
  if (req.path == "/inloggen") return post ? Login(req) : LoginForm(req, "", "", 200);

  Visit visit{req, nullptr, {}, {}};
  visit.session = sessions_.Find(req.cookie, clock_());
  if (!visit.session || visit.session->account.empty()) {
    if (req.path == "/" || get) return Redirect("/inloggen");
    // A form sent after the session ended: log in again (what was typed is lost, said the login page).
    return LoginForm(req, "", "U was te lang niet actief en bent uitgelogd. Log opnieuw in.", 403);
  }
  Session& s = *visit.session;
  visit.viewer = {s.account, s.role == "coordinator", s.csrf, options_.node_name, ""};
  if (get) std::swap(visit.viewer.notice, s.notice);

  const std::string& p = req.path;
  if (p == "/") return Redirect("/signaal/nieuw");
  if (p == "/uitloggen" && post) return Logout(visit);
  if (p == "/signaal/nieuw") return NewSignal(visit);
  if (p == "/signalen" && get) return MySignals(visit);
  if (p == "/hint" && post) return Hint(visit);
  if (p.rfind("/signalen/", 0) == 0) {
    std::string rest = p.substr(10);
    const bool erase = rest.size() > 7 && rest.compare(rest.size() - 7, 7, "/wissen") == 0;
    if (erase) rest.resize(rest.size() - 7);
    if (IsSignalIdText(rest)) return erase ? EraseSignal(visit, rest) : CorrectSignal(visit, rest);
  }
  if (visit.viewer.coordinator) {
    if (p == "/citaten" && get) return Quotes(visit);
    if (p == "/stand" && get) return StatusView(visit);
    if (p.rfind("/citaten/", 0) == 0 && post) {
      const std::string rest = p.substr(9);
      const size_t slash = rest.find('/');
      if (slash != std::string::npos && IsSignalIdText(rest.substr(0, slash))) {
        return DecideQuote(visit, rest.substr(0, slash), rest.substr(slash + 1));
      }
    }
  }
  return Page(404, MessagePage(visit.viewer, "Deze pagina bestaat niet",
                                      "Kies wat u wilt doen in het menu bovenaan."));
}

std::optional<HttpResponse> IntakeApp::CheckPost(Visit& visit) {
  auto form = Form::Parse(visit.request.body);
  const std::string given = form.ok() ? form->Get("csrf") : "";
  if (!SameToken(given, visit.session->csrf)) {
    spdlog::warn("web: {} {} from {} (account {}): refused, the form's CSRF token is {}",
                 EscapeText(visit.request.method), EscapeText(visit.request.path.substr(0, 200)), visit.request.client,
                 EscapeText(visit.session->account), given.empty() ? "missing" : "wrong");
    return Page(403, MessagePage(visit.viewer, "Het formulier is verlopen",
                                        "Dit formulier hoort niet bij deze sessie. Open de pagina opnieuw en "
                                        "probeer het nog eens."));
  }
  visit.form = std::move(*form);  // parsed once, for the handler
  return std::nullopt;
}

Result<wire::NodeResponse> IntakeApp::AskAs(Visit& visit, wire::NodeRequest request) {
  request.set_web_account(visit.session->account);
  request.set_web_password_set(visit.session->password_set);
  request.set_no_wait(true);
  auto r = ask_(std::move(request));
  if (r.ok() && !r->ok() && r->error_field() == "session") {
    spdlog::info("web: session of {} ended: {}", EscapeText(visit.session->account), r->error());
    sessions_.End(visit.session->id);
    visit.session = nullptr;
  }
  return r;
}

HttpResponse IntakeApp::LoginForm(const HttpRequest& req, const std::string& name, const std::string& error,
                                  int status) {
  const int64_t now = clock_();
  Session* s = sessions_.Find(req.cookie, now);
  if (s && !s->account.empty()) return Redirect("/signaal/nieuw");
  std::string cookie;
  if (!s) {
    s = &sessions_.Create(now);
    cookie = Cookie(s->id);
  }
  Viewer v{"", false, s->csrf, options_.node_name, ""};
  HttpResponse r;
  r.status = status;
  r.body = LoginPage(v, name, error);
  if (!cookie.empty()) r.headers.emplace_back("Set-Cookie", cookie);
  return r;
}

void IntakeApp::SpendVerify(const std::string& password) {
  if (decoy_hash_.empty()) {
    char hash[crypto_pwhash_STRBYTES];
    const std::string decoy = RandomToken();
    if (crypto_pwhash_str_alg(hash, decoy.data(), decoy.size(), 2, 19u << 20, crypto_pwhash_ALG_ARGON2ID13) != 0) {
      return;  // out of memory: the timing differs, the refusal does not
    }
    decoy_hash_ = hash;
  }
  // The outcome is known (a random password); the time spent is the point.
  if (crypto_pwhash_str_verify(decoy_hash_.c_str(), password.data(), password.size()) == 0) return;
}

HttpResponse IntakeApp::Login(const HttpRequest& req) {
  const int64_t now = clock_();
  Session* s = sessions_.Find(req.cookie, now);
  auto form = Form::Parse(req.body);
  if (!s || !form.ok() || !SameToken(form->Get("csrf"), s->csrf)) {
    spdlog::warn("web: login from {} refused: the form's CSRF token is {}", req.client,
                 s ? "wrong" : "without a session");
    return LoginForm(req, "", "Het formulier was verlopen. Probeer het nog eens.", 403);
  }
  const std::string name = form->Get("naam").substr(0, 64);
  const std::string& password = form->Get("wachtwoord");
  if (int64_t wait = guard_.WaitFor(name, req.client, now); wait > 0) {
    spdlog::warn("web: login of '{}' from {} refused: too many failed attempts (wait {} s)", EscapeText(name),
                 req.client, wait);
    return LoginForm(req, name,
                     "Te veel mislukte pogingen. Probeer het over " + std::to_string((wait + 59) / 60) +
                         " minuten opnieuw, of vraag de coördinator.",
                     429);
  }
  bool ok = false;
  wire::AccountView account;
  if (password.size() <= kMaxPassword) {
    wire::NodeRequest ask;
    ask.mutable_accounts()->set_action(wire::AccountRequest::LOOKUP);
    ask.mutable_accounts()->set_name(name);
    auto r = ask_(ask);
    if (r.ok() && r->ok() && r->accounts().accounts_size() == 1) {
      account = r->accounts().accounts(0);
      ok = !account.disabled() &&
           crypto_pwhash_str_verify(account.password_hash().c_str(), password.data(), password.size()) == 0;
    } else {
      SpendVerify(password);
    }
  }
  if (!ok) {
    guard_.Failed(name, req.client, now);
    spdlog::warn("web: failed login for '{}' from {}", EscapeText(name), req.client);
    return LoginForm(req, name, "Naam of wachtwoord klopt niet.", 401);
  }
  guard_.Succeeded(name);
  // A new session, never the one the login form came with.
  sessions_.End(s->id);
  Session& fresh = sessions_.Create(now);
  fresh.account = account.name();
  fresh.role = account.role();
  fresh.password_set = account.password_set_unix();
  spdlog::info("web: {} ({}) logged in from {}", EscapeText(fresh.account), fresh.role, req.client);
  return Redirect("/signaal/nieuw", Cookie(fresh.id));
}

HttpResponse IntakeApp::Logout(Visit& visit) {
  if (auto refused = CheckPost(visit)) return *refused;
  spdlog::info("web: {} logged out", EscapeText(visit.session->account));
  sessions_.End(visit.session->id);
  return Redirect("/inloggen", Cookie("") + "; Max-Age=0");
}

HttpResponse IntakeApp::NewSignal(Visit& visit) {
  SignalForm f;
  if (visit.request.method != "POST") {
    f.values["datum"] = DateFromUnix(clock_()).ToIso();
    return Page(200, SignalFormPage(visit.viewer, Choices(), f));
  }
  if (auto refused = CheckPost(visit)) return *refused;
  f = FormValues(visit.form);
  wire::NodeRequest ask;
  *ask.mutable_add()->mutable_signal() = InputOf(f);
  if (f.errors.empty()) {
    auto r = AskAs(visit, ask);
    if (!r.ok()) {
      f.errors[""] = "De node antwoordt niet. Probeer het zo opnieuw; wat u invulde staat er nog.";
    } else if (!visit.session) {
      return Redirect("/inloggen");
    } else if (!r->ok()) {
      NoteRefusal(f, *r);
    } else {
      visit.session->notice = "Opgeslagen als signaal " + r->added().id() + ". U kunt meteen het volgende invoeren.";
      return Redirect("/signaal/nieuw");
    }
  }
  return Page(422, SignalFormPage(visit.viewer, Choices(), f));
}

std::optional<HttpResponse> IntakeApp::Failed(Visit& visit, const Result<wire::NodeResponse>& r, int status,
                                              const std::string& title, const std::string& text) {
  if (!visit.session) return Redirect("/inloggen");
  if (r.ok() && r->ok()) return std::nullopt;
  return Page(status, MessagePage(visit.viewer, title, text));
}

HttpResponse IntakeApp::MySignals(Visit& visit) {
  wire::NodeRequest ask;
  ask.mutable_list()->set_entered_by(visit.session->account);
  auto r = AskAs(visit, ask);
  if (auto failed = Failed(visit, r, 503, "Even niet beschikbaar",
                           "De node kon uw signalen nu niet laten zien. Probeer het zo opnieuw.")) {
    return *failed;
  }
  std::vector<wire::SignalRecord> signals(r->signals().signals().begin(), r->signals().signals().end());
  return Page(200, SignalListPage(visit.viewer, ref_, signals));
}

HttpResponse IntakeApp::CorrectSignal(Visit& visit, const std::string& id) {
  const bool post = visit.request.method == "POST";
  if (post) {
    if (auto refused = CheckPost(visit)) return *refused;
  }
  SignalForm f;
  f.signal_id = id;
  if (!post) {
    wire::NodeRequest ask;
    ask.mutable_show()->set_id(id);
    auto r = AskAs(visit, ask);
    if (auto failed =
            Failed(visit, r, 404, "Signaal niet gevonden", "Signaal " + id + " staat niet bij uw signalen.")) {
      return *failed;
    }
    const auto& s = r->added();
    f.values = {{"datum", s.date()},         {"gemeente", s.municipality()}, {"thema", s.theme()},
                {"subthema", s.subtheme()},  {"leeftijd", s.age_band()},     {"kanaal", s.channel()},
                {"ernst", std::to_string(s.severity())}, {"status", s.status()}, {"toelichting", s.text()},
                {"postcode", s.postcode4()}};
    return Page(200, SignalFormPage(visit.viewer, Choices(), f));
  }
  f = FormValues(visit.form);
  f.signal_id = id;
  f.values.erase("citaat");
  f.values.erase("toestemming");
  wire::NodeRequest ask;
  ask.mutable_correct()->set_id(id);
  *ask.mutable_correct()->mutable_signal() = InputOf(f);
  ask.mutable_correct()->mutable_signal()->clear_quote();
  if (f.errors.empty()) {
    auto r = AskAs(visit, ask);
    if (!visit.session) return Redirect("/inloggen");
    if (!r.ok()) {
      f.errors[""] = "De node antwoordt niet. Probeer het zo opnieuw; wat u invulde staat er nog.";
    } else if (!r->ok()) {
      NoteRefusal(f, *r);
    } else {
      visit.session->notice = "Signaal " + id + " is gecorrigeerd.";
      return Redirect("/signalen");
    }
  }
  return Page(422, SignalFormPage(visit.viewer, Choices(), f));
}

HttpResponse IntakeApp::EraseSignal(Visit& visit, const std::string& id) {
  if (visit.request.method != "POST") {
    wire::NodeRequest ask;
    ask.mutable_show()->set_id(id);
    auto r = AskAs(visit, ask);
    if (auto failed =
            Failed(visit, r, 404, "Signaal niet gevonden", "Signaal " + id + " staat niet bij uw signalen.")) {
      return *failed;
    }
    return Page(200, EraseConfirmPage(visit.viewer, ref_, r->added()));
  }
  if (auto refused = CheckPost(visit)) return *refused;
  wire::NodeRequest ask;
  ask.mutable_erase()->set_id(id);
  ask.mutable_erase()->set_entered_by(visit.session->account);
  auto r = AskAs(visit, ask);
  if (!visit.session) return Redirect("/inloggen");
  if (!r.ok() || !r->ok()) {
    return Page(r.ok() ? 409 : 503,
                MessagePage(visit.viewer, "Niet gewist",
                            "Signaal " + id + " is niet gewist: " + (r.ok() ? r->error() : r.status().message())));
  }
  visit.session->notice = "Signaal " + id + " is gewist.";
  return Redirect("/signalen");
}

HttpResponse IntakeApp::Quotes(Visit& visit) {
  wire::NodeRequest ask;
  ask.mutable_quotes()->set_action(wire::QuoteRequest::LIST);
  auto r = AskAs(visit, ask);
  if (auto failed = Failed(visit, r, 503, "Even niet beschikbaar",
                           "De node kon de citaten nu niet laten zien. Probeer het zo opnieuw.")) {
    return *failed;
  }
  std::vector<wire::QuoteView> quotes(r->quotes().quotes().begin(), r->quotes().quotes().end());
  return Page(200, QuotesPage(visit.viewer, quotes));
}

HttpResponse IntakeApp::DecideQuote(Visit& visit, const std::string& id, const std::string& action) {
  if (auto refused = CheckPost(visit)) return *refused;
  using A = wire::QuoteRequest;
  static const std::map<std::string, std::pair<A::Action, const char*>> kActions = {
      {"goedkeuren", {A::APPROVE, "goedgekeurd"}}, {"afwijzen", {A::REJECT, "afgewezen"}},
      {"intrekken", {A::WITHDRAW, "ingetrokken"}}, {"aanpassen", {A::EDIT, "aangepast"}}};
  auto it = kActions.find(action);
  if (it == kActions.end()) {
    return Page(404, MessagePage(visit.viewer, "Deze pagina bestaat niet", "Kies een knop bij het citaat."));
  }
  wire::NodeRequest ask;
  ask.mutable_quotes()->set_action(it->second.first);
  ask.mutable_quotes()->set_id(id);
  if (it->second.first == A::EDIT) ask.mutable_quotes()->set_text(visit.form.Get("tekst"));
  auto r = AskAs(visit, ask);
  if (!visit.session) return Redirect("/inloggen");
  if (!r.ok() || !r->ok()) {
    visit.session->notice = "Het citaat van signaal " + id + " is niet " + it->second.second + ": " +
                            (r.ok() ? r->error() : r.status().message());
  } else {
    visit.session->notice = "Het citaat van signaal " + id + " is " + it->second.second + ".";
  }
  return Redirect("/citaten");
}

HttpResponse IntakeApp::StatusView(Visit& visit) {
  wire::NodeRequest ask;
  ask.mutable_status();
  auto r = AskAs(visit, ask);
  if (auto failed = Failed(visit, r, 503, "Even niet beschikbaar", "De node antwoordt niet.")) return *failed;
  return Page(200, StatusPage(visit.viewer, r->status(), clock_()));
}

HttpResponse IntakeApp::Hint(Visit& visit) {
  HttpResponse out;
  out.content_type = "application/json";
  if (auto refused = CheckPost(visit)) {
    out.status = 403;
    out.body = "{\"spans\":[]}";
    return out;
  }
  wire::NodeRequest ask;
  ask.mutable_scrub_hint()->set_text(visit.form.Get("tekst"));
  auto r = AskAs(visit, ask);
  nlohmann::json spans = nlohmann::json::array();
  if (r.ok() && r->ok()) {
    for (const auto& s : r->scrub_hint().spans()) {
      spans.push_back({{"start", s.start()}, {"end", s.end()}, {"kind", s.kind()}});
    }
  }
  out.body = nlohmann::json{{"spans", spans}}.dump();
  return out;
}

}  // namespace signaal::node::web
