// The volunteers' template (`signaal node signal template`): an empty sheet
// with the Dutch headers the import reads, and the values each column takes,
// from this node's reference data and the label tables of signaal/labels.h —
// so a template filled in with what it offers imports as it is.
#pragma once

#include <string>
#include <vector>

#include "signaal/reference_data.h"
#include "signaal/status.h"

namespace signaal::sheets {

// One list of allowed values: its Dutch heading, the column of the signal
// sheet it is for (its Dutch header; "" for a list that only explains
// another), and its values.
struct AllowedValues {
  std::string heading;
  std::string column;
  std::vector<std::string> values;
};

struct TemplateContent {
  std::vector<std::string> headers;  // Dutch, in the import's column order
  std::vector<AllowedValues> lists;  // gemeente, thema, subthema, (hoort bij thema), leeftijd, kanaal, ernst, status, toestemming
};

// The template for a node whose organisation is at home in `home` (a CBS
// code, listed first; "" for none): every municipality of the reference
// data, the themes and subthemes by their Dutch labels, the age bands,
// channels and statuses by the Dutch labels the import reads.
TemplateContent MakeTemplate(const ReferenceData& ref, const std::string& home);

// The sheet names of the .xlsx template.
inline constexpr const char* kSignalSheet = "Signalen";
inline constexpr const char* kValuesSheet = "Toegestane waarden";

// Writes the .xlsx template (libxlsxwriter) to `path`: sheet "Signalen" with
// the header row (bold, frozen), column widths, the date column formatted as
// a date and dropdowns taking their values from sheet "Toegestane waarden".
[[nodiscard]] Status WriteXlsxTemplate(const std::string& path, const TemplateContent& content);

// The CSV template: the header row, ';'-separated, UTF-8 with a BOM (so
// Excel opens it as UTF-8 and splits the columns).
std::string CsvTemplate(const TemplateContent& content);
// The allowed values as a CSV of their own, the same columns as sheet
// "Toegestane waarden", a value a row.
std::string CsvAllowedValues(const TemplateContent& content);

}  // namespace signaal::sheets
