// Spreadsheets end to end (issue 17): an .xlsx workbook imported through the
// real `signaal` into a real node (the CLI turns its first sheet into CSV;
// the node's row errors name the sheet's rows), and the volunteers'
// template written by `signal template`, read back, filled in and imported.
#include <gtest/gtest.h>
#include <xlsxwriter.h>

#include <filesystem>
#include <fstream>

#include "network.h"
#include "signaal/period.h"
#include "xlsx_reader.h"

namespace signaal::test {
namespace {

// A day of last week: inside the node's retention, never in the future.
Date LastWeek() { return *MondayOfWeek(WeeksAgo(1)); }

// Writes a sheet "Signalen": `rows` by sheet row number (1 = the header),
// the "datum" column as dates in the Dutch format; false on failure.
bool WriteSheet(const std::string& path, const std::map<int, std::vector<std::string>>& rows) {
  lxw_workbook* book = workbook_new(path.c_str());
  lxw_worksheet* sheet = workbook_add_worksheet(book, "Signalen");
  lxw_format* date = workbook_add_format(book);
  format_set_num_format(date, "dd-mm-yyyy");
  const std::vector<std::string>& header = rows.at(1);
  for (const auto& [r, cells] : rows) {
    for (size_t c = 0; c < cells.size(); ++c) {
      const auto row = static_cast<lxw_row_t>(r - 1);
      const auto col = static_cast<lxw_col_t>(c);
      if (r > 1 && header[c] == "datum" && ParseDate(cells[c]).ok()) {
        const Date d = *ParseDate(cells[c]);
        lxw_datetime dt = {d.year, static_cast<uint8_t>(d.month), static_cast<uint8_t>(d.day), 0, 0, 0};
        worksheet_write_datetime(sheet, row, col, &dt, date);
      } else if (!cells[c].empty()) {
        worksheet_write_string(sheet, row, col, cells[c].c_str(), nullptr);
      }
    }
  }
  return workbook_close(book) == LXW_NO_ERROR;
}

TEST(XlsxImport, AWorkbookImportsIntoARealNodeAndItsErrorsNameTheSheetsRows) {
  TempDir dir;
  Network net(dir);
  ASSERT_TRUE(net.StartBroker());
  NodeHandle* node = net.AddNode("Cliëntenraad Maastricht", "clientenraad", "GM0935");
  ASSERT_NE(node, nullptr);
  const std::string day = LastWeek().ToIso();
  const std::string book = dir.path() + "/signalen.xlsx";
  ASSERT_TRUE(WriteSheet(book, {{1, {"datum", "gemeente", "thema", "subthema", "leeftijd", "kanaal", "toelichting"}},
                                {2, {day, "Maastricht", "Schulden & geldzaken", "", "67+", "Cliëntenraad",
                                     "twee\nregels; met \"aanhalingstekens\""}},
                                // row 3 left out: a blank line, counted
                                {4, {day, "Atlantis", "wonen", "", "", "", ""}},
                                {5, {day, "Beek", "Werk & activering", "", "onbekend", "inloop", ""}}}));
  auto bad = net.NodeCli(*node, {"signal", "import", book});
  EXPECT_EQ(bad.exit_code, 2) << bad.out;
  EXPECT_NE(bad.err.find(book + " row 4, field municipality"), std::string::npos) << bad.err;
  EXPECT_EQ(bad.err.find("row 5"), std::string::npos) << bad.err;
  EXPECT_EQ(net.NodeCli(*node, {"signal", "list", "--json"}).Json().size(), 0u) << "a failed import stored something";

  auto skip = net.NodeCli(*node, {"signal", "import", book, "--skip-invalid", "--json"});
  ASSERT_EQ(skip.exit_code, 0) << skip.err;
  auto j = skip.Json();
  EXPECT_EQ(j["sheet"], "Signalen");
  EXPECT_EQ(j["rows"], 3);
  EXPECT_EQ(j["imported"], 2);
  auto list = net.NodeCli(*node, {"signal", "list", "--json"}).Json();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0]["date"], day);
  EXPECT_EQ(list[0]["municipality"], "GM0935");
  EXPECT_EQ(list[0]["theme"], "schulden");
  EXPECT_EQ(list[0]["age_band"], "67+");
  EXPECT_EQ(list[0]["channel"], "clientenraad");
  EXPECT_EQ(list[1]["municipality"], "GM0888");
  EXPECT_EQ(list[1]["age_band"], "unknown");
  EXPECT_EQ(list[1]["channel"], "spreekuur");

  // Not a workbook: a CSV renamed, and an old .xls.
  const std::string renamed = dir.path() + "/export.xlsx";
  std::ofstream(renamed) << "datum;gemeente;thema\n" << day << ";Maastricht;schulden\n";
  auto r = net.NodeCli(*node, {"signal", "import", renamed});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("export.xlsx: named like an Excel workbook but not one"), std::string::npos) << r.err;
  const std::string xls = dir.path() + "/oud.xls";
  std::ofstream(xls, std::ios::binary) << std::string("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) << std::string(504, '\0');
  auto old = net.NodeCli(*node, {"signal", "import", xls});
  EXPECT_EQ(old.exit_code, 2);
  EXPECT_NE(old.err.find("Excel 97-2003"), std::string::npos) << old.err;
}

TEST(TemplateRoundTrip, TheTemplateReadsBackAndASheetWithItsHeadersImports) {
  TempDir dir;
  Network net(dir);
  ASSERT_TRUE(net.StartBroker());
  NodeHandle* node = net.AddNode("Helpdesk Maastricht", "helpdesk", "GM0935");
  ASSERT_NE(node, nullptr);
  const std::string tpl = dir.path() + "/sjabloon.xlsx";
  auto made = net.NodeCli(*node, {"signal", "template", "--format", "xlsx", "--out", tpl});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  EXPECT_NE(made.out.find("Toegestane waarden"), std::string::npos) << made.out;
  auto again = net.NodeCli(*node, {"signal", "template", "--format", "xlsx", "--out", tpl});
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.err.find("never replaces"), std::string::npos) << again.err;

  // Read back with the import's own reader: the headers, and the lists with
  // this node's municipality first.
  auto sheet = sheets::ReadSheetAsCsv(tpl, "sjabloon.xlsx");
  ASSERT_TRUE(sheet.ok()) << sheet.status().message();
  std::vector<std::string> headers;
  const std::string header_line = sheet->csv.substr(0, sheet->csv.find('\n'));
  for (std::string_view line = header_line; !line.empty();) {
    const size_t semi = line.find(';');
    headers.emplace_back(line.substr(0, semi));
    line = semi == std::string_view::npos ? "" : line.substr(semi + 1);
  }
  ASSERT_EQ(headers.size(), 13u) << sheet->csv;
  auto values = sheets::ReadSheetAsCsv(tpl, "sjabloon.xlsx", {}, "Toegestane waarden");
  ASSERT_TRUE(values.ok()) << values.status().message();
  EXPECT_EQ(values->csv.substr(0, values->csv.find('\n')),
            "gemeente;thema;subthema;subthema hoort bij thema;leeftijd;kanaal;ernst;status;toestemming");
  EXPECT_EQ(values->csv.find("\nMaastricht;"), values->csv.find('\n')) << values->csv.substr(0, 200);

  // A sheet with the same headers, one row filled in from the lists.
  std::map<std::string, std::string> filled = {
      {"datum", LastWeek().ToIso()}, {"gemeente", "Maastricht"}, {"thema", "Inkomen & bestaanszekerheid"},
      {"subthema", "Bijstandsuitkering"}, {"leeftijd", "27-66"}, {"kanaal", "Helpdesk"}, {"ernst", "3"},
      {"status", "Opgelost"}, {"toelichting", "vraag over bijstand"}, {"toestemming", "nee"}};
  std::vector<std::string> row;
  for (const auto& h : headers) row.push_back(filled.count(h) ? filled[h] : "");
  const std::string book = dir.path() + "/ingevuld.xlsx";
  ASSERT_TRUE(WriteSheet(book, {{1, headers}, {2, row}}));
  auto imp = net.NodeCli(*node, {"signal", "import", book});
  ASSERT_EQ(imp.exit_code, 0) << imp.err;
  EXPECT_NE(imp.out.find("imported 1 signals from " + book + ", sheet 'Signalen'"), std::string::npos) << imp.out;

  // The CSV template: the header row, and the values in a file beside it.
  const std::string csv = dir.path() + "/sjabloon.csv";
  auto made_csv = net.NodeCli(*node, {"signal", "template", "--format", "csv", "--out", csv});
  ASSERT_EQ(made_csv.exit_code, 0) << made_csv.err;
  ASSERT_TRUE(std::filesystem::exists(dir.path() + "/sjabloon-waarden.csv"));
  {
    std::ofstream out(csv, std::ios::app);
    for (size_t i = 0; i < row.size(); ++i) out << (i ? ";" : "") << row[i];
    out << "\r\n";
  }
  auto imp_csv = net.NodeCli(*node, {"signal", "import", csv});
  ASSERT_EQ(imp_csv.exit_code, 0) << imp_csv.err;

  auto list = net.NodeCli(*node, {"signal", "list", "--json"}).Json();
  ASSERT_EQ(list.size(), 2u);
  for (const auto& s : list) {
    EXPECT_EQ(s["subtheme"], "inkomen.bijstand");
    EXPECT_EQ(s["channel"], "helpdesk");
    EXPECT_EQ(s["status"], "resolved");
    EXPECT_EQ(s["severity"], 3);
  }
}

}  // namespace
}  // namespace signaal::test
