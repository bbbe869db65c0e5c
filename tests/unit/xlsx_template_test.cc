// The volunteers' template (`signaal node signal template`): read back with
// the import's own reader it has the Dutch headers, the lists of allowed
// values and a dropdown on each column that has one; and a sheet filled in
// with what it offers imports without an error, as .xlsx and as CSV.
#include <gtest/gtest.h>
#include <xlsxwriter.h>

#include "intake.h"
#include "sheet_template.h"
#include "signaal/csv.h"
#include "unit_support.h"
#include "xlsx_reader.h"
#include "zip_archive.h"

namespace signaal::sheets {
namespace {

const ReferenceData& Ref() { return test::SourceReferenceData(); }

const AllowedValues& List(const TemplateContent& t, const std::string& heading) {
  for (const auto& l : t.lists) {
    if (l.heading == heading) return l;
  }
  static const AllowedValues kNone;
  ADD_FAILURE() << "no list " << heading;
  return kNone;
}

std::string Joined(const std::vector<std::string>& fields) {
  std::string out;
  for (const auto& f : fields) out += (out.empty() ? "" : ";") + f;
  return out;
}

// One row as a volunteer fills it in from the lists: labels, not codes.
std::vector<std::string> FilledRow(const TemplateContent& t) {
  return {"21-09-2026", "Heerlen", "Schulden & geldzaken",
          Ref().SubthemesOf("schulden")[0]->label_nl, "onbekend", "Cliëntenraad", "2", "Doorverwezen",
          "Komt niet rond", "00123", "ja", "Het geld is op.", "6411"};
}

void ExpectTheFilledRow(const Result<node::ImportOutcome>& out) {
  ASSERT_TRUE(out.ok()) << out.status().message();
  ASSERT_TRUE(out->errors.empty()) << "row " << out->errors[0].row() << " " << out->errors[0].field() << ": "
                                   << out->errors[0].message();
  ASSERT_EQ(out->valid.size(), 1u);
  const auto& r = out->valid[0].record;
  EXPECT_EQ(r.date(), "2026-09-21");
  EXPECT_EQ(r.municipality(), "GM0917");
  EXPECT_EQ(r.theme(), "schulden");
  EXPECT_EQ(r.subtheme(), Ref().SubthemesOf("schulden")[0]->code);
  EXPECT_EQ(r.age_band(), "unknown");
  EXPECT_EQ(r.channel(), "clientenraad");
  EXPECT_EQ(r.severity(), 2u);
  EXPECT_EQ(r.status(), "referred");
  EXPECT_TRUE(r.quote_consent());
  EXPECT_EQ(r.postcode4(), "6411");
  EXPECT_EQ(out->valid[0].person_reference, "00123");
}

TEST(Template, TheXlsxTemplateReadsBackWithItsListsAndDropdowns) {
  test::TempFolder dir;
  const std::string path = dir.path() + "/sjabloon.xlsx";
  const TemplateContent t = MakeTemplate(Ref(), "GM0917");
  ASSERT_TRUE(WriteXlsxTemplate(path, t).ok());

  auto sheet = ReadSheetAsCsv(path, "sjabloon.xlsx");
  ASSERT_TRUE(sheet.ok()) << sheet.status().message();
  EXPECT_EQ(sheet->sheet, kSignalSheet);
  EXPECT_EQ(sheet->csv, "datum;gemeente;thema;subthema;leeftijd;kanaal;ernst;status;toelichting;persoon;"
                        "toestemming;citaat;postcode4\n");
  // The lists: a column each, the node's own municipality first.
  auto values = ReadSheetAsCsv(path, "sjabloon.xlsx", {}, kValuesSheet);
  ASSERT_TRUE(values.ok()) << values.status().message();
  auto table = ParseCsv(values->csv, "waarden");
  ASSERT_TRUE(table.ok());
  ASSERT_EQ(table->header.size(), t.lists.size());
  EXPECT_EQ(table->header[0], "gemeente");
  EXPECT_EQ(table->rows[0].fields[0], "Heerlen");
  EXPECT_EQ(table->rows[0].fields[1], "Inkomen & bestaanszekerheid");
  EXPECT_EQ(List(t, "gemeente").values.size(), Ref().municipalities().size());
  EXPECT_EQ(List(t, "thema").values.size(), Ref().TopThemes().size());
  EXPECT_EQ(List(t, "kanaal").values.size(), ReferenceData::Channels().size());
  EXPECT_EQ(List(t, "toestemming").values, (std::vector<std::string>{"ja", "nee"}));
  size_t rows_with_subtheme = 0;
  for (const auto& row : table->rows) rows_with_subtheme += row.fields.size() > 2 && !row.fields[2].empty();
  EXPECT_EQ(rows_with_subtheme, Ref().themes().size() - Ref().TopThemes().size());

  // The dropdowns: one per list that names a column, each reading its range.
  auto zip = ZipArchive::Open(path, "sjabloon.xlsx", 1 << 20);
  ASSERT_TRUE(zip.ok());
  std::string xml;
  ASSERT_TRUE(zip->Read("xl/worksheets/sheet1.xml", 1 << 20, [&](std::string_view c) {
                   xml += c;
                   return Status::Ok();
                 }).ok());
  EXPECT_NE(xml.find("<dataValidations count=\"8\">"), std::string::npos) << xml;
  EXPECT_NE(xml.find("sqref=\"B2:B1048576\"><formula1>'Toegestane waarden'!$A$2:$A$32</formula1>"), std::string::npos);
  EXPECT_NE(xml.find("state=\"frozen\""), std::string::npos);
  for (const char* column : {"B2:", "C2:", "D2:", "E2:", "F2:", "G2:", "H2:", "K2:"}) {
    EXPECT_NE(xml.find(std::string("sqref=\"") + column), std::string::npos) << column;
  }
}

TEST(Template, ASheetFilledInWithWhatItOffersImports) {
  test::TempFolder dir;
  const TemplateContent t = MakeTemplate(Ref(), "GM0917");
  const std::string path = dir.path() + "/ingevuld.xlsx";
  lxw_workbook* book = workbook_new(path.c_str());
  lxw_worksheet* sheet = workbook_add_worksheet(book, kSignalSheet);
  lxw_format* date = workbook_add_format(book);
  format_set_num_format(date, "dd-mm-yyyy");
  for (size_t c = 0; c < t.headers.size(); ++c) worksheet_write_string(sheet, 0, static_cast<lxw_col_t>(c), t.headers[c].c_str(), nullptr);
  const auto row = FilledRow(t);
  for (size_t c = 0; c < row.size(); ++c) {
    const auto col = static_cast<lxw_col_t>(c);
    if (t.headers[c] == "datum") {
      lxw_datetime day = {2026, 9, 21, 0, 0, 0};
      worksheet_write_datetime(sheet, 1, col, &day, date);
    } else if (t.headers[c] == "ernst" || t.headers[c] == "postcode4") {
      worksheet_write_number(sheet, 1, col, std::stod(row[c]), nullptr);  // as typed: a number
    } else {
      worksheet_write_string(sheet, 1, col, row[c].c_str(), nullptr);
    }
  }
  ASSERT_EQ(workbook_close(book), LXW_NO_ERROR);
  auto csv = ReadSheetAsCsv(path, "ingevuld.xlsx");
  ASSERT_TRUE(csv.ok()) << csv.status().message();
  ExpectTheFilledRow(node::ParseSignalCsv(csv->csv, "ingevuld.xlsx", Ref(), "helpdesk", Date{2026, 11, 1}));
}

TEST(Template, TheCsvTemplateHasABomTheDutchHeadersAndItsValuesBeside) {
  const TemplateContent t = MakeTemplate(Ref(), "");
  const std::string header = CsvTemplate(t);
  EXPECT_EQ(header.substr(0, 3), "\xEF\xBB\xBF");
  auto read = ParseCsv(header, "sjabloon.csv");
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->separator, ';');
  EXPECT_EQ(read->header, t.headers);
  ExpectTheFilledRow(node::ParseSignalCsv(header + Joined(FilledRow(t)) + "\r\n", "sjabloon.csv", Ref(), "helpdesk",
                                          Date{2026, 11, 1}));
  // Without a home municipality the list is alphabetical.
  EXPECT_EQ(List(t, "gemeente").values[0], "Beek");
  auto values = ParseCsv(CsvAllowedValues(t), "sjabloon-waarden.csv");
  ASSERT_TRUE(values.ok());
  EXPECT_EQ(values->header[4], "leeftijd");
  EXPECT_EQ(values->rows[4].fields[4], "onbekend");
  EXPECT_EQ(values->rows.size(), List(t, "subthema").values.size());
}

}  // namespace
}  // namespace signaal::sheets
