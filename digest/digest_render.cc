#include "digest_render.h"

#include <cstdio>

#include <algorithm>
#include <utility>

#include "signaal/period.h"
#include "signaal/saturating.h"
#include "signaal/text.h"

namespace signaal {
namespace {

nlohmann::json Value(std::optional<uint32_t> v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); }

// The context of one code: the previous period, the weekly series (the last
// 13 weeks up to the period's end) and the trend flag; nothing without context.
void AddContext(nlohmann::json& j, const wire::Digest& d, const std::string& code) {
  if (d.weeks_size() == 0) return;
  if (d.has_previous()) j["previous_signals"] = Value(ShownSignals(d.previous(), code));
  nlohmann::json series = nlohmann::json::array();
  int first = std::max(0, d.weeks_size() - 13);
  for (int i = first; i < d.weeks_size(); ++i) series.push_back(Value(ShownSignals(d.weeks(i), code)));
  j["weekly"] = series;
  auto judgement = JudgeDigestTrend(d, code);
  std::string flag = TrendFlagName(judgement.flag, "en");
  j["trend"] = flag.empty() ? nlohmann::json(nullptr) : nlohmann::json(flag);
}

nlohmann::json CellJson(const wire::DigestCell& c) {
  nlohmann::json j;
  j["theme"] = c.code();
  j["label"] = c.label_nl();
  j["label_en"] = c.label_en();
  j["suppressed"] = c.suppressed();
  if (c.suppressed()) {
    j["signals"] = nullptr;
    j["persons"] = nullptr;
    j["organisations"] = nullptr;
  } else {
    j["signals"] = c.signals();
    j["persons"] = c.persons();
    j["organisations"] = c.organisations();
  }
  j["subthemes"] = nlohmann::json::array();
  for (const auto& s : c.subthemes()) j["subthemes"].push_back(CellJson(s));
  return j;
}

// The share still open, on a theme or total: the two published counts it
// is made of, the share, and whether it was withheld; null where unknown.
void AddOpenShare(nlohmann::json& j, const wire::DigestCell& c) {
  const OpenShare share = OpenShareOf(c);
  j["open"] = share.kind == OpenShare::kShown ? nlohmann::json(c.open()) : nlohmann::json(nullptr);
  j["dealt_with"] = share.kind == OpenShare::kShown ? nlohmann::json(c.dealt_with()) : nlohmann::json(nullptr);
  j["open_share"] = share.kind == OpenShare::kShown
                        ? nlohmann::json(static_cast<double>(c.open()) /
                                         static_cast<double>(uint64_t{c.open()} + c.dealt_with()))
                        : nlohmann::json(nullptr);
  j["open_suppressed"] = share.kind == OpenShare::kWithheld;
}

// " 35% |" for a theme or total row, " |" for a subtheme's, when the digest
// has the column (`shown`, ShowsOpenShare).
std::string OpenColumn(bool shown, const wire::DigestCell* c) {
  if (!shown) return "";
  return " " + (c ? OpenShareText(*c) : std::string()) + " |";
}

// "<5" for a suppressed cell under k = 5, as the HTML digest shows it.
std::string Num(const wire::DigestCell& c, uint32_t value, uint32_t k) {
  return c.suppressed() ? "<" + std::to_string(k) : std::to_string(value);
}

// `open`: the share column's cell with its leading space and closing bar, or "".
std::string Row(const std::string& label, const wire::DigestCell& c, uint32_t k, const std::string& open) {
  return "| " + label + " | " + Num(c, c.signals(), k) + " | " + Num(c, c.persons(), k) + " | " +
         Num(c, c.organisations(), k) + " |" + open + "\n";
}

// The breakdown as a table: a municipality per row, the region's themes as columns.
std::string MunicipalitiesMarkdown(const wire::Digest& d) {
  if (d.municipalities_size() == 0) return "";
  const uint32_t k = d.policy().k();
  std::string md = "## Per gemeente\n\n| Gemeente | Totaal |";
  std::string rule = "|---|---:|";
  for (const auto& theme : d.themes()) {
    md += " " + theme.label_nl() + " |";
    rule += "---:|";
  }
  md += "\n" + rule + "\n";
  std::string silent;
  for (const auto& m : d.municipalities()) {
    if (!HeardIn(m)) {
      silent += (silent.empty() ? "" : ", ") + m.region_name();
      continue;
    }
    md += "| " + m.region_name() + " | " + Num(m.total(), m.total().signals(), k) + " |";
    for (const auto& theme : d.themes()) {
      const wire::DigestCell* c = FindCell(m, theme.code());
      md += " " + (c ? Num(*c, c->signals(), k) : "0") + " |";
    }
    md += "\n";
  }
  if (!silent.empty()) md += "\nGeen signalen uit " + silent + ".\n";
  return md + "\nSignalen per gemeente, per thema zonder subthema's.\n\n";
}

nlohmann::json MunicipalitiesJson(const wire::Digest& d) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& m : d.municipalities()) {
    nlohmann::json total = CellJson(m.total());
    total.erase("subthemes");
    total.erase("theme");
    nlohmann::json themes = nlohmann::json::array();
    for (const auto& t : m.themes()) themes.push_back(CellJson(t));
    out.push_back({{"municipality", m.region()}, {"name", m.region_name()}, {"total", total}, {"themes", themes}});
  }
  return out;
}

// The broker's quotes as it sent them, in its order; labels as the cells
// carry them ("label" Dutch, "label_en" English).
nlohmann::json QuotesJson(const wire::Digest& d) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& q : d.quotes()) {
    out.push_back({{"text", q.text()},
                   {"theme", q.theme()},
                   {"theme_label", q.theme_label_nl()},
                   {"theme_label_en", q.theme_label_en()},
                   {"week", q.week()}});
  }
  return out;
}

// "Wat inwoners zeggen": a sub-heading per theme, each quote a block quote
// with its attribution as a paragraph of its own, so the two do not run
// into one line. `d` is the escaped copy; nothing when there are no quotes.
std::string QuotesMarkdown(const wire::Digest& d) {
  if (d.quotes_size() == 0) return "";
  std::string md = "## Wat inwoners zeggen\n\n" + EscapeMarkdown(QuotesNote()) + "\n\n";
  for (const auto& group : QuotesByTheme(d)) {
    md += "### " + QuoteThemeLabel(*group.front()) + "\n\n";
    for (const wire::DigestQuote* q : group) {
      md += "> „" + q->text() + "”\n>\n> — " + QuoteThemeLabel(*q) + ", " + WeekName(q->week()) + "\n\n";
    }
  }
  return md;
}

// "Wat is er met de signalen gedaan": each advice a sub-heading, what it is
// a paragraph, the response a block quote. `d` is the escaped copy.
std::string AdviceMarkdown(const wire::Digest& d) {
  const AdviceSectionText s = AdviceSectionWords(d);
  if (!s.shown) return "";
  std::string md = "## " + s.heading + "\n\n" + s.intro + "\n\n";
  for (const auto& item : s.items) {
    md += "### " + item.title + " (" + item.id + ")\n\n" + item.about + "\n\n**" + item.status + "**\n\n";
    if (!item.response.empty()) md += "> „" + item.response + "”\n\n";
  }
  if (!s.more.empty()) md += s.more + "\n\n";
  return md;
}

// The method and its public parameters, for the policy line.
std::string PolicyNl(const wire::DisclosureSummary& p) {
  if (p.method() != "cell-key") return "drempel en controle op terugrekenen";
  return "cell-key-methode, maximale afwijking " + std::to_string(p.max_deviation()) + ", variantie " +
         Decimal(p.variance(), true);
}

}  // namespace

std::string PerturbationSentence(const wire::DisclosureSummary& p, bool english) {
  if (p.method() != "cell-key" || p.max_deviation() == 0) return "";
  const std::string d = std::to_string(p.max_deviation());
  // With a variance up to 2 most numbers move by 0 or 1 (88 % at V = 1);
  // beyond that the sentence says only the bound.
  const bool mostly_small = p.variance() <= 2;
  if (english) {
    return std::string("To protect privacy every number is slightly perturbed, ") +
           (mostly_small ? "most by 0 or 1 and never by more than " : "never by more than ") + d +
           ", always the same way for the same cell, so a sum of numbers can differ from its total by a few.";
  }
  return std::string("Om de privacy te beschermen is elk getal licht verstoord, ") +
         (mostly_small ? "de meeste met 0 of 1 en nooit met meer dan " : "nooit met meer dan ") + d +
         ", voor dezelfde cel steeds gelijk; daardoor kan een som van getallen een paar afwijken van het totaal.";
}

std::vector<std::vector<const wire::DigestQuote*>> QuotesByTheme(const wire::Digest& d) {
  std::vector<std::string> order;
  for (const auto& theme : d.themes()) order.push_back(theme.code());
  // The broker sends quotes only for themes it shows; one for a theme the
  // digest does not list is still shown, after the others, not dropped.
  for (const auto& q : d.quotes()) {
    if (std::find(order.begin(), order.end(), q.theme()) == order.end()) order.push_back(q.theme());
  }
  std::vector<std::vector<const wire::DigestQuote*>> groups;
  for (const auto& code : order) {
    std::vector<const wire::DigestQuote*> group;
    for (const auto& q : d.quotes()) {
      if (q.theme() == code) group.push_back(&q);
    }
    if (!group.empty()) groups.push_back(std::move(group));
  }
  return groups;
}

std::string QuoteThemeLabel(const wire::DigestQuote& q, bool english) {
  if (english && !q.theme_label_en().empty()) return q.theme_label_en();
  return q.theme_label_nl().empty() ? q.theme() : q.theme_label_nl();
}

std::string DigestTitle(const wire::Digest& d, bool english) {
  return (english ? "Signals report " : "Signalenrapportage ") + d.region_name() + ", " +
         PeriodTitle(d.period(), english);
}

std::string DigestMadeAt(const wire::Digest& d, bool english) {
  return (english ? "made on " : "gemaakt op ") + AmsterdamTimeName(d.generated_unix(), english) +
         (english ? " (Dutch time)" : "");
}

std::string WeekName(const std::string& week, bool english) {
  if (!IsValidWeek(week)) return week;
  // "2026-W07": week 7, as people write it.
  const std::string number = week[6] == '0' ? week.substr(7, 1) : week.substr(6, 2);
  return "week " + number + (english ? " of " : " van ") + week.substr(0, 4);
}

std::string QuotesNote(bool english) {
  if (english) {
    return "Shared with consent, read by the partner and stripped of names and other personal data ([NAAM], "
           "[ADRES] … stand where something was left out).";
  }
  return "Met toestemming gedeeld, door de partner nagelezen en ontdaan van namen en andere persoonsgegevens "
         "([NAAM], [ADRES] … staan waar iets is weggelaten).";
}

nlohmann::json DigestToJson(const wire::Digest& d) {
  nlohmann::json j;
  j["region"] = d.region();
  j["region_name"] = d.region_name();
  j["period"] = d.period();
  j["from"] = d.from_week();
  j["to"] = d.to_week();
  j["sequence"] = d.sequence();
  j["generated_at"] = IsoTimeUtc(d.generated_unix());
  j["taxonomy_version"] = d.taxonomy_version();
  j["policy"] = {{"k", d.policy().k()},
                 {"min_organisations", d.policy().min_organisations()},
                 {"method", d.policy().method()},
                 {"cells_published", d.policy().cells_published()},
                 {"cells_suppressed", d.policy().cells_suppressed()},
                 {"max_deviation", d.policy().max_deviation()},
                 {"variance", d.policy().variance()}};
  j["organisations"] = d.total().suppressed() ? nlohmann::json(nullptr) : nlohmann::json(d.organisations_total());
  nlohmann::json total = CellJson(d.total());
  total.erase("subthemes");
  total.erase("theme");
  AddContext(total, d, "");
  AddOpenShare(total, d.total());
  if (d.weeks_size() > 0) {
    nlohmann::json weeks = nlohmann::json::array();
    for (int i = std::max(0, d.weeks_size() - 13); i < d.weeks_size(); ++i) weeks.push_back(d.weeks(i).period());
    j["weeks"] = weeks;
    if (d.has_previous()) j["previous_period"] = d.previous().period();
  }
  j["total"] = total;
  j["themes"] = nlohmann::json::array();
  for (const auto& t : d.themes()) {
    auto theme = CellJson(t);
    AddContext(theme, d, t.code());
    AddOpenShare(theme, t);
    theme["corroborated"] = !t.suppressed() && t.organisations() >= 2;
    j["themes"].push_back(theme);
  }
  if (d.municipalities_size() > 0) j["municipalities"] = MunicipalitiesJson(d);
  // Always present, [] without quotes: a script need not test for the key.
  j["quotes"] = QuotesJson(d);
  // Likewise always present; advice_since null from a broker that keeps no advice.
  j["advice"] = AdviceJson(d);
  j["advice_more"] = d.advice_more();
  j["advice_since"] = d.advice_since_unix() ? nlohmann::json(IsoTimeUtc(d.advice_since_unix())) : nlohmann::json(nullptr);
  return j;
}

OpenShare OpenShareOf(const wire::DigestCell& c) {
  if (c.suppressed()) return {};
  if (c.open_suppressed()) return {OpenShare::kWithheld, 0};
  const uint64_t all = uint64_t{c.open()} + c.dealt_with();
  if (!c.has_open() || !c.has_dealt_with() || all == 0) return {};
  // Rounded half up, but never to 0% while some are open, nor to 100% while
  // some were dealt with: the column must not say "none" or "all" wrongly.
  int percent = static_cast<int>((uint64_t{c.open()} * 200 + all) / (2 * all));
  if (c.open() > 0) percent = std::max(percent, 1);
  if (c.dealt_with() > 0) percent = std::min(percent, 99);
  return {OpenShare::kShown, percent};
}

std::string OpenShareText(const wire::DigestCell& c) {
  const OpenShare share = OpenShareOf(c);
  return share.kind == OpenShare::kShown ? std::to_string(share.percent) + "%" : "–";
}

bool ShowsOpenShare(const wire::Digest& d) {
  if (OpenShareOf(d.total()).kind != OpenShare::kUnknown) return true;
  return std::any_of(d.themes().begin(), d.themes().end(),
                     [](const wire::DigestCell& t) { return OpenShareOf(t).kind != OpenShare::kUnknown; });
}

std::string OpenShareNote(bool english) {
  if (english) {
    return "Still open: the share of the signals the partners have not yet referred on or resolved, by the status "
           "they keep; its two counts are perturbed like every number. – = not known, or too few to show.";
  }
  return "Nog open: het deel van de signalen dat de partners nog niet hebben doorverwezen of opgelost, volgens de "
         "status die zij bijhouden; beide aantallen erachter zijn verstoord zoals elk getal. – = onbekend, of te weinig "
         "om te tonen.";
}

std::optional<uint32_t> ShownSignals(const wire::Digest& digest, const std::string& code) {
  const wire::DigestCell* c = FindCell(digest, code);
  if (!c) return 0u;
  if (c->suppressed()) return std::nullopt;
  return c->signals();
}

TrendJudgement JudgeDigestTrend(const wire::Digest& digest, const std::string& code) {
  TrendInput in;
  in.k = digest.policy().k();
  in.period_weeks = static_cast<uint32_t>(PeriodRange{"", digest.from_week(), digest.to_week()}.Weeks().size());
  in.current = ShownSignals(digest, code);
  // The series ends with (the last weeks of) the period; the baseline is the
  // weeks before it, counting only weeks in which the region heard anything
  // at all: a week before the network started says nothing about a theme.
  // ISO week labels of one width sort as the weeks do.
  for (int i = 0; i < digest.weeks_size() && digest.weeks(i).to_week() < digest.from_week(); ++i) {
    if (ShownSignals(digest.weeks(i), "") == 0u) continue;
    in.baseline.push_back(ShownSignals(digest.weeks(i), code));
  }
  return JudgeTrend(in);
}

std::string DigestToMarkdown(const wire::Digest& digest) {
  // Every string below comes from this copy, escaped once.
  const wire::Digest d = EscapedDigest(digest, EscapeMarkdown);
  std::string md;
  md += "# " + DigestTitle(d) + "\n\n";
  md += "Over de weken " + d.from_week() + " t/m " + d.to_week() + ", " + DigestMadeAt(d) + ".\n\n";
  const auto& t = d.total();
  if (t.suppressed()) {
    md += "In deze periode zijn te weinig signalen gemeld om getallen te tonen.\n\n";
  } else {
    md += "**" + std::to_string(t.signals()) + " signalen** van " + std::to_string(t.persons()) + " personen, gemeld door " +
          std::to_string(d.organisations_total()) + " organisaties.\n\n";
  }
  const bool open = ShowsOpenShare(d);
  md += std::string("| Thema | Signalen | Personen | Organisaties |") + (open ? " Nog open |" : "") +
        "\n|---|---:|---:|---:|" + (open ? "---:|" : "") + "\n";
  for (const auto& theme : d.themes()) {
    md += Row("**" + theme.label_nl() + "**", theme, d.policy().k(), OpenColumn(open, &theme));
    for (const auto& sub : theme.subthemes()) {
      md += Row("&nbsp;&nbsp;" + sub.label_nl(), sub, d.policy().k(), OpenColumn(open, nullptr));
    }
  }
  md += Row("**Totaal**", t, d.policy().k(), OpenColumn(open, &t));
  md += "\n";
  if (open) md += OpenShareNote() + "\n\n";
  md += MunicipalitiesMarkdown(d);
  md += "<" + std::to_string(d.policy().k()) + " = onderdrukt ter bescherming van de privacy: te weinig personen of signalen "
        "achter de cel, of door één organisatie alleen gemeld.\n\n";
  if (std::string why = PerturbationSentence(d.policy()); !why.empty()) md += why + "\n\n";
  md += "Personen zijn per organisatie en per week geteld en daarna opgeteld; iemand die bij twee organisaties "
        "of in twee weken meldt, telt twee keer.\n\n";
  // After the numbers and what explains them, as in the HTML.
  md += QuotesMarkdown(d);
  // What came of the signals, after what they were.
  md += AdviceMarkdown(d);
  md += "---\nBeleid: " + PolicyNl(d.policy()) + ", drempel k = " + std::to_string(d.policy().k()) + ", minstens " +
        std::to_string(d.policy().min_organisations()) + " organisaties per cel, " +
        std::to_string(d.policy().cells_suppressed()) + " van " +
        std::to_string(SaturatingAdd(d.policy().cells_suppressed(), d.policy().cells_published())) +
        " cellen onderdrukt. Taxonomie " + d.taxonomy_version() + ". Rapportage " + std::to_string(d.sequence()) + ".\n";
  return md;
}

std::string RenderDigest(const wire::Digest& d, const std::string& format, const std::string& lang) {
  // Strings are escaped by the JSON writer; one that is not UTF-8 is
  // written with U+FFFD rather than throwing.
  if (format == "json") return DigestToJson(d).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  if (format == "md") return DigestToMarkdown(d);
  if (format == "html") return DigestToHtml(d, lang);
  if (format == "csv") return DigestToCsv(d, lang);
  return "";
}

const wire::DigestCell* FindCell(const wire::Digest& digest, const std::string& code) {
  if (code.empty()) return &digest.total();
  for (const auto& theme : digest.themes()) {
    if (theme.code() == code) return &theme;
    for (const auto& sub : theme.subthemes()) {
      if (sub.code() == code) return &sub;
    }
  }
  return nullptr;
}

bool HeardIn(const wire::Digest& municipality) {
  return municipality.total().suppressed() || municipality.total().signals() > 0;
}

wire::DigestCell* FindCell(wire::Digest& digest, const std::string& code) {
  // The digest is not const here, so neither is the cell found in it.
  return const_cast<wire::DigestCell*>(FindCell(std::as_const(digest), code));
}

}  // namespace signaal
