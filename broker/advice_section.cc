#include "advice_section.h"

#include <algorithm>

#include "signaal/text.h"

namespace signaal::broker {
namespace {

bool Open(const wire::Advice& a) { return a.status() == "verstuurd" || a.status() == "reactie-ontvangen"; }

wire::DigestAdvice Shown(const wire::Advice& a, const ReferenceData& ref, int64_t since) {
  wire::DigestAdvice d;
  d.set_id(a.id());
  d.set_title(a.title());
  d.set_council(a.council());
  d.set_addressee(a.addressee());
  d.set_region(a.region());
  if (const Region* r = ref.FindRegion(a.region())) d.set_region_name(r->name);
  d.set_sent_date(a.sent_date());
  d.set_status(a.status());
  d.set_response(FirstSentence(a.response()));
  d.set_response_date(a.response_date());
  for (const auto& code : a.themes()) {
    auto* t = d.add_themes();
    t->set_code(code);
    if (const Theme* theme = ref.FindTheme(code)) {
      t->set_label_nl(theme->label_nl);
      t->set_label_en(theme->label_en);
    }
  }
  d.set_changed(a.updated_unix() > since);
  d.set_added(a.created_unix() > since);
  return d;
}

}  // namespace

std::string DigestKind(const PeriodRange& period) {
  switch (KindOf(period)) {
    case PeriodKind::kWeek: return "week";
    case PeriodKind::kRange: return "weeks-" + std::to_string(period.Weeks().size());
    case PeriodKind::kMonth: return "month";
    case PeriodKind::kQuarter: return "quarter";
    case PeriodKind::kHalfYear: return "half-year";
    case PeriodKind::kYear: return "year";
  }
  return "week";
}

std::string FirstSentence(const std::string& text) {
  size_t end = text.size();
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    if ((text[i] == '.' || text[i] == '!' || text[i] == '?') && text[i + 1] == ' ') {
      end = i + 1;
      break;
    }
  }
  return CutToCodePoints(std::string_view(text).substr(0, end), kMaxResponseShown);
}

void AddAdviceSection(wire::Digest& digest, const std::vector<wire::Advice>& all, const ReferenceData& ref,
                      int64_t since) {
  std::vector<const wire::Advice*> shown;
  for (const auto& a : all) {
    if (a.status() == "concept" || !ref.RegionWithin(a.region(), digest.region())) continue;
    if (Open(a) || a.updated_unix() > since) shown.push_back(&a);
  }
  // Newest change first; the id breaks ties, so the same records read the same.
  std::sort(shown.begin(), shown.end(), [](const wire::Advice* x, const wire::Advice* y) {
    return x->updated_unix() != y->updated_unix() ? x->updated_unix() > y->updated_unix() : x->id() < y->id();
  });
  digest.clear_advice();
  for (size_t i = 0; i < shown.size() && i < static_cast<size_t>(kMaxAdvice); ++i) {
    *digest.add_advice() = Shown(*shown[i], ref, since);
  }
  digest.set_advice_more(static_cast<uint32_t>(shown.size() - static_cast<size_t>(digest.advice_size())));
  digest.set_advice_since_unix(since);
}

}  // namespace signaal::broker
