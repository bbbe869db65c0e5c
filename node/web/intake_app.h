// IntakeApp: the intake page itself — from a whole HTTP request to a whole
// response: login, the signal form, the volunteer's own signals with
// correct and erase, and for a coordinator the quote review and the node's
// status. It keeps the sessions and the login guard; everything stored it
// asks of the node's poll loop (Ask), as the node's own intake account.
// Called on the HttpServer's one thread only.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "form.h"
#include "http_server.h"
#include "node_control.pb.h"
#include "pages.h"
#include "sessions.h"
#include "signaal/reference_data.h"
#include "signaal/status.h"

namespace signaal::node::web {

class IntakeApp {
 public:
  struct Options {
    std::string node_name;
    std::string home_municipality;
    std::string default_channel;
    int64_t session_idle_s = 7200;
    std::string cookie_name = "signaal_sessie";
    bool secure_cookie = false;  // under TLS
  };
  using Ask = std::function<Result<wire::NodeResponse>(wire::NodeRequest)>;
  using Clock = std::function<int64_t()>;

  IntakeApp(Options options, ReferenceData ref, Ask ask, Clock clock);
  HttpResponse Handle(const HttpRequest& request);

  // The longest password the page takes; Argon2id reads it all.
  static constexpr size_t kMaxPassword = 256;

 private:
  // A request of a logged-in browser: its session, and the form if it posted one.
  struct Visit {
    const HttpRequest& request;
    Session* session = nullptr;
    Viewer viewer;
    Form form;  // a POST's fields, once CheckPost accepted its token
  };

  HttpResponse Route(const HttpRequest& request);
  HttpResponse LoginForm(const HttpRequest& request, const std::string& name, const std::string& error, int status);
  HttpResponse Login(const HttpRequest& request);
  HttpResponse Logout(Visit& visit);
  HttpResponse NewSignal(Visit& visit);
  HttpResponse MySignals(Visit& visit);
  HttpResponse CorrectSignal(Visit& visit, const std::string& id);
  HttpResponse EraseSignal(Visit& visit, const std::string& id);
  HttpResponse Quotes(Visit& visit);
  HttpResponse DecideQuote(Visit& visit, const std::string& id, const std::string& action);
  HttpResponse StatusView(Visit& visit);
  HttpResponse Hint(Visit& visit);

  // The page when asking the loop failed: the login page once the session
  // ended, else `status` with a message; nothing when the answer is ok.
  std::optional<HttpResponse> Failed(Visit& visit, const Result<wire::NodeResponse>& r, int status,
                                     const std::string& title, const std::string& text);
  // Asks the loop as the visit's account; a refused session ends it.
  Result<wire::NodeResponse> AskAs(Visit& visit, wire::NodeRequest request);
  // Parses the posted form into visit.form once its CSRF token checks out;
  // otherwise the refusal to send.
  std::optional<HttpResponse> CheckPost(Visit& visit);
  static HttpResponse Page(int status, std::string html);
  HttpResponse Redirect(const std::string& to, const std::string& cookie = "");
  std::string Cookie(const std::string& session_id) const;
  FormChoices Choices() const;
  // An unknown account costs a login as long as a known one (no probing for names).
  void SpendVerify(const std::string& password);

  Options options_;
  ReferenceData ref_;
  Ask ask_;
  Clock clock_;
  SessionTable sessions_;
  LoginGuard guard_;
  std::string decoy_hash_;  // made at the first failed lookup
};

}  // namespace signaal::node::web
