#include "advice_book.h"

#include <algorithm>

#include "signaal/period.h"
#include "signaal/text.h"

namespace signaal::broker {
namespace {

// Printable text on one line: a title or response is shown in digests, tables and terminals.
Status CheckText(const std::string& field, const std::string& text, size_t max) {
  if (CodePointCount(text) > max) {
    return Status::Usage("--" + field + ": " + std::to_string(CodePointCount(text)) + " characters, at most " +
                         std::to_string(max));
  }
  for (size_t i = 0; i < text.size();) {
    size_t n = 1;
    const int32_t cp = CodePointAt(text, i, &n);
    if (cp < 0) return Status::Usage("--" + field + ": not UTF-8");
    if (IsControlCodePoint(cp)) {
      return Status::Usage("--" + field + ": holds a control character (" + QuoteText(text.substr(i, n)) + ")");
    }
    i += n;
  }
  return Status::Ok();
}

Status CheckDate(const std::string& field, const std::string& date) {
  if (date.empty()) return Status::Ok();
  auto d = ParseDate(date);
  if (!d.ok() || d->ToIso() != date) return Status::Usage("--" + field + ": '" + date + "' is not a date (YYYY-MM-DD)");
  return Status::Ok();
}

}  // namespace

const std::vector<std::string>& AdviceStatuses() {
  static const std::vector<std::string> kStatuses = {"concept", "verstuurd", "reactie-ontvangen", "opgevolgd",
                                                     "afgewezen"};
  return kStatuses;
}

Status AdviceBook::Check(const wire::Advice& a) const {
  if (a.title().empty()) return Status::Usage("--title: an advice needs a title");
  if (a.council().empty()) return Status::Usage("--council: name the council that gave the advice");
  if (Status s = CheckText("title", a.title(), kMaxTitle); !s.ok()) return s;
  if (Status s = CheckText("council", a.council(), kMaxName); !s.ok()) return s;
  if (Status s = CheckText("addressee", a.addressee(), kMaxName); !s.ok()) return s;
  if (Status s = CheckText("response", a.response(), kMaxResponse); !s.ok()) return s;
  if (!ref_.FindRegion(a.region())) {
    return Status::Usage("--region: '" + EscapeText(a.region()) + "' is not a region or municipality code");
  }
  const auto& statuses = AdviceStatuses();
  if (std::find(statuses.begin(), statuses.end(), a.status()) == statuses.end()) {
    return Status::Usage("--status: '" + EscapeText(a.status()) +
                         "' is not concept, verstuurd, reactie-ontvangen, opgevolgd or afgewezen");
  }
  if (Status s = CheckDate("sent", a.sent_date()); !s.ok()) return s;
  if (Status s = CheckDate("response-date", a.response_date()); !s.ok()) return s;
  if (a.status() != "concept" && a.sent_date().empty()) {
    return Status::Usage("--sent: an advice that is " + a.status() + " was sent on a date");
  }
  if (a.themes_size() > static_cast<int>(kMaxListed) || a.digests_size() > static_cast<int>(kMaxListed)) {
    return Status::Usage("an advice names at most " + std::to_string(kMaxListed) + " themes and digests");
  }
  for (const auto& t : a.themes()) {
    if (!ref_.FindTheme(t)) return Status::Usage("--theme: '" + EscapeText(t) + "' is not a theme code");
  }
  for (const auto& d : a.digests()) {
    const size_t space = d.find(' ');
    if (space == std::string::npos || !ref_.FindRegion(d.substr(0, space)) ||
        !ParsePeriod(d.substr(space + 1)).ok()) {
      return Status::Usage("--digest: '" + EscapeText(d) + "' is not 'REGION PERIOD' (parkstad 2026-W41)");
    }
  }
  return Status::Ok();
}

Result<wire::Advice> AdviceBook::Add(wire::Advice advice, const std::string& by, int64_t now) {
  if (!advice.id().empty()) return Status::Usage("a new advice gets its id from the broker");
  if (advice.status().empty()) advice.set_status(advice.sent_date().empty() ? "concept" : "verstuurd");
  if (Status s = Check(advice); !s.ok()) return s;
  auto id = store_.NextAdviceId();
  if (!id.ok()) return id.status();
  advice.set_id(*id);
  advice.set_created_unix(now);
  advice.set_updated_unix(now);
  advice.set_updated_by(by);
  if (Status s = store_.PutAdvice(advice); !s.ok()) return s;
  return advice;
}

Result<wire::Advice> AdviceBook::Update(const wire::Advice& changes, const std::string& by, int64_t now) {
  auto found = Find(changes.id());
  if (!found.ok()) return found.status();
  wire::Advice a = *found;
  auto take = [](std::string* field, const std::string& change) {
    if (!change.empty()) *field = change;
  };
  take(a.mutable_title(), changes.title());
  take(a.mutable_council(), changes.council());
  take(a.mutable_addressee(), changes.addressee());
  take(a.mutable_region(), changes.region());
  take(a.mutable_sent_date(), changes.sent_date());
  take(a.mutable_status(), changes.status());
  take(a.mutable_response(), changes.response());
  take(a.mutable_response_date(), changes.response_date());
  for (const auto& d : changes.digests()) {
    if (std::find(a.digests().begin(), a.digests().end(), d) == a.digests().end()) a.add_digests(d);
  }
  for (const auto& t : changes.themes()) {
    if (std::find(a.themes().begin(), a.themes().end(), t) == a.themes().end()) a.add_themes(t);
  }
  if (Status s = Check(a); !s.ok()) return s;
  a.set_updated_unix(now);
  a.set_updated_by(by);
  if (Status s = store_.PutAdvice(a); !s.ok()) return s;
  return a;
}

Result<wire::Advice> AdviceBook::Find(const std::string& id) const { return store_.FindAdvice(id); }

Result<std::vector<wire::Advice>> AdviceBook::List(const std::string& region) const {
  if (!region.empty() && !ref_.FindRegion(region)) {
    return Status::Usage("--region: '" + EscapeText(region) + "' is not a region or municipality code");
  }
  auto all = store_.AllAdvice();
  if (!all.ok() || region.empty()) return all;
  std::vector<wire::Advice> out;
  for (auto& a : *all) {
    if (ref_.RegionWithin(a.region(), region) || ref_.RegionWithin(region, a.region())) out.push_back(std::move(a));
  }
  return out;
}

}  // namespace signaal::broker
