// LocalControl's answers to the intake page (web/) and to `signaal node user`:
// what a logged-in volunteer or coordinator may ask, their own signals, a
// correction, the scrubber's hint while they type, and the page's accounts.
#include <algorithm>

#include "local_control.h"
#include "signaal/labels.h"
#include "signaal/log.h"
#include "signaal/period.h"
#include "signaal/text.h"

namespace signaal::node {
namespace {

constexpr uint32_t kDefaultMine = 50;
constexpr uint32_t kMaxMine = 200;
// The hint reads what a toelichting may hold; longer text is not marked.
constexpr size_t kMaxHintBytes = 8000;
// How much of each toelichting a volunteer's list shows.
constexpr size_t kListTextChars = 60;

// The first `max` code points of `text`, with "…" when cut.
std::string CutText(const std::string& text, size_t max) {
  size_t at = 0;
  for (size_t cp = 0; at < text.size() && cp < max; ++cp) {
    size_t n = 1;
    CodePointAt(text, at, &n);
    at += n;
  }
  return at >= text.size() ? text : text.substr(0, at) + "…";
}

bool IsAccountName(const std::string& name) {
  if (name.size() < 2 || name.size() > 32) return false;
  if (!(std::islower(static_cast<unsigned char>(name[0])) || std::isdigit(static_cast<unsigned char>(name[0])))) {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
  });
}

bool IsPasswordHash(const std::string& hash) {
  return hash.size() < 256 && hash.rfind("$argon2id$", 0) == 0 &&
         std::all_of(hash.begin(), hash.end(), [](char c) { return c > ' ' && c < 127; });
}

wire::AccountView AccountViewOf(const storage::StoredAccount& a) {
  wire::AccountView v;
  v.set_name(a.name());
  v.set_role(a.role());
  v.set_disabled(a.disabled());
  v.set_created_unix(a.created_unix());
  v.set_created_by(a.created_by());
  v.set_password_set_unix(a.password_set_unix());
  return v;
}

}  // namespace

std::optional<wire::NodeResponse> LocalControl::WebRefusal(const wire::NodeRequest& req) const {
  using R = wire::NodeRequest;
  auto refuse = [](const std::string& why) { return NodeError(Status::Refused(why)); };
  if (req.has_accounts()) {
    if (req.accounts().action() != wire::AccountRequest::LOOKUP) {
      return refuse("accounts are kept with `signaal node user`, not on the intake page");
    }
    return std::nullopt;
  }
  // The store's word, every time: a disabled account or a reset password
  // ends its sessions at once (error_field "session" tells the page).
  auto account = req.web_account().empty() ? Result<storage::StoredAccount>(Status::Refused("log in first"))
                                           : c_.store.Account(req.web_account());
  if (!account.ok() || account->disabled() || account->password_set_unix() != req.web_password_set()) {
    auto r = refuse("the session's account is gone, disabled or its password was reset; log in again");
    r.set_error_field("session");
    return r;
  }
  const bool coordinator = account->role() == "coordinator";
  switch (req.body_case()) {
    case R::kAdd:
    case R::kShow:
    case R::kCorrect:
    case R::kScrubHint:
    case R::kStatus:
      return std::nullopt;
    case R::kList:
      if (req.list().entered_by() != req.web_account()) {
        return refuse("on the intake page an account lists its own signals");
      }
      return std::nullopt;
    case R::kErase:
      if (!req.erase().person().empty() || req.erase().entered_by() != req.web_account()) {
        return refuse("on the intake page an account erases its own signals, one by one");
      }
      return std::nullopt;
    case R::kQuotes:
      if (!coordinator) return refuse("the quote review is for a coordinator");
      return std::nullopt;
    default:
      return refuse("the intake page cannot ask for that");
  }
}

wire::NodeResponse LocalControl::ListMine(const wire::ListSignals& req) const {
  uint32_t limit = req.limit() == 0 ? kDefaultMine : std::min(req.limit(), kMaxMine);
  auto signals = c_.store.EnteredBy(req.entered_by(), limit);
  if (!signals.ok()) return NodeError(signals.status());
  auto r = NodeOk();
  for (const auto& s : *signals) {
    auto* record = r.mutable_signals()->add_signals();
    *record = SignalRecordOf(s);
    // The start of their own toelichting, so a volunteer tells two debt signals of today apart.
    auto text = c_.store.OpenText(s);
    if (!text.ok()) return NodeError(text.status());
    record->set_text(CutText(text->first, kListTextChars));
  }
  return r;
}

wire::NodeResponse LocalControl::Show(const wire::ShowSignal& req, const wire::NodeRequest& asked) const {
  auto s = c_.store.Find(req.id());
  if (!s.ok()) return NodeError(s.status());
  if (!asked.web_account().empty() && s->entered_by() != asked.web_account()) {
    return NodeError(Status::Refused("signal " + req.id() + " was not entered by this account"));
  }
  auto text = c_.store.OpenText(*s);
  if (!text.ok()) return NodeError(text.status());
  auto r = NodeOk();
  *r.mutable_added() = SignalRecordOf(*s);
  r.mutable_added()->set_text(text->first);
  return r;
}

wire::NodeResponse LocalControl::Correct(const wire::CorrectSignal& req, const wire::NodeRequest& asked,
                                         int64_t now) {
  auto old = c_.store.Find(req.id());
  if (!old.ok()) return NodeError(old.status());
  if (!asked.web_account().empty() && old->entered_by() != asked.web_account()) {
    return NodeError(Status::Refused("signal " + req.id() + " was not entered by this account"));
  }
  if (!req.signal().quote().empty()) {
    return NodeError(Status::Usage("a correction leaves the quote; the coordinator reviews it"));
  }
  auto checked = ValidateSignal(req.signal(), c_.ref, c_.config.type, DateFromUnix(now));
  if (auto* e = std::get_if<FieldError>(&checked)) {
    auto r = NodeError(Status::Usage("field '" + e->field + "': " + e->message));
    r.set_error_field(e->field);
    return r;
  }
  auto corrected = c_.store.Correct(req.id(), old->period(), std::get<ValidatedSignal>(checked));
  if (!corrected.ok()) return NodeError(corrected.status());
  spdlog::info("signal {} corrected{}", req.id(),
               asked.web_account().empty() ? "" : " by " + EscapeText(asked.web_account()));
  auto r = NodeOk();
  *r.mutable_added() = SignalRecordOf(*corrected);
  return r;
}

wire::NodeResponse LocalControl::FollowUp(const wire::FollowUp& req, const std::string& account, int64_t now) {
  std::string status;
  if (!req.status().empty()) {
    // Dutch or English, as an import takes it: "doorverwezen", "opgelost".
    auto resolved = ResolveStatus(req.status());
    if (!resolved) {
      return NodeError(Status::Usage("--status: '" + EscapeText(req.status()) + "' is not a status (open, doorverwezen, "
                                     "opgelost)"));
    }
    status = *resolved;
  }
  auto s = c_.store.FollowUp(req.id(), status, req.note(), account, now);
  if (!s.ok()) return NodeError(s.status());
  auto notes = c_.store.FollowUpNotes(*s);
  if (!notes.ok()) return NodeError(notes.status());
  spdlog::info("signal {} followed up: status {}{}", req.id(), s->status(), req.note().empty() ? "" : ", a note added");
  auto r = NodeOk();
  auto* record = r.mutable_added();
  *record = SignalRecordOf(*s);
  for (auto& n : *notes) record->add_follow_up(std::move(n));
  record->set_status_changed_unix(s->status_changed_unix());
  return r;
}

wire::NodeResponse LocalControl::Hint(const wire::ScrubHint& req) const {
  auto r = NodeOk();
  auto* result = r.mutable_scrub_hint();
  if (req.text().empty() || req.text().size() > kMaxHintBytes || !c_.scrubbers) return r;
  auto scrubber = c_.scrubbers->Get();
  if (!scrubber.ok()) return NodeError(scrubber.status());
  for (const auto& s : (*scrubber)->Find(req.text())) {
    auto* span = result->add_spans();
    span->set_start(static_cast<uint32_t>(s.start));
    span->set_end(static_cast<uint32_t>(s.end));
    span->set_kind(std::string(PiiKindName(s.kind)));
  }
  return r;
}

wire::NodeResponse LocalControl::Accounts(const wire::AccountRequest& req, int64_t now, const std::string& account,
                                          bool from_web) {
  using A = wire::AccountRequest;
  if (req.action() == A::LIST) {
    auto accounts = c_.store.Accounts();
    if (!accounts.ok()) return NodeError(accounts.status());
    auto r = NodeOk();
    for (const auto& a : *accounts) {
      auto* v = r.mutable_accounts()->add_accounts();
      *v = AccountViewOf(a);
      auto n = c_.store.CountEnteredBy(a.name());
      if (!n.ok()) return NodeError(n.status());
      v->set_signals(*n);
    }
    return r;
  }
  if (!IsAccountName(req.name())) {
    return NodeError(Status::Usage("NAME: '" + EscapeText(req.name()) +
                                   "' is not an account name (2 to 32 of a-z, 0-9, '.', '-', '_', "
                                   "starting with a letter or digit)"));
  }
  auto existing = c_.store.Account(req.name());
  if (req.action() == A::LOOKUP) {
    if (!from_web) return NodeError(Status::Refused("accounts are looked up by the intake page only"));
    if (!existing.ok()) return NodeError(existing.status());
    auto r = NodeOk();
    auto* v = r.mutable_accounts()->add_accounts();
    *v = AccountViewOf(*existing);
    v->set_password_hash(existing->password_hash());
    return r;
  }
  if (req.action() == A::ADD) {
    if (existing.ok()) return NodeError(Status::Usage("account '" + req.name() + "' exists already"));
    storage::StoredAccount a;
    a.set_name(req.name());
    a.set_role(req.role().empty() ? "volunteer" : req.role());
    if (a.role() != "volunteer" && a.role() != "coordinator") {
      return NodeError(Status::Usage("--role: '" + EscapeText(req.role()) + "' is not volunteer or coordinator"));
    }
    if (!IsPasswordHash(req.password_hash())) return NodeError(Status::Usage("the password hash is not Argon2id"));
    a.set_password_hash(req.password_hash());
    a.set_created_unix(now);
    a.set_created_by(account);
    a.set_password_set_unix(now);
    if (Status s = c_.store.PutAccount(a); !s.ok()) return NodeError(s);
    spdlog::info("intake account {} ({}) added by {}", a.name(), a.role(), EscapeText(account));
    auto r = NodeOk();
    *r.mutable_accounts()->add_accounts() = AccountViewOf(a);
    return r;
  }
  if (!existing.ok()) return NodeError(existing.status());
  storage::StoredAccount a = *existing;
  switch (req.action()) {
    case A::DISABLE: a.set_disabled(true); break;
    case A::ENABLE: a.set_disabled(false); break;
    case A::RESET:
      if (!IsPasswordHash(req.password_hash())) return NodeError(Status::Usage("the password hash is not Argon2id"));
      a.set_password_hash(req.password_hash());
      // A second reset in the same second must still end the sessions of the first.
      a.set_password_set_unix(std::max(now, a.password_set_unix() + 1));
      if (!req.role().empty()) {
        if (req.role() != "volunteer" && req.role() != "coordinator") {
          return NodeError(Status::Usage("--role: '" + EscapeText(req.role()) + "' is not volunteer or coordinator"));
        }
        a.set_role(req.role());
      }
      break;
    default: return NodeError(Status::Usage("the account request names no action this node knows"));
  }
  a.set_changed_by(account);
  a.set_changed_unix(now);
  if (Status s = c_.store.PutAccount(a); !s.ok()) return NodeError(s);
  spdlog::info("intake account {}: {} by {}", a.name(), A::Action_Name(req.action()), EscapeText(account));
  auto r = NodeOk();
  *r.mutable_accounts()->add_accounts() = AccountViewOf(a);
  return r;
}

}  // namespace signaal::node
