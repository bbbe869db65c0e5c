// "Wat is er met de signalen gedaan": the digest's advice section in words,
// once, for the Markdown and HTML pages alike (each wraps the same
// sentences), and as JSON. The strings come from a digest already escaped
// for the format (EscapedDigest); the words around them are ours.
#include "digest_render.h"
#include "signaal/period.h"
#include "signaal/text.h"

namespace signaal {
namespace {

std::string T(bool en, const char* nl, const char* english) { return en ? english : nl; }

// "12 oktober 2026" for a YYYY-MM-DD date; as it is when it is none.
std::string DateText(const std::string& iso, bool en) {
  if (iso.empty()) return "";
  auto date = ParseDate(iso);
  return date.ok() ? DateName(*date, en) : iso;
}

std::string ThemeList(const wire::DigestAdvice& a, bool en) {
  std::string out;
  for (int i = 0; i < a.themes_size(); ++i) {
    const auto& t = a.themes(i);
    std::string label = en && !t.label_en().empty() ? t.label_en() : !t.label_nl().empty() ? t.label_nl() : t.code();
    out += (i == 0 ? "" : i + 1 == a.themes_size() ? T(en, " en ", " and ") : ", ") + label;
  }
  return out;
}

}  // namespace

std::string AdviceStatusName(const std::string& status, bool english) {
  if (status == "concept") return T(english, "concept", "draft");
  if (status == "verstuurd") return T(english, "verstuurd", "sent");
  if (status == "reactie-ontvangen") return T(english, "reactie ontvangen", "response received");
  if (status == "opgevolgd") return T(english, "opgevolgd", "followed up");
  if (status == "afgewezen") return T(english, "afgewezen", "rejected");
  return status;
}

AdviceSectionText AdviceSectionWords(const wire::Digest& d, bool en) {
  AdviceSectionText s;
  if (d.advice_since_unix() == 0) return s;  // a broker that keeps no advice
  s.shown = true;
  s.heading = T(en, "Wat is er met de signalen gedaan", "What was done with the signals");
  const std::string since = DateName(AmsterdamTime(d.advice_since_unix()).date, en);
  if (d.advice_size() == 0) {
    s.intro = T(en, "Geen adviezen over ", "No advice on ") + d.region_name() +
              T(en, " die nog lopen of sinds ", " that is still open or changed since ") + since +
              T(en, " veranderden.", ".");
    return s;
  }
  s.intro = T(en, "Adviezen van de adviesraden over de signalen uit ", "The advisory councils' advice on the signals from ") +
            d.region_name() + T(en, " die nog lopen of sinds ", " that is still open or changed since ") + since +
            T(en, " veranderden; de nieuwste verandering eerst.", "; the newest change first.");
  for (const auto& a : d.advice()) {
    AdviceSectionText::Item item;
    item.title = a.title();
    item.id = a.id();
    item.about = T(en, "Advies van ", "Advice from ") + a.council() + T(en, " aan ", " to ") + a.addressee();
    if (!a.sent_date().empty()) item.about += T(en, ", verstuurd op ", ", sent on ") + DateText(a.sent_date(), en);
    if (a.region() != d.region() && !a.region_name().empty()) item.about += T(en, ", over ", ", on ") + a.region_name();
    item.about += ".";
    if (a.themes_size() > 0) {
      item.about += (a.themes_size() == 1 ? T(en, " Thema: ", " Theme: ") : T(en, " Thema's: ", " Themes: ")) +
                    ThemeList(a, en) + ".";
    }
    item.status = T(en, "Status: ", "Status: ") + AdviceStatusName(a.status(), en);
    if (!a.response_date().empty()) item.status += " (" + DateText(a.response_date(), en) + ")";
    if (a.added()) {
      item.status += T(en, ", nieuw sinds ", ", new since ") + since;
    } else if (a.changed()) {
      item.status += T(en, ", gewijzigd sinds ", ", changed since ") + since;
    }
    item.status += ".";
    if (!a.response().empty()) {
      item.response = a.response();
    } else if (a.status() == "verstuurd") {
      item.status += T(en, " Nog geen reactie.", " No response yet.");
    }
    s.items.push_back(std::move(item));
  }
  if (d.advice_more() > 0) {
    s.more = T(en, "En nog ", "And ") + std::to_string(d.advice_more()) +
             T(en, " adviezen meer; de beheerder van het netwerk heeft het hele overzicht.",
               " more; the network's administrator has the whole list.");
  }
  return s;
}

nlohmann::json AdviceJson(const wire::Digest& d) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& a : d.advice()) {
    nlohmann::json themes = nlohmann::json::array();
    for (const auto& t : a.themes()) themes.push_back(t.code());
    out.push_back({{"id", a.id()},
                   {"title", a.title()},
                   {"council", a.council()},
                   {"addressee", a.addressee()},
                   {"region", a.region()},
                   {"region_name", a.region_name()},
                   {"sent_date", a.sent_date().empty() ? nlohmann::json(nullptr) : nlohmann::json(a.sent_date())},
                   {"status", a.status()},
                   {"response", a.response().empty() ? nlohmann::json(nullptr) : nlohmann::json(a.response())},
                   {"response_date",
                    a.response_date().empty() ? nlohmann::json(nullptr) : nlohmann::json(a.response_date())},
                   {"themes", themes},
                   {"changed", a.changed()},
                   {"new", a.added()}});
  }
  return out;
}

}  // namespace signaal
