#include "signaal/labels.h"

#include <algorithm>
#include <map>

#include "signaal/text.h"

namespace signaal {
namespace {

// The base letter of an accented Latin letter, or 0.
char BaseLetter(int32_t cp) {
  static const std::pair<const char*, char> kGroups[] = {
      {"àáâãäåÀÁÂÃÄÅ", 'a'}, {"çÇ", 'c'}, {"èéêëÈÉÊË", 'e'}, {"ìíîïÌÍÎÏ", 'i'}, {"ñÑ", 'n'},
      {"òóôõöøÒÓÔÕÖØ", 'o'}, {"ùúûüÙÚÛÜ", 'u'}, {"ýÿÝ", 'y'}};
  for (const auto& [letters, base] : kGroups) {
    std::string_view l(letters);
    for (size_t i = 0; i < l.size();) {
      size_t n = 1;
      if (CodePointAt(l, i, &n) == cp) return base;
      i += n;
    }
  }
  return 0;
}

// What a label is compared as: its folded words, and its code's too.
struct Named {
  std::string code;
  std::vector<std::string> folded;  // code, label_nl, label_en
};

bool Fits(const Named& n, const std::string& f) {
  return std::find(n.folded.begin(), n.folded.end(), f) != n.folded.end();
}
// A label that begins with the words written, or holds them whole:
// "schulden" for "Schulden & geldzaken", "wachttijd" for "Toegang & wachttijd".
bool FitsPartly(const Named& n, const std::string& f) {
  for (const auto& label : n.folded) {
    const std::string padded = " " + label + " ";
    if (padded.find(" " + f + " ") != std::string::npos) return true;
  }
  return false;
}

Named Name(const Theme& t) {
  std::string code = t.code.substr(t.code.rfind('.') == std::string::npos ? 0 : t.code.rfind('.') + 1);
  return {t.code, {FoldLabel(code), FoldLabel(t.label_nl), FoldLabel(t.label_en)}};
}

std::string Labels(const std::vector<const Theme*>& themes) {
  std::string out;
  for (const Theme* t : themes) out += (out.empty() ? "" : ", ") + ("'" + t->label_nl + "'");
  return out;
}

// The one theme of `among` that `text` names, exactly or else partly.
std::variant<const Theme*, std::string> Pick(const std::vector<const Theme*>& among, const std::string& text) {
  const std::string f = FoldLabel(text);
  for (bool partly : {false, true}) {
    std::vector<const Theme*> found;
    for (const Theme* t : among) {
      if (partly ? FitsPartly(Name(*t), f) : Fits(Name(*t), f)) found.push_back(t);
    }
    if (found.size() == 1) return found[0];
    if (found.size() > 1) return "'" + text + "' fits more than one: " + Labels(found) + "; write one of them whole";
  }
  return std::string();
}

}  // namespace

std::string FoldLabel(std::string_view text) {
  std::string out;
  bool gap = false;  // a word ended: a space before the next one
  auto letters = [&](std::string_view piece) {
    if (gap && !out.empty()) out += ' ';
    gap = false;
    out += piece;
  };
  for (size_t i = 0; i < text.size();) {
    size_t n = 1;
    const int32_t cp = CodePointAt(text, i, &n);
    if (cp >= 'A' && cp <= 'Z') {
      letters(std::string(1, static_cast<char>(cp + 32)));
    } else if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9')) {
      letters(std::string(1, static_cast<char>(cp)));
    } else if (cp == '&' || cp == '+') {
      gap = true;
      letters("en");
      gap = true;
    } else if (char base = cp > 0x7f ? BaseLetter(cp) : 0) {
      letters(std::string(1, base));
    } else if (cp >= 0x370 && !(cp >= 0x2000 && cp <= 0x2BFF) && !(cp >= 0x3000 && cp <= 0x303F)) {
      letters(text.substr(i, n));  // another script's letter, kept as it is
    } else {
      gap = true;
    }
    i += n;
  }
  return out;
}

const std::vector<std::string>& SignalColumns() {
  static const std::vector<std::string> cols = {"date",   "municipality", "theme", "subtheme",      "age_band",
                                                "channel", "severity",     "status", "text",         "person",
                                                "quote_consent", "quote",   "postcode4", "postcode"};
  return cols;
}

std::string ColumnForHeader(std::string_view header) {
  static const std::map<std::string, std::string> kHeaders = {
      {"date", "date"}, {"datum", "date"},
      {"municipality", "municipality"}, {"gemeente", "municipality"},
      {"theme", "theme"}, {"thema", "theme"}, {"onderwerp", "theme"},
      {"subtheme", "subtheme"}, {"subthema", "subtheme"}, {"subonderwerp", "subtheme"},
      {"age band", "age_band"}, {"age", "age_band"}, {"leeftijd", "age_band"}, {"leeftijdsgroep", "age_band"},
      {"leeftijdscategorie", "age_band"}, {"leeftijdsklasse", "age_band"},
      {"channel", "channel"}, {"kanaal", "channel"},
      {"severity", "severity"}, {"ernst", "severity"}, {"urgentie", "severity"},
      {"status", "status"},
      {"text", "text"}, {"toelichting", "text"}, {"omschrijving", "text"}, {"beschrijving", "text"},
      {"tekst", "text"}, {"notitie", "text"},
      {"person", "person"}, {"persoon", "person"}, {"referentie", "person"}, {"burgerreferentie", "person"},
      {"quote consent", "quote_consent"}, {"toestemming", "quote_consent"},
      {"toestemming citaat", "quote_consent"}, {"citaat toestemming", "quote_consent"},
      {"quote", "quote"}, {"citaat", "quote"},
      {"postcode4", "postcode4"}, {"postcode", "postcode"}};
  auto it = kHeaders.find(FoldLabel(header));
  return it == kHeaders.end() ? "" : it->second;
}

std::string DutchHeader(const std::string& column) {
  static const std::map<std::string, std::string> kDutch = {
      {"date", "datum"}, {"municipality", "gemeente"}, {"theme", "thema"}, {"subtheme", "subthema"},
      {"age_band", "leeftijd"}, {"channel", "kanaal"}, {"severity", "ernst"}, {"status", "status"},
      {"text", "toelichting"}, {"person", "persoon"}, {"quote_consent", "toestemming"}, {"quote", "citaat"},
      {"postcode4", "postcode4"}, {"postcode", "postcode"}};
  auto it = kDutch.find(column);
  return it == kDutch.end() ? column : it->second;
}

std::variant<ThemeChoice, LabelError> ResolveTheme(const ReferenceData& ref, const std::string& theme,
                                                   const std::string& subtheme) {
  ThemeChoice choice;
  std::vector<const Theme*> all;
  for (const auto& t : ref.themes()) all.push_back(&t);
  auto top = Pick(ref.TopThemes(), theme);
  if (auto* t = std::get_if<const Theme*>(&top)) {
    choice.theme = (*t)->code;
  } else if (!std::get<std::string>(top).empty()) {
    return LabelError{"theme", std::get<std::string>(top)};
  } else {
    // A subtheme's label in the theme column: its parent is the theme.
    std::vector<const Theme*> subs;
    for (const Theme* t : all) {
      if (!t->parent.empty()) subs.push_back(t);
    }
    auto sub = Pick(subs, theme);
    if (auto* s = std::get_if<const Theme*>(&sub); s && subtheme.empty()) {
      return ThemeChoice{(*s)->parent, (*s)->code};
    }
    return LabelError{"theme", std::get<std::string>(sub).empty()
                                   ? "unknown theme '" + theme + "' (a code or a label: " + Labels(ref.TopThemes()) + ")"
                                   : std::get<std::string>(sub)};
  }
  if (subtheme.empty()) return choice;
  auto sub = Pick(ref.SubthemesOf(choice.theme), subtheme);
  if (auto* s = std::get_if<const Theme*>(&sub)) {
    choice.subtheme = (*s)->code;
    return choice;
  }
  if (!std::get<std::string>(sub).empty()) return LabelError{"subtheme", std::get<std::string>(sub)};
  return LabelError{"subtheme", "unknown subtheme '" + subtheme + "' of theme " + choice.theme + " (one of " +
                                    Labels(ref.SubthemesOf(choice.theme)) + ")"};
}

std::optional<std::string> ResolveChannel(const std::string& text) {
  static const std::map<std::string, std::string> kChannels = {
      {"clientenraad", "clientenraad"}, {"client council", "clientenraad"},
      {"helpdesk", "helpdesk"}, {"hulplijn", "helpdesk"},
      {"spreekuur", "spreekuur"}, {"inloop", "spreekuur"}, {"inloopspreekuur", "spreekuur"}, {"walk in", "spreekuur"},
      {"zelfhulp", "zelfhulp"}, {"zelfhulpgroep", "zelfhulp"}, {"lotgenotengroep", "zelfhulp"}, {"self help", "zelfhulp"},
      {"panel", "panel"}, {"burgerpanel", "panel"}, {"inwonerspanel", "panel"},
      {"other", "other"}, {"anders", "other"}, {"overig", "other"}, {"overige", "other"}};
  auto it = kChannels.find(FoldLabel(text));
  if (it == kChannels.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> ResolveStatus(const std::string& text) {
  static const std::map<std::string, std::string> kStatuses = {
      {"open", "open"}, {"lopend", "open"}, {"referred", "referred"}, {"doorverwezen", "referred"},
      {"verwezen", "referred"}, {"resolved", "resolved"}, {"opgelost", "resolved"}, {"afgehandeld", "resolved"},
      {"afgerond", "resolved"}};
  auto it = kStatuses.find(FoldLabel(text));
  if (it == kStatuses.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> ResolveAgeBand(const std::string& text) {
  const std::string f = FoldLabel(text);
  for (const auto& band : ReferenceData::AgeBands()) {
    if (f == FoldLabel(band)) return band;
  }
  if (f == "onbekend" || f == "niet bekend" || f == "weet niet") return "unknown";
  return std::nullopt;
}

namespace {
// One Dutch label per code, from the tables above: a template offers these.
std::string LabelOf(const std::map<std::string, std::string>& labels, const std::string& code) {
  auto it = labels.find(code);
  return it == labels.end() ? code : it->second;
}
}  // namespace

std::string ChannelLabel(const std::string& code) {
  static const std::map<std::string, std::string> kLabels = {
      {"clientenraad", "Cliëntenraad"}, {"helpdesk", "Helpdesk"}, {"spreekuur", "Spreekuur"},
      {"zelfhulp", "Zelfhulpgroep"},    {"panel", "Burgerpanel"}, {"other", "Anders"}};
  return LabelOf(kLabels, code);
}

std::string StatusLabel(const std::string& code) {
  static const std::map<std::string, std::string> kLabels = {
      {"open", "Open"}, {"referred", "Doorverwezen"}, {"resolved", "Opgelost"}};
  return LabelOf(kLabels, code);
}

std::string AgeBandLabel(const std::string& code) { return code == "unknown" ? "onbekend" : code; }

}  // namespace signaal
