// What volunteers write in a spreadsheet, read as the codes the node keeps:
// Dutch column names ("datum", "gemeente", "toelichting") for the English
// ones, and a theme, subtheme, channel or status by its Dutch or English
// label ("Schulden & geldzaken") as well as by code — case, accents, "&"
// for "en" and punctuation forgiven. A label that fits more than one is an
// error naming the candidates, never a guess.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "signaal/reference_data.h"
#include "signaal/status.h"

namespace signaal::node {

// Lower case, accents folded, "&" as "en", every run of other characters one
// space: "Schulden & Geldzaken " and "schulden en geldzaken" read the same.
std::string FoldLabel(std::string_view text);

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

}  // namespace signaal::node
