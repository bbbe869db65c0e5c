// What volunteers write in a spreadsheet, read as the codes the node keeps:
// Dutch column names ("datum", "gemeente", "toelichting") for the English
// ones, and a theme, subtheme, channel or status by its Dutch or English
// label ("Schulden & geldzaken") as well as by code — case, accents, "&"
// for "en" and punctuation forgiven. A label that fits more than one is an
// error naming the candidates, never a guess. In common: the node reads
// imports with it, the CLI writes the volunteers' template from the same
// tables (`signaal node signal template`).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "signaal/reference_data.h"
#include "signaal/status.h"

namespace signaal {

// Lower case, accents folded, "&" as "en", every run of other characters one
// space: "Schulden & Geldzaken " and "schulden en geldzaken" read the same.
std::string FoldLabel(std::string_view text);

// The columns an import knows, by their English names, in the order a
// template shows them ("date", "municipality", …, "postcode").
const std::vector<std::string>& SignalColumns();

// The column a header names ("datum" -> "date", "Leeftijd" -> "age_band"),
// or "" when it names none.
std::string ColumnForHeader(std::string_view header);
// The Dutch header of a column ("date" -> "datum"), for error messages.
std::string DutchHeader(const std::string& column);

// A theme and subtheme from what was written: codes or labels. `theme` may
// also name a subtheme (then its parent is the theme). An error names the
// field, and the candidates when a label fits several.
struct ThemeChoice {
  std::string theme, subtheme;
};
struct LabelError {
  std::string field, message;
};
std::variant<ThemeChoice, LabelError> ResolveTheme(const ReferenceData& ref, const std::string& theme,
                                                   const std::string& subtheme);

// A channel or status code from a code or a Dutch label ("Cliëntenraad",
// "doorverwezen"); nullopt when it fits none.
std::optional<std::string> ResolveChannel(const std::string& text);
std::optional<std::string> ResolveStatus(const std::string& text);
// An age band from its code or Dutch word ("onbekend" -> "unknown").
std::optional<std::string> ResolveAgeBand(const std::string& text);

// The Dutch label a volunteer picks for a code, one per code: each resolves
// back to its code above ("clientenraad" -> "Cliëntenraad", "referred" ->
// "Doorverwezen", "unknown" -> "onbekend"); the code itself when it has none.
std::string ChannelLabel(const std::string& code);
std::string StatusLabel(const std::string& code);
std::string AgeBandLabel(const std::string& code);

}  // namespace signaal
