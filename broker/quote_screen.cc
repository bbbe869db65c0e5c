#include "quote_screen.h"

#include <set>

#include "signaal/text.h"

namespace signaal::broker {
namespace {

bool IsQuoteId(const std::string& id) {
  if (id.size() != 16) return false;
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

std::vector<wire::QuoteRefusal> QuoteScreen::Screen(wire::SummarySnapshot& snapshot) const {
  std::vector<wire::QuoteRefusal> refused;
  auto refuse = [&](const wire::Quote& q, const char* reason, std::string detail) {
    wire::QuoteRefusal r;
    r.set_quote_id(IsQuoteId(q.id()) ? q.id() : "");
    r.set_reason(reason);
    r.set_detail(std::move(detail));
    refused.push_back(std::move(r));
  };
  google::protobuf::RepeatedPtrField<wire::Quote> kept;
  std::set<std::string> ids;
  for (auto& q : *snapshot.mutable_quotes()) {
    if (kept.size() >= kMaxQuotes) {
      refuse(q, "quote-invalid", "more than " + std::to_string(kMaxQuotes) + " quotes in one week");
      continue;
    }
    if (!IsQuoteId(q.id()) || !ids.insert(q.id()).second) {
      refuse(q, "quote-invalid", "the quote's id is not 16 lower-case hex digits, or it came twice");
      continue;
    }
    const size_t chars = CodePointCount(q.text());
    if (chars == 0 || chars > kMaxChars) {
      refuse(q, "quote-invalid", "a quote is 1 to " + std::to_string(kMaxChars) + " characters, this one " +
                                     std::to_string(chars));
      continue;
    }
    if (!ref_.IsTopTheme(q.theme()) || !ref_.IsSubthemeOf(q.subtheme(), q.theme())) {
      refuse(q, "quote-invalid", "theme '" + q.theme() + "' / subtheme '" + q.subtheme() + "' is not in the taxonomy");
      continue;
    }
    auto found = scrubber_.Find(q.text());
    if (!found.empty()) {
      // The kinds, never the text: the refusal is logged and sent back.
      std::set<std::string> kinds;
      for (const auto& f : found) kinds.insert(std::string(PiiKindName(f.kind)));
      std::string list;
      for (const auto& k : kinds) list += (list.empty() ? "" : ", ") + k;
      refuse(q, "quote-personal-data", "the broker's scrubber finds personal data in it (" + list + ")");
      continue;
    }
    *kept.Add() = std::move(q);
  }
  snapshot.mutable_quotes()->Swap(&kept);
  return refused;
}

}  // namespace signaal::broker
