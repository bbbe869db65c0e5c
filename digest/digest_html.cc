// The digest as the council secretary opens it: one self-contained HTML file
// (inline CSS and SVG, no request leaves the page), and as CSV for their own
// spreadsheet. Every sentence is written from the numbers; the only words
// not the renderer's are citizens' quotes, shown as quotes, which the broker
// passed on after the partner's review — never a partner's name, which the
// digest does not carry. Nothing the broker sent appears unescaped: the HTML
// reads an EscapedDigest, the CSV writes every cell through CsvCell.
#include <algorithm>
#include <cstdio>
#include <vector>

#include "digest_render.h"
#include "signaal/period.h"
#include "signaal/saturating.h"
#include "signaal/text.h"

namespace signaal {
namespace {

struct Words {
  bool en;
  std::string T(const char* nl, const char* english) const { return en ? english : nl; }
};

std::string Label(const wire::DigestCell& c, const Words& w) {
  if (c.code().empty()) return w.T("Totaal", "Total");
  return w.en && !c.label_en().empty() ? c.label_en() : c.label_nl();
}

// "drie" / "three" for small counts, digits beyond ten; capitalised at a sentence start.
std::string Count(size_t n, const Words& w, bool capital) {
  static const char* nl[] = {"geen", "één", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen", "tien"};
  static const char* en[] = {"no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"};
  std::string s = n <= 10 ? (w.en ? en[n] : nl[n]) : std::to_string(n);
  if (capital && !s.empty()) {
    if (s.rfind("één", 0) == 0) s = "Eén" + s.substr(std::string("één").size());
    else s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
  }
  return s;
}

std::string Join(const std::vector<std::string>& items, const Words& w) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += i + 1 == items.size() ? w.T(" en ", " and ") : ", ";
    out += items[i];
  }
  return out;
}

std::string Below(uint32_t k) { return "&lt;" + std::to_string(k); }

std::string Number(const wire::DigestCell& c, uint32_t value, uint32_t k, const Words& w) {
  if (!c.suppressed()) return std::to_string(value);
  return "<abbr title=\"" + w.T("onderdrukt ter bescherming van de privacy", "suppressed to protect privacy") +
         "\">" + Below(k) + "</abbr>";
}

// The series a row's sparkline and chart draw: the last 13 weeks.
std::vector<std::optional<uint32_t>> Weekly(const wire::Digest& d, const std::string& code) {
  std::vector<std::optional<uint32_t>> out;
  for (int i = std::max(0, d.weeks_size() - 13); i < d.weeks_size(); ++i) out.push_back(ShownSignals(d.weeks(i), code));
  return out;
}

std::string SeriesText(const wire::Digest& d, const std::vector<std::optional<uint32_t>>& series, uint32_t k,
                       const Words& w) {
  std::string text;
  int first = std::max(0, d.weeks_size() - 13);
  for (size_t i = 0; i < series.size(); ++i) {
    std::string week = d.weeks(first + static_cast<int>(i)).period();
    // "W41" of "2026-W41"; a label that is no week, whole.
    text += (i ? ", " : "") + (week.find('W') == std::string::npos ? week : week.substr(week.find('W'))) + ": " +
            (series[i] ? std::to_string(*series[i]) : w.T("minder dan ", "fewer than ") + std::to_string(k));
  }
  return text;
}

// Bars per week; a suppressed week is a hatched bar up to k − 1.
std::string Bars(const std::vector<std::optional<uint32_t>>& series, uint32_t k, int width, int height,
                 const std::string& label, bool axis) {
  uint32_t top = std::max<uint32_t>(k, 1);
  for (const auto& v : series) top = std::max(top, v.value_or(0));
  const int n = static_cast<int>(std::max<size_t>(series.size(), 1));
  const double slot = static_cast<double>(width) / n;
  const int base = axis ? height - 14 : height;
  std::string svg = "<svg class=\"bars\" viewBox=\"0 0 " + std::to_string(width) + " " + std::to_string(height) +
                    "\" width=\"" + std::to_string(width) + "\" height=\"" + std::to_string(height) +
                    "\" role=\"img\" aria-label=\"" + label + "\"><title>" + label + "</title>";
  for (int i = 0; i < n && i < static_cast<int>(series.size()); ++i) {
    const auto& v = series[static_cast<size_t>(i)];
    double value = v ? *v : (k > 0 ? k - 1.0 : 0.0);
    double h = value / top * (base - 2);
    char rect[200];
    std::snprintf(rect, sizeof rect, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>",
                  v ? "shown" : "hidden", i * slot + slot * 0.15, base - h, slot * 0.7, std::max(h, v ? 0.0 : 1.0));
    svg += rect;
  }
  if (axis) {
    char line[120];
    std::snprintf(line, sizeof line, "<line class=\"axis\" x1=\"0\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>", base, width, base);
    svg += line;
  }
  return svg + "</svg>";
}

// Change against the previous period; -1 = not shown.
std::string Change(int64_t now, int64_t before, const Words& w) {
  if (now < 0 || before < 0) return "–";
  if (before == 0) return now == 0 ? "0" : w.T("nieuw", "new");
  const double a = static_cast<double>(now), b = static_cast<double>(before);
  int pct = static_cast<int>((a - b) * 100.0 / b + (a >= b ? 0.5 : -0.5));
  return (pct > 0 ? "+" : pct < 0 ? "−" : "") + std::to_string(std::abs(pct)) + "%";
}

int64_t OrMinusOne(std::optional<uint32_t> v) { return v ? static_cast<int64_t>(*v) : -1; }

// The opening paragraph, from the numbers only.
std::string Summary(const wire::Digest& d, const Words& w) {
  const auto& t = d.total();
  std::string s;
  if (t.suppressed()) {
    s = w.T("In deze periode zijn te weinig signalen gemeld om getallen te tonen.",
            "Too few signals were reported in this period to show numbers.");
  } else {
    s = w.T("In deze periode meldden ", "In this period ") + Count(d.organisations_total(), w, false) +
        w.T(" organisaties samen ", " organisations reported ") + std::to_string(t.signals()) +
        w.T(" signalen van ", " signals from ") + std::to_string(t.persons()) + w.T(" personen.", " persons.");
    if (const OpenShare open = OpenShareOf(t); open.kind == OpenShare::kShown) {
      s += w.T(" Van die signalen staat ", " Of those signals ") + std::to_string(open.percent) +
           w.T("% bij de partners nog open.", "% are still open at the partners.");
    }
  }
  std::vector<std::string> rising, emerging, falling;
  size_t corroborated = 0;
  const bool history = JudgeDigestTrend(d, "").flag != TrendFlag::kTooLittleHistory;
  for (const auto& theme : d.themes()) {
    switch (JudgeDigestTrend(d, theme.code()).flag) {
      case TrendFlag::kRising: rising.push_back(Label(theme, w)); break;
      case TrendFlag::kEmerging: emerging.push_back(Label(theme, w)); break;
      case TrendFlag::kFalling: falling.push_back(Label(theme, w)); break;
      default: break;
    }
    corroborated += !theme.suppressed() && theme.organisations() >= 2;
  }
  auto sentence = [&](const std::vector<std::string>& list, const char* one_nl, const char* many_nl,
                      const char* one_en, const char* many_en) {
    if (list.empty()) return std::string();
    bool one = list.size() == 1;
    return " " + Count(list.size(), w, true) + " " + (one ? w.T(one_nl, one_en) : w.T(many_nl, many_en)) + ": " +
           Join(list, w) + ".";
  };
  s += sentence(rising, "thema stijgt", "thema's stijgen", "theme is rising", "themes are rising");
  s += sentence(emerging, "thema is nieuw", "thema's zijn nieuw", "theme is new", "themes are new");
  s += sentence(falling, "thema daalt", "thema's dalen", "theme is falling", "themes are falling");
  if (!history && d.weeks_size() > 0) {
    s += w.T(" Voor trends is er nog te weinig geschiedenis: minder dan vier weken met signalen voor deze periode.",
             " There is too little history for trends yet: fewer than four weeks with signals before this period.");
  } else if (rising.empty() && emerging.empty() && falling.empty() && d.weeks_size() > 0) {
    s += w.T(" Geen thema wijkt duidelijk af van de voorgaande twaalf weken.",
             " No theme departs clearly from the twelve weeks before.");
  }
  s += " " + Count(corroborated, w, true) +
       (corroborated == 1 ? w.T(" thema wordt", " theme is") : w.T(" thema's worden", " themes are")) +
       w.T(" door twee of meer organisaties gemeld.", " reported by two or more organisations.");
  return s;
}

const char* kStyle = R"(
:root{--ink:#1a1a1a;--muted:#555;--line:#d0d0d0;--accent:#0b4f8a;--hidden:#9a9a9a;--flag:#8a1c1c}
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:var(--ink);background:#fff;
  margin:0 auto;max-width:60rem;padding:1.5rem;line-height:1.5}
h1{font-size:1.6rem;margin:0 0 .25rem}
.sub{color:var(--muted);margin:0 0 1rem}
.summary{font-size:1.1rem;border-left:4px solid var(--accent);padding:.5rem 1rem;background:#f3f6fa}
figure{margin:1.5rem 0}
figure svg{max-width:100%;height:auto}
figcaption{color:var(--muted);font-size:.9rem}
table{border-collapse:collapse;width:100%;font-size:.95rem}
caption{text-align:left;font-weight:600;padding:.5rem 0}
th,td{border-bottom:1px solid var(--line);padding:.35rem .5rem;vertical-align:middle}
th{text-align:left}
thead th{border-bottom:2px solid var(--ink)}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
tr.sub th{font-weight:normal;padding-left:1.5rem}
tr.theme th{font-weight:600}
tr.total th,tr.total td{font-weight:600;border-top:2px solid var(--ink)}
.bars rect.shown{fill:var(--accent)}
.bars rect.hidden{fill:none;stroke:var(--hidden);stroke-dasharray:2 2}
.bars line.axis{stroke:var(--ink)}
.flag{color:var(--flag);font-weight:600}
.ok{color:var(--accent)}
abbr{text-decoration:none;border-bottom:1px dotted}
footer{margin-top:2rem;color:var(--muted);font-size:.85rem;border-top:1px solid var(--line);padding-top:.75rem}
.scroll{overflow-x:auto}
h2{font-size:1.3rem;margin:2rem 0 .5rem}
h3{font-size:1.1rem;margin:1.25rem 0 .25rem}
figure.quote{margin:.75rem 0 1rem}
figure.quote blockquote{margin:0;border-left:4px solid var(--accent);padding:.5rem 1rem;background:#f3f6fa}
figure.quote blockquote p{margin:0}
figure.quote figcaption{padding:.25rem 0 0 1.25rem}
article.advice{border-top:1px solid #c8d1dc;padding:.25rem 0 .5rem}
article.advice h3 .id{font-weight:normal;color:#4a5562;font-size:.9em}
article.advice blockquote{margin:.25rem 0;border-left:4px solid var(--accent);padding:.5rem 1rem;background:#f3f6fa}
article.advice blockquote p{margin:0}
@media (max-width:40rem){body{padding:.75rem}.spark,.prev{display:none}table{font-size:.8rem}
  th,td{padding:.3rem .25rem}tr.sub th{padding-left:.75rem}}
@media print{@page{size:A4;margin:15mm}body{max-width:none;padding:0;font-size:10pt}
  .summary,figure.quote blockquote,article.advice blockquote{background:none}tr,figure.quote,article.advice{break-inside:avoid}a{color:inherit}
  h2,h3{break-after:avoid}}
)";

// The share still open: "35%", or a dash that says why there is none.
std::string OpenCell(const wire::DigestCell& c, const Words& w) {
  switch (OpenShareOf(c).kind) {
    case OpenShare::kShown: return OpenShareText(c);
    case OpenShare::kWithheld:
      return "<abbr title=\"" + w.T("niet getoond ter bescherming van de privacy", "not shown to protect privacy") +
             "\">–</abbr>";
    case OpenShare::kUnknown: break;
  }
  return "<abbr title=\"" + w.T("onbekend", "not known") + "\">–</abbr>";
}

// `open`: the digest has the share column (ShowsOpenShare).
std::string Row(const wire::Digest& d, const wire::DigestCell& c, const std::string& cls, bool open,
                const Words& w) {
  const uint32_t k = d.policy().k();
  std::string r = "<tr class=\"" + cls + "\"><th scope=\"row\">" + Label(c, w) + "</th>";
  r += "<td class=\"n\">" + Number(c, c.signals(), k, w) + "</td>";
  r += "<td class=\"n\">" + Number(c, c.persons(), k, w) + "</td>";
  r += "<td class=\"n\">" + Number(c, c.organisations(), k, w);
  if (!c.suppressed() && c.organisations() >= 2 && !c.code().empty()) {
    r += " <span class=\"ok\" title=\"" + w.T("bevestigd door twee of meer organisaties",
                                             "corroborated by two or more organisations") + "\">✓</span>";
  }
  r += "</td>";
  if (open) r += "<td class=\"n open\">" + (cls == "sub" ? std::string() : OpenCell(c, w)) + "</td>";
  if (d.weeks_size() > 0) {
    int64_t now = OrMinusOne(ShownSignals(d, c.code()));
    int64_t before = d.has_previous() ? OrMinusOne(ShownSignals(d.previous(), c.code())) : -1;
    r += "<td class=\"n prev\">" + (before >= 0 ? std::to_string(before) : d.has_previous() ? Below(k) : "–") + "</td>";
    r += "<td class=\"n\">" + Change(now, before, w) + "</td>";
    auto series = Weekly(d, c.code());
    std::string label = Label(c, w) + w.T(", signalen per week: ", ", signals per week: ") + SeriesText(d, series, k, w);
    r += "<td class=\"spark\">" + Bars(series, k, 104, 24, label, false) + "</td>";
    std::string flag = TrendFlagName(JudgeDigestTrend(d, c.code()).flag, w.en ? "en" : "nl");
    r += "<td>" + (flag.empty() ? "" : "<span class=\"flag\">" + flag + "</span>") + "</td>";
  }
  return r + "</tr>\n";
}

// The breakdown: a municipality per row, its total and the region's listed
// themes as columns.
std::string Municipalities(const wire::Digest& d, const Words& w) {
  if (d.municipalities_size() == 0) return "";
  const uint32_t k = d.policy().k();
  std::string h = "<div class=\"scroll\" role=\"region\" tabindex=\"0\" aria-labelledby=\"municipalities-caption\">\n";
  h += "<table id=\"municipalities\">\n<caption id=\"municipalities-caption\">" +
       w.T("Signalen per gemeente en thema", "Signals per municipality and theme") + "</caption>\n<thead><tr>";
  h += "<th scope=\"col\">" + w.T("Gemeente", "Municipality") + "</th><th scope=\"col\" class=\"n\">" +
       w.T("Totaal", "Total") + "</th>";
  for (const auto& theme : d.themes()) h += "<th scope=\"col\" class=\"n\">" + Label(theme, w) + "</th>";
  h += "</tr></thead>\n<tbody>\n";
  std::vector<std::string> silent;
  for (const auto& m : d.municipalities()) {
    if (!HeardIn(m)) {
      silent.push_back(m.region_name());
      continue;
    }
    h += "<tr><th scope=\"row\">" + m.region_name() + "</th><td class=\"n\">" +
         Number(m.total(), m.total().signals(), k, w) + "</td>";
    for (const auto& theme : d.themes()) {
      const wire::DigestCell* c = FindCell(m, theme.code());
      h += "<td class=\"n\">" + (c ? Number(*c, c->signals(), k, w) : "0") + "</td>";
    }
    h += "</tr>\n";
  }
  h += "</tbody>\n</table>\n</div>\n";
  // A page of zero rows would hide the few municipalities that were heard.
  if (!silent.empty()) {
    h += "<p id=\"municipalities-silent\">" + w.T("Geen signalen uit ", "No signals from ") + Join(silent, w) + ".</p>\n";
  }
  h += "<p id=\"municipalities-note\">" +
       w.T("Per gemeente: het aantal signalen, per thema zonder subthema's. Meer cellen dan in de tabel per thema "
           "zijn hier onderdrukt, omdat een gemeente minder signalen en organisaties telt dan de hele regio.",
           "Per municipality: the number of signals, per theme without subthemes. More cells are suppressed here "
           "than in the table per theme, because a municipality has fewer signals and organisations than the "
           "whole region.") +
       "</p>\n";
  return h;
}

// One quote, set apart, with its theme and week under it. Citizens speak
// Dutch: on the English page the quote says so for a screen reader.
std::string Quote(const wire::DigestQuote& q, const Words& w) {
  return std::string("<figure class=\"quote\"><blockquote><p") + (w.en ? " lang=\"nl\"" : "") + ">„" + q.text() +
         "”</p></blockquote><figcaption>" + QuoteThemeLabel(q, w.en) + ", " + WeekName(q.week(), w.en) +
         "</figcaption></figure>\n";
}

// "Wat inwoners zeggen": the quotes grouped by theme, a sub-heading each, in
// the order of the table; no section at all without quotes.
std::string Quotes(const wire::Digest& d, const Words& w) {
  if (d.quotes_size() == 0) return "";
  std::string h = "<section id=\"quotes\" aria-labelledby=\"quotes-heading\">\n<h2 id=\"quotes-heading\">" +
                  w.T("Wat inwoners zeggen", "What residents say") + "</h2>\n<p id=\"quotes-note\">" +
                  EscapeHtml(QuotesNote(w.en)) + "</p>\n";
  for (const auto& group : QuotesByTheme(d)) {
    h += "<h3>" + QuoteThemeLabel(*group.front(), w.en) + "</h3>\n";
    for (const wire::DigestQuote* q : group) h += Quote(*q, w);
  }
  return h + "</section>\n";
}

// "Wat is er met de signalen gedaan": an article per advice.
std::string Advice(const wire::Digest& d, const Words& w) {
  const AdviceSectionText s = AdviceSectionWords(d, w.en);
  if (!s.shown) return "";
  std::string h = "<section id=\"advice\" aria-labelledby=\"advice-heading\">\n<h2 id=\"advice-heading\">" +
                  s.heading + "</h2>\n<p>" + s.intro + "</p>\n";
  for (const auto& item : s.items) {
    h += "<article class=\"advice\"><h3>" + item.title + " <span class=\"id\">" + item.id + "</span></h3>\n<p>" +
         item.about + "</p>\n<p><strong>" + item.status + "</strong></p>\n";
    if (!item.response.empty()) {
      h += std::string("<blockquote><p") + (w.en ? " lang=\"nl\"" : "") + ">„" + item.response + "”</p></blockquote>\n";
    }
    h += "</article>\n";
  }
  if (!s.more.empty()) h += "<p>" + s.more + "</p>\n";
  return h + "</section>\n";
}

}  // namespace

std::string DigestToHtml(const wire::Digest& digest, const std::string& lang) {
  // Every string of the broker's below comes from this copy, escaped once
  // for text and attributes alike; the page's own words are written escaped.
  const wire::Digest d = EscapedDigest(digest, EscapeHtml);
  const Words w{lang == "en"};
  const uint32_t k = d.policy().k();
  std::string title = DigestTitle(d, w.en);
  std::string h = "<!doctype html>\n<html lang=\"" + std::string(w.en ? "en" : "nl") + "\">\n<head>\n<meta charset=\"utf-8\">\n"
                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                  "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
                  "<title>" + title + "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n<main>\n";
  h += "<h1>" + title + "</h1>\n";
  h += "<p class=\"sub\">" + w.T("Weken ", "Weeks ") + d.from_week() + w.T(" t/m ", " to ") + d.to_week() + " · " +
       DigestMadeAt(d, w.en) + "</p>\n";
  h += "<p class=\"summary\" id=\"summary\">" + Summary(d, w) + "</p>\n";

  if (d.weeks_size() > 0) {
    auto series = Weekly(d, "");
    std::string label = w.T("Alle signalen per week: ", "All signals per week: ") + SeriesText(d, series, k, w);
    h += "<figure id=\"chart-total\">" + Bars(series, k, 520, 140, label, true) + "<figcaption>" +
         w.T("Alle signalen per week, de laatste 13 weken. Een gestippelde balk is een week met minder dan ",
             "All signals per week, the last 13 weeks. A dotted bar is a week with fewer than ") +
         std::to_string(k) + w.T(" signalen (niet getoond).", " signals (not shown).") + "</figcaption></figure>\n";
  }

  // On a phone the table scrolls sideways by itself; the page does not.
  h += "<div class=\"scroll\" role=\"region\" tabindex=\"0\" aria-labelledby=\"themes-caption\">\n";
  h += "<table id=\"themes\">\n<caption id=\"themes-caption\">" + w.T("Signalen per thema", "Signals per theme") +
       "</caption>\n<thead><tr>";
  h += "<th scope=\"col\">" + w.T("Thema", "Theme") + "</th><th scope=\"col\" class=\"n\">" +
       w.T("Signalen", "Signals") + "</th><th scope=\"col\" class=\"n\">" + w.T("Personen", "Persons") +
       "</th><th scope=\"col\" class=\"n\">" + w.T("Organisaties", "Organisations") + "</th>";
  const bool open = ShowsOpenShare(d);
  if (open) h += "<th scope=\"col\" class=\"n open\">" + w.T("Nog open", "Still open") + "</th>";
  if (d.weeks_size() > 0) {
    h += "<th scope=\"col\" class=\"n prev\">" + w.T("Vorige periode", "Previous period") +
         (d.has_previous() ? " (" + d.previous().period() + ")" : "") + "</th><th scope=\"col\" class=\"n\">" +
         w.T("Verandering", "Change") + "</th><th scope=\"col\" class=\"spark\">" +
         w.T("13 weken", "13 weeks") + "</th><th scope=\"col\">" + w.T("Trend", "Trend") + "</th>";
  }
  h += "</tr></thead>\n<tbody>\n";
  for (const auto& theme : d.themes()) {
    h += Row(d, theme, "theme", open, w);
    for (const auto& sub : theme.subthemes()) h += Row(d, sub, "sub", open, w);
  }
  h += "</tbody>\n<tfoot>\n" + Row(d, d.total(), "total", open, w) + "</tfoot>\n</table>\n</div>\n";
  h += Municipalities(d, w);

  h += "<p id=\"suppressed-note\">" + Below(k) + " " +
       w.T("= onderdrukt ter bescherming van de privacy: te weinig personen of signalen achter de cel, of door één "
           "organisatie alleen gemeld.",
           "= suppressed to protect privacy: too few persons or signals behind the cell, or reported by one "
           "organisation alone.") + "</p>\n";
  if (open) h += "<p id=\"open-note\">" + EscapeHtml(OpenShareNote(w.en)) + "</p>\n";
  if (std::string why = PerturbationSentence(d.policy(), w.en); !why.empty()) h += "<p>" + why + "</p>\n";
  h += "<p>" + w.T("✓ = gemeld door twee of meer organisaties. Stijgend of nieuw: het aantal ligt duidelijk boven "
                   "de twaalf weken ervoor (Poisson-toets, p &lt; 0,01, minstens anderhalf keer zo hoog); nieuw als "
                   "het thema in die weken nooit getoond werd. Dalend: duidelijk eronder.",
                   "✓ = reported by two or more organisations. Rising or new: the count lies clearly above the twelve "
                   "weeks before (Poisson test, p &lt; 0.01, at least one and a half times as high); new when the "
                   "theme was never shown in those weeks. Falling: clearly below.") + "</p>\n";
  // After the numbers and the lines that explain them, which belong to the tables.
  h += Quotes(d, w);
  h += Advice(d, w);
  h += "</main>\n<footer>" + w.T("Beleid: ", "Policy: ") + d.policy().method() +
       (d.policy().method() == "cell-key"
            ? w.T(", maximale afwijking ", ", maximum deviation ") + std::to_string(d.policy().max_deviation()) +
                  w.T(", variantie ", ", variance ") + Decimal(d.policy().variance(), !w.en)
            : std::string()) +
       w.T(", drempel k = ", ", threshold k = ") + std::to_string(k) +
       w.T(", minstens ", ", at least ") + std::to_string(d.policy().min_organisations()) +
       w.T(" organisaties per cel, ", " organisations per cell, ") +
       std::to_string(d.policy().cells_suppressed()) + w.T(" van ", " of ") +
       std::to_string(SaturatingAdd(d.policy().cells_suppressed(), d.policy().cells_published())) +
       w.T(" cellen onderdrukt. Taxonomie ", " cells suppressed. Taxonomy ") + d.taxonomy_version() +
       w.T(". Rapportage ", ". Report ") + std::to_string(d.sequence()) + ". Signaalnet.</footer>\n</body>\n</html>\n";
  return h;
}

std::string DigestToCsv(const wire::Digest& d, const std::string& lang) {
  const Words w{lang == "en"};
  // Semicolons and a byte-order mark: what a Dutch spreadsheet opens as columns.
  std::string out = "\xEF\xBB\xBF";
  // The one place a cell is written: every cell, the broker's strings and
  // ours alike, goes through CsvCell.
  auto row = [&out](const std::vector<std::string>& cells) {
    for (size_t i = 0; i < cells.size(); ++i) out += (i ? ";" : "") + CsvCell(cells[i]);
    out += "\r\n";
  };
  // New columns go at the end: a council's sheet may read these by position.
  row({"region", "period", "from", "to", "code", "level", "label", "suppressed", "signals", "persons", "organisations",
       "previous_signals", "trend", "municipality", "municipality_name", "open", "dealt_with", "open_share_pct"});
  // `m`: the breakdown part the cell is of, or nullptr for the region's own.
  auto cell = [&](const wire::DigestCell& c, const char* level, const wire::Digest* m = nullptr) {
    auto num = [&](uint32_t v) { return c.suppressed() ? std::string() : std::to_string(v); };
    std::string previous, trend;
    if (m) {
      // No previous period or trend per municipality.
    } else if (d.has_previous()) {
      auto p = ShownSignals(d.previous(), c.code());
      previous = p ? std::to_string(*p) : "";
    }
    if (!m && d.weeks_size() > 0) trend = TrendFlagName(JudgeDigestTrend(d, c.code()).flag, w.en ? "en" : "nl");
    const OpenShare open = OpenShareOf(c);
    const bool shown = open.kind == OpenShare::kShown;
    row({d.region(), d.period(), d.from_week(), d.to_week(), c.code(), level, Label(c, w), c.suppressed() ? "1" : "0",
         num(c.signals()), num(c.persons()), num(c.organisations()), previous, trend, m ? m->region() : "",
         m ? m->region_name() : "", shown ? std::to_string(c.open()) : "", shown ? std::to_string(c.dealt_with()) : "",
         shown ? std::to_string(open.percent) : ""});
  };
  // No quotes: this is a table of cells, a number per column to sum and
  // filter, and a quote has none; a row of free text would sit among them
  // with half its columns empty and its week nowhere. They are in the
  // HTML, Markdown and JSON.
  cell(d.total(), "total");
  for (const auto& theme : d.themes()) {
    cell(theme, "theme");
    for (const auto& sub : theme.subthemes()) cell(sub, "subtheme");
  }
  for (const auto& m : d.municipalities()) {
    cell(m.total(), "total", &m);
    for (const auto& theme : m.themes()) cell(theme, "theme", &m);
  }
  return out;
}

}  // namespace signaal
