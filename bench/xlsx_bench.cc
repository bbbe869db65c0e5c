// How long the CLI takes to turn a workbook into the CSV the node imports
// (issue 17): a signaal-gen file of --rows rows (100,000 by default) written
// as .xlsx by libxlsxwriter (shared strings, the dates as date cells, as
// Excel saves them), then read with sheets/ReadSheetAsCsv. Baseline, in the
// same run: only inflating the same parts (minizip, no XML), so the ratio
// says what the streaming XML and the CSV cost on top of unzipping.
#include <xlsxwriter.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <sstream>

#include "bench_util.h"
#include "signaal/csv.h"
#include "signaal/period.h"
#include "xlsx_reader.h"
#include "zip_archive.h"

namespace signaal::bench {
namespace {

constexpr const char* kName = "xlsx";

// The signaal-gen CSV `csv` as a workbook at `path`; false on failure.
bool WriteWorkbook(const std::string& csv, const std::string& path) {
  auto table = ParseCsv(csv, "gen.csv");
  if (!table.ok()) return false;
  lxw_workbook* book = workbook_new(path.c_str());
  lxw_worksheet* sheet = workbook_add_worksheet(book, "Signalen");
  lxw_format* date = workbook_add_format(book);
  format_set_num_format(date, "dd-mm-yyyy");
  for (size_t c = 0; c < table->header.size(); ++c) {
    worksheet_write_string(sheet, 0, static_cast<lxw_col_t>(c), table->header[c].c_str(), nullptr);
  }
  for (size_t r = 0; r < table->rows.size(); ++r) {
    const auto row = static_cast<lxw_row_t>(r + 1);
    const auto& fields = table->rows[r].fields;
    for (size_t c = 0; c < fields.size(); ++c) {
      const auto col = static_cast<lxw_col_t>(c);
      if (fields[c].empty()) continue;
      if (table->header[c] == "date") {
        Date d = *ParseDate(fields[c]);
        lxw_datetime dt = {d.year, static_cast<uint8_t>(d.month), static_cast<uint8_t>(d.day), 0, 0, 0};
        worksheet_write_datetime(sheet, row, col, &dt, date);
      } else if (table->header[c] == "severity") {
        worksheet_write_number(sheet, row, col, std::stod(fields[c]), nullptr);
      } else {
        worksheet_write_string(sheet, row, col, fields[c].c_str(), nullptr);
      }
    }
  }
  return workbook_close(book) == LXW_NO_ERROR;
}

int Run(int rows, int repeats) {
  test::TempDir dir;
  const std::string gen = dir.path() + "/gen.csv";
  auto made = test::RunCommand({test::GenBinary(), "--rows", std::to_string(rows), "--from", test::WeeksAgo(51),
                                "--weeks", "52", "--out", gen});
  if (made.exit_code != 0) return Fail(kName, "signaal-gen: " + made.err);
  std::ifstream in(gen, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string book = dir.path() + "/signalen.xlsx";
  if (!WriteWorkbook(ss.str(), book)) return Fail(kName, "libxlsxwriter could not write the workbook");

  std::vector<double> convert, inflate;
  size_t csv_bytes = 0;
  uint64_t xml_bytes = 0;
  for (int i = 0; i < repeats; ++i) {
    auto start = Clock::now();
    auto sheet = sheets::ReadSheetAsCsv(book, "signalen.xlsx");
    convert.push_back(SecondsSince(start));
    if (!sheet.ok()) return Fail(kName, sheet.status().message());
    if (sheet->rows != static_cast<uint32_t>(rows) + 1) return Fail(kName, "rows lost");
    csv_bytes = sheet->csv.size();

    start = Clock::now();
    auto zip = sheets::ZipArchive::Open(book, "signalen.xlsx", UINT64_MAX);
    if (!zip.ok()) return Fail(kName, zip.status().message());
    for (const char* part : {"xl/workbook.xml", "xl/styles.xml", "xl/sharedStrings.xml", "xl/worksheets/sheet1.xml"}) {
      Status s = zip->Read(part, UINT64_MAX, [](std::string_view) { return Status::Ok(); });
      if (!s.ok()) return Fail(kName, s.message());
    }
    inflate.push_back(SecondsSince(start));
    xml_bytes = zip->used();
  }
  Report report(kName);
  report.Set("rows", rows);
  report.Set("xlsx_mib", static_cast<double>(std::filesystem::file_size(book)) / (1 << 20));
  report.Set("xml_mib", static_cast<double>(xml_bytes) / (1 << 20));
  report.Set("csv_mib", static_cast<double>(csv_bytes) / (1 << 20));
  report.Set("convert_s", Median(convert));
  report.Set("inflate_s", Median(inflate));
  report.Set("convert_vs_inflate", Median(convert) / Median(inflate));
  report.Set("rows_per_s", rows / Median(convert));
  return report.Print();
}

}  // namespace
}  // namespace signaal::bench

int main(int argc, char** argv) {
  CLI::App app{"the .xlsx import's conversion to CSV, against bare inflating"};
  int rows = 100000, repeats = 3;
  bool smoke = false;
  app.add_option("--rows", rows, "signals in the sheet");
  app.add_option("--repeats", repeats, "runs to take the median of");
  app.add_flag("--smoke", smoke, "tiny: only check it works");
  CLI11_PARSE(app, argc, argv);
  if (smoke) rows = 200, repeats = 1;
  return signaal::bench::Run(rows, repeats);
}
