// Digest rendering: the JSON shape of DESIGN §8, a readable Dutch Markdown
// page, one self-contained HTML page (Dutch or English) and CSV. Suppressed
// cells carry no number: null in JSON, empty in CSV, "×" or "<k" in text.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "wire.pb.h"
#include "signaal/status.h"
#include "signaal/text.h"
#include "trend.h"

namespace signaal {

nlohmann::json DigestToJson(const wire::Digest& digest);
std::string DigestToMarkdown(const wire::Digest& digest);
// One HTML file with inline CSS and SVG charts, no external requests;
// `lang` "nl" (default) or "en" for the labels and sentences.
std::string DigestToHtml(const wire::Digest& digest, const std::string& lang = "nl");
// One row per cell, ';'-separated with a byte-order mark for Dutch spreadsheets.
std::string DigestToCsv(const wire::Digest& digest, const std::string& lang = "nl");
// "<region>/<period>.<ext>": where a digest lives under a subscriber's
// folder; refused (CheckDigestNames) unless both are what they should be.
Result<std::string> DigestFileName(const wire::Digest& digest, const std::string& ext);
// The region and period a broker sent checked before they name a file or
// folder: the region a CBS code (GM0917) or lower-case words joined by
// hyphens (zuid-limburg), the period exactly as ParsePeriod normalises it.
// Refused with one sentence otherwise, so "../../x" never reaches a path.
Status CheckDigestNames(const wire::Digest& digest);

// Escaping for the strings a broker sends (docs/DIGESTS.md, "What a broker
// cannot put in a file"): one function per format.
using StringEscaper = std::string (*)(std::string_view);
// EscapeHtml (& < > " ' as entities) is in signaal/text.h: the node's intake page uses it too.
// One line, no raw HTML, Markdown punctuation (` * _ [ ] | ~ \) taken literally.
std::string EscapeMarkdown(std::string_view s);
// One CSV cell: quoted per RFC 4180 when needed, and a cell a spreadsheet
// would take for a formula (= + - @ tab CR first) prefixed with ' — except a
// plain number such as -3.
std::string CsvCell(std::string_view s);
// A copy of `digest` with every string field at any depth passed through
// `escape`, found by reflection: the HTML and Markdown renderers read only
// this, so no field the broker sent, including any added later, reaches the
// page unescaped.
wire::Digest EscapedDigest(const wire::Digest& digest, StringEscaper escape);
// The formats RenderDigest knows.
inline const char* kDigestFormats = "html, md, csv, json";
// Renders in `format` (html, md, csv or json); empty for an unknown format.
std::string RenderDigest(const wire::Digest& digest, const std::string& format, const std::string& lang = "nl");

// The one sentence a reader gets on the perturbation of a cell-key digest
// (Dutch, or English with `english`); "" for a digest of another method.
std::string PerturbationSentence(const wire::DisclosureSummary& policy, bool english = false);

// Citizens' quotes (Digest.quotes) grouped by theme: the themes in the
// order the digest lists them, then any theme it does not list, in the
// order its first quote comes, so no quote the broker sent is lost.
std::vector<std::vector<const wire::DigestQuote*>> QuotesByTheme(const wire::Digest& digest);
// The theme a quote is about as a reader names it: the label in the
// language asked for, else the Dutch one, else the code.
std::string QuoteThemeLabel(const wire::DigestQuote& quote, bool english = false);
// What a digest is called, as councils write it: "Signalenrapportage
// Parkstad Limburg, week 41 t/m 48 (5 oktober – 29 november 2026)" /
// "Signals report Parkstad Limburg, weeks 41 to 48 (...)". Plain: each
// format escapes what the broker sent (EscapedDigest) before it asks.
std::string DigestTitle(const wire::Digest& digest, bool english = false);
// When it was made, Dutch time: "gemaakt op 2 december 2026 om 14:02".
std::string DigestMadeAt(const wire::Digest& digest, bool english = false);
// An ISO week as people write it: "week 47 van 2026" / "week 47 of 2026";
// a label that is no week, as it is.
std::string WeekName(const std::string& week, bool english = false);
// The one line above the quotes on what they are and what [NAAM] means
// (Dutch, or English with `english`), plain: each format escapes it as it
// escapes the broker's strings.
std::string QuotesNote(bool english = false);

// "Wat is er met de signalen gedaan" (Digest.advice) in words: a heading,
// one sentence on what it lists, per advice its title, who advised whom
// when on what, its status and the response's first sentence, and how many
// more there are. From a digest escaped for the format; not shown at all
// (`shown` false) for a digest from a broker that keeps no advice.
struct AdviceSectionText {
  struct Item {
    std::string id, title, about, status, response;
  };
  bool shown = false;
  std::string heading, intro, more;
  std::vector<Item> items;
};
AdviceSectionText AdviceSectionWords(const wire::Digest& digest, bool english = false);
// "reactie ontvangen" / "response received" for the stored status code.
std::string AdviceStatusName(const std::string& status, bool english = false);
nlohmann::json AdviceJson(const wire::Digest& digest);

// The cell for a code: "" is the total, else a theme or subtheme; nullptr
// when the digest does not list it (a digest lists no zeros).
const wire::DigestCell* FindCell(const wire::Digest& digest, const std::string& code);
wire::DigestCell* FindCell(wire::Digest& digest, const std::string& code);

// True if a part of a breakdown heard anything: its total is shown above
// zero or suppressed. The others are named in one sentence, not as rows.
bool HeardIn(const wire::Digest& municipality);

// How much of a theme (or the total) is still open at the partners, from
// DigestCell.open and dealt_with: a whole percentage, withheld by disclosure
// control, or not known (a partner's node sends no statuses yet).
struct OpenShare {
  enum Kind { kUnknown, kWithheld, kShown } kind = kUnknown;
  int percent = 0;  // kShown only
};
OpenShare OpenShareOf(const wire::DigestCell& cell);
// "35%", "–" when withheld or unknown: for a table cell.
std::string OpenShareText(const wire::DigestCell& cell);
// Whether any theme or the total has a share to show or withhold: the
// column is left out of a digest whose partners send no statuses.
bool ShowsOpenShare(const wire::Digest& digest);
// The line under the table that says what the column means.
std::string OpenShareNote(bool english = false);

// What a digest shows for a code: its signals, 0 when unlisted, nullopt when
// suppressed.
std::optional<uint32_t> ShownSignals(const wire::Digest& digest, const std::string& code);
// The trend rule (trend.h) for a code, from the digest's own weekly
// series, over the baseline weeks in which the region heard anything;
// kTooLittleHistory for a digest without a series or fewer such weeks.
TrendJudgement JudgeDigestTrend(const wire::Digest& digest, const std::string& code);

}  // namespace signaal
