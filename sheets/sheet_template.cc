#include "sheet_template.h"

#include <xlsxwriter.h>

#include <algorithm>

#include "signaal/labels.h"
#include "workbook_parts.h"

namespace signaal::sheets {
namespace {

// Column widths (characters) by column: room for the longest label of each list.
int WidthOf(const std::string& column) {
  if (column == "text" || column == "quote") return 50;
  if (column == "subtheme") return 46;
  if (column == "theme") return 36;
  if (column == "municipality") return 24;
  if (column == "date" || column == "channel" || column == "person" || column == "status") return 16;
  if (column == "quote_consent") return 13;
  return 10;
}

// The columns a template shows: every column the import knows, but the
// alias "postcode" (of "postcode4").
std::vector<std::string> TemplateColumns() {
  std::vector<std::string> cols;
  for (const auto& c : SignalColumns()) {
    if (c != "postcode") cols.push_back(c);
  }
  return cols;
}

// "A", "B", … of a 0-based column (templates have a few columns).
std::string Letter(size_t col) { return std::string(1, static_cast<char>('A' + col)); }

}  // namespace

TemplateContent MakeTemplate(const ReferenceData& ref, const std::string& home) {
  TemplateContent t;
  for (const auto& c : TemplateColumns()) t.headers.push_back(DutchHeader(c));
  AllowedValues gemeente{"gemeente", DutchHeader("municipality"), {}};
  const Municipality* own = home.empty() ? nullptr : ref.FindMunicipality(home);
  if (own) gemeente.values.push_back(own->name);
  std::vector<std::string> others;
  for (const auto& m : ref.municipalities()) {
    if (&m != own) others.push_back(m.name);
  }
  std::sort(others.begin(), others.end());
  gemeente.values.insert(gemeente.values.end(), others.begin(), others.end());
  AllowedValues thema{"thema", DutchHeader("theme"), {}};
  AllowedValues subthema{"subthema", DutchHeader("subtheme"), {}};
  AllowedValues parent{"subthema hoort bij thema", "", {}};
  for (const Theme* top : ref.TopThemes()) {
    thema.values.push_back(top->label_nl);
    for (const Theme* sub : ref.SubthemesOf(top->code)) {
      subthema.values.push_back(sub->label_nl);
      parent.values.push_back(top->label_nl);
    }
  }
  AllowedValues leeftijd{"leeftijd", DutchHeader("age_band"), {}};
  for (const auto& a : ReferenceData::AgeBands()) leeftijd.values.push_back(AgeBandLabel(a));
  AllowedValues kanaal{"kanaal", DutchHeader("channel"), {}};
  for (const auto& c : ReferenceData::Channels()) kanaal.values.push_back(ChannelLabel(c));
  AllowedValues status{"status", DutchHeader("status"), {}};
  for (const auto& s : ReferenceData::Statuses()) status.values.push_back(StatusLabel(s));
  AllowedValues ernst{"ernst", DutchHeader("severity"), {"1", "2", "3"}};
  AllowedValues toestemming{"toestemming", DutchHeader("quote_consent"), {"ja", "nee"}};
  t.lists = {gemeente, thema, subthema, parent, leeftijd, kanaal, ernst, status, toestemming};
  return t;
}

std::string CsvTemplate(const TemplateContent& content) {
  std::string out = "\xEF\xBB\xBF";
  for (size_t i = 0; i < content.headers.size(); ++i) {
    if (i) out += ';';
    AppendCsvField(out, content.headers[i]);
  }
  return out + "\r\n";  // CRLF, as Excel writes CSV
}

std::string CsvAllowedValues(const TemplateContent& content) {
  std::string out = "\xEF\xBB\xBF";
  size_t rows = 0;
  for (size_t i = 0; i < content.lists.size(); ++i) {
    if (i) out += ';';
    AppendCsvField(out, content.lists[i].heading);
    rows = std::max(rows, content.lists[i].values.size());
  }
  out += "\r\n";
  for (size_t r = 0; r < rows; ++r) {
    for (size_t i = 0; i < content.lists.size(); ++i) {
      if (i) out += ';';
      if (r < content.lists[i].values.size()) AppendCsvField(out, content.lists[i].values[r]);
    }
    out += "\r\n";
  }
  return out;
}

Status WriteXlsxTemplate(const std::string& path, const TemplateContent& content) {
  lxw_workbook* book = workbook_new(path.c_str());
  if (!book) return Status::Runtime("cannot write " + path);
  lxw_worksheet* sheet = workbook_add_worksheet(book, kSignalSheet);
  lxw_worksheet* values = workbook_add_worksheet(book, kValuesSheet);
  lxw_format* bold = workbook_add_format(book);
  format_set_bold(bold);
  format_set_bg_color(bold, 0xDDEBF7);
  lxw_format* date = workbook_add_format(book);
  format_set_num_format(date, "dd-mm-yyyy");
  lxw_format* text = workbook_add_format(book);
  format_set_num_format(text, "@");  // a client number keeps its leading zeros

  const auto columns = TemplateColumns();
  for (size_t c = 0; c < columns.size(); ++c) {
    const auto col = static_cast<lxw_col_t>(c);
    lxw_format* format = columns[c] == "date" ? date : columns[c] == "person" ? text : nullptr;
    worksheet_set_column(sheet, col, col, WidthOf(columns[c]), format);
    worksheet_write_string(sheet, 0, col, content.headers[c].c_str(), bold);
  }
  worksheet_freeze_panes(sheet, 1, 0);

  // The lists, a column each, on their own sheet; the signal sheet's
  // dropdowns read their ranges there (a list written into the validation
  // itself may hold at most 255 characters: the municipalities are more).
  for (size_t l = 0; l < content.lists.size(); ++l) {
    const auto& list = content.lists[l];
    const auto col = static_cast<lxw_col_t>(l);
    size_t width = list.heading.size();
    for (const auto& v : list.values) width = std::max(width, v.size());
    worksheet_set_column(values, col, col, static_cast<double>(std::min<size_t>(width, 60)) + 2, nullptr);
    worksheet_write_string(values, 0, col, list.heading.c_str(), bold);
    for (size_t r = 0; r < list.values.size(); ++r) {
      const std::string& value = list.values[r];
      const auto row = static_cast<lxw_row_t>(r + 1);
      // A number the volunteer types must equal the list's: "1" as text would not.
      if (!value.empty() && value.find_first_not_of("0123456789") == std::string::npos) {
        worksheet_write_number(values, row, col, std::stod(value), nullptr);
      } else {
        worksheet_write_string(values, row, col, value.c_str(), nullptr);
      }
    }
    if (list.column.empty() || list.values.empty()) continue;
    auto target = std::find(content.headers.begin(), content.headers.end(), list.column);
    if (target == content.headers.end()) continue;
    const std::string range = std::string("='") + kValuesSheet + "'!$" + Letter(l) + "$2:$" + Letter(l) + "$" +
                              std::to_string(list.values.size() + 1);
    const std::string message = "Kies een waarde uit de lijst (tabblad '" + std::string(kValuesSheet) + "').";
    lxw_data_validation v{};
    v.validate = LXW_VALIDATION_TYPE_LIST_FORMULA;
    v.value_formula = const_cast<char*>(range.c_str());
    v.error_type = LXW_VALIDATION_ERROR_TYPE_STOP;
    v.error_title = const_cast<char*>("Onbekende waarde");
    v.error_message = const_cast<char*>(message.c_str());
    const auto tc = static_cast<lxw_col_t>(target - content.headers.begin());
    // Every row below the header: a range costs the file nothing per row.
    if (lxw_error e = worksheet_data_validation_range(sheet, 1, tc, LXW_ROW_MAX - 1, tc, &v); e != LXW_NO_ERROR) {
      workbook_close(book);  // what it wrote is incomplete either way
      return Status::Runtime("cannot write " + path + ": " + lxw_strerror(e));
    }
  }
  worksheet_activate(sheet);
  if (lxw_error e = workbook_close(book); e != LXW_NO_ERROR) {
    return Status::Runtime("cannot write " + path + ": " + lxw_strerror(e));
  }
  return Status::Ok();
}

}  // namespace signaal::sheets
